package render

import (
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/teethtool/teeth/report"
)

// Summary writes the human summary: one line per anchor with its
// verdict (of the no-site anchors, the first ListFirst and a count), the
// reason for every anchor without teeth, every site with its
// verdict and the reason for every site no anchor kills, the counts, and how
// reach was recorded (per call or per line).
func Summary(w io.Writer, r *report.Report) {
	fmt.Fprintf(w, "anchors (%d):\n", len(r.Anchors))
	noSite := 0
	for _, a := range r.Anchors {
		if a.Verdict == report.NoSite && !a.SelfTest {
			if noSite++; noSite > ListFirst {
				continue // a suite of thousands of tests: the first ones, then a count
			}
		}
		fmt.Fprintf(w, "  %-15s %s\n", a.Verdict, a.NodeID)
		if a.Verdict != report.Teeth {
			fmt.Fprintf(w, "  %-15s   %s\n", "", a.Reason)
		}
	}
	if noSite > ListFirst {
		fmt.Fprintf(w, "  … and %d more no-site anchors (the JSON report lists them all; no_site = \"count\" counts them instead)\n", noSite-ListFirst)
	}
	fmt.Fprintf(w, "sites (%d):\n", len(r.Sites))
	for _, s := range r.Sites {
		fmt.Fprintf(w, "  %-15s %s (line %d)\n", s.Verdict, s.ID, s.Line)
		if s.Verdict != report.Guarded {
			fmt.Fprintf(w, "  %-15s   %s\n", "", report.SiteReason(s))
		}
		if p := s.RuleProposal; p != nil {
			fmt.Fprintf(w, "  %-15s   %s\n", "", ruleBrief(p, func(s string) string { return s }))
		}
	}
	writeAuditAndCounts(w, r)
	s := r.Summary
	fmt.Fprintf(w, "mutants: %d, pytest runs: %d (%d forked warm, %d fresh), %.1fs, %.2f mutants/s",
		s.Mutants, s.PytestRuns, s.WarmRuns, s.FreshRuns, s.DurationS, s.MutantsPerS)
	if s.RunsAtOnce > 0 {
		fmt.Fprintf(w, ", at most %d at once", s.RunsAtOnce)
	}
	fmt.Fprintln(w)
	if s.RuleRuns > 0 {
		fmt.Fprintf(w, "rule proofs: %d pytest runs, %.1fs\n", s.RuleRuns, s.RuleS)
	}
	if s.LazyRuns > 0 {
		fmt.Fprintf(w, "warm runs that imported the mutated module lazily: %d\n", s.LazyRuns)
	}
	switch s.Reach {
	case report.ReachCall:
		fmt.Fprintf(w, "reach: per call (sys.monitoring): a site is reached when its offload call runs\n")
	case report.ReachLine:
		fmt.Fprintf(w, "reach: per line (sys.settrace: Python < 3.12 or TEETH_TRACE=settrace): a site is reached when its line runs, even if its call does not\n")
	}
	if s.CachedOutcomes > 0 {
		fmt.Fprintf(w, "outcomes from the cache: %d\n", s.CachedOutcomes)
	}
	reasons := make([]string, 0, len(s.Fallbacks))
	for r := range s.Fallbacks {
		reasons = append(reasons, r)
	}
	sort.Strings(reasons)
	for _, r := range reasons {
		fmt.Fprintf(w, "fresh-process fallback (%d): %s\n", s.Fallbacks[r], r)
	}
	if r.Partial != nil {
		fmt.Fprintf(w, "%s\n", r.Partial.Note())
	}
	if s.Failed {
		line := fmt.Sprintf("failed on: %s (the verdicts in fail_on)", counts(failedOn(r), report.AnchorVerdicts))
		if r.Partial != nil {
			line += "; a partial merge (" + strings.Join(r.Partial.Missing, ", ") + " missing)"
		}
		fmt.Fprintln(w, line)
	}
}

// failedOn counts, by verdict, the anchors whose verdict fails the run.
func failedOn(r *report.Report) map[string]int {
	out := map[string]int{}
	for _, a := range r.Anchors {
		if report.Fails(a, r.FailOn) {
			out[a.Verdict]++
		}
	}
	return out
}

func counts(m map[string]int, order []string) string {
	var parts []string
	seen := map[string]bool{}
	for _, k := range order {
		if m[k] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", m[k], k))
		}
		seen[k] = true
	}
	var rest []string
	for k := range m {
		if !seen[k] {
			rest = append(rest, k)
		}
	}
	sort.Strings(rest)
	for _, k := range rest {
		parts = append(parts, fmt.Sprintf("%d %s", m[k], k))
	}
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, ", ")
}
