package mutate

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/tools/txtar"
)

var update = flag.Bool("update", false, "rewrite the golden files in ../testdata/mutate")

// Generated sections of a golden archive; every other non-want file is an input.
var generated = map[string]bool{"sites": true, "errors": true, "wrappers": true}

// golden is one parsed archive: inputs, options and expectations.
type golden struct {
	ar       *txtar.Archive
	inputs   []txtar.File
	opts     []string
	roots    []string
	exclude  []string
	wrappers []string
	python   string // least Python version the inputs need ("3.12"), "" for any
	xforms   map[string][]string
}

func goldenFiles(t testing.TB) []string {
	files, err := filepath.Glob("../testdata/mutate/*.txtar")
	if err != nil || len(files) == 0 {
		t.Fatalf("no golden files: %v", err)
	}
	return files
}

func loadGolden(t testing.TB, file string) *golden {
	t.Helper()
	ar, err := txtar.ParseFile(file)
	if err != nil {
		t.Fatal(err)
	}
	g := &golden{ar: ar, xforms: map[string][]string{}}
	for _, f := range ar.Files {
		switch {
		case f.Name == "opts":
			g.parseOpts(t, string(f.Data))
		case !generated[f.Name] && !strings.HasPrefix(f.Name, "want/"):
			g.inputs = append(g.inputs, f)
		}
	}
	return g
}

func (g *golden) parseOpts(t testing.TB, text string) {
	for _, line := range strings.Split(strings.TrimSpace(text), "\n") {
		f := strings.Fields(line)
		switch {
		case len(f) == 0:
		case f[0] == "wrapper" && len(f) == 2:
			g.wrappers = append(g.wrappers, f[1])
		case f[0] == "root" && len(f) == 2:
			g.roots = append(g.roots, f[1])
		case f[0] == "exclude" && len(f) == 2:
			g.exclude = append(g.exclude, f[1])
		case f[0] == "python" && len(f) == 2:
			g.python = f[1]
		case f[0] == "transform" && len(f) >= 3:
			g.xforms[f[1]] = f[2:]
		default:
			t.Fatalf("bad opts line %q", line)
		}
	}
}

