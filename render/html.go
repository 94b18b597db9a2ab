package render

import (
	"fmt"
	"html/template"
	"io"
	"path"
	"strings"

	"github.com/teethtool/teeth/report"
)

// HTML writes a self-contained HTML page of the report (inline CSS, no
// scripts, nothing loaded from elsewhere): a header with the result and the
// verdict counts; the anchors × sites matrix, one row per anchor and one
// column per site, each cell the outcome of that (mutant, anchor) pair from
// the evidence, colour-coded, with a legend (a cell is empty where the anchor
// does not reach the site, and "not run" where it reaches it but no run was
// needed or possible); the sites with their verdicts; and per anchor its
// evidence: each mutant's diff, outcome, detector messages, excerpt and
// reproduce command, and the restore run.
//
// The matrix carries data attributes for tools: each row data-anchor (node
// id), each column header and cell data-site (site id), each cell with a
// run data-outcome.
func HTML(w io.Writer, r *report.Report) error {
	return htmlPage.Execute(w, newHTMLData(r))
}

type htmlData struct {
	Title    string
	Failed   bool
	Report   *report.Report
	Counts   []verdictCount
	Outcomes []htmlLegend
	Sites    []htmlSite
	Rows     []htmlRow
	Rules    []htmlRule
}

type htmlLegend struct{ Outcome, Short, Class, Meaning string }

type htmlSite struct {
	Index                                     int
	ID, Label, Verdict, Class, Loc, Reason    string
	Function, Callee, Offload, Shape, Anchors string
}

type htmlRow struct {
	Index                       int
	NodeID, Verdict, Class, Loc string
	Reason, Baseline            string
	BaselineExcerpt             string
	Restore                     string
	RestoreOK                   bool
	Cells                       []htmlCell
	Mutants                     []htmlMutant
}

type htmlCell struct {
	Site, Outcome, Short, Class, Title, Href string
}

type htmlMutant struct {
	ID, Site, Loc, Outcome, Class, Words, Run, Detector, TestLine, Excerpt, Retry, Reproduce, Loop string
	Diff                                                                                           []htmlLine
	Cached                                                                                         bool
}

type htmlLine struct{ Class, Text string }

// htmlOutcomes is the legend: every outcome of a (mutant, anchor) pair, and
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

func newHTMLData(r *report.Report) *htmlData {
	d := &htmlData{Report: r, Failed: r.Summary.Failed, Counts: verdictCounts(r), Outcomes: htmlOutcomes, Rules: newHTMLRules(r)}
	d.Title = "teeth report"
	if r.Project != "" {
		d.Title += ": " + r.Project
	}
	short := map[string]string{}
	for _, o := range htmlOutcomes {
		short[o.Outcome] = o.Short
	}
	for i, s := range r.Sites {
		d.Sites = append(d.Sites, htmlSite{
			Index: i, ID: s.ID, Verdict: s.Verdict, Class: verdictClass(s.Verdict, false),
			Label: fmt.Sprintf("%s:%d %s", path.Base(s.Path), s.Line, s.Callee),
			Loc:   fmt.Sprintf("%s:%d", s.Path, s.Line), Reason: report.SiteReason(s),
			Function: s.Function, Callee: s.Callee, Offload: s.Offload, Shape: s.Shape,
			Anchors: strings.Join(s.Anchors, "\n"),
		})
	}
	siteLoc := map[string]string{}
	for _, s := range d.Sites {
		siteLoc[s.ID] = s.Loc
	}
	for i := range r.Anchors {
		a := &r.Anchors[i]
		row := htmlRow{
			Index: i, NodeID: a.NodeID, Verdict: a.Verdict, Class: verdictClass(a.Verdict, a.SelfTest),
			Loc: fmt.Sprintf("%s:%d", anchorFile(*a), a.Line), Reason: a.Reason, Baseline: runBrief(a.Baseline),
		}
		if a.Baseline.Outcome != "passed" {
			row.BaselineExcerpt = a.Baseline.Excerpt
		}
		if a.Restore != nil {
			row.Restore, row.RestoreOK = runBrief(*a.Restore), a.Restore.Outcome == "passed"
		}
		mutantID := map[string]string{}
		for j, m := range a.Mutants {
			id := fmt.Sprintf("e-%d-%d", i, j)
			mutantID[m.Site] = id
			row.Mutants = append(row.Mutants, newHTMLMutant(id, m, siteLoc[m.Site]))
		}
		for _, s := range r.Sites {
			cell := htmlCell{Site: s.ID}
			if m := evidenceFor(a, s.ID); m != nil {
				cell.Outcome, cell.Short, cell.Class = m.Outcome, short[m.Outcome], m.Outcome
				if cell.Short == "" {
					cell.Short, cell.Class = m.Outcome, "error"
				}
				cell.Href = "#" + mutantID[s.ID]
				cell.Title = fmt.Sprintf("%s × %s: %s (%s)", a.NodeID, s.ID, m.Outcome, outcomeWords[m.Outcome])
			} else if reaches(*a, s) {
				cell.Outcome, cell.Short, cell.Class = "not-run", short["not-run"], "not-run"
				why := "the mutant stopped at an earlier kill (--full-matrix runs every pair)"
				switch {
				case a.Baseline.Outcome != "passed":
					why = "the anchor is not green at baseline"
				case s.Verdict == report.Invalid:
					why = "the mutant does not compile"
				}
				cell.Title = fmt.Sprintf("%s × %s: reached, not run: %s", a.NodeID, s.ID, why)
			}
			row.Cells = append(row.Cells, cell)
		}
		d.Rows = append(d.Rows, row)
	}
	return d
}

