"""Who caught each detector exception a passing test raised: teeth's latent blocking calls.

Imported by teeth_reach; imports teeth_calls. When the gate raises inside a
test that still passes, something between the blocking frame and the test
swallowed the detector's exception: a broad ``except``, a ``with`` whose
``__exit__`` suppressed it (``contextlib.suppress``), logging's
``Handler.emit`` (which calls ``handleError``, prints "--- Logging error ---"
and drops the record), or a task whose exception nobody retrieved. This
module follows every detector exception constructed during a baseline test
(``track``) and says at the test's end (``finish``) which frame caught it,
as the interpreter saw it:

- on Python 3.12+, ``sys.monitoring`` events of a tool of its own, on only
  while a detector exception is in flight: RAISE and RERAISE (it propagates),
  EXCEPTION_HANDLED (a handler of that frame took it), PY_UNWIND (it left the
  frame). The last handler that took it without raising it again caught it;
  an exception that unwound out of a coroutine's outermost frame went into
  its task;
- elsewhere (or with ``TEETH_TRACE=settrace``), the exception's traceback:
  its first entry is the frame it stopped in, and the frame's exception
  table (3.11+) names the handler that took it there.

The handler is then read from the frame's bytecode: an ``except`` clause
(the first whose types, resolved in the frame's own namespaces, match the
exception), a ``with`` statement's exit (its context manager's callee,
resolved the same way: ``contextlib.suppress``), or a coroutine's end. The
loop's ``call_exception_handler`` is wrapped once (``install``), so that a
task's "exception was never retrieved" is known.

The callbacks run inside production frames while the gate is active: they
store frames and offsets only; everything else waits for ``finish``, which
runs after the test, with no loop running.
"""

import dis
import gc
import os
import sys

from teeth_calls import call_text

_CO_ASYNC = 0x80 | 0x100 | 0x200  # coroutine, iterable coroutine, async generator
_TRACKED = {}  # id(exc) -> record, while a test runs
_REPORTED = {}  # id(exc) -> "never retrieved" message of the loop
_MON = {"tool": None, "on": False}


def install():
    """Wraps asyncio's BaseEventLoop.call_exception_handler, once, to learn
    which detector exceptions a task never retrieved."""
    try:
        import asyncio.base_events as be
    except Exception:
        return
    original = be.BaseEventLoop.call_exception_handler
    if getattr(original, "_teeth", False):
        return

    def call_exception_handler(self, context):
        exc = context.get("exception") if isinstance(context, dict) else None
        if exc is not None and id(exc) in _TRACKED:
            _REPORTED[id(exc)] = str(context.get("message") or "")
        return original(self, context)

    call_exception_handler._teeth = True
    be.BaseEventLoop.call_exception_handler = call_exception_handler


def begin():
    """Forgets the previous test's exceptions."""
    _TRACKED.clear()
    _REPORTED.clear()


def track(exc, primitive, frame):
    """Follows detector exception exc, constructed for primitive with frame
    (the innermost source-root frame, or None) on the stack."""
    if frame is None:
        return  # not raised for project code
    _TRACKED[id(exc)] = {"exc": exc, "primitive": primitive, "at": (frame.f_code, frame.f_lineno), "state": "raised", "frame": None, "offset": -1}
    if _MON["tool"] is not None and not _MON["on"]:
        ev = sys.monitoring.events
        sys.monitoring.set_events(_MON["tool"], ev.RAISE | ev.RERAISE | ev.EXCEPTION_HANDLED | ev.PY_UNWIND)
        _MON["on"] = True


def monitor():
    """Follows exceptions with sys.monitoring when Python has it (3.12+),
    TEETH_TRACE does not ask for settrace, and a tool id is free."""
    if _MON["tool"] is not None or not hasattr(sys, "monitoring") or os.environ.get("TEETH_TRACE") == "settrace":
        return
    mon = sys.monitoring
    free = [i for i in range(6) if mon.get_tool(i) is None]
    if not free:
        return
    tool = free[-1]
    mon.use_tool_id(tool, "teeth-latent")
    ev = mon.events
    mon.register_callback(tool, ev.RAISE, _on_raise)
    mon.register_callback(tool, ev.RERAISE, _on_raise)
    mon.register_callback(tool, ev.EXCEPTION_HANDLED, _on_handled)
    mon.register_callback(tool, ev.PY_UNWIND, _on_unwind)
    _MON["tool"] = tool


def stop():
    """Gives the tool id back (pytest_unconfigure)."""
    tool = _MON["tool"]
    if tool is not None:
        sys.monitoring.set_events(tool, 0)
        sys.monitoring.free_tool_id(tool)
        _MON["tool"], _MON["on"] = None, False


