package report

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// WriteJSON writes r as indented JSON.
func WriteJSON(w io.Writer, r *Report) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(r)
}

// WriteFile writes a report to path atomically: a reader sees the old file or
// the whole new one, never a half-written one.
func WriteFile(path string, write func(io.Writer) error) error {
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name())
	if err := write(f); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(f.Name(), path)
}

// WriteSummary writes the human summary: one line per anchor with its
// verdict, the reason for every anchor without teeth, every site with its
// verdict and the reason for every site no anchor kills, the counts, and how
// reach was recorded (per call or per line).
func WriteSummary(w io.Writer, r *Report) {
	fmt.Fprintf(w, "anchors (%d):\n", len(r.Anchors))
	for _, a := range r.Anchors {
		fmt.Fprintf(w, "  %-15s %s\n", a.Verdict, a.NodeID)
		if a.Verdict != Teeth {
			fmt.Fprintf(w, "  %-15s   %s\n", "", a.Reason)
		}
	}
	fmt.Fprintf(w, "sites (%d):\n", len(r.Sites))
	for _, s := range r.Sites {
		fmt.Fprintf(w, "  %-15s %s (line %d)\n", s.Verdict, s.ID, s.Line)
		if s.Verdict != Guarded {
			fmt.Fprintf(w, "  %-15s   %s\n", "", siteReason(s))
		}
	}
	WriteAudit(w, r.Audit)
	for _, fe := range r.SkippedFiles {
		fmt.Fprintf(w, "skipped %s:%d: %s\n", fe.Path, fe.Line, fe.Msg)
	}
	s := r.Summary
	fmt.Fprintf(w, "anchors: %s\n", counts(s.AnchorVerdicts, AnchorVerdicts))
	fmt.Fprintf(w, "sites: %s\n", counts(s.SiteVerdicts, SiteVerdicts))
	if r.Audit != nil {
		fmt.Fprintf(w, "audit: %s\n", auditCounts(r.Audit))
	}
	fmt.Fprintf(w, "mutants: %d, pytest runs: %d (%d forked warm, %d fresh), %.1fs, %.2f mutants/s\n",
		s.Mutants, s.PytestRuns, s.WarmRuns, s.FreshRuns, s.DurationS, s.MutantsPerS)
	switch s.Reach {
	case ReachCall:
		fmt.Fprintf(w, "reach: per call (sys.monitoring): a site is reached when its offload call runs\n")
	case ReachLine:
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
	if s.Failed {
		fmt.Fprintf(w, "failed on: %s (the verdicts in fail_on)\n", counts(failedOn(r), AnchorVerdicts))
	}
}

// failedOn counts, by verdict, the anchors whose verdict fails the run.
func failedOn(r *Report) map[string]int {
	out := map[string]int{}
	for _, a := range r.Anchors {
		if Fails(a, r.FailOn) {
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
