package main

import (
	"io"
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
		{"[tool.teeth]\ntimeout_factor = 0", "tool.teeth.timeout_factor: want a number above 0 and at most 1000, got 0"},
		{"[tool.teeth]\ntimeout_base = -1", "tool.teeth.timeout_base: want a number from 0 to 86400, got -1"},
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

// TestNumericKeysRefuseNaNInfAndRange: TOML allows nan, inf and -inf; every
// numeric key refuses them, and values past its documented range, with a
// hint naming the default (issue 13).
func TestNumericKeysRefuseNaNInfAndRange(t *testing.T) {
	wants := map[string]string{
		"jobs":             "want a whole number from 1 to 1024",
		"timeout_factor":   "want a number above 0 and at most 1000",
		"timeout_base":     "want a number from 0 to 86400",
		"baseline_timeout": "want a number above 0 and at most 86400",
	}
	outside := map[string][]string{
		"jobs":             {"1025", "2.5", "-1"},
		"timeout_factor":   {"1000.5", "-0.5", "1e300"},
		"timeout_base":     {"86401", "-1e-9", "9.3e9"},
		"baseline_timeout": {"0", "86400.001", "1e19"},
	}
	for key, want := range wants {
		for _, v := range append([]string{"nan", "+nan", "-nan", "inf", "+inf", "-inf"}, outside[key]...) {
			c := defaultConfig()
			before := *c
			err := loadConfig(c, writeConfig(t, "[tool.teeth]\n"+key+" = "+v+"\n"))
			if err == nil {
				t.Errorf("%s = %s: accepted", key, v)
				continue
			}
			// nan, inf and -inf are shown as TOML spells them
			shown := map[string]string{"nan": "nan", "+nan": "nan", "-nan": "nan", "inf": "inf", "+inf": "inf", "-inf": "-inf"}[v]
			if msg := err.Error(); !strings.Contains(msg, "tool.teeth."+key+": "+want+", got ") || !strings.HasSuffix(msg, shown) {
				t.Errorf("%s = %s: got %q", key, v, msg)
			}
			ce := err.(*cliError)
			if ce.code != 2 || !strings.HasPrefix(ce.hint, "remove tool.teeth."+key+" to use the default (") {
				t.Errorf("%s = %s: exit %d, hint %q", key, v, ce.code, ce.hint)
			}
			c.File = ""
			if !reflect.DeepEqual(*c, before) {
				t.Errorf("%s = %s: the refused value was stored", key, v)
			}
		}
	}
	for _, ok := range []string{"jobs = 1024", "timeout_factor = 1000", "timeout_base = 86400", "baseline_timeout = 86400", "timeout_factor = 1e-3"} {
		if err := loadConfig(defaultConfig(), writeConfig(t, "[tool.teeth]\n"+ok+"\n")); err != nil {
			t.Errorf("%s: %v", ok, err)
		}
	}
}

// TestNumericFlagsRefuseNaNInfAndRange: -j and -timeout-factor refuse what
// their keys refuse, with one line naming the flag and a hint (issue 13).
func TestNumericFlagsRefuseNaNInfAndRange(t *testing.T) {
	tests := []struct{ flag, value, want string }{
		{"-j", "nan", "-j: want a whole number from 1 to 1024, got nan"},
		{"-j", "inf", "-j: want a whole number from 1 to 1024, got inf"},
		{"-j", "-inf", "-j: want a whole number from 1 to 1024, got -inf"},
		{"-j", "0", "-j: want a whole number from 1 to 1024, got 0"},
		{"-j", "1025", "-j: want a whole number from 1 to 1024, got 1025"},
		{"-j", "99999999999999999999", "-j: want a whole number from 1 to 1024, got 1e+20"},
		{"-j", "two", `-j: want a whole number from 1 to 1024, got "two"`},
		{"-timeout-factor", "nan", "-timeout-factor: want a number above 0 and at most 1000, got nan"},
		{"-timeout-factor", "NaN", "-timeout-factor: want a number above 0 and at most 1000, got nan"},
		{"--timeout-factor", "inf", "-timeout-factor: want a number above 0 and at most 1000, got inf"},
		{"--timeout-factor", "+Inf", "-timeout-factor: want a number above 0 and at most 1000, got inf"},
		{"-timeout-factor", "-inf", "-timeout-factor: want a number above 0 and at most 1000, got -inf"},
		{"-timeout-factor", "0", "-timeout-factor: want a number above 0 and at most 1000, got 0"},
		{"-timeout-factor", "1e308", "-timeout-factor: want a number above 0 and at most 1000, got 1e+308"},
		{"-timeout-factor", "fast", `-timeout-factor: want a number above 0 and at most 1000, got "fast"`},
	}
	dir := t.TempDir()
	for _, tt := range tests {
		f, err := parseFlags("verify", []string{tt.flag, tt.value, dir}, io.Discard)
		if err != nil {
			t.Fatalf("%s %s: parse: %v", tt.flag, tt.value, err)
		}
		_, err = f.config()
		ce, ok := err.(*cliError)
		if !ok || ce.msg != tt.want || ce.code != 2 || ce.hint == "" {
			t.Errorf("%s %s: got %#v, want %q with a hint, exit 2", tt.flag, tt.value, err, tt.want)
		}
	}
	for _, args := range [][]string{{"-j", "3"}, {"-timeout-factor", "2.5"}, {"-timeout-factor", "1000"}} {
		f, err := parseFlags("verify", append(args, dir), io.Discard)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.config(); err == nil || !strings.Contains(err.Error(), "no source_roots") {
			t.Errorf("%v: got %v, want it accepted (and the missing source_roots refused)", args, err)
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
