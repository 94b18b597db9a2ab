package report

import (
	"strings"
	"testing"
)

func TestStory(t *testing.T) {
	fsync := []Primitive{{Name: "os.fsync", Calls: 2, S: 0.039}, {Name: "os.open", Calls: 1, S: 0.001}}
	listdir := []Mock{{Name: "os.listdir", Type: "MagicMock", At: "app/ws.py:13"}}
	tests := []struct {
		name string
		b    *Blocked
		want string
	}{
		{"no evidence", nil, ""},
		{"never ran", &Blocked{Reach: ReachCall}, ""},
		{"off the loop", &Blocked{Reach: ReachCall, Runs: 2},
			"the call ran 2 times, never on the event loop's thread"},
		{"off the loop once", &Blocked{Reach: ReachCall, Runs: 1},
			"the call ran once, never on the event loop's thread"},
		{"only built a coroutine", &Blocked{Reach: ReachCall, Runs: 1, OnLoop: 1, Lazy: 1},
			"the call only built a generator or coroutine on the loop: nothing ran there"},
		{"mocked", &Blocked{Reach: ReachCall, Runs: 1, OnLoop: 1, LoopS: 0.0002, Mocks: listdir, DetectorRules: 65},
			"the call ran on the loop for 0.2 ms and did no IO: the test replaces `os.listdir` with a MagicMock"},
		{"autospec", &Blocked{Reach: ReachCall, Runs: 1, OnLoop: 1, LoopS: 0.0002, Mocks: []Mock{{Name: "store.get", Type: "autospec"}}},
			"the call ran on the loop for 0.2 ms and did no IO: the test replaces `store.get` with an autospec mock"},
		{"several mocks", &Blocked{Reach: ReachCall, Runs: 1, OnLoop: 1, LoopS: 0.0002,
			Mocks: []Mock{{Name: "a", Type: "Mock"}, {Name: "b", Type: "AsyncMock"}, {Name: "c", Type: "Mock"}}},
			"the call ran on the loop for 0.2 ms and did no IO: the test replaces `a`, `b` and 1 more with mocks"},
		{"detector gap", &Blocked{Reach: ReachCall, Runs: 1, OnLoop: 1, LoopS: 0.04, Primitives: fsync, DetectorRules: 65},
			"the call ran for 40 ms on the loop in `os.fsync` ×2 and `os.open`, which the detector does not patch; the detector raised nothing"},
		{"detector gap, table unread", &Blocked{Reach: ReachCall, Runs: 1, OnLoop: 1, LoopS: 0.04, Primitives: fsync},
			"the call ran for 40 ms on the loop in `os.fsync` ×2 and `os.open` (the detector's table could not be read to tell the patched ones apart); the detector raised nothing"},
		{"gap and a mock", &Blocked{Reach: ReachCall, Runs: 1, OnLoop: 1, LoopS: 0.04, Primitives: fsync[:1], Mocks: listdir, DetectorRules: 65},
			"the call ran for 40 ms on the loop in `os.fsync` ×2, which the detector does not patch; the detector raised nothing; the test replaces `os.listdir` with a MagicMock"},
		{"patched but silent", &Blocked{Reach: ReachCall, Runs: 1, OnLoop: 1, LoopS: 0.003, Patched: []Primitive{{Name: "os.stat", Calls: 1}}, DetectorRules: 65},
			"the call ran for 3.0 ms on the loop in `os.stat`, which the detector patches, yet it raised nothing: no frame of the scanned modules was on the stack, or the gate allows the call there"},
		{"no blocking primitive", &Blocked{Reach: ReachCall, Runs: 1, OnLoop: 1, LoopS: 0.00005, DetectorRules: 65},
			"the call ran on the loop for 0.05 ms and called no known blocking primitive: nothing there for a detector to catch"},
		{"per line", &Blocked{Reach: ReachLine, Runs: 1, OnLoop: 1, LoopS: 1.5, Primitives: fsync[:1], DetectorRules: 65},
			"the call's lines ran for 1.5 s on the loop in `os.fsync` ×2, which the detector does not patch; the detector raised nothing"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.b.Story(); got != tt.want {
				t.Errorf("Story =\n %q\nwant\n %q", got, tt.want)
			}
		})
	}
}

func TestDuration(t *testing.T) {
	for s, want := range map[float64]string{
		0.000001: "<0.01 ms", 0.00005: "0.05 ms", 0.0002: "0.2 ms", 0.0123: "12 ms", 0.04: "40 ms", 1.23: "1.2 s",
	} {
		if got := Duration(s); got != want {
			t.Errorf("Duration(%v) = %q, want %q", s, got, want)
		}
	}
}

