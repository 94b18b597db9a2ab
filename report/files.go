package report

import (
	"sort"
)

// FileTally is one source file's offload sites, counted by verdict.
type FileTally struct {
	Path string
	// Sites are the indexes of the file's sites in Report.Sites, by line.
	Sites []int
	// Verdicts counts the file's sites by site verdict.
	Verdicts map[string]int
}

// Guarded is how many of the file's sites are guarded.
func (f FileTally) Guarded() int { return f.Verdicts[Guarded] }

// Share is the file's share of guarded sites, from 0 to 1.
func (f FileTally) Share() float64 {
	if len(f.Sites) == 0 {
		return 0
	}
	return float64(f.Guarded()) / float64(len(f.Sites))
}

// Files tallies the report's sites per source file, in path order.
func Files(r *Report) []FileTally {
	byPath := map[string]*FileTally{}
	var paths []string
	for i, s := range r.Sites {
		f := byPath[s.Path]
		if f == nil {
			f = &FileTally{Path: s.Path, Verdicts: map[string]int{}}
			byPath[s.Path] = f
			paths = append(paths, s.Path)
		}
		f.Sites = append(f.Sites, i)
		f.Verdicts[s.Verdict]++
	}
	sort.Strings(paths)
	out := make([]FileTally, len(paths))
	for i, p := range paths {
		f := byPath[p]
		sort.SliceStable(f.Sites, func(a, b int) bool { return r.Sites[f.Sites[a]].Line < r.Sites[f.Sites[b]].Line })
		out[i] = *f
	}
	return out
}

// Nearby is an anchor that comes close to a site no anchor with the gate on
// reaches: it reaches another site of the same function (Same "function",
// the same caller) or of the same file (Same "file", the same module).
type Nearby struct {
	Anchor  string
	Verdict string
	Same    string // "function" or "file"
	Via     string // the id of the other site it reaches
}

// Closest lists the anchors that come closest to site s, as candidates to
// extend so that they reach it: those reaching another site of its function
// first, then those reaching another site of its file; within each, anchors
// with teeth first, then in report order. Anchors not green at baseline,
// anchors that opt out of the gate, and anchors the report does not hold
// are left out: none of them could guard it.
func Closest(r *Report, s Site) []Nearby {
	verdict := map[string]string{}
	for _, a := range r.Anchors {
		verdict[a.NodeID] = a.Verdict
	}
	var out []Nearby
	seen := map[string]bool{}
	for _, a := range s.Anchors {
		seen[a] = true // already reaches it (with the gate off)
	}
	for _, same := range []string{"function", "file"} {
		var group []Nearby
		for _, o := range r.Sites {
			if o.ID == s.ID || o.Path != s.Path || (same == "function" && o.Function != s.Function) {
				continue
			}
			for _, a := range o.Anchors {
				v, known := verdict[a]
				if seen[a] || !known || v == Broken || v == GateOff {
					continue
				}
				seen[a] = true
				group = append(group, Nearby{Anchor: a, Verdict: v, Same: same, Via: o.ID})
			}
		}
		sort.SliceStable(group, func(i, j int) bool { return group[i].Verdict == Teeth && group[j].Verdict != Teeth })
		out = append(out, group...)
	}
	return out
}
