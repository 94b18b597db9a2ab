package runner

import (
	"context"
	"fmt"
	"os"
	"path"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/teethtool/teeth/internal/hint"
	"github.com/teethtool/teeth/mutate"
	"github.com/teethtool/teeth/report"
)

type mutantRunner struct {
	plan *Plan
	v    *Verified // Runs, Warm, Fresh and Fallback are counted here, under mu

	mu       sync.Mutex
	base     *Result            // the whole baseline, once it is done
	walls    map[string]float64 // each test's baseline time, as soon as it finished
	baseRun  map[string]*Test   // each test's baseline run, as soon as it finished
	files    map[string]string  // each collected test's file
	overhead time.Duration
	proven   map[string]bool // anchors already killed by some mutant
}

func newMutantRunner(plan *Plan, v *Verified) *mutantRunner {
	return &mutantRunner{plan: plan, v: v, proven: map[string]bool{}, walls: map[string]float64{}, baseRun: map[string]*Test{}, files: map[string]string{}}
}

// startWarm starts every worker's warm process, collecting what args
// select; a worker whose warm process does not start stays fresh. The slowest
// start is the start-up overhead that fresh-process time limits allow for.
func (m *mutantRunner) startWarm(ctx context.Context, workers []*Worker, args []string) {
	var wg sync.WaitGroup
	for _, w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			start := time.Now()
			err := w.StartWarm(ctx, args, m.plan.BaselineTimeout)
			m.mu.Lock()
			defer m.mu.Unlock()
			m.overhead = max(m.overhead, time.Since(start))
			if err != nil {
				m.v.Fallback[err.Error()]++
			}
		}()
	}
	wg.Wait()
}

func (m *mutantRunner) fallback(reason string) {
	m.mu.Lock()
	m.v.Fallback[reason]++
	m.mu.Unlock()
}

func (m *mutantRunner) count(f func(v *Verified)) {
	m.mu.Lock()
	f(m.v)
	m.mu.Unlock()
}

// noteTest records a baseline test's time (for time limits) as soon as it finished.
func (m *mutantRunner) noteTest(t *Test) {
	m.mu.Lock()
	m.walls[t.NodeID], m.baseRun[t.NodeID] = t.Wall, t
	m.mu.Unlock()
}

// noteItems records the files of the collected tests.
func (m *mutantRunner) noteItems(items []Item) {
	m.mu.Lock()
	for _, it := range items {
		m.files[it.NodeID] = it.File
	}
	m.mu.Unlock()
}

// setBase takes the whole baseline: the report's, the cache's and the time
// limits' from now on.
func (m *mutantRunner) setBase(res *Result) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.base = res
	m.overhead = max(m.overhead, Overhead(res))
	for id, t := range res.Tests {
		m.walls[id], m.baseRun[id] = t.Wall, t
	}
	m.v.Baseline, m.v.Reached = res, reached(res)
	m.v.Reach = report.MergeReach(m.v.Reach, res.Reach)
}

// execute runs spec (against its mutant, if any) on w: forked from w's warm
// process when it has one and the mutant applies there, else in a fresh
// process; both load the mutant from its private file, so other runs share
// the sandbox meanwhile. A run whose module was imported past that (another
// import hook, a plugin loaded before teeth's) runs again with the mutant
// written into the sandbox, which it then has to itself. sl is told which
// process runs.
func (m *mutantRunner) execute(ctx context.Context, w *Worker, sl *slot, site int, spec Spec) (*Result, error) {
	spec.started, spec.slot = sl.run, sl
	defer sl.run(0)
	if w.hasWarm() {
		w.share.RLock()
		res, reason, err := w.runWarm(ctx, spec)
		w.share.RUnlock()
		if err != nil || (reason == "" && res.Unserved == "") {
			m.count(func(v *Verified) {
				v.Warm++
				if res != nil && res.Applied == "lazy" {
					v.Lazy++
				}
			})
			return res, err
		}
		if reason == "" {
			m.fallback(res.Unserved)
			m.count(func(v *Verified) { v.Fresh++ })
			return m.written(ctx, w, site, spec)
		}
		m.fallback(reason)
	}
	m.count(func(v *Verified) { v.Fresh++ })
	w.share.RLock()
	res, err := w.Run(ctx, spec)
	w.share.RUnlock()
	if err == nil && res.Unserved != "" && spec.mutant != nil {
		m.fallback(res.Unserved)
		return m.written(ctx, w, site, spec)
	}
	return res, err
}