func newHTMLMutant(id string, m report.Evidence, loc string) htmlMutant {
	hm := htmlMutant{ID: id, Site: m.Site, Loc: loc, Outcome: m.Outcome, Class: m.Outcome,
		Words: outcomeWords[m.Outcome], Run: runBrief(m.Run), Reproduce: m.Reproduce, Cached: m.Cached}
	if hm.Words == "" {
		hm.Words, hm.Class = m.Outcome, "error"
	}
	if len(m.Run.Detector) > 0 {
		distinct, n := distinctCounts(m.Run.Detector)
		parts := make([]string, len(distinct))
		for i, s := range distinct {
			parts[i] = s
			if n[s] > 1 {
				parts[i] += fmt.Sprintf(" (×%d)", n[s])
			}
		}
		hm.Detector = strings.Join(parts, "; ")
	}
	hm.Loop = blockedBrief(m.Run.Blocked, func(s string) string { return s })
	hm.TestLine, hm.Excerpt, _ = strings.Cut(strings.TrimSpace(m.Run.Excerpt), "\n")
	if m.Run.Outcome == "timeout" || m.Run.Outcome == "error" {
		hm.TestLine = "" // runBrief already shows the excerpt's first line
	}
	if m.Retry != nil {
		hm.Retry = runBrief(*m.Retry)
	}
	if len(m.Tally) > 2 {
		hm.Retry += "; runs: " + report.DescribeTally(m.Tally)
	}
	hm.Diff = diffLines(m.Diff)
	return hm
}

// verdictClass is the CSS class of a verdict badge: good, bad or neutral.
func verdictClass(v string, selfTest bool) string {
	switch {
	case v == report.Teeth || v == report.Guarded:
		return "good"
	case v == report.GateOff || v == report.Skipped || v == report.XFailed || (v == report.NoSite && selfTest):
		return "neutral"
	}
	return "bad"
}

