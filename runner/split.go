package runner

import (
	"context"
	"slices"
	"sync"
	"time"

	"github.com/teethtool/teeth/report"
)

// warmBaseline runs the baseline split across the workers' warm processes,
// each forking a child for its share of the collected tests. It returns nil
// and no error when the warm path cannot take it: a worker without a warm
// process, or a collection that must be reported as the fresh run reports it.
func (m *mutantRunner) warmBaseline(ctx context.Context, workers []*Worker) (*Result, error) {
	for _, w := range workers {
		if w.warm == nil || w.warm.collected == nil {
			return nil, nil
		}
	}
	col := workers[0].warm.collected
	if len(col.CollectErrors) > 0 || len(col.MissingDetectors) > 0 || len(col.Items) == 0 {
		return nil, nil
	}
	ids := make([]string, len(col.Items))
	for i, it := range col.Items {
		ids[i] = it.NodeID
	}
	res, err := m.warmSplit(ctx, workers, ids, Spec{Sites: siteLines(m.plan.Sites), Timeout: m.plan.BaselineTimeout, Funcs: true, Latent: true})
	if res != nil {
		res.Items = col.Items
		res.Deselected = col.Deselected // the warm process collected: audit and verify count alike
	}
	return res, err
}

// warmSplit runs the tests ids, unmutated, split round-robin across the
// workers' warm processes (see split), counting its children among the
// run's pytest runs and a reason not to fork among its fallbacks.
func (m *mutantRunner) warmSplit(ctx context.Context, workers []*Worker, ids []string, spec Spec) (*Result, error) {
	res, n, fallback, err := m.split(ctx, workers, ids, spec)
	m.mu.Lock()
	m.v.Runs += n
	m.mu.Unlock()
	if fallback != "" {
		m.fallback(fallback)
	}
	return res, err
}

// split runs the tests ids, unmutated, split round-robin across the
// workers' warm processes, and merges the children's results into one
// Result in the order of ids; runs counts the children. It returns no
// result and no error when some worker has no warm process, or a child
// could not be forked (fallback says why).
func (m *mutantRunner) split(ctx context.Context, workers []*Worker, ids []string, spec Spec) (res *Result, runs int, fallback string, err error) {
	for _, w := range workers {
		if w.warm == nil {
			return nil, 0, "", nil
		}
	}
	n := min(len(workers), len(ids))
	parts := make([]*Result, n)
	errs := make([]error, n)
	fallbacks := make([]string, n)
	var wg sync.WaitGroup
	start := time.Now()
	for i := 0; i < n; i++ {
		var share []string
		for j := i; j < len(ids); j += n {
			share = append(share, ids[j])
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			s := spec
			s.Select = share
			parts[i], fallbacks[i], errs[i] = workers[i].runWarm(ctx, s, "", "")
		}()
	}
	wg.Wait()
	for i := range parts {
		if errs[i] != nil {
			return nil, n, "", errs[i]
		}
		if fallbacks[i] != "" {
			return nil, n, fallbacks[i], nil
		}
	}
	res = mergeResults(parts, ids)
	res.Wall = time.Since(start)
	return res, n, "", nil
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
