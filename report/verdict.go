package report

import (
	"fmt"
	"strings"
)

// Outcomes of one (mutant, anchor) run.
const (
	Killed      = "killed"       // the test failed and the detector fired
	KilledOther = "killed-other" // the test failed, the detector never fired
	Swallowed   = "swallowed"    // the test passed although the detector fired
	Survived    = "survived"     // the test passed, the detector stayed silent, the site ran
	NotReached  = "not-reached"  // the mutated site did not run in this test
	Timeout     = "timeout"      // over the time limit; the process group was killed
	Error       = "error"        // collection or harness failure
)

// Anchor verdicts, in the order the first matching one wins.
const (
	Skipped       = "skipped" // skipped at baseline: not a failure, no mutants run
	XFailed       = "xfailed" // failed as expected (xfail) at baseline: no mutants run
	Broken        = "broken"
	Flaky         = "flaky"
	GateOff       = "gate-off"
	NoSite        = "no-site"
	Teeth         = "teeth"
	RedOther      = "red-other"
	RuleCandidate = "rule-candidate"
)

// Unverified is the verdict of an anchor or site that teeth audit saw
// reached but, running no mutant, could not judge.
const Unverified = "unverified"

// Site verdicts besides the outcomes they share with anchors. A site
// reached only by anchors that opt out of the gate is GateOff, like them.
const (
	Guarded   = "guarded"
	Unguarded = "unguarded"
	Invalid   = "invalid"
)

// AnchorVerdicts lists every anchor verdict in precedence order.
var AnchorVerdicts = []string{Skipped, XFailed, Broken, Flaky, GateOff, NoSite, Teeth, Swallowed, RedOther, Timeout, RuleCandidate, Error}

// SiteVerdicts lists every site verdict.
var SiteVerdicts = []string{Guarded, Swallowed, RedOther, Timeout, Survived, GateOff, Unguarded, Invalid, Error}

// DefaultFailOn is the set of anchor verdicts that fail a run by default.
// skipped, xfailed and gate-off anchors and no-site gate self-tests do not
// fail it (the audit lists them: kinds skipped, xfail and gate-off).
var DefaultFailOn = []string{Broken, Flaky, NoSite, Swallowed, RedOther, Timeout, RuleCandidate, Error}

// Facts is what the verdict of one anchor is decided from.
type Facts struct {
	Baseline string // baseline outcome: passed, failed, skipped
	Excerpt  string // baseline failure excerpt
	// Detector and DetectorAt are the detector messages constructed at
	// baseline and the production frame ("path:line") of each.
	Detector   []string
	DetectorAt []string
	Flaky      string // why the anchor is flaky, "" if it is not
	GateOff    bool
	// GateOffWhy is why the gate was off: "" for the opt-out marker, else
	// what was observed (the gate's own logic left it off).
	GateOffWhy string
	SelfTest   bool
	Sites      int                 // offload sites the anchor reaches at baseline
	Outcomes   map[string][]string // outcome -> site ids, over the anchor's mutants
	Blocked    map[string]*Blocked // site id -> what its un-offloaded call did, for survived mutants
	Crashes    map[string]*Crash   // site id -> the detector's crash that turned a killed-other mutant red
	Hangs      map[string]*Hang    // site id -> the loop's thread when a timed-out mutant was killed
}

// TimeoutText says why un-offloading site timed out, from the loop's
// thread sampled at the kill (hang; nil when none was sampled).
func TimeoutText(site string, h *Hang) string {
	switch {
	case h == nil:
		return fmt.Sprintf("un-offloading %s hung the loop past the time limit", site)
	case h.State == HangBlocked:
		return fmt.Sprintf("un-offloading %s hung the loop past the time limit: %s", site, h.Text())
	}
	return fmt.Sprintf("un-offloading %s left the test waiting past the time limit: %s", site, h.Text())
}

