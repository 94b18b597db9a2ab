package render

import (
	"html"
	"strings"

	"github.com/teethtool/teeth/report"
)

// ruleSection writes the rule proposals of the survived sites: one line
// each, and, with evidence shown, a collapsible block with the rule, its
// red→green runs, the collateral and the patch. The compact form leaves it out.
func (b *mdWriter) ruleSection() {
	var props []*report.Site
	for i := range b.r.Sites {
		if b.r.Sites[i].RuleProposal != nil {
			props = append(props, &b.r.Sites[i])
		}
	}
	if len(props) == 0 || b.p.compact {
		return
	}
	b.f("### Rule candidates (%d)\n\n", len(props))
	code := func(s string) string { return codeSpan(s, false) }
	for _, s := range props {
		if b.over() {
			return
		}
		p := s.RuleProposal
		if p.Status == report.RuleNone || p.Status == report.RuleUnproven || !b.p.otherDetails {
			b.f("- %s %s: %s\n", ruleMark(p), codeSpan(s.ID, false), mdEscape(ruleBrief(p, code)))
			continue
		}
		b.f("<details><summary>%s <b>%s</b> rule for <code>%s</code> at <code>%s</code></summary>\n\n",
			ruleMark(p), html.EscapeString(p.Status), html.EscapeString(p.Primitive), html.EscapeString(s.ID))
		b.f("> %s\n\n", mdText(p.Reason))
		b.f("rule %s", code(p.Rule))
		if p.Gate != "" {
			b.f(" in the gate at %s", code(p.Gate))
		}
		if p.Detector != "" {
			b.f(" · %s", mdText(p.Detector))
		}
		b.f("\n\n")
		for _, r := range p.Red {
			b.f("%s **offload removed, rule in**: %s %s\n\n", runIcon(r), code(r.Anchor), mdText(report.RuleRunBrief(r)))
		}
		for _, r := range p.Green {
			b.f("%s **offload restored, rule in**: %s %s\n\n", runIcon(r), code(r.Anchor), mdText(report.RuleRunBrief(r)))
		}
		b.f("%s\n\n", mdText(collateralBrief(p)))
		for _, r := range p.Collateral {
			b.f("- %s %s %s\n", runIcon(r), code(r.Anchor), mdText(report.RuleRunBrief(r)))
		}
		if len(p.Collateral) > 0 {
			b.f("\n")
		}
		b.block("diff", "patch", p.Patch, b.p.diff)
		if p.Snippet != "" {
			b.f("to add by hand (%s):\n\n", mdText(p.SnippetWhy))
			b.block("python", "snippet", p.Snippet, b.p.diff)
		}
		b.f("</details>\n\n")
	}
	b.f("\n")
}

// ruleMark is a proposal's mark: ✅ proven, ❌ refuted, ➖ none, ❔ unproven.
func ruleMark(p *report.RuleProposal) string {
	switch p.Status {
	case report.RuleProven:
		return "✅"
	case report.RuleRefuted:
		return "❌"
	case report.RuleNone:
		return "➖"
	}
	return "❔"
}

func runIcon(r report.RuleRun) string {
	switch r.Outcome {
	case report.RuleRed:
		return "🔴"
	case report.RuleGreen:
		return "🟢"
	}
	return "🟠"
}

// mdEscape escapes Markdown in one line of text that holds code spans
// (between single backticks), leaving the spans as they are.
func mdEscape(s string) string {
	var b strings.Builder
	for i, part := range strings.Split(oneLine(s), "`") {
		if i%2 == 1 {
			b.WriteString("`" + part + "`")
			continue
		}
		b.WriteString(escapeMarkdown(part))
	}
	return b.String()
}
