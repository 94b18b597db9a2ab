package render

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"github.com/teethtool/teeth/internal/testcheck"
	"github.com/teethtool/teeth/report"
)

// page is a report open in headless Chromium.
type page struct {
	t   *testing.T
	ctx context.Context
}

// openReport writes the HTML of r (with opt) to a file and opens it in
// headless Chromium.
func openReport(t *testing.T, r *report.Report, opt HTMLOptions) *page {
	t.Helper()
	file := filepath.Join(t.TempDir(), "report.html")
	if err := os.WriteFile(file, htmlOf(t, r, opt), 0o644); err != nil {
		t.Fatal(err)
	}
	p := &page{t: t, ctx: testcheck.Chromium(t, 2*time.Minute)}
	p.do(chromedp.Navigate("file://" + file))
	return p
}

func (p *page) do(actions ...chromedp.Action[chromedp.Void]) {
	p.t.Helper()
	if err := chromedp.Do(p.ctx, actions...); err != nil {
		p.t.Fatal(err)
	}
}

// click clicks the element with a real mouse event at its centre.
func (p *page) click(css string) {
	p.t.Helper()
	p.do(chromedp.ScrollIntoView(chromedp.CSS(css)), chromedp.Click(chromedp.CSS(css)))
}

// key types keys into the focused element.
func (p *page) key(keys string) {
	p.t.Helper()
	p.do(chromedp.KeyEvent(keys))
}

// eval evaluates a JavaScript expression in the page and decodes its JSON
// value into v.
func (p *page) eval(js string, v any) {
	p.t.Helper()
	s, err := chromedp.Run(p.ctx, chromedp.Evaluate[string]("JSON.stringify("+js+")"))
	if err != nil {
		p.t.Fatalf("evaluating %s: %v", js, err)
	}
	if err := json.Unmarshal([]byte(s), v); err != nil {
		p.t.Fatalf("evaluating %s: %v (%s)", js, err, s)
	}
}

// visible reports whether the element of css is rendered (not in a view or
// a <details> that is closed).
func (p *page) visible(css string) bool {
	p.t.Helper()
	var v bool
	p.eval(fmt.Sprintf(`(e => !!e && e.checkVisibility({contentVisibilityAuto: true, visibilityProperty: true}))(document.querySelector(%q))`, css), &v)
	return v
}

func (p *page) text(css string) string {
	p.t.Helper()
	var s string
	p.eval(fmt.Sprintf(`(e => e ? e.innerText : "")(document.querySelector(%q))`, css), &s)
	return s
}

func (p *page) texts(css string) []string {
	p.t.Helper()
	var s []string
	p.eval(fmt.Sprintf(`Array.from(document.querySelectorAll(%q), e => e.innerText.trim())`, css), &s)
	return s
}

func (p *page) attrs(css, name string) []string {
	p.t.Helper()
	var s []string
	p.eval(fmt.Sprintf(`Array.from(document.querySelectorAll(%q), e => e.getAttribute(%q) || "")`, css, name), &s)
	return s
}

// background is the computed background colour of the element of css as
// red, green and blue.
func (p *page) background(css string) [3]int {
	p.t.Helper()
	var s string
	p.eval(fmt.Sprintf(`getComputedStyle(document.querySelector(%q)).backgroundColor`, css), &s)
	var c [3]int
	if m := regexp.MustCompile(`^color\(srgb ([\d.]+) ([\d.]+) ([\d.]+)\)$`).FindStringSubmatch(s); m != nil {
		for i := range c {
			f, _ := strconv.ParseFloat(m[i+1], 64)
			c[i] = int(f*255 + 0.5)
		}
		return c
	}
	m := regexp.MustCompile(`^rgba?\((\d+), (\d+), (\d+)(, ([\d.]+))?\)$`).FindStringSubmatch(s)
	if m == nil {
		p.t.Fatalf("background of %s is %q", css, s)
	}
	if m[5] == "0" {
		return [3]int{-1, -1, -1} // transparent
	}
	for i := range c {
		c[i], _ = strconv.Atoi(m[i+1])
	}
	return c
}

// wait waits until the JavaScript expression js is true.
func (p *page) wait(js, what string) {
	p.t.Helper()
	if _, err := chromedp.Run(p.ctx, chromedp.Poll[bool](js)); err != nil {
		p.t.Fatalf("%s: %v", what, err)
	}
}

