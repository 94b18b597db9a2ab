package initcfg

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/teethtool/teeth/config"
)

// interpreter decides the python or command key (appended to p.Keys, or a
// comment when teeth's default is right) and returns the argv prefix that
// runs the gate helper.
func (p *Proposal) interpreter(o Options, pp *pyproject) []string {
	if o.Python != "" {
		py := o.Python
		if strings.ContainsRune(py, filepath.Separator) {
			py, _ = filepath.Abs(py)
		}
		value := py
		if rel, err := filepath.Rel(o.Dir, py); err == nil && filepath.IsAbs(py) && !strings.HasPrefix(rel, "..") {
			value = filepath.ToSlash(rel)
		}
		p.Keys = append(p.Keys, Key{"python", tomlString(value), "the interpreter given with --python"})
		return []string{py}
	}
	if py, venv := config.ProjectVenv(o.Dir); py != "" {
		p.Comments = append(p.Comments, "python is not set: teeth runs pytest with "+venv+"/bin/python, the project's virtualenv")
		return []string{py}
	}
	uvProject := isFile(filepath.Join(o.Dir, "uv.lock")) || pp.hasTool("uv")
	if _, err := exec.LookPath("uv"); err == nil && uvProject {
		p.Keys = append(p.Keys, Key{"command", tomlList([]string{"uv", "run", "--no-sync", "pytest"}),
			"a uv project without .venv or venv: uv run finds its environment (UV_PROJECT_ENVIRONMENT, or the .venv that uv sync makes)"})
		if env := os.Getenv("UV_PROJECT_ENVIRONMENT"); env != "" && isFile(filepath.Join(env, "bin", "python")) {
			return []string{filepath.Join(env, "bin", "python")}
		}
		p.note("this uv project has no environment yet: run uv sync, then teeth init again to see editable installs")
		return []string{"python3"}
	}
	p.Comments = append(p.Comments, "python is not set: there is no .venv or venv, so teeth runs pytest with python3 from PATH")
	return []string{"python3"}
}
