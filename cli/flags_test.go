package cli

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/teethtool/teeth/internal/hint"
)

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
		ce, ok := err.(*hint.Error)
		if !ok || ce.Msg != tt.want || ce.Code != 2 || ce.Hint == "" {
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

// TestProveRulesFlags: teeth verify proves its rule proposals by default;
// --no-prove-rules (or prove_rules = false) proposes without proving, and
// --propose-rules proves even when the configuration says not to.
func TestProveRulesFlags(t *testing.T) {
	dir := t.TempDir()
	for _, d := range []string{"app", "tests/blocking_io"} {
		if err := os.MkdirAll(filepath.Join(dir, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "app", "x.py"), []byte("x = 1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	write := func(table string) {
		if err := os.WriteFile(filepath.Join(dir, "pyproject.toml"), []byte("[tool.teeth]\nsource_roots = [\"app\"]\n"+table), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	prove := func(args ...string) (bool, error) {
		f, err := parseFlags("verify", append(args, dir), io.Discard)
		if err != nil {
			return false, err
		}
		c, err := f.config()
		if err != nil {
			return false, err
		}
		return c.ProveRules, nil
	}
	write("")
	for _, tt := range []struct {
		args []string
		want bool
	}{{nil, true}, {[]string{"--no-prove-rules"}, false}, {[]string{"--propose-rules"}, true}} {
		if got, err := prove(tt.args...); err != nil || got != tt.want {
			t.Errorf("%v: prove %v (%v), want %v", tt.args, got, err, tt.want)
		}
	}
	write("prove_rules = false\n")
	if got, err := prove(); err != nil || got {
		t.Errorf("prove_rules = false: prove %v (%v)", got, err)
	}
	if got, err := prove("--propose-rules"); err != nil || !got {
		t.Errorf("prove_rules = false, --propose-rules: prove %v (%v)", got, err)
	}
	_, err := prove("--no-prove-rules", "--propose-rules")
	if ce, ok := err.(*hint.Error); !ok || !strings.Contains(ce.Msg, "contradict") || ce.Code != 2 {
		t.Errorf("both flags: %v", err)
	}
}
