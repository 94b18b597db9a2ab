package main

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/teethtool/teeth/mutate"
	"github.com/teethtool/teeth/report"
	"github.com/teethtool/teeth/runner"
)

// builder turns a verify run's raw results into the report.
type builder struct {
	c       *config
	sites   []mutate.Site
	ms      *mutantSet
	v       *runner.Verified
	project string
	gateOff map[string]bool
	only    []string // site ids selected with --site; empty selects all
}

// build assembles the report. With --site, it holds only the selected sites
// and the anchors that reach them.
func build(c *config, plan *runner.Plan, disc *mutate.Result, ms *mutantSet, v *runner.Verified, project string, only []string, elapsed time.Duration) *report.Report {
	b := &builder{c: c, sites: plan.Sites, ms: ms, v: v, project: project, gateOff: map[string]bool{}, only: only}
	r := &report.Report{
		SchemaVersion: report.SchemaVersion, Tool: "teeth", Version: version,
		Project: c.Dir, Command: c.Command,
		Anchors: []report.Anchor{}, Sites: []report.Site{}, Wrappers: []report.Wrapper{}, SkippedFiles: []report.FileError{},
	}
	for _, w := range disc.Wrappers {
		r.Wrappers = append(r.Wrappers, report.Wrapper{Name: w.Name, Path: w.Path, Line: w.Line})
	}
	for _, fe := range disc.Errors {
		r.SkippedFiles = append(r.SkippedFiles, report.FileError{Path: fe.Path, Line: fe.Line, Msg: fe.Msg})
	}
	for _, it := range v.Baseline.Items {
		b.gateOff[it.NodeID] = it.GateOff
	}
	for _, it := range v.Baseline.Items {
		if b.selectedAnchor(it.NodeID) {
			r.Anchors = append(r.Anchors, b.anchor(it))
		}
	}
	for i, s := range b.sites {
		if b.selected(s.ID) {
			r.Sites = append(r.Sites, b.site(i))
		}
	}
	r.Summary = b.summary(r, elapsed)
	return r
}

func (b *builder) selected(id string) bool {
	return len(b.only) == 0 || slices.Contains(b.only, id)
}

func (b *builder) selectedAnchor(nodeid string) bool {
	if len(b.only) == 0 {
		return true
	}
	if t := b.v.Baseline.Tests[nodeid]; t != nil {
		for _, s := range t.Sites {
			if b.selected(b.sites[s].ID) {
				return true
			}
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
		Baseline: runRecord(t, b.v.Baseline.ExitCode), Sites: []string{}, Mutants: []report.Evidence{},
	}
	for _, s := range t.Sites {
		a.Sites = append(a.Sites, b.sites[s].ID)
	}
	facts := report.Facts{
		Baseline: t.Outcome, Excerpt: t.Excerpt, GateOff: it.GateOff, SelfTest: it.SelfTest,
		Sites: len(t.Sites), Outcomes: map[string][]string{},
	}
	for _, o := range b.v.Outcomes {
		if o.Anchor != it.NodeID {
			continue
		}
		ev := b.evidence(o)
		a.Mutants = append(a.Mutants, ev)
		facts.Outcomes[o.Outcome] = append(facts.Outcomes[o.Outcome], ev.Site)
		if ev.Retry != nil && ev.Retry.Outcome != "passed" && facts.Flaky == "" {
			facts.Flaky = fmt.Sprintf("the mutant of %s survived, then went %s on a re-run", ev.Site, ev.Retry.Outcome)
		}
	}
	if b.v.Restore != nil && len(a.Mutants) > 0 {
		rt := b.v.Restore.Tests[it.NodeID]
		if rt == nil {
			rt = &runner.Test{NodeID: it.NodeID, Outcome: "not-run", Excerpt: "the restore run did not reach this test"}
		}
		rr := runRecord(rt, b.v.Restore.ExitCode)
		a.Restore = &rr
		if rt.Outcome != "passed" && facts.Flaky == "" {
			facts.Flaky = fmt.Sprintf("green at baseline, %s on the restore run: %s", rt.Outcome, firstLine(rt.Excerpt))
		}
	}
	a.Verdict, a.Reason = report.Decide(facts)
	return a
}

func (b *builder) evidence(o runner.Outcome) report.Evidence {
	s := b.sites[o.Site]
	ev := report.Evidence{
		Site: s.ID, Outcome: o.Outcome, Run: runRecord(o.Test, o.Code), Diff: b.ms.diffs[s.ID],
		Reproduce: fmt.Sprintf("teeth verify --site %s --anchors %s %s", quote(s.ID), quote(o.Anchor), quote(b.project)),
	}
	if o.Retry != nil {
		rr := runRecord(o.Retry, o.Code)
		ev.Retry = &rr
	}
	return ev
}

func (b *builder) site(i int) report.Site {
	s := b.sites[i]
	rs := report.Site{
		ID: s.ID, Path: s.Path, Line: s.Line, Function: s.Function, Callee: s.Callee,
		Offload: s.Offload, Shape: s.Shape, Anchors: []string{}, Invalid: b.ms.invalid[s.ID], Diff: b.ms.diffs[s.ID],
	}
	for _, id := range b.v.Baseline.Order {
		for _, x := range b.v.Reached[id] {
			if x == i && !b.gateOff[id] {
				rs.Anchors = append(rs.Anchors, id)
			}
		}
	}
	counts := map[string]int{}
	for _, o := range b.v.Outcomes {
		if o.Site == i && !b.gateOff[o.Anchor] {
			counts[o.Outcome]++
		}
	}
	rs.Verdict = report.DecideSite(rs.Invalid != "", len(rs.Anchors), counts)
	return rs
}

func (b *builder) summary(r *report.Report, elapsed time.Duration) report.Summary {
	s := report.Summary{
		Anchors: len(r.Anchors), Sites: len(r.Sites), PytestRuns: b.v.Runs,
		AnchorVerdicts: map[string]int{}, SiteVerdicts: map[string]int{},
		DurationS: round3(elapsed.Seconds()),
		WarmRuns:  b.v.Warm, FreshRuns: b.v.Fresh, Fallbacks: b.v.Fallback,
	}
	mutated := map[int]bool{}
	for _, o := range b.v.Outcomes {
		mutated[o.Site] = true
	}
	s.Mutants = len(mutated)
	if secs := elapsed.Seconds(); secs > 0 {
		s.MutantsPerS = round3(float64(s.Mutants) / secs)
	}
	for _, a := range r.Anchors {
		s.AnchorVerdicts[a.Verdict]++
		s.Failed = s.Failed || report.Fails(a, b.c.FailOn)
	}
	for _, st := range r.Sites {
		s.SiteVerdicts[st.Verdict]++
	}
	return s
}

func runRecord(t *runner.Test, code int) report.Run {
	if t == nil {
		return report.Run{Outcome: "not-run", ExitCode: code, Detector: []string{}}
	}
	det := t.Detector
	if det == nil {
		det = []string{}
	}
	return report.Run{Outcome: t.Outcome, ExitCode: code, DurationS: round3(t.Wall), Detector: det, Excerpt: t.Excerpt}
}

func round3(f float64) float64 { return float64(int64(f*1000+0.5)) / 1000 }

func firstLine(s string) string {
	s, _, _ = strings.Cut(strings.TrimSpace(s), "\n")
	return s
}

// quote quotes s for a POSIX shell when it needs it.
func quote(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-./:=@,+") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
