"""teeth's warm path: one pytest process per worker that imports and collects once.

Registered by teeth_plugin when the run's config says ``serve``; imports
teeth_state, teeth_reach, teeth_modules, teeth_rules, teeth_stack and teeth_guard, never teeth_plugin
(whose hooks its children run through pytest). Instead of running tests, the
session reads one JSON request per line from the file descriptor ``serve_in``
and, for each request, forks a child that runs the selected anchors and exits.
For a mutant in a module imported at fork time the child first swaps the
mutated function's code object in place (``function.__code__``), so every
reference to the function sees the mutant; a module not imported yet is
imported by the child from the sandbox, where teeth wrote the mutant before
the fork. Without a mutant (the baseline, the restore run) it runs the anchors
as they are. Replies go to ``serve_out``: ``{"child": pid}`` once forked, then
``{"done": status}``; or ``{"fallback": reason}`` when forking or swapping is not
safe, and teeth runs that mutant in a fresh process instead.

A child leaves nothing of the warm process's plumbing for its tests to see:
it closes its copies of the request and reply pipes and the warm process's
results file before any test runs, and arms its own stack dump.
"""

import json
import os
import sys
import threading
import types

import pytest
import teeth_guard
import teeth_modules
import teeth_reach
import teeth_rules
import teeth_stack
import teeth_state

_HELPER_PREFIXES = ("_teeth_on_loop", "_teeth_loop_future")


@pytest.hookimpl(tryfirst=True)
def pytest_runtestloop(session):
    cfg = teeth_state.CFG
    requests = os.fdopen(int(cfg["serve_in"]), "r", encoding="utf-8")
    replies = os.fdopen(int(cfg["serve_out"]), "w", encoding="utf-8", buffering=1)
    items = {it.nodeid: it for it in session.items}
    _prime(session)
    replies.write(json.dumps({"ready": True}) + "\n")
    for line in requests:
        req = json.loads(line)
        if req.get("op") == "quit":
            break
        blocker = fork_blocker()
        if blocker:
            replies.write(json.dumps({"fallback": blocker}) + "\n")
            continue
        server = os.getpid()
        pid = os.fork()
        if pid == 0:
            code = 70
            try:
                teeth_guard.die_with_parent(server)
                requests.close()  # the warm process's plumbing: not the tests' business
                replies.close()
                code = _child(session, items, req)
            finally:
                os._exit(code)
        teeth_guard.watch(pid)  # its process group dies with teeth too
        replies.write(json.dumps({"child": pid}) + "\n")
        _, status = os.waitpid(pid, 0)
        teeth_guard.unwatch(pid)
        replies.write(json.dumps({"done": status}) + "\n")
    return True


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
    teeth_state.reset_run(req["results"], req.get("stop_after"))
    stack = req["results"] + ".stack"
    teeth_state.emit({"ev": "stack", "pid": os.getpid(), "signal": teeth_stack.arm(stack), "file": stack})
    if req.get("path"):  # no path: run the anchors unmutated (baseline, restore)
        reason, how = swap(req["path"], req["function"])
        if reason:
            teeth_state.emit({"ev": "inplace-failed", "reason": reason})
            return 3
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


def cfg_detectors():
    """The run's detector class names."""
    return teeth_state.CFG.get("detectors", [])


def swap(path, function):
    """Puts the mutant of ``function`` in place. Returns (why it cannot, ""), or
    ("", how): "swapped" when the live function's code object was replaced,
    "lazy" when the module is not imported yet, so that the child imports the
    mutant from the sandbox file teeth wrote before forking (and restores after
    the child ends); module-level code and changed closures then need nothing
    in place either. Either way the mutant comes from that file, as bytes:
    compiled the way the import system compiles it (a UTF-8 BOM, a PEP 263
    coding declaration, CRLF line ends), never decoded on the way."""
    full = os.path.join(teeth_state.CFG["sandbox"], *path.split("/"))
    module = _module_for(full)
    if module is None:
        return "", "lazy"
    if sys.version_info < (3, 11):
        return "python %d.%d has no co_qualname" % sys.version_info[:2], ""
    outer = function.split(".<locals>.")[0]
    if outer == "<module>":
        return "the site is in module-level code of a module imported at collection", ""
    with open(full, "rb") as f:
        source = f.read()
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
