package mutate

import (
	"context"
	"fmt"
)

// Batches of the compile check: a request to the interpreter holds at most
// this many compile units, or about this many of their bytes (at least one).
var (
	checkBatchUnits = 512
	checkBatchBytes = 4 << 20
)

// unit is what the compile check compiles for one mutant: the whole lines
// of the module-level statement that holds the site, mutated, with the
// helper the mutant appends to the file, in the file's encoding, compiled
// on the lines it has in the file with the file's __future__ features.
// Nothing outside that statement changes, so it compiles exactly when the
// mutated file does, at a cost that does not grow with the file.
type unit struct {
	Name     string   `json:"name"`
	Source   []byte   `json:"source_b64"`
	Line     int      `json:"line,omitempty"`
	Encoding string   `json:"encoding,omitempty"`
	Futures  []string `json:"futures,omitempty"`
}

// unit is the compile unit of s's mutant of f (the original file); a
// site discovered without its statement's span compiles the whole mutant.
func (s Site) unit(f *Source) (unit, error) {
	e := s.edit
	if e.Stmt == [2]int{} || s.enc == "" {
		mut, _, err := s.Mutant(f)
		return unit{Name: s.Path, Source: mut}, err
	}
	m, err := s.mutation(f)
	if err != nil {
		return unit{}, err
	}
	src := f.Bytes
	lo, hi := e.Stmt[0], e.Stmt[1]
	b := make([]byte, 0, hi-lo+len(m.call)+len(m.helper))
	b = append(b, src[lo:e.Span[0]]...)
	b = append(b, m.call...)
	b = append(b, src[e.Span[1]:hi]...)
	b = append(b, m.helper...)
	return unit{Name: s.Path, Source: b, Line: lineAt(src, lo), Encoding: s.enc, Futures: s.futures}, nil
}

// Check has the interpreter compile the mutant of each site and returns its
// compile error ("" when it compiles), by index. Mutants are made a batch
// at a time, each batch one request (see checkBatchUnits), so memory holds
// one batch whatever the number of sites and the size of their files;
// source returns a site file's original bytes, and progress (or nil) is
// told how many sites are checked after each batch.
func Check(ctx context.Context, python []string, sites []Site, source func(path string) (*Source, error), progress func(done, total int)) ([]string, error) {
	out := make([]string, len(sites))
	var batch []unit
	size, first := 0, 0
	flush := func(end int) error {
		if len(batch) == 0 {
			return nil
		}
		var got []*string
		if err := runScript(ctx, python, "", "compile", batch, &got); err != nil {
			return err
		}
		if len(got) != len(batch) {
			return fmt.Errorf("compile: %d results for %d mutants", len(got), len(batch))
		}
		for i, msg := range got {
			out[first+i] = message(msg)
		}
		batch, size, first = nil, 0, end
		if progress != nil {
			progress(end, len(sites))
		}
		return nil
	}
	for i, s := range sites {
		src, err := source(s.Path)
		if err != nil {
			return nil, err
		}
		u, err := s.unit(src)
		if err != nil {
			return nil, fmt.Errorf("mutating %s: %w", s.ID, err)
		}
		if len(batch) > 0 && (len(batch) >= checkBatchUnits || size+len(u.Source) > checkBatchBytes) {
			if err := flush(i); err != nil {
				return nil, err
			}
		}
		batch, size = append(batch, u), size+len(u.Source)
	}
	if err := flush(len(sites)); err != nil {
		return nil, err
	}
	return out, nil
}

// message is a compile result: "" for none, a generic message for an empty one.
func message(msg *string) string {
	switch {
	case msg == nil:
		return ""
	case *msg == "":
		return "compile error"
	}
	return *msg
}
