// Package initcfg works out a project's [tool.teeth] table from its
// Blockbuster gate (teeth init): it reads the gate conftest with the
// project's own interpreter, finds the package directories behind the
// modules the gate scans, the tests it gates, its opt-out marker and the
// interpreter, and says why for each key. Without a gate it offers a gate
// conftest to start from. Write adds the table to pyproject.toml.
package initcfg

import (
	"context"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"github.com/teethtool/teeth/internal/hint"
	"github.com/teethtool/teeth/pyimport"
	"github.com/teethtool/teeth/report"
	"github.com/teethtool/teeth/scripts"
)

// Options says which project to read and with which interpreter.
type Options struct {
	Dir string // the project directory, absolute
	// Python is the interpreter given on the command line (written as the
	// python key); "" looks for the project's virtualenv, then python3.
	Python string
}

// Key is one key of the proposed table: its TOML value and why.
type Key struct {
	Name, Value, Why string
}

// Proposal is what teeth init found.
type Proposal struct {
	Keys     []Key
	Comments []string // about keys left to teeth's defaults
	Notes    []string // things not written, or to check by hand
	// Template is a gate conftest to start from when the project has no
	// gate, to be saved as TemplatePath; Keys is then empty.
	Template, TemplatePath string
	HasTable               bool // pyproject.toml already has a [tool.teeth] table
}

// gateOut is what scripts/gate.py reports.
type gateOut struct {
	Gates   []gate            `json:"gates"`
	Modules map[string]module `json:"modules"`
}

type gate struct {
	Conftest   string    `json:"conftest"`
	File       string    `json:"file"`
	Line       int       `json:"line"`
	Call       string    `json:"call"`
	Modules    *[]string `json:"modules"` // nil: the gate scans every module
	Excluded   []string  `json:"excluded"`
	Unresolved string    `json:"unresolved"`
	Markers    []marker  `json:"markers"`
	Strings    []string  `json:"strings"`
	Function   string    `json:"function"`
	Fixture    *struct {
		Name        string `json:"name"`
		Autouse     bool   `json:"autouse"`
		AutouseName string `json:"autouse_name"` // the module constant autouse= names, "" for a literal
		Yields      int    `json:"yields"`       // yield statements: more than one leaves the gate off on some paths
	} `json:"fixture"`
	Hooks   []string   `json:"hooks"`
	Allows  []allow    `json:"allows"`
	Edit    GateEdit   `json:"edit"`
	Imports ImportEdit `json:"imports"`
}

// allow is one thing the gate deliberately allows, as its file writes it:
// a detector function it deactivates, or a can_block_in exemption.
type allow struct {
	Kind      string   `json:"kind"` // "deactivated" or "exempt"
	Function  string   `json:"function"`
	Line      int      `json:"line"`
	File      string   `json:"file"`
	Functions []string `json:"functions"`
}

type marker struct {
	Name     string `json:"name"`
	Line     int    `json:"line"`
	Function string `json:"function"`
}

type module struct {
	Kind  string   `json:"kind"` // package, namespace, module, outside, missing
	Paths []string `json:"paths"`
	How   string   `json:"how"`
	Where string   `json:"where"`
}

// Propose reads the project and proposes its [tool.teeth] table. When the
// gate names no package of the project, the error comes with the proposal's
// notes, which say what each scanned module is.
func Propose(ctx context.Context, o Options) (*Proposal, error) {
	pp, err := readPyproject(o.Dir)
	if err != nil {
		return nil, hint.New("pyproject.toml: "+err.Error(), "fix the TOML syntax of that file")
	}
	p := &Proposal{HasTable: pp.hasTool("teeth")}
	interp := p.interpreter(o, pp)
	req, err := gateRequest(o.Dir, pp)
	if err != nil {
		return nil, err
	}
	var out gateOut
	if err := scripts.Run(ctx, interp, "gate.py", o.Dir, nil, req, &out); err != nil {
		return nil, hint.New("reading the gate: "+err.Error(), "check that "+interp[0]+" is the project's Python 3 interpreter, or pass --python")
	}
	if len(out.Gates) == 0 {
		p.template(o.Dir, pp)
		return p, nil
	}
	return p, p.fromGates(o.Dir, pp, out)
}

// gateRequest is scripts/gate.py's input for the project at dir: its
// conftests and the import path they are read with.
func gateRequest(dir string, pp *pyproject) (map[string]any, error) {
	confs, err := conftests(dir)
	if err != nil {
		return nil, err
	}
	before, after := importPath(dir, pp, confs)
	return map[string]any{"dir": dir, "conftests": confs, "before": before, "after": after}, nil
}