// written runs spec in a fresh process with its mutant written into w's
// sandbox, which no other run uses meanwhile, and restores the file
// (checking its bytes) before any other run starts there.
func (m *mutantRunner) written(ctx context.Context, w *Worker, site int, spec Spec) (res *Result, err error) {
	s := m.plan.Sites[site]
	mut, err := os.ReadFile(spec.mutant.File)
	if err != nil {
		return nil, err
	}
	w.share.Lock()
	defer w.share.Unlock()
	if err := w.Sandbox.Write(s.Path, mut); err != nil {
		return nil, err
	}
	defer func() {
		if rerr := w.Sandbox.Restore(s.Path, m.plan.Sources[s.Path].Bytes); err == nil {
			err = rerr
		}
	}()
	spec.mutant = nil
	return w.Run(ctx, spec)
}

// plain runs anchors unmutated on w (the restore check), with extra
// detector rules when any: forked from its warm process, or in a fresh one.
func (m *mutantRunner) plain(ctx context.Context, w *Worker, sl *slot, anchors, rules []string) (*Result, error) {
	spec := Spec{Args: m.testFiles(anchors), Select: anchors, Timeout: m.limit(anchors), Rules: rules, started: sl.run, slot: sl}
	defer sl.run(0)
	m.count(func(v *Verified) { v.Runs++ })
	w.share.RLock()
	defer w.share.RUnlock()
	if w.hasWarm() {
		res, reason, err := w.runWarm(ctx, spec)
		if err != nil || reason == "" {
			return res, err
		}
		m.fallback(reason)
	}
	return w.Run(ctx, spec)
}

// order puts the anchors no mutant has killed yet first, each group fastest
// first, and returns how many must run before a kill may stop the run.
func (m *mutantRunner) order(anchors []string) ([]string, *int) {
	if m.plan.FullMatrix {
		return anchors, nil
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	var fresh, proven []string
	for _, a := range anchors {
		if m.proven[a] {
			proven = append(proven, a)
		} else {
			fresh = append(fresh, a)
		}
	}
	n := len(fresh)
	return append(fresh, proven...), &n
}

func (m *mutantRunner) prove(outs []Outcome) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, o := range outs {
		if o.Outcome == report.Killed {
			m.proven[o.Anchor] = true
		}
	}
}

// runJob takes what it can of one mutant's outcomes from the cache and runs
// the rest.
func (m *mutantRunner) runJob(ctx context.Context, w *Worker, sl *slot, j job) ([]Outcome, int, error) {
	cached, rest := m.fromCache(j)
	if len(rest) == 0 {
		return cached, 0, nil
	}
	outs, runs, err := m.runMutant(ctx, w, sl, job{site: j.site, anchors: rest})
	if m.plan.Store != nil {
		for _, o := range outs {
			m.plan.Store.Record(m.base, o)
		}
	}
	all := append(cached, outs...)
	slices.SortStableFunc(all, func(a, b Outcome) int {
		return slices.Index(j.anchors, a.Anchor) - slices.Index(j.anchors, b.Anchor)
	})
	return all, runs, err
}

// fromCache splits a job's anchors into outcomes the cache holds and anchors to run.
func (m *mutantRunner) fromCache(j job) (cached []Outcome, rest []string) {
	if m.plan.Store == nil {
		return nil, j.anchors
	}
	for _, a := range j.anchors {
		if o, ok := m.plan.Store.Lookup(m.base, j.site, a); ok {
			o.Site, o.Anchor, o.Cached = j.site, a, true
			cached = append(cached, o)
		} else {
			rest = append(rest, a)
		}
	}
	m.prove(cached)
	m.mu.Lock()
	m.v.Cached += len(cached)
	m.mu.Unlock()
	return cached, rest
}

// runMutant makes one mutant and writes it into a private file of w's
// scratch space (never into the sandbox other runs share), runs its anchors
// against it, and re-runs survivors once.
func (m *mutantRunner) runMutant(ctx context.Context, w *Worker, sl *slot, j job) (outs []Outcome, runs int, err error) {
	mf, call, err := m.writeMutant(w, j.site)
	if err != nil {
		return nil, 0, err
	}
	defer os.Remove(mf.File)
	watch := mutantLine(m.plan.Sites[j.site], call)
	outs, runs, err = m.runAnchors(ctx, w, sl, j.site, mf, watch, j.anchors, false)
	if err != nil {
		return outs, runs, err
	}
	n, err := m.rerun(ctx, w, sl, j.site, mf, watch, outs)
	return outs, runs + n, err
}