def _record(exc):
    rec = _TRACKED.get(id(exc))
    return rec if rec is not None and rec["exc"] is exc else None


def _on_raise(code, offset, exc):
    rec = _record(exc)
    if rec is not None:
        rec["state"] = "raised"


def _on_handled(code, offset, exc):
    rec = _record(exc)
    if rec is not None:
        rec["state"], rec["frame"], rec["offset"] = "handled", sys._getframe(1), offset


def _on_unwind(code, offset, exc):
    rec = _record(exc)
    if rec is not None:
        rec["state"], rec["frame"], rec["offset"] = "unwound", sys._getframe(1), offset


# --- after the test -------------------------------------------------------------


def finish(relpath, in_roots):
    """The detector exceptions of the test that just ended, each with its
    catcher, deduplicated: [{"primitive", "at", "function", "catcher"}].
    relpath names a file relative to the project ("" outside it);
    in_roots says whether a file is in the source roots."""
    if _MON["on"]:
        sys.monitoring.set_events(_MON["tool"], 0)
        _MON["on"] = False
    if not _TRACKED:
        return []
    if any(_task_pending(rec) for rec in _TRACKED.values()):
        gc.collect()  # a task dropped but not yet freed reports its exception now
    out, seen = [], set()
    for rec in _TRACKED.values():
        code, line = rec["at"]
        at = "%s:%d" % (relpath(code.co_filename) or code.co_filename, line)
        try:
            catcher = _catcher(rec, relpath, in_roots)
        except Exception as exc:  # a bytecode teeth cannot read: say so, never break the run
            catcher = {"kind": "unknown", "detail": "teeth could not read the handler: %s: %s" % (type(exc).__name__, exc)}
        key = (rec["primitive"], at, catcher.get("at", ""), catcher["kind"])
        if key in seen:
            continue
        seen.add(key)
        out.append({"primitive": rec["primitive"], "at": at, "function": _qualname(code), "catcher": catcher})
    _TRACKED.clear()
    _REPORTED.clear()
    return out


def _task_pending(rec):
    state, frame, _ = _final(rec)
    return state == "unwound" and frame is not None and frame.f_code.co_flags & _CO_ASYNC and id(rec["exc"]) not in _REPORTED


def _final(rec):
    """(state, frame, handler offset): from the events, or, without them,
    from the exception's traceback and the frame's exception table."""
    if _MON["tool"] is not None:
        return rec["state"], rec["frame"], rec["offset"]
    tb = getattr(rec["exc"], "__traceback__", None)
    if tb is None:
        return "raised", None, -1
    frame = tb.tb_frame
    entries = getattr(dis.Bytecode(frame.f_code), "exception_entries", None)
    if entries is None:  # before 3.11: no exception table; it stopped in this frame
        if frame.f_code.co_flags & _CO_ASYNC and id(rec["exc"]) in _REPORTED:
            return "unwound", frame, -1  # the loop reported it: its task took it
        return "handled", frame, -1
    target = _walk(frame, tb.tb_lasti, rec["exc"], entries)
    return ("unwound", frame, -1) if target < 0 else ("handled", frame, target)


def _walk(frame, lasti, exc, entries):
    """The offset of the handler that took exc in frame, following the
    exception table from lasti: past finally blocks and except clauses that
    do not match (each re-raises into the next handler out), to an except
    clause that matches, a bare except or a with statement's exit (the
    traceback ends in this frame: its exit suppressed it); -1 when the
    frame has none, or only its coroutine's own wrapper: it left the frame."""
    ins = _instructions(frame.f_code)
    index = {x.offset: i for i, x in enumerate(ins)}
    offset = lasti
    for _ in range(32):
        target = next((e.target for e in entries if e.start <= offset < e.end), -1)
        if target not in index:
            return -1
        i = index[target] + (1 if ins[index[target]].opname == "PUSH_EXC_INFO" else 0)
        again = _passes_on(ins, i, index, frame, exc)
        if again is None:
            return target
        offset = again
    return -1


