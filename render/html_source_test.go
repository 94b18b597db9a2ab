package render

import (
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/teethtool/teeth/internal/testcheck"
)

func TestWindows(t *testing.T) {
	for _, c := range []struct {
		lines   []int
		context int
		want    []window
	}{
		{[]int{10}, 3, []window{{7, 13}}},
		{[]int{2, 99}, 3, []window{{1, 5}, {96, 100}}},
		{[]int{10, 17}, 2, []window{{8, 12}, {15, 19}}}, // two hidden lines between: kept apart
		{[]int{10, 16}, 2, []window{{8, 18}}},           // one hidden line between: shown
		{[]int{10, 10, 11}, 0, []window{{10, 11}}},      // adjacent site lines
		{[]int{0, 50, 101}, 1, []window{{49, 51}}},      // lines outside the file
		{[]int{50}, wholeFile, []window{{1, 100}}},
	} {
		if got := windows(c.lines, c.context, 100); !reflect.DeepEqual(got, c.want) {
			t.Errorf("windows(%v, %d) = %v, want %v", c.lines, c.context, got, c.want)
		}
	}
}

// decodePayload reads a payload as the page's script does.
func decodePayload(t testing.TB, b64 string) (html string, n int, ws [][2]any) {
	t.Helper()
	p, err := testcheck.DecodePayload(b64)
	if err != nil {
		t.Fatal(err)
	}
	return p.HTML, p.Lines, p.Windows
}

// numbered is a file of n distinct lines, hard to compress.
func numbered(n int) *srcFile {
	var b strings.Builder
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&b, "line %d: %x\n", i, uint32(i)*2654435761)
	}
	return newSrcFile([]byte(b.String()))
}

func TestChooseContext(t *testing.T) {
	files := map[string]*srcFile{"a.py": numbered(3000), "b.py": numbered(10)}
	lines := map[string][]int{"a.py": {100, 2500}, "b.py": {5}}
	html := map[string]string{"a.py": "<a>", "b.py": "<b>", "c.py": "<c>"} // c.py: no source
	c, payloads := chooseContext(html, files, lines, 1<<20)
	if c != wholeFile {
		t.Fatalf("a budget for the whole files gave context %d", c)
	}
	if h, n, ws := decodePayload(t, payloads["a.py"]); h != "<a>" || n != 3000 || len(ws) != 1 || ws[0][0] != 1.0 || !strings.HasPrefix(ws[0][1].(string), "line 1: ") {
		t.Errorf("a.py whole: html %q, %d lines, %d windows", h, n, len(ws))
	}
	if h, n, ws := decodePayload(t, payloads["c.py"]); h != "<c>" || n != 0 || len(ws) != 0 {
		t.Errorf("c.py: html %q, %d lines, windows %v", h, n, ws)
	}
	whole := len(payloads["a.py"]) + len(payloads["b.py"]) + len(payloads["c.py"])
	c, payloads = chooseContext(html, files, lines, whole/4)
	if c == wholeFile || c == 0 {
		t.Fatalf("a quarter of the whole files' budget gave context %d", c)
	}
	_, n, ws := decodePayload(t, payloads["a.py"])
	if n != 3000 || len(ws) != 2 || ws[0][0] != float64(100-c) || strings.Count(ws[1][1].(string), "\n") != 2*c {
		t.Errorf("a.py at context %d: %d lines, windows %v", c, n, ws)
	}
	if c, payloads := chooseContext(html, files, lines, 1); c != 0 || len(payloads) != 3 {
		t.Errorf("a budget too small for anything gave context %d and %d payloads, want 0 and 3", c, len(payloads))
	}
}

func TestSiteLines(t *testing.T) {
	f := newSrcFile([]byte("a = 1\r\nb = '<x>' & 2\nc\n"))
	sites := []*htmlSite{
		{Index: 0, Line: 2, Verdict: "guarded", Call: "to_thread(b)"},
		{Index: 1, Line: 2, Verdict: "survived", Call: "to_thread(b2)"},
		{Index: 2, Line: 9, Verdict: "invalid", Call: "to_thread(z) in gone"},
	}
	var got []string
	for _, l := range siteLines(f, sites) {
		got = append(got, fmt.Sprintf("%d %s %d %q %q", l.N, l.Verdict, len(l.Sites), l.Code, l.NoSource))
	}
	want := []string{
		`2 survived 2 "b = '<x>' & 2" ""`,
		`9 invalid 1 "" "to_thread(z) in gone (line 9 is past the end of the file as read)"`,
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("site lines:\n got %q\nwant %q", got, want)
	}
	if l := siteLines(nil, sites[:1]); len(l) != 1 || l[0].NoSource != "to_thread(b)" {
		t.Errorf("without source: %+v", l[0])
	}
}
