package render

import (
	"bytes"
	"strings"
	"testing"
)

func TestRule(t *testing.T) {
	r := fixture(t)
	var buf bytes.Buffer
	for i := range r.Sites {
		if r.Sites[i].ID == fsyncSite {
			Rule(&buf, &r.Sites[i])
		}
	}
	out := buf.String()
	for _, want := range []string{
		"site " + fsyncSite + " (survived)\n  app/notes.py:199 in NoteService.checkpoint, asyncio.to_thread(fsync_directory)\n",
		"\nrule: proven\n  BlockBusterFunction(None, \"os.fsync\", scanned_modules=SCANNED_MODULES)\n" +
			"  for the gate at tests/blocking_io/conftest.py:27, scoped to the gate's scanned modules: app, storekit\n",
		"\nred → green (blockbuster 1.5.29):\n  red       offload removed, rule in:  tests/blocking_io/test_durability_io.py::test_checkpoint_flushes_notes_directory failed: Blocking call to os.fsync at app/fileio.py:41\n",
		"\ncollateral: none of the 24 anchors fires it on unmutated code\n\npatch:\n--- a/tests/blocking_io/conftest.py\n",
		"\ncommit message:\n\nAdd a Blockbuster rule for os.fsync\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("rule output lacks %q:\n%s", want, out)
		}
	}
}
