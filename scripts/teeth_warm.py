"""teeth's warm path: one pytest process per worker that imports and collects once.

Registered by teeth_plugin when the run's config says ``serve``; imports
teeth_state, teeth_reach, teeth_modules, teeth_mutant, teeth_rules, teeth_stack
and teeth_guard, never teeth_plugin (whose hooks its children run through pytest).
Instead of running tests, the session reads JSON requests, one per line, from
the file descriptor ``serve_in`` and, for each, forks a child that runs the
selected anchors and exits; several children may run at once (teeth starts
more while they wait and the cores idle), so the server waits for the next
request and for its children's ends together. A child never shares a mutant
with its siblings: it loads the mutant's bytes from the private file the
request names (teeth_mutant). For a module imported at fork time it swaps
the mutated function's code object in place (``function.__code__``), so
every reference to the function sees the mutant; a module not imported yet
is imported by the child, from those bytes. Without a mutant (the baseline,
the restore check) it runs the anchors as they are. Replies go to
``serve_out``, each with its request's ``id``: ``{"child": pid}`` once
forked, then ``{"done": status}``; or ``{"fallback": reason}`` when forking or
swapping is not safe, and teeth runs that mutant in a fresh process instead.

A child leaves nothing of the warm process's plumbing for its tests to see:
it closes its copies of the request and reply pipes, of the handles on its
siblings and of the warm process's results file before any test runs, arms
its own stack dump, and sends its output (pytest's and the tests') to the
pipe the request names, through capture files of its own.
"""

import json
import os
import select
import signal
import sys
import threading
import types

import pytest
import teeth_guard
import teeth_modules
import teeth_mutant
import teeth_reach
import teeth_rules
import teeth_stack
import teeth_state

_HELPER_PREFIXES = ("_teeth_on_loop", "_teeth_loop_future")


@pytest.hookimpl(tryfirst=True)
def pytest_runtestloop(session):
    cfg = teeth_state.CFG
    requests = int(cfg["serve_in"])
    replies = os.fdopen(int(cfg["serve_out"]), "w", encoding="utf-8", buffering=1)
    items = {it.nodeid: it for it in session.items}
    _prime(session)
    _reply(replies, {"ready": True})
    children = {}  # pid -> [request id, pidfd or -1]
    pending, reading = b"", True
    while reading or children:
        watched = [c[1] for c in children.values() if c[1] >= 0]
        polled = any(c[1] < 0 for c in children.values())
        ready = select.select(([requests] if reading else []) + watched, [], [], 0.02 if polled else None)[0]
        if requests in ready:
            data = os.read(requests, 1 << 16)
            reading = bool(data)
            pending += data
            *lines, pending = pending.split(b"\n")
            for line in lines:
                req = json.loads(line) if line.strip() else {}
                if req.get("op") == "quit":
                    reading = False
                elif req and reading:
                    _serve(session, items, req, requests, replies, children)
            if not reading:
                _kill_all(children)  # teeth is done with this process, or gone: nobody waits for them
        _reap(children, replies, ready, polled)
    return True


def _serve(session, items, req, requests, replies, children):
    """Forks the child of one request and says so (or why it cannot)."""
    blocker = fork_blocker()
    if blocker:
        _reply(replies, {"id": req.get("id"), "fallback": blocker})
        return
    sys.stdout.flush()  # nothing of the server's is left for a child to write
    sys.stderr.flush()
    server = os.getpid()
    pid = os.fork()
    if pid == 0:
        code = 70
        try:
            teeth_guard.die_with_parent(server)
            os.close(requests)  # the warm process's plumbing: not the tests' business
            replies.close()
            for _, fd in children.values():
                if fd >= 0:
                    os.close(fd)
            code = _child(session, items, req)
        finally:
            os._exit(code)
    teeth_guard.watch(pid)  # its process group dies with teeth too
    children[pid] = [req.get("id"), _pidfd(pid)]
    _reply(replies, {"id": req.get("id"), "child": pid})


