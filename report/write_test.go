package report

import (
	"bytes"
	"encoding/json"
	"flag"
	"path/filepath"
	"testing"

	"github.com/teethtool/teeth/internal/testcheck"
)

var update = flag.Bool("update", false, "rewrite golden files")

// checkGolden compares got with testdata/name, rewriting it under -update.
func checkGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	testcheck.Golden(t, filepath.Join("testdata", name), got, *update)
}

func sample() *Report {
	run := Run{Outcome: "failed", ExitCode: 1, DurationS: 0.02, Detector: []string{"Blocking call to io.TextIOWrapper.read"},
		Excerpt: "tests/blocking_io/test_x.py:9: await svc.read()"}
	return &Report{
		SchemaVersion: SchemaVersion, Tool: "teeth", Version: "devel", Project: "/p",
		Command: []string{"/p/.venv/bin/python", "-m", "pytest"}, FailOn: DefaultFailOn, Mode: "verify",
		Anchors: []Anchor{
			{NodeID: "tests/blocking_io/test_x.py::test_read", Path: "tests/blocking_io/test_x.py", Line: 7,
				Verdict: Teeth, Reason: "the gate fired at 1 of 1 reached sites",
				Baseline: Run{Outcome: "passed", Detector: []string{}}, Restore: &Run{Outcome: "passed", Detector: []string{}},
				Sites: []string{"app/x.py:Svc.read:path.read_text#0"},
				Mutants: []Evidence{{Site: "app/x.py:Svc.read:path.read_text#0", Outcome: Killed, Run: run,
					Diff: "--- a/app/x.py\n+++ b/app/x.py\n", Reproduce: "teeth verify --site app/x.py:Svc.read:path.read_text#0 ."}}},
			{NodeID: "tests/blocking_io/test_x.py::test_health", Path: "tests/blocking_io/test_x.py", Line: 12,
				Verdict: NoSite, Reason: "reaches no offload site: it guards nothing",
				Baseline: Run{Outcome: "passed", Detector: []string{}}, Sites: []string{}, Mutants: []Evidence{}},
		},
		Sites: []Site{{ID: "app/x.py:Svc.read:path.read_text#0", Path: "app/x.py", Line: 5, Function: "Svc.read",
			Callee: "path.read_text", Offload: "asyncio.to_thread", Shape: "awaited", Verdict: Guarded,
			Anchors: []string{"tests/blocking_io/test_x.py::test_read"}}},
		Wrappers:     []Wrapper{},
		SkippedFiles: []FileError{{Path: "app/bad.py", Line: 2, Msg: "invalid syntax"}},
		Summary: Summary{Anchors: 2, Sites: 1, Mutants: 1, PytestRuns: 3,
			AnchorVerdicts: map[string]int{Teeth: 1, NoSite: 1}, SiteVerdicts: map[string]int{Guarded: 1},
			DurationS: 2.5, MutantsPerS: 0.4, WarmRuns: 2, FreshRuns: 1,
			Fallbacks: map[string]int{"the site is in module-level code": 1}, Failed: true},
	}
}

func TestWriteJSONGolden(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteJSON(&buf, sample()); err != nil {
		t.Fatal(err)
	}
	checkGolden(t, "report.json", buf.Bytes())
	var back Report
	if err := json.Unmarshal(buf.Bytes(), &back); err != nil || back.SchemaVersion != 1 {
		t.Fatalf("round trip: %v, schema %d", err, back.SchemaVersion)
	}
}
