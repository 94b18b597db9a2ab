package render

import (
	"bytes"
	"encoding/xml"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/teethtool/teeth/report"
)

// xmllintSchema validates doc against the JUnit schema of testdata/junit.xsd
// with xmllint (Debian package libxml2-utils), failing the test if xmllint
// is missing.
func xmllintSchema(t *testing.T, doc []byte) error {
	t.Helper()
	xmllint, err := exec.LookPath("xmllint")
	if err != nil {
		t.Fatal("xmllint is not on PATH: install the package libxml2-utils (make test installs it when run as root on Debian)")
	}
	path := filepath.Join(t.TempDir(), "junit.xml")
	if err := os.WriteFile(path, doc, 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(xmllint, "--noout", "--schema", filepath.Join("testdata", "junit.xsd"), path).CombinedOutput()
	if err != nil {
		return &xmllintError{string(out)}
	}
	return nil
}

type xmllintError struct{ out string }

func (e *xmllintError) Error() string { return "xmllint: " + e.out }

func TestJUnitValidatesAgainstSchema(t *testing.T) {
	r := fixture(t)
	// Terminal colours and other control characters XML cannot hold.
	r.Anchors[2].Mutants[0].Run.Excerpt = "\x1b[31mE   BlockingError\x1b[0m ]]> end"
	var buf bytes.Buffer
	if err := JUnit(&buf, r, report.DefaultFailOn); err != nil {
		t.Fatal(err)
	}
	if err := xmllintSchema(t, buf.Bytes()); err != nil {
		t.Fatalf("%v\n%s", err, buf.Bytes())
	}
	if !strings.Contains(buf.String(), "\uFFFD[31mE   BlockingError\uFFFD[0m ]]") {
		t.Error("control characters were not replaced")
	}
	// The validation can fail: a test case both failed and skipped breaks
	// the schema's choice.
	bad := JUnitSuites(r, report.DefaultFailOn, time.Unix(0, 0), "h")
	bad.Suites[0].TestCases[2].Skipped = &JUnitSkipped{Message: "both"}
	var badBuf bytes.Buffer
	if err := writeXML(&badBuf, bad); err != nil {
		t.Fatal(err)
	}
	if xmllintSchema(t, badBuf.Bytes()) == nil {
		t.Fatal("xmllint accepted a test case that is both failed and skipped")
	}
}

func TestJUnitContent(t *testing.T) {
	r := fixture(t)
	at := time.Date(2026, 3, 1, 12, 30, 45, 0, time.FixedZone("X", 3600))
	var buf bytes.Buffer
	if err := writeXML(&buf, JUnitSuites(r, report.DefaultFailOn, at, "")); err != nil {
		t.Fatal(err)
	}
	var back JUnitTestSuites
	if err := xml.Unmarshal(buf.Bytes(), &back); err != nil {
		t.Fatal(err)
	}
	if len(back.Suites) != 1 {
		t.Fatalf("%d suites, want 1", len(back.Suites))
	}
	s := back.Suites[0]
	if s.Name != "teeth" || s.Tests != 10 || s.Failures != 6 || s.Skipped != 1 || s.Errors != 0 ||
		s.Timestamp != "2026-03-01T11:30:45" || s.Hostname != "localhost" || s.Time != "15.707" {
		t.Errorf("suite %+v", s)
	}
	cases := map[string]JUnitTestCase{}
	for _, tc := range s.TestCases {
		cases[tc.Classname+"::"+tc.Name] = tc
	}
	if len(cases) != len(r.Anchors) {
		t.Fatalf("%d distinct test cases, want %d", len(cases), len(r.Anchors))
	}
	teeth := cases["tests/blocking_io/test_attachments_io.py::test_download_returns_stored_bytes"]
	if teeth.Failure != nil || teeth.Skipped != nil || teeth.Time != "0.098" {
		t.Errorf("anchor with teeth: %+v", teeth)
	}
	rc := cases["tests/blocking_io/test_durability_io.py::test_checkpoint_flushes_notes_directory"]
	if rc.Failure == nil || rc.Failure.Type != report.RuleCandidate || rc.Failure.Message != r.Anchors[3].Reason {
		t.Fatalf("rule-candidate anchor: %+v", rc)
	}
	for _, want := range []string{
		"mutant app/notes.py:NoteService.checkpoint:fsync_directory#0: survived",
		"-        await asyncio.to_thread(fsync_directory, self.notes_dir)",
		"reproduce: teeth verify --site 'app/notes.py:NoteService.checkpoint:fsync_directory#0'",
		"restore: passed",
	} {
		if !strings.Contains(rc.Failure.Text, want) {
			t.Errorf("failure text lacks %q:\n%s", want, rc.Failure.Text)
		}
	}
	if g := cases["tests/blocking_io/test_legacy_import_io.py::test_imported_legacy_notes_are_listed"]; g.Skipped == nil || g.Failure != nil {
		t.Errorf("gate-off anchor is not skipped: %+v", g)
	}
	if st := cases["tests/blocking_io/test_gate.py::test_gate_flags_blocking_read_on_the_loop"]; st.Skipped != nil || st.Failure != nil {
		t.Errorf("a no-site gate self-test does not pass: %+v", st)
	}
	if !strings.Contains(s.SystemOut.Text, "anchors (10):") {
		t.Error("system-out lacks the summary")
	}
	// With broken alone failing, everything else without teeth is skipped.
	s2 := JUnitSuites(r, []string{report.Broken}, at, "h").Suites[0]
	if s2.Failures != 1 || s2.Skipped != 6 {
		t.Errorf("fail_on [broken]: %d failures, %d skipped; want 1 and 6", s2.Failures, s2.Skipped)
	}
}
