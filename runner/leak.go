package runner

import (
	"fmt"
	"path"
	"path/filepath"
	"strings"

	"github.com/teethtool/teeth/internal/hint"
)

// LeakCause is how a source-root module came to be imported from the
// user's project tree instead of the sandbox copy, as the plugin saw it.
type LeakCause struct {
	File   string `json:"file"`   // the leaked file, relative to the project
	Module string `json:"module"` // its module name
	Entry  string `json:"entry"`  // the sys.path entry it was found under ("" for an import hook)
	Via    string `json:"via"`    // pth, env, pytest, runtime or hook
	Detail string `json:"detail"` // the .pth file, or the import hooks
}

// leakError is the not-loaded error: which module came from the project
// tree, what put the tree on its path, and the change that fixes it.
func leakError(res *Result, env Env) error {
	file := res.Leaked[0]
	var c *LeakCause
	for i := range res.LeakCauses {
		if res.LeakCauses[i].File == file {
			c = &res.LeakCauses[i]
		}
	}
	msg := "not-loaded: " + file + " was imported from the project tree, not from teeth's sandbox"
	if c == nil {
		return hint.New(msg, "an editable install or sys.path entry points at the checkout; list that package's directory in source_roots")
	}
	top, _, _ := strings.Cut(c.Module, ".")
	msg = fmt.Sprintf("not-loaded: %s (%s) was imported from the project tree, not from teeth's sandbox: %s",
		c.Module, file, c.what(env.Original))
	pkg := path.Join(c.Entry, top)
	if !strings.HasSuffix(file, "/__init__.py") && path.Dir(file) == c.Entry {
		pkg = file // a top-level module, not a package
	}
	root := rootOf(file, env.Roots)
	if c.Entry != "" && !filepath.IsAbs(c.Entry) && root != "" && root != pkg {
		return hint.New(msg, fmt.Sprintf("teeth puts each source root's parent first on PYTHONPATH so that the sandbox copy wins: "+
			"list %s's package directory %s in source_roots instead of %s", top, pkg, root))
	}
	return hint.New(msg, c.fix())
}

// what names the cause of a leak in words.
func (c *LeakCause) what(original string) string {
	switch c.Via {
	case "pth":
		return fmt.Sprintf("the .pth file %s (an editable install) puts %s on sys.path", relTo(original, c.Detail), c.Entry)
	case "env":
		return fmt.Sprintf("PYTHONPATH in teeth's environment holds %s", c.Entry)
	case "pytest":
		return fmt.Sprintf("pytest's pythonpath setting puts %s on sys.path", c.Entry)
	case "runtime":
		return fmt.Sprintf("%s was put on sys.path while the tests ran (a conftest or plugin changing sys.path)", c.Entry)
	}
	if c.Detail != "" {
		return "an import hook maps it to the project tree (" + c.Detail + ")"
	}
	return "an import hook maps it to the project tree"
}

// fix is the hint for a leak whose package directory is already a source root.
func (c *LeakCause) fix() string {
	switch c.Via {
	case "env":
		return "unset PYTHONPATH, or drop the project's directories from it, when running teeth"
	case "pytest":
		return "make the pythonpath entries relative to the ini file, so that they point into teeth's sandbox copy"
	case "runtime":
		return "derive the sys.path entry from __file__ (e.g. Path(__file__).parents[1]) instead of an absolute path, so that it points into the sandbox copy"
	case "pth":
		return "the .pth entry wins over PYTHONPATH only if the package is not a source root: check source_roots"
	}
	return "install the package non-editable, or editable in path mode (pip install -e . --config-settings editable_mode=compat), so that PYTHONPATH wins"
}

// rootOf is the source root that holds file, or "".
func rootOf(file string, roots []string) string {
	for _, r := range roots {
		r = path.Clean(filepath.ToSlash(r))
		if file == r || strings.HasPrefix(file, r+"/") {
			return r
		}
	}
	return ""
}

// relTo is p relative to dir when it lies inside it, else p.
func relTo(dir, p string) string {
	if rel, err := filepath.Rel(dir, p); err == nil && !strings.HasPrefix(rel, "..") {
		return filepath.ToSlash(rel)
	}
	return p
}
