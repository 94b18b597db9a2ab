// Package render owns the human and CI formats of a report: the terminal
// summary and audit, a site's evidence (teeth show --report) and its rule
// proposal (teeth rule), the Markdown report, the body of the one
// pull-request comment teeth keeps (teeth comment), the self-contained HTML
// page, JUnit XML, SARIF 2.1.0, and GitHub Actions annotations. Package
// report holds the model they render and decides its verdicts; nothing here
// decides one.
package render
