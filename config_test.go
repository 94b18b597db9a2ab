package main

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func writeConfig(t *testing.T, body string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "pyproject.toml")
	if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestLoadConfigKeys(t *testing.T) {
	path := writeConfig(t, `
[project]
name = "x"
[tool.other]
ignored = 1
[tool.teeth]
project_dir = "backend"
anchors = ["tests/io", "tests/x.py::test_a"]
source_roots = ["app"]
python = ".venv/bin/python"
command = ["uv", "run", "--no-sync", "pytest"]
pytest_args = ["-x"]
detectors = ["mypkg.Blocked"]
wrappers = ["run_io"]
exclude = ["app/legacy/*"]
jobs = 3
timeout_factor = 2.5
timeout_base = 0
baseline_timeout = 30
fail_on = ["broken"]
optout_marker = "allow_io"
warm = false
findings = "findings.json"
audit_fail_on = ["bypass"]
`)
	c := defaultConfig()
	if err := loadConfig(c, path); err != nil {
		t.Fatal(err)
	}
	want := &config{
		File: path, Dir: "backend", Anchors: []string{"tests/io", "tests/x.py::test_a"}, SourceRoots: []string{"app"},
		Python: ".venv/bin/python", Command: []string{"uv", "run", "--no-sync", "pytest"}, PytestArgs: []string{"-x"},
		Detectors: []string{"mypkg.Blocked"}, Wrappers: []string{"run_io"}, Exclude: []string{"app/legacy/*"},
		Jobs: 3, TimeoutFactor: 2.5, TimeoutBase: 0, BaselineTimeout: 30, FailOn: []string{"broken"}, Marker: "allow_io",
		Findings: "findings.json", AuditFailOn: []string{"bypass"},
	}
	if !reflect.DeepEqual(c, want) {
		t.Fatalf("got  %+v\nwant %+v", c, want)
	}
	if len(keySetters) != 18 {
		t.Fatalf("%d keys are settable; this test sets 18", len(keySetters))
	}
}

func TestLoadConfigErrors(t *testing.T) {
	tests := []struct{ body, want string }{
		{"[tool.teeth]\nsource_root = [\"app\"]", "unknown key tool.teeth.source_root"},
		{"[tool.teeth]\njobs = \"two\"", `tool.teeth.jobs: want a whole number from 1 to 1024, got "two"`},
		{"[tool.teeth]\njobs = 0", "tool.teeth.jobs: want a whole number from 1 to 1024, got 0"},
		{"[tool.teeth]\nanchors = []", "tool.teeth.anchors: want at least one entry"},
		{"[tool.teeth]\nanchors = \"tests\"", `tool.teeth.anchors: want a list of strings, got "tests"`},
		{"[tool.teeth]\nsource_roots = [1]", "tool.teeth.source_roots: want a list of non-empty strings, got 1 in it"},
		{"[tool.teeth]\ntimeout_factor = 0", "tool.teeth.timeout_factor: want a positive number, got 0"},
		{"[tool.teeth]\ntimeout_base = -1", "tool.teeth.timeout_base: want a positive number, got -1"},
		{"[tool.teeth]\npython = \"\"", `tool.teeth.python: want a non-empty string, got ""`},
		{"[tool.teeth]\nfail_on = [\"nope\"]", `tool.teeth.fail_on: unknown verdict "nope"`},
		{"[tool.teeth]\nwarm = \"yes\"", `tool.teeth.warm: want true or false, got "yes"`},
		{"[tool.teeth]\naudit_fail_on = [\"nope\"]", `tool.teeth.audit_fail_on: unknown audit finding kind "nope"`},
		{"[tool.teeth\n", "toml: "},
	}
	for _, tt := range tests {
		c := defaultConfig()
		err := loadConfig(c, writeConfig(t, tt.body))
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%q: got %v, want an error containing %q", tt.body, err, tt.want)
			continue
		}
		if code := err.(exitCoder).ExitCode(); code != 2 {
			t.Errorf("%q: exit code %d, want 2", tt.body, code)
		}
	}
}

func TestLoadConfigMissingFileIsFine(t *testing.T) {
	c := defaultConfig()
	if err := loadConfig(c, filepath.Join(t.TempDir(), "pyproject.toml")); err != nil || c.File != "" {
		t.Fatalf("err %v, file %q", err, c.File)
	}
}

func TestHelperPython(t *testing.T) {
	tests := []struct {
		c    config
		want []string
	}{
		{config{Python: "/v/bin/python", Command: []string{"/v/bin/python", "-m", "pytest"}}, []string{"/v/bin/python"}},
		{config{Command: []string{"uv", "run", "--no-sync", "python", "-m", "pytest"}}, []string{"uv", "run", "--no-sync", "python"}},
		{config{Command: []string{"uv", "run", "--no-sync", "pytest"}}, []string{"uv", "run", "--no-sync", "python"}},
		{config{Command: []string{"tox", "-e", "py"}}, []string{"python3"}},
	}
	for _, tt := range tests {
		if got := tt.c.helperPython(); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%v: got %v, want %v", tt.c.Command, got, tt.want)
		}
	}
}
