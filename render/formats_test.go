package render

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/teethtool/teeth/internal/testcheck"
	"github.com/teethtool/teeth/report"
)

var update = flag.Bool("update", false, "rewrite golden files")

// checkGolden compares got with testdata/name, rewriting it under -update.
func checkGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	testcheck.Golden(t, filepath.Join("testdata", name), got, *update)
}

// sample loads ../report/testdata/report.json, the golden JSON of package
// report's small sample report (two anchors, one site, a skipped file).
func sample(t *testing.T) *report.Report {
	t.Helper()
	return load(t, filepath.Join("..", "report", "testdata", "report.json"))
}

// fixture loads testdata/fixture.json: a report cut from a real run of teeth
// on the bundled example (ten anchors, one of every verdict the example has,
// and their sites), plus one hand-made invalid site. It is not validated
// against schema.json, which other work changes; unknown fields are ignored.
func fixture(t *testing.T) *report.Report {
	t.Helper()
	return load(t, filepath.Join("testdata", "fixture.json"))
}

// load decodes the JSON report at path.
func load(t *testing.T, path string) *report.Report {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var r report.Report
	if err := json.Unmarshal(data, &r); err != nil {
		t.Fatal(err)
	}
	return &r
}

// bigReport makes a synthetic report of n anchors in 40 files over n/4
// sites, 70% with teeth, each anchor with two mutants whose diffs and
// excerpts are diffLines and 12 lines long.
func bigReport(n, diffLines int) *report.Report {
	r := &report.Report{SchemaVersion: report.SchemaVersion, Tool: "teeth", Version: "devel", Project: "/p", Command: []string{"pytest"}}
	nSites := n/4 + 1
	for i := 0; i < nSites; i++ {
		r.Sites = append(r.Sites, report.Site{ID: fmt.Sprintf("app/mod_%02d.py:Svc.op%04d:os.read#0", i%30, i),
			Path: fmt.Sprintf("app/mod_%02d.py", i%30), Line: 10 + i, Function: fmt.Sprintf("Svc.op%04d", i),
			Callee: "os.read", Offload: "asyncio.to_thread", Shape: "awaited", Verdict: report.Guarded})
	}
	var diff strings.Builder
	diff.WriteString("--- a/app/mod.py\n+++ b/app/mod.py\n@@ -1,9 +1,9 @@\n")
	for j := 0; j < diffLines; j++ {
		fmt.Fprintf(&diff, "     context line %d of a long function body that goes on\n", j)
	}
	var excerpt strings.Builder
	excerpt.WriteString("tests/blocking_io/test_area.py:9: await svc.op()\n")
	for j := 0; j < 11; j++ {
		fmt.Fprintf(&excerpt, "E       blockbuster.BlockingError: Blocking call to os.read (frame %d)\n", j)
	}
	verdicts := []string{report.Teeth, report.Teeth, report.Teeth, report.Teeth, report.Teeth, report.Teeth, report.Teeth, report.RuleCandidate, report.Broken, report.GateOff}
	for i := 0; i < n; i++ {
		path := fmt.Sprintf("tests/blocking_io/test_area_%02d.py", i%40)
		a := report.Anchor{NodeID: fmt.Sprintf("%s::test_case_%04d", path, i), Path: path, Line: 5 + i,
			Verdict: verdicts[i%len(verdicts)], Reason: fmt.Sprintf("synthetic reason number %d for this anchor", i),
			Baseline: report.Run{Outcome: "passed", Detector: []string{}}, Restore: &report.Run{Outcome: "passed", Detector: []string{}}}
		if a.Verdict == report.Broken {
			a.Baseline = report.Run{Outcome: "failed", ExitCode: 1, Detector: []string{}, Excerpt: excerpt.String()}
			a.Restore = nil
		}
		for k := 0; k < 2 && a.Verdict != report.Broken; k++ {
			s := &r.Sites[(i+k)%nSites]
			outcome := report.Killed
			if a.Verdict != report.Teeth {
				outcome = report.Survived
			}
			a.Sites = append(a.Sites, s.ID)
			s.Anchors = append(s.Anchors, a.NodeID)
			a.Mutants = append(a.Mutants, report.Evidence{Site: s.ID, Outcome: outcome,
				Run:  report.Run{Outcome: "failed", ExitCode: 1, Detector: []string{"Blocking call to os.read"}, Excerpt: excerpt.String()},
				Diff: diff.String(), Reproduce: fmt.Sprintf("teeth verify --site '%s' --anchors %s .", s.ID, a.NodeID)})
		}
		r.Anchors = append(r.Anchors, a)
	}
	r.Summary = report.Summary{Anchors: n, Sites: nSites, Mutants: nSites, Failed: true}
	return r
}
