"""What an un-offloaded call did on the event loop: teeth's evidence for a mutant run.

Imported by teeth_plugin; imports nothing of teeth's. Two jobs:

* **Where a call is.** ``resolve_calls`` compiles a file the way the import
  system does and maps a byte span of it to the call instruction that spans
  it (``co_positions``: lines, and UTF-8 byte columns within a line), so that
  on Python 3.12+ reach is recorded per call with ``sys.monitoring`` CALL
  events instead of per line.
* **What the call did.** While the un-offloaded call of a mutant runs, a
  *window* is open on the thread that made it: the time until the call
  returns, whether an asyncio loop was running on that thread (so the loop
  was blocked in it), every C-level callable it invoked (``sys.monitoring``
  CALL / C_RETURN / C_RAISE on 3.12+; ``sys.setprofile`` c_call / c_return
  where only line tracing exists, the window then being the site's lines),
  and every ``unittest.mock`` object it called. After the test, the C calls
  are kept only if they are known blocking primitives, split into those the
  installed detector patches and those it does not; the detector's table is
  read at run time from Blockbuster's own ``BlockBuster.functions`` mapping.

The callbacks run inside production frames while the gate is active: they
use only builtins, attribute reads on C objects, ``time.perf_counter``,
``_thread.get_ident`` and ``asyncio``'s running-loop lookup, nothing the gate
patches, and they never read an attribute of a mock (that would create a child).
"""

import dis
import gc
import linecache
import sys
import types
import weakref
from _thread import get_ident
from asyncio import events as _aio_events
from time import perf_counter

_running_loop = _aio_events._get_running_loop

# --- where a call is ---------------------------------------------------------

_CALL_OPS = {"CALL", "CALL_KW", "CALL_FUNCTION_EX"}


def line_starts(source):
    """Byte offset of the start of each line of source (\\n, \\r\\n or \\r)."""
    starts = [0]
    i, n = 0, len(source)
    while i < n:
        c = source[i]
        if c == 10 or (c == 13 and (i + 1 >= n or source[i + 1] != 10)):
            starts.append(i + 1)
        i += 1
    return starts


def line_of(starts, offset):
    """The 1-based line of a byte offset."""
    lo, hi = 0, len(starts)
    while lo + 1 < hi:
        mid = (lo + hi) // 2
        if starts[mid] <= offset:
            lo = mid
        else:
            hi = mid
    return lo + 1


def _codes(code):
    yield code
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            yield from _codes(const)


def resolve_calls(source, filename, spans):
    """Maps each (start, end, key) byte span to the outermost call instruction
    inside it: {key: ((co_qualname, co_firstlineno), offset, next offset)},
    next offset being the instruction the frame resumes at once the call
    returns. A span with no call instruction is left out."""
    code = compile(source, filename, "exec", dont_inherit=True)
    starts = line_starts(source)
    best = {}
    for co in _codes(code):
        where = (co.co_qualname, co.co_firstlineno)
        instructions = list(dis.get_instructions(co))
        for i, ins in enumerate(instructions[:-1]):
            pos = ins.positions
            if ins.opname not in _CALL_OPS or pos is None or None in (pos.lineno, pos.end_lineno, pos.col_offset, pos.end_col_offset):
                continue
            if pos.end_lineno > len(starts) or pos.lineno > len(starts):
                continue
            a = starts[pos.lineno - 1] + pos.col_offset
            b = starts[pos.end_lineno - 1] + pos.end_col_offset
            for start, end, key in spans:
                if start <= a and b <= end and (key not in best or b - a > best[key][0]):
                    best[key] = (b - a, where, ins.offset, instructions[i + 1].offset)
    return {key: (where, offset, after) for key, (_, where, offset, after) in best.items()}


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
    _ACC = {"runs": 0, "on_loop": 0, "lazy": 0, "loop_s": 0.0, "prims": {}, "mocks": []}
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


def _count(fn, arg0, seconds):
    try:
        name, canon = describe(fn, arg0)
    except Exception:  # never let a name break the code under test
        name, canon = "?", None
    entry = _ACC["prims"].get(name)
    if entry is None:
        _ACC["prims"][name] = [1, seconds, canon]
    else:
        entry[0] += 1
        entry[1] += seconds


def _observe(w, code, offset, fn, arg0, mock_cls):
    tp = type(fn)
    if tp in _C_TYPES or (tp is type and not fn.__flags__ & _HEAPTYPE):
        w.stack.append((fn, code, offset, perf_counter(), arg0))
    elif _is_mock(fn, mock_cls):
        _ACC["mocks"].append((fn, code, offset))


