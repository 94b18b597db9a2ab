package render

import (
	"bytes"
	"context"
	"encoding/xml"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/teethtool/teeth/report"
)

func htmlOf(t *testing.T, r *report.Report) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := HTML(&buf, r); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestHTMLGolden(t *testing.T) {
	checkGolden(t, "fixture.html", htmlOf(t, fixture(t)))
}

func TestHTMLSelfContained(t *testing.T) {
	out := string(htmlOf(t, fixture(t)))
	for _, re := range []string{`(?i)<script`, `(?i)<link`, `(?i)<img`, `(?i)<iframe`, `(?i)<object`, `(?i)\bsrc=`, `(?i)url\(`, `(?i)@import`, `(?i)https?://`} {
		if m := regexp.MustCompile(re).FindString(out); m != "" {
			t.Errorf("the page loads or runs something (%q)", m)
		}
	}
	// Text from the report is escaped, never markup.
	r := fixture(t)
	r.Anchors[0].Reason = `<script>alert(1)</script><img src="https://example.com/x.png">`
	r.Anchors[0].NodeID = `tests/x.py::test_a["><b>x</b>]`
	out = string(htmlOf(t, r))
	for _, bad := range []string{"<script>", "<img", "<b>x</b>"} {
		if strings.Contains(out, bad) {
			t.Errorf("raw %q from the report reached the page", bad)
		}
	}
	if !strings.Contains(out, "&lt;script&gt;alert(1)&lt;/script&gt;") {
		t.Error("the reason was not escaped")
	}
}

// domNode is an element of a parsed DOM: its name, attributes, children and
// text.
type domNode struct {
	name     string
	attr     map[string]string
	children []*domNode
	text     strings.Builder
}

// parseDOM parses the HTML that Chromium dumps with the lenient HTML mode of
// encoding/xml.
func parseDOM(t *testing.T, data []byte) *domNode {
	t.Helper()
	d := xml.NewDecoder(bytes.NewReader(data))
	d.Strict = false
	d.AutoClose = xml.HTMLAutoClose
	d.Entity = xml.HTMLEntity
	root := &domNode{name: "#document"}
	stack := []*domNode{root}
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("parsing the dumped DOM: %v", err)
		}
		top := stack[len(stack)-1]
		switch tok := tok.(type) {
		case xml.StartElement:
			n := &domNode{name: strings.ToLower(tok.Name.Local), attr: map[string]string{}}
			for _, a := range tok.Attr {
				n.attr[a.Name.Local] = a.Value
			}
			top.children = append(top.children, n)
			stack = append(stack, n)
		case xml.EndElement:
			name := strings.ToLower(tok.Name.Local)
			for i := len(stack) - 1; i > 0; i-- {
				if stack[i].name == name {
					stack = stack[:i]
					break
				}
			}
		case xml.CharData:
			for _, n := range stack[1:] {
				n.text.Write(tok)
			}
		}
	}
	return root
}

func (n *domNode) find(match func(*domNode) bool) []*domNode {
	var out []*domNode
	if match(n) {
		out = append(out, n)
	}
	for _, c := range n.children {
		out = append(out, c.find(match)...)
	}
	return out
}

func (n *domNode) elements(names ...string) []*domNode {
	var out []*domNode
	for _, c := range n.children {
		for _, name := range names {
			if c.name == name {
				out = append(out, c)
			}
		}
	}
	return out
}

