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
	return filepath.WalkDir(start, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := relSlash(root, p)
		if err != nil {
			return err
		}
		if d.IsDir() {
			if p != start && (skipDir(p, d.Name()) || excluded(rel, exclude)) {
				return filepath.SkipDir
			}
			return nil
		}
		if strings.HasSuffix(d.Name(), ".py") && isFile(p, d) {
			add(rel)
		}
		return nil
	})
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
