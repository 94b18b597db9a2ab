package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/teethtool/teeth/initcfg"
	"github.com/teethtool/teeth/report"
	"github.com/teethtool/teeth/rules"
	"github.com/teethtool/teeth/runner"
)

// proposer fills the rule proposals of a report's survived sites (the RULE
// route), proving them when asked.
type proposer struct {
	c      *config
	plan   *runner.Plan
	ms     *mutantSet
	v      *runner.Verified
	tmp    string
	prove  bool
	want   map[string]string // site id -> primitive chosen on the command line
	status io.Writer         // progress lines
	prover *rules.Prover
}

// propose sets RuleProposal on every survived site of r and returns how
// many pytest processes its proofs ran.
func (p *proposer) propose(ctx context.Context, r *report.Report) (int, error) {
	var gates []initcfg.Gate
	var gateErr error
	loaded := false
	for i := range r.Sites {
		s := &r.Sites[i]
		if !rules.Candidate(*s) {
			continue
		}
		prop, err := rules.Decide(r, s.ID, p.want[s.ID])
		var re *rules.Error
		if errors.As(err, &re) {
			return p.runs(), usageError(re.Msg, re.Hint)
		} else if err != nil {
			return p.runs(), err
		}
		if prop.Status != report.RuleNone {
			if !loaded {
				gates, gateErr = initcfg.Gates(ctx, p.c.Dir, p.c.helperPython())
				loaded = true
			}
			p.patch(prop, gates, gateErr)
			if err := p.proveOne(ctx, prop, *s); err != nil {
				return p.runs(), err
			}
		}
		prop.Commit = rules.CommitMessage(prop, *s, firstBlocked(r, s.ID, prop.Anchors))
		s.RuleProposal = prop
	}
	return p.runs(), nil
}

func (p *proposer) runs() int {
	if p.prover == nil {
		return 0
	}
	return p.prover.Runs
}

// patch adds the rule's entry and the patch to the gate to the proposal.
func (p *proposer) patch(prop *report.RuleProposal, gates []initcfg.Gate, gateErr error) {
	pt := rules.MakePatch(p.c.Dir, gates, prop.Primitive)
	prop.Rule, prop.Gate, prop.ScannedModules = pt.Rule, pt.Gate, pt.Scanned
	prop.Patch, prop.Snippet, prop.SnippetWhy = pt.Diff, pt.Snippet, pt.Why
	if gateErr != nil {
		prop.SnippetWhy = "reading the gate: " + gateErr.Error()
	}
}

// proveOne runs the proof of one proposal, making the prover's sandbox first.
func (p *proposer) proveOne(ctx context.Context, prop *report.RuleProposal, s report.Site) error {
	if !p.prove || prop.Status != report.RuleUnproven {
		return nil
	}
	if p.prover == nil {
		pr, err := rules.NewProver(&p.plan.Env, p.plan.Tree, p.tmp)
		if err != nil {
			return err
		}
		p.setup(pr)
		p.prover = pr
	}
	fmt.Fprintf(p.status, "teeth: proving a rule for %s at %s\n", prop.Primitive, s.ID)
	err := p.prover.Prove(ctx, prop, s.Path, p.ms.sources[s.Path], p.plan.Mutants[s.ID])
	if prop.Status == report.RuleRefuted {
		prop.Patch, prop.Snippet, prop.SnippetWhy = "", "", "" // nothing to apply
	}
	return err
}

// setup gives the prover the anchor suite and its baseline.
func (p *proposer) setup(pr *rules.Prover) {
	base := p.v.Baseline
	pr.Suite, pr.Baseline = p.c.Anchors, base
	startup := runner.Overhead(base)
	pr.Limit = func(anchors []string) time.Duration { return p.plan.TimeLimit(base, startup, anchors) }
	pr.SuiteLimit = p.plan.BaselineTimeout
}

// firstBlocked is what the site's call did in the first of these anchors' survived runs.
func firstBlocked(r *report.Report, id string, anchors []string) *report.Blocked {
	for _, a := range r.Anchors {
		if len(anchors) > 0 && a.NodeID != anchors[0] {
			continue
		}
		for _, ev := range a.Mutants {
			if ev.Site == id && ev.Outcome == report.Survived && ev.Run.Blocked != nil {
				return ev.Run.Blocked
			}
		}
	}
	return nil
}
