package rules

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/teethtool/teeth/initcfg"
	"github.com/teethtool/teeth/mutate"
)

// lineWidth is the longest line the patch writes before breaking a call.
const lineWidth = 88

// Patch is how a rule gets into the project's gate.
type Patch struct {
	// Rule is the rule's entry in the detector's API, as the gate's file
	// writes it: BlockBusterFunction(None, "os.fsync", scanned_modules=SCANNED_MODULES).
	Rule string
	// Gate is where the gate is built, "path:line" (several joined by ", ").
	Gate string
	// Scanned are the modules the gate scans; nil when it scans every module.
	Scanned []string
	// Diff is the unified diff adding the rule to every gate that can be
	// patched mechanically; Snippet the code to add by hand to the others
	// (or to a gate teeth cannot find), and Why says why.
	Diff, Snippet, Why string
}

// MakePatch writes the patch that adds a rule for prim to the gates (read
// by initcfg.Gates from the project at dir).
func MakePatch(dir string, gates []initcfg.Gate, prim string) Patch {
	var p Patch
	byFile := map[string][]initcfg.Gate{}
	var files, where, manual []string
	scansAll := false
	for _, g := range gates {
		where = append(where, fmt.Sprintf("%s:%d", g.File, g.Line))
		if g.Modules == nil {
			scansAll = true
		}
		for _, m := range g.Modules {
			if !slices.Contains(p.Scanned, m) {
				p.Scanned = append(p.Scanned, m)
			}
		}
		if g.Edit.Kind == "" {
			manual = append(manual, fmt.Sprintf("the gate at %s:%d: %s", g.File, g.Line, g.Edit.Why))
			continue
		}
		if byFile[g.File] == nil {
			files = append(files, g.File)
		}
		byFile[g.File] = append(byFile[g.File], g)
	}
	if scansAll {
		p.Scanned = nil
	}
	p.Gate = strings.Join(where, ", ")
	for _, f := range files {
		diff, rule, err := patchFile(dir, f, byFile[f], prim)
		if err != nil {
			manual = append(manual, fmt.Sprintf("%s: %v", f, err))
			continue
		}
		p.Diff += diff
		if p.Rule == "" {
			p.Rule = rule
		}
	}
	if len(gates) == 0 {
		manual = append(manual, "teeth found no BlockBuster(...) or blockbuster_ctx(...) in the project's conftests")
	}
	if len(manual) > 0 {
		p.Why = strings.Join(manual, "; ")
		p.Snippet = snippet(prim, p.Scanned, !scansAll)
		if p.Rule == "" {
			p.Rule = entry("BlockBusterFunction", prim, scannedLiteral(p.Scanned, !scansAll), nil)
		}
	}
	return p
}

// patchFile is the diff that adds the rule after every gate of one file,
// with the import it needs, and the rule's entry.
func patchFile(dir, file string, gates []initcfg.Gate, prim string) (diff, rule string, err error) {
	before, after, rule, err := edited(dir, file, gates, prim)
	if err != nil {
		return "", "", err
	}
	return mutate.Diff(file, before, after), rule, nil
}

// edited is one gate file before and after the rule is added.
func edited(dir, file string, gates []initcfg.Gate, prim string) (before, after []byte, rule string, err error) {
	data, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(file)))
	if err != nil {
		return nil, nil, "", err
	}
	src := string(data)
	eol := "\n"
	if strings.Contains(src, "\r\n") {
		eol = "\r\n"
	}
	lines := strings.SplitAfter(src, "\n")
	if lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	type edit struct {
		at      int // 1-based line: insert before it, or replace it
		replace bool
		text    []string
	}
	var edits []edit
	imp := gates[0].Imports
	for _, g := range gates {
		e := g.Edit
		rule = entry(imp.Fn, prim, e.Scanned, e.Excluded)
		edits = append(edits, edit{at: e.Line, text: ruleLines(e, rule, prim)})
	}
	switch {
	case imp.Line > 0:
		edits = append(edits, edit{at: imp.Line, replace: true, text: []string{imp.Replace}})
	case imp.Insert != "":
		edits = append(edits, edit{at: imp.After + 1, text: []string{imp.Insert}})
	}
	slices.SortStableFunc(edits, func(a, b edit) int { return b.at - a.at })
	for _, e := range edits {
		if e.at < 1 || e.at > len(lines)+1 {
			return nil, nil, "", fmt.Errorf("line %d is outside the file", e.at)
		}
		text := make([]string, len(e.text))
		for i, t := range e.text {
			text[i] = t + eol
		}
		i := e.at - 1
		if e.replace {
			lines = slices.Replace(lines, i, i+1, text...)
		} else {
			if i > 0 && !strings.HasSuffix(lines[i-1], "\n") {
				lines[i-1] += eol
			}
			lines = slices.Insert(lines, i, text...)
		}
	}
	return data, []byte(strings.Join(lines, "")), rule, nil
}

// ruleLines are the lines that add the rule to the gate bound to e.Target.
func ruleLines(e initcfg.GateEdit, rule, prim string) []string {
	in := e.Indent
	out := []string{in + "# " + prim + " blocks the event loop, and Blockbuster does not patch it."}
	activate := ""
	if e.Kind == "with" {
		out = append(out, in+"# blockbuster_ctx has activated the gate already: activate the rule too.")
		activate = ".activate()"
	}
	head := e.Target + ".functions[" + strconv.Quote(prim) + "] = "
	if one := in + head + rule + activate; len(one) <= lineWidth {
		return append(out, one)
	}
	fn, args, _ := strings.Cut(strings.TrimSuffix(rule, ")"), "(")
	return append(out, in+head+fn+"(", in+"    "+args, in+")"+activate)
}

// entry is the rule's BlockBusterFunction call: fn names the class; scanned
// and excluded are source text, nil when absent.
func entry(fn, prim string, scanned, excluded *string) string {
	args := []string{"None", strconv.Quote(prim)}
	if scanned != nil {
		args = append(args, "scanned_modules="+*scanned)
	}
	if excluded != nil {
		args = append(args, "excluded_modules="+*excluded)
	}
	return fn + "(" + strings.Join(args, ", ") + ")"
}

// scannedLiteral is the scanned modules as a Python list, nil for a gate
// that scans every module, or the name SCANNED_MODULES when teeth could not
// read them (the snippet says so).
func scannedLiteral(mods []string, scoped bool) *string {
	if !scoped {
		return nil
	}
	if len(mods) == 0 {
		s := "SCANNED_MODULES"
		return &s
	}
	q := make([]string, len(mods))
	for i, m := range mods {
		q[i] = strconv.Quote(m)
	}
	s := "[" + strings.Join(q, ", ") + "]"
	return &s
}

// snippet is the code to add by hand where the gate is built, before it is activated.
func snippet(prim string, scanned []string, scoped bool) string {
	unread := ""
	if scoped && len(scanned) == 0 {
		unread = "# SCANNED_MODULES: the modules the gate scans (teeth could not read them).\n"
	}
	return fmt.Sprintf("from blockbuster import BlockBusterFunction\n\n"+
		"# where the gate is built (gate = BlockBuster(...)), before it is activated:\n%s"+
		"# %s blocks the event loop, and Blockbuster does not patch it.\n"+
		"gate.functions[%s] = %s\n", unread, prim, strconv.Quote(prim), entry("BlockBusterFunction", prim, scannedLiteral(scanned, scoped), nil))
}
