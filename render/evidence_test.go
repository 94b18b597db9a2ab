package render

import (
	"bytes"
	"strings"
	"testing"
)

// fsyncSite is the fixture's survived site with a proven rule proposal.
const fsyncSite = "app/notes.py:NoteService.checkpoint:fsync_directory#0"

func TestEvidence(t *testing.T) {
	r := fixture(t)
	var buf bytes.Buffer
	if !Evidence(&buf, r, fsyncSite) {
		t.Fatal("Evidence did not find the site")
	}
	out := buf.String()
	for _, want := range []string{
		"\nsite verdict: survived\n  un-offloading asyncio.to_thread(fsync_directory) in NoteService.checkpoint keeps every anchor",
		"\n  rule for os.fsync proven: red with it and the offload removed, green with the offload restored; collateral: none of the 24 anchors fires it on unmutated code\n",
		"\nsurvived tests/blocking_io/test_durability_io.py::test_checkpoint_flushes_notes_directory (exit 0, 0.043s)\n" +
			"  on the loop: ran 1×, 1× on the loop, 0.7 ms · not patched: os.fsync 0.4 ms, os.open 0.2 ms, os.close <0.01 ms\n" +
			"  restore: passed\n" +
			"  reproduce: teeth verify --site '" + fsyncSite + "' --anchors tests/blocking_io/test_durability_io.py::test_checkpoint_flushes_notes_directory .\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("evidence lacks %q:\n%s", want, out)
		}
	}
	buf.Reset()
	if Evidence(&buf, r, "app/nope.py:f:g#0") || buf.Len() != 0 {
		t.Errorf("an unknown site was found, or wrote %q", buf.String())
	}
}
