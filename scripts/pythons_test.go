package scripts

import (
	"os"
	"path/filepath"
	"strings"
)

// examplePython is the example's interpreter, with pytest and the real
// Blockbuster, or "" when "make venv" has not made it.
func examplePython() string {
	venv, err := filepath.Abs(filepath.Join("..", "testdata", "example", ".venv", "bin", "python"))
	if err != nil || !fileExists(venv) {
		return ""
	}
	return venv
}

// testPythons are the interpreters a helper is checked on: python3 and the
// example's (when "make venv" made it); with pyenv, also every Python of
// ~/.pyenv/versions from 3.8 on.
func testPythons(pyenv bool) []string {
	pythons := []string{"python3"}
	if venv := examplePython(); venv != "" {
		pythons = append(pythons, venv)
	}
	if home, err := os.UserHomeDir(); pyenv && err == nil {
		found, _ := filepath.Glob(filepath.Join(home, ".pyenv", "versions", "3.*", "bin", "python"))
		for _, py := range found {
			if v := filepath.Base(filepath.Dir(filepath.Dir(py))); !strings.HasPrefix(v, "3.6") && !strings.HasPrefix(v, "3.7") {
				pythons = append(pythons, py)
			}
		}
	}
	return pythons
}

func fileExists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}
