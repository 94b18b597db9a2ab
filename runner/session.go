package runner

import (
	"context"
	"errors"
	"time"
)

// Session is one run's workers, each with its sandbox and, on the warm
// path, its pre-imported pytest process, kept from the baseline to the last
// run that follows the restore check: the rule proofs, which reuse the
// sandboxes, the warm processes and the baseline instead of copying the
// project again.
type Session struct {
	plan    *Plan
	workers []*Worker
	m       *mutantRunner
	free    chan *Worker // the workers no rule run holds
	rules   int          // pytest processes and warm children of the rule runs
}

// Open copies the project into a sandbox per worker under tmp.
func Open(plan *Plan, tmp string) (*Session, error) {
	workers, err := startWorkers(plan, tmp)
	if err != nil {
		return nil, err
	}
	s := &Session{plan: plan, workers: workers, free: make(chan *Worker, len(workers)),
		m: &mutantRunner{plan: plan, v: &Verified{Fallback: map[string]int{}}, proven: map[string]bool{}}}
	for _, w := range workers {
		s.free <- w
	}
	return s, nil
}

// Close ends the workers' warm processes.
func (s *Session) Close() {
	for _, w := range s.workers {
		w.StopWarm()
	}
}

// RuleRuns counts the pytest processes and forked children the rule runs
// took (apart from the verify run's), the restore check's re-runs of the
// anchors in which a rule fired included.
func (s *Session) RuleRuns() int {
	s.m.mu.Lock()
	defer s.m.mu.Unlock()
	return s.rules + s.m.v.RuleRuns
}

// RuleTime is the time the restore check spent on runs only the rule
// proofs needed (its re-runs of the anchors in which a rule fired).
func (s *Session) RuleTime() time.Duration { return s.m.v.RuleTime }

// Ruled is the restore run with the plan's RestoreRules in, or nil.
func (s *Session) Ruled() *Ruled { return s.m.v.Ruled }

// Limit is the time limit of a run of these anchors, as the mutant runs have it.
func (s *Session) Limit(anchors []string) time.Duration { return s.m.limit(anchors) }

// errNoBaseline is a rule run asked for before the session's baseline ran.
var errNoBaseline = errors.New("runner: a rule run before the baseline")

// MutantWithRules runs anchors against the mutant of site (an index into
// the plan's sites) with extra detector rules in every gate (Spec.Rules),
// on a worker no other rule run holds: forked from its warm process when it
// has one, else in a fresh process. The mutant is written into the worker's
// sandbox and restored, checked byte for byte, whatever happens. Safe to
// call from several goroutines, not with PlainWithRules.
func (s *Session) MutantWithRules(ctx context.Context, site int, anchors, rules []string) (res *Result, err error) {
	if s.m.base == nil {
		return nil, errNoBaseline
	}
	var w *Worker
	select {
	case w = <-s.free:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	defer func() { s.free <- w }()
	st := s.plan.Sites[site]
	mut, _, err := st.Mutant(s.plan.Sources[st.Path])
	if err != nil {
		return nil, err
	}
	if err := w.Sandbox.Write(st.Path, mut); err != nil {
		return nil, err
	}
	defer func() {
		if rerr := w.Sandbox.Restore(st.Path, s.plan.Sources[st.Path].Bytes); err == nil {
			err = rerr
		}
	}()
	spec := Spec{Args: s.m.files(anchors), Select: anchors, Timeout: s.m.limit(anchors), Rules: rules}
	s.count(1)
	if w.warm != nil {
		res, reason, err := w.runWarm(ctx, spec, st.Path, st.Function)
		if err != nil || reason == "" {
			return res, err
		}
	}
	return w.Run(ctx, spec)
}

// PlainWithRules runs anchors, unmutated, with extra detector rules in
// every gate: split across the workers' warm processes, or in one fresh
// process. It needs every worker: call it when no MutantWithRules runs.
func (s *Session) PlainWithRules(ctx context.Context, anchors, rules []string) (*Result, error) {
	if s.m.base == nil {
		return nil, errNoBaseline
	}
	spec := Spec{Timeout: s.m.limit(anchors), Rules: rules}
	res, n, _, err := s.m.split(ctx, s.workers, anchors, spec)
	s.count(n)
	if res != nil || err != nil {
		return res, err
	}
	s.count(1)
	spec.Args, spec.Select = s.m.files(anchors), anchors
	return s.workers[0].Run(ctx, spec)
}

func (s *Session) count(n int) {
	s.m.mu.Lock()
	s.rules += n
	s.m.mu.Unlock()
}
