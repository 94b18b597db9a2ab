package scope

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/teethtool/teeth/audit"
)

func TestCompareFileFollowsNewSameFileCalls(t *testing.T) {
	dir, base := t.TempDir(), t.TempDir()
	now := "async def handler():\n    await helper()\n\n\nasync def helper():\n    await deeper()\n\n\nasync def deeper():\n    pass\n\n\nasync def other():\n    pass\n"
	then := "async def handler():\n    pass\n\n\nasync def helper():\n    await deeper()\n\n\nasync def deeper():\n    pass\n\n\nasync def other():\n    pass\n"
	for d, src := range map[string]string{dir: now, base: then} {
		if err := os.WriteFile(filepath.Join(d, "m.py"), []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	fn := func(q string, line, end int, calls ...string) audit.Function {
		return audit.Function{Qualname: q, Line: line, End: end, Async: true, Calls: calls}
	}
	nowIx := &audit.File{Path: "m.py", Functions: []audit.Function{
		fn("handler", 1, 2, "helper"), fn("helper", 5, 6, "deeper"), fn("deeper", 9, 10), fn("other", 13, 14)}}
	thenIx := &audit.File{Path: "m.py", Functions: []audit.Function{
		fn("handler", 1, 2), fn("helper", 5, 6, "deeper"), fn("deeper", 9, 10), fn("other", 13, 14)}}
	changed, reached := map[string]bool{}, map[string]bool{}
	compareFile(dir, base, "m.py", nowIx, thenIx, changed, reached)
	if len(changed) != 1 || !changed["m.py:handler"] {
		t.Errorf("changed = %v, want only m.py:handler", changed)
	}
	if len(reached) != 2 || !reached["m.py:helper"] || !reached["m.py:deeper"] {
		t.Errorf("reached = %v, want m.py:helper and m.py:deeper", reached)
	}
}