// write puts the inputs, transformed, into a new temp dir.
func (g *golden) write(t testing.TB) string {
	dir := t.TempDir()
	for _, f := range g.inputs {
		p := filepath.Join(dir, filepath.FromSlash(f.Name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, encode(t, f.Data, g.xforms[f.Name]), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestGolden(t *testing.T) {
	for _, file := range goldenFiles(t) {
		t.Run(strings.TrimSuffix(filepath.Base(file), ".txtar"), func(t *testing.T) {
			t.Parallel()
			g := loadGolden(t, file)
			got := g.run(t, g.interpreter(t))
			if *update {
				g.rewrite(t, file, got)
				return
			}
			g.compare(t, got)
		})
	}
}

// interpreter is the Python the archive runs with: testPython, or a newer
// one when the opts ask for it.
func (g *golden) interpreter(t testing.TB) []string {
	if g.python == "" {
		return testPython(t)
	}
	return pythonAtLeast(t, g.python)
}

// run discovers and applies every site; it returns the generated archive files.
func (g *golden) run(t *testing.T, py []string) []txtar.File {
	dir := g.write(t)
	res, err := Discover(testCtx(t), py, dir, g.roots, g.exclude, g.wrappers)
	if err != nil {
		t.Fatal(err)
	}
	var sites, errs, wraps strings.Builder
	for _, s := range res.Sites {
		fmt.Fprintf(&sites, "%s %d %s %s\n", s.ID, s.Line, s.Offload, s.Shape)
	}
	for _, e := range res.Errors {
		fmt.Fprintf(&errs, "%s %d%s\n", e.Path, e.Line, skipMsg(e.Msg))
	}
	for _, w := range res.Wrappers {
		fmt.Fprintf(&wraps, "%s %s %d\n", w.Name, w.Path, w.Line)
	}
	out := []txtar.File{{Name: "sites", Data: []byte(sites.String())},
		{Name: "errors", Data: []byte(errs.String())}, {Name: "wrappers", Data: []byte(wraps.String())}}
	mutants := applyAll(t, dir, res.Sites)
	compileAll(t, py, res.Sites, mutants)
	checkAll(t, py, dir, res.Sites, mutants)
	for i, s := range res.Sites {
		data := decode(t, mutants[i], g.xforms[s.Path])
		out = append(out, txtar.File{Name: fmt.Sprintf("want/%d.py", i+1), Data: data})
	}
	return out
}

// skipMsg keeps teeth's own skip messages; interpreter syntax messages vary by version.
func skipMsg(msg string) string {
	if strings.HasPrefix(msg, "offload site skipped") {
		return " " + msg
	}
	return ""
}

func applyAll(t *testing.T, dir string, sites []Site) [][]byte {
	var out [][]byte
	for _, s := range sites {
		src, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(s.Path)))
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, applyChecked(t, s, src))
	}
	return out
}

// applyChecked applies s to src, failing the test unless src is left as it
// was and every byte outside the edit is kept (checkMutant).
func applyChecked(t *testing.T, s Site, src []byte) []byte {
	t.Helper()
	orig := bytes.Clone(src)
	mut, err := s.Apply(src)
	if err != nil {
		t.Fatalf("%s: %v", s.ID, err)
	}
	if !bytes.Equal(src, orig) {
		t.Fatalf("%s: Apply modified its input", s.ID)
	}
	checkMutant(t, s, src, mut)
	return mut
}

func compileAll(t *testing.T, py []string, sites []Site, mutants [][]byte) {
	names := make([]string, len(sites))
	for i, s := range sites {
		names[i] = s.Path
	}
	msgs, err := Compile(testCtx(t), py, names, mutants)
	if err != nil {
		t.Fatal(err)
	}
	for i, msg := range msgs {
		if msg != "" {
			t.Errorf("mutant %d (%s) does not compile: %s", i+1, sites[i].ID, msg)
		}
	}
}

// checkAll checks that Check, which compiles each mutant's statement, finds
// every mutant compiling as the whole-file compile did, and that each
// site's Diff, made from a window of the file, is the diff of the whole
// files.
func checkAll(t *testing.T, py []string, dir string, sites []Site, mutants [][]byte) {
	read := func(p string) ([]byte, error) { return os.ReadFile(filepath.Join(dir, filepath.FromSlash(p))) }
	source := func(p string) (*Source, error) { b, err := read(p); return NewSource(b), err }
	msgs, err := Check(testCtx(t), py, sites, source, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i, s := range sites {
		if msgs[i] != "" {
			t.Errorf("mutant %d (%s): the statement check says %s", i+1, s.ID, msgs[i])
		}
		src, _ := read(s.Path)
		if got, want := siteDiff(t, s, src), Diff(s.Path, src, mutants[i]); got != want {
			t.Errorf("mutant %d (%s): diff\n%s\nwant\n%s", i+1, s.ID, got, want)
		}
		if !strings.Contains(siteDiff(t, s, src), "@@") {
			t.Errorf("mutant %d (%s): empty diff", i+1, s.ID)
		}
	}
}

func siteDiff(t *testing.T, s Site, src []byte) string {
	d, err := s.Diff(NewSource(src))
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func (g *golden) compare(t *testing.T, got []txtar.File) {
	want := map[string][]byte{}
	for _, f := range g.ar.Files {
		if generated[f.Name] || strings.HasPrefix(f.Name, "want/") {
			want[f.Name] = f.Data
		}
	}
	for _, f := range got {
		w, ok := want[f.Name]
		delete(want, f.Name)
		if !ok && len(f.Data) == 0 {
			continue
		}
		if !bytes.Equal(withNL(f.Data), w) {
			t.Errorf("%s differs (run with -update)\n%s", f.Name, Diff(f.Name, w, withNL(f.Data)))
		}
	}
	for name := range want {
		t.Errorf("%s: no such site any more (run with -update)", name)
	}
}

func (g *golden) rewrite(t *testing.T, file string, got []txtar.File) {
	ar := &txtar.Archive{Comment: g.ar.Comment}
	for _, f := range g.ar.Files {
		if !generated[f.Name] && !strings.HasPrefix(f.Name, "want/") {
			ar.Files = append(ar.Files, f)
		}
	}
	for _, f := range got {
		if len(f.Data) > 0 || path.Base(f.Name) == "sites" {
			ar.Files = append(ar.Files, txtar.File{Name: f.Name, Data: withNL(f.Data)})
		}
	}
	if err := os.WriteFile(file, txtar.Format(ar), 0o644); err != nil {
		t.Fatal(err)
	}
}

func withNL(b []byte) []byte {
	if len(b) > 0 && b[len(b)-1] != '\n' {
		return append(bytes.Clone(b), '\n')
	}
	return b
}

// TestGoldenCompat runs the goldens with sites.py's fallbacks for Pythons without
// ast.unparse and keyword positions (3.8), forced on the current interpreter.
func TestGoldenCompat(t *testing.T) {
	if *update {
		t.Skip("not with -update")
	}
	t.Setenv("TEETH_SITES_COMPAT", "1")
	for _, file := range goldenFiles(t) {
		t.Run(strings.TrimSuffix(filepath.Base(file), ".txtar"), func(t *testing.T) {
			g := loadGolden(t, file)
			g.compare(t, g.run(t, g.interpreter(t)))
		})
	}
}
