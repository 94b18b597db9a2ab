package report

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/teethtool/teeth/internal/hint"
)

// Merge combines the reports of the shards of one run into the report of
// the whole run and decides its verdicts with Finalize. Each shard holds
// every anchor's baseline and the evidence of its own share of the sites;
// names are the shards' files, for the messages. Merge refuses reports of
// other projects or tools, a shard given twice, shards of different runs
// (configuration, source files, commit, shard count) and, unless partial,
// an incomplete set, naming what is missing. A partial merge is marked
// partial (see Finalize) and never passes.
func Merge(shards []*Report, names []string, partial bool) (*Report, error) {
	if len(shards) == 0 {
		return nil, hint.New("nothing to merge", "teeth merge --json all.json shard1.json shard2.json")
	}
	if err := sameRun(shards, names); err != nil {
		return nil, err
	}
	have, missing, err := shardSet(shards, names)
	if err != nil {
		return nil, err
	}
	if len(missing) > 0 && !partial {
		return nil, hint.New(fmt.Sprintf("incomplete shard set: %s missing (merging %s)", strings.Join(missing, ", "), strings.Join(have, ", ")),
			"merge every shard of the run; --partial merges these alone, marked partial, and exits 1")
	}
	first := shards[0]
	m := *first
	m.Shard = ""
	if len(missing) > 0 {
		m.Partial = &Partial{Shards: have, Missing: missing}
	}
	m.Sites = mergeSites(shards)
	m.Anchors = mergeAnchors(shards, siteOrder(m.Sites))
	m.Summary = mergeSummary(shards)
	Finalize(&m)
	return &m, nil
}

// sameRun refuses reports that are not the shards of one run.
func sameRun(shards []*Report, names []string) error {
	first := shards[0]
	for i, s := range shards {
		if s.SchemaVersion != SchemaVersion || s.Tool != "teeth" {
			return hint.New(fmt.Sprintf("%s is not a teeth report of schema version %d", names[i], SchemaVersion), "pass the files teeth verify --shard wrote with --json")
		}
		if s.Shard == "" {
			return hint.New(names[i]+" is not a shard: its run was not split with --shard", "merge the reports of teeth verify --shard i/n")
		}
		if s.Run == nil {
			return hint.New(names[i]+" does not say which run it belongs to (an older teeth wrote it)", "run the shards again with this teeth")
		}
		other := func(what, a, b string) error {
			return hint.New(fmt.Sprintf("%s and %s are shards of different runs: %s %s and %s", names[0], names[i], what, a, b),
				"merge the shards of one run: the same commit, source files and configuration")
		}
		switch {
		case s.Project != first.Project:
			return other("projects", first.Project, s.Project)
		case s.Mode != first.Mode:
			return other("modes", first.Mode, s.Mode)
		case s.Run.Commit != first.Run.Commit:
			return other("commits", orNone(first.Run.Commit), orNone(s.Run.Commit))
		case s.Run.Sources != first.Run.Sources:
			return other("source files", short(first.Run.Sources), short(s.Run.Sources))
		case s.Run.Config != first.Run.Config:
			return other("configurations", short(first.Run.Config), short(s.Run.Config))
		}
	}
	return nil
}

// shardSet checks the shards' specs: one shard count, no shard twice. It
// returns the shards there ("i/n", in order) and those missing.
func shardSet(shards []*Report, names []string) (have, missing []string, err error) {
	count, seen := 0, map[int]string{}
	for i, s := range shards {
		a, b, _ := strings.Cut(s.Shard, "/")
		k, err1 := strconv.Atoi(a)
		n, err2 := strconv.Atoi(b)
		if err1 != nil || err2 != nil || k < 1 || k > n {
			return nil, nil, hint.New(fmt.Sprintf("%s has a bad shard %q", names[i], s.Shard), "pass the files teeth verify --shard wrote with --json")
		}
		if count != 0 && n != count {
			return nil, nil, hint.New(fmt.Sprintf("%s and %s are shards of different runs: split %d and %d ways", names[0], names[i], count, n),
				"merge the shards of one run: the same --shard count")
		}
		count = n
		if prev, dup := seen[k]; dup {
			return nil, nil, hint.New(fmt.Sprintf("shard %s given twice: %s and %s", s.Shard, prev, names[i]), "pass each shard's report once")
		}
		seen[k] = names[i]
	}
	for k := 1; k <= count; k++ {
		spec := fmt.Sprintf("%d/%d", k, count)
		if _, ok := seen[k]; ok {
			have = append(have, spec)
		} else {
			missing = append(missing, spec)
		}
	}
	return have, missing, nil
}

// Note is one line saying what a partial merge holds and lacks.
func (p *Partial) Note() string {
	return fmt.Sprintf("partial merge: shards %s of the run; %s missing, their sites never run: the run fails whatever the verdicts",
		strings.Join(p.Shards, ", "), strings.Join(p.Missing, ", "))
}

func orNone(commit string) string {
	if commit == "" {
		return "(none: not a git checkout)"
	}
	return short(commit)
}

func short(digest string) string {
	if len(digest) > 12 {
		return digest[:12]
	}
	return digest
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
		s.RunsAtOnce = max(s.RunsAtOnce, r.Summary.RunsAtOnce)
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
