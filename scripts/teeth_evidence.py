"""What an un-offloaded call did on the event loop: teeth's evidence for a mutant run.

Imported by teeth_reach; imports teeth_calls, teeth_primitives, teeth_binding and teeth_gate. While the
un-offloaded call of a mutant runs, a *window* is open on the thread that
made it: the time until the call returns, whether an asyncio loop was running
on that thread (so the loop was blocked in it), every C-level callable it
invoked (``sys.monitoring`` CALL / C_RETURN / C_RAISE on 3.12+;
``sys.setprofile`` c_call / c_return where only line tracing exists, the
window then being the site's lines), and every ``unittest.mock`` object it
called. After the test (``finish_test``), the C calls are kept only if they
are known blocking primitives, split into those the installed detector
patches and those it does not (teeth_primitives); each unpatched one says
how its first call named it (teeth_binding: the builtin ``open`` is
``builtins.open``, a from-imported name names its import).

The callbacks run inside production frames while the gate is active: they
use only builtins, attribute reads on C objects, ``time.perf_counter``,
``_thread.get_ident`` and ``asyncio``'s running-loop lookup, nothing the gate
patches, and they never read an attribute of a mock (that would create a child).
"""

import sys
import types
from _thread import get_ident
from asyncio import events as _aio_events
from time import perf_counter

from teeth_binding import binding
from teeth_calls import call_text, line_at
from teeth_gate import allowed as _allowed
from teeth_primitives import MISSING, blocking, describe, detector_table

_running_loop = _aio_events._get_running_loop

# --- the window: what the call did --------------------------------------------

_C_TYPES = (
    types.BuiltinFunctionType,
    types.MethodDescriptorType,
    types.WrapperDescriptorType,
    types.MethodWrapperType,
    types.ClassMethodDescriptorType,
)
_HEAPTYPE = 1 << 9
_LAZY_FLAGS = 0x20 | 0x80 | 0x100 | 0x200  # generator, coroutine, iterable coroutine, async generator

_ACC = None  # the current test's evidence, while one runs
_WIN = None  # the open window, if any
_MON = None  # (tool id, events outside windows) when sys.monitoring is in use


_UNSET = object()


class _Window:
    __slots__ = ("thread", "frame", "code", "offset", "fn", "t0", "stack", "lines")

    def __init__(self, frame, code, offset):
        self.thread = get_ident()
        self.frame, self.code, self.offset = frame, code, offset
        self.fn = _UNSET  # the callable, once its CALL event is seen
        self.stack = []
        self.lines = None
        self.t0 = 0.0


def begin_test():
    """Starts the evidence of a new test."""
    global _ACC, _WIN
    _ACC = {"runs": 0, "on_loop": 0, "lazy": 0, "loop_s": 0.0, "prims": {}, "mocks": [], "code": None}
    _WIN = None


def _mock_class():
    mock = sys.modules.get("unittest.mock")
    return None if mock is None else mock.NonCallableMock


def _is_mock(fn, mock_cls):
    if mock_cls is None:
        return False
    tp = type(fn)
    if issubclass(tp, mock_cls):
        return True
    if tp is types.FunctionType:  # create_autospec / patch(autospec=True) of a function
        inner = fn.__dict__.get("mock")
        return inner is not None and issubclass(type(inner), mock_cls)
    return False


def _lazy(fn):
    """Whether calling fn only builds a generator or coroutine."""
    tp = type(fn)
    if tp is types.MethodType:
        fn, tp = fn.__func__, type(fn.__func__)
    return tp is types.FunctionType and bool(fn.__code__.co_flags & _LAZY_FLAGS)


def _start(frame, code, offset):
    """The un-offloaded call is about to run in frame: returns a window on
    the loop thread, or None when it runs on no loop (or one is open)."""
    acc = _ACC
    if acc is None:
        return None
    acc["runs"] += 1
    acc["code"] = code
    if _running_loop() is None:
        return None  # ran, but not on a thread running an event loop
    acc["on_loop"] += 1
    if _WIN is not None:
        return None  # called again inside the open window: its time is already counted
    return _Window(frame, code, offset)


