package runner

import (
	"context"
	"maps"
	"slices"
	"sort"
	"sync"
	"time"

	"github.com/teethtool/teeth/report"
)

// sched runs one verify run's work on the workers as it becomes ready: the
// baseline's shares first; each mutant as soon as an anchor that reaches its
// site has its baseline (the baseline streams each test's result as it
// finishes), with the anchors found later in a further round of the same
// mutant; and each anchor's restore run as soon as every mutant it meets is
// done, beside the last mutants. The governor says when one more run may
// start. Results go in a fixed order whatever the interleaving.
type sched struct {
	ctx     context.Context
	cancel  context.CancelFunc
	m       *mutantRunner
	plan    *Plan
	workers []*Worker
	stream  bool     // mutants start during the baseline (not with the outcome cache: its keys need the whole baseline)
	probe   *probe   // the gate self-check's, in every sandbox
	args    []string // what the baseline collects: the anchors and the probe

	mu     sync.Mutex
	cond   *sync.Cond
	gov    *governor
	err    error
	active int   // tasks running
	load   []int // tasks running on each worker
	pinned []*task

	// The baseline.
	baseLeft  int              // its runs not finished
	shares    int              // its warm children
	forked    int              // of those, forked so far
	trusted   bool             // its streamed tests may start mutants: every share forked
	failed    string           // a share fell back: the baseline runs again, fresh
	parts     []*Result        // its runs' results
	ids       []string         // the collected tests, in collection order
	baseStart time.Time        // when its first run started
	early     []*Test          // streamed before it was trusted
	tests     map[string]*Test // its tests so far
	added     map[string]bool  // tests whose pairs are queued
	baseDone  bool

	// The mutants.
	sites map[int]*siteState
	ready []int // sites with anchors waiting and no round running, in the order they became ready
	outs  []Outcome

	// The restore check.
	pairsLeft map[string]int  // anchor -> its pairs not yet run or skipped
	met       map[string]bool // anchor -> it met a mutant in this run
	restoreQ  []string        // anchors whose restore run may start
	cleanQ    []string        // anchors to run again without the rules a rule fired in
	rerunQ    []string        // anchors to run again on the restored code
	queuedR   int             // anchors queued for the restore run, in all
	doneR     int             // of those, run
	restores  []*Result
	ruledRuns []*Result           // the restore runs that had rules in (Plan.RestoreRules)
	ruledBy   map[string][]string // anchor -> the rules its restore run had
	rules     []string            // the rules proposed when last asked
	asked     int                 // how many outcomes there were then
	tallies   map[string][]string
	reruns    map[string][]*Test
	restoring bool // the restore phase was announced
}

// siteState is one site's mutant: its anchors waiting, whether a round of
// it runs, and whether it has been killed.
type siteState struct {
	pending []string
	running bool
	queued  bool
	killed  bool
	rounds  int
}

// task is one unit of work the dispatcher starts: a baseline share (on its
// worker), a round of a mutant, or a batch of restore runs or re-runs.
type task struct {
	worker int // -1: any
	run    func(ctx context.Context, w *Worker, sl *slot) error
}

func newSched(ctx context.Context, m *mutantRunner, workers []*Worker, p *probe, args []string) *sched {
	plan := m.plan
	ctx, cancel := context.WithCancel(ctx)
	s := &sched{ctx: ctx, cancel: cancel, m: m, plan: plan, workers: workers, stream: plan.Store == nil, probe: p, args: args,
		load: make([]int, len(workers)), tests: map[string]*Test{}, added: map[string]bool{}, sites: map[int]*siteState{},
		pairsLeft: map[string]int{}, met: map[string]bool{}, tallies: map[string][]string{}, reruns: map[string][]*Test{},
		ruledBy: map[string][]string{}, asked: -1}
	s.cond = sync.NewCond(&s.mu)
	cores := plan.Cores
	if cores <= 0 {
		cores = numCPU()
	}
	runs := plan.MaxRuns
	if runs <= 0 {
		runs = 2 * len(workers)
	}
	s.gov = newGovernor(len(workers), runs, cores)
	return s
}

// loop starts tasks while there is work and the governor lets it, until
// everything is done or something failed; it returns the first error.
func (s *sched) loop() error {
	stop := make(chan struct{})
	defer close(stop)
	go s.tick(stop)
	s.mu.Lock()
	defer s.mu.Unlock()
	for {
		for s.err == nil && !s.finished() && !(s.hasWork() && s.gov.mayStart()) {
			s.cond.Wait()
		}
		if s.err != nil || s.finished() {
			break
		}
		t := s.take()
		if t == nil {
			continue
		}
		s.start(t)
	}
	for s.active > 0 {
		s.cond.Wait()
	}
	return s.err
}

