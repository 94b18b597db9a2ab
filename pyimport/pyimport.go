// Package pyimport owns how teeth names a project's Python modules: the way
// Python imports them in teeth's runs, relative to the sys.path entries those
// runs have (each source root's parent directory, which teeth puts first on
// PYTHONPATH; the entries of pytest's pythonpath ini option; the project
// directory), with PEP 420 namespace packages (directories without
// __init__.py) as well as regular packages.
package pyimport

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"unicode"
)

// Paths returns the sys.path entries, as absolute cleaned paths, under which
// teeth's runs of the project in dir can import its modules: the parent
// directory of each source root (relative to dir) that lies inside dir, the
// entries of pytest's pythonpath option, and dir itself.
func Paths(dir string, sourceRoots []string) []string {
	dir = filepath.Clean(dir)
	var out []string
	add := func(p string) {
		if p = filepath.Clean(p); !slices.Contains(out, p) {
			out = append(out, p)
		}
	}
	for _, sr := range sourceRoots {
		parent := filepath.Dir(filepath.Join(dir, filepath.FromSlash(sr)))
		if within(dir, parent) {
			add(parent)
		}
	}
	for _, p := range PytestPythonpath(dir) {
		add(p)
	}
	add(dir)
	return out
}

// Namer names module files relative to a set of sys.path entries.
type Namer struct {
	paths []string
	isPkg map[string]bool // directory -> holds __init__.py
}

// NewNamer returns a Namer for the sys.path entries paths (absolute).
func NewNamer(paths []string) *Namer {
	n := &Namer{isPkg: map[string]bool{}}
	for _, p := range paths {
		n.paths = append(n.paths, filepath.Clean(p))
	}
	return n
}

// Names returns the dotted names under which Python can import file (an
// absolute path to a .py file), the one to report first, and whether file is
// a package's __init__.py (its name is then the package's). A name is taken
// relative to a sys.path entry that is not inside a regular package (a chain
// of directories holding __init__.py is never split: importing a module of
// a regular package by a shorter name would import it twice), through
// directories that are identifiers; the deepest such entry gives the first
// name (for ["src/mypkg"], mypkg.x rather than src.mypkg.x). When no entry
// fits, the name is the chain of regular packages alone, or none.
func (n *Namer) Names(file string) (names []string, pkg bool) {
	file = filepath.Clean(file)
	dir, base := filepath.Split(file)
	dir = filepath.Clean(dir)
	stem := strings.TrimSuffix(base, ".py")
	pkg = stem == "__init__"
	floor := n.floor(dir)
	var entries []string
	for _, p := range n.paths {
		if within(p, floor) {
			entries = append(entries, p)
		}
	}
	slices.SortStableFunc(entries, func(a, b string) int { return len(b) - len(a) })
	for _, e := range entries {
		if name, ok := dotted(e, dir, stem, pkg); ok && !slices.Contains(names, name) {
			names = append(names, name)
		}
	}
	if len(names) == 0 {
		if name, ok := dotted(floor, dir, stem, pkg); ok {
			names = append(names, name)
		}
	}
	return names, pkg
}

// floor is the directory above the chain of regular packages that holds dir
// (dir itself when dir holds no __init__.py).
func (n *Namer) floor(dir string) string {
	for n.regular(dir) {
		parent := filepath.Dir(dir)
		if parent == dir {
			break
		}
		dir = parent
	}
	return dir
}

func (n *Namer) regular(dir string) bool {
	is, ok := n.isPkg[dir]
	if !ok {
		info, err := os.Stat(filepath.Join(dir, "__init__.py"))
		is = err == nil && info.Mode().IsRegular()
		n.isPkg[dir] = is
	}
	return is
}

// dotted is the module name of stem in dir relative to entry, if every part
// is an identifier.
func dotted(entry, dir, stem string, pkg bool) (string, bool) {
	rel, err := filepath.Rel(entry, dir)
	if err != nil {
		return "", false
	}
	var parts []string
	if rel != "." {
		parts = strings.Split(filepath.ToSlash(rel), "/")
	}
	if !pkg {
		parts = append(parts, stem)
	}
	if len(parts) == 0 {
		return "", false
	}
	for _, p := range parts {
		if !Identifier(p) {
			return "", false
		}
	}
	return strings.Join(parts, "."), true
}

// Identifier reports whether s is a Python identifier (PEP 3131, without the
// NFKC normalisation).
func Identifier(s string) bool {
	if s == "" {
		return false
	}
	for i, r := range s {
		ok := r == '_' || unicode.IsLetter(r) || unicode.Is(unicode.Nl, r)
		if i > 0 {
			ok = ok || unicode.IsDigit(r) || unicode.In(r, unicode.Mn, unicode.Mc, unicode.Nd, unicode.Pc)
		}
		if !ok {
			return false
		}
	}
	return true
}

// within reports whether p is dir or lies under it.
func within(dir, p string) bool {
	rel, err := filepath.Rel(dir, p)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) && !filepath.IsAbs(rel)
}

// AncestorEntries returns, as slash paths relative to dir, the entries of
// sysPath (the project interpreter's sys.path: editable installs' .pth
// entries, PYTHONPATH) that lie inside dir and strictly above some source
// root: the entries a source root is imported through when its parent is
// not one, as for a package inside a PEP 420 namespace package
// (src/acme/billing imported as acme.billing through src). Their sandbox
// copies must come first on PYTHONPATH for the sandbox to win.
func AncestorEntries(dir string, sourceRoots, sysPath []string) []string {
	dir = filepath.Clean(dir)
	var out []string
	for _, e := range sysPath {
		if e == "" || !filepath.IsAbs(e) {
			continue
		}
		e = filepath.Clean(e)
		if real, err := filepath.EvalSymlinks(e); err == nil {
			e = real
		}
		rel, err := filepath.Rel(dir, e)
		if err != nil || !within(dir, e) {
			continue
		}
		for _, sr := range sourceRoots {
			root := filepath.Join(dir, filepath.FromSlash(sr))
			if within(e, root) && e != root && e != filepath.Dir(root) {
				if s := filepath.ToSlash(rel); !slices.Contains(out, s) {
					out = append(out, s)
				}
				break
			}
		}
	}
	return out
}