def _pidfd(pid):
    """A descriptor that turns readable when child pid ends (Linux 5.3+,
    Python 3.9+), or -1: the server then polls for it."""
    try:
        return os.pidfd_open(pid)
    except (AttributeError, OSError):
        return -1


def _reap(children, replies, ready, polled):
    """Says "done" for every child that has ended."""
    for pid, (rid, fd) in list(children.items()):
        if fd >= 0 and fd not in ready:
            continue
        if fd < 0 and not polled:
            continue
        got, status = os.waitpid(pid, os.WNOHANG)
        if got != pid:
            continue
        teeth_guard.unwatch(pid)
        if fd >= 0:
            os.close(fd)
        del children[pid]
        _reply(replies, {"id": rid, "done": status})


def _reply(replies, msg):
    try:
        replies.write(json.dumps(msg) + "\n")
    except OSError:
        pass  # teeth stopped listening: it is going down


def _kill_all(children):
    for pid in children:
        try:
            os.killpg(pid, signal.SIGKILL)
        except OSError:
            pass


def _prime(session):
    """Does once, before any fork, the set-up every child would repeat: pytest's
    base temporary directory (made and old ones cleaned on first use), the
    realpath of every module's file (finish_run and _module_for), and
    inspect's index of modules by file, which pytest's failure tracebacks
    build on first use (a realpath per module: ~400 on a small backend), and
    the detectors' installed versions."""
    factory = getattr(session.config, "_tmp_path_factory", None)
    if factory is not None:
        factory.getbasetemp()
    for module in list(sys.modules.values()):
        f = getattr(module, "__file__", None)
        if isinstance(f, str):
            teeth_modules.real_path(f)
    import inspect

    inspect.getmodule(_prime.__code__)
    teeth_modules.detector_versions()


def fork_blocker():
    """Why forking this process now is unsafe, or "" when it is safe."""
    if not hasattr(os, "fork"):
        return "this platform cannot fork"
    others = [t.name for t in threading.enumerate() if t is not threading.current_thread()]
    if others:
        return "threads alive at fork time: " + ", ".join(sorted(others))
    return ""


def _child(session, items, req):
    os.setpgid(0, 0)
    if req.get("worker") is not None:  # a number no other run at the same time has: for ports, directories
        os.environ["TEETH_WORKER"] = str(req["worker"])
    _own_output(req.get("output"))
    teeth_state.reset_run(req["results"], req.get("stop_after"))
    stack = req["results"] + ".stack"
    teeth_state.emit({"ev": "stack", "pid": os.getpid(), "signal": teeth_stack.arm(stack), "file": stack})
    mutant = req.get("mutant")
    if mutant:  # none: run the anchors unmutated (baseline, restore)
        teeth_mutant.load(mutant, teeth_state.CFG["sandbox"])
        reason, how = swap(mutant["path"], mutant["function"])
        if reason:
            teeth_state.emit({"ev": "inplace-failed", "reason": reason})
            return 3
        teeth_mutant.serve(swapped=how == "swapped")
        teeth_state.emit({"ev": "mutant-applied", "how": how})
    if req.get("funcs"):
        teeth_reach.record_functions()
    if req.get("latent"):
        teeth_reach.follow_latent()
    if req.get("rules"):
        teeth_rules.install(req["rules"], cfg_detectors(), teeth_state.emit)
    teeth_reach.watch(req["sites"])
    import linecache

    linecache.checkcache()
    selected = [items[n] for n in req["select"] if n in items]
    failed = False
    for i, item in enumerate(selected):
        nextitem = selected[i + 1] if i + 1 < len(selected) else None
        item.config.hook.pytest_runtest_protocol(item=item, nextitem=nextitem)
        failed = failed or session.testsfailed > 0
        if session.shouldstop or session.shouldfail:
            break
    teeth_modules.finish_run(1 if failed else 0)
    sys.stdout.flush()
    sys.stderr.flush()
    return 0