func TestDecideReasonsFromEvidence(t *testing.T) {
	site := "app/ws.py:Workspace.entries:self._scan#0"
	mocked := &Blocked{Reach: ReachCall, Runs: 1, OnLoop: 1, LoopS: 0.0002, Mocks: []Mock{{Name: "os.listdir", Type: "MagicMock"}}, DetectorRules: 65}
	v, reason := Decide(Facts{Baseline: "passed", Sites: 1, Outcomes: map[string][]string{Survived: {site}}, Blocked: map[string]*Blocked{site: mocked}})
	want := "un-offloading " + site + " stays green: the call ran on the loop for 0.2 ms and did no IO: the test replaces `os.listdir` with a MagicMock"
	if v != RuleCandidate || reason != want {
		t.Errorf("Decide = %s %q, want rule-candidate %q", v, reason, want)
	}

	v, reason = Decide(Facts{Baseline: "failed", Sites: 1,
		Excerpt:    "tests/t.py:9: await client.fetch(\"k\")\nE   blockbuster.BlockingError: Blocking call to time.sleep",
		Detector:   []string{"Blocking call to time.sleep"},
		DetectorAt: []string{"app/client.py:24"}})
	if want := "the gate fired at baseline: Blocking call to time.sleep at app/client.py:24 — already on the loop"; v != Broken || reason != want {
		t.Errorf("Decide = %s %q, want broken %q", v, reason, want)
	}

	_, reason = Decide(Facts{Baseline: "failed", Excerpt: "tests/t.py:9: assert saved == 1", Detector: []string{"Blocking call to os.stat"}})
	if want := "failed at baseline: tests/t.py:9: assert saved == 1; the gate also fired there and was swallowed: Blocking call to os.stat — already on the loop"; reason != want {
		t.Errorf("swallowed at baseline: %q, want %q", reason, want)
	}
}

// TestFinalizeGateOffSite: a site reached only by an anchor that opts out of
// the gate is gate-off, with the anchor in its reason, in verify and audit
// mode; a survived site's reason tells its story from a gate-on anchor only.
func TestFinalizeGateOffSite(t *testing.T) {
	story := &Blocked{Reach: ReachCall, Runs: 1, OnLoop: 1, LoopS: 0.04, Primitives: []Primitive{{Name: "os.fsync", Calls: 1, S: 0.04}}, DetectorRules: 65}
	silent := &Blocked{Reach: ReachCall, Runs: 1, OnLoop: 1, LoopS: 0.001, DetectorRules: 65}
	green := Run{Outcome: "passed", Detector: []string{}}
	for _, mode := range []string{"verify", "audit"} {
		r := &Report{Mode: mode,
			Sites: []Site{
				{ID: "app/x.py:export:_write#0", Callee: "_write", Offload: "asyncio.to_thread", Function: "export"},
				{ID: "app/x.py:sync:_fsync#0", Callee: "_fsync", Offload: "asyncio.to_thread", Function: "sync", Anchors: []string{"t::on"}},
			},
			Anchors: []Anchor{
				{NodeID: "t::off", GateOff: true, Baseline: green, Sites: []string{"app/x.py:export:_write#0", "app/x.py:sync:_fsync#0"}},
				{NodeID: "t::on", Baseline: green, Sites: []string{"app/x.py:sync:_fsync#0"}},
			},
		}
		if mode == "verify" {
			r.Anchors[0].Mutants = []Evidence{
				{Site: "app/x.py:export:_write#0", Outcome: Survived, Run: Run{Outcome: "passed", Blocked: silent}},
				{Site: "app/x.py:sync:_fsync#0", Outcome: Survived, Run: Run{Outcome: "passed", Blocked: silent}},
			}
			r.Anchors[1].Mutants = []Evidence{{Site: "app/x.py:sync:_fsync#0", Outcome: Survived, Run: Run{Outcome: "passed", Blocked: story}}}
		}
		Finalize(r)
		off := r.Sites[0]
		if off.Verdict != GateOff || !strings.HasPrefix(off.Reason, "only anchors that opt out of the gate reach asyncio.to_thread(_write) in export") ||
			!strings.HasSuffix(off.Reason, "(anchors: t::off)") {
			t.Errorf("%s: gate-off site = %s %q", mode, off.Verdict, off.Reason)
		}
		if r.Summary.SiteVerdicts[GateOff] != 1 {
			t.Errorf("%s: site verdicts %v", mode, r.Summary.SiteVerdicts)
		}
		if mode == "verify" {
			if r.Summary.Mutants != 2 {
				t.Errorf("mutants = %d, want 2 (each maps to a judged site)", r.Summary.Mutants)
			}
			want := "un-offloading asyncio.to_thread(_fsync) in sync keeps every anchor that reaches it green: the call ran for 40 ms on the loop in `os.fsync`, which the detector does not patch; the detector raised nothing (anchors: t::on)"
			if s := r.Sites[1]; s.Verdict != Survived || s.Reason != want {
				t.Errorf("survived site = %s %q, want %q", s.Verdict, s.Reason, want)
			}
		}
	}
}

func TestMergeReach(t *testing.T) {
	for _, tt := range [][3]string{
		{"", "", ""}, {ReachCall, "", ReachCall}, {"", ReachCall, ReachCall},
		{ReachCall, ReachLine, ReachLine}, {ReachLine, ReachCall, ReachLine}, {ReachLine, "", ReachLine},
	} {
		if got := MergeReach(tt[0], tt[1]); got != tt[2] {
			t.Errorf("MergeReach(%q, %q) = %q, want %q", tt[0], tt[1], got, tt[2])
		}
	}
}
