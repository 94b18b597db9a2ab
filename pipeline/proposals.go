package pipeline

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/teethtool/teeth/initcfg"
	"github.com/teethtool/teeth/mutate"
	"github.com/teethtool/teeth/report"
	"github.com/teethtool/teeth/rules"
	"github.com/teethtool/teeth/runner"
)

// proposer fills the rule proposals of a report's survived sites (the RULE
// route), proving them when asked: all together, on the run's own workers.
type proposer struct {
	r    *run
	runs int // pytest processes the proofs ran
}

// proposeAll fills rep's rule proposals and counts the proofs' runs and time.
func (p *proposer) proposeAll(ctx context.Context, rep *report.Report) error {
	start := time.Now()
	err := p.propose(ctx, rep)
	if err == nil {
		err = ctx.Err()
	}
	if err != nil {
		return err
	}
	rep.Summary.RuleRuns = p.runs
	if p.runs > 0 {
		rep.Summary.RuleS = report.Round3((time.Since(start) + p.r.sess.RuleTime()).Seconds())
	}
	return nil
}

// restoreRules are the primitives of the rules proposed, from the mutants'
// outcomes so far, for the survived sites: a restore run starting now takes
// them in, and is so the proofs' run of the unmutated suite too
// (runner.Plan.RestoreRules). The report they are read from is
// provisional: mutants and the restore check still run.
func (r *run) restoreRules(v *runner.Verified) []string {
	r.v = v
	rep := r.assemble("verify")
	var prims []string
	for _, s := range rep.Sites {
		if !rules.Candidate(s) {
			continue
		}
		if prop, err := rules.Decide(rep, s.ID, r.want[s.ID]); err == nil && prop.Status == report.RuleUnproven && !slices.Contains(prims, prop.Primitive) {
			prims = append(prims, prop.Primitive)
		}
	}
	return prims
}

// logRuled says which proposed rules the restore check had in.
func (r *run) logRuled() {
	if r.v == nil || r.v.Ruled == nil {
		return
	}
	var prims []string
	for _, rs := range r.v.Ruled.Rules {
		prims = append(prims, rs...)
	}
	slices.Sort(prims)
	prims = slices.Compact(prims)
	fmt.Fprintf(r.log, "teeth: restore check with %s in: %s\n", report.Plural(len(prims), "proposed rule"), strings.Join(prims, ", "))
}

// propose sets RuleProposal on every survived site of r: proposed from the
// evidence, with the patch to the gate, then proven together when asked.
func (p *proposer) propose(ctx context.Context, r *report.Report) error {
	var gates []initcfg.Gate
	var gateErr error
	loaded := false
	var proofs []rules.Proof
	var sites []*report.Site
	for i := range r.Sites {
		s := &r.Sites[i]
		if !rules.Candidate(*s) {
			continue
		}
		prop, err := rules.Decide(r, s.ID, p.r.want[s.ID])
		if err != nil {
			return err
		}
		if prop.Status != report.RuleNone {
			if !loaded {
				gates, gateErr = initcfg.Gates(ctx, p.r.c.Dir, p.r.c.HelperPython())
				loaded = true
			}
			p.patch(prop, gates, gateErr)
			if p.r.prove && prop.Status == report.RuleUnproven {
				fmt.Fprintf(p.r.log, "teeth: proving a rule for %s at %s\n", prop.Primitive, s.ID)
				idx := slices.IndexFunc(p.r.plan.Sites, func(site mutate.Site) bool { return site.ID == s.ID })
				proofs = append(proofs, rules.Proof{Prop: prop, Site: idx})
			}
		}
		s.RuleProposal = prop
		sites = append(sites, s)
	}
	if len(proofs) > 0 {
		pr := &rules.Prover{Session: p.r.sess, Baseline: p.r.v.Baseline,
			Log: func(format string, args ...any) { fmt.Fprintf(p.r.log, format+"\n", args...) }}
		err := pr.ProveAll(ctx, proofs)
		p.runs = pr.Runs
		if err != nil {
			return err
		}
	}
	for _, s := range sites {
		prop := s.RuleProposal
		if prop.Status == report.RuleRefuted {
			prop.Patch, prop.Snippet, prop.SnippetWhy = "", "", "" // nothing to apply
		}
		prop.Commit = rules.CommitMessage(prop, *s, firstBlocked(r, s.ID, prop.Anchors))
	}
	return nil
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