// writeMutant makes the mutant of site (an index into the plan's sites)
// and writes it into a private file of w's scratch space, never into the
// sandbox other runs share; the caller removes the file. call is the
// un-offloaded call.
func (m *mutantRunner) writeMutant(w *Worker, site int) (*mutantFile, mutate.Call, error) {
	s := m.plan.Sites[site]
	mut, call, err := s.Mutant(m.plan.Sources[s.Path])
	if err != nil {
		return nil, call, err
	}
	file := w.scratch(fmt.Sprintf("mutant%d%s", w.mutants.Add(1), path.Ext(s.Path)))
	if err := os.WriteFile(file, mut, 0o600); err != nil {
		return nil, call, err
	}
	return &mutantFile{Path: s.Path, File: file, Function: s.Function}, call, nil
}

// rerun runs every survivor once more, then again each pair whose runs
// disagree, until its runs settle or cannot (report.NeedsRerun), and
// settles each pair's outcome from the tally of its runs.
func (m *mutantRunner) rerun(ctx context.Context, w *Worker, sl *slot, site int, mf *mutantFile, watch SiteLine, outs []Outcome) (runs int, err error) {
	idx := map[string]int{}
	var again []string
	for i := range outs {
		outs[i].Tally = []string{outs[i].Outcome}
		idx[outs[i].Anchor] = i
		if outs[i].Outcome == report.Survived {
			again = append(again, outs[i].Anchor)
		}
	}
	for len(again) > 0 && err == nil {
		var more []Outcome
		var n int
		more, n, err = m.runAnchors(ctx, w, sl, site, mf, watch, again, true)
		runs += n
		again = nil
		for _, r := range more {
			o := &outs[idx[r.Anchor]]
			t := r.Test
			if t == nil {
				t = &Test{NodeID: r.Anchor, Outcome: r.Outcome}
			}
			if o.Retry == nil {
				o.Retry = t
			} else {
				o.Reruns = append(o.Reruns, t)
			}
			o.Tally = append(o.Tally, r.Outcome)
			if report.NeedsRerun(o.Tally) {
				again = append(again, r.Anchor)
			}
		}
	}
	for i := range outs {
		if len(outs[i].Tally) > 1 {
			outs[i].Outcome, _ = report.Settle(outs[i].Tally)
		} else {
			outs[i].Tally = nil
		}
	}
	return runs, err
}

// runAnchors runs the anchors against the mutant in place, watching its
// un-offloaded call. A process killed on its time limit marks the running
// test timeout and goes on with the tests it had not started.
func (m *mutantRunner) runAnchors(ctx context.Context, w *Worker, sl *slot, site int, mf *mutantFile, watch SiteLine, anchors []string, retry bool) ([]Outcome, int, error) {
	s := m.plan.Sites[site]
	var outs []Outcome
	runs := 0
	for len(anchors) > 0 {
		var stopAfter *int
		if !retry {
			anchors, stopAfter = m.order(anchors)
		}
		res, err := m.execute(ctx, w, sl, site, Spec{
			Args:      m.testFiles(anchors),
			Select:    anchors,
			Sites:     []SiteLine{watch},
			Timeout:   m.limit(anchors),
			StopAfter: stopAfter,
			mutant:    mf,
		})
		runs++
		if err != nil {
			return outs, runs, err
		}
		m.mu.Lock()
		m.v.Reach = report.MergeReach(m.v.Reach, res.Reach)
		m.mu.Unlock()
		if leaked(res, s.Path) {
			return outs, runs, hint.New("not-loaded: the mutant of "+s.Path+" was not the module the anchors imported",
				"an editable install or sys.path entry points at the checkout; list that package's directory in source_roots")
		}
		var rest []string
		for _, a := range anchors {
			switch t := res.Tests[a]; {
			case t != nil:
				outs = append(outs, Outcome{Site: site, Anchor: a, Outcome: classify(t, m.baselineOf(a)), Test: t, Code: res.ExitCode})
			case res.TimedOut && res.Running == a:
				outs = append(outs, Outcome{Site: site, Anchor: a, Outcome: report.Timeout, Code: res.ExitCode,
					Test: &Test{NodeID: a, Outcome: report.Timeout, Excerpt: fmt.Sprintf("killed after %s", m.limit(anchors).Round(time.Millisecond)), Hang: res.Hang}})
			case res.TimedOut && res.Running != "":
				rest = append(rest, a)
			case res.Stopped:
				// Already killed by an earlier anchor: stopped early, no outcome.
			default:
				outs = append(outs, Outcome{Site: site, Anchor: a, Outcome: report.Error, Code: res.ExitCode,
					Test: &Test{NodeID: a, Outcome: report.Error, Excerpt: harnessExcerpt(res)}})
			}
		}
		anchors = rest
	}
	m.prove(outs)
	return outs, runs, nil
}

