package render

import (
	"fmt"
	"strings"

	"github.com/teethtool/teeth/report"
)

// htmlEvidence is one anchor's red→green evidence at a site: the run with
// the mutant (red when the gate fired) and the run of the restored code.
type htmlEvidence struct {
	Anchor, Ref, AnchorVerdict string
	Outcome, Class, Words      string
	Run, TestLine, Detector    string
	Loop, Retry, Reproduce     string
	Excerpt                    string
	Restore                    string
	RestoreOK, Cached          bool
}

// htmlNotRun is the anchors that reach a site at baseline without a run of
// its mutant, for one reason.
type htmlNotRun struct {
	Why     string
	Anchors []htmlRef
}

// excerptCap bounds an excerpt in the page; the JSON report has it whole.
var excerptCap = mdCap{lines: 40, bytes: 4000}

// newHTMLSites makes every site's panel, in report order.
func newHTMLSites(r *report.Report, anchorRef map[string]string, st sourceText) []*htmlSite {
	rules := map[string]*htmlRule{}
	for _, h := range newHTMLRules(r) {
		rules[h.Site] = &h
	}
	anchors := map[string]*report.Anchor{}
	for i := range r.Anchors {
		anchors[r.Anchors[i].NodeID] = &r.Anchors[i]
	}
	siteIndex := map[string]int{}
	for i, s := range r.Sites {
		siteIndex[s.ID] = i
	}
	out := make([]*htmlSite, len(r.Sites))
	for i, s := range r.Sites {
		h := &htmlSite{Index: i, ID: s.ID, Line: s.Line, Verdict: s.Verdict, Call: siteCall(s),
			Label: siteLabel(s), Reason: withoutAnchors(report.SiteReason(s)), Invalid: s.Invalid, Rule: rules[s.ID]}
		diff := s.Diff
		for _, a := range r.Anchors {
			if ev := evidenceFor(&a, s.ID); ev != nil {
				h.Evidence = append(h.Evidence, newHTMLEvidence(&a, ev, anchorRef[a.NodeID]))
				if diff == "" {
					diff = ev.Diff
				}
			} else if reaches(a, s) {
				h.addNotRun(notRunWhy(a, s), htmlRef{Text: a.NodeID, Ref: anchorRef[a.NodeID]})
			}
		}
		if st.files[s.Path] != nil { // the source around it is on the page
			h.Diff, h.Changes = diffLines(diffChanges(diff)), true
		} else {
			h.Diff = diffLines(diffBody(diff))
		}
		if s.Verdict == report.Unguarded || s.Verdict == report.GateOff {
			h.Unreached = true
			for _, n := range report.Closest(r, s) {
				h.Closest = append(h.Closest, htmlNearby{Ref: anchorRef[n.Anchor], Anchor: n.Anchor, Verdict: n.Verdict,
					Same: n.Same, Via: n.Via, ViaRef: fmt.Sprintf("#s-%d", siteIndex[n.Via])})
			}
			if len(h.Closest) > 6 {
				h.Closest = h.Closest[:6]
			}
		}
		out[i] = h
	}
	return out
}

func (h *htmlSite) addNotRun(why string, a htmlRef) {
	for i := range h.NotRun {
		if h.NotRun[i].Why == why {
			h.NotRun[i].Anchors = append(h.NotRun[i].Anchors, a)
			return
		}
	}
	h.NotRun = append(h.NotRun, htmlNotRun{Why: why, Anchors: []htmlRef{a}})
}

// withoutAnchors cuts the list of anchors off the end of a site's reason
// (" (anchors: a, b and 2 more)"): its panel lists them all.
func withoutAnchors(reason string) string {
	if i := strings.LastIndex(reason, " (anchors: "); i >= 0 && strings.HasSuffix(reason, ")") {
		return reason[:i]
	}
	return reason
}

// siteCall is a site's call in code: "asyncio.to_thread(path.read_text) in NoteService.read_note".
func siteCall(s report.Site) string {
	call := s.Callee
	if s.Offload != "" {
		call = s.Offload + "(" + s.Callee + ")"
	}
	if s.Shape != "" && s.Shape != "awaited" {
		call += ", " + s.Shape
	}
	if s.Function != "" {
		call += " in " + s.Function
	}
	return call
}

// notRunWhy says why an anchor that reaches a site has no run of its mutant.
func notRunWhy(a report.Anchor, s report.Site) string {
	switch {
	case a.Baseline.Outcome != "passed" && a.Baseline.Outcome != "":
		return "the anchor is not green at baseline"
	case s.Verdict == report.Invalid:
		return "the mutant does not compile"
	}
	return "the mutant stopped at an earlier kill (--full-matrix runs every pair)"
}

func newHTMLEvidence(a *report.Anchor, m *report.Evidence, ref string) htmlEvidence {
	e := htmlEvidence{Anchor: a.NodeID, Ref: ref, AnchorVerdict: a.Verdict, Outcome: m.Outcome, Class: m.Outcome,
		Words: outcomeWords[m.Outcome], Run: runBrief(m.Run), Reproduce: m.Reproduce, Cached: m.Cached}
	if e.Words == "" {
		e.Words, e.Class = m.Outcome, "error"
	}
	if len(m.Run.Detector) > 0 {
		distinct, n := distinctCounts(m.Run.Detector)
		at := map[string]string{}
		for i, msg := range m.Run.Detector {
			if i < len(m.Run.DetectorAt) && at[msg] == "" {
				at[msg] = m.Run.DetectorAt[i]
			}
		}
		parts := make([]string, len(distinct))
		for i, s := range distinct {
			parts[i] = s
			if at[s] != "" {
				parts[i] += " at " + at[s]
			}
			if n[s] > 1 {
				parts[i] += fmt.Sprintf(" (×%d)", n[s])
			}
		}
		e.Detector = strings.Join(parts, "; ")
	}
	e.Loop = blockedBrief(m.Run.Blocked, func(s string) string { return s })
	var rest string
	e.TestLine, rest, _ = strings.Cut(strings.TrimSpace(m.Run.Excerpt), "\n")
	if m.Run.Outcome == "timeout" || m.Run.Outcome == "error" {
		e.TestLine = "" // runBrief already shows the excerpt's first line
	}
	if rest != "" {
		clipped, kept := clipLines(rest, excerptCap)
		e.Excerpt = clipped
		if total := strings.Count(rest, "\n") + 1; kept < total || len(clipped) < len(rest) {
			e.Excerpt += fmt.Sprintf("\n… cut here: the JSON report (--json) has all %d lines", total)
		}
	}
	if m.Retry != nil {
		e.Retry = runBrief(*m.Retry)
	}
	if len(m.Tally) > 2 {
		e.Retry += "; runs: " + report.DescribeTally(m.Tally)
	}
	if a.Restore != nil {
		e.Restore, e.RestoreOK = runBrief(*a.Restore), a.Restore.Outcome == "passed"
	}
	return e
}

// diffChanges is the changed lines of a diff, for a page that shows the
// source around them.
func diffChanges(diff string) string {
	var out []string
	for _, l := range strings.Split(diffBody(diff), "\n") {
		if strings.HasPrefix(l, "-") || strings.HasPrefix(l, "+") {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

// diffBody is a diff without its file header (the lines "--- a/..." and
// "+++ b/..." before the first hunk): the file view names the file.
func diffBody(diff string) string {
	for strings.HasPrefix(diff, "--- ") || strings.HasPrefix(diff, "+++ ") {
		_, diff, _ = strings.Cut(diff, "\n")
	}
	return diff
}
