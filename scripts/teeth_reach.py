"""What each test does while it runs: the sites it reaches, the functions it runs.

Part of teeth's pytest plugin; imports teeth_state, teeth_calls,
teeth_mutant, teeth_evidence and teeth_latent. Owns the current test's
record (``begin_test``, ``record``, ``end_test``), and the tracing behind it: the offload sites each test reaches
(``watch``: per call with ``sys.monitoring`` on Python 3.12+, per line with
``sys.settrace`` before or when ``TEETH_TRACE=settrace``), the source-root
functions it runs (``record_functions``), and every detector exception
*constructed* while it runs, even when production code catches it, with the
production frame it was raised from (``wrap_detector``), and, at baseline,
which frame caught it (``follow_latent``: teeth_latent).
"""

import importlib
import os
import sys
import time

import teeth_evidence as _ev
import teeth_latent as _latent
import teeth_mutant
import teeth_state as state
from teeth_calls import line_of, line_starts, resolve_calls

_CURRENT = None
_STATE = {}
_WATCH = {}  # realpath -> {line: [site index, ...]}, sites watched per line
_CALLS = {}  # realpath -> {(co_qualname, co_firstlineno): {call offset: (site index, next offset)}}
_REACH = "line"  # how this run records reach: "call" or "line"
_TOOL = None  # sys.monitoring tool id in use
_LATENT = False  # follow each detector exception to the frame that catches it


def begin_test(nodeid):
    """Starts the record of test nodeid, which becomes the current test."""
    global _CURRENT
    _CURRENT = nodeid
    if _TOOL is not None and _FUNCS:
        sys.monitoring.restart_events()  # per-test function coverage
    _ev.begin_test()
    _latent.begin()
    _STATE[nodeid] = {
        "funcs": set(),
        "sites": set(),
        "detector": [],
        "detector_at": [],
        "outcome": "passed",
        "duration": 0.0,
        "excerpt": "",
        "started": time.monotonic(),
        "t0": time.time(),  # the clock teeth reads too: when runs overlapped
    }


def record(nodeid):
    """The record of test nodeid while it runs, or None."""
    return _STATE.get(nodeid)


def end_test(nodeid, allow=None):
    """Ends test nodeid: its record, and its evidence (teeth_evidence.finish_test;
    allow is what the gate deliberately allowed while it ran)."""
    global _CURRENT
    st = _STATE.pop(nodeid)
    _CURRENT = None
    if _LATENT:
        st["latent"] = _latent.finish(project_rel, lambda f: _root_rel(f) is not None)
    return st, _ev.finish_test(_REACH, project_rel, allow)


def stop():
    """Stops tracing (pytest_unconfigure)."""
    if _TOOL is not None:
        sys.monitoring.set_events(_TOOL, 0)
        sys.monitoring.free_tool_id(_TOOL)
    _latent.stop()
    sys.settrace(None)


def _lines_for(filename):
    # Runs inside production frames while the gate is active: it must not call
    # anything the gate patches (os.path.realpath would trip Blockbuster).
    return _WATCH.get(filename)


def _hit(filename, line):
    """Records the site lines run by the current test; returns whether this
    is a site line."""
    entry = _lines_for(filename)
    sites = None if entry is None else entry.get(line)
    if sites is None:
        return False
    for idx in sites:
        _hit_index(idx)
    return True


def _hit_index(idx):
    if _CURRENT is not None:
        _STATE[_CURRENT]["sites"].add(idx)


