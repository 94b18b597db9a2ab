package report

import (
	"reflect"
	"testing"
)

// split gives each shard the sites (and their evidence) it owns.
func split(r *Report, owns func(i int, site string) bool, n int) []*Report {
	var shards []*Report
	for i := 0; i < n; i++ {
		s := *r
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
	merged, err := Merge(shards)
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
	if _, err := Merge([]*Report{a, b}); err == nil {
		t.Fatal("merged reports of two projects")
	}
}