// skipText is a skip or xfail reason without its "skipped: " or "xfail: " prefix.
func skipText(excerpt, prefix string) string {
	s := FirstLine(excerpt)
	s = strings.TrimPrefix(strings.TrimPrefix(s, prefix+": "), prefix)
	if strings.TrimSpace(s) == "" {
		return "no reason given"
	}
	return strings.TrimSpace(s)
}

// Decide returns the verdict of one anchor and a one-line reason; the first
// matching rule wins.
func Decide(f Facts) (verdict, reason string) {
	first := func(o string) string { return f.Outcomes[o][0] }
	has := func(o string) bool { return len(f.Outcomes[o]) > 0 }
	switch {
	case f.Baseline == "skipped":
		return Skipped, "skipped at baseline: " + skipText(f.Excerpt, "skipped")
	case f.Baseline == "xfailed":
		return XFailed, "xfailed at baseline (expected to fail): " + skipText(f.Excerpt, "xfail")
	case f.Baseline != "passed":
		if gate := baselineGate(f.Baseline, f.Excerpt, f.Detector, f.DetectorAt); gate != "" {
			return Broken, gate
		}
		return Broken, fmt.Sprintf("%s at baseline: %s", f.Baseline, FirstLine(f.Excerpt))
	case f.Flaky != "":
		return Flaky, f.Flaky
	case f.GateOff && f.GateOffWhy != "":
		return GateOff, f.GateOffWhy + ": mutants ran, the gate could not fire"
	case f.GateOff:
		return GateOff, "marked to opt out of the gate: mutants ran, the gate could not fire"
	case f.Sites == 0 && f.SelfTest:
		return NoSite, "gate self-test: expects the detector itself, guards no offload (not stale)"
	case f.Sites == 0:
		return NoSite, "reaches no offload site: it guards nothing"
	case has(Killed):
		return Teeth, fmt.Sprintf("the gate fired at %d of %d reached sites", len(f.Outcomes[Killed]), f.Sites)
	case has(Swallowed):
		return Swallowed, fmt.Sprintf("the gate fired at %s but the test passed: the detection was swallowed", first(Swallowed))
	case has(KilledOther):
		site := first(KilledOther)
		if c := f.Crashes[site]; c != nil {
			return RedOther, fmt.Sprintf("red at %s without the gate firing: %s; not its own assertions", site, c.Text())
		}
		return RedOther, fmt.Sprintf("red at %s without the gate firing: its own assertions failed", site)
	case has(Timeout):
		site := first(Timeout)
		return Timeout, TimeoutText(site, f.Hangs[site])
	case has(Survived):
		site := first(Survived)
		story := f.Blocked[site].Story()
		if story == "" {
			story = "the detector has no rule for that call"
		}
		return RuleCandidate, fmt.Sprintf("un-offloading %s stays green: %s", site, story)
	case has(Error):
		return Error, fmt.Sprintf("the mutant run at %s failed in the harness", first(Error))
	}
	return Error, "no mutant reached any site the anchor reached at baseline"
}

// DecideSite returns the verdict of one site from its mutant's outcomes over
// the anchors with the gate on that reach it (reached of them); gateOff
// counts the anchors that opt out of the gate and reach it.
func DecideSite(invalid bool, reached, gateOff int, outcomes map[string]int) string {
	switch {
	case invalid:
		return Invalid
	case reached == 0 && gateOff > 0:
		return GateOff
	case reached == 0:
		return Unguarded
	}
	for _, pair := range [][2]string{
		{Killed, Guarded}, {Swallowed, Swallowed}, {KilledOther, RedOther},
		{Timeout, Timeout}, {Survived, Survived},
	} {
		if outcomes[pair[0]] > 0 {
			return pair[1]
		}
	}
	return Error
}

// Fails reports whether an anchor with this verdict fails the run under the
// given policy. A no-site gate self-test never fails it.
func Fails(a Anchor, failOn []string) bool {
	if a.Verdict == NoSite && a.SelfTest {
		return false
	}
	for _, v := range failOn {
		if v == a.Verdict {
			return true
		}
	}
	return false
}
