package render

import (
	"fmt"
	"io"
	"strings"

	"github.com/teethtool/teeth/report"
)

// DefaultMarkdownLimit is the default size limit of Markdown's output:
// GitHub's limit on the body of a pull-request comment.
const DefaultMarkdownLimit = 65536

// MarkdownOptions configures Markdown.
type MarkdownOptions struct {
	// Limit is the most bytes the output may take; 0 means
	// DefaultMarkdownLimit. GitHub counts characters, never more than bytes,
	// so a byte limit is safe.
	Limit int
	// FailOn lists the anchor verdicts that fail the run (see
	// report.Fails); nil means the report's own FailOn, or
	// report.DefaultFailOn if that is nil too. It decides the title and each
	// anchor's mark.
	FailOn []string
}

// Markdown writes a pull-request-comment-ready report: a title line
// with the overall result, one table of verdict counts for anchors and
// sites, what needs action (one line per kind of finding, with its fix:
// report.Actions), the source files with sites, least guarded first, each
// with a bar of its sites by verdict in coloured squares and its share of
// guarded sites, the audit, a table of the anchors without teeth (verdict,
// reason), then per
// anchor a collapsible <details> block with its red→green evidence: each
// mutant's diff, the failing test line with the detector's messages and the
// rest of the excerpt, the command that reproduces it, and the restore run.
//
// The output is kept within opt.Limit bytes. When the full report is
// larger, evidence is shortened step by step until it fits: diffs are cut,
// then left out, then excerpts likewise, then only the deciding mutant of an
// anchor is shown, then evidence blocks are left out (anchors with teeth
// first), then reasons are cut, then the file list is cut to 20 files, and
// then the anchors are listed compactly, grouped by verdict and file,
// without the file list. A report still too large (thousands of anchors or
// findings) then shows the first entries of each list with "… and N more"
// and their counts, fewer each step, and at last only the title and the
// verdict counts; the note under the title points to the JSON and HTML
// reports, which hold everything. Each cut is marked where it happens and
// summed up in that note. Markdown always writes a report within the limit.
func Markdown(w io.Writer, r *report.Report, opt MarkdownOptions) error {
	limit := opt.Limit
	if limit <= 0 {
		limit = DefaultMarkdownLimit
	}
	failOn := failOnOf(r, opt.FailOn)
	return fitLadder(w, limit, func(p mdPlan) string { return renderMarkdown(r, failOn, p, limit) })
}

// failOnOf is the fail_on policy a rendering uses: the option's, else the
// report's, else report.DefaultFailOn.
func failOnOf(r *report.Report, opt []string) []string {
	switch {
	case opt != nil:
		return opt
	case r.FailOn != nil:
		return r.FailOn
	}
	return report.DefaultFailOn
}

// fitLadder writes the first rendering of the ladder, fullest first, that
// fits within limit bytes.
func fitLadder(w io.Writer, limit int, render func(mdPlan) string) error {
	var out string
	for _, p := range mdLadder() {
		out = render(p)
		if len(out) <= limit {
			break
		}
	}
	if len(out) > limit { // the bare title and counts over the limit: a limit below any report
		out = report.ClipBytes(out, limit)
	}
	_, err := io.WriteString(w, out)
	return err
}

// mdCap bounds a block of text (a diff or an excerpt): at most lines lines
// and bytes bytes; lines < 0 means no bound, lines == 0 leaves it out.
type mdCap struct{ lines, bytes int }

var mdNoCap = mdCap{-1, -1}

// mdPlan is how much of the evidence one rendering shows.
type mdPlan struct {
	diff, excerpt mdCap
	mutants       int  // mutants shown per anchor; < 0 means all
	teethDetails  bool // evidence blocks for anchors with teeth
	otherDetails  bool // evidence blocks for the other anchors
	reasonBytes   int  // bound on a reason in the table; < 0 means none
	files         int  // files in the file list; < 0 means all
	compact       bool // list anchors grouped by verdict and file, nothing else
	first         int  // entries shown per list (anchors of a verdict, audit findings); < 0 means all
	bare          bool // the title, the counts and the pointer to the full reports only
}