// tick samples the runs' CPU use and wakes the dispatcher.
func (s *sched) tick(stop chan struct{}) {
	t := time.NewTicker(sampleEvery)
	defer t.Stop()
	for {
		select {
		case <-stop:
			return
		case now := <-t.C:
			s.mu.Lock()
			s.gov.sample(now)
			s.cond.Broadcast()
			s.mu.Unlock()
		}
	}
}

// start runs t on a worker (its own, or the least busy), holding a slot.
func (s *sched) start(t *task) {
	w := s.pick(t)
	sl := s.gov.start()
	s.active++
	s.load[w.Index]++
	go func() {
		err := t.run(s.ctx, w, sl)
		s.mu.Lock()
		defer s.mu.Unlock()
		s.gov.stop(sl)
		s.active--
		s.load[w.Index]--
		s.fail(err)
		s.cond.Broadcast()
	}()
}

// fail records the run's first error and stops everything else (s.mu held).
func (s *sched) fail(err error) {
	if err != nil && s.err == nil {
		s.err = err
		s.cancel()
	}
}

func (s *sched) pick(t *task) *Worker {
	if t.worker >= 0 {
		return s.workers[t.worker]
	}
	best := 0
	for i := range s.workers {
		if s.load[i] < s.load[best] {
			best = i
		}
	}
	return s.workers[best]
}

func (s *sched) hasWork() bool {
	return len(s.pinned) > 0 || len(s.ready) > 0 || len(s.restoreQ) > 0 || len(s.cleanQ) > 0 || len(s.rerunQ) > 0
}

// finished reports whether every task is done and none can come.
func (s *sched) finished() bool {
	return s.baseDone && s.active == 0 && !s.hasWork()
}

// take pops the next task: baseline shares, then mutants, then restore runs
// (and their runs without rules, then their re-runs).
func (s *sched) take() *task {
	if len(s.pinned) > 0 {
		t := s.pinned[0]
		s.pinned = s.pinned[1:]
		return t
	}
	if len(s.ready) > 0 {
		i := s.ready[0]
		s.ready = s.ready[1:]
		return s.round(i)
	}
	if len(s.restoreQ) > 0 {
		return s.plainBatch(&s.restoreQ, restoreRun)
	}
	if len(s.cleanQ) > 0 {
		return s.plainBatch(&s.cleanQ, cleanRun)
	}
	return s.plainBatch(&s.rerunQ, rerun)
}

// addTest takes in one finished baseline test: its time, and, green, the
// pairs it makes with the sites it reached (s.mu held).
func (s *sched) addTest(t *Test) {
	if _, ok := s.probe.nodeids[t.NodeID]; ok {
		return
	}
	s.tests[t.NodeID] = t
	s.m.noteTest(t)
	if !s.stream && !s.baseDone {
		return
	}
	if s.added[t.NodeID] || t.Outcome != "passed" {
		return
	}
	s.added[t.NodeID] = true
	for _, i := range t.Sites {
		site := s.plan.Sites[i]
		if s.plan.Invalid[site.ID] != "" || (s.plan.Pairs != nil && !s.plan.Pairs.Pair(site.ID, t.NodeID)) {
			continue
		}
		st := s.sites[i]
		if st == nil {
			st = &siteState{}
			s.sites[i] = st
		}
		st.pending = append(st.pending, t.NodeID)
		s.pairsLeft[t.NodeID]++
		s.queue(i)
	}
}

// queue makes site i ready for a round when anchors wait and none runs.
func (s *sched) queue(i int) {
	st := s.sites[i]
	if st.running || st.queued || len(st.pending) == 0 {
		return
	}
	st.queued = true
	s.ready = append(s.ready, i)
}

