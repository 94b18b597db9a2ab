package render

import (
	"fmt"
	"strings"

	"github.com/teethtool/teeth/report"
)

// ruleBrief is a rule proposal in one line for the summary and the reports:
// "rule for `os.fsync` proven: red with it and the offload removed, green
// with the offload restored; no collateral (24 anchors run with it unmutated)",
// or "no rule: ..." with the reason.
func ruleBrief(p *report.RuleProposal, code func(string) string) string {
	if p == nil {
		return ""
	}
	switch p.Status {
	case report.RuleNone:
		return p.Reason
	case report.RuleProven:
		return fmt.Sprintf("rule for %s proven: red with it and the offload removed, green with the offload restored; %s", code(p.Primitive), collateralBrief(p))
	case report.RuleUnproven:
		return fmt.Sprintf("rule for %s proposed, not proven: teeth verify (without --no-prove-rules) or teeth rule SITE-ID runs its proof", code(p.Primitive))
	}
	return fmt.Sprintf("rule for %s %s: %s", code(p.Primitive), p.Status, p.Reason)
}

// collateralBrief says which anchors the rule fires in on unmutated code:
// "collateral: none of the 24 anchors fires it on unmutated code".
func collateralBrief(p *report.RuleProposal) string {
	if p.SuiteAnchors == 0 {
		return "collateral: not checked"
	}
	if len(p.Collateral) == 0 {
		return fmt.Sprintf("collateral: none of the %d anchors fires it on unmutated code", p.SuiteAnchors)
	}
	names := make([]string, len(p.Collateral))
	for i, c := range p.Collateral {
		names[i] = c.Anchor
	}
	verb := "fire"
	if len(p.Collateral) == 1 {
		verb = "fires"
	}
	return fmt.Sprintf("collateral: %d of the %d anchors %s it on unmutated code (%s)", len(p.Collateral), p.SuiteAnchors, verb, strings.Join(names, ", "))
}

// blockedBrief is what an un-offloaded call did, in a few words for the
// reports' evidence blocks:
// "ran 1× on the loop, 0.4 ms · not patched: `os.fsync` ×2 · mocked: `os.listdir` (MagicMock)".
func blockedBrief(b *report.Blocked, code func(string) string) string {
	if b == nil || b.Runs == 0 {
		return ""
	}
	parts := []string{fmt.Sprintf("ran %d×, %d× on the loop, %s", b.Runs, b.OnLoop, report.Duration(b.LoopS))}
	if b.Reach == report.ReachLine {
		parts[0] += " (per line)"
	}
	list := func(ps []report.Primitive) string {
		var out []string
		for _, p := range ps {
			s := code(p.Name)
			if p.Calls > 1 {
				s += fmt.Sprintf(" ×%d", p.Calls)
			}
			out = append(out, s+" "+report.Duration(p.S))
		}
		return strings.Join(out, ", ")
	}
	if len(b.Primitives) > 0 {
		parts = append(parts, "not patched: "+list(b.Primitives))
	}
	if len(b.Patched) > 0 {
		parts = append(parts, "patched: "+list(b.Patched))
	}
	if len(b.Mocks) > 0 {
		var ms []string
		for _, m := range b.Mocks {
			ms = append(ms, fmt.Sprintf("%s (%s)", code(m.Name), m.Type))
		}
		parts = append(parts, "mocked: "+strings.Join(ms, ", "))
	}
	return strings.Join(parts, " · ")
}

// runBrief is a run in a few words: "passed (0.004 s)".
func runBrief(r report.Run) string {
	s := fmt.Sprintf("%s (%.3f s)", r.Outcome, r.DurationS)
	if r.Outcome == "timeout" || r.Outcome == "error" {
		if first := report.FirstLine(r.Excerpt); first != "" {
			s += ": " + report.ClipBytes(first, 200)
		}
	}
	return s
}
