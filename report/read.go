package report

import (
	"bytes"
	"cmp"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
)

// MaxJSON is the largest JSON report Decode reads: far above any real
// report, it keeps a report from an untrusted source (a fork's artifact)
// from filling memory.
const MaxJSON = 256 << 20

// Decode reads a JSON report and checks it against the report's schema
// before it decodes it, so a report from an untrusted source (the artifact
// of a pull request from a fork) is data of the documented shape or an
// error that says where it is not.
func Decode(r io.Reader) (*Report, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxJSON+1))
	if err != nil {
		return nil, err
	}
	if len(data) > MaxJSON {
		return nil, fmt.Errorf("over %d MB", MaxJSON>>20)
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("not JSON: %v", err)
	}
	sch, err := compiledSchema()
	if err != nil {
		return nil, err
	}
	if err := sch.Validate(inst); err != nil {
		return nil, schemaError(err)
	}
	var rep Report
	if err := json.Unmarshal(data, &rep); err != nil {
		return nil, err
	}
	return &rep, nil
}

// compiledSchema compiles the embedded schema.
func compiledSchema() (*jsonschema.Schema, error) {
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(Schema))
	if err != nil {
		return nil, err
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource("schema.json", doc); err != nil {
		return nil, err
	}
	return c.Compile("schema.json")
}

// schemaError is a validation error in one line: of the places where the
// document breaks the schema, the first by JSON pointer, so the same
// document always gets the same message (the validator reports them in no
// fixed order).
func schemaError(err error) error {
	ve, ok := err.(*jsonschema.ValidationError)
	if !ok {
		return err
	}
	p := message.NewPrinter(language.English)
	type leaf struct{ at, msg string }
	var leaves []leaf
	var walk func(*jsonschema.ValidationError)
	walk = func(e *jsonschema.ValidationError) {
		if len(e.Causes) == 0 {
			leaves = append(leaves, leaf{"/" + strings.Join(e.InstanceLocation, "/"), e.ErrorKind.LocalizedString(p)})
		}
		for _, c := range e.Causes {
			walk(c)
		}
	}
	walk(ve)
	first := slices.MinFunc(leaves, func(a, b leaf) int {
		return cmp.Or(strings.Compare(a.at, b.at), strings.Compare(a.msg, b.msg))
	})
	return fmt.Errorf("not a teeth report of schema_version %d: at %s: %s", SchemaVersion, first.at, first.msg)
}
