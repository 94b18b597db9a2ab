package render

import (
	_ "embed"
	"fmt"
	"html/template"
	"io"
	"strings"

	"github.com/teethtool/teeth/report"
)

// HTMLOptions configures HTML.
type HTMLOptions struct {
	// Sources holds the text of the project's files by the slash path the
	// report's sites name (Site.Path), for the file views. A file without
	// its text (teeth merge, or no options) is shown as its site lines alone.
	Sources map[string][]byte
}

// HTML writes the report as one self-contained HTML page: its style and
// script inline, nothing loaded from elsewhere, a dark theme when the
// reader's system prefers one, every control reachable by keyboard.
//
//   - Overview (#overview): the result, the verdict counts, the findings
//     that need action by kind, each with a one-line fix (report.Actions),
//     and the source files with their sites by verdict as a stacked bar and
//     their share of guarded sites, sortable.
//   - A view per file (#f-N): its source, each site's line coloured by its
//     verdict. A site line is a <details> (a click, Enter or Space opens
//     it) holding the site's verdict and reason, the mutant's diff, each
//     anchor's red→green evidence (the mutant's run, then the restored
//     code's), the rule proposal, and for a site no anchor reaches, the
//     anchors that come closest (report.Closest). A button builds the
//     anchor × site matrix of that file.
//   - Anchors (#anchors): every anchor with its verdict and reason,
//     filtered by verdict and searched as you type; each opens to its
//     baseline and restore runs and its row of the matrix: the outcome at
//     each site it reaches.
//
// The overview and the anchors are HTML; each file view is a payload (see
// payload) the script lays out when the view is first shown: the evidence
// is most of a report and compresses about five times. The payloads get
// what the rest of the page leaves of pageTarget: every file whole when
// that fits, else as many lines around each site as fit. So the page grows
// with the sites and the evidence, never with anchors × sites
// (BenchmarkHTMLLargeProject prints the size of a large report's page).
//
// Keys: j and k move between site lines (anchors, files), Escape closes,
// / searches the anchors. Elements carry data attributes for tools:
// data-site, data-anchor, data-verdict, data-outcome.
func HTML(w io.Writer, r *report.Report, opt HTMLOptions) error {
	d := newHTMLData(r, opt)
	html := map[string]string{}
	for _, f := range d.Files {
		var b strings.Builder
		if err := htmlPage.ExecuteTemplate(&b, "sitelines", f); err != nil {
			return err
		}
		html[f.Path] = b.String()
	}
	// The file views take what the rest of the page leaves of pageTarget.
	var rest countWriter
	if err := htmlPage.Execute(&rest, d); err != nil {
		return err
	}
	context, payloads := chooseContext(html, d.source.files, d.source.siteLines, pageTarget-rest.n)
	d.Source = contextWords(context, len(d.source.files) > 0)
	for _, f := range d.Files {
		// base64 holds no character that needs escaping in an attribute.
		f.Payload = template.HTMLAttr(`data-gz="` + payloads[f.Path] + `"`)
	}
	return htmlPage.Execute(w, d)
}

// pageTarget is the size the page aims at, in bytes: the file views'
// payloads get what the rest leaves, their source as many lines around
// each site as fit, so that the page stays under 1 MB.
const pageTarget = 880 << 10

// countWriter counts the bytes written to it.
type countWriter struct{ n int }

func (c *countWriter) Write(p []byte) (int, error) {
	c.n += len(p)
	return len(p), nil
}

//go:embed html/page.tmpl
var pageTemplate string

//go:embed html/page.css
var pageCSS string

//go:embed html/page.js
var pageJS string

var htmlPage = template.Must(template.New("report").Funcs(template.FuncMap{"text": preText}).Parse(pageTemplate))

// escapeText escapes text for an HTML element's content: only &, < and >,
// since quotes need no escaping there.
func escapeText(s string) string {
	if !strings.ContainsAny(s, "&<>") {
		return s
	}
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
}

// preText escapes text for the content of an element (a <pre>): only &, <
// and >, which is safe there and keeps code and diffs, full of quotes and
// plus signs, about as long as they are.
func preText(s string) template.HTML { return template.HTML(escapeText(s)) }

type htmlData struct {
	Title    string
	Failed   bool
	Report   *report.Report
	Meta     string
	Counts   []verdictCount
	Cards    [2]htmlCard // anchors, sites
	SiteBar  htmlBar
	Actions  []htmlAction
	Reviews  []htmlAction
	Files    []*htmlFile
	Anchors  []*htmlAnchor
	Chips    []verdictChip
	Outcomes []htmlLegend
	Source   string // how much source the file views show
	source   sourceText
	CSS      template.CSS
	JS       template.JS
}

// htmlSite is one site: its line's badge and its panel of evidence.
type htmlSite struct {
	Index                            int
	ID, Verdict, Call, Label, Reason string
	Invalid                          string
	Line                             int
	Diff                             []htmlLine
	Changes                          bool // Diff holds only the changed lines
	Evidence                         []htmlEvidence
	NotRun                           []htmlNotRun
	Closest                          []htmlNearby
	Unreached                        bool // no anchor with the gate on reaches it
	Rule                             *htmlRule
}

type htmlLine struct{ Class, Text string }

type htmlNearby struct{ Ref, Anchor, Verdict, Same, Via, ViaRef string }

