package runner

import (
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
)

func symlink(t *testing.T, target, link string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(link), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
}

// oddProject is a project with every kind of entry a plain copy trips on.
func oddProject(t *testing.T) (src, outside string) {
	t.Helper()
	root, err := filepath.EvalSymlinks(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	src, outside = filepath.Join(root, "proj"), filepath.Join(root, "outside")
	write(t, filepath.Join(src, "app", "store.py"), "store")
	write(t, filepath.Join(src, "tests", "a", "test_a.py"), "a")
	write(t, filepath.Join(src, "tests", "c", "test_c.py"), "c")
	write(t, filepath.Join(outside, "data.txt"), "outside")
	write(t, filepath.Join(outside, "pkg", "mod.py"), "outside module")
	symlink(t, "loopB", filepath.Join(src, "data", "loopA"))
	symlink(t, "loopA", filepath.Join(src, "data", "loopB"))
	symlink(t, "missing", filepath.Join(src, "data", "dangling"))
	symlink(t, "..", filepath.Join(src, "tests", "a", "up"))        // back into its own parents
	symlink(t, "../c", filepath.Join(src, "tests", "a", "to_c"))    // a -> c ...
	symlink(t, "../a", filepath.Join(src, "tests", "c", "to_a"))    // ... and c -> a: a cycle of two
	symlink(t, "../app", filepath.Join(src, "tests", "app"))        // inside, no cycle
	symlink(t, "../outside", filepath.Join(src, "shared"))          // out of the project, relative
	symlink(t, outside+"/data.txt", filepath.Join(src, "data.txt")) // out of the project, absolute
	symlink(t, src+"/app/store.py", filepath.Join(src, "app", "legacy.py"))
	symlink(t, outside+"/pkg", filepath.Join(src, "lib"))
	if err := syscall.Mkfifo(filepath.Join(src, "ctl.fifo"), 0o644); err != nil {
		t.Fatal(err)
	}
	l, err := net.ListenUnix("unix", &net.UnixAddr{Name: filepath.Join(src, "app.sock"), Net: "unix"})
	if err != nil {
		t.Fatal(err)
	}
	l.SetUnlinkOnClose(false)
	l.Close()
	return src, outside
}

func TestScanTreeClassifiesOddEntries(t *testing.T) {
	src, _ := oddProject(t)
	tree, err := ScanTree(src, "", []string{"app"})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"3 symlinks in the project lead nowhere (a loop or a missing target); they are copied as they are: data/dangling, data/loopA, data/loopB",
		"3 symlinks point outside the project; the sandboxes link to the same targets: data.txt -> " + filepath.Dir(src) + "/outside/data.txt, lib -> " + filepath.Dir(src) + "/outside/pkg, shared -> ../outside",
		"3 symlinked directories lead back into directories that hold them; pytest is told to ignore them: tests/a/to_c -> ../c, tests/a/up -> .., tests/c/to_a -> ../a",
		"1 FIFO in the project is copied as a new, empty FIFO (never opened): ctl.fifo",
		"1 socket in the project is not copied into the sandboxes: app.sock",
	}
	if !slices.Equal(tree.Notes, want) {
		t.Errorf("notes:\n%s\nwant:\n%s", strings.Join(tree.Notes, "\n"), strings.Join(want, "\n"))
	}
	if got := strings.Join(tree.IgnoreArgs(), " "); got != "--ignore=tests/a/to_c --ignore=tests/a/up --ignore=tests/c/to_a" {
		t.Errorf("ignore args %q", got)
	}
}

func TestSandboxOfAnOddTree(t *testing.T) {
	src, outside := oddProject(t)
	symlink(t, "../../outside/pkg", filepath.Join(src, "pkgs", "shared")) // a source root through a symlink
	tree, err := ScanTree(src, "", []string{"app", "pkgs/shared"})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(strings.Join(tree.Notes, "\n"), "pkgs/shared") {
		t.Errorf("the symlinked source root is in the notes: %v", tree.Notes)
	}
	sb, err := NewSandbox(src, filepath.Join(t.TempDir(), "copy"), "", tree)
	if err != nil {
		t.Fatal(err)
	}
	mode := func(rel string) os.FileMode {
		info, err := os.Lstat(filepath.Join(sb.Dir, rel))
		if err != nil {
			return 0
		}
		return info.Mode()
	}
	if mode("ctl.fifo")&os.ModeNamedPipe == 0 || mode("app.sock") != 0 {
		t.Errorf("ctl.fifo %v, app.sock %v: want a FIFO and nothing", mode("ctl.fifo"), mode("app.sock"))
	}
	for rel, want := range map[string]string{
		"shared": outside, "data.txt": outside + "/data.txt", "lib": outside + "/pkg",
		"app/legacy.py": "store.py", "data/loopA": "loopB", "tests/a/up": "..",
	} {
		if got, err := os.Readlink(filepath.Join(sb.Dir, rel)); err != nil || got != want {
			t.Errorf("%s -> %q (%v), want -> %q", rel, got, err, want)
		}
	}
	if !mode("pkgs/shared").IsDir() {
		t.Errorf("the symlinked source root pkgs/shared is %v in the sandbox, want a directory of its own", mode("pkgs/shared"))
	}
	// Mutants never reach a file outside the sandbox.
	for _, rel := range []string{"app/legacy.py", "pkgs/shared/mod.py"} {
		if err := sb.Write(rel, []byte("mutant")); err != nil {
			t.Fatalf("writing %s: %v", rel, err)
		}
	}
	if err := sb.Write("lib/mod.py", []byte("mutant")); err == nil || !strings.Contains(err.Error(), "outside the sandbox through a symlink") {
		t.Errorf("writing through the symlink lib: %v", err)
	}
	for path, want := range map[string]string{
		filepath.Join(src, "app", "store.py"):   "store",
		filepath.Join(outside, "pkg", "mod.py"): "outside module",
	} {
		if data, _ := os.ReadFile(path); string(data) != want {
			t.Errorf("%s holds %q: a sandbox write reached it", path, data)
		}
	}
}