def _site_callable(w, fn, mock_cls):
    """The window's own call is being made: remembers its callable."""
    w.fn = fn
    if _lazy(fn):
        _ACC["lazy"] += 1
    if _is_mock(fn, mock_cls):
        _ACC["mocks"].append((fn, w.code, w.offset))
        return True
    return False


def _count(fn, arg0, seconds, code=None, offset=-1, glb=None):
    try:
        name, canon = describe(fn, arg0)
    except Exception:  # never let a name break the code under test
        name, canon = "?", None
    entry = _ACC["prims"].get(name)
    if entry is None:
        # The first call's callable, place and globals: how it was named (teeth_binding).
        _ACC["prims"][name] = [1, seconds, canon, (fn, code, offset, glb)]
    else:
        entry[0] += 1
        entry[1] += seconds


def _observe(w, code, offset, fn, arg0, mock_cls, glb):
    tp = type(fn)
    if tp in _C_TYPES or (tp is type and not fn.__flags__ & _HEAPTYPE):
        w.stack.append((fn, code, offset, perf_counter(), arg0, glb))
    elif _is_mock(fn, mock_cls):
        _ACC["mocks"].append((fn, code, offset))


def _returned(w, code, offset, fn, now):
    st = w.stack
    for i in range(len(st) - 1, max(len(st) - 8, 0) - 1, -1):
        entry = st[i]
        if entry[0] is fn and entry[1] is code and entry[2] == offset:
            del st[i:]
            _count(fn, entry[4], now - entry[3], code, offset, entry[5])
            return


def _close(w, now):
    global _WIN
    _WIN = None
    if _MON is not None:
        sys.monitoring.set_events(_MON[0], _MON[1])
    if _ACC is not None:
        _ACC["loop_s"] += now - w.t0


# --- sys.monitoring (Python 3.12+) ----------------------------------------------
#
# A watched call is found by INSTRUCTION events on its code object: the call
# instruction is about to run (reach, and a window opens for the mutant's
# call), and the instruction after it runs in the same frame (the call
# returned: the window closes); an exception the frame handles
# (EXCEPTION_HANDLED) or that unwinds it (PY_UNWIND) closes it too. CALL
# events alone would miss CALL_FUNCTION_EX calls of Python functions before
# CPython 3.12.3 (python/cpython#116626). While a window is open, CALL,
# C_RETURN and C_RAISE are on everywhere, filtered to the window's thread.

_SITE_CODES = {}  # id(code) -> (code, {call offset: site index}, {next offset: site index})
_WINDOWED = set()  # site indexes whose call opens a window (the mutant's un-offloaded call)
_HIT = None  # records that the current test reached a site index


def reset_sites(windowed=(), line_windows=None):
    """Forgets the watched calls; windowed are the site indexes whose call opens
    a window, line_windows the {filename: {line: (first, last)}} of those
    watched by line."""
    _SITE_CODES.clear()
    _WINDOWED.clear()
    _WINDOWED.update(windowed)
    _LINE_WINDOWS.clear()
    _LINE_WINDOWS.update(line_windows or {})


def monitor(tool, base_events, hit):
    """Registers the call callbacks on a sys.monitoring tool; base_events are
    the tool's global events outside windows, hit(site index) records reach."""
    global _MON, _HIT
    mon = sys.monitoring
    ev = mon.events
    _MON, _HIT = (tool, base_events), hit
    mon.register_callback(tool, ev.INSTRUCTION, _on_instruction)
    mon.register_callback(tool, ev.CALL, _on_call)
    mon.register_callback(tool, ev.C_RETURN, _on_c_return)
    mon.register_callback(tool, ev.C_RAISE, _on_c_return)
    mon.register_callback(tool, ev.EXCEPTION_HANDLED, _on_frame_exception)
    mon.register_callback(tool, ev.PY_UNWIND, _on_frame_exception)


