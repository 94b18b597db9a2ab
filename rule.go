package main

import (
	"context"
	"io"
	"time"

	"github.com/teethtool/teeth/render"
	"github.com/teethtool/teeth/report"
	"github.com/teethtool/teeth/rules"
	"github.com/teethtool/teeth/runner"
)

// ruleCmd is "teeth rule SITE-ID [PROJECT]": it runs the site's mutant
// against the anchors that reach it and, for a survived site, proposes the
// detector rule for what its call blocked the loop in, proves it in the
// sandbox and prints the conftest patch, the red→green evidence and the
// rule commit's message. Exit 0: a proven rule; 1: no rule, or its proof
// failed (the output says why); 2: bad input, such as a site that is not
// a rule candidate.
func ruleCmd(ctx context.Context, args []string, stdout, stderr io.Writer) (err error) {
	defer interrupted(ctx, &err)
	ss, err := begin("rule", args, stderr)
	if err != nil {
		return err
	}
	defer ss.close()
	f, c := ss.f, ss.c
	sel := &selector{only: []string{f.ruleSite}}
	plan, disc, ms, err := prepare(ctx, c, sel, false, ss.tmp, ss.prog)
	if err != nil {
		return err
	}
	v, err := runner.Verify(ctx, plan, ss.tmp)
	ss.prog.finish()
	if err := runError(ctx, err); err != nil {
		return err
	}
	r := build(c, plan, disc, ms, v, f.project, sel, "verify", nil, time.Since(ss.start))
	p := &proposer{c: c, plan: plan, ms: ms, v: v, tmp: ss.tmp, prove: true, want: map[string]string{f.ruleSite: f.primitive}, status: stderr}
	if err := proposeInto(ctx, p, r); err != nil {
		return err
	}
	site := siteOf(r, f.ruleSite)
	if site == nil || site.RuleProposal == nil {
		re := rules.NotCandidate(site, f.ruleSite)
		return usageError(re.Msg, re.Hint)
	}
	if err := f.out.write(r, stdout); err != nil {
		return err
	}
	render.Rule(stdout, site)
	if site.RuleProposal.Status != report.RuleProven {
		return &cliError{code: 1}
	}
	return nil
}

// proposeInto fills r's rule proposals and counts the proofs' runs and time.
func proposeInto(ctx context.Context, p *proposer, r *report.Report) error {
	start := time.Now()
	n, err := p.propose(ctx, r)
	if err := runError(ctx, err); err != nil {
		return err
	}
	r.Summary.RuleRuns = n
	if n > 0 {
		r.Summary.RuleS = report.Round3(time.Since(start).Seconds())
	}
	return nil
}

// siteOf is r's site with this id, or nil.
func siteOf(r *report.Report, id string) *report.Site {
	for i := range r.Sites {
		if r.Sites[i].ID == id {
			return &r.Sites[i]
		}
	}
	return nil
}
