package report

import (
	"bytes"
	"encoding/json"
	"io"
	"strings"
	"testing"
)

func TestDecode(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteJSON(&buf, sample()); err != nil {
		t.Fatal(err)
	}
	r, err := Decode(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if r.Anchors[0].Verdict != Teeth || r.Summary.Sites != 1 {
		t.Errorf("decoded %+v", r.Anchors[0])
	}
}

func TestDecodeRefuses(t *testing.T) {
	bad := sample()
	bad.Anchors[1].Verdict = "sharp"
	unknown, _ := json.Marshal(bad)
	for _, tc := range []struct {
		name, doc, want string
	}{
		{"not json", "<html>", "not JSON: "},
		{"another tool's json", `{"tool": "pytest"}`, "not a teeth report of schema_version 1: at /: missing properties"},
		{"unknown verdict", string(unknown), "not a teeth report of schema_version 1: at /anchors/1/verdict: value must be one of"},
	} {
		_, err := Decode(strings.NewReader(tc.doc))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want it to contain %q", tc.name, err, tc.want)
		}
		if err != nil && strings.Contains(err.Error(), "\n") {
			t.Errorf("%s: error is not one line: %q", tc.name, err)
		}
	}
}

func TestDecodeSizeLimit(t *testing.T) {
	if _, err := Decode(&spaces{n: MaxJSON + 1}); err == nil || !strings.Contains(err.Error(), "over 256 MB") {
		t.Errorf("error %v, want the size limit", err)
	}
}

// spaces reads n spaces.
type spaces struct{ n int }

func (s *spaces) Read(p []byte) (int, error) {
	if s.n == 0 {
		return 0, io.EOF
	}
	n := min(len(p), s.n)
	for i := range p[:n] {
		p[i] = ' '
	}
	s.n -= n
	return n, nil
}

func TestDecodeSaysTheSameFirstError(t *testing.T) {
	bad := sample()
	bad.Anchors[1].Verdict = "sharp"
	bad.Anchors[0].Reason = ""
	bad.Sites[0].Verdict = "blunt"
	data, _ := json.Marshal(bad)
	want := "not a teeth report of schema_version 1: at /anchors/0/reason: minLength: got 0, want 1"
	for range 20 {
		if _, err := Decode(bytes.NewReader(data)); err == nil || err.Error() != want {
			t.Fatalf("error %v, want %q", err, want)
		}
	}
}
