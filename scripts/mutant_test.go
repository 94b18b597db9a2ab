package scripts

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestMutantModule runs testdata/mutant_check.py against the embedded
// teeth_mutant.py with the example's interpreter: a mutant reaches the
// modules that import it through the import system, never through the
// sandbox's file, and a module that got past it is told apart.
func TestMutantModule(t *testing.T) {
	venv := examplePython()
	if venv == "" {
		t.Fatal("the example's interpreter is missing: run \"make venv\"")
	}
	dir := t.TempDir()
	src, err := FS.ReadFile("teeth_mutant.py")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "teeth_mutant.py"), src, 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(venv, filepath.Join("testdata", "mutant_check.py"), dir)
	cmd.Env = append(os.Environ(), "PYTHONDONTWRITEBYTECODE=")
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.HasPrefix(string(out), "ok ") {
		t.Fatalf("%v\n%s", err, out)
	}
}
