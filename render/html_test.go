package render

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/teethtool/teeth/internal/testcheck"
	"github.com/teethtool/teeth/report"
)

func htmlOf(t testing.TB, r *report.Report, opt ...HTMLOptions) []byte {
	t.Helper()
	var buf bytes.Buffer
	if len(opt) == 0 {
		opt = append(opt, HTMLOptions{})
	}
	if err := HTML(&buf, r, opt[0]); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// exampleSources reads the files of r's sites from the bundled example,
// which the fixture was cut from.
func exampleSources(t testing.TB, r *report.Report) HTMLOptions {
	t.Helper()
	src := map[string][]byte{}
	for _, s := range r.Sites {
		data, err := os.ReadFile(filepath.Join("..", "testdata", "example", filepath.FromSlash(s.Path)))
		if err != nil {
			t.Fatal(err)
		}
		src[s.Path] = data
	}
	return HTMLOptions{Sources: src}
}

// withPayloads is a page with each file view's payload decoded in place
// (see testcheck.HTMLPayloads).
func withPayloads(t testing.TB, page []byte, source bool) string {
	t.Helper()
	out, err := testcheck.HTMLPayloads(page, source)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestHTMLGolden compares the page of the fixture, with the example's
// sources, to testdata/fixture.html, where each file view's payload is
// decoded in place (see withPayloads).
func TestHTMLGolden(t *testing.T) {
	r := fixture(t)
	checkGolden(t, "fixture.html", []byte(withPayloads(t, htmlOf(t, r, exampleSources(t, r)), true)))
}

// TestHTMLSelfContained: the page loads nothing: one inline script, no
// source attribute, no URL, no request API; text from the report is
// escaped, never markup.
func TestHTMLSelfContained(t *testing.T) {
	r := fixture(t)
	out := string(htmlOf(t, r, exampleSources(t, r)))
	if n := strings.Count(strings.ToLower(out), "<script"); n != 1 || !strings.Contains(out, "<script>(function") {
		t.Errorf("%d script elements, want the one inline script", n)
	}
	for _, re := range []string{`(?i)<link`, `(?i)<img`, `(?i)<iframe`, `(?i)<object`, `(?i)<embed`, `(?i)\bsrc=`, `(?i)url\(`, `(?i)@import`,
		`(?i)https?://`, `\bfetch\(`, `XMLHttpRequest`, `WebSocket`, `EventSource`, `sendBeacon`, `\bimport\(`, `(?i)<form`} {
		if m := regexp.MustCompile(re).FindString(out); m != "" {
			t.Errorf("the page loads or sends something (%q)", m)
		}
	}
	r.Anchors[0].Reason = `<script>alert(1)</script><img src="https://example.com/x.png">`
	r.Anchors[0].NodeID = `tests/x.py::test_a["><b>x</b>]`
	r.Sites[0].Function = `<b>f</b>`
	opt := exampleSources(t, r)
	opt.Sources["app/audit.py"] = []byte(strings.Repeat("\n", 28) + "x = '<script>alert(2)</script>' & 1\n")
	out = withPayloads(t, htmlOf(t, r, opt), false)
	for _, bad := range []string{"<script>alert", "<img", "<b>x</b>", "<b>f</b>"} {
		if strings.Contains(out, bad) {
			t.Errorf("raw %q from the report or the source reached the page", bad)
		}
	}
	for _, want := range []string{"&lt;script&gt;alert(1)&lt;/script&gt;", "x = '&lt;script&gt;alert(2)&lt;/script&gt;' &amp; 1", "in &lt;b&gt;f&lt;/b&gt;"} {
		if !strings.Contains(out, want) {
			t.Errorf("the page lacks the escaped %q", want)
		}
	}
}

// TestHTMLWithoutSources: without the project's files (teeth merge) each
// file view lists its site lines alone, and says so.
func TestHTMLWithoutSources(t *testing.T) {
	out := withPayloads(t, htmlOf(t, fixture(t)), false)
	if strings.Contains(out, `<div class="pl">`) || strings.Contains(out, `class="gap"`) {
		t.Error("a page without sources shows source lines")
	}
	if n := strings.Count(out, "The source of this file is not in this report"); n != 6 {
		t.Errorf("%d file views say their source is missing, want 6", n)
	}
	if !strings.Contains(out, `<details class="site v-survived" data-line="199"><summary><span class="g">199</span><span class="t"><span class="badge v-survived">survived</span></span><span class="c nosrc">asyncio.to_thread(fsync_directory) in NoteService.checkpoint</span></summary>`) {
		t.Error("the checkpoint site's line is not shown as its call")
	}
	if !strings.Contains(out, "no source (the report was rendered without the project&#39;s files)") {
		t.Error("the file list does not say the page has no source")
	}
}

// TestHTMLCards: the overview's headline figures; for teeth audit, which
// runs no mutant, what the anchors reach instead of their teeth.
func TestHTMLCards(t *testing.T) {
	r := fixture(t)
	out := string(htmlOf(t, r))
	for _, want := range []string{
		`<div class="card" id="card-anchors"><b>2 of 10</b> anchors have teeth</div>`,
		`<div class="card" id="card-sites"><b>6 of 13</b> offload sites guarded (46%)<div class="bar"`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("the overview lacks %s", want)
		}
	}
	r.Mode = "audit"
	for i := range r.Sites {
		if v := r.Sites[i].Verdict; v != report.Unguarded && v != report.GateOff {
			r.Sites[i].Verdict = report.Unverified
		}
	}
	out = string(htmlOf(t, r))
	for _, want := range []string{
		`<b>8 of 10</b> anchors reach an offload site (teeth audit runs no mutant)</div>`,
		`<b>12 of 13</b> offload sites reached by an anchor with the gate on (92%)`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("the audit's overview lacks %s", want)
		}
	}
}