def _own_output(path):
    """Sends this child's output, pytest's and its tests', to the pipe teeth
    reads it from (path): its own, whatever its siblings print. pytest's
    global capture is started again over files of this child's own; the
    server's, which its siblings share, are closed here unread."""
    if not path:
        return
    config = teeth_state.PYTEST_CONFIG
    capman = config.pluginmanager.getplugin("capturemanager") if config is not None else None
    shared = getattr(capman, "_global_capturing", None)
    if shared is not None:
        shared.stop_capturing()
        capman._global_capturing = None
    fd = os.open(path, os.O_WRONLY)
    os.dup2(fd, 1)
    os.dup2(fd, 2)
    os.close(fd)
    if shared is not None:
        capman.start_global_capturing()


def cfg_detectors():
    """The run's detector class names."""
    return teeth_state.CFG.get("detectors", [])


def swap(path, function):
    """Puts the mutant of ``function`` in place. Returns (why it cannot, ""), or
    ("", how): "swapped" when the live function's code object was replaced,
    "lazy" when the module is not imported yet, so that the child imports it
    from the mutant's bytes (teeth_mutant.serve); module-level code and changed
    closures then need nothing in place either. Either way the mutant comes
    from its private file, as bytes: compiled the way the import system
    compiles it (a UTF-8 BOM, a PEP 263 coding declaration, CRLF line ends),
    never decoded on the way."""
    full = os.path.join(teeth_state.CFG["sandbox"], *path.split("/"))
    module = _module_for(full)
    if module is None:
        return "", "lazy"
    if sys.version_info < (3, 11):
        return "python %d.%d has no co_qualname" % sys.version_info[:2], ""
    outer = function.split(".<locals>.")[0]
    if outer == "<module>":
        return "the site is in module-level code of a module imported at collection", ""
    source = teeth_mutant.source(full)
    code = compile(source, module.__file__, "exec", dont_inherit=True)
    new = _find_code(code, outer)
    fns = _live_functions(module, outer)
    if new is None or not fns:
        return "cannot find %s in place" % outer, ""
    if any(fn.__code__.co_freevars != new.co_freevars for fn in fns):
        return "the closure of %s differs" % outer, ""
    for fn in fns:
        fn.__code__ = new
    for const in code.co_consts:
        if isinstance(const, types.CodeType) and const.co_name.startswith(_HELPER_PREFIXES):
            module.__dict__[const.co_name] = types.FunctionType(const, module.__dict__, const.co_name)
    return "", "swapped"


def _live_functions(module, qualname):
    """Every live function object running the module's code for qualname: the
    one reachable by name, or, when decorators hide it (no __wrapped__), every
    function object the garbage collector knows with that code."""
    fn = _resolve(module, qualname)
    if fn is not None:
        return [fn]
    import gc

    filename = module.__file__
    return [
        o
        for o in gc.get_objects()
        if type(o) is types.FunctionType
        and o.__code__.co_filename == filename
        and o.__code__.co_qualname == qualname
    ]


def _module_for(full):
    """The module loaded from full; failing that, one loaded from a symlink to
    it (a module imported through a symlinked alias of the file comes second)."""
    modules = list(sys.modules.values())
    for module in modules:
        if getattr(module, "__file__", None) == full:
            return module
    real = teeth_modules.real_path(full)
    for module in modules:
        f = getattr(module, "__file__", None)
        if f and teeth_modules.real_path(f) == real:
            return module
    return None


def _find_code(code, qualname):
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            if const.co_qualname == qualname:
                return const
            found = _find_code(const, qualname)
            if found is not None:
                return found
    return None


def _resolve(module, qualname):
    """The live function object whose code has this qualname."""
    obj = module
    for part in qualname.split("."):
        attrs = getattr(obj, "__dict__", {})
        obj = attrs[part] if part in attrs else getattr(obj, part, None)
        if obj is None:
            return None
    for candidate in _unwrap(obj):
        code = getattr(candidate, "__code__", None)
        if code is not None and code.co_qualname == qualname:
            return candidate
    return None


def _unwrap(obj):
    seen = 0
    stack = [obj]
    while stack and seen < 32:
        seen += 1
        cur = stack.pop()
        yield cur
        for attr in ("__func__", "fget", "fset", "fdel", "__wrapped__"):
            nxt = getattr(cur, attr, None)
            if nxt is not None:
                stack.append(nxt)
