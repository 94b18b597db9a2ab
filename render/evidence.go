package render

import (
	"fmt"
	"io"
	"strings"

	"github.com/teethtool/teeth/report"
)

// Evidence writes what r holds on the site with this id, for teeth show
// --report: the site's verdict, reason and rule proposal, then each anchor's
// run of its mutant (outcome, detector messages, what the call did on the
// loop, excerpt, restore run and how to reproduce it). It reports whether r
// has the site.
func Evidence(w io.Writer, r *report.Report, id string) bool {
	found := false
	for _, st := range r.Sites {
		if st.ID == id {
			found = true
			fmt.Fprintf(w, "\nsite verdict: %s\n", st.Verdict)
			if st.Reason != "" {
				fmt.Fprintf(w, "  %s\n", st.Reason)
			}
			if st.RuleProposal != nil {
				fmt.Fprintf(w, "  %s\n", ruleBrief(st.RuleProposal, func(s string) string { return s }))
			}
		}
	}
	for _, a := range r.Anchors {
		for _, ev := range a.Mutants {
			if ev.Site != id {
				continue
			}
			fmt.Fprintf(w, "\n%s %s (exit %d, %.3fs)\n", ev.Outcome, a.NodeID, ev.Run.ExitCode, ev.Run.DurationS)
			for _, d := range ev.Run.Detector {
				fmt.Fprintf(w, "  detector: %s\n", d)
			}
			if loop := blockedBrief(ev.Run.Blocked, func(s string) string { return s }); loop != "" {
				fmt.Fprintf(w, "  on the loop: %s\n", loop)
			}
			if ev.Run.Excerpt != "" {
				fmt.Fprintf(w, "  %s\n", strings.ReplaceAll(ev.Run.Excerpt, "\n", "\n  "))
			}
			if a.Restore != nil {
				fmt.Fprintf(w, "  restore: %s\n", a.Restore.Outcome)
			}
			fmt.Fprintf(w, "  reproduce: %s\n", ev.Reproduce)
		}
	}
	return found
}
