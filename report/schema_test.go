package report

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// compileSchema compiles the embedded report schema.
func compileSchema(t *testing.T) *jsonschema.Schema {
	return compileJSONSchema(t, "schema.json", Schema, false)
}

// compileJSONSchema compiles a JSON Schema document named name.
func compileJSONSchema(t *testing.T, name string, data []byte, formats bool) *jsonschema.Schema {
	t.Helper()
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	if formats {
		c.AssertFormat()
	}
	if err := c.AddResource(name, doc); err != nil {
		t.Fatal(err)
	}
	s, err := c.Compile(name)
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
