package report

import (
	"encoding/json"
	"fmt"
	"sort"
)

// Kinds of action that are not an anchor verdict or an audit finding kind.
const (
	ActionRule         = "rule"          // a proven detector rule to add to the gate
	ActionUnprovenRule = "unproven-rule" // a rule proposed from the evidence, not proven yet
)

// Action is one kind of finding that needs the team's action, with a
// one-line fix that applies to each of its items.
type Action struct {
	// Kind is an anchor verdict, an audit finding kind, ActionRule,
	// ActionUnprovenRule or Unguarded (sites no anchor reaches).
	Kind  string
	Title string // what the items are: "anchors that guard nothing (stale)"
	Fix   string // one line, the same for every item
	// Review marks findings that may be deliberate (an opt-out, a skip):
	// worth a look, not necessarily a change.
	Review bool
	// Fails says the items fail the run: anchor verdicts in its fail_on.
	Fails bool
	Items []ActionItem
}

// ActionItem is one finding of an Action.
type ActionItem struct {
	Anchor  string   // the anchor's node id, for a finding about an anchor
	Site    string   // the site's id, for a finding about a site
	Where   string   // "path:line" or "path:function", for a finding about code
	Detail  string   // one line
	Related []string // anchors, sites or names it relates to
}

// actionKinds is the order actions are listed in: what hurts most first.
// Kinds not listed follow, by name.
var actionKinds = []string{
	Broken, "latent", Swallowed, ActionRule, RuleCandidate, Timeout, RedOther, Flaky, Error,
	NoSite, "bypass", Unguarded, ActionUnprovenRule, "dangling", "static", "duplicate",
	GateOff, "skipped", "xfail", "deselected",
}

// actionText is the title and one-line fix of each known kind of action.
var actionText = map[string][2]string{
	Broken:             {"anchors not green at baseline", "make it pass at baseline (run it alone with pytest): until then it guards nothing"},
	"latent":           {"blocking calls the gate caught at baseline, swallowed", "offload the blocking call, or stop swallowing the detector's error where it is caught"},
	Swallowed:          {"anchors whose gate fired while the test passed", "let the detector's error through the except that catches it (re-raise it, or catch narrower)"},
	ActionRule:         {"proven detector rules to add", "add the rule to the gate in a commit of its own: teeth rule SITE-ID prints the patch and the message"},
	RuleCandidate:      {"anchors whose every site survived", "add a detector rule for what the call blocks in (teeth rule SITE-ID proposes and proves it), or drop an offload that does no blocking work"},
	Timeout:            {"anchors whose site hung the loop", "add a detector rule for what the call waits in, so that the gate fires instead of the loop hanging"},
	RedOther:           {"anchors red only through their own assertions", "let the gate fail the test: drop the thread or spy assertions that turn it red without the detector"},
	Flaky:              {"anchors whose runs disagree", "remove the timing dependence (a wait with a timeout, a racing thread), then run teeth again"},
	Error:              {"anchors the harness failed on", "reproduce with the command in the evidence and fix the error"},
	NoSite:             {"anchors that guard nothing (stale)", "make it call a production path that offloads, or delete it"},
	"bypass":           {"anchors that bypass the production offload", "await the production coroutine instead of offloading the call in the test"},
	Unguarded:          {"offload sites no anchor reaches", "extend the closest anchor (named at the site) or write one that reaches it"},
	ActionUnprovenRule: {"detector rules proposed, not proven", "prove it with teeth verify (without --no-prove-rules) or teeth rule SITE-ID"},
	"dangling":         {"anchors whose docstring names code that is gone", "update the docstring to name the code the anchor tests today"},
	"static":           {"static findings on async paths no anchor reaches", "write an anchor that drives the async path of the finding"},
	"duplicate":        {"anchors that reach exactly the same sites", "merge them, or make each reach a site the other does not"},
	GateOff:            {"anchors that opt out of the gate", "remove the opt-out marker unless the test must run without the gate"},
	"skipped":          {"skipped anchors", "unskip it, or delete it"},
	"xfail":            {"anchors marked xfail", "fix it and remove the xfail, or delete it"},
	"deselected":       {"anchors the pytest configuration deselects", "select it again, or delete it"},
}

// reviewKinds may be deliberate: an anchor that opts out on purpose, two
// anchors that test one path in two ways.
var reviewKinds = map[string]bool{GateOff: true, "skipped": true, "xfail": true, "deselected": true, "duplicate": true}

