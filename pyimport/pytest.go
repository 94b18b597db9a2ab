package pyimport

import (
	"bufio"
	"bytes"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/BurntSushi/toml"
)

// configFiles are the files pytest reads its configuration from, in the
// order it looks for them in each directory (pytest 9).
var configFiles = []string{"pytest.toml", ".pytest.toml", "pytest.ini", ".pytest.ini", "pyproject.toml", "tox.ini", "setup.cfg"}

// PytestPythonpath returns the absolute entries of pytest's pythonpath
// option, which pytest puts first on sys.path, read from the configuration
// file pytest finds from dir: the first of configFiles, in dir or its nearest
// ancestor, that holds a pytest section. Entries are relative to that
// file's directory (or absolute). A file that does not parse counts as having no entries.
func PytestPythonpath(dir string) []string {
	for d := filepath.Clean(dir); ; d = filepath.Dir(d) {
		for _, name := range configFiles {
			vals, found := readPythonpath(filepath.Join(d, name))
			if found {
				var out []string
				for _, v := range vals {
					if v = filepath.FromSlash(v); !filepath.IsAbs(v) {
						v = filepath.Join(d, v)
					}
					out = append(out, v)
				}
				return out
			}
		}
		if filepath.Dir(d) == d {
			return nil
		}
	}
}

// readPythonpath returns the pythonpath entries of one configuration file,
// and whether the file holds a pytest section at all.
func readPythonpath(file string) ([]string, bool) {
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, false
	}
	name := filepath.Base(file)
	switch name {
	case "pytest.toml", ".pytest.toml", "pyproject.toml":
		return tomlPythonpath(name, data)
	case "setup.cfg":
		return iniPythonpath(data, "tool:pytest", false)
	default:
		return iniPythonpath(data, "pytest", name != "tox.ini")
	}
}

func tomlPythonpath(name string, data []byte) ([]string, bool) {
	var doc map[string]any
	if _, err := toml.Decode(string(data), &doc); err != nil {
		return nil, name != "pyproject.toml"
	}
	table, _ := doc["pytest"].(map[string]any)
	if name == "pyproject.toml" {
		tool, _ := doc["tool"].(map[string]any)
		table, _ = tool["pytest"].(map[string]any)
		if table == nil {
			return nil, false
		}
		if ini, ok := table["ini_options"].(map[string]any); ok {
			table = ini
		}
	}
	switch v := table["pythonpath"].(type) {
	case string:
		return shellFields(v), true
	case []any:
		var out []string
		for _, x := range v {
			if s, ok := x.(string); ok {
				out = append(out, s)
			}
		}
		return out, true
	}
	return nil, true
}

// iniPythonpath reads key pythonpath of section in an INI file (values may
// continue on indented lines). always says the file counts even without
// the section (pytest.ini does).
func iniPythonpath(data []byte, section string, always bool) ([]string, bool) {
	var (
		cur, value string
		found, in  bool
	)
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		line := sc.Text()
		trimmed := strings.TrimSpace(line)
		switch {
		case trimmed == "" || trimmed[0] == '#' || trimmed[0] == ';':
		case strings.HasPrefix(trimmed, "[") && strings.HasSuffix(trimmed, "]"):
			cur, in = strings.TrimSpace(trimmed[1:len(trimmed)-1]), false
			found = found || cur == section
		case cur != section:
		case line[0] == ' ' || line[0] == '\t':
			if in {
				value += "\n" + trimmed
			}
		default:
			k, v, ok := strings.Cut(trimmed, "=")
			if c := strings.Index(trimmed, ":"); c >= 0 && (!ok || c < len(k)) {
				k, v, ok = trimmed[:c], trimmed[c+1:], true
			}
			in = ok && strings.TrimSpace(k) == "pythonpath"
			if in {
				value = strings.TrimSpace(v)
			}
		}
	}
	return shellFields(value), found || always
}

// shellFields splits s into words like Python's shlex.split for the
// common cases: whitespace separates, single or double quotes group.
func shellFields(s string) []string {
	var (
		out   []string
		word  strings.Builder
		quote rune
		have  bool
	)
	for _, r := range s {
		switch {
		case quote != 0 && r == quote:
			quote = 0
		case quote != 0:
			word.WriteRune(r)
		case r == '\'' || r == '"':
			quote, have = r, true
		case r == ' ' || r == '\t' || r == '\n' || r == '\r':
			if have {
				out = append(out, word.String())
				word.Reset()
				have = false
			}
		default:
			word.WriteRune(r)
			have = true
		}
	}
	if have {
		out = append(out, word.String())
	}
	return out
}

// IsTestModule reports whether a file (a slash path or a name) matches
// pytest's default python_files patterns, test_*.py and *_test.py.
func IsTestModule(file string) bool {
	name := path.Base(file)
	return strings.HasSuffix(name, ".py") && (strings.HasPrefix(name, "test_") || strings.HasSuffix(name, "_test.py"))
}

// Conftests lists every conftest.py pytest loads for a test file (a slash
// path relative to the project): from the project's root down to the file's
// directory.
func Conftests(file string) []string {
	dir := path.Dir(file)
	var out []string
	for {
		out = append([]string{path.Join(dir, "conftest.py")}, out...)
		if dir == "." || dir == "/" {
			return out
		}
		dir = path.Dir(dir)
	}
}
