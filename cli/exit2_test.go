package cli

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/teethtool/teeth/internal/hint"
)

// issue 22: every exit 2 carries a hint line. Each way to exit 2 that needs
// no Python is driven through the command line here; the error values
// themselves (the environment's errors without a hint of their own) through
// exitWith; and TestNoExit2WithoutHintInTheSource checks the code.
func TestExit2PathsHaveAHint(t *testing.T) {
	dir := t.TempDir()
	write := func(rel, data string) string {
		p := filepath.Join(dir, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	ok := filepath.Dir(write("ok/pyproject.toml", "[tool.teeth]\nsource_roots = [\"app\"]\n"))
	write("ok/app/x.py", "")
	bare := filepath.Dir(write("bare/pyproject.toml", "[project]\nname = \"x\"\n"))
	badKey := filepath.Dir(write("badkey/pyproject.toml", "[tool.teeth]\nsource_roots = [\"app\"]\nfrobs = 1\n"))
	badValue := filepath.Dir(write("badvalue/pyproject.toml", "[tool.teeth]\nsource_roots = [\"app\"]\njobs = 0\n"))
	badToml := filepath.Dir(write("badtoml/pyproject.toml", "[tool.teeth\n"))
	notJSON := write("not.json", "{")
	otherJSON := write("other.json", `{"schema_version": 99, "tool": "x"}`)
	cases := [][]string{
		{},
		{"frobnicate"},
		{"verify", "--nosuch"},
		{"verify", "-j"},
		{"verify", "a", "b"},
		{"verify", filepath.Join(dir, "nowhere")},
		{"verify", bare},
		{"verify", badKey},
		{"verify", badValue},
		{"verify", badToml},
		{"verify", "--config", filepath.Join(dir, "missing.toml"), ok},
		{"verify", "-j", "0", ok},
		{"verify", "--timeout-factor", "nan", ok},
		{"verify", "--fail-on", "bogus", ok},
		{"audit", "--audit-fail-on", "bogus", ok},
		{"verify", "--shard", "3/2", ok},
		{"verify", "--source-root", "missing", ok},
		{"verify", "--source-root", "../out", ok},
		{"verify", "--anchors", "tests/missing", ok},
		{"audit", "--nosuch", ok},
		{"rule"},
		{"rule", "--primitive"},
		{"show"},
		{"apply"},
		{"init", "a", "b"},
		{"init", filepath.Join(dir, "nowhere")},
		{"merge"},
		{"merge", "--json"},
		{"merge", filepath.Join(dir, "missing.json")},
		{"merge", notJSON},
		{"merge", otherJSON},
	}
	for _, args := range cases {
		var stdout, stderr bytes.Buffer
		code := exitWith(Run(context.Background(), "test", args, &stdout, &stderr), &stderr)
		if code != 2 {
			t.Errorf("teeth %s: exit %d, want 2\n%s", strings.Join(args, " "), code, stderr.String())
			continue
		}
		checkHint(t, "teeth "+strings.Join(args, " "), stderr.String())
	}
	for _, err := range []error{
		errors.New("something teeth did not expect"),
		fmt.Errorf("copying the project into a sandbox: %w", &fs.PathError{Op: "write", Path: "/tmp/x", Err: syscall.EFBIG}),
		fmt.Errorf("reading: %w", &fs.PathError{Op: "open", Path: "/x", Err: syscall.EACCES}),
		&fs.PathError{Op: "mkdir", Path: "/tmp/x", Err: syscall.ENOSPC},
		&fs.PathError{Op: "mkdir", Path: "/tmp/x", Err: syscall.EROFS},
		&fs.PathError{Op: "open", Path: "/tmp/x", Err: syscall.EMFILE},
		hint.New("a message", ""),
	} {
		var stderr bytes.Buffer
		if code := exitWith(err, &stderr); code != 2 {
			t.Errorf("%v: exit %d, want 2", err, code)
		}
		checkHint(t, err.Error(), stderr.String())
	}
	var stderr bytes.Buffer
	exitWith(fmt.Errorf("copy: %w", syscall.EFBIG), &stderr)
	if !strings.Contains(stderr.String(), "teeth: hint: a file-size limit (ulimit -f) cut a write") {
		t.Errorf("a file-size limit's hint: %s", stderr.String())
	}
}

// checkHint fails unless stderr ends with a "teeth: MSG" line and a
// non-empty "teeth: hint: HINT" line.
func checkHint(t *testing.T, what, stderr string) {
	t.Helper()
	lines := strings.Split(strings.TrimRight(stderr, "\n"), "\n")
	n := len(lines)
	if n < 2 || !strings.HasPrefix(lines[n-2], "teeth: ") || strings.HasPrefix(lines[n-2], "teeth: hint:") ||
		!strings.HasPrefix(lines[n-1], "teeth: hint: ") || len(lines[n-1]) <= len("teeth: hint: ") {
		t.Errorf("%s: exit 2 without a message and a hint line:\n%s", what, stderr)
	}
}

// TestNoExit2WithoutHintInTheSource reads every Go file of teeth: no
// hint.New has an empty hint, no hint.Exit(2) ends a run silently, and no
// hint.Error literal with code 2 lacks a hint.
func TestNoExit2WithoutHintInTheSource(t *testing.T) {
	root := ".."
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "testdata" || strings.HasPrefix(d.Name(), ".")) && p != root {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(p, ".go") || strings.HasSuffix(p, "_test.go") {
			return nil
		}
		fset := token.NewFileSet()
		f, err := parser.ParseFile(fset, p, nil, 0)
		if err != nil {
			return err
		}
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.CallExpr:
				switch callee(n.Fun) {
				case "hint.New":
					if len(n.Args) == 2 && isLit(n.Args[1], `""`) {
						t.Errorf("%s: hint.New with an empty hint", fset.Position(n.Pos()))
					}
				case "hint.Exit":
					if len(n.Args) == 1 && isLit(n.Args[0], "2") {
						t.Errorf("%s: hint.Exit(2) exits 2 without a hint", fset.Position(n.Pos()))
					}
				}
			case *ast.CompositeLit:
				if callee(n.Type) == "hint.Error" && hasField(n, "Code", "2") && !hasField(n, "Hint", "") {
					t.Errorf("%s: a hint.Error with code 2 and no hint", fset.Position(n.Pos()))
				}
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func callee(e ast.Expr) string {
	if s, ok := e.(*ast.SelectorExpr); ok {
		if x, ok := s.X.(*ast.Ident); ok {
			return x.Name + "." + s.Sel.Name
		}
	}
	return ""
}

func isLit(e ast.Expr, value string) bool {
	l, ok := e.(*ast.BasicLit)
	return ok && l.Value == value
}

// hasField reports whether the literal sets field (to value, unless value is "").
func hasField(c *ast.CompositeLit, field, value string) bool {
	for _, el := range c.Elts {
		kv, ok := el.(*ast.KeyValueExpr)
		if k, isIdent := kv.Key.(*ast.Ident); ok && isIdent && k.Name == field {
			if value == "" {
				l, isLit := kv.Value.(*ast.BasicLit)
				return !isLit || (l.Value != `""` && l.Value != strconv.Quote(""))
			}
			return isLit(kv.Value, value)
		}
	}
	return false
}
