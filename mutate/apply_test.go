package mutate

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// discoverSource runs Discover on a single file m.py holding src.
func discoverSource(t testing.TB, py []string, src string) *Result {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "m.py"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	res, err := Discover(testCtx(t), py, dir, nil, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func TestApplyStaleSource(t *testing.T) {
	src := "import asyncio\n\nasync def f():\n    await asyncio.to_thread(print)\n"
	res := discoverSource(t, testPython(t), src)
	if len(res.Sites) != 1 {
		t.Fatalf("want 1 site, got %d", len(res.Sites))
	}
	if _, err := res.Sites[0].Apply([]byte(src + "\n")); err == nil {
		t.Fatal("Apply accepted a changed source")
	}
	if _, err := (Site{}).Apply([]byte(src)); err == nil {
		t.Fatal("Apply accepted a site without hash")
	}
}

func TestApplyHelperNameTaken(t *testing.T) {
	src := "import asyncio\n_teeth_on_loop = _teeth_on_loop_1 = 1\n\nasync def f():\n    return asyncio.to_thread(print)"
	res := discoverSource(t, testPython(t), src)
	if len(res.Sites) != 1 {
		t.Fatalf("want 1 site, got %d", len(res.Sites))
	}
	mut, err := res.Sites[0].Apply([]byte(src))
	if err != nil {
		t.Fatal(err)
	}
	want := src[:len(src)-len("asyncio.to_thread(print)")] + "_teeth_on_loop_2(print)\n" +
		strings.ReplaceAll(onLoopHelper, "NAME", "_teeth_on_loop_2")
	if string(mut) != want {
		t.Fatalf("got\n%s\nwant\n%s", mut, want)
	}
}

func TestSiteJSONRoundTrip(t *testing.T) {
	src := "import asyncio\n\nasync def f(x):\n    await asyncio.to_thread(print, x)\n"
	res := discoverSource(t, testPython(t), src)
	b, err := json.Marshal(res)
	if err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{`"id":"m.py:f:print#0"`, `"line":4`, `"col":5`, `"function":"f"`,
		`"callee":"print"`, `"offload":"asyncio.to_thread"`, `"shape":"awaited"`, `"sha256":`, `"edit":`} {
		if !strings.Contains(string(b), key) {
			t.Errorf("JSON lacks %s: %s", key, b)
		}
	}
	var back Result
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	a, err1 := res.Sites[0].Apply([]byte(src))
	c, err2 := back.Sites[0].Apply([]byte(src))
	if err1 != nil || err2 != nil || string(a) != string(c) || back.Sites[0].ID != res.Sites[0].ID {
		t.Fatalf("round trip changed the site: %v %v\n%s\n%s", err1, err2, a, c)
	}
}

func TestCompileReportsErrors(t *testing.T) {
	msgs, err := Compile(testCtx(t), testPython(t), []string{"ok.py", "bad.py", "nul.py"},
		[][]byte{[]byte("x = 1\n"), []byte("def f(:\n"), []byte("x = 1\x00\n")})
	if err != nil {
		t.Fatal(err)
	}
	if msgs[0] != "" || msgs[1] == "" || msgs[2] == "" {
		t.Fatalf("got %q", msgs)
	}
}

func TestDiff(t *testing.T) {
	d := Diff("app/x.py", []byte("a\nb\n"), []byte("a\nc\n"))
	for _, want := range []string{"--- a/app/x.py\n", "+++ b/app/x.py\n", "-b\n", "+c\n"} {
		if !strings.Contains(d, want) {
			t.Errorf("diff lacks %q:\n%s", want, d)
		}
	}
	if Diff("x", []byte("a\n"), []byte("a\n")) != "" {
		t.Error("diff of equal inputs is not empty")
	}
}

func TestNewline(t *testing.T) {
	for src, want := range map[string]string{"": "\n", "a": "\n", "a\nb\r\n": "\n", "a\r\nb": "\r\n", "a\rb\n": "\r"} {
		if got := newline([]byte(src)); got != want {
			t.Errorf("newline(%q) = %q, want %q", src, got, want)
		}
	}
}

// lineAt counts lines as Python does (\r\n, a lone \r, \n), fast on large
// files: checked against a byte-by-byte count at every offset.
func TestLineAt(t *testing.T) {
	src := []byte("a\r\nb\rc\nd\r\r\n\ne\r")
	line := 1
	for off := 0; off <= len(src); off++ {
		if got := lineAt(src, off); got != line {
			t.Errorf("lineAt(%d) = %d, want %d", off, got, line)
		}
		if off < len(src) && (src[off] == '\n' || src[off] == '\r' && (off+1 >= len(src) || src[off+1] != '\n')) {
			line++
		}
	}
}
