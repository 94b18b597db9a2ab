package tempdir

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"sync"
	"testing"
)

// mark makes a directory under TMPDIR as Make would, marked with o.
func mark(t *testing.T, name string, o owner) string {
	t.Helper()
	dir := filepath.Join(os.TempDir(), name)
	if err := os.MkdirAll(filepath.Join(dir, "w0", "project", "app"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, markName), []byte(o.String()+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

// exited returns the owner of a real process that has exited.
func exited(t *testing.T) owner {
	t.Helper()
	cmd := exec.Command("true")
	if err := cmd.Run(); err != nil {
		t.Fatal(err)
	}
	return owner{pid: cmd.Process.Pid}
}

// running starts a real process for the test's lifetime and returns its owner.
func running(t *testing.T) owner {
	t.Helper()
	cmd := exec.Command("sleep", "60")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	return owner{pid: cmd.Process.Pid, start: startTime(cmd.Process.Pid)}
}

func exists(path string) bool {
	_, err := os.Lstat(path)
	return err == nil
}

func TestReclaimRemovesOnlyTheDirectoriesOfDeadOwners(t *testing.T) {
	t.Setenv("TMPDIR", t.TempDir())
	mine, err := Make("")
	if err != nil {
		t.Fatal(err)
	}
	live := running(t)
	reused := live
	reused.start = "1@another-boot" // the pid now belongs to another process
	dead := mark(t, "teeth-dead", exited(t))
	readOnly := mark(t, "teeth-readonly", exited(t))
	if err := os.Chmod(filepath.Join(readOnly, "w0", "project"), 0o555); err != nil {
		t.Fatal(err)
	}
	keep := []string{
		mine,
		mark(t, "teeth-live", live),
		mark(t, "teeth-reclaiming"+reclaimTag+fmt.Sprint(live.pid), exited(t)), // a live run is removing it
	}
	unmarked := filepath.Join(os.TempDir(), "teeth-unmarked") // made by an older teeth, or being made
	if err := os.MkdirAll(unmarked, 0o755); err != nil {
		t.Fatal(err)
	}
	keep = append(keep, unmarked)
	gone := []string{dead, readOnly, mark(t, "teeth-reused", reused),
		mark(t, "teeth-abandoned"+reclaimTag+fmt.Sprint(exited(t).pid), exited(t))} // its reclaimer died too

	removed, err := Reclaim()
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(removed)
	slices.Sort(gone)
	if !slices.Equal(removed, gone) {
		t.Errorf("removed %v\nwant    %v", removed, gone)
	}
	for _, dir := range keep {
		if !exists(dir) {
			t.Errorf("%s was removed", dir)
		}
	}
	entries, _ := os.ReadDir(os.TempDir())
	if len(entries) != len(keep) {
		t.Errorf("left %d entries in TMPDIR, want the %d kept", len(entries), len(keep))
	}
	if err := Remove(mine); err != nil || exists(mine) {
		t.Fatalf("Remove(%s): %v", mine, err)
	}
}

func TestConcurrentReclaimsRemoveEachDirectoryOnce(t *testing.T) {
	t.Setenv("TMPDIR", t.TempDir())
	var want []string
	for i := range 20 {
		want = append(want, mark(t, fmt.Sprintf("teeth-%d", i), exited(t)))
	}
	var mu sync.Mutex
	var all []string
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			removed, err := Reclaim()
			if err != nil {
				t.Error(err)
			}
			mu.Lock()
			all = append(all, removed...)
			mu.Unlock()
		})
	}
	wg.Wait()
	slices.Sort(all)
	slices.Sort(want)
	if !slices.Equal(all, want) {
		t.Fatalf("removed %v\nwant each of %v once", all, want)
	}
}

func TestMakeMarksTheDirectoryWithThisProcess(t *testing.T) {
	t.Setenv("TMPDIR", t.TempDir())
	dir, err := Make("changed-")
	if err != nil {
		t.Fatal(err)
	}
	if filepath.Dir(dir) != os.TempDir() || !filepath.IsAbs(dir) || filepath.Base(dir)[:14] != "teeth-changed-" {
		t.Fatalf("made %s", dir)
	}
	o, ok := readMark(dir)
	if !ok || o != self() || !o.running() || (runtime.GOOS == "linux" && o.start == "") {
		t.Fatalf("mark %+v (ok %v), want this process %+v with its start time", o, ok, self())
	}
}
