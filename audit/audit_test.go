package audit

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
)

func index() Index {
	return Index{
		"app/api.py": {Path: "app/api.py",
			Functions: []Function{
				{Qualname: "get_note", Line: 5, End: 9, Async: true, Decorators: []string{"router.get"}},
				{Qualname: "Store.load", Line: 12, End: 14, Async: true},
				{Qualname: "Store._flush", Line: 16, End: 18, Async: true},
				{Qualname: "sync_helper", Line: 20, End: 22},
			},
			Classes: []Class{{Qualname: "Store", Line: 11, End: 18}}},
	}
}

func TestDanglingRefs(t *testing.T) {
	doc := "Guards app/api.py:get_note and app/api.py:Store.load; also `Store.load`, `Store.save`, " +
		"app/gone.py:f, api.py:gone, and plain Path.read_text. Not the project's: `Path.replace`, " +
		"``Path.rename``, pathlib.py:Path.replace, lib/x.py:f, `Gone.method`."
	got := danglingRefs(doc, index())
	want := []string{"app/gone.py:f", "api.py:gone", "Store.save"}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("dangling = %v, want %v", got, want)
	}
}

func TestRunClassifiesAnchors(t *testing.T) {
	in := Input{
		Index: index(),
		Sites: []Site{
			{ID: "a", Path: "app/api.py", Function: "get_note", Line: 6},
			{ID: "b", Path: "app/api.py", Function: "Store.load", Line: 13},
			{ID: "c", Path: "app/api.py", Function: "Store._flush", Line: 17},
			{ID: "d", Path: "app/api.py", Function: "sync_helper", Line: 21},
		},
		Anchors: []Anchor{
			{NodeID: "t::stale", Outcome: "passed"},
			{NodeID: "t::self", Outcome: "passed", SelfTest: true},
			{NodeID: "t::bypass", Outcome: "passed", SelfOffloads: []string{"load_sync"}},
			{NodeID: "t::off", Outcome: "passed", GateOff: true, Sites: []string{"a"}},
			{NodeID: "t::skip", Outcome: "skipped", Excerpt: "skipped: flaky on CI"},
			{NodeID: "t::xf", Outcome: "skipped", Excerpt: "xfail: known"},
			{NodeID: "t::dup1", Outcome: "passed", Sites: []string{"b"}, Funcs: []string{"app/api.py:Store.load"}},
			{NodeID: "t::dup2", Outcome: "passed", Sites: []string{"b"}},
		},
		Deselected: []string{"t::slow"},
		Static: []StaticFinding{
			finding("LOW", "backend/app/api.py", "sync_helper", "NONE"),
			finding("MEDIUM", "backend/app/api.py", "Store._flush", "ASYNC_FUNCTION"),
			finding("HIGH", "backend/app/api.py", "get_note", "ASYNC_FUNCTION"),
			finding("HIGH", "app/api.py", "load", "ASYNC_FUNCTION"),
		},
	}
	r := Run(in)
	ids := func(fs []Finding) (out []string) {
		for _, f := range fs {
			out = append(out, f.Kind+" "+f.Anchor)
		}
		return out
	}
	check := func(name string, got, want []string) {
		t.Helper()
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s = %v, want %v", name, got, want)
		}
	}
	check("stale", ids(r.Stale), []string{"no-site t::stale"})
	check("self-tests", ids(r.SelfTests), []string{"self-test t::self"})
	check("bypass", ids(r.Bypass), []string{"bypass t::bypass"})
	check("opted out", ids(r.OptedOut), []string{"gate-off t::off", "skipped t::skip", "xfail t::xf", "deselected t::slow"})
	check("duplicates", ids(r.Duplicates), []string{"duplicate t::dup1", "duplicate t::dup2"})
	// a is reached only by a gate-off anchor: unguarded, and a handler ranks first.
	u := r.Unguarded
	if u.Sites != 4 || u.Reached != 1 || u.Coverage != 0.25 {
		t.Errorf("unguarded map counts %d/%d coverage %v", u.Reached, u.Sites, u.Coverage)
	}
	var risks []string
	for _, s := range u.Files[0].Sites {
		risks = append(risks, s.ID+"="+s.Risk)
	}
	check("risk order", risks, []string{"a=handler", "c=async", "d=other"})
	var static []string
	for _, f := range r.Static {
		static = append(static, f.Priority+" "+f.Location.Function)
	}
	check("static", static, []string{"HIGH get_note", "MEDIUM Store._flush"})
}

func finding(prio, path, function, exposure string) StaticFinding {
	var f StaticFinding
	f.Priority, f.Location.Path, f.Location.Function, f.Exposure = prio, path, function, exposure
	return f
}