def _returned(w, code, offset, fn, now):
    st = w.stack
    for i in range(len(st) - 1, max(len(st) - 8, 0) - 1, -1):
        entry = st[i]
        if entry[0] is fn and entry[1] is code and entry[2] == offset:
            del st[i:]
            _count(fn, entry[4], now - entry[3])
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
    _observe(w, code, offset, fn, arg0, mock_cls)
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
        w.stack.append((arg, None, 0, perf_counter(), _MISSING))
    elif event == "c_return" or event == "c_exception":
        # A method's c_call and c_return carry two bound-method objects, equal
        # but not identical; a missed return leaves its entry: match the
        # nearest equal entry and drop what is above it.
        st = w.stack
        for i in range(len(st) - 1, max(len(st) - 8, 0) - 1, -1):
            if st[i][0] == arg:
                t0 = st[i][3]
                del st[i:]
                _count(arg, _MISSING, perf_counter() - t0)
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


# --- naming C callables ----------------------------------------------------------

_MISSING = object()
_MODULES = {
    "posix": "os", "nt": "os", "_io": "io", "_socket": "socket", "_ssl": "ssl", "_sqlite3": "sqlite3",
    "_hashlib": "hashlib", "_sha1": "hashlib", "_sha2": "hashlib", "_sha256": "hashlib", "_sha512": "hashlib",
    "_sha3": "hashlib", "_md5": "hashlib", "_blake2": "hashlib", "_posixsubprocess": "subprocess",
    "_bz2": "bz2", "_lzma": "lzma", "_queue": "queue", "_pickle": "pickle", "_json": "json",
}


def _module(name):
    return _MODULES.get(name, name or "builtins")


def _qual(cls):
    return _module(getattr(cls, "__module__", "")) + "." + getattr(cls, "__qualname__", cls.__name__)


def _lookup(cls, name):
    for klass in cls.__mro__:
        found = klass.__dict__.get(name)
        if found is not None:
            return found
    return None


def describe(fn, arg0=_MISSING):
    """A C callable's name in the detector's spelling ("os.fsync",
    "io.BufferedWriter.write"), and the object that identifies it: the module
    function or the method descriptor."""
    tp = type(fn)
    if tp is types.BuiltinFunctionType:
        owner = fn.__self__
        if owner is None or isinstance(owner, types.ModuleType):
            mod = fn.__module__ or (owner.__name__ if owner is not None else "builtins")
            return _module(mod) + "." + fn.__name__, fn
        cls = owner if isinstance(owner, type) else type(owner)
        canon = _lookup(cls, fn.__name__)
        return _qual(cls) + "." + fn.__name__, canon if canon is not None else fn
    if tp is types.MethodWrapperType:
        cls = type(fn.__self__)
        canon = _lookup(cls, fn.__name__)
        return _qual(cls) + "." + fn.__name__, canon if canon is not None else fn
    if tp in (types.MethodDescriptorType, types.WrapperDescriptorType, types.ClassMethodDescriptorType):
        cls = fn.__objclass__
        if arg0 is not _MISSING and issubclass(type(arg0), cls):
            cls = type(arg0)
        return _qual(cls) + "." + fn.__name__, fn
    if tp is type:
        return _qual(fn), fn
    return tp.__name__, fn


# Known blocking primitives: C callables of these modules (their names as
# describe spells them), less the ones that do no IO.
_BLOCKING_MODULES = {
    "os", "io", "socket", "select", "fcntl", "hashlib", "zlib", "bz2", "lzma", "subprocess", "sqlite3",
    "ssl", "mmap", "termios", "pwd", "grp", "queue", "_thread", "resource",
}
_BLOCKING_NAMES = {"time.sleep", "builtins.input", "builtins.open"}
_NOT_BLOCKING_PREFIXES = ("io.StringIO", "io.BytesIO", "io.IncrementalNewlineDecoder", "io.text_encoding", "os.stat_result",
                          "os.terminal_size", "os.times_result", "os.uname_result", "os.DirEntry.name", "os.DirEntry.path")
_NOT_BLOCKING_OS = {
    "fspath", "getpid", "getppid", "getuid", "geteuid", "getgid", "getegid", "getgroups", "getpgrp", "getpgid",
    "getsid", "strerror", "cpu_count", "get_blocking", "set_blocking", "get_inheritable", "set_inheritable",
    "register_at_fork", "waitstatus_to_exitcode", "WIFEXITED", "WEXITSTATUS", "WIFSIGNALED", "WTERMSIG",
    "WIFSTOPPED", "WSTOPSIG", "WCOREDUMP", "WIFCONTINUED", "umask", "putenv", "unsetenv", "getenv", "fsencode",
    "fsdecode", "get_exec_path", "getlogin", "uname", "times", "sched_getaffinity", "process_cpu_count", "device_encoding",
}


_NOT_BLOCKING_METHODS = {"fileno", "isatty", "readable", "writable", "seekable", "tell", "detach", "__enter__", "__iter__"}


def blocking(name):
    """Whether a C callable's name is a known blocking primitive."""
    if name in _BLOCKING_NAMES:
        return True
    if name.startswith(_NOT_BLOCKING_PREFIXES) or name.rpartition(".")[2] in _NOT_BLOCKING_METHODS:
        return False
    mod, _, rest = name.partition(".")
    if mod == "os":
        return rest not in _NOT_BLOCKING_OS
    if mod == "_thread":
        return rest.endswith(".acquire") or rest.endswith(".acquire_lock")
    if mod == "queue":
        return rest.endswith(".get") or rest.endswith(".put")
    return mod in _BLOCKING_MODULES


