package render

import (
	"fmt"
	"io"
	"strings"

	"github.com/teethtool/teeth/report"
)

// Rule writes a site's rule proposal for teeth rule: the site, the rule, its
// proof (red with the offload removed, green with it restored, and the
// collateral), the patch and the commit message.
func Rule(w io.Writer, s *report.Site) {
	p := s.RuleProposal
	fmt.Fprintf(w, "site %s (%s)\n  %s:%d in %s, %s(%s)\n  %s\n\n", s.ID, s.Verdict, s.Path, s.Line, s.Function, s.Offload, s.Callee, s.Reason)
	fmt.Fprintf(w, "rule: %s\n", p.Status)
	if p.Status == report.RuleNone {
		fmt.Fprintf(w, "  %s\n", p.Reason)
		return
	}
	fmt.Fprintf(w, "  %s\n", p.Rule)
	scope := "scoped to every module, as the gate is"
	if len(p.ScannedModules) > 0 {
		scope = "scoped to the gate's scanned modules: " + strings.Join(p.ScannedModules, ", ")
	}
	if p.Gate != "" {
		fmt.Fprintf(w, "  for the gate at %s, %s\n", p.Gate, scope)
	}
	if len(p.Alternatives) > 0 {
		fmt.Fprintf(w, "  the call also blocked the loop in %s, which the detector does not patch either: teeth rule --primitive NAME proposes a rule for one of them instead\n",
			strings.Join(p.Alternatives, ", "))
	}
	fmt.Fprintf(w, "  %s\n", p.Reason)
	if len(p.Red)+len(p.Green) > 0 {
		fmt.Fprintf(w, "\nred → green (%s):\n", p.Detector)
		for _, r := range p.Red {
			fmt.Fprintf(w, "  %-9s offload removed, rule in:  %s %s\n", r.Outcome, r.Anchor, report.RuleRunBrief(r))
		}
		for _, r := range p.Green {
			fmt.Fprintf(w, "  %-9s offload restored, rule in: %s %s\n", r.Outcome, r.Anchor, report.RuleRunBrief(r))
		}
		fmt.Fprintf(w, "%s\n", collateralBrief(p))
		for _, r := range p.Collateral {
			fmt.Fprintf(w, "  %-9s %s %s\n", r.Outcome, r.Anchor, report.RuleRunBrief(r))
		}
	}
	if p.Patch != "" {
		fmt.Fprintf(w, "\npatch:\n%s", p.Patch)
	}
	if p.Snippet != "" {
		fmt.Fprintf(w, "\nto add by hand (%s):\n%s", p.SnippetWhy, p.Snippet)
	}
	if p.Commit != "" {
		fmt.Fprintf(w, "\ncommit message:\n\n%s", p.Commit)
	}
}