// round makes the task of one round of site i's mutant: the anchors
// waiting, less (unless the full matrix runs) those already killed by some
// mutant when this one is killed already: they are done without a run.
func (s *sched) round(i int) *task {
	st := s.sites[i]
	anchors := st.pending
	st.pending, st.queued = nil, false
	if st.killed && !s.plan.FullMatrix {
		s.m.mu.Lock()
		var keep []string
		for _, a := range anchors {
			if s.m.proven[a] {
				s.pairDone(a, false)
			} else {
				keep = append(keep, a)
			}
		}
		s.m.mu.Unlock()
		anchors = keep
	}
	if len(anchors) == 0 {
		s.progress()
		return nil
	}
	sort.SliceStable(anchors, func(a, b int) bool { return s.tests[anchors[a]].Wall < s.tests[anchors[b]].Wall })
	st.running = true
	st.rounds++
	return &task{worker: -1, run: func(ctx context.Context, w *Worker, sl *slot) error {
		s.plan.running(i, true)
		outs, runs, err := s.m.runJob(ctx, w, sl, job{site: i, anchors: anchors})
		s.plan.running(i, false)
		s.mu.Lock()
		defer s.mu.Unlock()
		s.m.count(func(v *Verified) { v.Runs += runs })
		s.outs = append(s.outs, outs...)
		ran := map[string]bool{}
		for _, o := range outs {
			ran[o.Anchor] = ran[o.Anchor] || !o.Cached
			st.killed = st.killed || o.Outcome == report.Killed
		}
		st.running = false
		for _, a := range anchors {
			s.pairDone(a, ran[a])
		}
		s.queue(i)
		s.progress()
		return err
	}}
}

// settled is how many sites have no round running and no anchor waiting.
func (s *sched) settled() int {
	n := 0
	for _, st := range s.sites {
		if !st.running && !st.queued && len(st.pending) == 0 {
			n++
		}
	}
	return n
}

// progress tells the observer how many mutants are done, and, once every
// one is, that the restore check is what is left.
func (s *sched) progress() {
	done := s.settled()
	s.plan.progress(done, len(s.sites))
	if s.baseDone && done == len(s.sites) && !s.restoring && s.queuedR > 0 {
		// Announced once every mutant is done, with every anchor the check
		// re-runs: some of them may have run already, beside the mutants
		// (or, on a small suite, beside the baseline).
		s.restoring = true
		s.plan.phase("restore", s.queuedR)
	}
}

// pairDone counts one of anchor a's pairs as run (met: against a mutant,
// in this run) or skipped; once none is left, its restore run may start.
func (s *sched) pairDone(a string, met bool) {
	s.pairsLeft[a]--
	s.met[a] = s.met[a] || met
	if s.pairsLeft[a] == 0 && s.met[a] {
		s.restoreQ = append(s.restoreQ, a)
		s.queuedR++
	}
}

// The kinds of unmutated runs: the restore run, the run without rules of
// the anchors a rule fired in there, and a re-run of an anchor not green.
const (
	restoreRun = iota
	cleanRun
	rerun
)

// plainBatch takes a share of the anchors in q for one unmutated run of
// this kind. The shares are as many as runs may go at once, so that
// restore runs that wait leave room for more. A restore run has the rules
// proposed so far in (restoreRules).
func (s *sched) plainBatch(q *[]string, kind int) *task {
	n := (len(*q) + s.gov.max - 1) / s.gov.max
	anchors := slices.Clone((*q)[:n])
	*q = (*q)[n:]
	var rules []string
	if kind == restoreRun {
		rules = s.restoreRules()
	}
	return &task{worker: -1, run: func(ctx context.Context, w *Worker, sl *slot) error {
		start := time.Now()
		res, err := s.m.plain(ctx, w, sl, anchors, rules)
		s.mu.Lock()
		defer s.mu.Unlock()
		if err != nil {
			return err
		}
		switch kind {
		case restoreRun:
			s.restoreDone(res, anchors, rules)
		case cleanRun:
			s.cleanDone(res, anchors, time.Since(start))
		default:
			s.rerunDone(res, anchors)
		}
		return nil
	}}
}

// restoreRules are the detector rules a restore run starting now puts in
// every gate: those proposed from the outcomes so far (Plan.RestoreRules),
// asked again only when a mutant survived since (s.mu held).
func (s *sched) restoreRules() []string {
	if s.plan.RestoreRules == nil || !s.baseDone || len(s.outs) == s.asked {
		return s.rules
	}
	survived := slices.ContainsFunc(s.outs[max(s.asked, 0):], func(o Outcome) bool { return o.Outcome == report.Survived })
	s.asked = len(s.outs)
	if !survived {
		return s.rules
	}
	s.m.mu.Lock()
	v := *s.m.v
	v.Fallback = maps.Clone(v.Fallback)
	s.m.mu.Unlock()
	v.Outcomes = s.outcomes()
	s.rules = s.plan.RestoreRules(&v)
	return s.rules
}