// waitFilled waits until the script has laid out the file view of css.
func (p *page) waitFilled(css string) {
	p.t.Helper()
	p.wait(fmt.Sprintf(`document.querySelector(%q).hasAttribute("data-filled")`, css+" .src"), "the view of "+css+" was not laid out")
}

// siteIndex is the index of the fixture's site with this id: its panel is #s-INDEX.
func siteIndex(t *testing.T, r *report.Report, id string) int {
	for i, s := range r.Sites {
		if s.ID == id {
			return i
		}
	}
	t.Fatalf("no site %s", id)
	return -1
}

const (
	checkpoint = "app/notes.py:NoteService.checkpoint:fsync_directory#0"
	durability = "tests/blocking_io/test_durability_io.py::test_checkpoint_flushes_notes_directory"
)

// TestHTMLInChromium renders the example's report (the fixture, cut from a
// run on testdata/example, with the example's source files) in headless
// Chromium and reads what a reader sees from the DOM it built: the
// overview with its counts, its findings that need action and its file
// list; a click on a file shows its source with the site lines coloured by
// verdict; a click on a site line opens the site's evidence; keys move
// between site lines and open them; the file's matrix is built on demand;
// the anchors filter and search; and the dark theme.
func TestHTMLInChromium(t *testing.T) {
	r := fixture(t)
	p := openReport(t, r, exampleSources(t, r))

	// The overview first: the counts, the findings that need action, the files.
	if !p.visible("#overview") || p.visible("#anchors") || p.visible("section.file") {
		t.Fatal("the page does not open on the overview alone")
	}
	if got := p.text("#card-anchors"); got != "2 of 10 anchors have teeth" {
		t.Errorf("anchors card %q", got)
	}
	if got := p.text("#card-sites"); !strings.HasPrefix(got, "6 of 13 offload sites guarded (46%)") {
		t.Errorf("sites card %q", got)
	}
	if got := p.texts(`#counts tr[data-verdict="survived"] td`); !reflect.DeepEqual(got, []string{"survived", "", "2"}) {
		t.Errorf("counts row survived %q", got)
	}
	wantKinds := []string{"broken", "latent", "swallowed", "rule", "rule-candidate", "timeout", "red-other", "no-site", "unguarded"}
	if got := p.attrs("#actions > li", "data-kind"); !reflect.DeepEqual(got, wantKinds) {
		t.Errorf("actions %q, want %q", got, wantKinds)
	}
	for _, kind := range wantKinds {
		if fix := p.text(fmt.Sprintf(`#actions li[data-kind=%q] .fix`, kind)); !strings.HasPrefix(fix, "Fix: ") || len(fix) < 30 {
			t.Errorf("action %s has no one-line fix: %q", kind, fix)
		}
	}
	if got := p.text(`#actions li[data-kind="rule"] li`); !strings.Contains(got, `BlockBusterFunction(None, "os.fsync"`) || !strings.Contains(got, "tests/blocking_io/conftest.py:27") {
		t.Errorf("the proven rule to add reads %q", got)
	}
	if got := p.text(`#actions li[data-kind="unguarded"] li`); !strings.Contains(got, "app/notes.py:NoteService.purge_trash:shutil.rmtree#0") || !strings.Contains(got, durability) {
		t.Errorf("the unguarded site reads %q: no closest anchor", got)
	}
	if got := p.attrs("#reviews > li", "data-kind"); !reflect.DeepEqual(got, []string{"gate-off"}) {
		t.Errorf("reviews %q", got)
	}
	files := p.texts("#file-list tbody td:first-child")
	if want := []string{"app/audit.py", "app/export.py", "app/legacy.py", "app/notes.py", "app/render.py", "packages/storekit/storekit/blobs.py"}; !reflect.DeepEqual(files, want) {
		t.Fatalf("files %q, want %q", files, want)
	}
	notesRow := `#file-list tr[data-path="app/notes.py"]`
	if got := p.texts(notesRow + " td.n"); !reflect.DeepEqual(got, []string{"5", "60%"}) {
		t.Errorf("app/notes.py: sites and share %q", got)
	}
	if got := p.attrs(notesRow+" .bar span", "class"); !reflect.DeepEqual(got, []string{"v-guarded", "v-survived", "v-unguarded"}) {
		t.Errorf("app/notes.py's bar %q", got)
	}
	var widths []float64
	p.eval(`Array.from(document.querySelectorAll('`+notesRow+` .bar span'), e => e.getBoundingClientRect().width)`, &widths)
	if len(widths) != 3 || widths[0] < 2.9*widths[1] || widths[0] > 3.1*widths[1] || widths[1] < 1 {
		t.Errorf("app/notes.py's bar segments are %v wide, want 3:1:1", widths)
	}
	// Sorting by the share of guarded sites, least first, then most first.
	p.click(`#file-list button[data-sort="share"]`)
	if got := p.texts("#file-list tbody td:first-child"); got[0] != "app/audit.py" || got[5] != "packages/storekit/storekit/blobs.py" {
		t.Errorf("sorted by share: %q", got)
	}
	p.click(`#file-list button[data-sort="share"]`)
	if got := p.texts("#file-list tbody td:first-child"); got[0] != "packages/storekit/storekit/blobs.py" || got[1] != "app/notes.py" {
		t.Errorf("sorted by share, descending: %q", got)
	}

	// A file: its source, the site lines coloured by verdict.
	p.click(notesRow + " a")
	file := `section.file[data-path="app/notes.py"]`
	p.wait(fmt.Sprintf(`document.querySelector(%q).classList.contains("on")`, file), "a click on app/notes.py did not show its view")
	if !p.visible(file) || p.visible("#overview") {
		t.Fatal("a click on app/notes.py does not show its view alone")
	}
	p.waitFilled(file)
	// The site lines, and line 40: the blocking frame of a latent call.
	if got := p.attrs(file+" details.site", "data-line"); !reflect.DeepEqual(got, []string{"40", "102", "149", "159", "160", "199"}) {
		t.Errorf("site lines %q", got)
	}
	line := func(n int) string { return fmt.Sprintf(`%s details.site[data-line="%d"]`, file, n) }
	p.click(line(40) + " > summary")
	if got := p.text(line(40) + " section.lat"); !strings.Contains(got, "os.getcwd blocks the loop here") || !strings.Contains(got, "swallowed by except Exception at app/notes.py:42") {
		t.Errorf("the latent line reads %q", got)
	}
	p.click(line(40) + " > summary")
	if got := p.text(line(199) + " > summary"); !strings.Contains(got, "199") || !strings.Contains(got, "await asyncio.to_thread(fsync_directory, self.notes_dir)") {
		t.Errorf("line 199 reads %q", got)
	}
	if !strings.Contains(p.text(file+" .src"), "async def checkpoint(self) -> float:") {
		t.Error("the file view does not show the source around the sites")
	}
	guarded, survived, unguarded := p.background(line(102)+" > summary"), p.background(line(199)+" > summary"), p.background(line(149)+" > summary")
	plain := p.background(file + " .pl")
	switch {
	case !(guarded[1] > guarded[0] && guarded[1] > guarded[2]):
		t.Errorf("the guarded line is not green: %v", guarded)
	case !(survived[0] > survived[1] && survived[0] > survived[2]):
		t.Errorf("the survived line is not red: %v", survived)
	case unguarded == survived || unguarded == guarded || unguarded[0] <= unguarded[2]:
		t.Errorf("the unguarded line is not orange: %v", unguarded)
	case plain != [3]int{-1, -1, -1}:
		t.Errorf("a plain line has a background: %v", plain)
	}

	// A click on the survived line opens the site's evidence.
	panel := fmt.Sprintf("#s-%d", siteIndex(t, r, checkpoint))
	if p.visible(panel) {
		t.Fatal("the site's evidence shows before a click")
	}
	p.click(line(199) + " > summary")
	if !p.visible(panel) {
		t.Fatal("a click on line 199 does not show the site's evidence")
	}
	ev := p.text(panel)
	for _, want := range []string{
		"survived", "asyncio.to_thread(fsync_directory) in NoteService.checkpoint",
		"-        await asyncio.to_thread(fsync_directory, self.notes_dir)", "+        fsync_directory(self.notes_dir)", // the mutant's diff
		durability, "mutant: stayed green, the gate stayed silent", "restored: passed", // red→green (here green→green)
		"proven", "rule for os.fsync", "offload removed, rule in", "offload restored, rule in", // the rule proposal
		"reproduce: teeth verify --site",
	} {
		if !strings.Contains(ev, want) {
			t.Errorf("the site's evidence lacks %q:\n%s", want, ev)
		}
	}
	if got := p.attrs(panel+" li.ev", "data-outcome"); !reflect.DeepEqual(got, []string{"survived"}) {
		t.Errorf("the site's evidence outcomes %q", got)
	}

	// Keys: Escape closes it, k goes to the line before, Enter opens it.
	p.key("\x1b")
	if p.visible(panel) {
		t.Error("Escape did not close the site's evidence")
	}
	p.key("k")
	p.key("\r")
	other := fmt.Sprintf("#s-%d", siteIndex(t, r, "app/notes.py:NoteService.list_notes:read_note_file#0"))
	if !p.visible(other) {
		t.Error("k then Enter did not open the site line before")
	}
	if ev := p.text(other); !strings.Contains(ev, "tests/blocking_io/test_legacy_import_io.py::test_imported_legacy_notes_are_listed") {
		t.Errorf("the site of line 160 shows %q", ev)
	}
	// An unreached site names the anchors that come closest.
	p.click(line(149) + " > summary")
	unreached := fmt.Sprintf("#s-%d .closest", siteIndex(t, r, "app/notes.py:NoteService.purge_trash:shutil.rmtree#0"))
	if got := p.text(unreached); !strings.Contains(got, durability) || !strings.Contains(got, "of the same file") {
		t.Errorf("the unguarded site's closest anchors: %q", got)
	}

	// The file's matrix, built on demand: its anchors × its sites.
	p.click(file + " button.matrix-btn")
	mx := file + " .matrix table"
	p.wait(fmt.Sprintf(`!!document.querySelector(%q)`, mx), "the file's matrix was not built")
	if got := p.attrs(mx+" th.site", "data-site"); len(got) != 5 || got[4] != checkpoint {
		t.Errorf("matrix columns %q", got)
	}
	if got := p.attrs(mx+` tr[data-anchor="`+durability+`"] td[data-outcome]`, "data-outcome"); !reflect.DeepEqual(got, []string{"survived"}) {
		t.Errorf("matrix row of %s: %q", durability, got)
	}
	var built int
	p.eval(`document.querySelectorAll(".matrix table").length`, &built)
	if rows := p.attrs(mx+" tbody tr", "data-anchor"); built != 1 || len(rows) != 3 {
		t.Errorf("%d matrices built; this one has rows %q, want the 3 anchors that reach the file's sites", built, rows)
	}

	// The anchors: filter by verdict, search.
	p.click(`header nav a[href="#anchors"]`)
	p.wait(`document.getElementById("anchors").classList.contains("on")`, "the anchors view was not shown")
	if !p.visible("#anchors") || p.visible(file) {
		t.Fatal("the anchors view does not show alone")
	}
	p.click(`#verdict-filter button[data-verdict="teeth"]`)
	shownAnchors := func() []string {
		var ids []string
		p.eval(`Array.from(document.querySelectorAll("#anchor-list > details"), e => e.hidden ? "" : e.dataset.anchor).filter(Boolean)`, &ids)
		return ids
	}
	if got := shownAnchors(); len(got) != 8 || p.text("#shown") != "8 of 10 anchors shown" {
		t.Errorf("without teeth: %d anchors shown (%q)", len(got), p.text("#shown"))
	}
	p.key("/")
	var focused string
	p.eval(`document.activeElement.id`, &focused)
	if focused != "q" {
		t.Errorf("/ focused %q, not the search", focused)
	}
	// The protocol sends the character of a key as an event of its own,
	// which a cancelled keydown of a real keyboard never produces: clear it.
	p.eval(`document.getElementById("q").value = ""`, new(string))
	p.key("checkpoint")
	if got := shownAnchors(); !reflect.DeepEqual(got, []string{durability}) {
		var q string
		p.eval(`document.getElementById("q").value`, &q)
		t.Errorf("searching checkpoint (%q) shows %q", q, got)
	}
	p.click(fmt.Sprintf(`#anchor-list details[data-anchor=%q] > summary`, durability))
	if got := p.texts(fmt.Sprintf(`#anchor-list details[data-anchor=%q] .reach li`, durability)); len(got) != 1 || !strings.Contains(got[0], "surv") || !strings.Contains(got[0], "notes.py:199 fsync_directory") {
		t.Errorf("the anchor's row of the matrix: %q", got)
	}

	// The dark theme.
	light := p.background("body")
	if _, err := chromedp.Call(p.ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
		Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: "dark"}}}); err != nil {
		t.Fatal(err)
	}
	if dark := p.background("body"); dark[0]+dark[1]+dark[2] > 120 || light[0]+light[1]+light[2] < 600 {
		t.Errorf("body background light %v, dark %v", light, dark)
	}
}
