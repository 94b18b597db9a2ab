package mutate

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
)

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
	if s.sha256 == "" {
		return nil, errors.New("site has no source hash")
	}
	if sum := sha256.Sum256(src); hex.EncodeToString(sum[:]) != s.sha256 {
		return nil, fmt.Errorf("%s: source changed since discovery", s.Path)
	}
	e := s.edit
	if err := e.check(len(src)); err != nil {
		return nil, fmt.Errorf("%s:%d: %w", s.Path, s.Line, err)
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
	return append(out, helper...), nil
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
