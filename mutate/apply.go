package mutate

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
)

// helperCall opens the call of the offloaded callable in either helper.
const helperCall = "_teeth_fn(*args"

const onLoopHelper = `

async def NAME(_teeth_fn, /, *args, **kwargs):
    """teeth mutant: run the offloaded call on the event loop."""
    return _teeth_fn(*args, **kwargs)
`

const loopFutureHelper = `

def NAME(_teeth_fn, /, *args):
    """teeth mutant: run the offloaded call on the event loop, return a done future."""
    import asyncio
    fut = asyncio.get_running_loop().create_future()
    try:
        fut.set_result(_teeth_fn(*args))
    except Exception as exc:
        fut.set_exception(exc)
    return fut
`

// Import-time helpers, called in place of the offload: they run the call on
// the loop at once, inside the module's own frame, and return what the
// offload returned (a coroutine, or a done future; an exception propagates).
const (
	inlineOnLoop     = `lambda _teeth_fn, *args, **kwargs: __import__("asyncio").sleep(0, _teeth_fn(*args, **kwargs))`
	inlineLoopFuture = `lambda _teeth_fn, *args: (lambda fut: (fut.set_result(_teeth_fn(*args)), fut)[1])(__import__("asyncio").get_running_loop().create_future())`
)

func inlineHelper(kind string) string {
	if kind == "future" {
		return inlineLoopFuture
	}
	return inlineOnLoop
}

// Source is the original bytes of a site file with their digest, taken
// once: each site of the file is checked against it and mutated without
// hashing the whole file again. Its bytes are never modified.
type Source struct {
	Bytes []byte
	sum   string
}

// Sum is the sha256 of the bytes, in hex.
func (f *Source) Sum() string { return f.sum }

// NewSource takes a file's original bytes.
func NewSource(b []byte) *Source {
	sum := sha256.Sum256(b)
	return &Source{Bytes: b, sum: hex.EncodeToString(sum[:])}
}

// Apply returns the mutant source for site s given the ORIGINAL file bytes; error
// if src's sha256 differs from the one discovered. Never modifies src.
func (s Site) Apply(src []byte) ([]byte, error) {
	out, _, err := s.Mutant(NewSource(src))
	return out, err
}

// Call is a call expression in a file: its bytes [Start, End) and the
// 1-based line of Start.
type Call struct {
	Start, End, Line int
}

// OffloadCall is where the site's offload call is in the ORIGINAL file: the
// replaced bytes, whose outermost call is the offload (to_thread, the
// wrapper, ...).
func (s Site) OffloadCall() Call {
	return Call{Start: s.edit.Span[0], End: s.edit.Span[1], Line: s.Line}
}

// MutantCall is where the un-offloaded call is in the mutant of src (the
// ORIGINAL file bytes): "f(a, k=v)" at the site for a directly awaited
// offload, or the call of the offloaded callable inside the appended
// _teeth_on_loop / _teeth_loop_future helper otherwise.
func (s Site) MutantCall(src []byte) (Call, error) {
	_, c, err := s.Mutant(NewSource(src))
	return c, err
}

// lineAt is the 1-based line of byte offset off in src, counting \r\n, \r
// and \n as Python does.
func lineAt(src []byte, off int) int {
	head := src[:off]
	line := 1 + bytes.Count(head, []byte("\n"))
	for i := bytes.IndexByte(head, '\r'); i >= 0; {
		if i+1 >= len(src) || src[i+1] != '\n' {
			line++ // a lone \r
		}
		next := bytes.IndexByte(head[i+1:], '\r')
		if next < 0 {
			break
		}
		i += 1 + next
	}
	return line
}

// Mutant returns the mutant of src (the file's ORIGINAL bytes, which it
// never modifies) and MutantCall's answer in it; error if src is not the
// file the site was discovered in.
func (s Site) Mutant(f *Source) ([]byte, Call, error) {
	m, err := s.mutation(f)
	if err != nil {
		return nil, Call{}, err
	}
	src, e := f.Bytes, s.edit
	out := make([]byte, 0, len(src)+len(m.call)+len(m.helper))
	out = append(out, src[:e.Span[0]]...)
	out = append(out, m.call...)
	out = append(out, src[e.Span[1]:]...)
	at := Call{Start: e.Span[0], End: e.Span[0] + len(m.call)}
	if m.helper != "" {
		i := strings.Index(m.helper, helperCall)
		j := strings.Index(m.helper[i:], ")")
		at = Call{Start: len(out) + i, End: len(out) + i + j + 1}
	}
	out = append(out, m.helper...)
	at.Line = lineAt(out, at.Start)
	return out, at, nil
}