// mdLadder lists the renderings to try, fullest first; each shows less than
// the one before.
func mdLadder() []mdPlan {
	p := mdPlan{diff: mdNoCap, excerpt: mdNoCap, mutants: -1, teethDetails: true, otherDetails: true, reasonBytes: -1, files: -1, first: -1}
	steps := []func(*mdPlan){
		func(*mdPlan) {},
		func(p *mdPlan) { p.diff = mdCap{40, 4000} },
		func(p *mdPlan) { p.diff = mdCap{10, 1000} },
		func(p *mdPlan) { p.diff = mdCap{0, 0} },
		func(p *mdPlan) { p.excerpt = mdCap{8, 2000} },
		func(p *mdPlan) { p.excerpt = mdCap{2, 400} },
		func(p *mdPlan) { p.excerpt = mdCap{0, 0} },
		func(p *mdPlan) { p.mutants = 1 },
		func(p *mdPlan) { p.teethDetails = false },
		func(p *mdPlan) { p.otherDetails = false },
		func(p *mdPlan) { p.reasonBytes = 100 },
		func(p *mdPlan) { p.files = 20 },
		func(p *mdPlan) { p.compact = true },
		func(p *mdPlan) { p.first = 50 },
		func(p *mdPlan) { p.first = 20 },
		func(p *mdPlan) { p.first = 5 },
		func(p *mdPlan) { p.bare = true },
	}
	var out []mdPlan
	for _, step := range steps {
		step(&p)
		out = append(out, p)
	}
	return out
}

// cuts says in words what a plan leaves out, for the note under the title.
func (p mdPlan) cuts() []string {
	var c []string
	describe := func(what string, cp mdCap) {
		switch {
		case cp.lines == 0:
			c = append(c, what+" left out")
		case cp.lines > 0:
			c = append(c, fmt.Sprintf("%s cut to %d lines", what, cp.lines))
		}
	}
	firstCut := fmt.Sprintf("the first %d entries of each list shown, with counts", p.first)
	const compact = "anchors listed by verdict and file, without reasons or evidence; the file list left out"
	switch {
	case p.bare:
		return []string{"only the verdict counts: anchors, sites and audit findings left out"}
	case p.compact && p.first >= 0:
		return []string{compact, firstCut}
	case p.compact:
		return []string{compact}
	}
	if p.otherDetails {
		describe("diffs", p.diff)
		describe("excerpts", p.excerpt)
		if p.mutants >= 0 {
			c = append(c, fmt.Sprintf("%d mutant shown per anchor", p.mutants))
		}
	}
	switch {
	case !p.otherDetails:
		c = append(c, "evidence left out")
	case !p.teethDetails:
		c = append(c, "evidence of anchors with teeth left out")
	}
	if p.reasonBytes >= 0 {
		c = append(c, fmt.Sprintf("reasons cut to %d characters", p.reasonBytes))
	}
	if p.files >= 0 {
		c = append(c, fmt.Sprintf("the file list cut to the %d least guarded files", p.files))
	}
	if p.first >= 0 {
		c = append(c, firstCut)
	}
	return c
}

// cut is the first entries of a list of n that a plan shows.
func (p mdPlan) cut(n int) int {
	if p.first < 0 || n <= p.first {
		return n
	}
	return p.first
}

// more writes "… and N more" after a list of n cut by the plan.
func (b *mdWriter) more(n int) {
	if shown := b.p.cut(n); shown < n {
		b.f("- … and %d more\n", n-shown)
	}
}

type mdWriter struct {
	strings.Builder
	r      *report.Report
	failOn []string
	p      mdPlan
	sites  map[string]*report.Site
	limit  int // rendering may stop once the output is over it
}

