package config

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/teethtool/teeth/internal/hint"
	"github.com/teethtool/teeth/pyimport"
)

// venvDirs are the project virtualenvs teeth looks for, in this order.
var venvDirs = []string{".venv", "venv"}

// ProjectVenv is the interpreter of the project's virtualenv and the
// virtualenv's directory name (".venv", "venv"), or "", "".
func ProjectVenv(dir string) (python, venv string) {
	for _, d := range venvDirs {
		py := filepath.Join(dir, d, "bin", "python")
		if info, err := os.Stat(py); err == nil && !info.IsDir() {
			return py, d
		}
	}
	return "", ""
}

// resolveCommand derives the pytest command and the helper interpreter:
// the project's .venv/bin/python or venv/bin/python when present, else
// python3 on PATH (and c.PathPython says so).
func (c *Config) resolveCommand() error {
	if c.Python == "" && len(c.Command) == 0 {
		c.Python, _ = ProjectVenv(c.Dir)
		if c.Python == "" {
			c.Python, c.PathPython = "python3", true
		}
	}
	if len(c.Command) == 0 {
		c.Command = []string{c.Python, "-m", "pytest"}
	}
	exe, err := c.executable(c.Command[0])
	if err != nil {
		return hint.New("cannot find the test command "+c.Command[0], "set python or command in [tool.teeth], or pass --python")
	}
	c.Command[0] = exe
	if c.Python != "" {
		py, err := c.executable(c.Python)
		if err != nil {
			return hint.New("cannot find the interpreter "+c.Python, "set python in [tool.teeth], or pass --python")
		}
		c.Python = py
	}
	return nil
}

// HelperPython is the argv prefix that runs teeth's helper scripts with the
// project's own interpreter.
func (c *Config) HelperPython() []string {
	if c.Python != "" {
		return []string{c.Python}
	}
	cmd := c.Command
	n := len(cmd)
	switch {
	case n >= 2 && cmd[n-2] == "-m" && cmd[n-1] == "pytest":
		return append([]string{}, cmd[:n-2]...)
	case n >= 1 && filepath.Base(cmd[n-1]) == "pytest":
		return append(append([]string{}, cmd[:n-1]...), "python")
	}
	return []string{"python3"}
}

// CommandEnv is extra environment for the test command: `uv run` inside a
// sandbox must use the project's environment, not make a new one.
func (c *Config) CommandEnv() []string {
	if filepath.Base(c.Command[0]) != "uv" || os.Getenv("UV_PROJECT_ENVIRONMENT") != "" {
		return nil
	}
	venv := filepath.Join(c.Dir, ".venv")
	if _, err := os.Stat(venv); err != nil {
		return nil
	}
	return []string{"UV_PROJECT_ENVIRONMENT=" + venv}
}

func (c *Config) executable(name string) (string, error) {
	if !strings.ContainsRune(name, filepath.Separator) {
		return exec.LookPath(name)
	}
	if !filepath.IsAbs(name) {
		name = filepath.Join(c.Dir, name)
	}
	if _, err := os.Stat(name); err != nil {
		return "", err
	}
	return name, nil
}

// sysPathProbe prints the interpreter's sys.path as site sets it up
// (editable installs' .pth entries included), without the script's own entry.
const sysPathProbe = "import json, sys; print(json.dumps(sys.path[1:]))"

// AncestorEntries asks the project's interpreter for its sys.path, run in
// the project directory, and returns the entries inside the project that a
// source root is imported through above its parent (pyimport.AncestorEntries).
func (c *Config) AncestorEntries(ctx context.Context) ([]string, error) {
	py := c.HelperPython()
	cmd := exec.CommandContext(ctx, py[0], append(append([]string{}, py[1:]...), "-c", sysPathProbe)...)
	cmd.Dir = c.Dir
	cmd.Env = append(os.Environ(), c.CommandEnv()...)
	out, err := cmd.Output()
	var sysPath []string
	if err == nil {
		err = json.Unmarshal(out, &sysPath)
	}
	if err != nil {
		return nil, hint.New("reading the sys.path of "+py[0]+": "+err.Error(), "check that "+py[0]+" is the project's Python 3 interpreter")
	}
	return pyimport.AncestorEntries(c.Dir, c.SourceRoots, sysPath), nil
}