// fromGates fills the table's keys from the gates found.
func (p *Proposal) fromGates(dir string, pp *pyproject, out gateOut) error {
	roots, why := p.sourceRoots(dir, pp, out)
	if len(roots) == 0 {
		g := out.Gates[0]
		return hint.New(fmt.Sprintf("none of the modules the gate at %s:%d scans is a package directory of the project", g.File, g.Line),
			"make the gate's scanned_modules name the project's packages, then run teeth init again")
	}
	keys := []Key{{"source_roots", tomlList(roots), why}}
	anchors, why, wide := p.anchors(dir, pp, out.Gates, roots)
	keys = append(keys, Key{"anchors", tomlList(anchors), why})
	if m, why := p.marker(out.Gates); m != "" {
		keys = append(keys, Key{"optout_marker", tomlString(m), why})
	}
	if ex, why := exclude(out, roots); len(ex) > 0 {
		keys = append(keys, Key{"exclude", tomlList(ex), why})
	}
	if wide != "" {
		keys = append(keys, Key{"no_site", tomlString(report.NoSiteCount),
			"the gate covers the whole test tree (" + wide + "): most tests reach no offload site, so they are counted, not listed, and do not fail the run; the tests that reach one get full verdicts"})
	}
	p.Keys = append(keys, p.Keys...) // the interpreter's keys, if any, last
	p.allowances(out.Gates)
	return nil
}

// allowances notes what the gates deliberately allow: a survivor whose call
// blocks only in those is the gate's choice, and teeth says so.
func (p *Proposal) allowances(gates []gate) {
	var parts []string
	for _, g := range gates {
		for _, a := range g.Allows {
			at := fmt.Sprintf("%s:%d", g.File, a.Line)
			if a.Kind == "deactivated" {
				parts = append(parts, fmt.Sprintf("deactivates %s (%s)", a.Function, at))
			} else {
				parts = append(parts, fmt.Sprintf("lets %s block in %s (%s) (%s)", a.Function, a.File, strings.Join(a.Functions, ", "), at))
			}
		}
	}
	if len(parts) > 0 {
		p.note("the gate %s: teeth reads these from the live gate in every run, and a survived site whose call blocks only there is reported as the gate's choice, not a rule to add", strings.Join(parts, "; "))
	}
}

// sourceRoots maps the scanned modules to package directories.
func (p *Proposal) sourceRoots(dir string, pp *pyproject, out gateOut) ([]string, string) {
	var roots, found []string
	var sites []string
	for _, g := range out.Gates {
		at := fmt.Sprintf("%s:%d", g.File, g.Line)
		if !slices.Contains(sites, at) {
			sites = append(sites, at)
		}
		if g.Unresolved != "" {
			p.note("part of the scanned modules at %s could not be read without running it (%s): add what it names to source_roots by hand", at, g.Unresolved)
		}
		if g.Modules == nil {
			cands := candidatePackages(dir, pp)
			p.note("the gate at %s scans every module; source_roots lists the project's own packages: check them", at)
			for _, c := range cands {
				if !slices.Contains(roots, c.Dir) {
					roots = append(roots, c.Dir)
					found = append(found, fmt.Sprintf("%s: %s (a package of the project)", c.Name, c.Dir))
				}
			}
			continue
		}
		for _, name := range *g.Modules {
			m := out.Modules[name]
			root, desc := p.moduleRoot(name, m)
			if root != "" && !slices.Contains(roots, root) {
				roots = append(roots, root)
				found = append(found, desc)
			}
		}
	}
	return roots, fmt.Sprintf("the packages the gate scans (%s): %s", strings.Join(sites, ", "), strings.Join(found, "; "))
}

// moduleRoot is the source root behind one scanned module, or "" with a note.
func (p *Proposal) moduleRoot(name string, m module) (root, desc string) {
	switch m.Kind {
	case "package":
		return m.Paths[0], fmt.Sprintf("%s: %s, via %s", name, m.Paths[0], m.How)
	case "namespace":
		if len(m.Paths) > 1 {
			p.note("%s is a namespace package in %d directories (%s); Blockbuster scans only the first: to gate the others, scan their subpackages",
				name, len(m.Paths), strings.Join(m.Paths, ", "))
		}
		return m.Paths[0], fmt.Sprintf("%s: %s (a namespace package), via %s", name, m.Paths[0], m.How)
	case "module":
		p.note("%s is the single module %s, not a package: teeth mutates package directories, so scan its package in the gate", name, m.Paths[0])
	case "outside":
		p.note("%s is not part of the project (it is at %s, on %s): not a source root", name, m.Where, m.How)
	default:
		p.note("%s, which the gate scans, is neither in the project nor on the interpreter's path", name)
	}
	return "", ""
}

