package report

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/teethtool/teeth/internal/hint"
)

// split gives each shard the sites (and their evidence) it owns.
func split(r *Report, owns func(i int, site string) bool, n int) []*Report {
	var shards []*Report
	for i := 0; i < n; i++ {
		s := *r
		s.Shard = fmt.Sprintf("%d/%d", i+1, n)
		s.Run = &RunID{Config: "c0ffee", Sources: "50c5", Commit: "abc1234"}
		s.Sites = nil
		for _, st := range r.Sites {
			if owns(i, st.ID) {
				s.Sites = append(s.Sites, st)
			}
		}
		s.Anchors = nil
		for _, a := range r.Anchors {
			b := a
			b.Mutants = nil
			for _, ev := range a.Mutants {
				if owns(i, ev.Site) {
					b.Mutants = append(b.Mutants, ev)
				}
			}
			if len(b.Mutants) == 0 {
				b.Restore = nil
			}
			s.Anchors = append(s.Anchors, b)
		}
		Finalize(&s)
		shards = append(shards, &s)
	}
	return shards
}

func TestMergeEqualsWhole(t *testing.T) {
	whole := sample()
	whole.Sites = append(whole.Sites, Site{ID: "app/y.py:g:h#0", Path: "app/y.py", Line: 3, Anchors: []string{}, Shape: "awaited"})
	Finalize(whole)
	shards := split(whole, func(i int, site string) bool { return (site == "app/y.py:g:h#0") == (i == 1) }, 2)
	if shards[1].Anchors[0].Verdict == Teeth {
		t.Fatal("the shard without the killing site already says teeth; the test proves nothing")
	}
	merged, err := Merge(shards, []string{"s1.json", "s2.json"}, false)
	if err != nil {
		t.Fatal(err)
	}
	for i, a := range whole.Anchors {
		if got := merged.Anchors[i]; got.Verdict != a.Verdict || !reflect.DeepEqual(got.Mutants, a.Mutants) {
			t.Errorf("anchor %s: merged %s %v, whole %s %v", a.NodeID, got.Verdict, got.Mutants, a.Verdict, a.Mutants)
		}
	}
	for i, s := range whole.Sites {
		if merged.Sites[i].ID != s.ID || merged.Sites[i].Verdict != s.Verdict {
			t.Errorf("site %d: merged %s %s, whole %s %s", i, merged.Sites[i].ID, merged.Sites[i].Verdict, s.ID, s.Verdict)
		}
	}
	if !reflect.DeepEqual(merged.Summary.AnchorVerdicts, whole.Summary.AnchorVerdicts) || merged.Shard != "" {
		t.Errorf("summary %v, whole %v", merged.Summary.AnchorVerdicts, whole.Summary.AnchorVerdicts)
	}
}

func TestMergeRejectsOtherProjects(t *testing.T) {
	a, b := sample(), sample()
	b.Project = "/elsewhere"
	if _, err := Merge([]*Report{a, b}, []string{"a.json", "b.json"}, false); err == nil {
		t.Fatal("merged reports of two projects")
	}
}

// issue 22: merge takes the shards of one run, each once, all of them; it
// names what is wrong or missing, with a hint.
func TestMergeRefusesWhatIsNotOneWholeRun(t *testing.T) {
	whole := sample()
	whole.Sites = append(whole.Sites, Site{ID: "app/y.py:g:h#0", Path: "app/y.py", Line: 3, Anchors: []string{}, Shape: "awaited"})
	Finalize(whole)
	three := split(whole, func(i int, site string) bool { return i == 0 }, 3)
	shards := split(whole, func(i int, site string) bool { return (site == "app/y.py:g:h#0") == (i == 1) }, 2)
	with := func(i int, change func(r *Report)) *Report {
		r := *shards[i]
		id := *r.Run
		r.Run = &id
		change(&r)
		return &r
	}
	for _, tt := range []struct {
		in   []*Report
		want string
	}{
		{[]*Report{shards[0], shards[0]}, "shard 1/2 given twice: a.json and b.json"},
		{[]*Report{shards[0]}, "incomplete shard set: 2/2 missing (merging 1/2)"},
		{[]*Report{shards[0], three[1]}, "a.json and b.json are shards of different runs: split 2 and 3 ways"},
		{[]*Report{shards[0], with(1, func(r *Report) { r.Run.Config = "decaf" })}, "a.json and b.json are shards of different runs: configurations c0ffee and decaf"},
		{[]*Report{shards[0], with(1, func(r *Report) { r.Run.Commit = "def5678" })}, "a.json and b.json are shards of different runs: commits abc1234 and def5678"},
		{[]*Report{shards[0], with(1, func(r *Report) { r.Run.Sources = "beef" })}, "a.json and b.json are shards of different runs: source files 50c5 and beef"},
		{[]*Report{shards[0], with(1, func(r *Report) { r.Project = "/elsewhere" })}, "a.json and b.json are shards of different runs: projects /p and /elsewhere"},
		{[]*Report{shards[0], with(1, func(r *Report) { r.Shard = "" })}, "b.json is not a shard: its run was not split with --shard"},
		{[]*Report{shards[0], with(1, func(r *Report) { r.Run = nil })}, "b.json does not say which run it belongs to (an older teeth wrote it)"},
	} {
		_, err := Merge(tt.in, []string{"a.json", "b.json"}, false)
		var he *hint.Error
		if !errors.As(err, &he) || he.Msg != tt.want || he.Hint == "" || he.Code != 2 {
			t.Errorf("got %#v, want %q with a hint", err, tt.want)
		}
	}
}

// issue 22: --partial merges an incomplete set; the report says so, an
// anchor whose sites all lie in the missing shards is unverified (not an
// error), and the run fails whatever the verdicts.
func TestMergePartial(t *testing.T) {
	whole := sample()
	whole.Anchors[1].Verdict, whole.Anchors[1].Reason = Teeth, ""
	whole.FailOn = []string{Broken} // nothing of the sample fails: only the partial merge does
	Finalize(whole)
	shards := split(whole, func(i int, site string) bool { return i == 1 }, 2) // shard 2/2 holds every site
	merged, err := Merge(shards[:1], []string{"s1.json"}, true)
	if err != nil {
		t.Fatal(err)
	}
	if p := merged.Partial; p == nil || fmt.Sprint(p.Shards, p.Missing) != "[1/2] [2/2]" {
		t.Fatalf("partial %+v", merged.Partial)
	}
	a := merged.Anchors[0]
	if a.Verdict != Unverified || !strings.Contains(a.Reason, "partial merge: its 1 offload sites are in the missing shards (2/2), never run") {
		t.Errorf("anchor %s: %s: %s", a.NodeID, a.Verdict, a.Reason)
	}
	if !merged.Summary.Failed {
		t.Error("a partial merge passed")
	}
	whole2, err := Merge(shards, []string{"s1.json", "s2.json"}, false)
	if err != nil || whole2.Summary.Failed || whole2.Partial != nil {
		t.Errorf("the whole set: %v, failed %v, partial %v", err, whole2.Summary.Failed, whole2.Partial)
	}
}
