package mutate

import (
	"context"
	"fmt"
	"path/filepath"
	"sort"

	"github.com/teethtool/teeth/pyimport"
)

type sitesRequest struct {
	Root     string            `json:"root"`
	Files    []string          `json:"files"`
	Wrappers []string          `json:"wrappers"`
	Modules  map[string]module `json:"modules"`
}

// module is how Python names one file: its dotted names, the one Python
// code uses first, and whether it is a package's __init__.py.
type module struct {
	Names []string `json:"names"`
	Pkg   bool     `json:"pkg"`
}

type sitesReply struct {
	Files []struct {
		Path     string   `json:"path"`
		SHA256   string   `json:"sha256"`
		Encoding string   `json:"encoding"`
		Futures  []string `json:"futures"`
		Sites    []pySite `json:"sites"`
	} `json:"files"`
	Errors   []FileError `json:"errors"`
	Wrappers []Wrapper   `json:"wrappers"`
}

type pySite struct {
	Qualname string `json:"qualname"`
	Offload  string `json:"offload"`
	Callee   string `json:"callee"`
	Line     int    `json:"line"`
	Col      int    `json:"col"`
	Shape    string `json:"shape"`
	edit
}

// Discover walks the source roots (dirs relative to root, or single .py files;
// the whole root when none) for *.py, skipping __pycache__, hidden dirs, venvs
// (dirs containing pyvenv.cfg), and paths matching any exclude glob (path.Match on
// the slash relative path or any of its parent dirs; a glob-free pattern also
// excludes everything under it). It runs sites.py with the python argv prefix
// (e.g. []string{"/x/.venv/bin/python"} or []string{"uv","run","--no-sync","python"})
// and returns sites sorted by path, then byte offset. Modules are named the way
// Python imports them in teeth's runs (package pyimport). wrappers names extra
// pass-through wrappers (callable first, everything after it forwarded), by
// dotted name (matched against the module's names) or bare function name.
func Discover(ctx context.Context, python []string, root string, sourceRoots, exclude, wrappers []string) (*Result, error) {
	abs, err := filepath.Abs(root)
	if err != nil {
		return nil, err
	}
	files, err := SourceFiles(abs, sourceRoots, exclude)
	if err != nil {
		return nil, err
	}
	req := sitesRequest{Root: abs, Files: files, Wrappers: wrappers, Modules: modules(abs, sourceRoots, files)}
	if req.Wrappers == nil {
		req.Wrappers = []string{}
	}
	var rep sitesReply
	if len(files) > 0 {
		if err := runScript(ctx, python, abs, "sites", req, &rep); err != nil {
			return nil, err
		}
	}
	return rep.result()
}

// modules names every file (slash paths relative to root) for sites.py.
func modules(root string, sourceRoots, files []string) map[string]module {
	namer := pyimport.NewNamer(pyimport.Paths(root, sourceRoots))
	out := make(map[string]module, len(files))
	for _, f := range files {
		names, pkg := namer.Names(filepath.Join(root, filepath.FromSlash(f)))
		if names == nil {
			names = []string{}
		}
		out[f] = module{Names: names, Pkg: pkg}
	}
	return out
}

func (rep *sitesReply) result() (*Result, error) {
	res := &Result{Errors: rep.Errors, Wrappers: rep.Wrappers}
	for _, f := range rep.Files {
		for _, p := range f.Sites {
			s := Site{Path: f.Path, Line: p.Line, Col: p.Col, Function: p.Qualname, Callee: p.Callee,
				Offload: p.Offload, Shape: p.Shape, sha256: f.SHA256, edit: p.edit, enc: f.Encoding, futures: f.Futures}
			if s.edit.Span[0] > s.edit.Span[1] {
				return nil, fmt.Errorf("%s:%d: bad span", s.Path, s.Line)
			}
			res.Sites = append(res.Sites, s)
		}
	}
	sort.SliceStable(res.Sites, func(i, j int) bool {
		a, b := res.Sites[i], res.Sites[j]
		if a.Path != b.Path {
			return a.Path < b.Path
		}
		return a.edit.Span[0] < b.edit.Span[0]
	})
	number(res.Sites)
	return res, nil
}

// number sets Ordinal and ID on sites sorted in source order.
func number(sites []Site) {
	seen := map[string]int{}
	for i := range sites {
		s := &sites[i]
		key := s.Path + ":" + s.Function + ":" + s.Callee
		s.Ordinal = seen[key]
		seen[key]++
		s.ID = fmt.Sprintf("%s#%d", key, s.Ordinal)
	}
}
