package rules

import (
	"errors"
	"strings"
	"testing"

	"github.com/teethtool/teeth/internal/hint"
	"github.com/teethtool/teeth/report"
)

// survived is a report with one survived site reached by the given anchors,
// each with what the call did in its run.
func survived(blocked map[string]*report.Blocked, order ...string) *report.Report {
	r := &report.Report{Sites: []report.Site{{ID: "app/j.py:J.commit:sync#0", Verdict: report.Survived, Anchors: order}}}
	for _, a := range order {
		r.Anchors = append(r.Anchors, report.Anchor{NodeID: a, Mutants: []report.Evidence{
			{Site: "app/j.py:J.commit:sync#0", Outcome: report.Survived, Run: report.Run{Outcome: "passed", Blocked: blocked[a]}},
		}})
	}
	return r
}

func onLoop(prims ...report.Primitive) *report.Blocked {
	return &report.Blocked{Reach: report.ReachCall, Runs: 1, OnLoop: 1, LoopS: 0.001, Primitives: prims, DetectorRules: 65}
}

func TestDecidePrefersAPrimitiveThatWaits(t *testing.T) {
	// os.open took longer here than os.fsync: fsync still wins, as it waits on the disk.
	r := survived(map[string]*report.Blocked{"t::a": onLoop(
		report.Primitive{Name: "os.open", Calls: 1, S: 0.0009},
		report.Primitive{Name: "os.fsync", Calls: 1, S: 0.0002},
		report.Primitive{Name: "os.close", Calls: 1, S: 0.00001},
	)}, "t::a")
	p, err := Decide(r, "app/j.py:J.commit:sync#0", "")
	if err != nil {
		t.Fatal(err)
	}
	if p.Status != report.RuleUnproven || p.Primitive != "os.fsync" || strings.Join(p.Alternatives, ",") != "os.open,os.close" {
		t.Fatalf("got %+v", p)
	}
	if strings.Join(p.Anchors, ",") != "t::a" {
		t.Fatalf("anchors %v", p.Anchors)
	}
	p, err = Decide(r, "app/j.py:J.commit:sync#0", "os.close")
	if err != nil || p.Primitive != "os.close" || strings.Join(p.Alternatives, ",") != "os.fsync,os.open" {
		t.Fatalf("--primitive os.close: %+v, %v", p, err)
	}
}

func TestDecideKeepsOnlyTheAnchorsThatCalledThePrimitive(t *testing.T) {
	mocked := &report.Blocked{Reach: report.ReachCall, Runs: 1, OnLoop: 1, LoopS: 0.0002,
		Mocks: []report.Mock{{Name: "os.fsync", Type: "MagicMock", At: "app/j.py:9"}}, DetectorRules: 65}
	r := survived(map[string]*report.Blocked{
		"t::mocked": mocked,
		"t::real":   onLoop(report.Primitive{Name: "select.select", Calls: 2, S: 0.001}),
	}, "t::mocked", "t::real")
	p, err := Decide(r, "app/j.py:J.commit:sync#0", "")
	if err != nil || p.Primitive != "select.select" || strings.Join(p.Anchors, ",") != "t::real" {
		t.Fatalf("got %+v, %v", p, err)
	}
}

func TestDecideNone(t *testing.T) {
	for _, tc := range []struct {
		name    string
		blocked *report.Blocked
		want    string
	}{
		{"mocked", &report.Blocked{Reach: report.ReachCall, Runs: 1, OnLoop: 1, LoopS: 0.0002,
			Mocks: []report.Mock{{Name: "os.listdir", Type: "MagicMock"}}, DetectorRules: 65},
			"no rule: the call ran on the loop for 0.2 ms and did no IO: the test replaces `os.listdir` with a MagicMock"},
		{"cpu", onLoop(report.Primitive{Name: "hashlib.openssl_sha256", Calls: 2, S: 0.0002}, report.Primitive{Name: "zlib.compress", Calls: 1, S: 0.0001}),
			"no rule: the call spent its time on the loop in CPU work (`hashlib.openssl_sha256` ×2 and `zlib.compress`), not in IO; " +
				"a detector rule is for blocking IO, and one on hashing or compression would fire at every hashing or compression call the scanned modules make on the loop"},
		{"off the loop", &report.Blocked{Reach: report.ReachCall, Runs: 2, OnLoop: 0, Primitives: []report.Primitive{{Name: "os.fsync", Calls: 2}}},
			"no rule: the call ran 2 times, never on the event loop's thread"},
		{"nothing recorded", nil, "no rule: nothing was recorded of what the call did on the loop"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := Decide(survived(map[string]*report.Blocked{"t::a": tc.blocked}, "t::a"), "app/j.py:J.commit:sync#0", "")
			if err != nil {
				t.Fatal(err)
			}
			if p.Status != report.RuleNone || !strings.HasPrefix(p.Reason, tc.want) {
				t.Fatalf("got %s: %s\nwant %s", p.Status, p.Reason, tc.want)
			}
		})
	}
}