// TestDuplicatesLinear: a group of 1,000 anchors reaching the same sites
// gives one finding per anchor, each naming at most 10 others: output
// linear in the anchors, not quadratic.
func TestDuplicatesLinear(t *testing.T) {
	var anchors []Anchor
	for i := 0; i < 1000; i++ {
		anchors = append(anchors, Anchor{NodeID: fmt.Sprintf("t::test_%d", i), Outcome: "passed", Sites: []string{"s#1", "s#0"}})
	}
	r := Run(Input{Anchors: anchors})
	if len(r.Duplicates) != 1000 {
		t.Fatalf("%d duplicate findings", len(r.Duplicates))
	}
	size := 0
	for _, f := range r.Duplicates {
		if len(f.Related) > 10 {
			t.Fatalf("%s names %d others", f.Anchor, len(f.Related))
		}
		size += len(f.Detail)
	}
	if want := "reaches exactly the same sites as t::test_1, t::test_2, t::test_3 and 996 more (2 sites): candidates to merge (a group of 1000 anchors; related names the first 10 others)"; r.Duplicates[0].Detail != want {
		t.Errorf("detail %q", r.Duplicates[0].Detail)
	}
	if size > 1000*200 {
		t.Errorf("%d bytes of details for 1000 anchors", size)
	}
}

// TestCountNoSite: under no_site = "count" the findings about tests that
// reach no site are counted by kind, not listed; the others stay.
func TestCountNoSite(t *testing.T) {
	r := Run(Input{CountNoSite: true, Anchors: []Anchor{
		{NodeID: "a", Outcome: "passed"},
		{NodeID: "b", Outcome: "skipped", Excerpt: "skipped: x"},
		{NodeID: "c", Outcome: "xfailed", Excerpt: "xfail: y"},
		{NodeID: "d", Outcome: "passed", GateOff: true},
		{NodeID: "e", Outcome: "passed", SelfOffloads: []string{"f"}},
		{NodeID: "f", Outcome: "passed", GateOff: true, Sites: []string{"s"}},
		{NodeID: "g", Outcome: "failed", Markers: []string{"xfail"}},
	}, Deselected: []string{"h"}})
	want := map[string]int{KindNoSite: 1, KindSkipped: 1, KindXfail: 1, KindGateOff: 1, KindBypass: 1}
	if fmt.Sprint(r.Counted) != fmt.Sprint(want) {
		t.Errorf("counted %v, want %v", r.Counted, want)
	}
	var listed []string
	for _, f := range r.OptedOut {
		listed = append(listed, f.Kind+":"+f.Anchor)
	}
	if got := strings.Join(listed, " "); got != "gate-off:f xfail:g deselected:h" {
		t.Errorf("opted out listed: %s", got)
	}
	if len(r.Stale) != 0 || len(r.Bypass) != 0 {
		t.Errorf("stale %v, bypass %v listed", r.Stale, r.Bypass)
	}
}

// TestLatent: detector exceptions caught in passing anchors become one
// finding per blocking frame and catcher, listing the anchors that pass
// over it; gate self-tests, anchors that ran with the gate off or failed,
// and exceptions raised for no project frame are not findings.
func TestLatent(t *testing.T) {
	cwd := Caught{Primitive: "os.getcwd", At: "app/paths.py:11", Function: "root",
		Catcher: Catcher{Kind: CatcherProject, At: "app/paths.py:12", Function: "root", How: "except Exception"}}
	logged := Caught{Primitive: "io.TextIOWrapper.write", At: "app/journal.py:18", Function: "post",
		Catcher: Catcher{Kind: CatcherLogging, At: "logging/__init__.py:1167", Detail: "FileHandler.emit caught it and called handleError: the record was lost"}}
	in := Input{Index: index(), Anchors: []Anchor{
		{NodeID: "t::a", Outcome: "passed", Latent: []Caught{cwd}},
		{NodeID: "t::b", Outcome: "passed", Latent: []Caught{cwd, logged}},
		{NodeID: "t::c", Outcome: "passed", Latent: []Caught{cwd}},
		{NodeID: "t::self", Outcome: "passed", SelfTest: true, Latent: []Caught{cwd}},
		{NodeID: "t::off", Outcome: "passed", GateOff: true, Latent: []Caught{cwd}},
		{NodeID: "t::broken", Outcome: "failed", Latent: []Caught{cwd}},
		{NodeID: "t::nowhere", Outcome: "passed", Latent: []Caught{{Primitive: "time.sleep"}}},
	}}
	got := Run(in).Latent
	if len(got) != 2 {
		t.Fatalf("%d findings, want 2: %+v", len(got), got)
	}
	j, p := got[0], got[1]
	if j.At != "app/journal.py:18" || j.Path != "app/journal.py" || j.Line != 18 || !reflect.DeepEqual(j.Anchors, []string{"t::b"}) {
		t.Errorf("logging finding %+v", j)
	}
	if want := "io.TextIOWrapper.write blocks the event loop at app/journal.py:18 in post: the gate raised, swallowed by logging: FileHandler.emit caught it and called handleError: the record was lost"; j.Detail != want {
		t.Errorf("detail %q, want %q", j.Detail, want)
	}
	if p.Kind != KindLatent || p.Primitive != "os.getcwd" || !reflect.DeepEqual(p.Anchors, []string{"t::a", "t::b", "t::c"}) {
		t.Errorf("cwd finding %+v", p)
	}
	if want := "os.getcwd blocks the event loop at app/paths.py:11 in root: the gate raised, swallowed by except Exception at app/paths.py:12 in root (project code)"; p.Detail != want {
		t.Errorf("detail %q, want %q", p.Detail, want)
	}
}
