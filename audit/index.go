// Package audit owns what teeth can tell about anchors and offload sites
// without running a mutant: anchors that guard nothing, bypass the
// production offload, are opted out or not running, name symbols that no
// longer exist, or duplicate each other; the map of offload sites no anchor
// reaches; and the static detector's findings that no anchor covers. It also
// holds the symbol index of the source roots (functions with their lines),
// which the nightly cache and changed-only runs key on.
package audit

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/teethtool/teeth/scripts"
)

// Function is one function or method of a source file.
type Function struct {
	Qualname   string   `json:"qualname"` // Python's __qualname__: Class.method, outer.<locals>.inner
	Line       int      `json:"line"`     // first line, decorators included
	End        int      `json:"end"`
	Async      bool     `json:"async"`
	Decorators []string `json:"decorators"`
	Calls      []string `json:"calls"` // last component of every name it calls
}

// Class is one class of a source file.
type Class struct {
	Qualname string `json:"qualname"`
	Line     int    `json:"line"`
	End      int    `json:"end"`
}

// File is the index of one source file.
type File struct {
	Path      string     `json:"path"`
	Functions []Function `json:"functions"`
	Classes   []Class    `json:"classes"`
}

// Index is the symbol index of the source roots, by slash path.
type Index map[string]*File

// BuildIndex indexes files (slash paths relative to root) with the project's
// interpreter; files that do not parse are left out.
func BuildIndex(ctx context.Context, python []string, root string, files []string) (Index, error) {
	script, err := scripts.FS.ReadFile("symbols.py")
	if err != nil {
		return nil, err
	}
	tmp, err := os.CreateTemp("", "teeth-symbols-*.py")
	if err != nil {
		return nil, err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(script); err != nil {
		tmp.Close()
		return nil, err
	}
	tmp.Close()
	in, _ := json.Marshal(map[string]any{"root": root, "files": files})
	args := append(append([]string{}, python[1:]...), "-I", "-S", tmp.Name())
	cmd := exec.CommandContext(ctx, python[0], args...)
	cmd.Env = append(os.Environ(), "PYTHONDONTWRITEBYTECODE=1")
	cmd.Stdin = bytes.NewReader(in)
	var out, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &stderr
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("symbols.py: %w: %s", err, strings.TrimSpace(stderr.String()))
	}
	var parsed []*File
	if err := json.Unmarshal(out.Bytes(), &parsed); err != nil {
		return nil, fmt.Errorf("symbols.py: %w", err)
	}
	ix := Index{}
	for _, f := range parsed {
		ix[f.Path] = f
	}
	return ix, nil
}

// Function returns the function with this qualname in path, or nil.
func (ix Index) Function(path, qualname string) *Function {
	f := ix[path]
	if f == nil {
		return nil
	}
	for i := range f.Functions {
		if f.Functions[i].Qualname == qualname {
			return &f.Functions[i]
		}
	}
	return nil
}

// Outermost returns the outermost function enclosing qualname (for
// "outer.<locals>.inner", outer) in path, or nil.
func (ix Index) Outermost(path, qualname string) *Function {
	outer, _, _ := strings.Cut(qualname, ".<locals>.")
	return ix.Function(path, outer)
}

// Lines returns lines [first, last] (1-based) of src.
func Lines(src []byte, first, last int) []byte {
	lines := bytes.SplitAfter(src, []byte("\n"))
	if first < 1 || first > len(lines) {
		return nil
	}
	last = min(last, len(lines))
	return bytes.Join(lines[first-1:last], nil)
}

// SourceFiles lists the .py files under the source roots of root, as slash
// paths, skipping caches, hidden directories and virtualenvs.
func SourceFiles(root string, sourceRoots []string) ([]string, error) {
	var files []string
	for _, sr := range sourceRoots {
		base := filepath.Join(root, filepath.FromSlash(sr))
		err := filepath.WalkDir(base, func(p string, d os.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() && p != base {
				if name := d.Name(); strings.HasPrefix(name, ".") || name == "__pycache__" {
					return filepath.SkipDir
				}
				if _, err := os.Stat(filepath.Join(p, "pyvenv.cfg")); err == nil {
					return filepath.SkipDir
				}
			}
			if !d.IsDir() && strings.HasSuffix(p, ".py") {
				rel, _ := filepath.Rel(root, p)
				files = append(files, filepath.ToSlash(rel))
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	return files, nil
}
