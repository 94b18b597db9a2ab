package rules

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"

	"github.com/teethtool/teeth/report"
	"github.com/teethtool/teeth/runner"
)

// Prover proves rule proposals on the verify run's own workers
// (runner.Session: their sandboxes, warm processes and baseline), whose
// gates take the rules (runner.Spec.Rules).
type Prover struct {
	// Session runs the proofs; Baseline is the verify run's baseline: which
	// anchors were green with the gate on (those whose run with the rules
	// can reveal collateral).
	Session  *runner.Session
	Baseline *runner.Result
	// Runs counts the pytest processes and forked children the proofs ran.
	Runs int
	// Log, when set, is told what the proofs run.
	Log func(format string, args ...any)
}

// Proof is one proposal to prove and its site, an index into the plan's sites.
type Proof struct {
	Prop *report.RuleProposal
	Site int
}

// ProveAll proves the unproven proposals: first each one's anchors with its
// rule in and its site's mutant written into the sandbox (they must go red
// with the detector naming the primitive), on the workers in parallel.
// Then the unmutated suite, every anchor green at baseline with the gate
// on, with every proposal's rule in at once: each proposal's anchors must
// stay green there, and every other anchor in which its rule fires (the
// detector's message names the primitive) is its collateral. That run is
// the restore check's when the restore ran with the rules in
// (runner.Plan.RestoreRules); the anchors it did not cover, and rules it
// did not have, run now. An anchor that failed on another proposal's rule
// alone may have stopped before this one's could fire: it runs again with
// this rule alone. It sets each proposal's status, reason and runs; an
// error is a harness failure.
func (p *Prover) ProveAll(ctx context.Context, proofs []Proof) error {
	defer func() { p.Runs = p.Session.RuleRuns() }()
	var todo []Proof
	var prims []string
	for _, pf := range proofs {
		if pf.Prop.Status == report.RuleUnproven {
			todo = append(todo, pf)
			if !slices.Contains(prims, pf.Prop.Primitive) {
				prims = append(prims, pf.Prop.Primitive)
			}
		}
	}
	if len(todo) == 0 {
		return nil
	}
	reds, err := p.reds(ctx, todo)
	if err != nil {
		return err
	}
	green := p.green()
	plain, err := p.plain(ctx, green, prims)
	if err != nil {
		return err
	}
	alone := map[string]map[string]*runner.Test{}
	for i, pf := range todo {
		prim := pf.Prop.Primitive
		if alone[prim] == nil {
			if alone[prim], err = p.alone(ctx, plain[prim], green, prim, prims); err != nil {
				return err
			}
		}
		judge(pf.Prop, reds[i], plain[prim], alone[prim], green)
	}
	return nil
}

// plain is, for each primitive, the run of the green anchors, unmutated,
// with its rule in: the restore run where it had that rule in for the
// anchor (runner.Plan.RestoreRules), else a run now, one per set of rules
// the restore runs left out (usually one: the anchors it did not cover,
// with every rule).
func (p *Prover) plain(ctx context.Context, green, prims []string) (map[string]*runner.Result, error) {
	ruled := p.Session.Ruled()
	had := func(id, prim string) bool { return ruled != nil && slices.Contains(ruled.Rules[id], prim) }
	groups := missedBy(green, prims, had)
	for _, g := range groups {
		p.log("teeth: rule proofs: %s unmutated with %s in", report.Plural(len(g.anchors), "green anchor"), report.Plural(len(g.rules), "rule"))
		var err error
		if g.res, err = p.Session.PlainWithRules(ctx, g.anchors, g.rules); err != nil {
			return nil, err
		}
	}
	out := map[string]*runner.Result{}
	for _, prim := range prims {
		res := &runner.Result{Tests: map[string]*runner.Test{}}
		from := func(r *runner.Result, id string) {
			res.ExitCode, res.TimedOut = max(res.ExitCode, r.ExitCode), res.TimedOut || r.TimedOut
			if r.Running != "" {
				res.Running = r.Running
			}
			if t := r.Tests[id]; t != nil {
				res.Tests[id] = t
			}
		}
		for _, g := range groups {
			if slices.Contains(g.rules, prim) {
				for _, id := range g.anchors {
					from(g.res, id)
				}
			}
		}
		for _, id := range green {
			if had(id, prim) {
				from(ruled.Result, id)
			}
		}
		out[prim] = res
	}
	return out, nil
}

// missed is a set of rules the restore runs left out for some anchors, and
// the run of those anchors with them in.
type missed struct {
	rules, anchors []string
	res            *runner.Result
}

// missedBy groups the anchors by the rules of prims their restore run did
// not have, in the order the anchors come; anchors that had every rule are
// in no group.
func missedBy(anchors, prims []string, had func(id, prim string) bool) []*missed {
	var groups []*missed
	byRules := map[string]*missed{}
	for _, id := range anchors {
		var miss []string
		for _, prim := range prims {
			if !had(id, prim) {
				miss = append(miss, prim)
			}
		}
		if len(miss) == 0 {
			continue
		}
		k := strings.Join(miss, "\x00")
		if byRules[k] == nil {
			byRules[k] = &missed{rules: miss}
			groups = append(groups, byRules[k])
		}
		byRules[k].anchors = append(byRules[k].anchors, id)
	}
	return groups
}

func (p *Prover) log(format string, args ...any) {
	if p.Log != nil {
		p.Log(format, args...)
	}
}

