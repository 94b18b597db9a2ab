package rules

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/teethtool/teeth/report"
	"github.com/teethtool/teeth/runner"
)

// Prover runs rule proofs in a sandbox copy of the project of its own, in
// fresh pytest processes whose gates take the rule (runner.Spec.Rules).
type Prover struct {
	// Suite are the pytest arguments that select the whole anchor suite.
	Suite []string
	// Baseline is the verify run's baseline: where each anchor's test file
	// is, and which anchors were green with the gate on (those whose run
	// with the rule can reveal collateral).
	Baseline *runner.Result
	// Limit is the time limit of a run of these anchors; SuiteLimit that of
	// the whole suite.
	Limit      func(anchors []string) time.Duration
	SuiteLimit time.Duration
	// Runs counts the pytest processes the proofs ran.
	Runs int

	worker *runner.Worker
	suites map[string]*runner.Result // the suite run with each primitive's rule
}

// NewProver copies the project into a sandbox under tmp for the proofs;
// tree holds the project's odd entries (runner.ScanTree), or is nil.
func NewProver(env *runner.Env, tree *runner.Tree, tmp string) (*Prover, error) {
	dir := filepath.Join(tmp, "rules")
	sb, err := runner.NewSandbox(env.Original, filepath.Join(dir, "project"), tmp, tree)
	if err != nil {
		return nil, err
	}
	return &Prover{worker: runner.NewWorker(0, sb, env, dir), suites: map[string]*runner.Result{}}, nil
}

// Prove runs the proof of an unproven proposal: its anchors with the rule in
// and the site's mutant written into the sandbox (they must go red with the
// detector naming the primitive), then the whole anchor suite with the rule
// in and no mutant (the proposal's anchors must stay green; any other anchor
// in which the rule fires is collateral). It sets the proposal's status,
// reason and runs; an error is a harness failure.
func (p *Prover) Prove(ctx context.Context, prop *report.RuleProposal, path string, original, mutant []byte) error {
	if prop.Status != report.RuleUnproven {
		return nil
	}
	prim := prop.Primitive
	sb := p.worker.Sandbox
	if err := sb.Write(path, mutant); err != nil {
		return err
	}
	red, rerr := p.run(ctx, prop.Anchors, prim, p.Limit(prop.Anchors))
	if err := sb.Restore(path, original); err != nil {
		return err
	}
	if rerr != nil {
		return rerr
	}
	suite := p.suites[prim]
	if suite == nil {
		var err error
		if suite, err = p.run(ctx, nil, prim, p.SuiteLimit); err != nil {
			return err
		}
		p.suites[prim] = suite
	}
	prop.Detector = detectorVersion(red)
	prop.Red = p.runs(red, prop.Anchors, prim)
	prop.Green = p.runs(suite, prop.Anchors, prim)
	prop.SuiteAnchors = len(suite.Tests)
	green := p.green()
	for _, id := range suite.Order {
		t := suite.Tests[id]
		if green[id] && !slices.Contains(prop.Anchors, id) && fires(t.Detector, prim) {
			prop.Collateral = append(prop.Collateral, ruleRun(id, t, suite, prim))
		}
	}
	prop.Status, prop.Reason = verdict(prop, red)
	return nil
}

// run runs anchors (nil: the whole suite) with the rule for prim in.
func (p *Prover) run(ctx context.Context, anchors []string, prim string, limit time.Duration) (*runner.Result, error) {
	spec := runner.Spec{Args: p.Suite, Timeout: limit, Rules: []string{prim}}
	if anchors != nil {
		spec.Args, spec.Select = p.Baseline.Files(anchors), anchors
	}
	p.Runs++
	return p.worker.Run(ctx, spec)
}

// green are the anchors that passed at baseline with the gate on.
func (p *Prover) green() map[string]bool {
	out := map[string]bool{}
	for _, it := range p.Baseline.Items {
		if off, _ := p.Baseline.GateOff(it); !off && p.Baseline.Tests[it.NodeID] != nil && p.Baseline.Tests[it.NodeID].Outcome == "passed" {
			out[it.NodeID] = true
		}
	}
	return out
}

// runs are the anchors' runs in res.
func (p *Prover) runs(res *runner.Result, anchors []string, prim string) []report.RuleRun {
	out := make([]report.RuleRun, 0, len(anchors))
	for _, a := range anchors {
		out = append(out, ruleRun(a, res.Tests[a], res, prim))
	}
	return out
}