func harnessExcerpt(res *Result) string {
	if len(res.CollectErrors) > 0 {
		return res.CollectErrors[0].Excerpt
	}
	if res.TimedOut {
		return "the pytest process hung before the test started"
	}
	return fmt.Sprintf("the test did not run (pytest exit code %d): %s", res.ExitCode, lastWords(res.Output))
}

func leaked(res *Result, path string) bool {
	for _, p := range res.Leaked {
		if p == path {
			return true
		}
	}
	return false
}

// baselineOf is the anchor's baseline run, nil while it has none.
func (m *mutantRunner) baselineOf(anchor string) *Test {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.baseRun[anchor]
}

// classify names the outcome of one finished test under a mutant; base is
// the test's baseline run. Only the detector exceptions the baseline did not
// raise count: one it raised too (a latent blocking call the code swallows)
// is not the mutant's doing.
func classify(t, base *Test) string {
	fired := newFirings(t, base) > 0
	switch {
	case t.Outcome == "failed" && fired:
		return report.Killed
	case t.Outcome == "failed":
		return report.KilledOther
	case t.Outcome == "passed" && fired:
		return report.Swallowed
	case t.Outcome == "passed" && len(t.Sites) > 0:
		return report.Survived
	case t.Outcome == "passed":
		return report.NotReached
	}
	return report.Error
}

// newFirings counts the detector exceptions of run t beyond those of its
// baseline run base: each (message, production frame) counts as often as t
// raised it more than base did, so that a mutant's call that blocks in the
// same frame as a latent one still counts.
func newFirings(t, base *Test) int {
	if base == nil || len(base.Detector) == 0 {
		return len(t.Detector)
	}
	left := map[[2]string]int{}
	for i, d := range base.Detector {
		left[[2]string{d, firingAt(base, i)}]++
	}
	n := 0
	for i, d := range t.Detector {
		k := [2]string{d, firingAt(t, i)}
		if left[k] > 0 {
			left[k]--
		} else {
			n++
		}
	}
	return n
}

// firingAt is where t's i-th detector exception was raised, "" when unknown.
func firingAt(t *Test, i int) string {
	if i < len(t.DetectorAt) {
		return t.DetectorAt[i]
	}
	return ""
}

// limit is the wall-clock budget of a process running these anchors, from
// their baseline times as their tests finished.
func (m *mutantRunner) limit(anchors []string) time.Duration {
	m.mu.Lock()
	defer m.mu.Unlock()
	var body float64
	for _, a := range anchors {
		body += m.walls[a]
	}
	return m.plan.timeLimit(body, m.overhead)
}

// TimeLimit is the wall-clock budget of a process running these anchors:
// twice the start-up overhead, each anchor's time in base times
// TimeoutFactor, plus TimeoutBase. It counts from the process's own start.
func (plan *Plan) TimeLimit(base *Result, overhead time.Duration, anchors []string) time.Duration {
	var body float64
	for _, a := range anchors {
		if t := base.Tests[a]; t != nil {
			body += t.Wall
		}
	}
	return plan.timeLimit(body, overhead)
}

func (plan *Plan) timeLimit(body float64, overhead time.Duration) time.Duration {
	scaled := time.Duration(min(body*plan.TimeoutFactor, maxLimit.Seconds()) * float64(time.Second))
	return 2*overhead + scaled + plan.TimeoutBase
}

// maxLimit caps the scaled part of a time limit far below time.Duration's overflow.
const maxLimit = 1000 * 24 * time.Hour

// testFiles returns the test files that hold the anchors, for pytest to collect.
func (m *mutantRunner) testFiles(anchors []string) []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	return filesOf(m.files, anchors)
}

// Files returns the test files that hold the anchors, as r collected them
// (the node id's file part for an anchor r does not know), for pytest to
// collect: each once, in the anchors' order.
func (r *Result) Files(anchors []string) []string {
	file := map[string]string{}
	for _, it := range r.Items {
		file[it.NodeID] = it.File
	}
	return filesOf(file, anchors)
}

// filesOf is each anchor's file (its node id's file part when file does not
// know it), each once, in the anchors' order.
func filesOf(file map[string]string, anchors []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, a := range anchors {
		f := file[a]
		if f == "" {
			f, _, _ = strings.Cut(a, "::")
		}
		if !seen[f] {
			seen[f] = true
			out = append(out, f)
		}
	}
	return out
}
