package scripts

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestRulesModule runs testdata/rules_check.py against the embedded
// teeth_rules.py with the example's interpreter, which has the real
// Blockbuster: a proof run's rule joins gates built before and after the
// plugin is configured, and blockbuster_ctx's, scoped as each gate is.
func TestRulesModule(t *testing.T) {
	venv := examplePython()
	if venv == "" {
		t.Fatal("the example's interpreter is missing: run \"make venv\"")
	}
	dir := t.TempDir()
	src, err := FS.ReadFile("teeth_rules.py")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "teeth_rules.py"), src, 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(venv, filepath.Join("testdata", "rules_check.py"), dir).CombinedOutput()
	if err != nil || !strings.HasPrefix(string(out), "ok ") {
		t.Fatalf("%v\n%s", err, out)
	}
}