// anchors are the directories of the tests the gates apply to; wide, when
// not "", says which gate covers the whole test tree (a suite-wide gate).
func (p *Proposal) anchors(dir string, pp *pyproject, gates []gate, roots []string) (out []string, reasons, wide string) {
	var why []string
	top := topTests(dir, pp)
	for _, g := range gates {
		d := path.Dir(g.Conftest)
		reason := fmt.Sprintf("the tests under %s, where the gate's conftest is", d)
		sub := narrowed(dir, d, g, roots)
		switch {
		case sub != "":
			d, reason = sub, fmt.Sprintf("the tests under %s: %s checks for %q", sub, g.File, path.Base(sub))
		case d == ".":
			d, reason = top, "the gate is in the top-level conftest and applies to every test"
		case d == top:
			reason = fmt.Sprintf("the gate is in the conftest at the top of the tests (%s) and applies to every test", g.Conftest)
		}
		f := g.Fixture
		if f != nil && !f.Autouse {
			p.note("the gate is the fixture %s, which is not autouse: only the tests that request it are gated", f.Name)
		}
		if f != nil && f.Yields > 1 {
			p.note("the fixture %s yields without building the gate on some paths (its own logic: a marker, a node name): teeth observes in each test whether the gate was on, and reports those tests gate-off", f.Name)
		}
		if sub == "" && d == top && wide == "" && (f == nil || f.Autouse) {
			wide = fixtureText(g)
		}
		if !slices.Contains(out, d) {
			out, why = append(out, d), append(why, reason)
		}
	}
	return out, strings.Join(why, "; "), wide
}

// fixtureText names a gate's place for the no_site key's comment: "the
// autouse fixture blockbuster in tests/conftest.py, autouse=HAS_BLOCKBUSTER",
// or "the hooks of conftest.py".
func fixtureText(g gate) string {
	f := g.Fixture
	if f == nil {
		return "the hooks of " + g.Conftest
	}
	s := fmt.Sprintf("the autouse fixture %s in %s", f.Name, g.File)
	if f.AutouseName != "" {
		s += ", autouse=" + f.AutouseName
	}
	return s
}

// narrowed is a subdirectory of d holding tests that the gate's file names
// in a string (e.g. "blocking_io" in a path check), or "".
func narrowed(dir, d string, g gate, roots []string) string {
	var hits []string
	for _, s := range g.Strings {
		sub := path.Clean(path.Join(d, s))
		if sub == d || strings.HasPrefix(sub, "..") || slices.Contains(roots, sub) || slices.Contains(hits, sub) {
			continue
		}
		if hasTests(filepath.Join(dir, filepath.FromSlash(sub))) {
			hits = append(hits, sub)
		}
	}
	if len(hits) == 1 {
		return hits[0]
	}
	return ""
}

// hasTests says whether a directory holds a test file (test_*.py, *_test.py).
func hasTests(d string) bool {
	ents, err := os.ReadDir(d)
	if err != nil {
		return false
	}
	for _, e := range ents {
		n := e.Name()
		if !e.IsDir() && pyimport.IsTestModule(n) {
			return true
		}
	}
	return false
}

// topTests is where a project's tests are: pytest's testpaths, else tests/.
func topTests(dir string, pp *pyproject) string {
	if tp := pp.iniList("testpaths"); len(tp) == 1 {
		return tp[0]
	}
	if isDir(filepath.Join(dir, "tests")) {
		return "tests"
	}
	return "."
}

// marker is the opt-out marker the gate honours: one checked in a hook or
// fixture of the gate first.
func (p *Proposal) marker(gates []gate) (string, string) {
	var all []marker
	var file string
	for _, g := range gates {
		for _, m := range g.Markers {
			if slices.Contains(g.Hooks, m.Function) || m.Function == g.Function || (g.Fixture != nil && m.Function == g.Fixture.Name) {
				return m.Name, fmt.Sprintf("the opt-out marker the gate honours (checked at %s:%d)", g.Conftest, m.Line)
			}
			all, file = append(all, m), g.Conftest
		}
	}
	if len(all) > 0 {
		return all[0].Name, fmt.Sprintf("the marker the gate's conftest checks (at %s:%d): check that it opts a test out", file, all[0].Line)
	}
	p.note("the gate honours no opt-out marker that teeth can see: no anchor will be reported gate-off")
	return "", ""
}

// exclude lists the gate's excluded modules that lie inside the source roots.
func exclude(out gateOut, roots []string) ([]string, string) {
	var ex []string
	for _, g := range out.Gates {
		for _, name := range g.Excluded {
			m := out.Modules[name]
			if m.Kind != "package" && m.Kind != "module" && m.Kind != "namespace" {
				continue
			}
			for _, r := range roots {
				if q := m.Paths[0]; (q == r || strings.HasPrefix(q, r+"/")) && !slices.Contains(ex, q) {
					ex = append(ex, q)
				}
			}
		}
	}
	return ex, "the gate's excluded_modules: blocking calls there are not detected, so their offloads cannot be proven"
}

func (p *Proposal) note(format string, args ...any) {
	p.Notes = append(p.Notes, fmt.Sprintf(format, args...))
}
