package cli

import (
	"context"
	"time"

	"github.com/teethtool/teeth/internal/hint"
	"github.com/teethtool/teeth/pipeline"
	"github.com/teethtool/teeth/render"
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
	errs := f.out.write(r, a.stdout)
	render.Rule(a.stdout, site)
	failed(a.stderr, errs)
	if site.RuleProposal.Status != report.RuleProven {
		return hint.Exit(1)
	}
	return nil
}