// notActions are audit finding kinds that need nothing: a gate self-test
// is meant to reach no site.
var notActions = map[string]bool{"self-test": true}

// Actions lists what in the report needs the team's action, by kind (see
// actionKinds for the order), each with its one-line fix: the anchors
// without teeth by verdict, with their reasons; the rule proposals, proven
// (to add) and unproven (to prove); the sites no anchor reaches, with the
// closest anchors; and every list of findings in the report's audit, whatever
// its kind, so that a kind added to the audit is listed without a change
// here. An anchor is listed once per kind; an anchor that reaches no site
// because it offloads the call itself is listed as a bypass only, and
// anchors teeth audit could not judge (unverified) not at all.
func Actions(r *Report) []Action {
	byKind := map[string]*Action{}
	add := func(kind string, it ActionItem) {
		a := byKind[kind]
		if a == nil {
			a = &Action{Kind: kind, Review: reviewKinds[kind]}
			a.Title, a.Fix = actionText[kind][0], actionText[kind][1]
			if a.Title == "" {
				a.Title = kind + " findings"
			}
			byKind[kind] = a
		}
		if it.Anchor != "" {
			for _, o := range a.Items {
				if o.Anchor == it.Anchor {
					return
				}
			}
		}
		a.Items = append(a.Items, it)
	}
	var audited []auditFinding
	bypass := map[string]bool{}
	if r.Audit != nil {
		if data, err := json.Marshal(r.Audit); err == nil {
			audited = auditFindings(data)
		}
	}
	for _, f := range audited {
		if f.kind == "bypass" {
			bypass[f.Anchor] = true
		}
	}
	for _, an := range r.Anchors {
		switch {
		case an.Verdict == Teeth || an.Verdict == GateOff || an.Verdict == Unverified:
			continue // teeth, an opt-out (the audit lists it), or no mutant run (teeth audit)
		case an.Verdict == NoSite && (an.SelfTest || bypass[an.NodeID]):
			continue // a gate self-test, or a bypass (listed as one)
		}
		add(an.Verdict, ActionItem{Anchor: an.NodeID, Detail: an.Reason})
	}
	for _, s := range r.Sites {
		switch {
		case s.RuleProposal != nil && s.RuleProposal.Status == RuleProven:
			p := s.RuleProposal
			add(ActionRule, ActionItem{Site: s.ID, Detail: ruleWhere(p), Related: p.Anchors})
		case s.RuleProposal != nil && s.RuleProposal.Status == RuleUnproven:
			add(ActionUnprovenRule, ActionItem{Site: s.ID, Detail: "rule for " + s.RuleProposal.Primitive + " proposed from the evidence", Related: s.RuleProposal.Anchors})
		case s.Verdict == Unguarded:
			it := ActionItem{Site: s.ID, Detail: fmt.Sprintf("line %d in %s", s.Line, s.Function)}
			for _, n := range Closest(r, s) {
				it.Related = append(it.Related, n.Anchor)
			}
			add(Unguarded, it)
		}
	}
	for _, f := range audited {
		if f.kind != "unguarded" { // the sites above, with their closest anchors
			add(f.kind, f.ActionItem)
		}
	}
	failOn := r.FailOn
	if failOn == nil {
		failOn = DefaultFailOn
	}
	var kinds []string
	for k := range byKind {
		kinds = append(kinds, k)
	}
	rank := func(k string) int {
		for i, o := range actionKinds {
			if o == k {
				return i
			}
		}
		return len(actionKinds)
	}
	sort.Slice(kinds, func(i, j int) bool {
		ri, rj := rank(kinds[i]), rank(kinds[j])
		return ri < rj || (ri == rj && kinds[i] < kinds[j])
	})
	out := make([]Action, len(kinds))
	for i, k := range kinds {
		out[i] = *byKind[k]
		for _, v := range failOn {
			if v == k {
				out[i].Fails = true
			}
		}
	}
	return out
}

// ruleWhere is where a proven rule goes: "BlockBusterFunction(...) in the
// gate at tests/conftest.py:12".
func ruleWhere(p *RuleProposal) string {
	s := "rule for " + p.Primitive
	if p.Rule != "" {
		s = p.Rule
	}
	if p.Gate != "" {
		s += " in the gate at " + p.Gate
	}
	return s
}
