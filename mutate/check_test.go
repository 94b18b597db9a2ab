package mutate

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// issue 22: the compile check compiles each mutant's module-level
// statement, a batch at a time, and says what compiling the whole mutated
// file says: in a latin-1 file with a __future__ import, behind a BOM, with
// CRLF line ends; a mutant that does not compile gets the whole file's
// message, line included.
func TestCheckMatchesWholeFile(t *testing.T) {
	py := testPython(t)
	body := "from __future__ import annotations\nimport asyncio\nimport os\n\nLABEL = \"\xe9t\xe9\"\n\n\n" +
		"class Store:\n    @staticmethod\n    async def load(path: Store) -> str:\n        note = \"\xe9\"; return await asyncio.to_thread(os.stat, path)\n\n\n" +
		"async def later(path):\n    task = asyncio.create_task(asyncio.to_thread(os.listdir, path))\n    return await task\n"
	files := map[string]string{
		"latin.py": "# -*- coding: latin-1 -*-\n" + body,
		"bom.py":   "\xef\xbb\xbf" + strings.ReplaceAll(strings.ReplaceAll(body, "\xe9", "\u00e9"), "\n", "\r\n"),
	}
	dir := t.TempDir()
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	res, err := Discover(testCtx(t), py, dir, nil, nil, nil)
	if err != nil || len(res.Sites) != 4 {
		t.Fatalf("discover: %v, %d sites", err, len(res.Sites))
	}
	read := func(p string) ([]byte, error) { return os.ReadFile(filepath.Join(dir, p)) }
	source := func(p string) (*Source, error) { b, err := read(p); return NewSource(b), err }
	sites := append([]Site{}, res.Sites...)
	for _, s := range res.Sites {
		sites = append(sites, broken(t, s)) // "f(a" instead of "f(a)": a syntax error on the site's line
	}
	defer func(u, b int) { checkBatchUnits, checkBatchBytes = u, b }(checkBatchUnits, checkBatchBytes)
	checkBatchUnits = 3
	var calls []string
	got, err := Check(testCtx(t), py, sites, source, func(done, total int) { calls = append(calls, fmt.Sprint(done, "/", total)) })
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(calls, " ") != "3/8 6/8 8/8" {
		t.Errorf("progress %v, want a call per batch of 3", calls)
	}
	for i, s := range sites {
		src, _ := read(s.Path)
		mut, err := s.Apply(src)
		if err != nil {
			t.Fatal(err)
		}
		whole, err := Compile(testCtx(t), py, []string{s.Path}, [][]byte{mut})
		if err != nil {
			t.Fatal(err)
		}
		if got[i] != whole[0] {
			t.Errorf("%s (%d): the statement check says %q, the whole file %q", s.ID, i, got[i], whole[0])
		}
		if (i >= len(res.Sites)) != (got[i] != "") {
			t.Errorf("%s (%d): compile error %q", s.ID, i, got[i])
		}
	}
}

// broken is s with a mutant that drops the call's closing parenthesis.
func broken(t *testing.T, s Site) Site {
	data, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	var b Site
	if err := json.Unmarshal(data, &b); err != nil {
		t.Fatal(err)
	}
	b.edit.Inline, b.edit.Direct, b.edit.Helper = true, false, "coro"
	b.edit.Fn = [2]int{b.edit.Span[0], b.edit.Span[0]}
	b.edit.Args = nil
	b.edit.Span[1] = b.edit.Span[0] // "(lambda ...)()" inserted before the offload: the call is left open
	return b
}
