package rules

import (
	"fmt"
	"strings"

	"github.com/teethtool/teeth/report"
)

// commitWidth is the width commit message paragraphs are wrapped to.
const commitWidth = 72

// CommitMessage is the message of the rule's own commit (the SOP: "a new
// Blockbuster rule, if any, goes in its own commit with the evidence from
// Step 5"): why the rule, where it goes, and its red→green evidence with
// the collateral. It is "" unless the proposal is proven.
//
// blocked is what the call did in the first of the proposal's anchors.
func CommitMessage(prop *report.RuleProposal, site report.Site, blocked *report.Blocked) string {
	if prop.Status != report.RuleProven {
		return ""
	}
	detector := "Blockbuster"
	if prop.Detector != "" {
		detector = strings.Replace(prop.Detector, "blockbuster", "Blockbuster", 1)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "Add a Blockbuster rule for %s\n\n", prop.Primitive)
	para := fmt.Sprintf("%s does not patch %s, so the blocking-IO gate cannot see it on the event loop. Un-offloading %s(%s) in %s (%s:%d) kept %s green%s.",
		detector, prop.Primitive, site.Offload, site.Callee, site.Function, site.Path, site.Line, anchorsText(prop.Anchors), blockedText(blocked))
	b.WriteString(wrap(para, commitWidth) + "\n\n")
	scope := "every module, as the gate does"
	if len(prop.ScannedModules) > 0 {
		scope = "the gate's scanned modules (" + strings.Join(prop.ScannedModules, ", ") + ")"
	}
	b.WriteString(wrap(fmt.Sprintf("The rule, %s, is scoped to %s, in the gate at %s.", prop.Rule, scope, prop.Gate), commitWidth) + "\n\n")
	fmt.Fprintf(&b, "Evidence (teeth rule %s):\n", site.ID)
	for _, r := range prop.Red {
		b.WriteString(bullet(fmt.Sprintf("red: offload removed, rule in: %s %s", r.Anchor, report.RuleRunBrief(r))))
	}
	for _, r := range prop.Green {
		b.WriteString(bullet(fmt.Sprintf("green: offload restored, rule in: %s %s", r.Anchor, report.RuleRunBrief(r))))
	}
	if len(prop.Collateral) == 0 {
		b.WriteString(bullet(fmt.Sprintf("collateral: none of the %d anchors fires the rule on unmutated code", prop.SuiteAnchors)))
	} else {
		verb := "fire"
		if len(prop.Collateral) == 1 {
			verb = "fires"
		}
		b.WriteString(bullet(fmt.Sprintf("collateral: %d of the %d anchors %s the rule on unmutated code, other calls of %s already on the loop:",
			len(prop.Collateral), prop.SuiteAnchors, verb, prop.Primitive)))
		for _, c := range prop.Collateral {
			b.WriteString(indent("  ", bullet(fmt.Sprintf("%s %s", c.Anchor, report.RuleRunBrief(c)))))
		}
	}
	return b.String()
}

// blockedText is ", although the call blocked the loop for 0.8 ms in
// os.fsync, os.open and os.close", or "".
func blockedText(b *report.Blocked) string {
	if b == nil || len(b.Primitives) == 0 {
		return ""
	}
	names := make([]string, len(b.Primitives))
	for i, p := range b.Primitives {
		names[i] = p.Name
	}
	return fmt.Sprintf(", although the call blocked the loop for %s in %s", report.Duration(b.LoopS), report.JoinAnd(names))
}

func indent(prefix, s string) string {
	lines := strings.SplitAfter(s, "\n")
	for i, l := range lines {
		if l != "" {
			lines[i] = prefix + l
		}
	}
	return strings.Join(lines, "")
}

func anchorsText(anchors []string) string {
	if len(anchors) == 1 {
		return anchors[0]
	}
	return fmt.Sprintf("%s (%s)", report.Plural(len(anchors), "anchor"), strings.Join(anchors, ", "))
}

// bullet is a "- " list item wrapped with a hanging indent.
func bullet(s string) string {
	return "- " + strings.ReplaceAll(wrap(s, commitWidth-2), "\n", "\n  ") + "\n"
}

// wrap breaks text at spaces into lines of at most width characters (a
// longer word, such as a node id, gets a line of its own).
func wrap(text string, width int) string {
	var lines []string
	line := ""
	for _, w := range strings.Fields(text) {
		switch {
		case line == "":
			line = w
		case len(line)+1+len(w) <= width:
			line += " " + w
		default:
			lines = append(lines, line)
			line = w
		}
	}
	if line != "" {
		lines = append(lines, line)
	}
	return strings.Join(lines, "\n")
}
