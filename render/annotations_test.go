package render

import (
	"bytes"
	"regexp"
	"strings"
	"testing"

	"github.com/teethtool/teeth/report"
)

func annotations(r *report.Report, failOn []string) []string {
	var buf bytes.Buffer
	Annotations(&buf, r, failOn)
	return strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n")
}

func TestAnnotationsFixture(t *testing.T) {
	r := fixture(t)
	lines := annotations(r, report.DefaultFailOn)
	// 7 anchors without teeth (gate-off is not flagged), 7 sites without a
	// guard and 1 latent blocking call.
	if len(lines) != 15 {
		t.Fatalf("%d annotations, want 15:\n%s", len(lines), strings.Join(lines, "\n"))
	}
	shape := regexp.MustCompile(`^::(error|warning|notice) file=[^,:]+,line=[1-9][0-9]*,title=[^,:]+::[^\r\n]+$`)
	for _, l := range lines {
		if !shape.MatchString(l) {
			t.Errorf("malformed workflow command: %s", l)
		}
	}
	for _, want := range []string{
		"::error file=tests/blocking_io/test_health_io.py,line=10,title=teeth%3A anchor no-site::anchor tests/blocking_io/test_health_io.py::test_health_reports_ok: reaches no offload site: it guards nothing",
		"::notice file=tests/blocking_io/test_gate.py,line=12,title=teeth%3A anchor no-site::",
		"::error file=tests/blocking_io/test_durability_io.py,line=9,title=teeth%3A anchor rule-candidate::",
		"::warning file=app/notes.py,line=149,title=teeth%3A site unguarded::site app/notes.py:NoteService.purge_trash:shutil.rmtree#0: no anchor with the gate on reaches wrapper:app.fileio.run_file_io(shutil.rmtree) in NoteService.purge_trash",
		"::error file=app/audit.py,line=29,title=teeth%3A site swallowed::",
		"::warning file=packages/storekit/storekit/blobs.py,line=42,title=teeth%3A site survived::",
		"::warning file=app/legacy.py,line=31,title=teeth%3A site invalid::",
		"::warning file=app/notes.py,line=40,title=teeth%3A latent blocking::os.getcwd blocks the event loop at app/notes.py:40 in NoteService.notes_root: the gate raised, swallowed by except Exception at app/notes.py:42 in NoteService.notes_root (project code) (anchors: tests/blocking_io/test_notes_io.py::test_read_note_parses_title_and_body)",
	} {
		found := false
		for _, l := range lines {
			found = found || strings.HasPrefix(l, want)
		}
		if !found {
			t.Errorf("no annotation starts with %q", want)
		}
	}
	joined := strings.Join(lines, "\n")
	for _, never := range []string{"test_download_returns_stored_bytes", "test_imported_legacy_notes_are_listed", "site guarded", "BlobStore.get:path.read_bytes"} {
		if strings.Contains(joined, never) {
			t.Errorf("annotated %q, which has teeth, a guard or opts out", never)
		}
	}
	// With nothing in failOn, nothing is an error.
	for _, l := range annotations(r, nil) {
		if strings.HasPrefix(l, "::error") {
			t.Errorf("error with an empty failOn: %s", l)
		}
	}
}

func TestAnnotationsEscape(t *testing.T) {
	r := &report.Report{
		Anchors: []report.Anchor{{NodeID: "t/a,b.py::test_x[1:2]", Path: "t/a,b.py", Line: 3, Verdict: report.Broken,
			Reason: "failed at baseline: 100% broken\r\nsecond line"}},
		Sites: []report.Site{{ID: "s", Path: "app/x:y.py", Verdict: report.Unguarded, Callee: "f"}},
	}
	lines := annotations(r, report.DefaultFailOn)
	want := []string{
		"::error file=t/a%2Cb.py,line=3,title=teeth%3A anchor broken::anchor t/a,b.py::test_x[1:2]: failed at baseline: 100%25 broken%0D%0Asecond line",
		"::warning file=app/x%3Ay.py,title=teeth%3A site unguarded::site s: no anchor with the gate on reaches f",
	}
	if strings.Join(lines, "\n") != strings.Join(want, "\n") {
		t.Fatalf("got\n%s\nwant\n%s", strings.Join(lines, "\n"), strings.Join(want, "\n"))
	}
	if got := escapeProperty("%,:\r\n"); got != "%25%2C%3A%0D%0A" {
		t.Errorf("escapeProperty = %q", got)
	}
	if got := escapeData("%,:\r\n"); got != "%25,:%0D%0A" {
		t.Errorf("escapeData = %q", got)
	}
}
