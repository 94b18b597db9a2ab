package pyimport

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// tree writes files (slash paths; content after "=" or empty) under a new temp dir.
func tree(t *testing.T, files ...string) string {
	t.Helper()
	dir := t.TempDir()
	for _, f := range files {
		name, content, _ := strings.Cut(f, "=")
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestNames(t *testing.T) {
	dir := tree(t,
		// PEP 420: no __init__.py anywhere under svc.
		"svc/utils/file_io.py", "svc/handlers/notes.py",
		// regular packages, one of them a uv workspace member's library.
		"app/__init__.py", "app/api/__init__.py", "app/api/routes.py",
		"packages/storekit/storekit/__init__.py", "packages/storekit/storekit/blobs.py",
		// a src layout, its package without __init__.py.
		"src/mypkg/core/io.py",
		// not importable: a directory that is no identifier.
		"tools/my-scripts/run.py",
	)
	n := NewNamer(Paths(dir, []string{"svc", "app", "packages/storekit/storekit", "src/mypkg", "tools/my-scripts"}))
	cases := []struct {
		file  string
		names []string
		pkg   bool
	}{
		{"svc/utils/file_io.py", []string{"svc.utils.file_io"}, false},
		{"svc/handlers/notes.py", []string{"svc.handlers.notes"}, false},
		{"app/api/routes.py", []string{"app.api.routes"}, false},
		{"app/api/__init__.py", []string{"app.api"}, true},
		{"app/__init__.py", []string{"app"}, true},
		{"packages/storekit/storekit/blobs.py", []string{"storekit.blobs", "packages.storekit.storekit.blobs"}, false},
		{"src/mypkg/core/io.py", []string{"mypkg.core.io", "src.mypkg.core.io"}, false},
		{"tools/my-scripts/run.py", []string{"run"}, false},
	}
	for _, c := range cases {
		names, pkg := n.Names(filepath.Join(dir, filepath.FromSlash(c.file)))
		if !reflect.DeepEqual(names, c.names) || pkg != c.pkg {
			t.Errorf("Names(%s) = %q, %v; want %q, %v", c.file, names, pkg, c.names, c.pkg)
		}
	}
}

func TestNamesNeverSplitARegularPackage(t *testing.T) {
	// source root app/services: its parent app is on sys.path, but app is a
	// regular package, so its modules are named from the project directory.
	dir := tree(t, "app/__init__.py", "app/services/__init__.py", "app/services/mail.py")
	n := NewNamer(Paths(dir, []string{"app/services"}))
	if names, _ := n.Names(filepath.Join(dir, "app", "services", "mail.py")); !reflect.DeepEqual(names, []string{"app.services.mail"}) {
		t.Fatalf("names = %q", names)
	}
	// Without any usable entry, the chain of regular packages names it.
	n = NewNamer(nil)
	if names, _ := n.Names(filepath.Join(dir, "app", "services", "mail.py")); !reflect.DeepEqual(names, []string{"app.services.mail"}) {
		t.Fatalf("names without entries = %q", names)
	}
}

func TestPathsFromPytestConfig(t *testing.T) {
	cases := []struct {
		name  string
		files []string
		want  []string
	}{
		{"ini options", []string{"pyproject.toml=[tool.pytest.ini_options]\npythonpath = [\"src\", \"lib\"]\n"}, []string{"src", "lib"}},
		{"ini options string", []string{"pyproject.toml=[tool.pytest.ini_options]\npythonpath = \"src 'my lib'\"\n"}, []string{"src", "my lib"}},
		{"toml mode", []string{"pyproject.toml=[tool.pytest]\npythonpath = [\"src\"]\n"}, []string{"src"}},
		{"pytest.toml", []string{"pytest.toml=[pytest]\npythonpath = [\"lib\"]\n", "pyproject.toml=[tool.pytest.ini_options]\npythonpath = [\"src\"]\n"}, []string{"lib"}},
		{"pytest.ini wins even empty", []string{"pytest.ini=", "pyproject.toml=[tool.pytest.ini_options]\npythonpath = [\"src\"]\n"}, nil},
		{"pytest.ini continued", []string{"pytest.ini=[pytest]\npythonpath =\n    src\n    lib\naddopts = -q\n"}, []string{"src", "lib"}},
		{"tox.ini", []string{"tox.ini=[tox]\nenvlist = py312\n[pytest]\npythonpath: src\n"}, []string{"src"}},
		{"setup.cfg", []string{"setup.cfg=[metadata]\nname = x\n[tool:pytest]\npythonpath = src\n"}, []string{"src"}},
		{"no pytest section", []string{"pyproject.toml=[project]\nname = \"x\"\n", "tox.ini=[tox]\n"}, nil},
		{"parent directory", []string{"pyproject.toml=[tool.pytest.ini_options]\npythonpath = [\"svc/src\"]\n", "svc/.keep="}, []string{"svc/src"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := tree(t, c.files...)
			start := dir
			if c.name == "parent directory" {
				start = filepath.Join(dir, "svc")
			}
			var want []string
			for _, w := range c.want {
				want = append(want, filepath.Join(dir, filepath.FromSlash(w)))
			}
			if got := PytestPythonpath(start); !reflect.DeepEqual(got, want) {
				t.Fatalf("pythonpath = %q, want %q", got, want)
			}
		})
	}
}

func TestPathsOrder(t *testing.T) {
	dir := tree(t, "pyproject.toml=[tool.pytest.ini_options]\npythonpath = [\".\", \"src\"]\n")
	got := Paths(dir, []string{"src/pkg", "app", ".", "src/other"})
	want := []string{filepath.Join(dir, "src"), dir}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("paths = %q, want %q", got, want)
	}
}

func TestIdentifier(t *testing.T) {
	for s, want := range map[string]bool{"app": true, "_x1": true, "Ünïcode": true, "1abc": false, "my-pkg": false, "a.b": false, "": false} {
		if Identifier(s) != want {
			t.Errorf("Identifier(%q) = %v", s, !want)
		}
	}
}

func TestAncestorEntries(t *testing.T) {
	dir := tree(t, "packages/billing/src/acme/billing/__init__.py", "packages/ledger/src/ledger/__init__.py", "app/__init__.py")
	sysPath := []string{
		"/usr/lib/python3.12",
		filepath.Join(dir, "packages/billing/src"), // editable member, namespace package acme inside
		filepath.Join(dir, "packages/ledger/src"),  // the ledger root's parent: already first on PYTHONPATH
		filepath.Join(dir, "app"),                  // the root itself: importing through it names modules wrongly
		filepath.Join(dir, ".venv/lib/python3.12/site-packages"),
		"relative/entry",
	}
	roots := []string{"packages/billing/src/acme/billing", "packages/ledger/src/ledger", "app"}
	got := AncestorEntries(dir, roots, sysPath)
	if want := []string{"packages/billing/src"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("AncestorEntries = %v, want %v", got, want)
	}
}

func TestConftestsOnPath(t *testing.T) {
	got := Conftests("tests/blocking_io/test_x.py")
	want := []string{"conftest.py", "tests/conftest.py", "tests/blocking_io/conftest.py"}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %v, want %v", got, want)
	}
}

func TestIsTestModule(t *testing.T) {
	for name, want := range map[string]bool{
		"tests/test_x.py": true, "x_test.py": true, "conftest.py": false, "tests/helpers.py": false, "test_data.txt": false,
	} {
		if got := IsTestModule(name); got != want {
			t.Errorf("IsTestModule(%q) = %v, want %v", name, got, want)
		}
	}
}