# --- the detector's table -----------------------------------------------------------

_GATES = weakref.WeakSet()  # live BlockBuster instances
_SEEN = {}  # name -> identifying object, of every table read so far
_TABLE = {"classes": [], "read": False}


def track_detectors(detectors):
    """Wraps the BlockBuster class of each detector's package, if it has one,
    so that the gate's instances and their tables can be read later."""
    for qualified in detectors:
        mod = sys.modules.get(qualified.split(".")[0])
        cls = getattr(mod, "BlockBuster", None) if mod is not None else None
        if not isinstance(cls, type) or cls in _TABLE["classes"]:
            continue
        _TABLE["classes"].append(cls)
        original = cls.__init__

        def __init__(self, *args, _original=original, **kwargs):
            _original(self, *args, **kwargs)
            try:
                _GATES.add(self)
                _read_table(self)
            except Exception:
                pass

        cls.__init__ = __init__


def _read_table(gate):
    functions = getattr(gate, "functions", None)
    if not isinstance(functions, dict):
        return
    _TABLE["read"] = True
    for key, entry in functions.items():
        original = getattr(entry, "original_func", None)
        for name in (key, getattr(entry, "full_name", None)):
            if isinstance(name, str):
                _SEEN[name] = original
        if original is not None:
            try:
                _SEEN[describe(original)[0]] = original
            except Exception:
                pass


def detector_table():
    """The names and identifying objects of every function the installed
    detector patches, read from the live gates' tables (and, when no gate was
    seen being made, from any BlockBuster instance still alive, or a new one)."""
    if not _GATES and _TABLE["classes"] and not _TABLE["read"]:
        classes = tuple(_TABLE["classes"])
        for obj in gc.get_objects():
            if isinstance(obj, classes):
                _GATES.add(obj)
        if not _GATES:
            # No gate made yet (say a test that opts out ran first): a fresh,
            # never activated instance holds the installed version's table.
            for cls in classes:
                try:
                    _read_table(cls())
                except Exception:
                    pass
    for gate in list(_GATES):
        _read_table(gate)
    return _SEEN


# --- after the test ------------------------------------------------------------------


def finish_test(reach, relpath):
    """The evidence of the test that just ended, or None if its windowed call
    never ran. relpath names a file relative to the project ("" outside it).
    Reads files: call it only while no event loop runs."""
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
    unpatched, patched = [], []
    for name, (n, seconds, canon) in acc["prims"].items():
        if not blocking(name):
            continue
        rec = {"name": name, "calls": n, "s": round(seconds, 6)}
        (patched if name in table or id(canon) in patched_ids else unpatched).append(rec)
    order = lambda r: (-r["s"], r["name"])  # noqa: E731
    return {
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
            line = _line_at(code, offset)
            at = "%s:%d" % (rel or code.co_filename, line) if line else (rel or "")
        key = (name, kind, at)
        if key not in seen:
            seen.add(key)
            out.append({"name": name, "type": kind, "at": at})
    return out


def positions_at(code, offset):
    """The (lineno, end_lineno, col, end_col) of the instruction at offset, or None."""
    if offset < 0 or not hasattr(code, "co_positions"):
        return None
    for i, pos in enumerate(code.co_positions()):
        if i * 2 == offset:
            return pos
    return None


def _line_at(code, offset):
    pos = positions_at(code, offset)
    if pos is not None and pos[0]:
        return pos[0]
    for start, end, line in code.co_lines() if hasattr(code, "co_lines") else ():
        if start <= offset < end and line:
            return line
    return 0


def call_text(code, offset):
    """The callee expression of the call instruction at offset ("os.listdir"
    for "os.listdir(path)"), from the source; "" when unknown. Reads files:
    call it only while no event loop runs (after the test)."""
    pos = positions_at(code, offset)
    if pos is None or None in pos:
        return ""
    first, last, col, end_col = pos
    lines = [linecache.getline(code.co_filename, n).encode("utf-8") for n in range(first, last + 1)]
    if not lines or not lines[0]:
        return ""
    lines[-1] = lines[-1][:end_col]
    lines[0] = lines[0][col:]
    text = b"".join(lines).decode("utf-8", "replace").strip()
    return callee_of(text)


def callee_of(text):
    """The callee part of a call expression's text: "a.b" for "a.b(x, (y))"."""
    if not text.endswith(")"):
        return " ".join(text.split())
    depth = 0
    for i in range(len(text) - 1, -1, -1):
        c = text[i]
        if c == ")":
            depth += 1
        elif c == "(":
            depth -= 1
            if depth == 0:
                return " ".join(text[:i].split())
    return " ".join(text.split())