func TestDecideBadInput(t *testing.T) {
	r := survived(map[string]*report.Blocked{"t::a": onLoop(report.Primitive{Name: "os.fsync", Calls: 1})}, "t::a")
	r.Sites = append(r.Sites, report.Site{ID: "app/j.py:J.open:os.stat#0", Verdict: report.Guarded, Reason: "un-offloading it turns an anchor red"})
	r.Anchors = append(r.Anchors, report.Anchor{NodeID: "t::off", GateOff: true, Mutants: []report.Evidence{
		{Site: "app/j.py:J.commit:sync#0", Outcome: report.Survived, Run: report.Run{Blocked: onLoop(report.Primitive{Name: "os.lockf", Calls: 1})}},
	}})
	for _, tc := range []struct{ id, prim, msg string }{
		{"nope#0", "", "no site has the id nope#0"},
		{"app/j.py:J.open:os.stat#0", "", "site app/j.py:J.open:os.stat#0 is guarded, not a rule candidate: un-offloading it turns an anchor red"},
		// os.lockf ran only under an anchor that opts out of the gate.
		{"app/j.py:J.commit:sync#0", "os.lockf", "the un-offloaded call of app/j.py:J.commit:sync#0 did not block the loop in an unpatched os.lockf"},
	} {
		_, err := Decide(r, tc.id, tc.prim)
		var re *hint.Error
		if !errors.As(err, &re) || re.Msg != tc.msg || re.Hint == "" {
			t.Errorf("Decide(%s, %q) = %v, want %q with a hint", tc.id, tc.prim, err, tc.msg)
		}
	}
}

// TestDecideKeepsTheBinding: a primitive reached through the builtin name is
// proposed as builtins.NAME (the evidence names it so), with how its call
// named it.
func TestDecideKeepsTheBinding(t *testing.T) {
	via := &report.Binding{Kind: report.ViaBuiltin, Name: "open", At: "app/j.py:10"}
	r := survived(map[string]*report.Blocked{"t::a": onLoop(report.Primitive{Name: "builtins.open", Calls: 1, S: 0.0003, Via: via})}, "t::a")
	p, err := Decide(r, "app/j.py:J.commit:sync#0", "")
	if err != nil || p.Primitive != "builtins.open" || p.Via != via {
		t.Fatalf("got %+v, %v", p, err)
	}
}

// TestNotFired: a rule the gate took that never fired is refuted with the
// binding that defeated it, and the rule that would work, or none.
func TestNotFired(t *testing.T) {
	for _, tc := range []struct {
		via  *report.Binding
		want string
	}{
		{&report.Binding{Kind: report.ViaFromImport, Name: "fsync", At: "svc/spool.py:15", Module: "svc.spool", ImportAt: "svc/spool.py:7", Statement: "from os import fsync"},
			"the call at svc/spool.py:15 reaches os.fsync through the name fsync, bound by `from os import fsync` at svc/spool.py:7 before the gate activates; " +
				"a rule on os.fsync replaces the attribute of its module, not that name. A rule on the name in svc.spool would: " +
				`BlockBusterFunction(None, "svc.spool.fsync", ...) (svc.spool imported before the gate is built); or call it as os.fsync`},
		{&report.Binding{Kind: report.ViaLocal, Name: "sync", At: "svc/spool.py:15"},
			"the call at svc/spool.py:15 reaches os.fsync through the local name sync, which holds the function itself: no rule can replace a local name; call it through its module (os.fsync)"},
		{&report.Binding{Kind: report.ViaCompiled, At: "svc/_speed.pyx:3"},
			"the call at svc/_speed.pyx:3 comes from compiled code, which calls the C function directly: no rule on a Python name can catch it"},
		{&report.Binding{Kind: report.ViaAttribute, Name: "os.fsync", At: "svc/spool.py:15"},
			"the call at svc/spool.py:15 names os.fsync, the name the rule replaces, yet the rule never fired"},
		{nil, "the call reaches os.fsync through a name the rule does not patch (the evidence does not say which"},
	} {
		got := notFired(&report.RuleProposal{Primitive: "os.fsync", Via: tc.via})
		if !strings.HasPrefix(got, tc.want) {
			t.Errorf("via %+v:\n got %s\nwant %s", tc.via, got, tc.want)
		}
	}
}