// over reports whether the output is already over the limit, so that a
// rendering that cannot fit stops early.
func (b *mdWriter) over() bool { return b.Len() > b.limit }

func (b *mdWriter) f(format string, args ...any) { fmt.Fprintf(b, format, args...) }

// newMDWriter starts a rendering of r with plan p.
func newMDWriter(r *report.Report, failOn []string, p mdPlan, limit int) *mdWriter {
	b := &mdWriter{r: r, failOn: failOn, p: p, sites: map[string]*report.Site{}, limit: limit}
	for i := range r.Sites {
		b.sites[r.Sites[i].ID] = &r.Sites[i]
	}
	return b
}

func renderMarkdown(r *report.Report, failOn []string, p mdPlan, limit int) string {
	b := newMDWriter(r, failOn, p, limit)
	b.title()
	if cuts := p.cuts(); len(cuts) > 0 {
		still := "Every anchor is still listed; the"
		if p.first >= 0 || p.bare {
			still = "The"
		}
		b.f("> ✂️ **Shortened to fit the %d-character limit of a comment:** %s. %s JSON report (`--json`) and the HTML report (`--html`) have everything.\n\n",
			limit, strings.Join(cuts, "; "), still)
	}
	b.summary()
	if p.bare {
		if a := r.Audit; a != nil {
			b.f("**Audit:** %s\n\n", auditCounts(a))
		}
		return b.String()
	}
	b.actions()
	if !p.compact {
		b.fileList()
	}
	b.latentSection()
	b.auditSection()
	if p.compact {
		b.compactList()
		return b.String()
	}
	b.noTeethTable()
	b.ruleSection()
	if !b.over() {
		b.evidence()
	}
	return b.String()
}

// mark is an anchor's mark: ✅ teeth, ❌ fails the run, ⚠️ neither.
func (b *mdWriter) mark(a report.Anchor) string {
	switch {
	case a.Verdict == report.Teeth:
		return "✅"
	case report.Fails(a, b.failOn):
		return "❌"
	}
	return "⚠️"
}

func (b *mdWriter) title() {
	failing, teeth := 0, 0
	for _, a := range b.r.Anchors {
		if report.Fails(a, b.failOn) {
			failing++
		}
		if a.Verdict == report.Teeth {
			teeth++
		}
	}
	n := len(b.r.Anchors)
	switch {
	case b.r.Partial != nil:
		b.f("## teeth: ❌ partial merge, %s missing (%d of %d anchors fail the run, %d with teeth)\n\n",
			mdText(strings.Join(b.r.Partial.Missing, ", ")), failing, n, teeth)
		b.f("> ⚠️ %s\n\n", mdText(b.r.Partial.Note()))
	case n == 0:
		b.f("## teeth: ✅ no anchors found\n\n")
	case failing > 0:
		b.f("## teeth: ❌ %d of %d anchors fail the run (%d with teeth)\n\n", failing, n, teeth)
	case teeth == n:
		b.f("## teeth: ✅ all %d anchors have teeth\n\n", n)
	default:
		b.f("## teeth: ✅ no anchor fails the run (%d of %d with teeth)\n\n", teeth, n)
	}
}

func (b *mdWriter) summary() {
	b.f("| verdict | anchors | sites |\n| --- | ---: | ---: |\n")
	num := func(n int) string {
		if n == 0 {
			return ""
		}
		return fmt.Sprint(n)
	}
	for _, c := range verdictCounts(b.r) {
		b.f("| %s | %s | %s |\n", mdText(c.Verdict), num(c.Anchors), num(c.Sites))
	}
	b.f("| **total** | **%d** | **%d** |\n\n", len(b.r.Anchors), len(b.r.Sites))
	s := b.r.Summary
	b.f("%d mutants · %d pytest runs · %.1f s", s.Mutants, s.PytestRuns, s.DurationS)
	if s.Reach != "" {
		b.f(" · reach per %s", mdText(s.Reach))
	}
	if b.r.Shard != "" {
		b.f(" · shard %s", mdText(b.r.Shard))
	}
	if b.r.Version != "" {
		b.f(" · teeth %s", mdText(b.r.Version))
	}
	b.f("\n\n")
	if c := countedText(s.Counted); c != "" {
		b.f("Tests that reach no offload site, counted, not listed (`no_site = \"count\"`): %s\n\n", mdText(c))
	}
	if g := b.r.GateAllows; !g.Empty() {
		b.f("The gate allows (read from the live gate): %s\n\n", mdText(g.Text()))
	}
}

