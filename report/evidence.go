package report

import (
	"fmt"
	"strings"
)

// Reach modes: how the plugin decided that a test reached a site.
const (
	ReachCall = "call" // the offload call itself ran (sys.monitoring, Python 3.12+)
	ReachLine = "line" // the site's line ran (sys.settrace: Python < 3.12, or TEETH_TRACE=settrace)
)

// Blocked is what a mutant's un-offloaded call did in one run of one test:
// how often it ran, whether on the event loop's thread, how long the loop
// was blocked in it, which known blocking primitives it called (those the
// installed detector patches apart from those it does not, the detector's
// table read at run time), and which unittest.mock objects it called.
type Blocked struct {
	// Reach is how the call was delimited: "call" from the call to its
	// return, "line" while the call's lines ran (other calls on them count).
	Reach string `json:"reach"`
	// Runs counts the times the un-offloaded call ran in the test.
	Runs int `json:"runs"`
	// OnLoop counts those made on a thread running an asyncio event loop.
	OnLoop int `json:"on_loop"`
	// Lazy counts those on the loop that only built a generator or coroutine.
	Lazy int `json:"lazy,omitempty"`
	// LoopS is the time the loop spent in the call, over all its runs, as
	// measured under teeth's instrumentation.
	LoopS float64 `json:"loop_s"`
	// Primitives are the known blocking primitives (C functions of os, io,
	// socket, select, fcntl, hashlib, zlib, subprocess, sqlite3, ssl, ...,
	// time.sleep) the call invoked on the loop that the detector does not
	// patch, slowest first.
	Primitives []Primitive `json:"primitives"`
	// Patched are the known blocking primitives it invoked that the detector
	// patches: the detector saw them and did not raise (no scanned frame on
	// the stack, or a call it allows).
	Patched []Primitive `json:"patched"`
	// Mocks are the unittest.mock objects (Mock, MagicMock, AsyncMock,
	// NonCallableMock, patch objects, autospec functions) it called.
	Mocks []Mock `json:"mocks"`
	// Allowed are patched primitives it invoked that the gate deliberately
	// allows for this call: deactivated in the gate, or exempted where the
	// call is made (can_block_in). No rule is proposed for them.
	Allowed []AllowedPrimitive `json:"allowed,omitempty"`
	// DetectorRules is the number of functions in the detector's table
	// (Blockbuster's BlockBuster.functions); 0 means no table could be read,
	// and then no primitive is told apart as patched.
	DetectorRules int `json:"detector_rules"`
}

// Primitive is one C-level callable, named in the detector's spelling
// ("os.fsync", "io.BufferedWriter.write"), with its calls and time.
type Primitive struct {
	Name  string  `json:"name"`
	Calls int     `json:"calls"`
	S     float64 `json:"s"`
	// Via is how the first call named it (unpatched primitives): a rule
	// patches a name, so it decides which rule can catch the call.
	Via *Binding `json:"via,omitempty"`
}

// Kinds of binding: the name a call reached a primitive through.
const (
	ViaAttribute  = "attribute"   // mod.name or obj.method: the name a rule patches
	ViaBuiltin    = "builtin"     // the builtin name (open): a rule on builtins.NAME
	ViaFromImport = "from-import" // a module global bound by "from mod import name" before the gate activated
	ViaGlobal     = "global"      // a module global bound otherwise ("fsync = os.fsync")
	ViaLocal      = "local"       // a local or closure variable holding the function
	ViaCompiled   = "compiled"    // called from compiled code, which has no Python name for it
	ViaUnknown    = "unknown"
)

// Binding is how a call named a primitive (Primitive.Via).
type Binding struct {
	Kind string `json:"kind"`
	Name string `json:"name,omitempty"` // the callee as the call names it: open, fsync, os.fsync
	At   string `json:"at,omitempty"`   // "path:line" of the call
	// Module, ImportAt and Statement are where a module global came from:
	// the module whose global it is, and the statement that binds it
	// ("svc/spool.py:7", "from os import fsync").
	Module    string `json:"module,omitempty"`
	ImportAt  string `json:"import_at,omitempty"`
	Statement string `json:"statement,omitempty"`
	Error     string `json:"error,omitempty"`
}

// Mock is one unittest.mock object the call invoked: the callee expression
// it was called as, its type, and where it was called.
type Mock struct {
	Name string `json:"name"`
	Type string `json:"type"`
	At   string `json:"at"`
}

