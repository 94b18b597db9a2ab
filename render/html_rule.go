package render

import (
	"strings"

	"github.com/teethtool/teeth/report"
)

// htmlRule is a survived site's rule proposal, for the HTML report.
type htmlRule struct {
	Site, Status, Class, Primitive, Reason, Rule, Gate, Detector string
	Collateral, Snippet, SnippetWhy, Commit                      string
	Runs                                                         []htmlRuleRun
	Patch                                                        []htmlLine
}

type htmlRuleRun struct{ Label, Anchor, Outcome, Class, Brief string }

func newHTMLRules(r *report.Report) []htmlRule {
	var out []htmlRule
	for _, s := range r.Sites {
		p := s.RuleProposal
		if p == nil {
			continue
		}
		h := htmlRule{Site: s.ID, Status: p.Status, Primitive: p.Primitive, Reason: p.Reason, Rule: p.Rule, Gate: p.Gate,
			Detector: p.Detector, Snippet: p.Snippet, SnippetWhy: p.SnippetWhy, Commit: p.Commit, Patch: diffLines(p.Patch)}
		h.Class = map[string]string{report.RuleProven: "good", report.RuleRefuted: "bad"}[p.Status]
		if h.Class == "" {
			h.Class = "neutral"
		}
		if len(p.Red)+len(p.Green) > 0 {
			h.Collateral = collateralBrief(p)
		}
		add := func(label string, runs []report.RuleRun) {
			for _, run := range runs {
				class := map[string]string{report.RuleRed: "red", report.RuleGreen: "green"}[run.Outcome]
				if class == "" {
					class = "other"
				}
				h.Runs = append(h.Runs, htmlRuleRun{label, run.Anchor, run.Outcome, class, report.RuleRunBrief(run)})
			}
		}
		add("offload removed, rule in", p.Red)
		add("offload restored, rule in", p.Green)
		add("collateral: unmutated, rule in", p.Collateral)
		out = append(out, h)
	}
	return out
}

// diffLines classifies a unified diff's lines for colouring.
func diffLines(diff string) []htmlLine {
	var out []htmlLine
	if diff == "" {
		return nil
	}
	for _, l := range strings.Split(strings.TrimRight(diff, "\n"), "\n") {
		class := "ctx"
		switch {
		case strings.HasPrefix(l, "+++") || strings.HasPrefix(l, "---"):
			class = "file"
		case strings.HasPrefix(l, "@@"):
			class = "hunk"
		case strings.HasPrefix(l, "+"):
			class = "add"
		case strings.HasPrefix(l, "-"):
			class = "del"
		}
		out = append(out, htmlLine{class, l})
	}
	return out
}
