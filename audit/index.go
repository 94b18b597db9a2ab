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
	var parsed []*File
	if err := scripts.Run(ctx, python, "symbols.py", "", nil, map[string]any{"root": root, "files": files}, &parsed); err != nil {
		return nil, err
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
