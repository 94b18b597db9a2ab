package scripts

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
	"testing/fstest"
)

// TestRunModules runs a helper whose modules import each other through the
// bootstrap: each module is importable by name once loaded, runs under
// "teeth:NAME" (tracebacks name it), the helper runs as __main__ with its
// arguments and the JSON input after the sources on stdin, and nothing is
// written to the working or temporary directory.
func TestRunModules(t *testing.T) {
	fsys := fstest.MapFS{
		"low.py":  {Data: []byte("BASE = 40\n")},
		"mid.py":  {Data: []byte("from low import BASE\n\n\ndef answer():\n    return BASE + 2\n\n\ndef fail():\n    raise ValueError('from mid')\n")},
		"main.py": {Data: []byte(mainPy)},
	}
	mods := map[string][]string{"main.py": {"low.py", "mid.py"}}
	dir, tmp := t.TempDir(), t.TempDir()
	t.Setenv("TMPDIR", tmp)
	var got map[string]any
	err := run(context.Background(), fsys, mods, []string{"python3"}, "main.py", dir, []string{"arg"}, map[string]int{"n": 1}, &got)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]any{
		"answer": 42.0, "in": map[string]any{"n": 1.0}, "argv": []any{"-c", "arg"}, "name": "__main__",
		"file": "teeth:main.py", "mid": "teeth:mid.py", "modules": []any{"low", "mid"},
		"globals": []any{"__builtins__", "__doc__", "__name__", "json", "low", "mid", "sys"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got  %v\nwant %v", got, want)
	}
	err = run(context.Background(), fsys, mods, []string{"python3"}, "main.py", dir, []string{"fail"}, nil, &got)
	if err == nil || !strings.Contains(err.Error(), `File "teeth:mid.py", line 9, in fail`) || !strings.Contains(err.Error(), "ValueError: from mid") {
		t.Errorf("a module's traceback: %v", err)
	}
	for _, d := range []string{dir, tmp} {
		if names, _ := os.ReadDir(d); len(names) != 0 {
			t.Errorf("%s holds %v", d, names)
		}
	}
}

// mainPy reports what the bootstrap made of it and its modules.
const mainPy = `import json
import sys

import low
import mid

if sys.argv[1:] == ["fail"]:
    mid.fail()
names = sorted(k for k in globals() if not k.startswith("__") or k in ("__builtins__", "__doc__", "__name__"))
json.dump({
    "answer": mid.answer(), "in": json.load(sys.stdin), "argv": sys.argv, "name": __name__,
    "file": sys._getframe().f_code.co_filename, "mid": mid.answer.__code__.co_filename,
    "modules": sorted(m for m in ("low", "mid") if sys.modules.get(m) is not None), "globals": names,
}, sys.stdout)
`

// TestRunNoModules: a helper without modules gets the one-line bootstrap it
// always had.
func TestRunNoModules(t *testing.T) {
	fsys := fstest.MapFS{"one.py": {Data: []byte("print(1)\n")}}
	boot, script, err := program(fsys, "one.py", nil)
	if err != nil {
		t.Fatal(err)
	}
	if want := `import sys; exec(compile(sys.stdin.buffer.read(9), "teeth:one.py", 'exec'))`; boot != want {
		t.Errorf("bootstrap %q, want %q", boot, want)
	}
	if string(script) != "print(1)\n" {
		t.Errorf("script %q", script)
	}
}

// TestHelpersRun runs each embedded helper Run serves on a small input, on
// python3 and, when "make venv" made it, the example's interpreter: its
// modules load, in an order where each finds the ones it imports.
func TestHelpersRun(t *testing.T) {
	root := t.TempDir()
	src := "import asyncio\n\n\nasync def f(p):\n    return await asyncio.to_thread(p.read)\n"
	if err := os.WriteFile(filepath.Join(root, "m.py"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, "conftest.py"), []byte("from blockbuster import BlockBuster\n\nGATE = BlockBuster(scanned_modules=['m'])\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for _, python := range testPythons(false) {
		py := []string{python}
		var sites struct {
			Files []struct {
				Sites []struct{ Callee string }
			}
		}
		if err := Run(ctx, py, "sites.py", root, []string{"sites"}, map[string]any{"root": root, "files": []string{"m.py"}}, &sites); err != nil {
			t.Errorf("%s sites.py: %v", py, err)
		} else if len(sites.Files) != 1 || len(sites.Files[0].Sites) != 1 || sites.Files[0].Sites[0].Callee != "p.read" {
			t.Errorf("%s sites.py: %+v", py, sites)
		}
		var compiled []any
		if err := Run(ctx, py, "sites.py", root, []string{"compile"}, []map[string]string{{"source": "x = ("}}, &compiled); err != nil || len(compiled) != 1 || compiled[0] == nil {
			t.Errorf("%s sites.py compile: %v %v", py, err, compiled)
		}
		var gates struct {
			Gates []struct{ Modules []string }
		}
		if err := Run(ctx, py, "gate.py", root, nil, map[string]any{"dir": root, "conftests": []string{"conftest.py"}}, &gates); err != nil {
			t.Errorf("%s gate.py: %v", py, err)
		} else if len(gates.Gates) != 1 || !reflect.DeepEqual(gates.Gates[0].Modules, []string{"m"}) {
			t.Errorf("%s gate.py: %+v", py, gates)
		}
		var symbols []struct{ Path string }
		if err := Run(ctx, py, "symbols.py", root, nil, map[string]any{"root": root, "files": []string{"m.py"}}, &symbols); err != nil || len(symbols) != 1 {
			t.Errorf("%s symbols.py: %v %v", py, err, symbols)
		}
	}
}

// TestEveryHelperListed: each embedded Python file is a plugin file, a helper
// Run serves, or a module of one, and each module listed is embedded.
func TestEveryHelperListed(t *testing.T) {
	listed := map[string]bool{"sites.py": true, "gate.py": true, "symbols.py": true}
	for _, name := range PluginFiles {
		listed[name] = true
	}
	for helper, mods := range modules {
		if !listed[helper] {
			t.Errorf("modules names %s, which no Go code runs", helper)
		}
		for _, m := range mods {
			if _, err := fs.Stat(FS, m); err != nil {
				t.Errorf("%s's module %s: %v", helper, m, err)
			}
			listed[m] = true
		}
	}
	names, err := fs.Glob(FS, "*.py")
	if err != nil {
		t.Fatal(err)
	}
	var stray []string
	for _, n := range names {
		if !listed[n] {
			stray = append(stray, n)
		}
	}
	sort.Strings(stray)
	if len(stray) > 0 {
		t.Errorf("embedded but neither a plugin file, a helper nor a helper's module: %v", stray)
	}
}