// reds runs each proof's anchors against its site's mutant with its rule
// in, on the workers in parallel.
func (p *Prover) reds(ctx context.Context, todo []Proof) ([]*runner.Result, error) {
	out := make([]*runner.Result, len(todo))
	errs := make([]error, len(todo))
	var wg sync.WaitGroup
	for i, pf := range todo {
		wg.Add(1)
		go func() {
			defer wg.Done()
			out[i], errs[i] = p.Session.MutantWithRules(ctx, pf.Site, pf.Prop.Anchors, []string{pf.Prop.Primitive})
		}()
	}
	wg.Wait()
	return out, errors.Join(errs...)
}

// alone is the plain run's tests as prim's rule alone would have them: an
// anchor that failed on another rule without prim's firing runs again with
// prim's rule only.
func (p *Prover) alone(ctx context.Context, plain *runner.Result, anchors []string, prim string, prims []string) (map[string]*runner.Test, error) {
	tests := maps.Clone(plain.Tests)
	var again []string
	for _, id := range anchors {
		t := tests[id]
		if t != nil && t.Outcome == "failed" && !fires(t.Detector, prim) && slices.ContainsFunc(prims, func(o string) bool { return o != prim && fires(t.Detector, o) }) {
			again = append(again, id)
		}
	}
	if len(again) == 0 {
		return tests, nil
	}
	p.log("teeth: rule proofs: %s failed on another rule: again with %s alone", report.Plural(len(again), "anchor"), prim)
	res, err := p.Session.PlainWithRules(ctx, again, []string{prim})
	if err != nil {
		return nil, err
	}
	for _, id := range again {
		tests[id] = res.Tests[id]
	}
	return tests, nil
}

// judge sets a proposal's runs, collateral, status and reason from its red
// run and the tests of the run of the green anchors with its rule in and no
// mutant.
func judge(prop *report.RuleProposal, red, suite *runner.Result, tests map[string]*runner.Test, green []string) {
	prim := prop.Primitive
	plain := *suite
	plain.Tests = tests
	prop.Detector = detectorVersion(red)
	prop.Red = runs(red, prop.Anchors, prim)
	prop.Green = runs(&plain, prop.Anchors, prim)
	prop.SuiteAnchors = len(green)
	for _, id := range green {
		if t := tests[id]; t != nil && !slices.Contains(prop.Anchors, id) && fires(t.Detector, prim) {
			prop.Collateral = append(prop.Collateral, ruleRun(id, t, &plain, prim))
		}
	}
	prop.Status, prop.Reason = verdict(prop, red)
}

// green are the anchors that passed at baseline with the gate on, in the
// baseline's order: those a rule's run can tell collateral in.
func (p *Prover) green() []string {
	var out []string
	for _, it := range p.Baseline.Items {
		if off, _ := p.Baseline.GateOff(it); !off && p.Baseline.Tests[it.NodeID] != nil && p.Baseline.Tests[it.NodeID].Outcome == "passed" {
			out = append(out, it.NodeID)
		}
	}
	return out
}

// runs are the anchors' runs in res.
func runs(res *runner.Result, anchors []string, prim string) []report.RuleRun {
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
func fires(detector []string, prim string) bool { return report.Fires(detector, prim) }

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
	return "with the rule in and the offload removed, every anchor stays green and the rule never fires: " + notFired(prop)
}

// notFired says why a rule the gate took never fired, from how the call
// named the primitive (the proposal's Via), and names the rule that would
// catch it, or says that none can.
func notFired(prop *report.RuleProposal) string {
	prim, v := prop.Primitive, prop.Via
	if v == nil {
		return fmt.Sprintf("the call reaches %s through a name the rule does not patch (the evidence does not say which: an outcome from an older teeth's cache? teeth rule SITE-ID records it)", prim)
	}
	at := ""
	if v.At != "" {
		at = " at " + v.At
	}
	switch v.Kind {
	case report.ViaFromImport, report.ViaGlobal:
		bound := "a module global"
		if v.Statement != "" {
			bound = "`" + v.Statement + "`"
		}
		if v.ImportAt != "" {
			bound += " at " + v.ImportAt
		}
		s := fmt.Sprintf("the call%s reaches %s through the name %s, bound by %s before the gate activates; a rule on %s replaces the attribute of its module, not that name",
			at, prim, v.Name, bound, prim)
		if v.Module != "" {
			s += fmt.Sprintf(". A rule on the name in %s would: BlockBusterFunction(None, %q, ...) (%s imported before the gate is built); or call it as %s", v.Module, v.Module+"."+v.Name, v.Module, prim)
		}
		return s
	case report.ViaLocal:
		return fmt.Sprintf("the call%s reaches %s through the local name %s, which holds the function itself: no rule can replace a local name; call it through its module (%s)", at, prim, v.Name, prim)
	case report.ViaCompiled:
		return fmt.Sprintf("the call%s comes from compiled code, which calls the C function directly: no rule on a Python name can catch it", at)
	case report.ViaAttribute, report.ViaBuiltin:
		return fmt.Sprintf("the call%s names %s, the name the rule replaces, yet the rule never fired: the detector let it through there (its can_block_in exemptions or its predicate), or no frame of the scanned modules was on the stack", at, v.Name)
	}
	return fmt.Sprintf("the call%s reaches %s through %s, a name the rule does not replace", at, prim, orWords(v.Name, "a name teeth could not read"))
}

func orWords(s, alt string) string {
	if s == "" {
		return alt
	}
	return s
}