// mutation is a site's mutant as two edits of the original file: call
// replaces the offload (the bytes of Span), helper is appended to the end
// ("" for none).
type mutation struct {
	call, helper string
}

// mutation checks f against the discovered file and returns the edits
// that make the site's mutant of it.
func (s Site) mutation(f *Source) (mutation, error) {
	if s.sha256 == "" {
		return mutation{}, errors.New("site has no source hash")
	}
	if f.sum != s.sha256 {
		return mutation{}, fmt.Errorf("%s: source changed since discovery", s.Path)
	}
	src := f.Bytes
	e := s.edit
	if err := e.check(len(src)); err != nil {
		return mutation{}, fmt.Errorf("%s:%d: %w", s.Path, s.Line, err)
	}
	call, helper := e.fnText(src), ""
	switch {
	case e.Inline:
		call = "(" + inlineHelper(e.Helper) + ")(" + call
		if len(e.Args) > 0 {
			call += ", "
		}
	case !e.Direct:
		name, tmpl := helperFor(src, e.Helper)
		call, helper = name+"("+string(call), helperText(src, name, tmpl)
		if len(e.Args) > 0 {
			call += ", "
		}
	default:
		call += "("
	}
	return mutation{call: call + e.argsText(src) + ")", helper: helper}, nil
}

func (e edit) check(n int) error {
	in := func(r [2]int) bool { return 0 <= r[0] && r[0] <= r[1] && r[1] <= n }
	ok := in(e.Span) && in(e.Fn) && in(e.Stmt) && (e.Stmt == [2]int{} || e.Stmt[0] <= e.Span[0] && e.Span[1] <= e.Stmt[1])
	for _, a := range e.Args {
		ok = ok && in(a)
	}
	if !ok || (e.Helper != "coro" && e.Helper != "future" && !e.Direct) {
		return errors.New("bad site ranges")
	}
	return nil
}

func (e edit) fnText(src []byte) string {
	fn := string(src[e.Fn[0]:e.Fn[1]])
	if e.FnParens && e.Direct {
		return "(" + fn + ")"
	}
	return fn
}

func (e edit) argsText(src []byte) string {
	if len(e.Args) == 0 {
		return ""
	}
	if e.Verbatim {
		return string(src[e.Args[0][0]:e.Args[len(e.Args)-1][1]])
	}
	parts := make([]string, len(e.Args))
	for i, a := range e.Args {
		parts[i] = string(src[a[0]:a[1]])
	}
	return strings.Join(parts, ", ")
}

// helperFor picks a helper name not yet occurring in src, and its template.
func helperFor(src []byte, kind string) (string, string) {
	base, tmpl := "_teeth_on_loop", onLoopHelper
	if kind == "future" {
		base, tmpl = "_teeth_loop_future", loopFutureHelper
	}
	name := base
	for i := 1; bytes.Contains(src, []byte(name)); i++ {
		name = fmt.Sprintf("%s_%d", base, i)
	}
	return name, tmpl
}

// helperText renders the helper to append, in the file's newline style.
func helperText(src []byte, name, tmpl string) string {
	nl := newline(src)
	text := strings.ReplaceAll(tmpl, "NAME", name)
	text = strings.ReplaceAll(text, "\n", nl)
	if len(src) > 0 && !bytes.HasSuffix(src, []byte("\n")) && !bytes.HasSuffix(src, []byte("\r")) {
		text = nl + text
	}
	return text
}

func newline(src []byte) string {
	i := bytes.IndexAny(src, "\r\n")
	switch {
	case i < 0 || src[i] == '\n':
		return "\n"
	case i+1 < len(src) && src[i+1] == '\n':
		return "\r\n"
	default:
		return "\r"
	}
}