type htmlFile struct {
	Index        int
	Path         string
	Sites        []*htmlSite
	Share        string  // "75%"
	ShareValue   float64 // for sorting
	Bar          htmlBar
	Lines        []*srcSiteLine    // the site lines
	SiteIndexes  string            // the indexes of its sites, for links to them: "3 4 9"
	Payload      template.HTMLAttr // data-gz="...": the site lines and the source around them (see payload)
	Prev, Next   *htmlFile
	HasSource    bool
	AnchorsReach int
}

// htmlBar is a stacked bar of sites by verdict, with its words for
// screen readers: "3 guarded, 1 survived".
type htmlBar struct {
	Segs  []barSeg
	Words string
}

// barSeg is one verdict's segment of a stacked bar.
type barSeg struct {
	Verdict string
	N       int
	Width   template.CSS // "width:33.3%"
}

type htmlLegend struct{ Outcome, Short, Class, Meaning string }

// htmlOutcomes is the legend of a (mutant, anchor) pair's outcomes, and
// "not run".
var htmlOutcomes = []htmlLegend{
	{report.Killed, "kill", "killed", "red, the gate fired: the anchor guards this site"},
	{report.KilledOther, "red", "killed-other", "red, the gate did not fire: only the test's own assertions failed"},
	{report.Swallowed, "swal", "swallowed", "green although the gate fired: the detection was swallowed"},
	{report.Survived, "surv", "survived", "green, the gate stayed silent"},
	{report.Timeout, "time", "timeout", "over the time limit: the loop hung"},
	{report.Error, "err", "error", "collection or harness failure"},
	{report.NotReached, "n/r", "not-reached", "the mutated site did not run in this test"},
	{"not-run", "–", "not-run", "reached at baseline, but no run: the anchor is broken, the mutant does not compile, or the mutant stopped at an earlier kill (--full-matrix runs every pair)"},
}

func newHTMLData(r *report.Report, opt HTMLOptions) *htmlData {
	d := &htmlData{Report: r, Failed: r.Summary.Failed, Counts: verdictCounts(r), Outcomes: htmlOutcomes,
		CSS: template.CSS(pageCSS), JS: template.JS(pageJS), Title: "teeth report"}
	if r.Project != "" {
		d.Title += ": " + r.Project
	}
	d.Meta = pageMeta(r)
	anchorRef := map[string]string{}
	for i, a := range r.Anchors {
		anchorRef[a.NodeID] = fmt.Sprintf("#a-%d", i)
	}
	d.Cards = cards(r)
	st := newSourceText(r, opt.Sources)
	d.source = st
	sites := newHTMLSites(r, anchorRef, st)
	d.Files = newHTMLFiles(r, sites, st)
	siteRef := map[string]string{}
	for _, s := range sites {
		siteRef[s.ID] = fmt.Sprintf("#s-%d", s.Index)
	}
	counts := map[string]int{}
	for _, s := range r.Sites {
		counts[s.Verdict]++
	}
	d.SiteBar = bar(counts, len(r.Sites))
	d.Actions, d.Reviews = newHTMLActions(r, anchorRef, siteRef)
	d.Anchors, d.Chips = newHTMLAnchors(r, sites)
	return d
}

// htmlCard is a headline figure of the overview: "14 of 24 anchors have teeth".
type htmlCard struct {
	N, Of int
	Words string
}

// cards are the overview's two headline figures: the anchors with teeth
// and the sites guarded; for teeth audit, which runs no mutant, the
// anchors that reach a site and the sites an anchor reaches.
func cards(r *report.Report) [2]htmlCard {
	c := [2]htmlCard{{Of: len(r.Anchors), Words: "anchors have teeth"}, {Of: len(r.Sites)}}
	audit := r.Mode == "audit"
	if audit {
		c[0].Words = "anchors reach an offload site (teeth audit runs no mutant)"
	}
	for _, a := range r.Anchors {
		if (!audit && a.Verdict == report.Teeth) || (audit && len(a.Sites) > 0) {
			c[0].N++
		}
	}
	for _, s := range r.Sites {
		if (!audit && s.Verdict == report.Guarded) || (audit && s.Verdict != report.Unguarded && s.Verdict != report.GateOff) {
			c[1].N++
		}
	}
	c[1].Words = fmt.Sprintf("offload sites guarded (%s)", share(c[1].N, len(r.Sites)))
	if audit {
		c[1].Words = fmt.Sprintf("offload sites reached by an anchor with the gate on (%s)", share(c[1].N, len(r.Sites)))
	}
	return c
}

// pageMeta is the header's line of facts about the run.
func pageMeta(r *report.Report) string {
	s := r.Summary
	parts := []string{}
	if r.Project != "" {
		parts = append(parts, "project "+r.Project)
	}
	if r.Mode == "audit" {
		parts = append(parts, "audit (no mutants run)")
	}
	parts = append(parts, fmt.Sprintf("%d anchors", len(r.Anchors)), fmt.Sprintf("%d sites", len(r.Sites)),
		fmt.Sprintf("%d mutants", s.Mutants), fmt.Sprintf("%d pytest runs", s.PytestRuns), fmt.Sprintf("%.1f s", s.DurationS))
	if s.Reach != "" {
		parts = append(parts, "reach per "+s.Reach)
	}
	if r.Shard != "" {
		parts = append(parts, "shard "+r.Shard)
	}
	if r.Scope != nil {
		parts = append(parts, fmt.Sprintf("changed since %s", r.Scope.Base))
	}
	if r.Version != "" {
		parts = append(parts, "teeth "+r.Version)
	}
	return strings.Join(parts, " · ")
}
