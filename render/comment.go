package render

import (
	"fmt"
	"io"
	"strings"

	"github.com/teethtool/teeth/report"
)

// CommentOptions configures Comment.
type CommentOptions struct {
	// Marker is the hidden first line by which the comment is found again
	// (see ghapi.Marker); "" writes none.
	Marker string
	// ReportURL is where the full report is (the workflow run's artifact);
	// "" leaves the link out.
	ReportURL string
	// Limit is the most bytes the body may take; 0 means
	// DefaultMarkdownLimit, GitHub's limit on a comment.
	Limit int
	// FailOn is as in MarkdownOptions.
	FailOn []string
}

// Comment writes the body of the one pull-request comment teeth keeps up to
// date: the marker, the result, what the run covered (the change since the
// merge base for a --changed run), a verdict table of the anchors and one
// of the sites the report holds (for a --changed run: those the change
// touches), the rule candidates, each anchor's collapsed red→green
// evidence (diff, failing line and detector message, restore), what the
// change left out of scope, the blocking calls the gate caught at baseline
// and production code swallowed (latent), and a link to the full report. A changed-only
// run that touched no anchor and no site says so, so an older comment is
// not left standing. The body is kept within the limit as Markdown's is:
// evidence is shortened step by step, then the lists show their first
// entries and counts, and at last only the result and the link.
func Comment(w io.Writer, r *report.Report, opt CommentOptions) error {
	limit := opt.Limit
	if limit <= 0 {
		limit = DefaultMarkdownLimit
	}
	failOn := failOnOf(r, opt.FailOn)
	return fitLadder(w, limit, func(p mdPlan) string {
		b := newMDWriter(r, failOn, p, limit)
		b.comment(opt)
		return b.String()
	})
}

func (b *mdWriter) comment(opt CommentOptions) {
	if opt.Marker != "" {
		b.f("%s\n", opt.Marker)
	}
	if b.r.Scope != nil && len(b.r.Anchors) == 0 && len(b.r.Sites) == 0 {
		b.f("## teeth: nothing to verify in this change\n\n")
		b.coverage()
		b.outOfScope()
		b.footer(opt.ReportURL)
		return
	}
	b.title()
	if cuts := b.p.cuts(); len(cuts) > 0 {
		still := "Every anchor is still listed; the"
		if b.p.first >= 0 || b.p.bare {
			still = "The"
		}
		b.f("> ✂️ **Shortened to fit the %d-character limit of a comment:** %s. %s full report has all the evidence.\n\n",
			b.limit, strings.Join(cuts, "; "), still)
	}
	b.coverage()
	if b.p.bare {
		b.footer(opt.ReportURL)
		return
	}
	if b.p.compact {
		b.compactList()
	} else {
		b.anchorTable()
		b.siteTable()
	}
	b.ruleSection()
	if !b.over() && !b.p.compact {
		b.evidence()
	}
	b.outOfScope()
	b.latentSection()
	b.footer(opt.ReportURL)
}

// coverage says in one line what the run covered.
func (b *mdWriter) coverage() {
	sc := b.r.Scope
	if sc == nil {
		what := "The whole anchor suite"
		if b.r.Shard != "" {
			what += ", shard " + mdText(b.r.Shard)
		}
		b.f("%s: %d anchors, %d offload sites.\n\n", what, len(b.r.Anchors), len(b.r.Sites))
		return
	}
	base := codeSpan(sc.Base, false)
	if sc.MergeBase != "" {
		base += " (merge base " + codeSpan(shortSHA(sc.MergeBase), false) + ")"
	}
	dirty := ""
	if sc.Dirty {
		dirty = ", uncommitted changes included"
	}
	b.f("The change since %s%s: %s, %s, %s newly reached, %s.\n\n", base, dirty,
		count(len(sc.ChangedFiles), "changed file"), count(len(sc.ChangedSites), "changed site"),
		fmt.Sprint(len(sc.ReachedSites)), count(len(sc.TouchedAnchorFiles), "touched test file"))
}

// anchorTable lists every anchor of the report with its verdict and reason,
// those failing the run first.
func (b *mdWriter) anchorTable() {
	if len(b.r.Anchors) == 0 {
		return
	}
	b.f("### Anchors (%d)\n\n|  | verdict | anchor | reason |\n| --- | --- | --- | --- |\n", len(b.r.Anchors))
	rows := b.ordered()
	if n := b.p.cut(len(rows)); n < len(rows) {
		defer b.f("… and %d more anchors\n\n", len(rows)-n)
		rows = rows[:n]
	}
	for _, a := range rows {
		if b.over() {
			return
		}
		b.f("| %s | %s | %s | %s |\n", b.mark(*a), mdText(a.Verdict), codeSpan(a.NodeID, true), mdText(b.reason(a.Reason)))
	}
	b.f("\n")
}

// siteTable lists every site of the report with its verdict, line and reason.
func (b *mdWriter) siteTable() {
	if len(b.r.Sites) == 0 {
		return
	}
	b.f("### Offload sites (%d)\n\n|  | verdict | site | line | reason |\n| --- | --- | --- | ---: | --- |\n", len(b.r.Sites))
	sites := b.r.Sites
	if n := b.p.cut(len(sites)); n < len(sites) {
		defer b.f("… and %d more sites\n\n", len(sites)-n)
		sites = sites[:n]
	}
	for _, s := range sites {
		if b.over() {
			return
		}
		mark := "⚠️"
		if s.Verdict == report.Guarded {
			mark = "✅"
		}
		b.f("| %s | %s | %s | %d | %s |\n", mark, mdText(s.Verdict), codeSpan(s.ID, true), s.Line, mdText(b.reason(s.Reason)))
	}
	b.f("\n")
}

// reason is a reason as the plan shows it.
func (b *mdWriter) reason(s string) string {
	if b.p.reasonBytes >= 0 {
		return report.ClipBytes(s, b.p.reasonBytes)
	}
	return s
}

// outOfScope says what a changed-only run left out.
func (b *mdWriter) outOfScope() {
	if b.r.Scope == nil || b.r.Scope.LeftOut == "" {
		return
	}
	b.f("### Out of scope\n\n%s. The nightly run covers the whole suite.\n\n", mdText(strings.TrimSuffix(b.r.Scope.LeftOut, ".")))
}

// footer writes the run's figures and the link to the full report.
func (b *mdWriter) footer(url string) {
	s := b.r.Summary
	b.f("<sub>%d mutants · %d pytest runs · %.1f s", s.Mutants, s.PytestRuns, s.DurationS)
	if b.r.Version != "" {
		b.f(" · teeth %s", mdText(b.r.Version))
	}
	if url != "" {
		b.f(" · [full report](%s)", linkTarget(url))
	}
	b.f("</sub>\n")
}

// linkTarget writes url as a Markdown link destination.
func linkTarget(url string) string {
	return "<" + strings.NewReplacer("<", "%3C", ">", "%3E", " ", "%20", "\n", "").Replace(url) + ">"
}

func shortSHA(s string) string {
	if len(s) > 7 {
		return s[:7]
	}
	return s
}

// count is "1 changed file" or "2 changed files".
func count(n int, what string) string {
	return fmt.Sprintf("%d %s%s", n, what, pluralS(n))
}
