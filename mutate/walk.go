package mutate

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"

	"github.com/teethtool/teeth/internal/hint"
)

// SourceFiles lists the *.py files under the source roots (skipping caches,
// hidden directories, virtualenvs and excluded paths) as sorted slash paths
// relative to root.
func SourceFiles(root string, sourceRoots, exclude []string) ([]string, error) {
	if err := checkPatterns(exclude); err != nil {
		return nil, err
	}
	if len(sourceRoots) == 0 {
		sourceRoots = []string{"."}
	}
	seen := map[string]bool{}
	add := func(rel string) {
		if !seen[rel] && !excluded(rel, exclude) {
			seen[rel] = true
		}
	}
	for _, sr := range sourceRoots {
		if err := walkRoot(root, sr, exclude, add); err != nil {
			return nil, err
		}
	}
	files := make([]string, 0, len(seen))
	for f := range seen {
		files = append(files, f)
	}
	sort.Strings(files)
	return files, nil
}

// walkRoot adds the *.py files of source root sr (relative to root). A root
// that is a symlink, or lies under one, inside the project or out of it, is
// walked where it leads, and its files are named by the root's path; one
// that leads into a directory holding it is refused, as the sandbox copy
// would hold itself, and so is a root with no Python file.
func walkRoot(root, sr string, exclude []string, add func(string)) error {
	start := filepath.Join(root, filepath.FromSlash(sr))
	rel, err := relSlash(root, start)
	if err != nil {
		return fmt.Errorf("source root %s: %w", sr, err)
	}
	info, err := os.Stat(start)
	if err != nil {
		return fmt.Errorf("source root %s: %w", sr, err)
	}
	if !info.IsDir() {
		if strings.HasSuffix(rel, ".py") {
			add(rel)
		}
		return nil
	}
	real, err := filepath.EvalSymlinks(start)
	if err != nil {
		return fmt.Errorf("source root %s: %w", sr, err)
	}
	if link, _ := filepath.EvalSymlinks(filepath.Dir(start)); real != start && within(link, real) {
		return hint.New(fmt.Sprintf("source root %s is a symlink into a directory that holds it (%s)", sr, real),
			"teeth copies a symlinked source root into its sandboxes as a directory, which would then hold itself: name the real package directory in source_roots")
	}
	found := 0
	err = filepath.WalkDir(real, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := relSlash(root, filepath.Join(start, strings.TrimPrefix(p, real)))
		if err != nil {
			return err
		}
		if d.IsDir() {
			if p != real && (skipDir(p, d.Name()) || excluded(rel, exclude)) {
				return filepath.SkipDir
			}
			return nil
		}
		if strings.HasSuffix(d.Name(), ".py") && isFile(p, d) {
			found++
			add(rel)
		}
		return nil
	})
	if err == nil && found == 0 {
		return hint.New("source root "+sr+" holds no Python file",
			"source_roots names package directories of .py files, e.g. app or src/mypkg: check the path (and exclude)")
	}
	return err
}

// within reports whether path is dir or lies under it.
func within(path, dir string) bool {
	return path == dir || strings.HasPrefix(path, dir+string(filepath.Separator))
}

func relSlash(root, p string) (string, error) {
	rel, err := filepath.Rel(root, p)
	if err != nil {
		return "", err
	}
	rel = filepath.ToSlash(rel)
	if rel == ".." || strings.HasPrefix(rel, "../") {
		return "", errors.New("outside the project")
	}
	return rel, nil
}

func skipDir(p, name string) bool {
	if name == "__pycache__" || strings.HasPrefix(name, ".") {
		return true
	}
	_, err := os.Stat(filepath.Join(p, "pyvenv.cfg"))
	return err == nil
}

func isFile(p string, d fs.DirEntry) bool {
	if d.Type().IsRegular() {
		return true
	}
	info, err := os.Stat(p)
	return err == nil && info.Mode().IsRegular()
}

func checkPatterns(patterns []string) error {
	for _, p := range patterns {
		if _, err := path.Match(cleanPattern(p), ""); err != nil {
			return fmt.Errorf("exclude %q: %w", p, err)
		}
	}
	return nil
}

func cleanPattern(p string) string {
	p = strings.TrimPrefix(filepath.ToSlash(p), "./")
	return strings.TrimSuffix(p, "/")
}

// excluded reports whether rel or one of its parent dirs matches a pattern, or
// rel lies under a plain (glob-free) pattern.
func excluded(rel string, patterns []string) bool {
	for _, raw := range patterns {
		p := cleanPattern(raw)
		if p == "" {
			continue
		}
		if !strings.ContainsAny(p, "*?[\\") && (rel == p || strings.HasPrefix(rel, p+"/")) {
			return true
		}
		for c := rel; c != "." && c != "/" && c != ""; c = path.Dir(c) {
			if ok, _ := path.Match(p, c); ok {
				return true
			}
		}
	}
	return false
}
