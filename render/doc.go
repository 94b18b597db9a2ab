// Package render owns the human and CI formats of a report: what teeth
// prints on the terminal about a site's evidence (teeth show --report) and
// its rule proposal (teeth rule). Package report holds the model they
// render and decides its verdicts.
package render
