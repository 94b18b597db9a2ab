package runner

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/teethtool/teeth/internal/hint"
	"github.com/teethtool/teeth/report"
)

type mutantRunner struct {
	plan     *Plan
	base     *Result
	overhead time.Duration
	v        *Verified // Warm, Fresh and Fallback are counted here, under mu

	mu     sync.Mutex
	proven map[string]bool // anchors already killed by some mutant
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

// execute runs spec against the mutant of site: forked from w's warm process
// when it has one and the mutant applies in place, else in a fresh process.
func (m *mutantRunner) execute(ctx context.Context, w *Worker, site int, spec Spec) (*Result, error) {
	s := m.plan.Sites[site]
	if w.warm != nil {
		res, reason, err := w.runWarm(ctx, spec, s.Path, s.Function)
		if err != nil || reason == "" {
			m.mu.Lock()
			m.v.Warm++
			if res != nil && res.Applied == "lazy" {
				m.v.Lazy++
			}
			m.mu.Unlock()
			return res, err
		}
		m.fallback(reason)
	}
	m.mu.Lock()
	m.v.Fresh++
	m.mu.Unlock()
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

// runAll runs every job on the workers and returns the outcomes in job
// order, whatever the interleaving.
func (m *mutantRunner) runAll(ctx context.Context, workers []*Worker, jobs []job) ([]Outcome, int, error) {
	results := make([][]Outcome, len(jobs))
	runs := make([]int, len(workers))
	next := make(chan int)
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		done     int
		firstErr error
	)
	for _, w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				m.plan.running(jobs[i].site, true)
				outs, n, err := m.runJob(ctx, w, jobs[i])
				m.plan.running(jobs[i].site, false)
				mu.Lock()
				results[i], runs[w.Index] = outs, runs[w.Index]+n
				done++
				if err != nil && firstErr == nil {
					firstErr = err
				}
				m.plan.progress(done, len(jobs))
				mu.Unlock()
			}
		}()
	}
feed:
	for i := range jobs {
		mu.Lock()
		stop := firstErr != nil
		mu.Unlock()
		if stop || ctx.Err() != nil {
			break feed
		}
		next <- i
	}
	close(next)
	wg.Wait()
	var all []Outcome
	for _, outs := range results {
		all = append(all, outs...)
	}
	total := 0
	for _, n := range runs {
		total += n
	}
	if firstErr == nil {
		firstErr = ctx.Err()
	}
	return all, total, firstErr
}

