package runner

import (
	"context"
	"errors"
	"maps"
	"os"
	"sync"
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
	proof   *mutantRunner
}

// Open copies the project into a sandbox per worker under tmp.
func Open(plan *Plan, tmp string) (*Session, error) {
	workers, err := startWorkers(plan, tmp)
	if err != nil {
		return nil, err
	}
	s := &Session{plan: plan, workers: workers, free: make(chan *Worker, len(workers)),
		m: newMutantRunner(plan, &Verified{Fallback: map[string]int{}})}
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
// has one, else in a fresh process, the mutant loaded from a private file
// as the verify's mutant runs load it. Safe to call from several
// goroutines, not with PlainWithRules.
func (s *Session) MutantWithRules(ctx context.Context, site int, anchors, rules []string) (res *Result, err error) {
	m, err := s.proofs()
	if err != nil {
		return nil, err
	}
	var w *Worker
	select {
	case w = <-s.free:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	defer func() { s.free <- w }()
	mf, _, err := m.writeMutant(w, site)
	if err != nil {
		return nil, err
	}
	defer os.Remove(mf.File)
	spec := Spec{Args: m.testFiles(anchors), Select: anchors, Timeout: m.limit(anchors), Rules: rules, mutant: mf}
	s.count(1)
	return m.execute(ctx, w, &slot{index: w.Index, rate: -1}, site, spec)
}

// PlainWithRules runs anchors, unmutated, with extra detector rules in
// every gate: split across the workers, each forking from its warm process
// or running a fresh one. It needs every worker: call it when no
// MutantWithRules runs.
func (s *Session) PlainWithRules(ctx context.Context, anchors, rules []string) (*Result, error) {
	m, err := s.proofs()
	if err != nil {
		return nil, err
	}
	n := min(len(s.workers), len(anchors))
	parts := make([]*Result, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		var share []string
		for j := i; j < len(anchors); j += n {
			share = append(share, anchors[j])
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			w := s.workers[i]
			parts[i], errs[i] = m.plain(ctx, w, &slot{index: w.Index, rate: -1}, share, rules)
		}()
	}
	wg.Wait()
	s.count(n)
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return mergeResults(parts, anchors), nil
}

// proofs is the runner the rule runs use: the verify's baseline, time
// limits and test files, with counters of its own, so that the rule runs
// count apart from the verify's.
func (s *Session) proofs() (*mutantRunner, error) {
	s.m.mu.Lock()
	defer s.m.mu.Unlock()
	if s.m.base == nil {
		return nil, errNoBaseline
	}
	if s.proof == nil {
		p := newMutantRunner(s.plan, &Verified{Fallback: map[string]int{}})
		p.base, p.walls, p.files, p.overhead = s.m.base, maps.Clone(s.m.walls), maps.Clone(s.m.files), s.m.overhead
		s.proof = p
	}
	return s.proof, nil
}

func (s *Session) count(n int) {
	s.m.mu.Lock()
	s.rules += n
	s.m.mu.Unlock()
}
