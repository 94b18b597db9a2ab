// Package render owns the human and CI formats of a report: the terminal
// summary and audit, a site's evidence (teeth show --report) and its rule
// proposal (teeth rule), the pull-request-comment Markdown, the
// self-contained HTML page, JUnit XML, SARIF 2.1.0, and GitHub Actions
// annotations. Package report holds the model they render and decides its
// verdicts; nothing here decides one.
package render
