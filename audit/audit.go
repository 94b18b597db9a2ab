package audit

import (
	"fmt"
	"path"
	"regexp"
	"slices"
	"sort"
	"strings"
)

// Anchor is what the baseline run tells about one anchor.
type Anchor struct {
	NodeID       string
	Outcome      string // baseline: passed, failed, skipped
	Excerpt      string
	GateOff      bool // the gate was off at baseline: observed, or by the opt-out marker
	OptOut       bool // it carries the opt-out marker
	SelfTest     bool
	Markers      []string // skip, skipif, xfail
	Sites        []string // reached site ids
	Doc          string
	SelfOffloads []string // callables the test body offloads itself
	Funcs        []string // "path:qualname" of source-root functions it ran
	// Latent are the detector exceptions raised for project code while it
	// ran at baseline, each with the frame that caught it.
	Latent []Caught
}

// Site is one offload site.
type Site struct {
	ID, Path, Function string
	Line               int
}

// Input is everything an audit is computed from.
type Input struct {
	Anchors    []Anchor
	Deselected []string
	Sites      []Site
	Index      Index // every source file of the source roots
	Static     []StaticFinding
	// CountNoSite: tests that reach no offload site are counted, not
	// listed (no_site = "count", a suite-wide gate): their no-site, bypass,
	// skipped, xfail and gate-off findings go to Report.Counted.
	CountNoSite bool
}

// Finding is one audit finding about an anchor.
type Finding struct {
	Kind    string   `json:"kind"`
	Anchor  string   `json:"anchor"`
	Detail  string   `json:"detail"`
	Related []string `json:"related,omitempty"`
}

// Finding kinds.
const (
	KindNoSite     = "no-site"
	KindSelfTest   = "self-test"
	KindBypass     = "bypass"
	KindGateOff    = "gate-off"
	KindSkipped    = "skipped"
	KindXfail      = "xfail"
	KindDeselected = "deselected"
	KindDangling   = "dangling"
	KindDuplicate  = "duplicate"
	KindUnguarded  = "unguarded"
	KindStatic     = "static"
	// KindBroken is an anchor that is not green at baseline (its report
	// verdict is broken); the audit lists it apart from the findings.
	KindBroken = "broken"
)

// Kinds lists the finding kinds a policy may fail on.
var Kinds = []string{KindBroken, KindLatent, KindNoSite, KindBypass, KindGateOff, KindSkipped, KindXfail, KindDeselected, KindDangling, KindDuplicate, KindUnguarded, KindStatic}

// DefaultFailOn is the audit's default exit policy.
var DefaultFailOn = []string{KindBroken, KindLatent, KindNoSite, KindBypass, KindDangling}

// Report is the audit's result.
type Report struct {
	Stale      []Finding       `json:"stale"`      // anchors that reach no offload site
	SelfTests  []Finding       `json:"self_tests"` // gate self-tests, not stale
	Bypass     []Finding       `json:"bypass"`
	OptedOut   []Finding       `json:"opted_out"` // gate-off, skipped, xfail, deselected
	Dangling   []Finding       `json:"dangling"`
	Duplicates []Finding       `json:"duplicates"`
	Unguarded  UnguardedMap    `json:"unguarded"`
	Static     []StaticFinding `json:"static"` // findings on async paths no anchor reaches
	// Latent are the blocking calls the gate caught at baseline in anchors
	// that still passed: production code swallowed the detector's error.
	Latent []Latent `json:"latent"`
	// Counted are the findings about tests that reach no offload site,
	// by kind, under no_site = "count": counted, not listed, never failing.
	Counted map[string]int `json:"counted,omitempty"`
}

// Run computes the audit.
func Run(in Input) *Report {
	r := &Report{Stale: []Finding{}, SelfTests: []Finding{}, Bypass: []Finding{}, OptedOut: []Finding{},
		Dangling: []Finding{}, Duplicates: []Finding{}, Static: []StaticFinding{}}
	for _, a := range in.Anchors {
		r.anchor(a, in.Index, in.CountNoSite && len(a.Sites) == 0 && !a.SelfTest && a.Outcome != "failed")
	}
	for _, id := range in.Deselected {
		r.OptedOut = append(r.OptedOut, Finding{Kind: KindDeselected, Anchor: id, Detail: "deselected by the project's pytest configuration"})
	}
	r.Duplicates = duplicates(in.Anchors)
	r.Unguarded = unguardedMap(in)
	r.Static = unreachedStatic(in)
	r.Latent = latent(in.Anchors)
	return r
}

// add lists a finding, or counts it when counted.
func (r *Report) add(list *[]Finding, f Finding, counted bool) {
	if !counted {
		*list = append(*list, f)
		return
	}
	if r.Counted == nil {
		r.Counted = map[string]int{}
	}
	r.Counted[f.Kind]++
}

