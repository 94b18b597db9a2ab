package runner

import (
	"context"
	"slices"
	"time"

	"github.com/teethtool/teeth/report"
)

// startBaseline queues the baseline: split across the workers' warm
// processes, each forking a child for its share of the collected tests, or,
// when the warm path cannot take it (a worker without a warm process, a
// collection that must be reported as the fresh run reports it), in one
// fresh process. The tests likely to reach an offload site run first
// (Plan.First); each test's result streams to the dispatcher as it finishes.
func (s *sched) startBaseline(args []string) {
	spec := Spec{Sites: siteLines(s.plan.Sites), Timeout: s.plan.BaselineTimeout, Funcs: true, Latent: true, onEvent: s.onEvent}
	col := s.warmCollected()
	if col == nil {
		s.trusted, s.baseLeft = true, 1
		s.pinned = append(s.pinned, s.freshBaseline(args, spec))
		return
	}
	s.m.noteItems(col.Items)
	first := map[string]bool{}
	for _, f := range s.plan.First {
		first[f] = true
	}
	var lead, rest []string
	for _, it := range col.Items {
		s.ids = append(s.ids, it.NodeID)
		if _, probe := s.probe.nodeids[it.NodeID]; probe || first[it.File] {
			lead = append(lead, it.NodeID)
		} else {
			rest = append(rest, it.NodeID)
		}
	}
	order := append(lead, rest...)
	n := min(len(s.workers), len(order))
	s.shares, s.baseLeft = n, n
	for i := 0; i < n; i++ {
		var share []string
		for j := i; j < len(order); j += n {
			share = append(share, order[j])
		}
		s.pinned = append(s.pinned, s.warmShare(i, share, spec, col))
	}
}

// warmCollected is the warm processes' collection when every worker has
// one and it can be run as it is, else nil.
func (s *sched) warmCollected() *Result {
	for _, w := range s.workers {
		w.mu.Lock()
		ok := w.warm != nil && w.warm.collected != nil
		w.mu.Unlock()
		if !ok {
			return nil
		}
	}
	col := s.workers[0].warm.collected
	if len(col.CollectErrors) > 0 || len(col.MissingDetectors) > 0 || len(col.Items) == 0 {
		return nil
	}
	return col
}

// warmShare is the task of one worker's share of the baseline.
func (s *sched) warmShare(i int, share []string, spec Spec, col *Result) *task {
	return &task{worker: i, run: func(ctx context.Context, w *Worker, sl *slot) error {
		sp := spec
		sp.Select, sp.slot = share, sl
		sp.started = func(pid int) {
			sl.run(pid)
			s.forkedShare()
		}
		s.began()
		w.share.RLock()
		res, reason, err := w.runWarm(ctx, sp)
		w.share.RUnlock()
		sl.run(0)
		s.mu.Lock()
		defer s.mu.Unlock()
		s.m.count(func(v *Verified) { v.Runs++ })
		if err != nil {
			return err
		}
		if reason != "" && s.failed == "" {
			s.failed = reason
		} else if reason == "" {
			s.parts = append(s.parts, res)
		}
		s.baseRunDone(col)
		return nil
	}}
}

// freshBaseline is the task of the baseline in one fresh process.
func (s *sched) freshBaseline(args []string, spec Spec) *task {
	return &task{worker: 0, run: func(ctx context.Context, w *Worker, sl *slot) error {
		sp := spec
		sp.Args, sp.first = args, append(slices.Clone(s.plan.First), s.probe.test) // the gate self-check first too
		sp.started, sp.slot = sl.run, sl
		s.began()
		s.m.count(func(v *Verified) { v.Runs++ })
		w.share.RLock()
		res, err := w.Run(ctx, sp)
		w.share.RUnlock()
		sl.run(0)
		s.mu.Lock()
		defer s.mu.Unlock()
		if err != nil {
			return err
		}
		s.parts = append(s.parts, res)
		s.baseRunDone(nil)
		return nil
	}}
}

// began notes when the baseline's first run started.
func (s *sched) began() {
	s.mu.Lock()
	if s.baseStart.IsZero() {
		s.baseStart = time.Now()
	}
	s.mu.Unlock()
}

// forkedShare counts a share whose child runs; once all do, the tests they
// streamed may start mutants.
func (s *sched) forkedShare() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.forked++
	if s.forked == s.shares && s.failed == "" {
		s.trusted = true
		for _, t := range s.early {
			s.addTest(t)
		}
		s.early = nil
		s.cond.Broadcast()
	}
}

