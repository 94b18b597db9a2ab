package report

import (
	"strings"
	"testing"
)

func TestDecide(t *testing.T) {
	outs := func(kv ...string) map[string][]string {
		m := map[string][]string{}
		for i := 0; i < len(kv); i += 2 {
			m[kv[i]] = append(m[kv[i]], kv[i+1])
		}
		return m
	}
	green := func(f Facts) Facts {
		if f.Baseline == "" {
			f.Baseline = "passed"
		}
		return f
	}
	tests := []struct {
		name string
		f    Facts
		want string
	}{
		{"failed baseline wins over everything", Facts{Baseline: "failed", Flaky: "x", GateOff: true, Sites: 1, Outcomes: outs(Killed, "s")}, Broken},
		{"skipped baseline is skipped", Facts{Baseline: "skipped"}, Skipped},
		{"xfailed baseline is xfailed", Facts{Baseline: "xfailed"}, XFailed},
		{"flaky before gate-off", green(Facts{Flaky: "red on restore", GateOff: true, Sites: 1}), Flaky},
		{"gate-off before no-site", green(Facts{GateOff: true}), GateOff},
		{"no site", green(Facts{}), NoSite},
		{"self-test is no-site", green(Facts{SelfTest: true}), NoSite},
		{"one kill is teeth", green(Facts{Sites: 3, Outcomes: outs(Survived, "a", Killed, "b", Swallowed, "c")}), Teeth},
		{"swallowed before red-other", green(Facts{Sites: 2, Outcomes: outs(Swallowed, "a", KilledOther, "b")}), Swallowed},
		{"red-other before timeout", green(Facts{Sites: 2, Outcomes: outs(KilledOther, "a", Timeout, "b")}), RedOther},
		{"timeout before rule-candidate", green(Facts{Sites: 2, Outcomes: outs(Timeout, "a", Survived, "b")}), Timeout},
		{"all survived", green(Facts{Sites: 2, Outcomes: outs(Survived, "a", Survived, "b")}), RuleCandidate},
		{"survived and not reached", green(Facts{Sites: 2, Outcomes: outs(Survived, "a", NotReached, "b")}), RuleCandidate},
		{"only errors", green(Facts{Sites: 1, Outcomes: outs(Error, "a")}), Error},
		{"nothing reached under mutation", green(Facts{Sites: 1, Outcomes: outs(NotReached, "a")}), Error},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, reason := Decide(tt.f)
			if got != tt.want {
				t.Fatalf("Decide = %s (%s), want %s", got, reason, tt.want)
			}
			if reason == "" {
				t.Fatal("empty reason")
			}
		})
	}
}

func TestDecideReasonNamesSite(t *testing.T) {
	_, reason := Decide(Facts{Baseline: "passed", Sites: 1, Outcomes: map[string][]string{Survived: {"app/x.py:f:g#0"}}})
	if want := "un-offloading app/x.py:f:g#0 stays green: the detector has no rule for that call"; reason != want {
		t.Fatalf("reason = %q, want %q", reason, want)
	}
}

func TestDecideSite(t *testing.T) {
	tests := []struct {
		name     string
		invalid  bool
		reached  int
		gateOff  int
		outcomes map[string]int
		want     string
	}{
		{"invalid first", true, 2, 1, map[string]int{Killed: 1}, Invalid},
		{"unreached", false, 0, 0, nil, Unguarded},
		{"reached only with the gate off", false, 0, 2, nil, GateOff},
		{"a gate-on anchor wins over gate-off ones", false, 1, 1, map[string]int{Survived: 1}, Survived},
		{"one kill guards", false, 3, 0, map[string]int{Survived: 2, Killed: 1}, Guarded},
		{"swallowed", false, 2, 0, map[string]int{Swallowed: 1, KilledOther: 1}, Swallowed},
		{"red-other", false, 2, 0, map[string]int{KilledOther: 1, Survived: 1}, RedOther},
		{"timeout", false, 1, 0, map[string]int{Timeout: 1}, Timeout},
		{"survived", false, 1, 0, map[string]int{Survived: 1}, Survived},
		{"harness error", false, 1, 0, map[string]int{Error: 1}, Error},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := DecideSite(tt.invalid, tt.reached, tt.gateOff, tt.outcomes); got != tt.want {
				t.Fatalf("DecideSite = %s, want %s", got, tt.want)
			}
		})
	}
}

