package pipeline

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/teethtool/teeth/initcfg"
	"github.com/teethtool/teeth/mutate"
	"github.com/teethtool/teeth/report"
	"github.com/teethtool/teeth/rules"
	"github.com/teethtool/teeth/runner"
)

// proposer fills the rule proposals of a report's survived sites (the RULE
// route), proving them when asked.
type proposer struct {
	r      *run
	prove  bool
	want   map[string]string // site id -> primitive chosen on the command line
	prover *rules.Prover
}

// proposeAll fills rep's rule proposals and counts the proofs' runs and time.
func (p *proposer) proposeAll(ctx context.Context, rep *report.Report) error {
	start := time.Now()
	n, err := p.propose(ctx, rep)
	if err == nil {
		err = ctx.Err()
	}
	if err != nil {
		return err
	}
	rep.Summary.RuleRuns = n
	if n > 0 {
		rep.Summary.RuleS = report.Round3(time.Since(start).Seconds())
	}
	return nil
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
		if err != nil {
			return p.runs(), err
		}
		if prop.Status != report.RuleNone {
			if !loaded {
				gates, gateErr = initcfg.Gates(ctx, p.r.c.Dir, p.r.c.HelperPython())
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
	pt := rules.MakePatch(p.r.c.Dir, gates, prop.Primitive)
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
		pr, err := rules.NewProver(&p.r.plan.Env, p.r.plan.Tree, p.r.tmp)
		if err != nil {
			return err
		}
		p.setup(pr)
		p.prover = pr
	}
	fmt.Fprintf(p.r.log, "teeth: proving a rule for %s at %s\n", prop.Primitive, s.ID)
	i := slices.IndexFunc(p.r.plan.Sites, func(site mutate.Site) bool { return site.ID == s.ID })
	mut, err := p.r.ms.mutant(i)
	if err != nil {
		return err
	}
	err = p.prover.Prove(ctx, prop, s.Path, p.r.ms.sources[s.Path].Bytes, mut)
	if prop.Status == report.RuleRefuted {
		prop.Patch, prop.Snippet, prop.SnippetWhy = "", "", "" // nothing to apply
	}
	return err
}

// setup gives the prover the anchor suite and its baseline.
func (p *proposer) setup(pr *rules.Prover) {
	base, plan := p.r.v.Baseline, p.r.plan
	pr.Suite, pr.Baseline = p.r.c.Anchors, base
	startup := runner.Overhead(base)
	pr.Limit = func(anchors []string) time.Duration { return plan.TimeLimit(base, startup, anchors) }
	pr.SuiteLimit = plan.BaselineTimeout
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
