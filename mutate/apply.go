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

// Apply returns the mutant source for site s given the ORIGINAL file bytes; error
// if src's sha256 differs from the one discovered. Never modifies src.
func (s Site) Apply(src []byte) ([]byte, error) {
	out, _, err := s.apply(src)
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
	out, c, err := s.apply(src)
	if err != nil {
		return Call{}, err
	}
	c.Line = lineAt(out, c.Start)
	return c, nil
}

// lineAt is the 1-based line of byte offset off in src, counting \r\n, \r
// and \n as Python does.
func lineAt(src []byte, off int) int {
	line := 1
	for i := 0; i < off; i++ {
		if src[i] == '\n' || src[i] == '\r' && (i+1 >= len(src) || src[i+1] != '\n') {
			line++
		}
	}
	return line
}

func (s Site) apply(src []byte) ([]byte, Call, error) {
	if s.sha256 == "" {
		return nil, Call{}, errors.New("site has no source hash")
	}
	if sum := sha256.Sum256(src); hex.EncodeToString(sum[:]) != s.sha256 {
		return nil, Call{}, fmt.Errorf("%s: source changed since discovery", s.Path)
	}
	e := s.edit
	if err := e.check(len(src)); err != nil {
		return nil, Call{}, fmt.Errorf("%s:%d: %w", s.Path, s.Line, err)
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
	call += e.argsText(src) + ")"
	out := make([]byte, 0, len(src)+len(call)+len(helper))
	out = append(out, src[:e.Span[0]]...)
	out = append(out, call...)
	out = append(out, src[e.Span[1]:]...)
	at := Call{Start: e.Span[0], End: e.Span[0] + len(call)}
	if helper != "" {
		i := strings.Index(helper, helperCall)
		j := strings.Index(helper[i:], ")")
		at = Call{Start: len(out) + i, End: len(out) + i + j + 1}
	}
	return append(out, helper...), at, nil
}

func (e edit) check(n int) error {
	in := func(r [2]int) bool { return 0 <= r[0] && r[0] <= r[1] && r[1] <= n }
	ok := in(e.Span) && in(e.Fn)
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