var htmlPage = template.Must(template.New("report").Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}}</title>
<style>
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0;padding:0 24px 48px;color:#1f2328;background:#fff}
h1{font-size:22px;margin:20px 0 4px}h2{font-size:18px;margin:32px 0 8px;border-bottom:1px solid #d0d7de;padding-bottom:4px}
h3{font-size:15px;margin:0 0 6px}h4{font-size:14px;margin:14px 0 6px}
code,pre{font:12px/1.4 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}
pre{background:#f6f8fa;border:1px solid #d0d7de;border-radius:6px;padding:8px;overflow-x:auto;margin:6px 0}
table{border-collapse:collapse}th,td{border:1px solid #d0d7de;padding:3px 6px;text-align:left;vertical-align:top}
.meta{color:#59636e;margin:0 0 12px}
.result{font-size:14px;border-radius:12px;padding:2px 10px;vertical-align:middle;color:#fff}
.result.failed{background:#cf222e}.result.passed{background:#1a7f37}
.badge{display:inline-block;border-radius:10px;padding:0 7px;font-size:12px;font-weight:600;white-space:nowrap}
.badge.good{background:#dafbe1;color:#116329}.badge.bad{background:#ffebe9;color:#a40e26}.badge.neutral{background:#eaeef2;color:#424a53}
table.counts td.n{text-align:right;min-width:4em}
.scroll{overflow:auto;max-width:100%;max-height:80vh;border:1px solid #d0d7de}
#matrix{font-size:12px}#matrix th.site{vertical-align:bottom;padding:4px 2px;min-width:34px}
#matrix th.site .rot{writing-mode:vertical-rl;transform:rotate(180deg);white-space:nowrap;max-height:220px;overflow:hidden;text-overflow:ellipsis}
#matrix th.site.good{border-top:4px solid #1a7f37}#matrix th.site.bad{border-top:4px solid #cf222e}
#matrix th.anchor{white-space:nowrap;font-weight:normal;position:sticky;left:0;background:#fff;z-index:1}
#matrix thead th{position:sticky;top:0;background:#fff;z-index:2}#matrix thead th.corner{left:0;z-index:3}
#matrix td{text-align:center;padding:2px 4px;min-width:34px}
#matrix td a,.legend a{color:inherit;text-decoration:none;display:block}
.o-killed{background:#2da44e;color:#fff}.o-killed-other{background:#fb8f44;color:#1f2328}
.o-swallowed{background:#eac54f;color:#1f2328}.o-survived{background:#cf222e;color:#fff}
.o-timeout{background:#8250df;color:#fff}.o-error{background:#57606a;color:#fff}
.o-not-reached{background:#eaeef2;color:#424a53}.o-not-run{background:repeating-linear-gradient(45deg,#f6f8fa,#f6f8fa 4px,#eaeef2 4px,#eaeef2 8px);color:#59636e}
.legend{display:flex;flex-wrap:wrap;gap:6px 18px;list-style:none;padding:0;margin:8px 0 12px}
.legend .sw{display:inline-block;min-width:34px;text-align:center;border-radius:3px;margin-right:6px;font-size:12px}
article{border:1px solid #d0d7de;border-radius:6px;padding:12px 16px;margin:12px 0}
.mutant{border-top:1px dashed #d0d7de;margin-top:10px}
.diff span{display:block;white-space:pre;min-height:1.4em}.diff .add{background:#dafbe1}.diff .del{background:#ffebe9}
.diff .hunk{color:#8250df}.diff .file{color:#59636e;font-weight:600}
#sites table{width:100%}#sites td{overflow-wrap:anywhere}
.red{color:#a40e26}.green{color:#116329}
.r-red{background:#cf222e;color:#fff}.r-green{background:#2da44e;color:#fff}.r-other{background:#fb8f44;color:#1f2328}
</style>
</head>
<body>
<header>
<h1>teeth <span class="result {{if .Failed}}failed{{else}}passed{{end}}">{{if .Failed}}failed{{else}}passed{{end}}</span></h1>
<p class="meta">{{with .Report}}{{if .Project}}project <code>{{.Project}}</code> · {{end}}{{len .Anchors}} anchors · {{len .Sites}} sites · {{.Summary.Mutants}} mutants · {{.Summary.PytestRuns}} pytest runs · {{printf "%.1f" .Summary.DurationS}} s{{if .Summary.Reach}} · reach per {{.Summary.Reach}}{{end}}{{if .Shard}} · shard {{.Shard}}{{end}}{{if .Version}} · teeth {{.Version}}{{end}}{{end}}</p>
<table class="counts" id="counts">
<thead><tr><th>verdict</th><th>anchors</th><th>sites</th></tr></thead>
<tbody>
{{range .Counts}}<tr data-verdict="{{.Verdict}}"><td>{{.Verdict}}</td><td class="n">{{if .Anchors}}{{.Anchors}}{{end}}</td><td class="n">{{if .Sites}}{{.Sites}}{{end}}</td></tr>
{{end}}<tr><th>total</th><td class="n">{{len .Report.Anchors}}</td><td class="n">{{len .Report.Sites}}</td></tr>
</tbody>
</table>
</header>

<section id="matrix-section">
<h2>Anchors × sites</h2>
<p>Each cell is what un-offloading the column's site did to the row's anchor; an empty cell means the anchor does not reach the site. A cell links to its evidence.</p>
<ul class="legend" id="legend">
{{range .Outcomes}}<li data-outcome="{{.Outcome}}"><span class="sw o-{{.Class}}">{{.Short}}</span><b>{{.Outcome}}</b>: {{.Meaning}}</li>
{{end}}</ul>
<div class="scroll">
<table id="matrix">
<thead><tr><th class="corner">anchor \ site</th>{{range .Sites}}<th class="site {{.Class}}" data-site="{{.ID}}" title="{{.ID}} ({{.Verdict}})"><div class="rot"><a href="#site-{{.Index}}">{{.Label}}</a></div></th>{{end}}</tr></thead>
<tbody>
{{range .Rows}}<tr data-anchor="{{.NodeID}}"><th class="anchor" scope="row"><span class="badge {{.Class}}">{{.Verdict}}</span> <a href="#anchor-{{.Index}}">{{.NodeID}}</a></th>{{range .Cells}}<td data-site="{{.Site}}"{{if .Outcome}} data-outcome="{{.Outcome}}" class="o-{{.Class}}" title="{{.Title}}"{{end}}>{{if .Href}}<a href="{{.Href}}">{{.Short}}</a>{{else}}{{.Short}}{{end}}</td>{{end}}</tr>
{{end}}</tbody>
</table>
</div>
</section>

<section id="sites">
<h2>Sites</h2>
<table>
<thead><tr><th>site</th><th>verdict</th><th>where</th><th>call</th><th>why</th></tr></thead>
<tbody>
{{range .Sites}}<tr id="site-{{.Index}}" data-site="{{.ID}}"><td><code>{{.ID}}</code></td><td><span class="badge {{.Class}}">{{.Verdict}}</span></td><td><code>{{.Loc}}</code></td><td><code>{{.Offload}}({{.Callee}})</code>, {{.Shape}}, in <code>{{.Function}}</code></td><td>{{.Reason}}</td></tr>
{{end}}</tbody>
</table>
</section>

{{if .Rules}}<section id="rules">
<h2>Rule candidates</h2>
<p>For each survived site, the detector rule that would catch what its un-offloaded call blocked the loop in, proven in the sandbox (red with the rule and the offload removed, green with it restored), or why there is none.</p>
{{range .Rules}}<article data-site="{{.Site}}" data-rule="{{.Status}}">
<h3><span class="badge {{.Class}}">{{.Status}}</span>{{if .Primitive}} rule for <code>{{.Primitive}}</code>{{end}} at <code>{{.Site}}</code></h3>
<p>{{.Reason}}</p>
{{if .Rule}}<p class="meta">rule <code>{{.Rule}}</code>{{if .Gate}} in the gate at <code>{{.Gate}}</code>{{end}}{{if .Detector}} · {{.Detector}}{{end}}</p>
{{end}}{{if .Runs}}<table class="rule-runs"><tbody>
{{range .Runs}}<tr data-outcome="{{.Outcome}}"><td>{{.Label}}</td><td><span class="badge r-{{.Class}}">{{.Outcome}}</span></td><td><code>{{.Anchor}}</code></td><td>{{.Brief}}</td></tr>
{{end}}</tbody></table>
{{end}}{{if .Collateral}}<p>{{.Collateral}}</p>
{{end}}{{if .Patch}}<pre class="diff patch">{{range .Patch}}<span class="{{.Class}}">{{.Text}}</span>{{end}}</pre>
{{end}}{{if .Snippet}}<p>to add by hand ({{.SnippetWhy}}):</p><pre class="snippet">{{.Snippet}}</pre>
{{end}}{{if .Commit}}<details><summary>commit message</summary><pre class="commit">{{.Commit}}</pre></details>
{{end}}</article>
{{end}}</section>

{{end}}<section id="evidence">
<h2>Evidence</h2>
{{range .Rows}}<article id="anchor-{{.Index}}" data-anchor="{{.NodeID}}">
<h3><span class="badge {{.Class}}">{{.Verdict}}</span> <code>{{.NodeID}}</code></h3>
<p>{{.Reason}}</p>
<p class="meta">anchor <code>{{.Loc}}</code> · baseline {{.Baseline}}</p>
{{if .BaselineExcerpt}}<pre class="excerpt">{{.BaselineExcerpt}}</pre>
{{end}}{{range .Mutants}}<div class="mutant" id="{{.ID}}" data-site="{{.Site}}">
<h4>mutant <code>{{.Site}}</code>{{if .Loc}} at <code>{{.Loc}}</code>{{end}} → <span class="badge o-{{.Class}}">{{.Outcome}}</span>{{if .Cached}} (cached){{end}}</h4>
{{if .Diff}}<pre class="diff">{{range .Diff}}<span class="{{.Class}}">{{.Text}}</span>{{end}}</pre>
{{end}}<p><b>{{.Words}}</b>: {{.Run}}{{if .TestLine}} at <code>{{.TestLine}}</code>{{end}}{{if .Detector}} · detector: <code>{{.Detector}}</code>{{end}}</p>
{{if .Loop}}<p class="loop">on the loop: {{.Loop}}</p>
{{end}}{{if .Excerpt}}<pre class="excerpt">{{.Excerpt}}</pre>
{{end}}{{if .Retry}}<p>re-run: {{.Retry}}</p>
{{end}}{{if .Reproduce}}<p>reproduce: <code>{{.Reproduce}}</code></p>
{{end}}</div>
{{end}}{{if .Restore}}<p class="{{if .RestoreOK}}green{{else}}red{{end}}"><b>restore</b>: {{.Restore}}</p>
{{end}}</article>
{{end}}</section>
</body>
</html>
`))
