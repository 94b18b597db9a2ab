package report

import (
	"reflect"
	"strings"
	"testing"

	"github.com/teethtool/teeth/audit"
)

func TestActions(t *testing.T) {
	r := nearbyReport()
	r.Anchors = append(r.Anchors,
		Anchor{NodeID: "t::self_test", Verdict: NoSite, SelfTest: true},
		Anchor{NodeID: "t::stale", Verdict: NoSite, Reason: "reaches no offload site: it guards nothing"},
		Anchor{NodeID: "t::bypass", Verdict: NoSite, Reason: "reaches no offload site: it guards nothing"},
		Anchor{NodeID: "t::audited", Verdict: Unverified})
	r.Sites[1].RuleProposal = &RuleProposal{Status: RuleProven, Primitive: "os.fsync", Rule: `BlockBusterFunction(None, "os.fsync")`, Gate: "tests/conftest.py:9", Anchors: []string{"t::teeth_g"}}
	r.Audit = &audit.Report{
		Stale:     []audit.Finding{{Kind: audit.KindNoSite, Anchor: "t::stale", Detail: "reaches no offload site"}},
		SelfTests: []audit.Finding{{Kind: audit.KindSelfTest, Anchor: "t::self_test", Detail: "a gate self-test"}},
		Bypass:    []audit.Finding{{Kind: audit.KindBypass, Anchor: "t::bypass", Detail: "the test offloads f itself"}},
		OptedOut:  []audit.Finding{{Kind: audit.KindGateOff, Anchor: "t::opted_out", Detail: "opted out of the gate"}},
		Dangling:  []audit.Finding{{Kind: audit.KindDangling, Anchor: "t::teeth_f", Detail: "its docstring names app/a.py:gone", Related: []string{"app/a.py:gone"}}},
		Unguarded: audit.UnguardedMap{Files: []audit.FileGroup{{Path: "app/a.py", Sites: []audit.UnguardedSite{{ID: "a:f:y#0"}}}}},
		Static:    []audit.StaticFinding{{Reason: "open() on the loop"}},
	}
	r.Audit.Static[0].Location.Path, r.Audit.Static[0].Location.Function = "app/c.py", "load"
	var kinds []string
	got := map[string]Action{}
	for _, a := range Actions(r) {
		kinds = append(kinds, a.Kind)
		got[a.Kind] = a
		if a.Title == "" || a.Fix == "" {
			t.Errorf("action %s has no title or fix", a.Kind)
		}
	}
	want := []string{Broken, ActionRule, RedOther, NoSite, "bypass", Unguarded, "dangling", "static", GateOff}
	if !reflect.DeepEqual(kinds, want) {
		t.Fatalf("kinds %v, want %v", kinds, want)
	}
	// The stale anchor is listed once, with its verdict's reason; the
	// self-test not at all, the bypass as one only, the unverified not at all.
	if items := got[NoSite].Items; len(items) != 1 || items[0].Anchor != "t::stale" || !strings.Contains(items[0].Detail, "guards nothing") {
		t.Errorf("no-site items %+v", items)
	}
	if !got[NoSite].Fails || !got[Broken].Fails || got[GateOff].Fails || !got[GateOff].Review || got[NoSite].Review {
		t.Error("fails or review marks are wrong")
	}
	if it := got[ActionRule].Items[0]; it.Site != "b:h:z#0" || it.Detail != `BlockBusterFunction(None, "os.fsync") in the gate at tests/conftest.py:9` {
		t.Errorf("rule item %+v", it)
	}
	if it := got[Unguarded].Items; len(it) != 1 || it[0].Site != "a:f:y#0" || !reflect.DeepEqual(it[0].Related, []string{"t::teeth_f", "t::red_other", "t::teeth_g"}) {
		t.Errorf("unguarded items %+v", it)
	}
	if it := got["static"].Items[0]; it.Where != "app/c.py:load" || it.Detail != "open() on the loop" {
		t.Errorf("static item %+v", it)
	}
	if it := got["dangling"].Items[0]; it.Anchor != "t::teeth_f" || !reflect.DeepEqual(it.Related, []string{"app/a.py:gone"}) {
		t.Errorf("dangling item %+v", it)
	}
}

// TestAuditFindingsAnyKind: a kind of finding the audit does not have yet
// (latent blocking calls, issue 19) is read from its JSON as it is.
func TestAuditFindingsAnyKind(t *testing.T) {
	data := []byte(`{
		"stale": [],
		"latent": [{"kind": "latent", "at": "app/paths.py:12", "primitive": "os.getcwd", "catcher": "project app/paths.py:15",
		            "anchors": ["t::a", "t::b"]}],
		"novel": [{"path": "app/x.py", "line": 3, "message": "something new"}],
		"unguarded": {"sites": 2, "files": []},
		"self_tests": [{"kind": "self-test", "anchor": "t::s", "detail": "a gate self-test"}]
	}`)
	got := auditFindings(data)
	want := []auditFinding{
		{"latent", ActionItem{Where: "app/paths.py:12", Detail: "catcher: project app/paths.py:15 · primitive: os.getcwd", Related: []string{"t::a", "t::b"}}},
		{"novel", ActionItem{Where: "app/x.py:3", Detail: "something new"}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("findings\n got %+v\nwant %+v", got, want)
	}
	if auditFindings([]byte(`[1]`)) != nil {
		t.Error("findings from JSON that is not an object")
	}
}
