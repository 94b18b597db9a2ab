package scripts

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestLatentModule runs testdata/latent_check.py against the embedded
// teeth_latent.py and teeth_binding.py on python3, the example's
// interpreter and every Python of ~/.pyenv/versions from 3.8 on, each with
// sys.monitoring where it has it and with TEETH_TRACE=settrace (the
// traceback and exception-table fallback): the frame and handler that
// caught a detector exception (an except clause, a suppress, a finally that
// re-raised, logging, a task), and how a call named its primitive.
func TestLatentModule(t *testing.T) {
	dir := t.TempDir()
	if err := WritePlugin(dir); err != nil {
		t.Fatal(err)
	}
	for _, py := range testPythons(true) {
		for _, trace := range []string{"", "settrace"} {
			cmd := exec.Command(py, filepath.Join("testdata", "latent_check.py"), dir)
			cmd.Env = append(os.Environ(), "TEETH_TRACE="+trace)
			out, err := cmd.Output()
			if err != nil || !strings.HasPrefix(string(out), "ok ") {
				msg := string(out)
				if ee, ok := err.(*exec.ExitError); ok {
					msg += string(ee.Stderr)
				}
				t.Errorf("%s (TEETH_TRACE=%s): %v\n%s", py, trace, err, msg)
			}
		}
	}
}