// onEvent takes what a baseline run streams: the collection, and each test
// as it finishes.
func (s *sched) onEvent(ev *event) {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch ev.Ev {
	case "collected":
		s.m.noteItems(ev.Items)
	case "test":
		t := ev.Test
		if s.shares == 0 && len(s.tests) == 0 && t.T0 > 0 {
			// A fresh baseline: until it ends, its start-up (import,
			// collection) is what passed before its first test.
			s.m.mu.Lock()
			up := time.Duration((t.T0 - float64(s.baseStart.UnixNano())/1e9) * float64(time.Second))
			s.m.overhead = max(s.m.overhead, up, time.Second)
			s.m.mu.Unlock()
		}
		if !s.trusted {
			s.early = append(s.early, &t)
		} else {
			s.addTest(&t)
		}
		s.cond.Broadcast()
	}
}

// baseRunDone ends one run of the baseline (s.mu held); the last one
// finishes the baseline: checked, and every pair it makes queued.
func (s *sched) baseRunDone(col *Result) {
	s.baseLeft--
	if s.baseLeft > 0 {
		return
	}
	if s.failed != "" {
		// A share could not fork: the baseline runs again, in one fresh
		// process (what streamed so far stands: the same unmutated code).
		s.m.fallback(s.failed)
		s.failed, s.shares, s.parts = "", 0, nil
		s.trusted, s.baseLeft = true, 1
		s.pinned = append(s.pinned, s.freshBaseline(s.args, Spec{Sites: siteLines(s.plan.Sites), Timeout: s.plan.BaselineTimeout, Funcs: true, Latent: true, onEvent: s.onEvent}))
		return
	}
	var res *Result
	if col != nil {
		res = mergeResults(s.parts, s.ids)
		res.Items = col.Items
		res.Deselected = col.Deselected // the warm process collected: audit and verify count alike
		res.Wall = time.Since(s.baseStart)
	} else {
		res = s.parts[0]
	}
	if err := s.check(res); err != nil {
		s.fail(err)
		return
	}
	s.ids = s.ids[:0]
	for _, it := range res.Items {
		s.ids = append(s.ids, it.NodeID)
	}
	res.Order = slices.DeleteFunc(slices.Clone(s.ids), func(id string) bool { return res.Tests[id] == nil })
	s.m.setBase(res)
	s.baseDone = true
	for _, id := range res.Order {
		s.addTest(res.Tests[id])
	}
	s.plan.phase("mutants", len(s.sites))
	s.progress()
}

// check checks that the baseline can be trusted (the gate self-check among
// it) and takes the probe out of it.
func (s *sched) check(res *Result) error {
	if err := checkBaseline(res, s.plan); err != nil {
		return err
	}
	if err := s.probe.check(res, s.plan); err != nil {
		return err
	}
	return checkCollected(res, s.plan)
}

// mergeResults combines the results of children that ran disjoint shares of
// ids; Order follows ids.
func mergeResults(parts []*Result, ids []string) *Result {
	res := &Result{Tests: map[string]*Test{}, Finished: true, Versions: map[string]string{}}
	for _, p := range parts {
		for id, t := range p.Tests {
			res.Tests[id] = t
		}
		res.Finished = res.Finished && p.Finished
		res.TimedOut = res.TimedOut || p.TimedOut
		if p.Running != "" {
			res.Running = p.Running
		}
		res.ExitCode = max(res.ExitCode, p.ExitCode)
		res.Reach = report.MergeReach(res.Reach, p.Reach)
		res.Loaded = union(res.Loaded, p.Loaded)
		res.Leaked = union(res.Leaked, p.Leaked)
		res.LeakCauses = append(res.LeakCauses, p.LeakCauses...)
		res.Support = union(res.Support, p.Support)
		for k, v := range p.Versions {
			res.Versions[k] = v
		}
		for _, r := range p.Rules {
			if !slices.ContainsFunc(res.Rules, func(o RuleEvent) bool { return o.Name == r.Name && o.Error == r.Error }) {
				res.Rules = append(res.Rules, r)
			}
		}
		res.Output += p.Output
	}
	for _, id := range ids {
		if res.Tests[id] != nil {
			res.Order = append(res.Order, id)
		}
	}
	return res
}

func union(a, b []string) []string {
	out := append(slices.Clone(a), b...)
	slices.Sort(out)
	return slices.Compact(out)
}
