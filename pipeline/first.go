package pipeline

import (
	"io/fs"
	"maps"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"github.com/teethtool/teeth/config"
	"github.com/teethtool/teeth/internal/regfile"
	"github.com/teethtool/teeth/mutate"
)

// maxGuessBytes bounds what firstFiles reads of one test file.
const maxGuessBytes = 1 << 20

// firstFiles are the anchor test files whose baseline runs first: those
// likely to reach an offload site, so that the mutants start while the rest
// of the baseline runs (on a suite where most tests reach no site, they
// would otherwise wait for all of it). A file is likely when the outcome
// cache holds outcomes of its tests (cached: their node ids), or when its
// text names a module that holds a site (its dotted name) or the function
// or class a site is in. It is a guess that orders the baseline, never one
// that decides anything: every test runs, and reach is what the baseline
// records. Paths are slash paths relative to the project.
func firstFiles(c *config.Config, sites []mutate.Site, cached []string) []string {
	first := map[string]bool{}
	for _, id := range cached {
		file, _, _ := strings.Cut(id, "::")
		first[file] = true
	}
	names := siteNames(c.SourceRoots, sites)
	for _, file := range testFiles(c.Dir, c.Anchors) {
		if first[file] || names == nil {
			continue
		}
		data, err := regfile.Read(filepath.Join(c.Dir, filepath.FromSlash(file)), maxGuessBytes)
		if err == nil && names.Match(data) {
			first[file] = true
		}
	}
	return slices.Sorted(maps.Keys(first))
}

// siteNames matches the names a test that reaches a site is likely to
// spell: the dotted name of each module holding a site, and the function
// or class each site is in (as a whole word); nil when there is none.
func siteNames(roots []string, sites []mutate.Site) *regexp.Regexp {
	seen := map[string]bool{}
	var alts []string
	add := func(s string, word bool) {
		if s == "" || seen[s] {
			return
		}
		seen[s] = true
		q := regexp.QuoteMeta(s)
		if word {
			q = `\b` + q + `\b`
		}
		alts = append(alts, q)
	}
	for _, s := range sites {
		add(moduleName(roots, s.Path), false)
		if top, _, _ := strings.Cut(s.Function, "."); len(top) >= 4 && !strings.HasPrefix(top, "<") {
			add(top, true)
		}
	}
	if len(alts) == 0 {
		return nil
	}
	return regexp.MustCompile(strings.Join(alts, "|"))
}

// moduleName is the dotted name of the module at file (a slash path of the
// project) as its source root's parent directory imports it.
func moduleName(roots []string, file string) string {
	root := ""
	for _, r := range roots {
		r = strings.TrimSuffix(path.Clean(r), "/")
		if strings.HasPrefix(file, r+"/") && len(r) > len(root) {
			root = r
		}
	}
	if root == "" {
		return ""
	}
	rel := strings.TrimSuffix(path.Join(path.Base(root), strings.TrimPrefix(file, root+"/")), ".py")
	rel = strings.TrimSuffix(rel, "/__init__")
	return strings.ReplaceAll(rel, "/", ".")
}

// testFiles are the Python test files the anchors name: the files under
// anchor directories that pytest collects by default (test_*.py,
// *_test.py), anchor files, and the files of anchor node ids.
func testFiles(dir string, anchors []string) []string {
	var out []string
	for _, a := range anchors {
		file, _, _ := strings.Cut(a, "::")
		full := filepath.Join(dir, filepath.FromSlash(file))
		info, err := os.Stat(full)
		if err != nil {
			continue
		}
		if !info.IsDir() {
			out = append(out, path.Clean(filepath.ToSlash(file)))
			continue
		}
		_ = filepath.WalkDir(full, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return nil
			}
			name := d.Name()
			if d.IsDir() {
				if p != full && (strings.HasPrefix(name, ".") || name == "__pycache__" || name == "node_modules" || name == "venv") {
					return filepath.SkipDir
				}
				return nil
			}
			if strings.HasSuffix(name, ".py") && (strings.HasPrefix(name, "test_") || strings.HasSuffix(name, "_test.py")) {
				if rel, err := filepath.Rel(dir, p); err == nil {
					out = append(out, filepath.ToSlash(rel))
				}
			}
			return nil
		})
	}
	return out
}
