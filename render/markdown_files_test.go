package render

import (
	"fmt"
	"strings"
	"testing"

	"github.com/teethtool/teeth/report"
)

func TestTextBar(t *testing.T) {
	for _, c := range []struct {
		counts map[string]int
		want   string
	}{
		{map[string]int{report.Guarded: 3, report.Survived: 1, report.Unguarded: 1}, "🟩🟩🟩🟩🟩🟩🟥🟥🟧🟧"},
		{map[string]int{report.Guarded: 99, report.Survived: 1}, "🟩🟩🟩🟩🟩🟩🟩🟩🟩🟥"},
		{map[string]int{report.Guarded: 1, report.Swallowed: 1, report.Timeout: 1}, "🟩🟩🟩🟩🟨🟨🟨🟪🟪🟪"},
		{map[string]int{report.Invalid: 2}, "⬛⬛⬛⬛⬛⬛⬛⬛⬛⬛"},
		{map[string]int{"a": 1, "b": 1, "c": 1, "d": 1, "e": 1, "f": 1, "g": 1, "h": 1, "i": 1, "j": 1, "k": 1}, strings.Repeat("⬛", 11)},
	} {
		total := 0
		for _, n := range c.counts {
			total += n
		}
		if got := textBar(bar(c.counts, total)); got != c.want {
			t.Errorf("textBar(%v) = %s, want %s", c.counts, got, c.want)
		}
	}
}

// TestMarkdownFileListCut: the ladder's last step before the compact form
// keeps the 20 least guarded files and says how many it left out.
func TestMarkdownFileListCut(t *testing.T) {
	r := &report.Report{}
	for i := 0; i < 60; i++ {
		for j := 0; j < 4; j++ {
			v := report.Guarded
			if j < i%5 {
				v = report.Survived
			}
			r.Sites = append(r.Sites, report.Site{ID: fmt.Sprintf("app/m%02d.py:f:g#%d", i, j), Path: fmt.Sprintf("app/m%02d.py", i), Line: j + 1, Verdict: v})
		}
	}
	var plan mdPlan
	for _, p := range mdLadder() {
		if p.files >= 0 && !p.compact {
			plan = p
		}
	}
	out := renderMarkdown(r, report.DefaultFailOn, plan, 1<<30)
	if !strings.Contains(out, "### Files (60, least guarded first)") || !strings.Contains(out, "_✂️ 40 more files not shown._") {
		t.Errorf("the cut file list:\n%s", out)
	}
	if n := strings.Count(out, "| 🟥🟥🟥🟥🟥🟥🟥🟥🟩🟩 4 survived"); n != 0 {
		t.Errorf("a file with 4 of 4 survived drew %d green squares", n)
	}
	if n := strings.Count(out, "| 🟥🟥🟥🟥🟥🟥🟥🟥🟥🟥 4 survived | 0% |"); n != 12 {
		t.Errorf("%d files with no guarded site listed first, want all 12", n)
	}
	if !strings.Contains(out, "the file list cut to the 20 least guarded files") {
		t.Error("the note does not say the file list was cut")
	}
	full := renderMarkdown(r, report.DefaultFailOn, mdLadder()[0], 1<<30)
	if strings.Count(full, "| `app/m") != 60 {
		t.Error("the full form does not list every file")
	}
	if compact := renderMarkdown(r, report.DefaultFailOn, mdLadder()[len(mdLadder())-1], 1<<30); strings.Contains(compact, "### Files") {
		t.Error("the compact form lists the files")
	}
}
