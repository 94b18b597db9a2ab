package report

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// compileSchema compiles the embedded report schema.
func compileSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(Schema))
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource("schema.json", doc); err != nil {
		t.Fatal(err)
	}
	s, err := c.Compile("schema.json")
	if err != nil {
		t.Fatal(err)
	}
	return s
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