// restoreDone takes a restore run's results: an anchor a rule fired in
// runs again without rules, an anchor green at baseline but not here runs
// again.
func (s *sched) restoreDone(res *Result, anchors, rules []string) {
	fired := map[string]bool{}
	if len(rules) > 0 {
		s.ruledRuns = append(s.ruledRuns, res)
		clean := *res
		clean.Tests = maps.Clone(res.Tests)
		for _, id := range anchors {
			s.ruledBy[id] = rules
			if t := res.Tests[id]; t != nil && slices.ContainsFunc(rules, func(r string) bool { return report.Fires(t.Detector, r) }) {
				fired[id] = true
				delete(clean.Tests, id)
				s.cleanQ = append(s.cleanQ, id)
			}
		}
		res = &clean
	}
	s.restores = append(s.restores, res)
	for _, id := range anchors {
		if !fired[id] { // its restore run is the one without rules (cleanDone)
			s.restoredTest(id, res.Tests[id])
		}
	}
	s.progress()
}

// cleanDone takes the run without rules of anchors a rule fired in: their
// restore run. It is the rules' cost, not the restore check's.
func (s *sched) cleanDone(res *Result, anchors []string, took time.Duration) {
	s.m.count(func(v *Verified) { v.Runs, v.RuleRuns, v.RuleTime = v.Runs-1, v.RuleRuns+1, v.RuleTime+took })
	clean := *res
	clean.Tests = maps.Clone(res.Tests)
	for _, id := range anchors {
		if clean.Tests[id] == nil {
			clean.Tests[id] = &Test{NodeID: id, Outcome: "not-run", Excerpt: "the restore run without rules did not reach this test"}
		}
		s.restoredTest(id, clean.Tests[id])
	}
	s.restores = append(s.restores, &clean)
	s.progress()
}

// restoredTest counts one anchor's restore run as done: green at baseline
// but not here, it runs again.
func (s *sched) restoredTest(id string, t *Test) {
	s.doneR++
	if b := s.tests[id]; t != nil && t.Outcome != "passed" && b != nil && b.Outcome == "passed" {
		s.tallies[id] = []string{b.Outcome, t.Outcome}
		s.rerunQ = append(s.rerunQ, id)
	}
}

// rerunDone takes a re-run's results: a pair of runs that has not settled
// (report.NeedsRerun) runs again.
func (s *sched) rerunDone(res *Result, anchors []string) {
	for _, id := range anchors {
		t := res.Tests[id]
		if t == nil {
			t = &Test{NodeID: id, Outcome: "not-run", Excerpt: "the re-run did not reach this test"}
		}
		s.reruns[id] = append(s.reruns[id], t)
		s.tallies[id] = append(s.tallies[id], t.Outcome)
		if report.NeedsRerun(s.tallies[id]) {
			s.rerunQ = append(s.rerunQ, id)
		}
	}
}

// outcomes are the mutant runs' outcomes in a fixed order: by site, then
// the anchors fastest first at baseline, then in collection order.
func (s *sched) outcomes() []Outcome {
	pos := map[string]int{}
	for i, id := range s.ids {
		pos[id] = i
	}
	out := slices.Clone(s.outs)
	sort.SliceStable(out, func(a, b int) bool {
		x, y := out[a], out[b]
		if x.Site != y.Site {
			return x.Site < y.Site
		}
		wx, wy := s.wall(x.Anchor), s.wall(y.Anchor)
		if wx != wy {
			return wx < wy
		}
		return pos[x.Anchor] < pos[y.Anchor]
	})
	return out
}

func (s *sched) wall(id string) float64 {
	if t := s.tests[id]; t != nil {
		return t.Wall
	}
	return 0
}

// restored is the restore check's results as one Result, in collection
// order; nil when no anchor met a mutant in this run.
func (s *sched) restored() *Result {
	if len(s.restores) == 0 {
		return nil
	}
	return mergeResults(s.restores, s.ids)
}

// ruled is the restore runs that had rules in, with the rules each
// anchor's run had; nil when none had.
func (s *sched) ruled() *Ruled {
	if len(s.ruledRuns) == 0 {
		return nil
	}
	return &Ruled{Rules: s.ruledBy, Result: mergeResults(s.ruledRuns, s.ids)}
}