def local_events(code, calls):
    """Remembers a code object holding watched calls ({call offset: (site
    index, next offset)}); returns the local events to set on it."""
    starts = {offset: idx for offset, (idx, _) in calls.items()}
    ends = {after: idx for _, (idx, after) in calls.items() if idx in _WINDOWED}
    _SITE_CODES[id(code)] = (code, starts, ends)
    return sys.monitoring.events.INSTRUCTION


def _on_instruction(code, offset):
    entry = _SITE_CODES.get(id(code))
    if entry is None or entry[0] is not code:
        return sys.monitoring.DISABLE
    idx = entry[1].get(offset)
    if idx is not None:
        _HIT(idx)
        if idx in _WINDOWED:
            w = _start(sys._getframe(1), code, offset)
            if w is not None:
                _open_monitored(w)
        return None
    if offset in entry[2]:
        w = _WIN
        if w is not None and w.code is code and sys._getframe(1) is w.frame:
            _close(w, perf_counter())
        return None
    return sys.monitoring.DISABLE


def _open_monitored(w):
    global _WIN
    ev = sys.monitoring.events
    _WIN = w
    sys.monitoring.set_events(
        _MON[0], _MON[1] | ev.CALL | ev.C_RETURN | ev.C_RAISE | ev.EXCEPTION_HANDLED | ev.PY_UNWIND
    )
    w.t0 = perf_counter()


def _on_call(code, offset, fn, arg0):
    w = _WIN
    if w is None or get_ident() != w.thread:
        return None
    mock_cls = _mock_class()
    if w.fn is _UNSET and code is w.code and offset == w.offset:
        if _site_callable(w, fn, mock_cls):
            return None
    _observe(w, code, offset, fn, arg0, mock_cls, sys._getframe(1).f_globals)
    return None


def _on_c_return(code, offset, fn, arg0):
    w = _WIN
    if w is not None and get_ident() == w.thread:
        _returned(w, code, offset, fn, perf_counter())
    return None


def _on_frame_exception(code, offset, exc):
    w = _WIN
    if w is not None and code is w.code and sys._getframe(1) is w.frame:
        _close(w, perf_counter())
    return None


# --- line tracing (before 3.12, or TEETH_TRACE=settrace) -------------------------

_LINE_WINDOWS = {}  # filename -> {line: (first line, last line)} of windowed calls
_MOCK_CALL_CODE = []  # unittest.mock's CallableMixin.__call__ code, once loaded


def line_window(filename, line):
    """The (first, last) lines of a windowed call starting at this line, or None."""
    lines = _LINE_WINDOWS.get(filename)
    return None if lines is None else lines.get(line)


def open_line_window(frame, lines):
    """The windowed call's first line runs in frame: times it until the frame
    leaves those lines, and profiles its C calls on this thread."""
    global _WIN
    w = _start(frame, frame.f_code, -1)
    if w is None:
        return
    w.lines = lines
    if sys.getprofile() is None:
        sys.setprofile(_profile)
    _WIN = w
    w.t0 = perf_counter()


def line_event(frame, event):
    """A traced frame's line or return event: closes its window if it left the call's lines."""
    w = _WIN
    if w is None or frame is not w.frame:
        return
    if event == "return" or not (w.lines[0] <= frame.f_lineno <= w.lines[1]):
        now = perf_counter()
        if sys.getprofile() is _profile:
            sys.setprofile(None)
        _close(w, now)


def _profile(frame, event, arg):
    w = _WIN
    if w is None or get_ident() != w.thread:
        return
    try:
        _profiled(w, frame, event, arg)
    except Exception:  # never let the evidence break the code under test
        pass


def _profiled(w, frame, event, arg):
    if event == "c_call":
        w.stack.append((arg, frame.f_code, frame.f_lasti, perf_counter(), MISSING, frame.f_globals))
    elif event == "c_return" or event == "c_exception":
        # A method's c_call and c_return carry two bound-method objects, equal
        # but not identical; a missed return leaves its entry: match the
        # nearest equal entry and drop what is above it.
        st = w.stack
        for i in range(len(st) - 1, max(len(st) - 8, 0) - 1, -1):
            if st[i][0] == arg:
                _, code, offset, t0, _, glb = st[i]
                del st[i:]
                _count(arg, MISSING, perf_counter() - t0, code, offset, glb)
                break
    elif event == "call":
        if not _MOCK_CALL_CODE:
            mock = sys.modules.get("unittest.mock")
            if mock is None:
                return
            _MOCK_CALL_CODE.append(mock.CallableMixin.__call__.__code__)
        if frame.f_code is _MOCK_CALL_CODE[0]:
            caller = frame.f_back
            _ACC["mocks"].append((frame.f_locals.get("self"), caller.f_code if caller else None, caller.f_lasti if caller else -1))