def _passes_on(ins, i, index, frame, exc):
    """None when the handler from ins[i] takes exc; else the offset of the
    RERAISE by which it passes exc on."""
    clause = i  # where the current except clause's type expression starts
    for _ in range(256):
        if i >= len(ins):
            return -1
        op = ins[i].opname
        if op == "POP_EXCEPT" and i + 1 < len(ins) and ins[i + 1].opname == "RERAISE":
            return ins[i + 1].offset  # a handler's cleanup: it raises again
        if op == "WITH_EXCEPT_START" or op == "POP_EXCEPT":
            return None  # a with statement's exit, or a handler that ended without raising: a bare except
        if op in ("RERAISE", "CALL_INTRINSIC_1"):  # a finally's end, a cleanup, a coroutine's wrapper
            j = next((k for k in range(i, len(ins)) if ins[k].opname == "RERAISE"), i)
            return ins[j].offset
        if op == "CHECK_EXC_MATCH":
            stack, names = [], []
            for k in range(clause, i):
                _load(ins[k], stack, names, frame)
            try:
                matched = not stack or stack[-1] is None or isinstance(exc, stack[-1])
            except Exception:
                matched = True  # types teeth cannot read: say it stopped here
            jump = ins[i + 1] if i + 1 < len(ins) else None
            if matched or jump is None or not jump.opname.startswith("POP_JUMP") or jump.argval not in index:
                return None
            i = clause = index[jump.argval]
            continue
        i += 1
    return -1


def _catcher(rec, relpath, in_roots):
    state, frame, offset = _final(rec)
    exc = rec["exc"]
    if state == "raised" or frame is None:
        return {"kind": "unknown", "detail": "it was not raised, or teeth lost it on the way"}
    code = frame.f_code
    rel = relpath(code.co_filename)
    if state == "unwound":
        if code.co_flags & _CO_ASYNC:
            return _task(code, frame, rel, exc)
        where = "%s:%d" % (rel or _short(code.co_filename), frame.f_lineno)
        return {"kind": "native", "at": where, "function": _qualname(code),
                "detail": "it left Python code at %s in %s: the C code that called it dropped it" % (where, _qualname(code))}
    line, how = _describe(code, offset, frame, exc)
    out = {"at": "%s:%d" % (rel or _short(code.co_filename), line), "function": _qualname(code), "how": how}
    module = frame.f_globals.get("__name__", "") if isinstance(frame.f_globals, dict) else ""
    if rel and in_roots(code.co_filename):
        out["kind"] = "project"
    elif rel:
        out["kind"] = "test"
    elif module == "logging" or module.startswith("logging."):
        out["kind"], out["detail"] = "logging", _logging_detail(frame)
    else:
        out["kind"] = "library"
        out["package"] = _package(module, code.co_filename)
    return out


def _task(code, frame, rel, exc):
    coro = "%s in %s" % (_qualname(code), rel or _short(code.co_filename))
    msg = _REPORTED.get(id(exc))
    if msg is not None:
        how = "never retrieved"
        detail = "the task running %s ended with it and nothing retrieved it (the loop: %s)" % (coro, msg or "reported")
    else:
        how = "taken from the task"
        detail = ("the task running %s ended with it, and something took it from the task without raising it "
                  "(asyncio.gather(return_exceptions=True), Task.exception()) or the task outlived the test" % coro)
    return {"kind": "task", "at": "%s:%d" % (rel or _short(code.co_filename), frame.f_lineno), "function": _qualname(code),
            "how": how, "detail": detail}


def _logging_detail(frame):
    handler = frame.f_locals.get("self") if frame.f_locals is not None else None
    record = frame.f_locals.get("record") if frame.f_locals is not None else None
    name = type(handler).__name__ if handler is not None else "a handler"
    whose = " of logger %s" % record.name if record is not None and hasattr(record, "name") else ""
    printed = ""
    logging = sys.modules.get("logging")
    if logging is not None and getattr(logging, "raiseExceptions", False):
        printed = ", which printed --- Logging error --- to stderr"
    return "%s.emit caught it and called handleError%s: the record%s was lost" % (name, printed, whose)


def _package(module, filename):
    top = module.split(".")[0] if module else os.path.basename(os.path.dirname(filename))
    if top in getattr(sys, "stdlib_module_names", ()):
        return top + " (standard library)"
    try:
        from importlib.metadata import packages_distributions

        dists = packages_distributions().get(top)
    except Exception:
        dists = None
    if dists and dists[0] != top:
        return "%s (%s)" % (top, dists[0])
    return top


# --- the handler, from the bytecode -------------------------------------------------


def _instructions(code):
    return list(dis.get_instructions(code))


def _describe(code, offset, frame, exc):
    """(line, how) of the handler at offset: "except Exception", "with
    contextlib.suppress", "finally"; the frame's current line when unknown."""
    ins = _instructions(code)
    at = next((i for i, x in enumerate(ins) if x.offset == offset), None)
    if at is None:
        return frame.f_lineno, "caught there"
    if ins[at].opname == "PUSH_EXC_INFO":
        at += 1
    first = ins[at] if at < len(ins) else None
    if first is None:
        return frame.f_lineno, "caught there"
    if first.opname == "WITH_EXCEPT_START":
        return _line(first, frame), "with " + _context_manager(code, ins, offset, frame)
    return _clause(ins, at, frame, exc)


