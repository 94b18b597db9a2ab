package scripts

import (
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestEvidenceModule runs testdata/evidence_check.py against the embedded
// teeth_evidence.py and the modules it imports (teeth_calls.py,
// teeth_primitives.py) on python3 and, when "make venv" made it, the example's
// interpreter: naming of C callables in the detector's spelling, the known
// blocking primitives, and call positions (CRLF, keywords, *args, several
// lines, two calls on one line).
func TestEvidenceModule(t *testing.T) {
	dir := t.TempDir()
	if err := WritePlugin(dir); err != nil {
		t.Fatal(err)
	}
	for _, py := range testPythons(false) {
		out, err := exec.Command(py, filepath.Join("testdata", "evidence_check.py"), dir).CombinedOutput()
		if err != nil {
			t.Errorf("%s: %v\n%s", py, err, out)
		} else if !strings.HasPrefix(string(out), "ok ") {
			t.Errorf("%s: %s", py, out)
		}
	}
}
