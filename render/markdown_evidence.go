package render

import (
	"fmt"
	"html"
	"strings"

	"github.com/teethtool/teeth/report"
)

// evidence writes the anchors' evidence blocks in the order of ordered, as
// far as the plan shows them, then lists the anchors with teeth it leaves
// without one.
func (b *mdWriter) evidence() {
	var listed []*report.Anchor
	header := false
	for _, a := range b.ordered() {
		if b.over() {
			return
		}
		show := b.p.otherDetails
		if a.Verdict == report.Teeth {
			show = b.p.teethDetails
		}
		if !show {
			if a.Verdict == report.Teeth {
				listed = append(listed, a)
			}
			continue
		}
		if !header {
			b.f("### Evidence\n\n")
			header = true
		}
		b.anchorDetails(a)
	}
	if len(listed) > 0 {
		b.f("### Anchors with teeth (%d)\n\n", len(listed))
		for _, a := range listed {
			b.f("- %s\n", codeSpan(a.NodeID, false))
		}
		b.f("\n")
	}
}

func (b *mdWriter) anchorDetails(a *report.Anchor) {
	b.f("<details><summary>%s <b>%s</b> <code>%s</code></summary>\n\n", b.mark(*a), html.EscapeString(a.Verdict), html.EscapeString(a.NodeID))
	b.f("> %s\n\n", mdText(oneLine(a.Reason)))
	b.f("anchor %s · baseline %s\n\n", codeSpan(fmt.Sprintf("%s:%d", anchorFile(*a), a.Line), false), mdText(runBrief(a.Baseline)))
	if a.Baseline.Outcome != "passed" {
		b.block("text", "excerpt", a.Baseline.Excerpt, b.p.excerpt)
	}
	mutants := b.decidingFirst(a)
	shown := mutants
	if b.p.mutants >= 0 && len(shown) > b.p.mutants {
		shown = shown[:b.p.mutants]
	}
	for _, m := range shown {
		b.mutant(m)
	}
	if n := len(mutants) - len(shown); n > 0 {
		b.f("_✂️ %d more mutant%s not shown._\n\n", n, pluralS(n))
	}
	if len(mutants) == 0 && a.Baseline.Outcome == "passed" {
		b.f("_No mutant ran against this anchor._\n\n")
	}
	if a.Restore != nil {
		icon := "🟢"
		if a.Restore.Outcome != "passed" {
			icon = "🔴"
		}
		b.f("%s **restore**: %s\n\n", icon, mdText(runBrief(*a.Restore)))
	}
	b.f("</details>\n\n")
}

func (b *mdWriter) mutant(m *report.Evidence) {
	loc := ""
	if s := b.sites[m.Site]; s != nil {
		loc = fmt.Sprintf(" at %s", codeSpan(fmt.Sprintf("%s:%d", s.Path, s.Line), false))
	}
	cached := ""
	if m.Cached {
		cached = " (cached)"
	}
	b.f("**mutant** %s%s → **%s**%s\n\n", codeSpan(m.Site, false), loc, mdText(m.Outcome), cached)
	b.block("diff", "diff", m.Diff, b.p.diff)
	icon := map[string]string{report.Killed: "🔴", report.KilledOther: "🟠", report.Swallowed: "🟡", report.Survived: "⚪", report.Timeout: "⏱️", report.Error: "⚠️", report.NotReached: "➖"}[m.Outcome]
	if icon == "" {
		icon = "❔"
	}
	words := outcomeWords[m.Outcome]
	if words == "" {
		words = m.Outcome
	}
	first, rest, _ := strings.Cut(strings.TrimSpace(m.Run.Excerpt), "\n")
	b.f("%s **%s**: %s", icon, mdText(words), mdText(m.Run.Outcome))
	switch {
	case first == "":
	case m.Run.Outcome == "timeout" || m.Run.Outcome == "error":
		b.f(": %s", mdText(report.ClipBytes(first, 300)))
	default:
		b.f(" at %s", codeSpan(report.ClipBytes(first, 300), false))
	}
	if len(m.Run.Detector) > 0 {
		distinct, n := distinctCounts(m.Run.Detector)
		var parts []string
		for i, d := range distinct {
			if i == 3 {
				parts = append(parts, fmt.Sprintf("and %d more", len(distinct)-3))
				break
			}
			part := codeSpan(report.ClipBytes(d, 200), false)
			if n[d] > 1 {
				part += fmt.Sprintf(" ×%d", n[d])
			}
			parts = append(parts, part)
		}
		b.f(" · detector: %s", strings.Join(parts, ", "))
	} else if m.Outcome != report.NotReached {
		b.f(" · detector silent")
	}
	b.f("\n\n")
	if loop := blockedBrief(m.Run.Blocked, func(s string) string { return codeSpan(s, false) }); loop != "" {
		b.f("⏲️ **on the loop**: %s\n\n", loop)
	}
	b.block("text", "excerpt", rest, b.p.excerpt)
	if m.Retry != nil {
		b.f("🔁 **re-run**: %s\n\n", mdText(runBrief(*m.Retry)))
	}
	if len(m.Tally) > 2 {
		b.f("🔁 **runs**: %s\n\n", mdText(report.DescribeTally(m.Tally)))
	}
	if m.Reproduce != "" {
		b.f("reproduce: %s\n\n", codeSpan(m.Reproduce, false))
	}
}

// block writes text as a fenced code block within the cap, with a note on
// what was cut.
func (b *mdWriter) block(lang, what, text string, cp mdCap) {
	text = strings.TrimRight(text, "\n")
	if strings.TrimSpace(text) == "" {
		return
	}
	total := strings.Count(text, "\n") + 1
	if cp.lines == 0 {
		b.f("_✂️ %s left out (%d line%s)._\n\n", what, total, pluralS(total))
		return
	}
	shown, n := clipLines(text, cp)
	fence := fenceFor(shown)
	b.f("%s%s\n%s\n%s\n\n", fence, lang, shown, fence)
	if shown != text {
		b.f("_✂️ %s cut to %d of %d line%s._\n\n", what, n, total, pluralS(total))
	}
}

// decidingFirst returns a's evidence with the mutants that decided its
// verdict first (killed for teeth, survived for rule-candidate, ...).
func (b *mdWriter) decidingFirst(a *report.Anchor) []*report.Evidence {
	want := map[string]string{report.Teeth: report.Killed, report.Swallowed: report.Swallowed, report.RedOther: report.KilledOther, report.Timeout: report.Timeout,
		report.RuleCandidate: report.Survived, report.Error: report.Error}[a.Verdict]
	var first, rest []*report.Evidence
	for i := range a.Mutants {
		m := &a.Mutants[i]
		if m.Outcome == want || (a.Verdict == report.Flaky && m.Retry != nil && (m.Retry.Outcome != m.Run.Outcome || len(m.Tally) > 2)) {
			first = append(first, m)
		} else {
			rest = append(rest, m)
		}
	}
	return append(first, rest...)
}