def _start_monitoring():
    mon = sys.monitoring
    tool = next(i for i in range(6) if mon.get_tool(i) is None)  # free: _can_monitor said so
    global _TOOL
    mon.use_tool_id(tool, "teeth")
    _TOOL = tool
    events = mon.events

    def on_start(code, offset):
        _record_function(code)
        local = 0
        if _lines_for(code.co_filename) is not None:
            local |= events.LINE
        calls = _CALLS.get(code.co_filename)
        if calls is not None:
            offsets = calls.get((getattr(code, "co_qualname", code.co_name), code.co_firstlineno))
            if offsets:
                local |= _ev.local_events(code, offsets)
        if local:
            mon.set_local_events(tool, code, local)
        return mon.DISABLE

    def on_line(code, line):
        if not _hit(code.co_filename, line):
            return mon.DISABLE
        return None

    mon.register_callback(tool, events.PY_START, on_start)
    mon.register_callback(tool, events.LINE, on_line)
    _ev.monitor(tool, events.PY_START, _hit_index)
    mon.set_events(tool, events.PY_START)


def _start_settrace():
    import threading

    def local(frame, event, arg):
        if event == "line":
            _ev.line_event(frame, event)
            if _hit(frame.f_code.co_filename, frame.f_lineno):
                lines = _ev.line_window(frame.f_code.co_filename, frame.f_lineno)
                if lines is not None:
                    _ev.open_line_window(frame, lines)
        elif event == "return":
            _ev.line_event(frame, event)
        return local

    def global_(frame, event, arg):
        _record_function(frame.f_code)
        if _lines_for(frame.f_code.co_filename) is not None:
            return local
        return None

    sys.settrace(global_)
    threading.settrace(global_)


_ROOT_PREFIXES = []  # (absolute prefix, relative root) of each source root
_FUNCS = False  # record the source-root functions each test runs
_ROOT_FILES = {}  # co_filename -> slash path relative to the project, or None outside the roots


def _root_prefixes():
    if not _ROOT_PREFIXES:
        for root in state.CFG.get("roots", []):
            full = os.path.join(state.CFG["sandbox"], *root.split("/"))
            for name in {full, os.path.realpath(full)}:
                _ROOT_PREFIXES.append((name + os.sep, root.rstrip("/")))
    return _ROOT_PREFIXES


def _root_rel(filename):
    """The slash path of a source-root file relative to the project, or None.

    Runs inside production frames while the gate is active, so it uses string
    operations only: nothing the gate patches.
    """
    rel = _ROOT_FILES.get(filename, False)
    if rel is False:
        rel = None
        for prefix, root in _ROOT_PREFIXES:
            if filename.startswith(prefix):
                rel = root + "/" + filename[len(prefix) :].replace(os.sep, "/")
                break
        _ROOT_FILES[filename] = rel
    return rel


def _record_function(code):
    """Records that the current test ran a function of the source roots."""
    if not _FUNCS or _CURRENT is None:
        return
    rel = _root_rel(code.co_filename)
    if rel is not None:
        _STATE[_CURRENT]["funcs"].add(rel + ":" + getattr(code, "co_qualname", code.co_name))


def _production_frame():
    """The innermost source-root frame on the stack, and where it is,
    "path:line"; (None, "") when there is none."""
    frame = sys._getframe(2)
    while frame is not None:
        rel = _root_rel(frame.f_code.co_filename)
        if rel is not None:
            return frame, "%s:%d" % (rel, frame.f_lineno)
        frame = frame.f_back
    return None, ""


def project_rel(filename):
    """A file's slash path relative to the sandbox, or "" outside it."""
    rel = _root_rel(filename)
    if rel is not None:
        return rel
    sandbox = state.CFG.get("sandbox", "")
    for base in {sandbox, os.path.realpath(sandbox)} if sandbox else ():
        rel = state.under(filename, base)
        if rel is not None:
            return rel
    return ""


