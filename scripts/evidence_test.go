package scripts

import (
	"os"
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
	pythons := []string{"python3"}
	if venv, _ := filepath.Abs(filepath.Join("..", "testdata", "example", ".venv", "bin", "python")); fileExists(venv) {
		pythons = append(pythons, venv)
	}
	for _, py := range pythons {
		out, err := exec.Command(py, filepath.Join("testdata", "evidence_check.py"), dir).CombinedOutput()
		if err != nil {
			t.Errorf("%s: %v\n%s", py, err, out)
		} else if !strings.HasPrefix(string(out), "ok ") {
			t.Errorf("%s: %s", py, out)
		}
	}
}

func fileExists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}