def _line(ins, frame):
    pos = getattr(ins, "positions", None)
    line = getattr(pos, "lineno", None) if pos is not None else None
    return line or ins.starts_line or frame.f_lineno


def _clause(ins, at, frame, exc):
    """The except clause that matches exc, scanning the handler's clauses."""
    by_offset = {x.offset: i for i, x in enumerate(ins)}
    first_line = None
    for _ in range(64):
        if at >= len(ins):
            break
        start = ins[at]
        line = _line(start, frame)
        first_line = first_line or line
        stack, names, i = [], [], at
        while i < len(ins) and ins[i].opname not in ("CHECK_EXC_MATCH", "RERAISE", "POP_TOP", "STORE_FAST", "STORE_NAME"):
            _load(ins[i], stack, names, frame)
            i += 1
        if i >= len(ins) or ins[i].opname != "CHECK_EXC_MATCH":
            if ins[min(i, len(ins) - 1)].opname == "RERAISE":
                break
            return line, "except:"  # a bare except takes everything
        types = stack[-1] if stack else None
        matched = True
        if types is not None:
            try:
                matched = isinstance(exc, types)
            except Exception:
                matched = True
        how = "except " + (names[-1] if names else "?")
        if matched:
            return line, how
        jump = ins[i + 1] if i + 1 < len(ins) else None
        if jump is None or not jump.opname.startswith("POP_JUMP") or jump.argval not in by_offset:
            return line, how
        at = by_offset[jump.argval]
    return first_line or frame.f_lineno, "caught there"


def _load(ins, stack, names, frame):
    """Simulates the instructions that load an except clause's types."""
    op, arg = ins.opname, ins.argval
    if op in ("LOAD_GLOBAL", "LOAD_NAME", "LOAD_FAST", "LOAD_DEREF", "LOAD_FAST_CHECK"):
        stack.append(_resolve(arg, frame))
        names.append(str(arg))
    elif op in ("LOAD_ATTR", "LOAD_METHOD") and stack:
        stack[-1] = getattr(stack[-1], str(arg), None)
        names[-1] = names[-1] + "." + str(arg)
    elif op == "BUILD_TUPLE" and isinstance(arg, int) and arg <= len(stack):
        items, text = stack[len(stack) - arg :], names[len(names) - arg :]
        del stack[len(stack) - arg :], names[len(names) - arg :]
        stack.append(tuple(items) if all(x is not None for x in items) else None)
        names.append("(" + ", ".join(text) + ")")
    elif op == "LOAD_CONST":
        stack.append(arg)
        names.append(repr(arg))


def _resolve(name, frame):
    """A name as the frame sees it: its locals, its globals, its builtins."""
    name = str(name)
    for space in (frame.f_locals, frame.f_globals, frame.f_builtins):
        if isinstance(space, dict) and name in space:
            return space[name]
        try:
            if name in space:
                return space[name]
        except Exception:
            pass
    return None


def _context_manager(code, ins, handler, frame):
    """The callee that made the with statement's context manager, by the
    name its object has (contextlib.suppress), else as written."""
    entries = getattr(dis.Bytecode(code), "exception_entries", None) or []
    start = min((e.start for e in entries if e.target == handler), default=-1)
    before = [x for x in ins if x.offset < start and x.opname in ("BEFORE_WITH", "BEFORE_ASYNC_WITH")]
    if not before:
        return "a context manager"
    i = ins.index(before[-1])
    call = ins[i - 1] if i > 0 else None
    if call is None or not call.opname.startswith("CALL"):
        return "a context manager"
    text = call_text(code, call.offset)
    obj = _resolve_dotted(text, frame)
    if obj is not None and getattr(obj, "__qualname__", None):
        return "%s.%s" % (getattr(obj, "__module__", "?"), obj.__qualname__)
    return text or "a context manager"


def _resolve_dotted(text, frame):
    parts = text.split(".") if text else []
    if not parts or not all(p.isidentifier() for p in parts):
        return None
    obj = _resolve(parts[0], frame)
    for p in parts[1:]:
        obj = getattr(obj, p, None)
    return obj


def _qualname(code):
    return getattr(code, "co_qualname", code.co_name)


def _short(filename):
    """A file outside the project as its last two path parts."""
    parts = filename.replace(os.sep, "/").split("/")
    return "/".join(parts[-2:])
