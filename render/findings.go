package render

import (
	"fmt"
	"sort"
	"strings"

	"github.com/teethtool/teeth/audit"
	"github.com/teethtool/teeth/report"
)

// Levels of a finding, as GitHub annotations and SARIF name them.
const (
	levelError   = "error"
	levelWarning = "warning"
	levelNote    = "note"
)

// finding is one thing without a guard that the CI writers (annotations,
// SARIF) report: an anchor without teeth, a site without an anchor that
// kills its mutant, or a latent blocking call (the gate caught it at
// baseline and production code swallowed it).
type finding struct {
	kind    string // "anchor", "site" or "latent"
	verdict string
	id      string // the anchor's node id or the site's id
	path    string
	line    int
	message string
	level   string
	anchor  *report.Anchor // set for anchor findings
	site    *report.Site   // set for site findings
	latent  *audit.Latent  // set for latent findings
}

// Latent findings' kind and verdict: their SARIF rule is latent-blocking.
const (
	latentKind    = "latent"
	latentVerdict = "blocking"
)

// ruleID is the id of the rule a finding breaks: "anchor-<verdict>" or
// "site-<verdict>" (anchors and sites share some verdict names).
func (f finding) ruleID() string { return f.kind + "-" + f.verdict }

// noTeethAnchor reports whether an anchor verdict is reported as a finding:
// every verdict but teeth, gate-off, skipped and xfailed (an anchor that
// opts out of the gate on purpose, or does not run, is shown in the human
// reports, not flagged).
func noTeethAnchor(verdict string) bool {
	switch verdict {
	case report.Teeth, report.GateOff, report.Skipped, report.XFailed:
		return false
	}
	return true
}

// unguardedSite reports whether a site verdict is reported as a finding:
// every verdict but guarded.
func unguardedSite(verdict string) bool { return verdict != report.Guarded }

// findings lists the findings of r: anchors first, then sites, each in report
// order, then the latent blocking calls of the audit (warnings, at the
// blocking frame). An anchor finding is an error when the anchor fails the run under
// failOn (see report.Fails), a note for a no-site gate self-test, a warning
// otherwise; a site finding is an error when its verdict is in failOn, a
// warning otherwise.
func findings(r *report.Report, failOn []string) []finding {
	var out []finding
	for i := range r.Anchors {
		a := &r.Anchors[i]
		if !noTeethAnchor(a.Verdict) {
			continue
		}
		level := levelWarning
		switch {
		case report.Fails(*a, failOn):
			level = levelError
		case a.Verdict == report.NoSite && a.SelfTest:
			level = levelNote
		}
		out = append(out, finding{kind: "anchor", verdict: a.Verdict, id: a.NodeID, path: a.Path, line: a.Line,
			message: a.Reason, level: level, anchor: a})
	}
	for i := range r.Sites {
		s := &r.Sites[i]
		if !unguardedSite(s.Verdict) {
			continue
		}
		level := levelWarning
		if hasString(failOn, s.Verdict) {
			level = levelError
		}
		out = append(out, finding{kind: "site", verdict: s.Verdict, id: s.ID, path: s.Path, line: s.Line,
			message: report.SiteReason(*s), level: level, site: s})
	}
	if r.Audit != nil {
		for i := range r.Audit.Latent {
			l := &r.Audit.Latent[i]
			msg := fmt.Sprintf("%s (anchors: %s)", l.Detail, firstNames(l.Anchors, 3))
			out = append(out, finding{kind: latentKind, verdict: latentVerdict, id: l.Primitive + " in " + l.Path + ":" + l.Function, path: l.Path, line: l.Line,
				message: msg, level: levelWarning, latent: l})
		}
	}
	return out
}

// testName returns the test part of an anchor's node id: "test_x" for
// "tests/a.py::test_x", "TestA::test_x[1]" for a method.
func testName(a report.Anchor) string {
	if a.Path != "" && strings.HasPrefix(a.NodeID, a.Path+"::") {
		return a.NodeID[len(a.Path)+2:]
	}
	if i := strings.Index(a.NodeID, "::"); i >= 0 {
		return a.NodeID[i+2:]
	}
	return a.NodeID
}

// anchorFile returns the anchor's file: its path, or the node id's file part.
func anchorFile(a report.Anchor) string {
	if a.Path != "" {
		return a.Path
	}
	if i := strings.Index(a.NodeID, "::"); i >= 0 {
		return a.NodeID[:i]
	}
	return a.NodeID
}

func hasString(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

// verdictCount is one verdict with how many anchors and sites have it.
type verdictCount struct {
	Verdict string
	Anchors int
	Sites   int
}

// verdictCounts counts the verdicts of r's anchors and sites (from the lists,
// not the summary, so a hand-built report counts right): teeth and guarded
// first, then the anchor verdicts in precedence order, then the site-only
// verdicts, then any unknown verdict by name. Verdicts nobody has are left
// out.
func verdictCounts(r *report.Report) []verdictCount {
	anchors, sites := map[string]int{}, map[string]int{}
	for _, a := range r.Anchors {
		anchors[a.Verdict]++
	}
	for _, s := range r.Sites {
		sites[s.Verdict]++
	}
	order := []string{report.Teeth, report.Guarded}
	order = append(order, report.AnchorVerdicts...)
	order = append(order, report.SiteVerdicts...)
	var rest []string
	for _, m := range []map[string]int{anchors, sites} {
		for v := range m {
			if !hasString(order, v) && !hasString(rest, v) {
				rest = append(rest, v)
			}
		}
	}
	sort.Strings(rest)
	order = append(order, rest...)
	var out []verdictCount
	seen := map[string]bool{}
	for _, v := range order {
		if seen[v] || anchors[v]+sites[v] == 0 {
			continue
		}
		seen[v] = true
		out = append(out, verdictCount{Verdict: v, Anchors: anchors[v], Sites: sites[v]})
	}
	return out
}

// reaches reports whether anchor a reaches site s at baseline.
func reaches(a report.Anchor, s report.Site) bool {
	return hasString(a.Sites, s.ID) || hasString(s.Anchors, a.NodeID)
}

// evidenceFor returns a's evidence for the mutant of site id, or nil.
func evidenceFor(a *report.Anchor, id string) *report.Evidence {
	for i := range a.Mutants {
		if a.Mutants[i].Site == id {
			return &a.Mutants[i]
		}
	}
	return nil
}

// distinctCounts returns the distinct strings of list in order, each with its count.
func distinctCounts(list []string) (distinct []string, n map[string]int) {
	n = map[string]int{}
	for _, s := range list {
		if n[s] == 0 {
			distinct = append(distinct, s)
		}
		n[s]++
	}
	return distinct, n
}

// outcomeWords says in words what an outcome means for an anchor's run.
var outcomeWords = map[string]string{
	report.Killed:      "red, the gate fired",
	report.KilledOther: "red, the gate did not fire",
	report.Swallowed:   "stayed green although the gate fired",
	report.Survived:    "stayed green, the gate stayed silent",
	report.NotReached:  "did not reach the site",
	report.Timeout:     "timed out",
	report.Error:       "harness error",
}