func (r *Report) anchor(a Anchor, ix Index, counted bool) {
	switch {
	case len(a.Sites) == 0 && a.SelfTest:
		r.SelfTests = append(r.SelfTests, Finding{Kind: KindSelfTest, Anchor: a.NodeID, Detail: "expects the detector itself (pytest.raises): a gate self-test"})
	case len(a.Sites) == 0 && a.GateOff:
		// An opt-out check reaching nothing is reported as opted out below.
	case len(a.Sites) == 0 && len(a.SelfOffloads) > 0:
		r.add(&r.Bypass, Finding{Kind: KindBypass, Anchor: a.NodeID,
			Detail:  "the test offloads " + strings.Join(a.SelfOffloads, ", ") + " itself and reaches no production offload",
			Related: a.SelfOffloads}, counted)
	case len(a.Sites) == 0 && a.Outcome == "passed":
		r.add(&r.Stale, Finding{Kind: KindNoSite, Anchor: a.NodeID, Detail: "reaches no offload site"}, counted)
	}
	switch {
	case a.GateOff:
		detail := "opted out of the gate"
		if !a.OptOut {
			detail = "ran with the gate off: the gate's own logic left it off (no opt-out marker)"
		}
		r.add(&r.OptedOut, Finding{Kind: KindGateOff, Anchor: a.NodeID, Detail: detail}, counted)
	case a.Outcome == "xfailed" || (a.Outcome == "skipped" && strings.HasPrefix(a.Excerpt, "xfail")):
		r.add(&r.OptedOut, Finding{Kind: KindXfail, Anchor: a.NodeID, Detail: a.Excerpt}, counted)
	case a.Outcome == "skipped":
		r.add(&r.OptedOut, Finding{Kind: KindSkipped, Anchor: a.NodeID, Detail: a.Excerpt}, counted)
	case slices.Contains(a.Markers, "xfail"):
		r.add(&r.OptedOut, Finding{Kind: KindXfail, Anchor: a.NodeID, Detail: "marked xfail"}, counted)
	}
	for _, ref := range danglingRefs(a.Doc, ix) {
		r.Dangling = append(r.Dangling, Finding{Kind: KindDangling, Anchor: a.NodeID,
			Detail: "its docstring names " + ref + ", which no longer exists", Related: []string{ref}})
	}
}

var (
	fileRef  = regexp.MustCompile(`([\w./-]+\.py):([A-Za-z_][\w.]*)`)
	classRef = regexp.MustCompile("`{1,2}([A-Z][A-Za-z0-9_]*)\\.([A-Za-z_][A-Za-z0-9_]*)`{1,2}")
)

// danglingRefs returns the references in doc to production symbols that do
// not exist: "path.py:qualname" anywhere, and backticked `Class.method`. Only
// names that would resolve into the project's own modules are checked: a path
// whose file or directory is one of the source roots' (app/gone.py is, when
// app/ holds indexed files), and a class or function the source roots define
// (`Path.replace` of pathlib is never checked, unless the project defines a
// Path of its own).
func danglingRefs(doc string, ix Index) []string {
	var out []string
	for _, m := range fileRef.FindAllStringSubmatch(doc, -1) {
		if ix.ownsPath(m[1]) && !ix.hasFileSymbol(m[1], strings.TrimRight(m[2], ".")) {
			out = append(out, m[0])
		}
	}
	for _, m := range classRef.FindAllStringSubmatch(doc, -1) {
		if ix.hasSymbol(m[1]) && !ix.hasSymbol(m[1]+"."+m[2]) {
			out = append(out, m[1]+"."+m[2])
		}
	}
	return out
}

// ownsPath reports whether file (a slash path, possibly a suffix of an
// indexed one) is, or would be, a file of the source roots: an indexed file
// ends with it, or an indexed file's directory ends with its directory.
func (ix Index) ownsPath(file string) bool {
	dir, _ := path.Split(file)
	for p := range ix {
		if p == file || strings.HasSuffix(p, "/"+file) {
			return true
		}
		if pdir, _ := path.Split(p); dir != "" && (pdir == dir || strings.HasSuffix(pdir, "/"+dir)) {
			return true
		}
	}
	return false
}

func (ix Index) hasFileSymbol(file, qualname string) bool {
	for p, f := range ix {
		if p == file || strings.HasSuffix(p, "/"+file) {
			if f.has(qualname) {
				return true
			}
		}
	}
	return false
}

func (ix Index) hasSymbol(qualname string) bool {
	for _, f := range ix {
		if f.has(qualname) {
			return true
		}
	}
	return false
}

func (f *File) has(qualname string) bool {
	for _, fn := range f.Functions {
		if fn.Qualname == qualname {
			return true
		}
	}
	for _, c := range f.Classes {
		if c.Qualname == qualname {
			return true
		}
	}
	return false
}

// duplicates groups green anchors whose reached-site sets are identical, by
// hashing each set (a map keyed by the sorted set), never pairwise. Each
// anchor of a group gets one finding naming at most maxRelated of the
// others, so the output grows linearly with the anchors.
func duplicates(anchors []Anchor) []Finding {
	groups := map[string][]string{}
	var keys []string
	for _, a := range anchors {
		if len(a.Sites) == 0 || a.Outcome != "passed" || a.GateOff {
			continue
		}
		sites := slices.Clone(a.Sites)
		sort.Strings(sites)
		key := strings.Join(sites, "\x00")
		if groups[key] == nil {
			keys = append(keys, key)
		}
		groups[key] = append(groups[key], a.NodeID)
	}
	out := []Finding{}
	for _, k := range keys {
		g := groups[k]
		if len(g) < 2 {
			continue
		}
		n := strings.Count(k, "\x00") + 1
		for i, id := range g {
			var others []string
			for j, o := range g {
				if j != i && len(others) < maxRelated {
					others = append(others, o)
				}
			}
			rest := len(g) - 1 - len(others)
			names := strings.Join(others[:min(len(others), 3)], ", ")
			if more := len(g) - 1 - min(len(others), 3); more > 0 {
				names += fmt.Sprintf(" and %d more", more)
			}
			f := Finding{Kind: KindDuplicate, Anchor: id, Related: others,
				Detail: "reaches exactly the same sites as " + names + " (" + plural(n, "site") + "): candidates to merge"}
			if rest > 0 {
				f.Detail += fmt.Sprintf(" (a group of %d anchors; related names the first %d others)", len(g), maxRelated)
			}
			out = append(out, f)
		}
	}
	return out
}

// maxRelated bounds the other anchors a duplicate finding names.
const maxRelated = 10

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}