def wrap_detector(qualified):
    """Has the detector exception class (dotted name) record every instance
    constructed while a test runs, with the production frame it came from;
    returns the class, or None when it cannot be imported."""
    mod_name, _, cls_name = qualified.rpartition(".")
    try:
        cls = getattr(importlib.import_module(mod_name), cls_name)
    except Exception as exc:  # reported, and teeth stops with a config error
        state.emit({"ev": "detector-missing", "name": qualified, "error": repr(exc)})
        return None
    original = cls.__init__

    def __init__(self, *args, **kwargs):
        original(self, *args, **kwargs)
        if _CURRENT is not None:
            frame, at = _production_frame()
            _STATE[_CURRENT]["detector"].append(str(self))
            _STATE[_CURRENT]["detector_at"].append(at)
            if _LATENT:
                prim = args[0] if len(args) == 1 and isinstance(args[0], str) else str(self)
                _latent.track(self, prim, frame)

    cls.__init__ = __init__
    return cls


def watch(sites):
    """Starts recording which of these sites each test reaches.

    A site is [path, line], or {"path", "line", "call": [start, end], "window"}:
    call is the byte span of the file holding the call to watch (its outermost
    call instruction, matched by position on Python 3.12+), window whether to
    record what that call does on the loop (a mutant's un-offloaded call).
    """
    global _REACH
    _WATCH.clear()
    _CALLS.clear()
    _root_prefixes()
    per_call = _can_monitor()
    by_file = {}
    for i, site in enumerate(sites):
        if isinstance(site, dict):
            spec = (site["path"], site["line"], site.get("call"), bool(site.get("window")))
        else:
            spec = (site[0], site[1], None, False)
        by_file.setdefault(spec[0], []).append((i,) + spec[1:])
    _REACH = "call" if per_call else "line"
    windowed, line_windows = set(), {}
    for path, entries in by_file.items():
        full = os.path.join(state.CFG["sandbox"], *path.split("/"))
        names = {full, os.path.realpath(full)}
        source = _read(full) if any(e[2] for e in entries) else None
        resolved = {}
        if per_call and source is not None:
            resolved = _resolve(source, full, [(e[2][0], e[2][1], e[0]) for e in entries if e[2]])
        for i, line, call, window in entries:
            if window:
                windowed.add(i)
            if i in resolved:
                where, offset, after = resolved[i]
                for name in names:
                    _CALLS.setdefault(name, {}).setdefault(where, {})[offset] = (i, after)
                continue
            if per_call:
                _REACH = "line"  # no call instruction found: this site is watched per line
            for name in names:
                _WATCH.setdefault(name, {}).setdefault(line, []).append(i)
                if window and source is not None and not per_call:
                    last = line_of(line_starts(source), max(call[1] - 1, call[0]))
                    line_windows.setdefault(name, {})[line] = (line, last)
    _ev.reset_sites(windowed, line_windows)
    if sites:
        state.emit({"ev": "reach", "mode": _REACH})
    if (_WATCH or _CALLS or _FUNCS) and _TOOL is None and sys.gettrace() is None:
        if per_call:
            _start_monitoring()
        else:
            _start_settrace()  # before Python 3.12, or forced with TEETH_TRACE=settrace


def _can_monitor():
    """Whether this run traces with sys.monitoring: Python 3.12+, a free tool
    id, and no TEETH_TRACE=settrace."""
    if not hasattr(sys, "monitoring") or os.environ.get("TEETH_TRACE") == "settrace":
        return False
    return _TOOL is not None or any(sys.monitoring.get_tool(i) is None for i in range(6))


def _read(path):
    mutant = teeth_mutant.source(path)  # the mutant run's own bytes: never written into the sandbox
    if mutant is not None:
        return mutant
    try:
        with open(path, "rb") as f:
            return f.read()
    except OSError:
        return None


def _resolve(source, filename, spans):
    try:
        return resolve_calls(source, filename, spans)
    except (SyntaxError, ValueError, LookupError):
        return {}


def follow_latent():
    """Starts following each detector exception of a test to the frame that
    catches it (teeth_latent): at baseline."""
    global _LATENT
    _root_prefixes()
    _latent.install()
    _latent.monitor()
    _LATENT = True


def record_functions():
    """Starts recording the source-root functions each test runs."""
    global _FUNCS
    _root_prefixes()
    _FUNCS = True
