package report

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// fixture loads testdata/fixture.json: a report cut from a real run of teeth
// on the bundled example (ten anchors, one of every verdict the example has,
// and their sites), plus one hand-made invalid site. It is not validated
// against schema.json, which other work changes; unknown fields are ignored.
func fixture(t *testing.T) *Report {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "fixture.json"))
	if err != nil {
		t.Fatal(err)
	}
	var r Report
	if err := json.Unmarshal(data, &r); err != nil {
		t.Fatal(err)
	}
	return &r
}

// bigReport makes a synthetic report of n anchors in 40 files over n/4
// sites, 70% with teeth, each anchor with two mutants whose diffs and
// excerpts are diffLines and 12 lines long.
func bigReport(n, diffLines int) *Report {
	r := &Report{SchemaVersion: SchemaVersion, Tool: "teeth", Version: "devel", Project: "/p", Command: []string{"pytest"}}
	nSites := n/4 + 1
	for i := 0; i < nSites; i++ {
		r.Sites = append(r.Sites, Site{ID: fmt.Sprintf("app/mod_%02d.py:Svc.op%04d:os.read#0", i%30, i),
			Path: fmt.Sprintf("app/mod_%02d.py", i%30), Line: 10 + i, Function: fmt.Sprintf("Svc.op%04d", i),
			Callee: "os.read", Offload: "asyncio.to_thread", Shape: "awaited", Verdict: Guarded})
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
	verdicts := []string{Teeth, Teeth, Teeth, Teeth, Teeth, Teeth, Teeth, RuleCandidate, Broken, GateOff}
	for i := 0; i < n; i++ {
		path := fmt.Sprintf("tests/blocking_io/test_area_%02d.py", i%40)
		a := Anchor{NodeID: fmt.Sprintf("%s::test_case_%04d", path, i), Path: path, Line: 5 + i,
			Verdict: verdicts[i%len(verdicts)], Reason: fmt.Sprintf("synthetic reason number %d for this anchor", i),
			Baseline: Run{Outcome: "passed", Detector: []string{}}, Restore: &Run{Outcome: "passed", Detector: []string{}}}
		if a.Verdict == Broken {
			a.Baseline = Run{Outcome: "failed", ExitCode: 1, Detector: []string{}, Excerpt: excerpt.String()}
			a.Restore = nil
		}
		for k := 0; k < 2 && a.Verdict != Broken; k++ {
			s := &r.Sites[(i+k)%nSites]
			outcome := Killed
			if a.Verdict != Teeth {
				outcome = Survived
			}
			a.Sites = append(a.Sites, s.ID)
			s.Anchors = append(s.Anchors, a.NodeID)
			a.Mutants = append(a.Mutants, Evidence{Site: s.ID, Outcome: outcome,
				Run:  Run{Outcome: "failed", ExitCode: 1, Detector: []string{"Blocking call to os.read"}, Excerpt: excerpt.String()},
				Diff: diff.String(), Reproduce: fmt.Sprintf("teeth verify --site '%s' --anchors %s .", s.ID, a.NodeID)})
		}
		r.Anchors = append(r.Anchors, a)
	}
	r.Summary = Summary{Anchors: n, Sites: nSites, Mutants: nSites, Failed: true}
	return r
}
