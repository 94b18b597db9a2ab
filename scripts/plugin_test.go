package scripts

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

// TestPluginFilesImport imports every module of PluginFiles from a directory
// WritePlugin wrote, on python3 and, when "make venv" made it, the example's
// interpreter: a module one of them imports that PluginFiles lacks is not
// written, and fails here. teeth_warm imports pytest: only the example's
// interpreter has it.
func TestPluginFilesImport(t *testing.T) {
	dir := t.TempDir()
	if err := WritePlugin(dir); err != nil {
		t.Fatal(err)
	}
	var all, noPytest []string
	for _, name := range PluginFiles {
		mod := strings.TrimSuffix(name, ".py")
		all = append(all, mod)
		if mod != "teeth_warm" {
			noPytest = append(noPytest, mod)
		}
	}
	runs := map[string][]string{"python3": noPytest}
	if venv := examplePython(); venv != "" {
		runs[venv] = all
	}
	const check = "import importlib, sys; sys.path.insert(0, sys.argv[1]); [importlib.import_module(m) for m in sys.argv[2:]]; print('ok')"
	for py, mods := range runs {
		cmd := exec.Command(py, append([]string{"-I", "-B", "-c", check, dir}, mods...)...)
		cmd.Env = withoutEnv(os.Environ(), "TEETH_LIFELINE") // teeth_plugin starts no guardian
		out, err := cmd.CombinedOutput()
		if err != nil || strings.TrimSpace(string(out)) != "ok" {
			t.Errorf("%s: %v\n%s", py, err, out)
		}
	}
}

func withoutEnv(env []string, key string) []string {
	var out []string
	for _, kv := range env {
		if !strings.HasPrefix(kv, key+"=") {
			out = append(out, kv)
		}
	}
	return out
}
