package report

import (
	"reflect"
	"testing"
)

// nearbyReport is a report of two files: app/a.py with three sites in two
// functions, app/b.py with one, and anchors of several verdicts.
func nearbyReport() *Report {
	return &Report{
		Anchors: []Anchor{
			{NodeID: "t::red_other", Verdict: RedOther},
			{NodeID: "t::teeth_f", Verdict: Teeth},
			{NodeID: "t::teeth_g", Verdict: Teeth},
			{NodeID: "t::broken", Verdict: Broken},
			{NodeID: "t::opted_out", Verdict: GateOff},
		},
		Sites: []Site{
			{ID: "a:f:x#0", Path: "app/a.py", Line: 20, Function: "f", Verdict: Guarded, Anchors: []string{"t::red_other", "t::teeth_f", "t::broken"}},
			{ID: "b:h:z#0", Path: "app/b.py", Line: 3, Function: "h", Verdict: Survived, Anchors: []string{"t::teeth_g"}},
			{ID: "a:f:y#0", Path: "app/a.py", Line: 12, Function: "f", Verdict: Unguarded},
			{ID: "a:g:w#0", Path: "app/a.py", Line: 40, Function: "g", Verdict: GateOff, Anchors: []string{"t::teeth_g", "t::opted_out", "t::gone"}},
		},
	}
}

func TestFiles(t *testing.T) {
	r := nearbyReport()
	files := Files(r)
	if len(files) != 2 || files[0].Path != "app/a.py" || files[1].Path != "app/b.py" {
		t.Fatalf("files = %+v", files)
	}
	a := files[0]
	if !reflect.DeepEqual(a.Sites, []int{2, 0, 3}) {
		t.Errorf("app/a.py sites %v, want by line [2 0 3]", a.Sites)
	}
	if want := map[string]int{Guarded: 1, Unguarded: 1, GateOff: 1}; !reflect.DeepEqual(a.Verdicts, want) {
		t.Errorf("verdicts %v, want %v", a.Verdicts, want)
	}
	if a.Guarded() != 1 || a.Share() != 1.0/3 {
		t.Errorf("guarded %d share %v", a.Guarded(), a.Share())
	}
	if files[1].Share() != 0 || (FileTally{}).Share() != 0 {
		t.Error("a file without guarded sites, or without sites, has a share")
	}
}

func TestClosest(t *testing.T) {
	r := nearbyReport()
	got := Closest(r, r.Sites[2])
	// Same function first (the site at line 20), anchors with teeth first;
	// then the same file (g's site); never the broken or the opted-out
	// anchor, nor one the report does not hold.
	want := []Nearby{
		{Anchor: "t::teeth_f", Verdict: Teeth, Same: "function", Via: "a:f:x#0"},
		{Anchor: "t::red_other", Verdict: RedOther, Same: "function", Via: "a:f:x#0"},
		{Anchor: "t::teeth_g", Verdict: Teeth, Same: "file", Via: "a:g:w#0"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("closest to the unguarded site:\n got %+v\nwant %+v", got, want)
	}
	// A gate-off site: the anchors that already reach it are not candidates.
	got = Closest(r, r.Sites[3])
	if len(got) != 2 || got[0].Anchor != "t::teeth_f" || got[0].Same != "file" || got[1].Anchor != "t::red_other" {
		t.Errorf("closest to the gate-off site: %+v", got)
	}
	if got := Closest(r, r.Sites[1]); len(got) != 0 {
		t.Errorf("a file with one site has no closest anchors, got %+v", got)
	}
}
