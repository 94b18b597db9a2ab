package scope

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"github.com/teethtool/teeth/audit"
	"github.com/teethtool/teeth/config"
	"github.com/teethtool/teeth/internal/hint"
	"github.com/teethtool/teeth/internal/tempdir"
	"github.com/teethtool/teeth/mutate"
	"github.com/teethtool/teeth/pyimport"
	"github.com/teethtool/teeth/report"
)

// Change is what --changed selects: the sites in code changed since the
// merge base, same-file async functions newly reached from it, and the
// anchors whose files changed.
type Change struct {
	report.Scope
	sites   map[string]bool // changed or newly reached site ids
	anchors map[string]bool // touched anchor files
}

// git runs git in dir and returns its trimmed output.
func git(dir string, args ...string) (string, error) {
	out, err := exec.Command("git", append([]string{"-C", dir}, args...)...).Output()
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return "", hint.New("git "+strings.Join(args, " ")+": "+strings.TrimSpace(string(ee.Stderr)),
			"--changed needs the project in a git work tree and a base ref that exists")
	}
	return strings.TrimSpace(string(out)), err
}

// Changed finds what changed in the project since the merge base with
// base: committed changes, and with dirty the uncommitted and untracked
// ones too.
func Changed(ctx context.Context, c *config.Config, base string, dirty bool, sites []mutate.Site) (*Change, error) {
	mb, err := git(c.Dir, "merge-base", base, "HEAD")
	if err != nil {
		return nil, err
	}
	top, err := git(c.Dir, "rev-parse", "--show-toplevel")
	if err != nil {
		return nil, err
	}
	prefix, _ := filepath.Rel(top, c.Dir)
	prefix = filepath.ToSlash(prefix)
	files, err := changedFiles(c.Dir, mb, dirty)
	if err != nil {
		return nil, err
	}
	sc := &Change{sites: map[string]bool{}, anchors: map[string]bool{}}
	sc.ChangedSites, sc.ReachedSites, sc.TouchedAnchorFiles = []string{}, []string{}, []string{}
	sc.Base, sc.MergeBase, sc.Dirty, sc.ChangedFiles = base, mb, dirty, files
	sources := sourceFilesOf(files, c.SourceRoots)
	changedFns, reached, err := changedFunctions(ctx, c, mb, prefix, sources, dirty)
	if err != nil {
		return nil, err
	}
	for _, s := range sites {
		outer, _, _ := strings.Cut(s.Function, ".<locals>.")
		key := s.Path + ":" + outer
		switch {
		case changedFns[key] || (outer == "<module>" && slices.Contains(sources, s.Path)):
			sc.sites[s.ID] = true
			sc.ChangedSites = append(sc.ChangedSites, s.ID)
		case reached[key]:
			sc.sites[s.ID] = true
			sc.ReachedSites = append(sc.ReachedSites, s.ID)
		}
	}
	for _, f := range files {
		if pyimport.IsTestModule(f) || path.Base(f) == "conftest.py" {
			sc.anchors[f] = true
			sc.TouchedAnchorFiles = append(sc.TouchedAnchorFiles, f)
		}
	}
	return sc, nil
}

// changedFiles lists files changed since mb, relative to dir: committed
// changes, plus with dirty the uncommitted and untracked ones.
func changedFiles(dir, mb string, dirty bool) ([]string, error) {
	args := []string{"diff", "--name-only", "--relative", mb, "HEAD"}
	if dirty {
		args = []string{"diff", "--name-only", "--relative", mb}
	}
	out, err := git(dir, args...)
	if err != nil {
		return nil, err
	}
	files := strings.Fields(out)
	if dirty {
		untracked, err := git(dir, "ls-files", "--others", "--exclude-standard")
		if err != nil {
			return nil, err
		}
		files = append(files, strings.Fields(untracked)...)
	}
	slices.Sort(files)
	return slices.Compact(files), nil
}

func sourceFilesOf(files, roots []string) []string {
	var out []string
	for _, f := range files {
		for _, r := range roots {
			if strings.HasSuffix(f, ".py") && strings.HasPrefix(f, strings.TrimSuffix(r, "/")+"/") {
				out = append(out, f)
				break
			}
		}
	}
	return out
}