func ruleRun(anchor string, t *runner.Test, res *runner.Result, prim string) report.RuleRun {
	if t == nil {
		out, why := "error", fmt.Sprintf("the test did not run (pytest exit code %d)", res.ExitCode)
		if res.TimedOut && res.Running == anchor {
			out, why = "timeout", "killed on its time limit"
		}
		return report.RuleRun{Anchor: anchor, Outcome: out, Run: report.Run{Outcome: out, ExitCode: res.ExitCode, Detector: []string{}, Excerpt: why}}
	}
	run := t.Record(res.ExitCode)
	fired := fires(t.Detector, prim)
	out := "error"
	switch {
	case t.Outcome == "failed" && fired:
		out = report.RuleRed
	case t.Outcome == "failed":
		out = report.RuleRedOther
	case t.Outcome == "passed" && fired:
		out = report.RuleSwallowed
	case t.Outcome == "passed":
		out = report.RuleGreen
	}
	return report.RuleRun{Anchor: anchor, Outcome: out, Run: run}
}

// fires reports whether a detector message names the primitive: Blockbuster
// says "Blocking call to os.fsync".
func fires(detector []string, prim string) bool {
	return slices.ContainsFunc(detector, func(d string) bool { return d == prim || strings.HasSuffix(d, " "+prim) })
}

func detectorVersion(res *runner.Result) string {
	var names []string
	for name, v := range res.Versions {
		names = append(names, name+" "+v)
	}
	slices.Sort(names)
	return strings.Join(names, ", ")
}

// verdict decides a proven or refuted proposal from its runs.
func verdict(prop *report.RuleProposal, red *runner.Result) (string, string) {
	prim := prop.Primitive
	took, refusal := false, ""
	for _, r := range red.Rules {
		if r.Name == prim && r.Error == "" {
			took = true
		} else if r.Name == prim {
			refusal = r.Error
		}
	}
	if !took && refusal != "" {
		return report.RuleRefuted, fmt.Sprintf("the detector cannot take a rule for %s: %s", prim, refusal)
	}
	if !took {
		return report.RuleRefuted, fmt.Sprintf("no gate took the rule for %s: the gate already has an entry of that name, or the run built no BlockBuster", prim)
	}
	i := slices.IndexFunc(prop.Red, func(r report.RuleRun) bool { return r.Outcome == report.RuleRed })
	if i < 0 {
		return report.RuleRefuted, notRed(prop)
	}
	for _, g := range prop.Green {
		switch g.Outcome {
		case report.RuleGreen:
		case report.RuleRed, report.RuleSwallowed:
			return report.RuleRefuted, fmt.Sprintf("with the offload restored, the rule still fires in %s (%s): %s also runs on the loop outside the offloaded call",
				g.Anchor, report.RuleRunBrief(g), prim)
		default:
			return report.RuleRefuted, fmt.Sprintf("with the offload restored and the rule in, %s is not green: %s", g.Anchor, report.RuleRunBrief(g))
		}
	}
	r := prop.Red[i]
	return report.RuleProven, fmt.Sprintf("with the rule in and the offload removed, %s fails (%s); with the offload restored it passes",
		r.Anchor, report.RuleRunBrief(r))
}

// notRed says why no anchor went red with the rule and the mutant.
func notRed(prop *report.RuleProposal) string {
	for _, r := range prop.Red {
		if r.Outcome == report.RuleSwallowed {
			return fmt.Sprintf("the rule fires (%s), but production code swallows the detector's exception and %s stays green",
				report.RuleRunBrief(r), r.Anchor)
		}
	}
	for _, r := range prop.Red {
		if r.Outcome == report.RuleRedOther || r.Outcome == "timeout" || r.Outcome == "error" {
			return fmt.Sprintf("with the rule in and the offload removed, %s is red without the rule firing: %s", r.Anchor, report.RuleRunBrief(r))
		}
	}
	bound := "a name bound before the gate activates"
	if mod, name, ok := strings.Cut(prop.Primitive, "."); ok && !strings.Contains(name, ".") {
		bound += fmt.Sprintf(" (from %s import %s)", mod, name)
	}
	return fmt.Sprintf("with the rule in and the offload removed, every anchor stays green and the rule never fires: the call reaches %s through %s, which a rule on the attribute cannot patch; call it through its module",
		prop.Primitive, bound)
}
