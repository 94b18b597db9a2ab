package report

import (
	"fmt"
	"maps"
	"slices"
)

// Merge combines the reports of the shards of one run into the report of
// the whole run and decides its verdicts with Finalize. The shards must come
// from the same project and configuration; each holds every anchor's
// baseline and the evidence of its own share of the sites.
func Merge(shards []*Report) (*Report, error) {
	if len(shards) == 0 {
		return nil, fmt.Errorf("nothing to merge")
	}
	first := shards[0]
	for _, s := range shards {
		if s.SchemaVersion != SchemaVersion || s.Tool != "teeth" {
			return nil, fmt.Errorf("not a teeth report of schema version %d", SchemaVersion)
		}
		if s.Project != first.Project {
			return nil, fmt.Errorf("reports of different projects: %s and %s", first.Project, s.Project)
		}
	}
	m := *first
	m.Shard = ""
	m.Sites = mergeSites(shards)
	m.Anchors = mergeAnchors(shards, siteOrder(m.Sites))
	m.Summary = mergeSummary(shards)
	Finalize(&m)
	return &m, nil
}

func mergeSites(shards []*Report) []Site {
	var sites []Site
	seen := map[string]bool{}
	for _, r := range shards {
		for _, s := range r.Sites {
			if !seen[s.ID] {
				seen[s.ID] = true
				sites = append(sites, s)
			}
		}
	}
	slices.SortStableFunc(sites, func(a, b Site) int {
		if a.Path != b.Path {
			return cmpString(a.Path, b.Path)
		}
		return a.Line - b.Line
	})
	return sites
}

func siteOrder(sites []Site) map[string]int {
	order := map[string]int{}
	for i, s := range sites {
		order[s.ID] = i
	}
	return order
}

// mergeAnchors keeps the first shard's anchor records and gathers every
// shard's evidence; a restore run that was not green anywhere wins.
func mergeAnchors(shards []*Report, order map[string]int) []Anchor {
	anchors := slices.Clone(shards[0].Anchors)
	index := map[string]int{}
	for i, a := range anchors {
		index[a.NodeID] = i
		anchors[i].Mutants = nil
		anchors[i].Restore = nil
	}
	for _, r := range shards {
		for _, a := range r.Anchors {
			i, ok := index[a.NodeID]
			if !ok {
				continue
			}
			m := &anchors[i]
			m.Mutants = append(m.Mutants, a.Mutants...)
			if a.Restore != nil && (m.Restore == nil || a.Restore.Outcome != "passed") {
				m.Restore = a.Restore
			}
		}
	}
	for i := range anchors {
		slices.SortStableFunc(anchors[i].Mutants, func(a, b Evidence) int { return order[a.Site] - order[b.Site] })
		if anchors[i].Mutants == nil {
			anchors[i].Mutants = []Evidence{}
		}
	}
	return anchors
}

func mergeSummary(shards []*Report) Summary {
	s := Summary{Fallbacks: map[string]int{}}
	for _, r := range shards {
		s.PytestRuns += r.Summary.PytestRuns
		s.WarmRuns += r.Summary.WarmRuns
		s.LazyRuns += r.Summary.LazyRuns
		s.FreshRuns += r.Summary.FreshRuns
		s.CachedOutcomes += r.Summary.CachedOutcomes
		s.RuleRuns += r.Summary.RuleRuns
		s.RuleS = max(s.RuleS, r.Summary.RuleS)
		s.DurationS = max(s.DurationS, r.Summary.DurationS) // shards run side by side
		s.Reach = MergeReach(s.Reach, r.Summary.Reach)
		for k, v := range r.Summary.Fallbacks {
			s.Fallbacks[k] += v
		}
	}
	if c := shards[0].Summary.Counted; len(c) > 0 { // every shard counts the same baseline
		s.Counted = maps.Clone(c)
	}
	return s
}

// MergeReach combines how two runs or reports recorded reach: "line" when
// either traced per line, else "call" when either traced per call.
func MergeReach(a, b string) string {
	switch {
	case a == ReachLine || b == ReachLine:
		return ReachLine
	case a == ReachCall || b == ReachCall:
		return ReachCall
	}
	return ""
}

func cmpString(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
