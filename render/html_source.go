package render

import (
	"bytes"
	"compress/gzip"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/teethtool/teeth/audit"
)

// contextSteps are the numbers of lines shown around each site, tried in
// order after whole files until the source fits its budget.
var contextSteps = []int{40, 25, 15, 10, 6, 3, 1, 0}

// wholeFile is the context of a view that shows every file whole.
const wholeFile = -1

// srcFile is the text of one source file, split into lines.
type srcFile struct {
	lines []string // without line ends
}

func newSrcFile(data []byte) *srcFile {
	text := strings.ToValidUTF8(string(data), "\uFFFD")
	text = strings.TrimSuffix(strings.ReplaceAll(text, "\r\n", "\n"), "\n")
	return &srcFile{lines: strings.Split(text, "\n")}
}

// window is a run of shown lines, from and to inclusive, 1-based.
type window struct{ from, to int }

// windows returns the runs of lines within context lines of any of the
// sites' lines (sorted), merging runs that touch or are one line apart.
func windows(lines []int, context, n int) []window {
	if context == wholeFile {
		return []window{{1, n}}
	}
	var out []window
	for _, l := range lines {
		if l < 1 || l > n {
			continue
		}
		w := window{max(1, l-context), min(n, l+context)}
		if k := len(out) - 1; k >= 0 && w.from <= out[k].to+2 {
			out[k].to = max(out[k].to, w.to)
			continue
		}
		out = append(out, w)
	}
	return out
}

// payload is what the page's script reads to lay out a file view: the HTML
// of its site lines (each a <details> with its site's evidence), and the
// file's number of lines and shown windows, each as its first line and its
// text (none without source). It travels as JSON, gzipped, in base64: the
// evidence is most of the page and compresses about five times.
type payload struct {
	HTML    string   `json:"html"`
	Lines   int      `json:"n"`
	Windows [][2]any `json:"w"`
}

// encodePayload makes the payload of a file view: html, and the windows
// of f (nil: no source).
func encodePayload(html string, f *srcFile, ws []window) string {
	p := payload{HTML: html, Windows: [][2]any{}}
	if f != nil {
		p.Lines = len(f.lines)
	}
	for _, w := range ws {
		p.Windows = append(p.Windows, [2]any{w.from, strings.Join(f.lines[w.from-1:w.to], "\n")})
	}
	data, err := json.Marshal(p)
	if err != nil {
		panic(err) // strings and ints always marshal
	}
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.DefaultCompression)
	zw.Write(data)
	zw.Close()
	return base64.StdEncoding.EncodeToString(buf.Bytes())
}

// chooseContext returns the largest context (wholeFile first) whose
// payloads fit the budget, and the payloads, over the file views' HTML
// keyed by path, the files with source and their sites' lines: every file
// whole when they fit, else the same number of lines around each site in
// every file, as many as fit, else none.
func chooseContext(html map[string]string, files map[string]*srcFile, siteLines map[string][]int, budget int) (int, map[string]string) {
	for _, c := range append([]int{wholeFile}, contextSteps...) {
		out, total := map[string]string{}, 0
		for p, h := range html {
			var ws []window
			if f := files[p]; f != nil {
				ws = windows(siteLines[p], c, len(f.lines))
			}
			out[p] = encodePayload(h, files[p], ws)
			total += len(out[p])
		}
		if total <= budget || c == 0 {
			return c, out
		}
	}
	panic("unreachable")
}

// contextWords says how much source the page shows, for its file list.
func contextWords(context int, any bool) string {
	switch {
	case !any:
		return "no source (the report was rendered without the project's files)"
	case context == wholeFile:
		return "whole files"
	case context == 0:
		return "the site lines only"
	case context == 1:
		return "1 line around each site"
	}
	return fmt.Sprintf("%d lines around each site", context)
}

// srcSiteLine is a line with one or more sites on it, or the blocking
// frame of latent blocking calls (the audit's), or both.
type srcSiteLine struct {
	N        int
	Code     string // the line; empty without source
	Verdict  string // the worst verdict of its sites ("latent" for latent calls): the line's colour
	Sites    []*htmlSite
	Latent   []audit.Latent // the latent blocking calls whose blocking frame is this line
	NoSource string         // what stands in for the line without source
}

// lineSeverity orders site verdicts for colouring a line with several
// sites: the line takes the verdict that is worst.
var lineSeverity = []string{"guarded", "unverified", "gate-off", "invalid", "error", "timeout", "red-other", "swallowed", "unguarded", "survived", "latent"}

func worse(a, b string) string {
	rank := func(v string) int {
		for i, s := range lineSeverity {
			if s == v {
				return i
			}
		}
		return len(lineSeverity) // unknown verdicts stand out
	}
	if rank(b) > rank(a) {
		return b
	}
	return a
}

// siteLines groups one file's sites (in line order) by line, with the
// line's text from f (nil: no source). A site whose line is past the end of
// the text stands for itself.
func siteLines(f *srcFile, sites []*htmlSite) []*srcSiteLine {
	var out []*srcSiteLine
	for _, s := range sites {
		if k := len(out) - 1; k >= 0 && out[k].N == s.Line {
			out[k].Verdict = worse(out[k].Verdict, s.Verdict)
			out[k].Sites = append(out[k].Sites, s)
			continue
		}
		l := &srcSiteLine{N: s.Line, Verdict: s.Verdict, Sites: []*htmlSite{s}}
		switch {
		case f != nil && s.Line >= 1 && s.Line <= len(f.lines):
			l.Code = f.lines[s.Line-1]
		case f != nil:
			l.NoSource = fmt.Sprintf("%s (line %d is past the end of the file as read)", s.Call, s.Line)
		default:
			l.NoSource = s.Call
		}
		out = append(out, l)
	}
	return out
}

// withLatent adds a file's latent blocking calls to its site lines (in line
// order): on the line of a site, or on a line of their own, coloured
// "latent".
func withLatent(f *srcFile, lines []*srcSiteLine, latent []audit.Latent) []*srcSiteLine {
	for _, l := range latent {
		i := sort.Search(len(lines), func(i int) bool { return lines[i].N >= l.Line })
		if i < len(lines) && lines[i].N == l.Line {
			lines[i].Latent = append(lines[i].Latent, l)
			lines[i].Verdict = worse(lines[i].Verdict, "latent")
			continue
		}
		nl := &srcSiteLine{N: l.Line, Verdict: "latent", Latent: []audit.Latent{l}}
		switch {
		case f != nil && l.Line >= 1 && l.Line <= len(f.lines):
			nl.Code = f.lines[l.Line-1]
		case f != nil:
			nl.NoSource = fmt.Sprintf("%s (line %d is past the end of the file as read)", l.Primitive, l.Line)
		default:
			nl.NoSource = l.Primitive + " in " + l.Function
		}
		lines = append(lines[:i], append([]*srcSiteLine{nl}, lines[i:]...)...)
	}
	return lines
}
