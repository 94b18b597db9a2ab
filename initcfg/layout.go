package initcfg

import (
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"github.com/BurntSushi/toml"

	"github.com/teethtool/teeth/pyimport"
)

// skipDirs are never searched for conftests or packages.
var skipDirs = map[string]bool{
	".git": true, ".hg": true, ".svn": true, "__pycache__": true, "node_modules": true,
	".pytest_cache": true, ".mypy_cache": true, ".ruff_cache": true, ".tox": true, ".nox": true,
	".venv": true, "venv": true, "build": true, "dist": true, "site-packages": true,
}

// pyproject is what teeth init reads from a pyproject.toml.
type pyproject struct {
	Tool struct {
		Pytest struct {
			Ini map[string]any `toml:"ini_options"`
		} `toml:"pytest"`
		UV struct {
			Workspace *struct {
				Members []string `toml:"members"`
				Exclude []string `toml:"exclude"`
			} `toml:"workspace"`
		} `toml:"uv"`
		Hatch struct {
			Build struct {
				Targets struct {
					Wheel struct {
						Packages []string `toml:"packages"`
					} `toml:"wheel"`
				} `toml:"targets"`
			} `toml:"build"`
		} `toml:"hatch"`
		Setuptools struct {
			Packages any `toml:"packages"`
		} `toml:"setuptools"`
	} `toml:"tool"`
	raw map[string]any
}

// readPyproject reads dir/pyproject.toml; a missing file is an empty one.
func readPyproject(dir string) (*pyproject, error) {
	var p pyproject
	file := filepath.Join(dir, "pyproject.toml")
	if _, err := toml.DecodeFile(file, &p); err != nil && !os.IsNotExist(err) {
		return nil, err
	}
	if _, err := toml.DecodeFile(file, &p.raw); err != nil && !os.IsNotExist(err) {
		return nil, err
	}
	return &p, nil
}

// hasTool says whether the file has a [tool.NAME] table.
func (p *pyproject) hasTool(name string) bool {
	tool, _ := p.raw["tool"].(map[string]any)
	_, ok := tool[name]
	return ok
}

// iniList is a pytest ini option given as a TOML list or a space-separated string.
func (p *pyproject) iniList(key string) []string {
	switch v := p.Tool.Pytest.Ini[key].(type) {
	case string:
		return strings.Fields(v)
	case []any:
		var out []string
		for _, x := range v {
			if s, ok := x.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

// conftests lists every conftest.py under dir, as sorted slash paths.
func conftests(dir string) ([]string, error) {
	var out []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil // unreadable parts of the tree are not the gate
		}
		if d.IsDir() {
			if p != dir && (skipDirs[d.Name()] || isVenv(p) || strings.HasSuffix(d.Name(), ".egg-info")) {
				return filepath.SkipDir
			}
			return nil
		}
		if d.Name() == "conftest.py" {
			rel, _ := filepath.Rel(dir, p)
			out = append(out, filepath.ToSlash(rel))
		}
		return nil
	})
	slices.Sort(out)
	return out, err
}

func isVenv(dir string) bool {
	_, err := os.Stat(filepath.Join(dir, "pyvenv.cfg"))
	return err == nil
}

func isDir(p string) bool {
	info, err := os.Stat(p)
	return err == nil && info.IsDir()
}

func isFile(p string) bool {
	info, err := os.Stat(p)
	return err == nil && info.Mode().IsRegular()
}

// rootdirEntry is the directory pytest's default (prepend) import mode puts
// on sys.path to import a conftest: its directory's first ancestor-or-self
// without an __init__.py.
func rootdirEntry(dir, conftest string) string {
	d := path.Dir(conftest)
	for d != "." && isFile(filepath.Join(dir, filepath.FromSlash(d), "__init__.py")) {
		d = path.Dir(d)
	}
	return d
}

// entry is a directory on the import path (relative to the project) and
// what puts it there, as the gate helper reads it: [dir, how].
type entry [2]string

// importPath is where Python looks for the scanned modules before the
// interpreter's own path: the conftests' rootdir entries, pytest's pythonpath
// and the project directory (before), then what editable installs of the
// project's packages would add: uv workspace members and src layouts (after).
func importPath(dir string, pp *pyproject, confs []string) (before, after []entry) {
	seen := map[string]bool{}
	add := func(list *[]entry, d, how string) {
		d = path.Clean(filepath.ToSlash(d))
		if !seen[d] && isDir(filepath.Join(dir, filepath.FromSlash(d))) {
			seen[d] = true
			*list = append(*list, entry{d, how})
		}
	}
	for _, c := range confs {
		add(&before, rootdirEntry(dir, c), "pytest's rootdir-relative import of "+c)
	}
	for _, p := range pyimport.PytestPythonpath(dir) {
		if rel, err := filepath.Rel(dir, p); err == nil && !strings.HasPrefix(rel, "..") {
			add(&before, rel, "pytest's pythonpath setting")
		}
	}
	add(&before, ".", "the project directory (python -m pytest puts it on sys.path)")
	for _, m := range workspaceMembers(dir, pp) {
		for _, r := range packageRoots(dir, m) {
			add(&after, r, "the uv workspace member "+m)
		}
	}
	for _, r := range packageRoots(dir, ".") {
		add(&after, r, "the project's package layout")
	}
	return before, after
}

