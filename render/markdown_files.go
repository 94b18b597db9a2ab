package render

import (
	"maps"
	"slices"
	"sort"
	"strings"

	"github.com/teethtool/teeth/report"
)

// mdActions writes what needs action, one line per kind of finding (see
// report.Actions): its count, what the findings are and the one-line fix.
// The tables and blocks below list the findings themselves.
func (b *mdWriter) actions() {
	acts := report.Actions(b.r)
	if len(acts) == 0 {
		return
	}
	b.f("### Needs action\n\n")
	for _, a := range acts {
		mark := "⚠️"
		switch {
		case a.Fails:
			mark = "❌"
		case a.Review:
			mark = "🔎"
		}
		b.f("- %s **%s** (%d): %s. Fix: %s\n", mark, mdText(a.Kind), len(a.Items), mdText(a.Title), mdText(a.Fix))
	}
	b.f("\n")
}

// barCells is the width of a file's bar in the Markdown, in characters.
const barCells = 10

// mdSquares are the bar's characters by site verdict.
var mdSquares = map[string]string{
	report.Guarded: "🟩", report.Swallowed: "🟨", report.RedOther: "🟫", report.Timeout: "🟪", report.Survived: "🟥",
	report.GateOff: "⬜", report.Unguarded: "🟧", report.Unverified: "🟦",
}

func mdSquare(verdict string) string {
	if s := mdSquares[verdict]; s != "" {
		return s
	}
	return "⬛" // invalid, error, unknown
}

// textBar is a file's sites by verdict as barCells squares: each verdict
// its share, rounded by largest remainder, and at least one square.
func textBar(b htmlBar) string {
	total := 0
	for _, s := range b.Segs {
		total += s.N
	}
	cells, used := make([]int, len(b.Segs)), 0
	for i, s := range b.Segs {
		cells[i] = max(1, s.N*barCells/total)
		used += cells[i]
	}
	byRemainder := make([]int, len(b.Segs))
	for i := range byRemainder {
		byRemainder[i] = i
	}
	sort.SliceStable(byRemainder, func(x, y int) bool {
		return b.Segs[byRemainder[x]].N*barCells%total > b.Segs[byRemainder[y]].N*barCells%total
	})
	for _, i := range byRemainder {
		if used >= barCells {
			break
		}
		cells[i]++
		used++
	}
	for used > barCells { // the squares of small verdicts pushed it over: take from the largest
		big := 0
		for i := range cells {
			if cells[i] > cells[big] {
				big = i
			}
		}
		if cells[big] == 1 {
			break
		}
		cells[big]--
		used--
	}
	var out strings.Builder
	for i, s := range b.Segs {
		out.WriteString(strings.Repeat(mdSquare(s.Verdict), cells[i]))
	}
	return out.String()
}

// fileList writes the source files with sites, least guarded first: per
// file its sites, a bar of its sites by verdict and its share of guarded
// sites; at most b.p.files files (< 0: all).
func (b *mdWriter) fileList() {
	files := report.Files(b.r)
	if len(files) == 0 {
		return
	}
	sort.SliceStable(files, func(i, j int) bool { return files[i].Share() < files[j].Share() })
	shown := files
	if b.p.files >= 0 && len(shown) > b.p.files {
		shown = shown[:b.p.files]
	}
	b.f("### Files (%d, least guarded first)\n\n| file | sites | by verdict | guarded |\n| --- | ---: | --- | ---: |\n", len(files))
	present := map[string]bool{}
	for _, f := range shown {
		bar := bar(f.Verdicts, len(f.Sites))
		for _, s := range bar.Segs {
			present[s.Verdict] = true
		}
		b.f("| %s | %d | %s %s | %s |\n", codeSpan(f.Path, true), len(f.Sites), textBar(bar), mdText(bar.Words), share(f.Guarded(), len(f.Sites)))
	}
	if n := len(files) - len(shown); n > 0 {
		b.f("\n_✂️ %d more file%s not shown._\n", n, pluralS(n))
	}
	var legend []string
	for _, v := range append(append([]string{}, report.SiteVerdicts...), report.Unverified) {
		if present[v] {
			legend = append(legend, mdSquare(v)+" "+v)
			delete(present, v)
		}
	}
	for _, v := range slices.Sorted(maps.Keys(present)) {
		legend = append(legend, mdSquare(v)+" "+mdText(v))
	}
	b.f("\n%s\n\n", strings.Join(legend, " · "))
}