// TestHTMLMatrixInChromium renders the report in headless Chromium and reads
// the matrix from the DOM it built: a known anchor's row, a known site's
// column, and the outcome in the cell where they cross.
func TestHTMLMatrixInChromium(t *testing.T) {
	chromium, err := exec.LookPath("chromium")
	if err != nil {
		t.Fatal("chromium is not on PATH: install the package chromium (make test installs it when run as root on Debian)")
	}
	dir := t.TempDir()
	page := filepath.Join(dir, "report.html")
	if err := os.WriteFile(page, htmlOf(t, fixture(t)), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, chromium, "--headless", "--no-sandbox", "--disable-gpu",
		"--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
		"--user-data-dir="+filepath.Join(dir, "profile"), "--dump-dom", "file://"+page)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	dom, err := cmd.Output()
	if err != nil {
		t.Fatalf("chromium: %v\n%s", err, stderr.Bytes())
	}
	root := parseDOM(t, dom)
	tables := root.find(func(n *domNode) bool { return n.name == "table" && n.attr["id"] == "matrix" })
	if len(tables) != 1 {
		t.Fatalf("%d tables #matrix in the rendered DOM:\n%s", len(tables), dom)
	}
	matrix := tables[0]
	var header *domNode
	var rows []*domNode
	for _, section := range matrix.elements("thead", "tbody") {
		for _, tr := range section.elements("tr") {
			if section.name == "thead" {
				header = tr
			} else {
				rows = append(rows, tr)
			}
		}
	}
	if header == nil || len(rows) != 10 {
		t.Fatalf("matrix: header %v, %d rows; want a header and 10 rows", header != nil, len(rows))
	}
	columns := header.elements("th")
	if len(columns) != 1+13 {
		t.Fatalf("%d header cells, want 1 + 13 sites", len(columns))
	}
	column := func(site string) int {
		for i, th := range columns {
			if th.attr["data-site"] == site {
				return i
			}
		}
		t.Fatalf("no column for site %s", site)
		return -1
	}
	row := func(anchor string) []*domNode {
		for _, tr := range rows {
			if tr.attr["data-anchor"] == anchor {
				cells := tr.elements("th", "td")
				if len(cells) != len(columns) {
					t.Fatalf("row %s has %d cells, the header %d", anchor, len(cells), len(columns))
				}
				if !strings.Contains(cells[0].text.String(), anchor) {
					t.Fatalf("row %s does not show its node id", anchor)
				}
				return cells
			}
		}
		t.Fatalf("no row for anchor %s", anchor)
		return nil
	}
	const (
		download = "tests/blocking_io/test_attachments_io.py::test_download_returns_stored_bytes"
		upload   = "tests/blocking_io/test_attachments_io.py::test_upload_stores_blob_once"
		broken   = "tests/blocking_io/test_notes_io.py::test_create_note_file_is_named_after_title"
		get      = "packages/storekit/storekit/blobs.py:BlobStore.get:path.read_bytes#0"
		hash     = "packages/storekit/storekit/blobs.py:BlobStore.put:_sha256_hex#0"
		audit    = "app/audit.py:AuditLog.record:self._append#0"
		create   = "app/notes.py:NoteService.create_note:write_text_atomic#0"
	)
	if !strings.Contains(columns[column(get)].text.String(), "blobs.py:51 path.read_bytes") {
		t.Errorf("the column of %s is labelled %q", get, columns[column(get)].text.String())
	}
	for _, c := range []struct{ anchor, site, outcome, text string }{
		{download, get, report.Killed, "kill"},
		{upload, hash, report.Survived, "surv"},
		{broken, create, "not-run", "–"},
		{download, audit, "", ""}, // does not reach: empty
	} {
		cell := row(c.anchor)[column(c.site)]
		if cell.name != "td" || cell.attr["data-site"] != c.site || cell.attr["data-outcome"] != c.outcome ||
			strings.TrimSpace(cell.text.String()) != c.text {
			t.Errorf("cell (%s, %s) = <%s data-site=%q data-outcome=%q>%q, want outcome %q text %q", c.anchor, c.site,
				cell.name, cell.attr["data-site"], cell.attr["data-outcome"], cell.text.String(), c.outcome, c.text)
		}
	}
	if legend := root.find(func(n *domNode) bool { return n.attr["id"] == "legend" }); len(legend) != 1 ||
		len(legend[0].elements("li")) != len(htmlOutcomes) {
		t.Error("the rendered page has no full legend")
	}
	if ev := root.find(func(n *domNode) bool { return n.name == "pre" && n.attr["class"] == "diff" }); len(ev) == 0 ||
		!strings.Contains(ev[0].text.String(), "+++ b/") {
		t.Error("the rendered page shows no diff")
	}
}
