package render

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/teethtool/teeth/internal/testcheck"
	"github.com/teethtool/teeth/report"
)

// compileSARIFSchema compiles the official SARIF 2.1.0 schema of
// testdata/sarif-schema-2.1.0.json (draft-04).
func compileSARIFSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "sarif-schema-2.1.0.json"))
	if err != nil {
		t.Fatal(err)
	}
	return testcheck.Schema(t, "sarif-schema-2.1.0.json", data, true)
}

// sarifLog is the part of a SARIF log the tests read.
type sarifLog struct {
	Version string `json:"version"`
	Runs    []struct {
		Tool struct {
			Driver struct {
				Name  string `json:"name"`
				Rules []struct {
					ID                   string `json:"id"`
					DefaultConfiguration struct {
						Level string `json:"level"`
					} `json:"defaultConfiguration"`
				} `json:"rules"`
			} `json:"driver"`
		} `json:"tool"`
		OriginalURIBaseIDs map[string]struct {
			URI string `json:"uri"`
		} `json:"originalUriBaseIds"`
		Results []struct {
			RuleID    string `json:"ruleId"`
			RuleIndex int    `json:"ruleIndex"`
			Level     string `json:"level"`
			Message   struct {
				Text string `json:"text"`
			} `json:"message"`
			Locations []struct {
				PhysicalLocation struct {
					ArtifactLocation struct {
						URI       string `json:"uri"`
						URIBaseID string `json:"uriBaseId"`
					} `json:"artifactLocation"`
					Region struct {
						StartLine int `json:"startLine"`
					} `json:"region"`
				} `json:"physicalLocation"`
			} `json:"locations"`
			RelatedLocations    []json.RawMessage `json:"relatedLocations"`
			PartialFingerprints map[string]string `json:"partialFingerprints"`
		} `json:"results"`
	} `json:"runs"`
}

func TestSARIFValidatesAgainstSchema(t *testing.T) {
	schema := compileSARIFSchema(t)
	var buf bytes.Buffer
	if err := SARIF(&buf, fixture(t), report.DefaultFailOn); err != nil {
		t.Fatal(err)
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	if err := schema.Validate(inst); err != nil {
		t.Fatalf("%v\n%s", err, buf.Bytes())
	}
	// The schema can fail: SARIF has no level "fatal".
	var doc map[string]any
	if err := json.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	doc["runs"].([]any)[0].(map[string]any)["results"].([]any)[0].(map[string]any)["level"] = "fatal"
	if schema.Validate(doc) == nil {
		t.Fatal("the SARIF schema accepted level \"fatal\"")
	}
}

func TestSARIFContent(t *testing.T) {
	var buf bytes.Buffer
	if err := SARIF(&buf, fixture(t), report.DefaultFailOn); err != nil {
		t.Fatal(err)
	}
	var log sarifLog
	if err := json.Unmarshal(buf.Bytes(), &log); err != nil {
		t.Fatal(err)
	}
	if log.Version != "2.1.0" || len(log.Runs) != 1 {
		t.Fatalf("version %q, %d runs", log.Version, len(log.Runs))
	}
	run := log.Runs[0]
	if run.Tool.Driver.Name != "teeth" {
		t.Errorf("driver %q", run.Tool.Driver.Name)
	}
	ids := SARIFRuleIDs()
	// Every verdict but teeth, gate-off, skipped, xfailed and guarded is a
	// rule, and so are latent blocking calls.
	if want := len(report.AnchorVerdicts) + len(report.SiteVerdicts) - 5 + 1; len(ids) != want || len(run.Tool.Driver.Rules) != want {
		t.Fatalf("%d rule ids, %d rules; want %d", len(ids), len(run.Tool.Driver.Rules), want)
	}
	levels := map[string]string{}
	for i, rule := range run.Tool.Driver.Rules {
		if rule.ID != ids[i] {
			t.Errorf("rule %d is %s, want %s", i, rule.ID, ids[i])
		}
		levels[rule.ID] = rule.DefaultConfiguration.Level
	}
	for id, want := range map[string]string{"anchor-broken": "error", "site-unguarded": "warning", "site-swallowed": "error", "latent-blocking": "warning"} {
		if levels[id] != want {
			t.Errorf("rule %s default level %q, want %q", id, levels[id], want)
		}
	}
	for _, id := range []string{"anchor-teeth", "anchor-gate-off", "site-guarded"} {
		if _, ok := levels[id]; ok {
			t.Errorf("rule %s exists, but the verdict is not a finding", id)
		}
	}
	if got := run.OriginalURIBaseIDs[projectRoot].URI; got != "file:///home/dev/notes-app/" {
		t.Errorf("PROJECTROOT = %q", got)
	}
	if len(run.Results) != 15 {
		t.Fatalf("%d results, want 15", len(run.Results))
	}
	type where struct {
		uri  string
		line int
	}
	got := map[string]where{}
	fingerprints := map[string]bool{}
	for _, res := range run.Results {
		if ids[res.RuleIndex] != res.RuleID {
			t.Errorf("result of %s has ruleIndex %d (%s)", res.RuleID, res.RuleIndex, ids[res.RuleIndex])
		}
		loc := res.Locations[0].PhysicalLocation
		if loc.ArtifactLocation.URIBaseID != projectRoot {
			t.Errorf("result of %s not relative to %s", res.RuleID, projectRoot)
		}
		got[res.RuleID+" "+res.Level] = where{loc.ArtifactLocation.URI, loc.Region.StartLine}
		fp := res.PartialFingerprints["teethFinding/v1"]
		if fp == "" || fingerprints[fp] {
			t.Errorf("result of %s: fingerprint %q missing or repeated", res.RuleID, fp)
		}
		fingerprints[fp] = true
		if res.Message.Text == "" {
			t.Errorf("result of %s has no message", res.RuleID)
		}
		if res.RuleID == "latent-blocking" {
			// The catcher (project code) and the anchor that passes over it.
			rel := fmt.Sprint(len(res.RelatedLocations))
			if rel != "1" || !strings.Contains(string(res.RelatedLocations[0]), `"app/notes.py"`) || !strings.Contains(res.Message.Text, "swallowed by except Exception at app/notes.py:42") {
				t.Errorf("latent result: %s related locations %s; message %q", rel, res.RelatedLocations, res.Message.Text)
			}
		}
	}
	for key, want := range map[string]where{
		"anchor-rule-candidate error": {"tests/blocking_io/test_durability_io.py", 9},
		"anchor-broken error":         {"tests/blocking_io/test_notes_io.py", 20},
		"anchor-no-site note":         {"tests/blocking_io/test_gate.py", 12},
		"site-unguarded warning":      {"app/notes.py", 149},
		"site-red-other error":        {"app/render.py", 27},
		"site-invalid warning":        {"app/legacy.py", 31},
		"latent-blocking warning":     {"app/notes.py", 40}, // the blocking frame
	} {
		if got[key] != want {
			t.Errorf("%s at %+v, want %+v", key, got[key], want)
		}
	}
}
