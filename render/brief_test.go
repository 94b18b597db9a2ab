package render

import (
	"strings"
	"testing"

	"github.com/teethtool/teeth/report"
)

func TestBlockedBrief(t *testing.T) {
	b := &report.Blocked{Reach: report.ReachLine, Runs: 2, OnLoop: 1, LoopS: 0.0007,
		Primitives: []report.Primitive{{Name: "os.fsync", Calls: 2, S: 0.0004}}, Patched: []report.Primitive{{Name: "os.stat", Calls: 1, S: 0.00002}},
		Mocks: []report.Mock{{Name: "os.listdir", Type: "MagicMock"}}}
	want := "ran 2×, 1× on the loop, 0.7 ms (per line) · not patched: [os.fsync] ×2 0.4 ms · patched: [os.stat] 0.02 ms · mocked: [os.listdir] (MagicMock)"
	if got := blockedBrief(b, func(s string) string { return "[" + s + "]" }); got != want {
		t.Errorf("blockedBrief =\n %q\nwant\n %q", got, want)
	}
	if blockedBrief(nil, strings.ToUpper) != "" {
		t.Error("no evidence gave a brief")
	}
}
