package report

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/teethtool/teeth/internal/testcheck"
)

// compileSchema compiles the embedded report schema.
func compileSchema(t *testing.T) *jsonschema.Schema {
	return testcheck.Schema(t, "schema.json", Schema, false)
}

func TestReportMatchesSchema(t *testing.T) {
	s := compileSchema(t)
	var buf bytes.Buffer
	if err := WriteJSON(&buf, sample()); err != nil {
		t.Fatal(err)
	}
	inst, err := jsonschema.UnmarshalJSON(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Validate(inst); err != nil {
		t.Fatal(err)
	}
	// The schema must be able to fail: an unknown verdict is rejected.
	bad := sample()
	bad.Anchors[0].Verdict = "sharp"
	data, _ := json.Marshal(bad)
	inst, _ = jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if s.Validate(inst) == nil {
		t.Fatal("the schema accepted an unknown verdict")
	}
}

func TestRuleProposalMatchesSchema(t *testing.T) {
	s := compileSchema(t)
	r := sample()
	run := Run{Outcome: "failed", ExitCode: 1, Detector: []string{"Blocking call to os.fsync"}, DetectorAt: []string{"app/x.py:9"}}
	r.Sites[0].Verdict = Survived
	r.Sites[0].RuleProposal = &RuleProposal{Status: RuleProven, Reason: "red with it, green restored", Primitive: "os.fsync",
		Alternatives: []string{"os.open"}, Detector: "blockbuster 1.5.29", Rule: `BlockBusterFunction(None, "os.fsync", scanned_modules=["app"])`,
		ScannedModules: []string{"app"}, Gate: "tests/blocking_io/conftest.py:9", Patch: "--- a/tests/blocking_io/conftest.py\n",
		Anchors: []string{"t::a"}, Red: []RuleRun{{Anchor: "t::a", Outcome: RuleRed, Run: run}},
		Green:      []RuleRun{{Anchor: "t::a", Outcome: RuleGreen, Run: Run{Outcome: "passed", Detector: []string{}}}},
		Collateral: []RuleRun{{Anchor: "t::b", Outcome: RuleSwallowed, Run: run}}, SuiteAnchors: 2, Commit: "Add a Blockbuster rule for os.fsync\n"}
	r.Summary.RuleRuns, r.Summary.RuleS = 2, 1.5
	for _, tc := range []struct {
		status string
		valid  bool
	}{{RuleProven, true}, {"maybe", false}} {
		r.Sites[0].RuleProposal.Status = tc.status
		data, _ := json.Marshal(r)
		inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Validate(inst); (err == nil) != tc.valid {
			t.Errorf("status %q: valid %v, want %v (%v)", tc.status, err == nil, tc.valid, err)
		}
	}
}