# --- after the test ------------------------------------------------------------------


def finish_test(reach, relpath, allow=None):
    """The evidence of the test that just ended, or None if its windowed call
    never ran. relpath names a file relative to the project ("" outside it);
    allow is what the gate deliberately allowed while the test ran
    (teeth_gate.allowances): a patched primitive it allows for the call is
    listed apart, with why. Reads files: call it only while no event loop runs."""
    global _ACC, _WIN
    if _WIN is not None and _MON is not None:
        sys.monitoring.set_events(_MON[0], _MON[1])  # a window left open: stop watching every call
    acc, _ACC, _WIN = _ACC, None, None
    if sys.getprofile() is _profile:
        sys.setprofile(None)
    if acc is None or acc["runs"] == 0:
        return None
    table = detector_table()
    patched_ids = {id(obj) for obj in table.values() if obj is not None}
    unpatched, patched, allowed = [], [], []
    for name, (n, seconds, canon, first) in acc["prims"].items():
        if not blocking(name):
            continue
        rec = {"name": name, "calls": n, "s": round(seconds, 6)}
        if name not in table and id(canon) not in patched_ids:
            rec["name"], via = _via(name, first, relpath)
            if via is not None:
                rec["via"] = via
            unpatched.append(rec)
            continue
        why = _allowed(_table_name(name, canon, table), allow, acc["code"]) if allow else ""
        if why:
            rec["name"], rec["why"] = _table_name(name, canon, table), why
            allowed.append(rec)
        else:
            patched.append(rec)
    order = lambda r: (-r["s"], r["name"])  # noqa: E731
    out = {
        "reach": reach,
        "runs": acc["runs"],
        "on_loop": acc["on_loop"],
        "lazy": acc["lazy"],
        "loop_s": round(acc["loop_s"], 6),
        "primitives": sorted(unpatched, key=order),
        "patched": sorted(patched, key=order),
        "mocks": _mocks(acc["mocks"], relpath),
        "detector_rules": len(table),
    }
    if allowed:
        out["allowed"] = sorted(allowed, key=order)
    return out


def _via(name, first, relpath):
    """An unpatched primitive's name for a rule, and how its first call
    reached it (teeth_binding): "builtins.open" for a call of the builtin."""
    fn, code, offset, glb = first
    try:
        return binding(fn, name, code, offset, glb, relpath)
    except Exception as exc:  # a source teeth cannot read: the name as the detector spells it
        return name, {"kind": "unknown", "error": "%s: %s" % (type(exc).__name__, exc)}


def _table_name(name, canon, table):
    """A patched primitive's name as the detector's table keys it (the key
    the gate deactivates or exempts), e.g. threading.Lock.acquire for
    _thread.lock.acquire: the first name read for the same function."""
    target = table.get(name, canon)
    if target is not None:
        for key, obj in table.items():
            if obj is target:
                return key
    return name
def _mocks(found, relpath):
    out, seen = [], set()
    for obj, code, offset in found:
        name = call_text(code, offset) if code is not None else ""
        if not name:
            try:
                name = obj._extract_mock_name()
            except Exception:
                name = "?"
        kind = "autospec" if type(obj) is types.FunctionType else type(obj).__name__
        at = ""
        if code is not None:
            rel = relpath(code.co_filename)
            line = line_at(code, offset)
            at = "%s:%d" % (rel or code.co_filename, line) if line else (rel or "")
        key = (name, kind, at)
        if key not in seen:
            seen.add(key)
            out.append({"name": name, "type": kind, "at": at})
    return out
