package config

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/teethtool/teeth/internal/hint"
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
max_runs = 5
timeout_factor = 2.5
timeout_base = 0
baseline_timeout = 30
fail_on = ["broken"]
optout_marker = "allow_io"
warm = false
prove_rules = false
findings = "findings.json"
audit_fail_on = ["bypass"]
no_site = "count"
`)
	c := Default()
	if err := c.Load(path); err != nil {
		t.Fatal(err)
	}
	want := &Config{
		File: path, Dir: "backend", Anchors: []string{"tests/io", "tests/x.py::test_a"}, SourceRoots: []string{"app"},
		Python: ".venv/bin/python", Command: []string{"uv", "run", "--no-sync", "pytest"}, PytestArgs: []string{"-x"},
		Detectors: []string{"mypkg.Blocked"}, Wrappers: []string{"run_io"}, Exclude: []string{"app/legacy/*"},
		Jobs: 3, MaxRuns: 5, TimeoutFactor: 2.5, TimeoutBase: 0, BaselineTimeout: 30, FailOn: []string{"broken"}, Marker: "allow_io",
		Findings: "findings.json", AuditFailOn: []string{"bypass"}, NoSite: "count",
	}
	if !reflect.DeepEqual(c, want) {
		t.Fatalf("got  %+v\nwant %+v", c, want)
	}
	if len(keySetters) != 21 {
		t.Fatalf("%d keys are settable; this test sets 20", len(keySetters))
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
		{"[tool.teeth]\ntimeout_factor = 0", "tool.teeth.timeout_factor: want a number above 0 and at most 1000, got 0"},
		{"[tool.teeth]\ntimeout_base = -1", "tool.teeth.timeout_base: want a number from 0 to 86400, got -1"},
		{"[tool.teeth]\npython = \"\"", `tool.teeth.python: want a non-empty string, got ""`},
		{"[tool.teeth]\nfail_on = [\"nope\"]", `tool.teeth.fail_on: unknown verdict "nope"`},
		{"[tool.teeth]\nwarm = \"yes\"", `tool.teeth.warm: want true or false, got "yes"`},
		{"[tool.teeth]\nprove_rules = 1", `tool.teeth.prove_rules: want true or false, got 1`},
		{"[tool.teeth]\naudit_fail_on = [\"nope\"]", `tool.teeth.audit_fail_on: unknown audit finding kind "nope"`},
		{"[tool.teeth\n", "toml: "},
	}
	for _, tt := range tests {
		c := Default()
		err := c.Load(writeConfig(t, tt.body))
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%q: got %v, want an error containing %q", tt.body, err, tt.want)
			continue
		}
		if code := err.(*hint.Error).ExitCode(); code != 2 {
			t.Errorf("%q: exit code %d, want 2", tt.body, code)
		}
	}
}

// TestNumericKeysRefuseNaNInfAndRange: TOML allows nan, inf and -inf; every
// numeric key refuses them, and values past its documented range, with a
// hint naming the default (issue 13).
func TestNumericKeysRefuseNaNInfAndRange(t *testing.T) {
	wants := map[string]string{
		"jobs":             "want a whole number from 1 to 1024",
		"max_runs":         "want a whole number from 1 to 1024",
		"timeout_factor":   "want a number above 0 and at most 1000",
		"timeout_base":     "want a number from 0 to 86400",
		"baseline_timeout": "want a number above 0 and at most 86400",
	}
	outside := map[string][]string{
		"jobs":             {"1025", "2.5", "-1"},
		"max_runs":         {"1025", "0", "1.5"},
		"timeout_factor":   {"1000.5", "-0.5", "1e300"},
		"timeout_base":     {"86401", "-1e-9", "9.3e9"},
		"baseline_timeout": {"0", "86400.001", "1e19"},
	}
	for key, want := range wants {
		for _, v := range append([]string{"nan", "+nan", "-nan", "inf", "+inf", "-inf"}, outside[key]...) {
			c := Default()
			before := *c
			err := c.Load(writeConfig(t, "[tool.teeth]\n"+key+" = "+v+"\n"))
			if err == nil {
				t.Errorf("%s = %s: accepted", key, v)
				continue
			}
			// nan, inf and -inf are shown as TOML spells them
			shown := map[string]string{"nan": "nan", "+nan": "nan", "-nan": "nan", "inf": "inf", "+inf": "inf", "-inf": "-inf"}[v]
			if msg := err.Error(); !strings.Contains(msg, "tool.teeth."+key+": "+want+", got ") || !strings.HasSuffix(msg, shown) {
				t.Errorf("%s = %s: got %q", key, v, msg)
			}
			ce := err.(*hint.Error)
			if ce.Code != 2 || !strings.HasPrefix(ce.Hint, "remove tool.teeth."+key+" to use the default (") {
				t.Errorf("%s = %s: exit %d, hint %q", key, v, ce.Code, ce.Hint)
			}
			c.File = ""
			if !reflect.DeepEqual(*c, before) {
				t.Errorf("%s = %s: the refused value was stored", key, v)
			}
		}
	}
	for _, ok := range []string{"jobs = 1024", "max_runs = 1", "timeout_factor = 1000", "timeout_base = 86400", "baseline_timeout = 86400", "timeout_factor = 1e-3"} {
		if err := Default().Load(writeConfig(t, "[tool.teeth]\n"+ok+"\n")); err != nil {
			t.Errorf("%s: %v", ok, err)
		}
	}
}

func TestLoadConfigMissingFileIsFine(t *testing.T) {
	c := Default()
	if err := c.Load(filepath.Join(t.TempDir(), "pyproject.toml")); err != nil || c.File != "" {
		t.Fatalf("err %v, file %q", err, c.File)
	}
}

func TestHelperPython(t *testing.T) {
	tests := []struct {
		c    Config
		want []string
	}{
		{Config{Python: "/v/bin/python", Command: []string{"/v/bin/python", "-m", "pytest"}}, []string{"/v/bin/python"}},
		{Config{Command: []string{"uv", "run", "--no-sync", "python", "-m", "pytest"}}, []string{"uv", "run", "--no-sync", "python"}},
		{Config{Command: []string{"uv", "run", "--no-sync", "pytest"}}, []string{"uv", "run", "--no-sync", "python"}},
		{Config{Command: []string{"tox", "-e", "py"}}, []string{"python3"}},
	}
	for _, tt := range tests {
		if got := tt.c.HelperPython(); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%v: got %v, want %v", tt.c.Command, got, tt.want)
		}
	}
}
