package main

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/teethtool/teeth/audit"
	"github.com/teethtool/teeth/mutate"
	"github.com/teethtool/teeth/report"
	"github.com/teethtool/teeth/runner"
)

// builder turns a verify run's raw results into the report's evidence;
// report.Finalize decides the verdicts from it.
type builder struct {
	sites   []mutate.Site
	ms      *mutantSet
	v       *runner.Verified
	project string
	sel     *selector
}

// build assembles the report of a run in mode "verify" or "audit".
func build(c *config, plan *runner.Plan, disc *mutate.Result, ms *mutantSet, v *runner.Verified, project string, sel *selector, mode string, a *audit.Report, elapsed time.Duration) *report.Report {
	b := &builder{sites: plan.Sites, ms: ms, v: v, project: project, sel: sel}
	r := &report.Report{
		SchemaVersion: report.SchemaVersion, Tool: "teeth", Version: version,
		Project: c.Dir, Command: c.Command, Shard: sel.shard.String(), FailOn: c.FailOn, Mode: mode, Audit: a,
		Anchors: []report.Anchor{}, Sites: []report.Site{}, Wrappers: []report.Wrapper{}, SkippedFiles: []report.FileError{},
		Summary: report.Summary{
			PytestRuns: v.Runs, DurationS: report.Round3(elapsed.Seconds()),
			WarmRuns: v.Warm, LazyRuns: v.Lazy, FreshRuns: v.Fresh, Fallbacks: v.Fallback, CachedOutcomes: v.Cached,
			Reach: v.Reach,
		},
	}
	for _, w := range disc.Wrappers {
		r.Wrappers = append(r.Wrappers, report.Wrapper{Name: w.Name, Path: w.Path, Line: w.Line})
	}
	for _, fe := range disc.Errors {
		r.SkippedFiles = append(r.SkippedFiles, report.FileError{Path: fe.Path, Line: fe.Line, Msg: fe.Msg})
	}
	gateOff := map[string]bool{}
	for _, it := range v.Baseline.Items {
		gateOff[it.NodeID] = it.GateOff
		if b.selectedAnchor(it.NodeID) {
			r.Anchors = append(r.Anchors, b.anchor(it))
		}
	}
	for i := range b.sites {
		if b.selectedSite(i) {
			r.Sites = append(r.Sites, b.site(i, gateOff))
		}
	}
	if sel.scope != nil {
		sc := sel.scope.Scope
		sc.LeftOut = fmt.Sprintf("%d of %d sites and %d of %d anchors are outside the change; calls from changed code into other files are not followed",
			len(b.sites)-len(r.Sites), len(b.sites), len(v.Baseline.Items)-len(r.Anchors), len(v.Baseline.Items))
		r.Scope = &sc
	}
	report.Finalize(r)
	return r
}

// selectedAnchor reports whether the anchor belongs in the report: with
// --site or --changed, only anchors touched by the change or meeting a
// selected site do.
func (b *builder) selectedAnchor(nodeid string) bool {
	if !b.sel.narrowed() || (b.sel.scope != nil && b.sel.scope.touched(nodeid)) {
		return true
	}
	if t := b.v.Baseline.Tests[nodeid]; t != nil {
		for _, s := range t.Sites {
			if b.sel.pair(b.sites[s].ID, nodeid) {
				return true
			}
		}
	}
	return false
}

// selectedSite reports whether the site belongs in the report.
func (b *builder) selectedSite(i int) bool {
	id := b.sites[i].ID
	if !b.sel.site(id) {
		return false
	}
	if b.sel.scope == nil || b.sel.scope.sites[id] {
		return true
	}
	for _, a := range b.v.Baseline.Order {
		if b.sel.scope.touched(a) && slices.Contains(b.v.Reached[a], i) {
			return true
		}
	}
	return false
}

func (b *builder) anchor(it runner.Item) report.Anchor {
	t := b.v.Baseline.Tests[it.NodeID]
	if t == nil {
		t = &runner.Test{NodeID: it.NodeID, Outcome: "not-run"}
	}
	a := report.Anchor{
		NodeID: it.NodeID, Path: it.Path, Line: it.Line, GateOff: it.GateOff, SelfTest: it.SelfTest,
		Baseline: t.Record(b.v.Baseline.ExitCode), Sites: []string{}, Mutants: []report.Evidence{},
	}
	for _, s := range t.Sites {
		a.Sites = append(a.Sites, b.sites[s].ID)
	}
	ranNow := false // met a mutant in this run, not only through the cache
	for _, o := range b.v.Outcomes {
		if o.Anchor == it.NodeID {
			a.Mutants = append(a.Mutants, b.evidence(o))
			ranNow = ranNow || !o.Cached
		}
	}
	if b.v.Restore != nil && ranNow {
		rt := b.v.Restore.Tests[it.NodeID]
		if rt == nil {
			rt = &runner.Test{NodeID: it.NodeID, Outcome: "not-run", Excerpt: "the restore run did not reach this test"}
		}
		rr := rt.Record(b.v.Restore.ExitCode)
		a.Restore = &rr
		for _, t := range b.v.RestoreReruns[it.NodeID] {
			a.RestoreReruns = append(a.RestoreReruns, t.Record(b.v.Restore.ExitCode))
		}
	}
	return a
}

func (b *builder) evidence(o runner.Outcome) report.Evidence {
	s := b.sites[o.Site]
	ev := report.Evidence{
		Site: s.ID, Outcome: o.Outcome, Run: o.Test.Record(o.Code), Cached: o.Cached, Diff: b.ms.diffs[s.ID],
		Reproduce: fmt.Sprintf("teeth verify --site %s --anchors %s %s", quote(s.ID), quote(o.Anchor), quote(b.project)),
	}
	if o.Retry != nil {
		rr := o.Retry.Record(o.Code)
		ev.Retry = &rr
	}
	for _, t := range o.Reruns {
		ev.Reruns = append(ev.Reruns, t.Record(o.Code))
	}
	ev.Tally = o.Tally
	return ev
}

// site is one site's record; its anchors are those with the gate on that reach it.
func (b *builder) site(i int, gateOff map[string]bool) report.Site {
	s := b.sites[i]
	rs := report.Site{
		ID: s.ID, Path: s.Path, Line: s.Line, Function: s.Function, Callee: s.Callee,
		Offload: s.Offload, Shape: s.Shape, Anchors: []string{}, Invalid: b.ms.invalid[s.ID], Diff: b.ms.diffs[s.ID],
	}
	for _, id := range b.v.Baseline.Order {
		for _, x := range b.v.Reached[id] {
			if x == i && !gateOff[id] {
				rs.Anchors = append(rs.Anchors, id)
			}
		}
	}
	return rs
}

// quote quotes s for a POSIX shell when it needs it.
func quote(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-./:=@,+") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
