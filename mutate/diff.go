package mutate

import (
	"bytes"

	udiff "github.com/aymanbagabas/go-udiff"
)

// contextLines is the unchanged lines a diff shows around each change.
const contextLines = 3

// Diff returns a unified diff of before and after (a/<path> b/<path>, 3 lines of
// context); "" when they are equal.
func Diff(path string, before, after []byte) string {
	return udiff.Unified("a/"+path, "b/"+path, string(before), string(after))
}

// Diff is the site's mutant of src (the original file) as a unified diff
// (a/<path> b/<path>, 3 lines of context). It is made from the mutant's two
// edits, reading only the lines around them: a site in a large file costs
// what one in a small file does, and the mutated file is never made.
func (s Site) Diff(f *Source) (string, error) {
	m, err := s.mutation(f)
	if err != nil {
		return "", err
	}
	src := f.Bytes
	edits := []udiff.Edit{{Start: s.edit.Span[0], End: s.edit.Span[1], New: m.call}}
	if m.helper != "" {
		edits = append(edits, udiff.Edit{Start: len(src), End: len(src), New: m.helper})
	}
	return editDiff("a/"+s.Path, "b/"+s.Path, src, edits)
}

// editDiff is the unified diff of applying edits (sorted, not overlapping)
// to src, as Diff gives it for the whole files. Edits whose lines lie close
// enough to share a hunk are diffed together, line by line, in a window of
// src holding them and their context; each window's hunks are then moved to
// their lines in the file.
func editDiff(from, to string, src []byte, edits []udiff.Edit) (string, error) {
	u := udiff.UnifiedDiff{From: from, To: to}
	added := 0 // lines the earlier windows' edits added
	for len(edits) > 0 {
		n := 1
		for n < len(edits) && lineOf(src, edits[n].Start)-lineOf(src, edits[n-1].End) <= 2*contextLines+2 {
			n++
		}
		group := edits[:n]
		edits = edits[n:]
		lo := lineStart(src, lineOf(src, group[0].Start)-contextLines-1)
		hi := lineStart(src, lineOf(src, group[n-1].End)+contextLines+2)
		local := make([]udiff.Edit, n)
		for i, e := range group {
			local[i] = udiff.Edit{Start: e.Start - lo, End: e.End - lo, New: e.New}
		}
		before := string(src[lo:hi])
		after, err := udiff.Apply(before, local)
		if err != nil {
			return "", err
		}
		w, err := udiff.ToUnifiedDiff(from, to, before, udiff.Lines(before, after), contextLines)
		if err != nil {
			return "", err
		}
		above := bytes.Count(src[:lo], []byte("\n"))
		for _, h := range w.Hunks {
			h.FromLine += above
			h.ToLine += above + added
			for _, l := range h.Lines {
				switch l.Kind {
				case udiff.Insert:
					added++
				case udiff.Delete:
					added--
				}
			}
		}
		u.Hunks = append(u.Hunks, w.Hunks...)
	}
	return u.String(), nil
}

// lineOf is the 0-based line of byte offset off, counting "\n" as the diff does.
func lineOf(src []byte, off int) int { return bytes.Count(src[:off], []byte("\n")) }

// lineStart is the offset of the start of 0-based line n (clamped to src).
func lineStart(src []byte, n int) int {
	off := 0
	for ; n > 0 && off < len(src); n-- {
		i := bytes.IndexByte(src[off:], '\n')
		if i < 0 {
			return len(src)
		}
		off += i + 1
	}
	return off
}
