// Package tempdir owns teeth's directories under the system temporary
// directory. Each one is marked with its owner: the pid and start time of
// the teeth process that made it. A teeth run killed too hard to clean up
// (SIGKILL, the OOM killer) leaves its directory behind; Reclaim, called by
// the next run, removes the directories whose owner is no longer running.
// A directory without a mark (being made, or made by an older teeth) and a
// directory whose owner still runs are never touched.
package tempdir

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// Prefix starts the name of every directory Make creates.
const Prefix = "teeth-"

// markName is the owner mark inside each directory.
const markName = ".teeth-owner"

// Make creates a directory Prefix+name+"*" under os.TempDir, marked as this
// process's, and returns its path free of symlinks.
func Make(name string) (string, error) {
	dir, err := os.MkdirTemp("", Prefix+name+"*")
	if err != nil {
		return "", err
	}
	if dir, err = filepath.EvalSymlinks(dir); err == nil {
		err = os.WriteFile(filepath.Join(dir, markName), []byte(self().String()+"\n"), 0o644)
	}
	if err != nil {
		os.RemoveAll(dir)
		return "", err
	}
	return dir, nil
}

// Reclaim removes the marked teeth directories under os.TempDir whose owner
// is gone, and returns their paths.
func Reclaim() ([]string, error) {
	dirs, err := filepath.Glob(filepath.Join(os.TempDir(), Prefix+"*"))
	if err != nil {
		return nil, err
	}
	me := self()
	var removed []string
	for _, dir := range dirs {
		o, ok := readMark(dir)
		if !ok || o == me || o.running() || reclaiming(dir) {
			continue
		}
		// Claim it first, so two runs reclaiming at once remove it once.
		claimed := dir
		if !strings.Contains(filepath.Base(dir), reclaimTag) {
			claimed = fmt.Sprintf("%s%s%d", dir, reclaimTag, me.pid)
			if os.Rename(dir, claimed) != nil {
				continue
			}
		}
		if err := Remove(claimed); err != nil {
			return removed, err
		}
		removed = append(removed, dir)
	}
	return removed, nil
}

// reclaimTag and a pid end the name of a directory being reclaimed.
const reclaimTag = ".reclaim-"

// reclaiming reports whether a live teeth process is reclaiming dir.
func reclaiming(dir string) bool {
	_, pid, ok := strings.Cut(filepath.Base(dir), reclaimTag)
	n, err := strconv.Atoi(pid)
	return ok && err == nil && alive(n)
}

// owner identifies a process across pid reuse: its pid, its start time
// and the boot it started in (empty where the system does not say).
type owner struct {
	pid   int
	start string
}

func (o owner) String() string { return strconv.Itoa(o.pid) + " " + o.start }

func self() owner { return owner{pid: os.Getpid(), start: startTime(os.Getpid())} }

// running reports whether the owner still runs: a live process with its
// pid and start time.
func (o owner) running() bool {
	st := startTime(o.pid)
	return alive(o.pid) && (o.start == "" || st == "" || st == o.start)
}

// readMark reads a directory's owner mark; false if it has none (or is no
// directory of this user's).
func readMark(dir string) (owner, bool) {
	data, err := os.ReadFile(filepath.Join(dir, markName))
	if err != nil {
		return owner{}, false
	}
	pid, start, _ := strings.Cut(strings.TrimSpace(string(data)), " ")
	n, err := strconv.Atoi(pid)
	if err != nil || n <= 0 {
		return owner{}, false
	}
	return owner{pid: n, start: start}, true
}

// Remove removes a directory made by Make, its owner mark last, so that a
// removal cut short leaves a directory the next run still reclaims.
// Directories in it are made writable first: sandbox copies keep the
// project's modes.
func Remove(dir string) error {
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && d.IsDir() {
			os.Chmod(p, 0o700)
		}
		return nil
	})
	entries, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	for _, e := range entries {
		if e.Name() != markName {
			if err := os.RemoveAll(filepath.Join(dir, e.Name())); err != nil {
				return err
			}
		}
	}
	return os.RemoveAll(dir)
}
