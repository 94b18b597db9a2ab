package initcfg

import (
	"context"

	"github.com/teethtool/teeth/scripts"
)

// Gate is one place where the project builds its Blockbuster gate
// (BlockBuster(...) or blockbuster_ctx(...)), read without running it, with
// what teeth rule needs to add a detector rule there.
type Gate struct {
	File string // slash path relative to the project
	Line int
	Call string // "BlockBuster" or "blockbuster_ctx"
	// Modules are the scanned module names; nil when the gate scans every module.
	Modules []string
	Edit    GateEdit
	Imports ImportEdit
}

// GateEdit is where a rule can be added to a gate: Kind "assign" (new lines
// go after the statement that binds the gate to Target) or "with" (first in
// the body of the with statement that binds blockbuster_ctx's gate to
// Target, which is active there already); Kind "" when no such place
// exists, and Why says so.
type GateEdit struct {
	Kind   string `json:"kind"`
	Target string `json:"target"` // the gate's name where it is built: "_blockbuster", "bb", "self.gate"
	Line   int    `json:"line"`   // the new lines go before this 1-based line
	Indent string `json:"indent"` // the indentation of the statements there
	// Scanned and Excluded are the source text of the gate's scanned and
	// excluded modules (a name, a dotted name, a string or a list of those);
	// nil when the gate has no such argument.
	Scanned  *string `json:"scanned"`
	Excluded *string `json:"excluded"`
	Why      string  `json:"why"`
}

// ImportEdit is how the gate's file gets BlockBusterFunction: Fn is the
// expression that names it there; Line > 0 replaces that line with Replace
// (the file's blockbuster import, extended), After > 0 inserts Insert after
// that line (line 0: at the top). All zero: the file has it already.
type ImportEdit struct {
	Fn      string `json:"fn"`
	Line    int    `json:"line"`
	Replace string `json:"replace"`
	After   int    `json:"after"`
	Insert  string `json:"insert"`
}

// Gates finds every gate of the project at dir with interp, the project's
// interpreter, the way teeth init does.
func Gates(ctx context.Context, dir string, interp []string) ([]Gate, error) {
	pp, err := readPyproject(dir)
	if err != nil {
		return nil, err
	}
	req, err := gateRequest(dir, pp)
	if err != nil {
		return nil, err
	}
	var out gateOut
	if err := scripts.Run(ctx, interp, "gate.py", dir, nil, req, &out); err != nil {
		return nil, err
	}
	var gates []Gate
	seen := map[[2]any]bool{}
	for _, g := range out.Gates {
		key := [2]any{g.File, g.Line}
		if seen[key] {
			continue // a gate module imported by several conftests
		}
		seen[key] = true
		ga := Gate{File: g.File, Line: g.Line, Call: g.Call, Edit: g.Edit, Imports: g.Imports}
		if g.Modules != nil {
			ga.Modules = *g.Modules
		}
		gates = append(gates, ga)
	}
	return gates, nil
}