// changedFunctions compares each changed source file's top-level functions
// (keyed "path:qualname") between the merge base and HEAD, or the working
// tree with dirty; reached holds the same-file async functions that changed
// code newly calls, transitively.
func changedFunctions(ctx context.Context, c *config.Config, mb, prefix string, files []string, dirty bool) (changed, reached map[string]bool, err error) {
	changed, reached = map[string]bool{}, map[string]bool{}
	if len(files) == 0 {
		return changed, reached, nil
	}
	tmp, err := tempdir.Make("changed-")
	if err != nil {
		return nil, nil, err
	}
	defer tempdir.Remove(tmp)
	thenDir, nowDir := filepath.Join(tmp, "base"), c.Dir
	if !dirty {
		nowDir = filepath.Join(tmp, "head")
	}
	thenFiles, err := checkout(c.Dir, mb, prefix, thenDir, files)
	if err != nil {
		return nil, nil, err
	}
	nowFiles := files
	if !dirty {
		if nowFiles, err = checkout(c.Dir, "HEAD", prefix, nowDir, files); err != nil {
			return nil, nil, err
		}
	}
	py := c.HelperPython()
	now, err := audit.BuildIndex(ctx, py, nowDir, nowFiles)
	if err != nil {
		return nil, nil, err
	}
	then, err := audit.BuildIndex(ctx, py, thenDir, thenFiles)
	if err != nil {
		return nil, nil, err
	}
	for _, f := range nowFiles {
		compareFile(nowDir, thenDir, f, now[f], then[f], changed, reached)
	}
	return changed, reached, nil
}

// checkout writes the files as they are at rev into dir and returns those
// that exist there.
func checkout(repo, rev, prefix, dir string, files []string) ([]string, error) {
	var present []string
	for _, f := range files {
		data, err := exec.Command("git", "-C", repo, "show", rev+":"+path.Join(prefix, f)).Output()
		if err != nil {
			continue // not in rev: every function in it is new (or deleted)
		}
		dst := filepath.Join(dir, filepath.FromSlash(f))
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			return nil, err
		}
		if err := os.WriteFile(dst, data, 0o644); err != nil {
			return nil, err
		}
		present = append(present, f)
	}
	return present, nil
}

func compareFile(dir, baseDir, f string, now, then *audit.File, changed, reached map[string]bool) {
	if now == nil {
		return
	}
	src, _ := os.ReadFile(filepath.Join(dir, filepath.FromSlash(f)))
	old, _ := os.ReadFile(filepath.Join(baseDir, filepath.FromSlash(f)))
	byName := map[string][]audit.Function{}
	for _, fn := range now.Functions {
		short := fn.Qualname[strings.LastIndexByte(fn.Qualname, '.')+1:]
		byName[short] = append(byName[short], fn)
	}
	var queue []audit.Function
	for _, fn := range now.Functions {
		if strings.Contains(fn.Qualname, "<locals>") {
			continue
		}
		var before *audit.Function
		if then != nil {
			before = audit.Index{f: then}.Function(f, fn.Qualname)
		}
		if before != nil && bytes.Equal(audit.Lines(src, fn.Line, fn.End), audit.Lines(old, before.Line, before.End)) {
			continue
		}
		changed[f+":"+fn.Qualname] = true
		for _, name := range newCalls(fn, before) {
			queue = append(queue, byName[name]...)
		}
	}
	for len(queue) > 0 {
		fn := queue[0]
		queue = queue[1:]
		key := f + ":" + fn.Qualname
		if !fn.Async || changed[key] || reached[key] || strings.Contains(fn.Qualname, "<locals>") {
			continue
		}
		reached[key] = true
		for _, name := range fn.Calls {
			queue = append(queue, byName[name]...)
		}
	}
}

// newCalls lists the names fn calls now that it did not call before.
func newCalls(fn audit.Function, before *audit.Function) []string {
	if before == nil {
		return fn.Calls
	}
	var out []string
	for _, c := range fn.Calls {
		if !slices.Contains(before.Calls, c) {
			out = append(out, c)
		}
	}
	return out
}

// Touched reports whether an anchor's file, or a conftest on its path, changed.
func (sc *Change) Touched(anchor string) bool {
	file, _, _ := strings.Cut(anchor, "::")
	if sc.anchors[file] {
		return true
	}
	for _, c := range pyimport.Conftests(file) {
		if sc.anchors[c] {
			return true
		}
	}
	return false
}

// Has reports whether the site is changed or newly reached.
func (sc *Change) Has(site string) bool { return sc.sites[site] }