// workspaceMembers expands [tool.uv.workspace] members into member
// directories that hold a pyproject.toml.
func workspaceMembers(dir string, pp *pyproject) []string {
	ws := pp.Tool.UV.Workspace
	if ws == nil {
		return nil
	}
	var out []string
	for _, pat := range ws.Members {
		matches, _ := filepath.Glob(filepath.Join(dir, filepath.FromSlash(pat)))
		slices.Sort(matches)
		for _, m := range matches {
			rel, err := filepath.Rel(dir, m)
			if err != nil || !isFile(filepath.Join(m, "pyproject.toml")) {
				continue
			}
			rel = filepath.ToSlash(rel)
			if !excludedMember(rel, ws.Exclude) && !slices.Contains(out, rel) {
				out = append(out, rel)
			}
		}
	}
	return out
}

func excludedMember(rel string, patterns []string) bool {
	for _, p := range patterns {
		if ok, _ := path.Match(path.Clean(p), rel); ok {
			return true
		}
	}
	return false
}

// packageRoots are the directories an editable install of the project at
// member (relative to dir) puts on the path: hatch's wheel packages'
// parents, setuptools' find where, else src/ when present, else the member
// itself (flat layout; the project directory is already on the path).
func packageRoots(dir, member string) []string {
	pp, err := readPyproject(filepath.Join(dir, filepath.FromSlash(member)))
	if err != nil {
		return nil
	}
	var out []string
	for _, p := range pp.Tool.Hatch.Build.Targets.Wheel.Packages {
		out = append(out, path.Join(member, path.Dir(path.Clean(p))))
	}
	if pk, ok := pp.Tool.Setuptools.Packages.(map[string]any); ok {
		if find, ok := pk["find"].(map[string]any); ok {
			if where, ok := find["where"].([]any); ok {
				for _, w := range where {
					if s, ok := w.(string); ok {
						out = append(out, path.Join(member, s))
					}
				}
			}
		}
	}
	if len(out) == 0 {
		if isDir(filepath.Join(dir, filepath.FromSlash(member), "src")) {
			out = append(out, path.Join(member, "src"))
		} else if member != "." {
			out = append(out, member)
		}
	}
	return out
}

// pkgDir is a package directory of the project and its module name.
type pkgDir struct {
	Dir, Name string
}

// candidatePackages are the project's own top-level packages (with an
// __init__.py, not tests or docs) under the package roots, and the
// subpackages of namespace packages (directories of packages without an
// __init__.py of their own): what a gate that scans every module, or a new
// gate, should name.
func candidatePackages(dir string, pp *pyproject) []pkgDir {
	roots := []string{"."}
	for _, m := range workspaceMembers(dir, pp) {
		roots = append(roots, packageRoots(dir, m)...)
	}
	roots = append(roots, packageRoots(dir, ".")...)
	var out []pkgDir
	add := func(d, name string) {
		if !slices.ContainsFunc(out, func(p pkgDir) bool { return p.Dir == d }) {
			out = append(out, pkgDir{d, name})
		}
	}
	for _, r := range roots {
		for _, n := range packageNames(dir, r) {
			p := path.Join(r, n)
			if isFile(filepath.Join(dir, filepath.FromSlash(p), "__init__.py")) {
				add(p, n)
				continue
			}
			for _, sub := range packageNames(dir, p) {
				if isFile(filepath.Join(dir, filepath.FromSlash(p), sub, "__init__.py")) {
					add(path.Join(p, sub), n+"."+sub)
				}
			}
		}
	}
	slices.SortFunc(out, func(a, b pkgDir) int { return strings.Compare(a.Name, b.Name) })
	return out
}

// packageNames are the subdirectories of dir/r whose names can be import
// names, less tests, docs and tooling.
func packageNames(dir, r string) []string {
	ents, err := os.ReadDir(filepath.Join(dir, filepath.FromSlash(r)))
	if err != nil {
		return nil
	}
	var out []string
	for _, e := range ents {
		n := e.Name()
		if !e.IsDir() || skipDirs[n] || strings.HasPrefix(n, ".") || strings.ContainsAny(n, "-. ") ||
			slices.Contains([]string{"tests", "test", "testing", "docs", "doc", "scripts", "examples", "src", "packages"}, n) {
			continue
		}
		out = append(out, n)
	}
	return out
}
