package report

import (
	"fmt"
	"strings"
)

// SiteReason returns the one-line reason for a site's verdict: the one
// Finalize decided from the evidence, or, for a report without it, one in
// the words of the anchor reasons.
func SiteReason(s Site) string {
	if s.Reason != "" {
		return s.Reason
	}
	return describeSite(s, "", nil, false)
}

// describeSite says what un-offloading the site did, and which anchors reach
// it: story is what a survived mutant's call did on the loop (see
// Blocked.Story), gateOff the anchors that opt out of the gate and reach it.
func describeSite(s Site, story string, gateOff []string, audit bool) string {
	call := siteCall(s)
	var reason string
	switch s.Verdict {
	case Guarded:
		reason = fmt.Sprintf("un-offloading %s turns an anchor red through the gate", call)
	case Swallowed:
		reason = fmt.Sprintf("un-offloading %s fires the gate but no anchor turns red: the detection is swallowed", call)
	case RedOther:
		reason = fmt.Sprintf("un-offloading %s turns anchors red only through their own assertions, never the gate", call)
	case Timeout:
		reason = fmt.Sprintf("un-offloading %s hung the loop past the time limit", call)
	case Survived:
		if story == "" {
			story = "the detector has no rule for that call"
		}
		reason = fmt.Sprintf("un-offloading %s keeps every anchor that reaches it green: %s", call, story)
	case GateOff:
		reason = fmt.Sprintf("only anchors that opt out of the gate reach %s: its mutant runs with the gate off, so nothing guards it", call)
		if audit {
			reason = fmt.Sprintf("only anchors that opt out of the gate reach %s, so nothing guards it", call)
		}
		return reason + anchorList(gateOff)
	case Unguarded:
		return fmt.Sprintf("no anchor with the gate on reaches %s", call)
	case Invalid:
		return fmt.Sprintf("the mutant of %s does not compile: %s", call, FirstLine(s.Invalid))
	case Error:
		reason = fmt.Sprintf("the harness failed on the mutant of %s", call)
	default:
		reason = fmt.Sprintf("%s: %s", s.Verdict, call)
	}
	return reason + anchorList(s.Anchors)
}

// anchorList is " (anchors: a, b, c and 2 more)", or "" for none.
func anchorList(anchors []string) string {
	n := len(anchors)
	if n == 0 {
		return ""
	}
	shown := anchors
	if n > 3 {
		shown = shown[:3]
	}
	out := " (anchors: " + strings.Join(shown, ", ")
	if n > 3 {
		out += fmt.Sprintf(" and %d more", n-3)
	}
	return out + ")"
}

// siteCall describes the offloaded call of a site: "asyncio.to_thread(path.read_text) in Svc.read".
func siteCall(s Site) string {
	call := s.Callee
	if s.Offload != "" {
		call = s.Offload + "(" + s.Callee + ")"
	}
	if call == "" {
		call = s.ID
	}
	if s.Function != "" {
		call += " in " + s.Function
	}
	return call
}