// runJob takes what it can of one mutant's outcomes from the cache and runs
// the rest.
func (m *mutantRunner) runJob(ctx context.Context, w *Worker, j job) ([]Outcome, int, error) {
	cached, rest := m.fromCache(j)
	if len(rest) == 0 {
		return cached, 0, nil
	}
	outs, runs, err := m.runMutant(ctx, w, job{site: j.site, anchors: rest})
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

// runMutant makes one mutant and writes it into w's sandbox, runs its anchors, re-runs
// survivors once, and restores the file whatever happens, checking the
// restored bytes: a warm child that imports the module lazily reads the
// mutant from the sandbox file, so the file must be exact again before the
// next child starts.
func (m *mutantRunner) runMutant(ctx context.Context, w *Worker, j job) (outs []Outcome, runs int, err error) {
	site := m.plan.Sites[j.site]
	mut, call, err := site.Mutant(m.plan.Sources[site.Path])
	if err != nil {
		return nil, 0, err
	}
	if err := w.Sandbox.Write(site.Path, mut); err != nil {
		return nil, 0, err
	}
	defer func() {
		if rerr := w.Sandbox.Restore(site.Path, m.plan.Sources[site.Path].Bytes); err == nil {
			err = rerr
		}
	}()
	watch := mutantLine(site, call)
	outs, runs, err = m.runAnchors(ctx, w, j.site, watch, j.anchors, false)
	if err != nil {
		return outs, runs, err
	}
	n, err := m.rerun(ctx, w, j.site, watch, outs)
	return outs, runs + n, err
}

// rerun runs every survivor once more, then again each pair whose runs
// disagree, until its runs settle or cannot (report.NeedsRerun), and
// settles each pair's outcome from the tally of its runs.
func (m *mutantRunner) rerun(ctx context.Context, w *Worker, site int, watch SiteLine, outs []Outcome) (runs int, err error) {
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
		more, n, err = m.runAnchors(ctx, w, site, watch, again, true)
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
func (m *mutantRunner) runAnchors(ctx context.Context, w *Worker, site int, watch SiteLine, anchors []string, retry bool) ([]Outcome, int, error) {
	s := m.plan.Sites[site]
	var outs []Outcome
	runs := 0
	for len(anchors) > 0 {
		var stopAfter *int
		if !retry {
			anchors, stopAfter = m.order(anchors)
		}
		res, err := m.execute(ctx, w, site, Spec{
			Args:      m.files(anchors),
			Select:    anchors,
			Sites:     []SiteLine{watch},
			Timeout:   m.limit(anchors),
			StopAfter: stopAfter,
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
				outs = append(outs, Outcome{Site: site, Anchor: a, Outcome: classify(t), Test: t, Code: res.ExitCode})
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

// classify names the outcome of one finished test under a mutant.
func classify(t *Test) string {
	fired := len(t.Detector) > 0
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

// limit is the wall-clock budget of a process running these anchors.
func (m *mutantRunner) limit(anchors []string) time.Duration {
	return m.plan.TimeLimit(m.base, m.overhead, anchors)
}

// TimeLimit is the wall-clock budget of a process running these anchors:
// twice the start-up overhead, each anchor's time in base times
// TimeoutFactor, plus TimeoutBase.
func (plan *Plan) TimeLimit(base *Result, overhead time.Duration, anchors []string) time.Duration {
	var body float64
	for _, a := range anchors {
		if t := base.Tests[a]; t != nil {
			body += t.Wall
		}
	}
	scaled := time.Duration(min(body*plan.TimeoutFactor, maxLimit.Seconds()) * float64(time.Second))
	return 2*overhead + scaled + plan.TimeoutBase
}

// maxLimit caps the scaled part of a time limit far below time.Duration's overflow.
const maxLimit = 1000 * 24 * time.Hour

// files returns the test files that hold the anchors, for pytest to collect.
func (m *mutantRunner) files(anchors []string) []string { return m.base.Files(anchors) }

// Files returns the test files that hold the anchors, as r collected them
// (the node id's file part for an anchor r does not know), for pytest to
// collect: each once, in the anchors' order.
func (r *Result) Files(anchors []string) []string {
	file := map[string]string{}
	for _, it := range r.Items {
		file[it.NodeID] = it.File
	}
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

// restore runs every anchor that met a mutant in this run once more on the
// restored sandboxes: split across the warm processes, or in one fresh
// process. With rules, the run has them in every gate (the rule proofs'
// run of the unmutated suite): it is returned as ruled, and each anchor in
// which a rule fired runs again without rules, that clean run being its
// restore run.
func (m *mutantRunner) restore(ctx context.Context, workers []*Worker, outs []Outcome, rules []string) (res *Result, ruled *Ruled, err error) {
	seen := map[string]bool{}
	var anchors []string
	for _, id := range m.base.Order {
		for _, o := range outs {
			if o.Anchor == id && !seen[id] && !o.Cached {
				seen[id] = true
				anchors = append(anchors, id)
			}
		}
	}
	if len(anchors) == 0 {
		return nil, nil, nil
	}
	m.plan.phase("restore", len(anchors))
	res, err = m.runPlain(ctx, workers, anchors, rules)
	if err != nil || len(rules) == 0 {
		return res, nil, err
	}
	ruled = &Ruled{Rules: rules, Result: res}
	var fired []string
	for _, id := range res.Order {
		if t := res.Tests[id]; slices.ContainsFunc(rules, func(r string) bool { return report.Fires(t.Detector, r) }) {
			fired = append(fired, id)
		}
	}
	if len(fired) == 0 {
		return res, ruled, nil
	}
	before, start := m.v.Runs, time.Now()
	clean, err := m.runPlain(ctx, workers, fired, nil)
	m.v.RuleRuns, m.v.Runs = m.v.RuleRuns+m.v.Runs-before, before // the rules' cost, not the restore check's
	m.v.RuleTime += time.Since(start)
	if err != nil {
		return nil, ruled, err
	}
	plain := *res
	plain.Tests = maps.Clone(res.Tests)
	for _, id := range fired {
		plain.Tests[id] = clean.Tests[id]
		if plain.Tests[id] == nil {
			plain.Tests[id] = &Test{NodeID: id, Outcome: "not-run", Excerpt: "the restore run without rules did not reach this test"}
		}
	}
	return &plain, ruled, nil
}

// runPlain runs anchors on the unmutated sandboxes, with extra detector
// rules when any: split across the warm processes, or in one fresh process.
func (m *mutantRunner) runPlain(ctx context.Context, workers []*Worker, anchors, rules []string) (*Result, error) {
	res, err := m.warmSplit(ctx, workers, anchors, Spec{Timeout: m.limit(anchors), Rules: rules})
	if res != nil || err != nil {
		return res, err
	}
	m.v.Runs++
	return workers[0].Run(ctx, Spec{Args: m.files(anchors), Select: anchors, Timeout: m.limit(anchors), Rules: rules})
}

// rerunRestore runs again each anchor that was green at baseline but not on
// the restore run, until its runs settle or cannot (report.NeedsRerun), and
// returns the re-runs by anchor.
func (m *mutantRunner) rerunRestore(ctx context.Context, workers []*Worker, restore *Result) (map[string][]*Test, error) {
	tallies := map[string][]string{}
	var again []string
	for _, id := range restore.Order {
		t, b := restore.Tests[id], m.base.Tests[id]
		if t.Outcome != "passed" && b != nil && b.Outcome == "passed" {
			tallies[id] = []string{b.Outcome, t.Outcome}
			again = append(again, id)
		}
	}
	reruns := map[string][]*Test{}
	for len(again) > 0 {
		res, err := m.runPlain(ctx, workers, again, nil)
		if err != nil {
			return reruns, err
		}
		ids := again
		again = nil
		for _, id := range ids {
			t := res.Tests[id]
			if t == nil {
				t = &Test{NodeID: id, Outcome: "not-run", Excerpt: "the re-run did not reach this test"}
			}
			reruns[id] = append(reruns[id], t)
			tallies[id] = append(tallies[id], t.Outcome)
			if report.NeedsRerun(tallies[id]) {
				again = append(again, id)
			}
		}
	}
	return reruns, nil
}
