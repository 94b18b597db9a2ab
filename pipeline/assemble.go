package pipeline

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/teethtool/teeth/report"
	"github.com/teethtool/teeth/runner"
)

// assemble turns the run's raw results into the report's evidence, in mode
// "verify" or "audit"; report.Finalize decides the verdicts from it.
func (r *run) assemble(mode string) *report.Report {
	c, v, sel := r.c, r.v, r.sel
	rep := &report.Report{
		SchemaVersion: report.SchemaVersion, Tool: "teeth", Version: r.o.Version,
		Project: c.Dir, Command: c.Command, Shard: sel.Shard.String(), Run: r.runID(), FailOn: c.FailOn, Mode: mode, Audit: r.aud, NoSite: noSite(c.NoSite),
		Anchors: []report.Anchor{}, Sites: []report.Site{}, Wrappers: []report.Wrapper{}, SkippedFiles: []report.FileError{},
		Summary: report.Summary{
			PytestRuns: v.Runs, DurationS: report.Round3(time.Since(r.start).Seconds()),
			WarmRuns: v.Warm, LazyRuns: v.Lazy, FreshRuns: v.Fresh, Fallbacks: v.Fallback, CachedOutcomes: v.Cached,
			Reach: v.Reach, RunsAtOnce: v.Overlap,
		},
	}
	for _, w := range r.disc.Wrappers {
		rep.Wrappers = append(rep.Wrappers, report.Wrapper{Name: w.Name, Path: w.Path, Line: w.Line})
	}
	for _, fe := range r.disc.Errors {
		rep.SkippedFiles = append(rep.SkippedFiles, report.FileError{Path: fe.Path, Line: fe.Line, Msg: fe.Msg})
	}
	allows := &report.Allowances{}
	for _, id := range v.Baseline.Order {
		allows.Add(v.Baseline.Tests[id].Allow)
	}
	if !allows.Empty() {
		rep.GateAllows = allows
	}
	gateOff := map[string]bool{}
	for _, it := range v.Baseline.Items {
		gateOff[it.NodeID], _ = v.Baseline.GateOff(it)
		if r.selectedAnchor(it.NodeID) {
			rep.Anchors = append(rep.Anchors, r.anchor(it))
		}
	}
	sites := r.plan.Sites
	for i := range sites {
		if r.selectedSite(i) {
			rep.Sites = append(rep.Sites, r.site(i, gateOff))
		}
	}
	if sel.Change != nil {
		sc := sel.Change.Scope
		sc.LeftOut = fmt.Sprintf("%d of %d sites and %d of %d anchors are outside the change; calls from changed code into other files are not followed",
			len(sites)-len(rep.Sites), len(sites), len(v.Baseline.Items)-len(rep.Anchors), len(v.Baseline.Items))
		rep.Scope = &sc
	}
	report.Finalize(rep)
	return rep
}

// noSite is the report's no_site policy: omitted for the default.
func noSite(policy string) string {
	if policy == report.NoSiteCount {
		return policy
	}
	return ""
}

// selectedAnchor reports whether the anchor belongs in the report: with
// --site or --changed, only anchors touched by the change or meeting a
// selected site do.
func (r *run) selectedAnchor(nodeid string) bool {
	sel := r.sel
	if !sel.Narrowed() || (sel.Change != nil && sel.Change.Touched(nodeid)) {
		return true
	}
	if t := r.v.Baseline.Tests[nodeid]; t != nil {
		for _, s := range t.Sites {
			if sel.Pair(r.plan.Sites[s].ID, nodeid) {
				return true
			}
		}
	}
	return false
}

// selectedSite reports whether the site belongs in the report.
func (r *run) selectedSite(i int) bool {
	id, sel := r.plan.Sites[i].ID, r.sel
	if !sel.Site(id) {
		return false
	}
	if sel.Change == nil || sel.Change.Has(id) {
		return true
	}
	for _, a := range r.v.Baseline.Order {
		if sel.Change.Touched(a) && slices.Contains(r.v.Reached[a], i) {
			return true
		}
	}
	return false
}

func (r *run) anchor(it runner.Item) report.Anchor {
	t := r.v.Baseline.Tests[it.NodeID]
	if t == nil {
		t = &runner.Test{NodeID: it.NodeID, Outcome: "not-run"}
	}
	off, observed := r.v.Baseline.GateOff(it)
	a := report.Anchor{
		NodeID: it.NodeID, Path: it.Path, Line: it.Line, GateOff: off, Gate: observed, OptOut: it.GateOff, SelfTest: it.SelfTest,
		Baseline: t.RecordAt(r.v.Baseline.ExitCode, r.start), Sites: []string{}, Mutants: []report.Evidence{},
	}
	for _, s := range t.Sites {
		a.Sites = append(a.Sites, r.plan.Sites[s].ID)
	}
	ranNow := false // met a mutant in this run, not only through the cache
	for _, o := range r.v.Outcomes {
		if o.Anchor == it.NodeID {
			a.Mutants = append(a.Mutants, r.evidence(o))
			ranNow = ranNow || !o.Cached
		}
	}
	if r.v.Restore != nil && ranNow {
		rt := r.v.Restore.Tests[it.NodeID]
		if rt == nil {
			rt = &runner.Test{NodeID: it.NodeID, Outcome: "not-run", Excerpt: "the restore run did not reach this test"}
		}
		rr := rt.RecordAt(r.v.Restore.ExitCode, r.start)
		a.Restore = &rr
		for _, t := range r.v.RestoreReruns[it.NodeID] {
			a.RestoreReruns = append(a.RestoreReruns, t.RecordAt(r.v.Restore.ExitCode, r.start))
		}
	}
	return a
}

func (r *run) evidence(o runner.Outcome) report.Evidence {
	s := r.plan.Sites[o.Site]
	record := func(t *runner.Test) report.Run {
		if o.Cached {
			return t.Record(o.Code) // run by another teeth run: its times are that run's
		}
		return t.RecordAt(o.Code, r.start)
	}
	ev := report.Evidence{
		Site: s.ID, Outcome: o.Outcome, Run: record(o.Test), Cached: o.Cached, Diff: r.ms.diff(o.Site),
		Reproduce: fmt.Sprintf("teeth verify --site %s --anchors %s %s", quote(s.ID), quote(o.Anchor), quote(r.o.Project)),
	}
	if o.Retry != nil {
		rr := record(o.Retry)
		ev.Retry = &rr
	}
	for _, t := range o.Reruns {
		ev.Reruns = append(ev.Reruns, record(t))
	}
	ev.Tally = o.Tally
	return ev
}

// site is one site's record; its anchors are those with the gate on that reach it.
func (r *run) site(i int, gateOff map[string]bool) report.Site {
	s := r.plan.Sites[i]
	rs := report.Site{
		ID: s.ID, Path: s.Path, Line: s.Line, Function: s.Function, Callee: s.Callee,
		Offload: s.Offload, Shape: s.Shape, Anchors: []string{}, Invalid: r.ms.invalid[s.ID], Diff: r.ms.diff(i),
	}
	for _, id := range r.v.Baseline.Order {
		for _, x := range r.v.Reached[id] {
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
