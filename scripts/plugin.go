package scripts

import (
	"os"
	"path/filepath"
)

// PluginFiles are the embedded Python files a pytest run loads: the plugin's
// hooks, the state its modules share, the recording of what each test
// reaches, the report of where the modules came from, the warm-path server,
// the evidence recorder with its call locator and blocking primitives, the
// process-group guardian, the rule injector, the gate observer, the detector
// crash finder, the stack sampler of runs over their time limit and the
// server of a mutant run's bytes and the follower of detector exceptions to
// the frame that catches them.
var PluginFiles = []string{
	"teeth_plugin.py", "teeth_state.py", "teeth_reach.py", "teeth_modules.py", "teeth_warm.py",
	"teeth_evidence.py", "teeth_calls.py", "teeth_primitives.py", "teeth_guard.py", "teeth_rules.py",
	"teeth_gate.py", "teeth_crash.py", "teeth_stack.py", "teeth_mutant.py", "teeth_latent.py", "teeth_binding.py",
}

// WritePlugin writes PluginFiles into dir, which pytest runs then find on
// their PYTHONPATH.
func WritePlugin(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	for _, name := range PluginFiles {
		data, err := FS.ReadFile(name)
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			return err
		}
	}
	return nil
}