func TestFails(t *testing.T) {
	if Fails(Anchor{Verdict: NoSite, SelfTest: true}, DefaultFailOn) {
		t.Error("a no-site gate self-test failed the run")
	}
	if !Fails(Anchor{Verdict: NoSite}, DefaultFailOn) {
		t.Error("a stale no-site anchor did not fail the run")
	}
	if Fails(Anchor{Verdict: Teeth}, DefaultFailOn) || Fails(Anchor{Verdict: GateOff}, DefaultFailOn) {
		t.Error("teeth or gate-off failed the run by default")
	}
	if Fails(Anchor{Verdict: RuleCandidate}, []string{Broken}) {
		t.Error("fail_on was not honoured")
	}
}

func TestDecideCrashAndHang(t *testing.T) {
	crash := &Crash{Type: "AttributeError", Message: "'_FileInFile' object has no attribute 'fileno'",
		At: "blockbuster/blockbuster.py:431 in file_read_exclude", DetectorAt: "blockbuster/blockbuster.py:431 in file_read_exclude",
		Checking: "io.BufferedReader.read"}
	f := Facts{Baseline: "passed", Sites: 1, Outcomes: map[string][]string{KilledOther: {"s"}}, Crashes: map[string]*Crash{"s": crash}}
	v, why := Decide(f)
	want := "red at s without the gate firing: the detector crashed while checking io.BufferedReader.read: AttributeError: '_FileInFile' object has no attribute 'fileno' (at blockbuster/blockbuster.py:431 in file_read_exclude); not its own assertions"
	if v != RedOther || why != want {
		t.Errorf("crash: %s %q", v, why)
	}
	f = Facts{Baseline: "passed", Sites: 1, Outcomes: map[string][]string{Timeout: {"s"}},
		Hangs: map[string]*Hang{"s": {State: HangIdle, At: "selectors.py:468 in select"}}}
	if v, why := Decide(f); v != Timeout || why != "un-offloading s left the test waiting past the time limit: the loop was not blocked: it sat idle in its selector (selectors.py:468 in select), waiting for I/O or an event that never came, such as a reply from a dead peer" {
		t.Errorf("idle: %s %q", v, why)
	}
	f.Hangs["s"] = &Hang{State: HangBlocked, At: "app/x.py:3 in f"}
	if v, why := Decide(f); v != Timeout || why != "un-offloading s hung the loop past the time limit: the loop's thread was blocked in a call at app/x.py:3 in f" {
		t.Errorf("blocked: %s %q", v, why)
	}
}

func TestFinalizeCountsUnlisted(t *testing.T) {
	r := &Report{Mode: "audit", NoSite: NoSiteCount, FailOn: DefaultFailOn, Anchors: []Anchor{
		{NodeID: "a", Baseline: Run{Outcome: "passed"}, Sites: []string{}},
		{NodeID: "b", Baseline: Run{Outcome: "skipped"}, Sites: []string{}},
		{NodeID: "c", Baseline: Run{Outcome: "xfailed"}, Sites: []string{}},
		{NodeID: "d", Baseline: Run{Outcome: "failed"}, Sites: []string{}},
		{NodeID: "e", Baseline: Run{Outcome: "passed"}, Sites: []string{}, SelfTest: true},
		{NodeID: "f", Baseline: Run{Outcome: "passed"}, Sites: []string{"s"}},
	}}
	Finalize(r)
	var listed []string
	for _, a := range r.Anchors {
		listed = append(listed, a.NodeID+":"+a.Verdict)
	}
	if got := strings.Join(listed, " "); got != "d:broken e:no-site f:unverified" {
		t.Errorf("listed %s", got)
	}
	if c := r.Summary.Counted; c[NoSite] != 1 || c[Skipped] != 1 || c[XFailed] != 1 || len(c) != 3 {
		t.Errorf("counted %v", c)
	}
	if r.Anchors[2].Reason != "reaches 1 offload site; teeth verify proves whether it has teeth" {
		t.Errorf("plural: %q", r.Anchors[2].Reason)
	}
	if !r.Summary.Failed {
		t.Error("the broken anchor no longer fails the run")
	}
}