// ordered returns the anchors in the order the report shows them: those
// failing the run, then the others without teeth, then those with teeth,
// each in report order.
func (b *mdWriter) ordered() []*report.Anchor {
	var out []*report.Anchor
	for pass := 0; pass < 3; pass++ {
		for i := range b.r.Anchors {
			a := &b.r.Anchors[i]
			group := 1
			switch {
			case report.Fails(*a, b.failOn):
				group = 0
			case a.Verdict == report.Teeth:
				group = 2
			}
			if group == pass {
				out = append(out, a)
			}
		}
	}
	return out
}

func (b *mdWriter) noTeethTable() {
	var rows []*report.Anchor
	for _, a := range b.ordered() {
		if a.Verdict != report.Teeth {
			rows = append(rows, a)
		}
	}
	if len(rows) == 0 {
		return
	}
	b.f("### Anchors without teeth (%d)\n\n|  | verdict | anchor | reason |\n| --- | --- | --- | --- |\n", len(rows))
	if n := b.p.cut(len(rows)); n < len(rows) {
		defer b.f("… and %d more anchors without teeth\n\n", len(rows)-n)
		rows = rows[:n]
	}
	for _, a := range rows {
		if b.over() {
			return
		}
		reason := a.Reason
		if b.p.reasonBytes >= 0 {
			reason = report.ClipBytes(reason, b.p.reasonBytes)
		}
		b.f("| %s | %s | %s | %s |\n", b.mark(*a), mdText(a.Verdict), codeSpan(a.NodeID, true), mdText(reason))
	}
	b.f("\n")
}

// compactList lists every anchor, grouped by verdict (failing the run first,
// teeth last) and, within a verdict, by file: "- `file`: `test_a, test_b`".
func (b *mdWriter) compactList() {
	b.f("### Anchors (%d)\n\n", len(b.r.Anchors))
	type group struct {
		key   string
		files []string
		names map[string][]string
	}
	var groups []*group
	byKey := map[string]*group{}
	for _, a := range b.ordered() {
		key := b.mark(*a) + " " + a.Verdict
		g := byKey[key]
		if g == nil {
			g = &group{key: key, names: map[string][]string{}}
			byKey[key] = g
			groups = append(groups, g)
		}
		file := anchorFile(*a)
		if _, ok := g.names[file]; !ok {
			g.files = append(g.files, file)
		}
		g.names[file] = append(g.names[file], testName(*a))
	}
	for _, g := range groups {
		n := 0
		for _, f := range g.files {
			n += len(g.names[f])
		}
		mark, verdict, _ := strings.Cut(g.key, " ")
		b.f("%s **%s** (%d)\n\n", mark, mdText(verdict), n)
		for _, f := range g.files[:b.p.cut(len(g.files))] {
			names := g.names[f]
			text := strings.Join(names[:b.p.cut(len(names))], ", ")
			if k := b.p.cut(len(names)); k < len(names) {
				text += fmt.Sprintf(", … and %d more", len(names)-k)
			}
			b.f("- %s: %s\n", codeSpan(f, false), codeSpan(text, false))
		}
		if k := b.p.cut(len(g.files)); k < len(g.files) {
			b.f("- … and %d more files\n", len(g.files)-k)
		}
		b.f("\n")
	}
}