// Story says in one clause what the un-offloaded call did on the loop, for
// a survived mutant's reason: "the call ran on the loop for 0.2 ms and did
// no IO: the test replaces `os.listdir` with a MagicMock". It is "" without
// evidence.
func (b *Blocked) Story() string {
	switch {
	case b == nil || b.Runs == 0:
		return ""
	case b.OnLoop == 0:
		return fmt.Sprintf("the call ran %s, never on the event loop's thread", times(b.Runs))
	case b.Lazy >= b.OnLoop:
		return "the call only built a generator or coroutine on the loop: nothing ran there"
	}
	// Per line, the window is the call's lines: other calls on them count too.
	subject := "the call"
	if b.Reach == ReachLine {
		subject = "the call's lines"
	}
	ran := fmt.Sprintf("%s ran on the loop for %s", subject, Duration(b.LoopS))
	mocked := b.mockClause()
	switch {
	case len(b.Primitives) > 0:
		who := ", which the detector does not patch"
		if b.DetectorRules == 0 {
			who = " (the detector's table could not be read to tell the patched ones apart)"
		}
		s := fmt.Sprintf("%s ran for %s on the loop in %s%s; the detector raised nothing", subject, Duration(b.LoopS), primitiveList(b.Primitives, 3), who)
		if mocked != "" {
			s += "; " + mocked
		}
		return s
	case mocked != "":
		return ran + " and did no IO: " + mocked
	case len(b.Allowed) > 0:
		return fmt.Sprintf("%s ran for %s on the loop in %s, which the gate deliberately allows (%s): a choice of the gate, not a missing rule",
			subject, Duration(b.LoopS), allowedList(b.Allowed, 3), b.Allowed[0].Why)
	case len(b.Patched) > 0:
		return fmt.Sprintf("%s ran for %s on the loop in %s, which the detector patches, yet it raised nothing: no frame of the scanned modules was on the stack, or the gate allows the call there",
			subject, Duration(b.LoopS), primitiveList(b.Patched, 3))
	}
	return ran + " and called no known blocking primitive: nothing there for a detector to catch"
}

func (b *Blocked) mockClause() string {
	if len(b.Mocks) == 0 {
		return ""
	}
	var names []string
	for i, m := range b.Mocks {
		if i == 2 {
			names = append(names, fmt.Sprintf("%d more", len(b.Mocks)-2))
			break
		}
		names = append(names, "`"+m.Name+"`")
	}
	if len(b.Mocks) == 1 {
		return fmt.Sprintf("the test replaces %s with %s", names[0], article(mockWord(b.Mocks[0].Type)))
	}
	return "the test replaces " + JoinAnd(names) + " with mocks"
}

func mockWord(t string) string {
	if t == "autospec" {
		return "autospec mock"
	}
	return t
}

func article(w string) string {
	if w != "" && strings.ContainsRune("AEIOUaeiou", rune(w[0])) {
		return "an " + w
	}
	return "a " + w
}

func primitiveList(ps []Primitive, n int) string {
	var names []string
	for i, p := range ps {
		if i == n {
			names = append(names, fmt.Sprintf("%d more", len(ps)-n))
			break
		}
		s := "`" + p.Name + "`"
		if p.Calls > 1 {
			s += fmt.Sprintf(" ×%d", p.Calls)
		}
		names = append(names, s)
	}
	return JoinAnd(names)
}

func allowedList(ps []AllowedPrimitive, n int) string {
	prims := make([]Primitive, len(ps))
	for i, p := range ps {
		prims[i] = Primitive{Name: p.Name, Calls: p.Calls, S: p.S}
	}
	return primitiveList(prims, n)
}

// GateAllows reports whether the gate deliberately allows what the call
// blocked in: it ran primitives the gate allows and none the detector
// lacks a rule for. No rule is proposed then.
func (b *Blocked) GateAllows() bool {
	return b != nil && len(b.Allowed) > 0 && len(b.Primitives) == 0 && len(b.Mocks) == 0
}

// JoinAnd lists items in prose: "a", "a and b", "a, b and c".
func JoinAnd(items []string) string {
	switch len(items) {
	case 0:
		return ""
	case 1:
		return items[0]
	}
	return strings.Join(items[:len(items)-1], ", ") + " and " + items[len(items)-1]
}

func times(n int) string {
	if n == 1 {
		return "once"
	}
	return fmt.Sprintf("%d times", n)
}

// Duration writes seconds for a reason: "<0.01 ms", "0.05 ms", "0.2 ms", "40 ms", "1.2 s".
func Duration(s float64) string {
	ms := s * 1000
	switch {
	case ms < 0.01:
		return "<0.01 ms"
	case ms < 0.1:
		return fmt.Sprintf("%.2f ms", ms)
	case ms < 10:
		return fmt.Sprintf("%.1f ms", ms)
	case ms < 1000:
		return fmt.Sprintf("%.0f ms", ms)
	}
	return fmt.Sprintf("%.1f s", s)
}

// baselineGate says why an anchor is broken when the gate fired at
// baseline, or "" when it did not: the detector's message and the
// production frame it came from. A failure that carries the message is the
// gate's own ("already on the loop": a real bug); otherwise the detection
// was swallowed and the test failed on something else.
func baselineGate(outcome, excerpt string, detector, at []string) string {
	if len(detector) == 0 {
		return ""
	}
	msg := detector[0]
	where := ""
	if len(at) > 0 && at[0] != "" {
		where = " at " + at[0]
	}
	if strings.Contains(excerpt, msg) {
		return fmt.Sprintf("the gate fired at baseline: %s%s — already on the loop", msg, where)
	}
	return fmt.Sprintf("%s at baseline: %s; the gate also fired there and was swallowed: %s%s — already on the loop",
		outcome, FirstLine(excerpt), msg, where)
}
