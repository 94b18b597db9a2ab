package render

import (
	"fmt"
	"html/template"
	"path"
	"sort"
	"strings"

	"github.com/teethtool/teeth/audit"
	"github.com/teethtool/teeth/report"
)

// share is a count's share of a total as a whole percentage ("75%").
func share(n, total int) string {
	if total == 0 {
		return "–"
	}
	return fmt.Sprintf("%.0f%%", 100*float64(n)/float64(total))
}

// bar is a stacked bar of site verdict counts, in the order of
// report.SiteVerdicts, then unknown verdicts by name.
func bar(counts map[string]int, total int) htmlBar {
	order := append([]string{}, report.SiteVerdicts...)
	var rest []string
	for v := range counts {
		if !hasString(order, v) {
			rest = append(rest, v)
		}
	}
	sort.Strings(rest)
	var b htmlBar
	var words []string
	for _, v := range append(order, rest...) {
		if n := counts[v]; n > 0 {
			b.Segs = append(b.Segs, barSeg{Verdict: v, N: n, Width: template.CSS(fmt.Sprintf("width:%.2f%%", 100*float64(n)/float64(total)))})
			words = append(words, fmt.Sprintf("%d %s", n, v))
		}
	}
	b.Words = strings.Join(words, ", ")
	return b
}

// sourceText is the text of the files with sites that the page shows,
// with the lines of their sites.
type sourceText struct {
	files     map[string]*srcFile
	siteLines map[string][]int
}

// newSourceText reads the files of r's sites found in sources.
func newSourceText(r *report.Report, sources map[string][]byte) sourceText {
	st := sourceText{files: map[string]*srcFile{}, siteLines: map[string][]int{}}
	for _, s := range r.Sites {
		data, ok := sources[s.Path]
		if !ok {
			continue
		}
		if st.files[s.Path] == nil {
			st.files[s.Path] = newSrcFile(data)
		}
		st.siteLines[s.Path] = append(st.siteLines[s.Path], s.Line)
	}
	for _, l := range latentIn(r) {
		if st.files[l.Path] != nil {
			st.siteLines[l.Path] = append(st.siteLines[l.Path], l.Line) // its source is shown too
		}
	}
	for _, lines := range st.siteLines {
		sort.Ints(lines)
	}
	return st
}

// newHTMLFiles makes the file views: per file its sites, bar, share and
// source pieces.
func newHTMLFiles(r *report.Report, sites []*htmlSite, st sourceText) []*htmlFile {
	var out []*htmlFile
	for i, t := range report.Files(r) {
		f := &htmlFile{Index: i, Path: t.Path, ShareValue: t.Share(),
			Share: share(t.Guarded(), len(t.Sites)), Bar: bar(t.Verdicts, len(t.Sites)), HasSource: st.files[t.Path] != nil}
		reach := map[string]bool{}
		for _, si := range t.Sites {
			s := sites[si]
			f.Sites = append(f.Sites, s)
			for _, e := range s.Evidence {
				reach[e.Anchor] = true
			}
			for _, n := range s.NotRun {
				for _, a := range n.Anchors {
					reach[a.Text] = true
				}
			}
		}
		f.AnchorsReach = len(reach)
		f.Lines = siteLines(st.files[t.Path], f.Sites)
		var latent []audit.Latent
		for _, l := range latentIn(r) {
			if l.Path == t.Path {
				latent = append(latent, l)
			}
		}
		f.Lines = withLatent(st.files[t.Path], f.Lines, latent)
		idx := make([]string, len(f.Sites))
		for k, s := range f.Sites {
			idx[k] = fmt.Sprint(s.Index)
		}
		f.SiteIndexes = strings.Join(idx, " ")
		if i > 0 {
			f.Prev, out[i-1].Next = out[i-1], f
		}
		out = append(out, f)
	}
	return out
}

// siteLabel is a site's short label: "notes.py:102 write_text_atomic".
func siteLabel(s report.Site) string {
	return fmt.Sprintf("%s:%d %s", path.Base(s.Path), s.Line, s.Callee)
}

// latentIn is the report's latent blocking calls, in file and line order.
func latentIn(r *report.Report) []audit.Latent {
	if r.Audit == nil {
		return nil
	}
	return r.Audit.Latent
}
