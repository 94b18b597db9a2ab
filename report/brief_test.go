package report

import (
	"strings"
	"testing"
)

func TestBrief(t *testing.T) {
	b := &Blocked{Reach: ReachLine, Runs: 2, OnLoop: 1, LoopS: 0.0007,
		Primitives: []Primitive{{Name: "os.fsync", Calls: 2, S: 0.0004}}, Patched: []Primitive{{Name: "os.stat", Calls: 1, S: 0.00002}},
		Mocks: []Mock{{Name: "os.listdir", Type: "MagicMock"}}}
	want := "ran 2×, 1× on the loop, 0.7 ms (per line) · not patched: [os.fsync] ×2 0.4 ms · patched: [os.stat] 0.02 ms · mocked: [os.listdir] (MagicMock)"
	if got := b.Brief(func(s string) string { return "[" + s + "]" }); got != want {
		t.Errorf("Brief =\n %q\nwant\n %q", got, want)
	}
	if (*Blocked)(nil).Brief(strings.ToUpper) != "" {
		t.Error("no evidence gave a brief")
	}
}
