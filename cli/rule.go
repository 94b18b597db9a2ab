package cli

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/teethtool/teeth/internal/hint"
	"github.com/teethtool/teeth/pipeline"
	"github.com/teethtool/teeth/report"
)

// rule is "teeth rule SITE-ID [PROJECT]": it runs the site's mutant against
// the anchors that reach it and, for a survived site, proposes the detector
// rule for what its call blocked the loop in, proves it in the sandbox and
// prints the conftest patch, the red→green evidence and the rule commit's
// message. Exit 0: a proven rule; 1: no rule, or its proof failed (the
// output says why); 2: bad input, such as a site that is not a rule
// candidate.
func (a *app) rule(ctx context.Context, args []string) (err error) {
	defer interrupted(ctx, &err)
	f, c, err := a.begin("rule", args)
	if err != nil {
		return err
	}
	prog := newProgress(a.stderr, time.Now())
	defer prog.Finish()
	r, site, err := pipeline.Rule(ctx, c, f.options(a.version, a.stderr, prog), f.ruleSite, f.primitive)
	if err != nil {
		return err
	}
	if err := f.out.write(r, a.stdout); err != nil {
		return err
	}
	writeRule(a.stdout, site)
	if site.RuleProposal.Status != report.RuleProven {
		return hint.Exit(1)
	}
	return nil
}

// writeRule prints a site's rule proposal: the site, the rule, its proof,
// the patch and the commit message.
func writeRule(w io.Writer, s *report.Site) {
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
		fmt.Fprintf(w, "%s\n", p.CollateralBrief())
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
