package mutate

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

var (
	pyOnce sync.Once
	pyPath string
	pyErr  error
)

// testPython is the interpreter the tests run sites.py with: $TEETH_TEST_PYTHON
// (an argv prefix) or python3 from PATH, resolved through shims (pyenv) to its
// sys.executable once, which keeps the fuzzer fast.
func testPython(t testing.TB) []string {
	t.Helper()
	if p := os.Getenv("TEETH_TEST_PYTHON"); p != "" {
		return strings.Fields(p)
	}
	pyOnce.Do(func() {
		var out []byte
		out, pyErr = exec.Command("python3", "-c", "import sys; print(sys.executable)").Output()
		pyPath = strings.TrimSpace(string(out))
	})
	if pyErr != nil || pyPath == "" {
		t.Fatalf("python3 not usable: %v", pyErr)
	}
	return []string{pyPath}
}

// pythonAtLeast is testPython when it is at least version min ("3.12"), else
// the example backend's venv interpreter (Python 3.12 where the machine has
// it; "make venv" creates it) when that one is; otherwise the test is skipped.
func pythonAtLeast(t testing.TB, min string) []string {
	t.Helper()
	venv, err := filepath.Abs("../testdata/example/.venv/bin/python")
	if err != nil {
		t.Fatal(err)
	}
	for _, py := range [][]string{testPython(t), {venv}} {
		check := "import sys; sys.exit(sys.version_info < tuple(map(int, sys.argv[1].split('.'))))"
		if exec.Command(py[0], append(py[1:], "-c", check, min)...).Run() == nil {
			return py
		}
	}
	t.Skipf("no Python %s+ (run make venv)", min)
	return nil
}

func testCtx(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// checkMutant asserts that mut is src with only s's span replaced and, for
// non-direct sites, the helper appended (or, for import-time sites, called
// inline); and that s.Line matches the span start.
func checkMutant(t testing.TB, s Site, src, mut []byte) {
	t.Helper()
	e := s.edit
	if got := lineAt(src, e.Span[0]); got != s.Line {
		t.Errorf("%s: line %d, span starts on line %d", s.ID, s.Line, got)
	}
	body := mut
	if !e.Direct && !e.Inline {
		name, tmpl := helperFor(src, e.Helper)
		helper := helperText(src, name, tmpl)
		if !bytes.HasSuffix(mut, []byte(helper)) {
			t.Fatalf("%s: helper not appended", s.ID)
		}
		body = mut[:len(mut)-len(helper)]
	}
	if !bytes.HasPrefix(body, src[:e.Span[0]]) || !bytes.HasSuffix(body, src[e.Span[1]:]) ||
		len(body) < e.Span[0]+len(src)-e.Span[1] {
		t.Fatalf("%s: bytes outside the replaced span changed", s.ID)
	}
	repl := body[e.Span[0] : len(body)-(len(src)-e.Span[1])]
	if !bytes.Contains(repl, src[e.Fn[0]:e.Fn[1]]) {
		t.Errorf("%s: replacement %q lacks the callable", s.ID, repl)
	}
	if e.Inline && !bytes.HasPrefix(repl, []byte("("+inlineHelper(e.Helper)+")(")) {
		t.Errorf("%s: import-time replacement %q does not call the inline helper", s.ID, repl)
	}
	checkMutantCall(t, s, src, mut, repl)
}

// checkMutantCall asserts that MutantCall points at the un-offloaded call:
// the replacement itself for a direct site, the helper's call of the
// callable otherwise, on the line it names.
func checkMutantCall(t testing.TB, s Site, src, mut, repl []byte) {
	t.Helper()
	c, err := s.MutantCall(src)
	if err != nil {
		t.Fatalf("%s: MutantCall: %v", s.ID, err)
	}
	got := string(mut[c.Start:c.End])
	want := string(repl)
	if !s.edit.Direct && !s.edit.Inline {
		want = "_teeth_fn(*args, **kwargs)"
		if s.edit.Helper == "future" {
			want = "_teeth_fn(*args)"
		}
	}
	if got != want {
		t.Errorf("%s: MutantCall spans %q, want %q", s.ID, got, want)
	}
	if c.Line != lineAt(mut, c.Start) {
		t.Errorf("%s: MutantCall line %d, want %d", s.ID, c.Line, lineAt(mut, c.Start))
	}
}
