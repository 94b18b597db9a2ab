"""teeth's pytest plugin: records what each anchor does, for the teeth verifier.

Loaded with ``-p teeth_plugin`` from a temporary directory; nothing is installed
into the project's environment. It reads its settings from the JSON file named by
``TEETH_CONFIG`` and appends one JSON object per line to ``TEETH_RESULTS``,
flushed as it goes, so a run killed on a timeout still tells which test hung.

Per test it records the outcome, the duration, the offload sites it reached
(per call with ``sys.monitoring`` on Python 3.12+, per line with ``sys.settrace``
before or when ``TEETH_TRACE=settrace``), every detector exception
*constructed* while it ran (even when production code catches it) with the
production frame it was raised from, and, in a mutant run, what the
un-offloaded call did on the loop (teeth_evidence, with teeth_calls and
teeth_primitives). A rule proof's run (setting ``rules``) adds those detector
rules to every gate it builds (teeth_rules). At the end it reports where each
source-root module was imported from, so teeth can prove that the sandbox copy
was the one tested.
"""

import ast
import importlib
import inspect
import json
import os
import sys
import textwrap
import time

import teeth_evidence as _ev
import teeth_guard
from teeth_calls import line_of, line_starts, resolve_calls
from teeth_primitives import track_detectors

teeth_guard.start()  # before conftest files run: no process group of the run outlives teeth

_CFG = {}
_OUT = None
_CURRENT = None
_STATE = {}
_WATCH = {}  # realpath -> {line: [site index, ...]}, sites watched per line
_CALLS = {}  # realpath -> {(co_qualname, co_firstlineno): {call offset: (site index, next offset)}}
_REACH = "line"  # how this run records reach: "call" or "line"
_TOOL = None  # sys.monitoring tool id in use
_SELECT = None
_PYTEST_CONFIG = None
_REAL = {}  # module file -> its realpath: the sandbox's links do not change during a run


def real_path(path):
    """os.path.realpath of a module's file, remembered: finish_run and the warm
    path's module lookup ask it for every module in sys.modules once per run,
    and forked children inherit what the warm process already knows."""
    real = _REAL.get(path)
    if real is None:
        real = _REAL[path] = os.path.realpath(path)
    return real


def _under(path, base):
    """path relative to base with "/" separators, or None when not under it."""
    if not path.startswith(base + os.sep):
        return None
    return path[len(base) + 1 :].replace(os.sep, "/")


def _emit(obj):
    _OUT.write(json.dumps(obj) + "\n")
    _OUT.flush()


def _load_config():
    with open(os.environ["TEETH_CONFIG"], encoding="utf-8") as f:
        return json.load(f)


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
        for root in _CFG.get("roots", []):
            full = os.path.join(_CFG["sandbox"], *root.split("/"))
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
    """Where the innermost source-root frame on the stack is, "path:line", or ""."""
    frame = sys._getframe(2)
    while frame is not None:
        rel = _root_rel(frame.f_code.co_filename)
        if rel is not None:
            return "%s:%d" % (rel, frame.f_lineno)
        frame = frame.f_back
    return ""


def _project_rel(filename):
    """A file's slash path relative to the sandbox, or "" outside it."""
    rel = _root_rel(filename)
    if rel is not None:
        return rel
    sandbox = _CFG.get("sandbox", "")
    for base in {sandbox, os.path.realpath(sandbox)} if sandbox else ():
        rel = _under(filename, base)
        if rel is not None:
            return rel
    return ""


def _wrap_detector(qualified):
    mod_name, _, cls_name = qualified.rpartition(".")
    try:
        cls = getattr(importlib.import_module(mod_name), cls_name)
    except Exception as exc:  # reported, and teeth stops with a config error
        _emit({"ev": "detector-missing", "name": qualified, "error": repr(exc)})
        return
    original = cls.__init__

    def __init__(self, *args, **kwargs):
        original(self, *args, **kwargs)
        if _CURRENT is not None:
            _STATE[_CURRENT]["detector"].append(str(self))
            _STATE[_CURRENT]["detector_at"].append(_production_frame())

    cls.__init__ = __init__


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
        full = os.path.join(_CFG["sandbox"], *path.split("/"))
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
        _emit({"ev": "reach", "mode": _REACH})
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
    try:
        with open(path, "rb") as f:
            return f.read()
    except OSError:
        return None


def _resolve(source, filename, spans):
    try:
        return resolve_calls(source, filename, spans)
    except (SyntaxError, ValueError):
        return {}


def record_functions():
    """Starts recording the source-root functions each test runs."""
    global _FUNCS
    _root_prefixes()
    _FUNCS = True


def reset_run(results_path, stop_after):
    """Starts a new run's results file and stop-early policy (warm path child)."""
    global _OUT
    _OUT = open(results_path, "a", encoding="utf-8")
    _RUN.update(done=0, kills=0, stop_after=stop_after)


_RUN = {"done": 0, "kills": 0, "stop_after": None}
_SESSION = None


def pytest_configure(config):
    global _CFG, _OUT, _SELECT, _PYTEST_CONFIG
    _PYTEST_CONFIG = config
    _CFG = _load_config()
    _OUT = open(os.environ["TEETH_RESULTS"], "a", encoding="utf-8")
    _RUN["stop_after"] = _CFG.get("stop_after")
    if _CFG.get("funcs"):
        record_functions()
    watch(_CFG.get("sites", []))
    if _CFG.get("select") is not None:
        _SELECT = list(_CFG["select"])
    for name in _CFG.get("detectors", []):
        _wrap_detector(name)
    track_detectors(_CFG.get("detectors", []))
    if _CFG.get("rules"):
        import teeth_rules

        teeth_rules.install(_CFG["rules"], _CFG.get("detectors", []), _emit)
    if _CFG.get("serve"):
        import teeth_warm

        config.pluginmanager.register(teeth_warm, "teeth_warm")


def pytest_sessionstart(session):
    global _SESSION
    _SESSION = session


def pytest_collectreport(report):
    if report.failed:
        _emit({"ev": "collect-error", "nodeid": report.nodeid, "excerpt": _excerpt(report)})


def pytest_collection_modifyitems(session, config, items):
    if _SELECT is None:
        return
    order = {nodeid: i for i, nodeid in enumerate(_SELECT)}
    keep = [it for it in items if it.nodeid in order]
    drop = [it for it in items if it.nodeid not in order]
    keep.sort(key=lambda it: order[it.nodeid])
    if drop:
        config.hook.pytest_deselected(items=drop)
    items[:] = keep


def pytest_collection_finish(session):
    marker = _CFG.get("marker", "allow_blocking_io")
    short = {d.rpartition(".")[2] for d in _CFG.get("detectors", [])}
    items = []
    for it in session.items:
        path, line, _ = it.location
        items.append(
            {
                "nodeid": it.nodeid,
                "path": path,
                "file": os.path.relpath(str(it.path), os.getcwd()).replace(os.sep, "/"),
                "line": (line or 0) + 1,
                "gate_off": it.get_closest_marker(marker) is not None,
                "self_test": _expects_detector(it, short),
                "doc": _doc(it),
                "self_offloads": _self_offloads(it),
                "markers": sorted({m.name for m in it.iter_markers()} & {"skip", "skipif", "xfail"}),
            }
        )
    _emit({"ev": "collected", "items": items})


def _doc(item):
    fn = getattr(item, "function", None)
    return inspect.getdoc(fn) or "" if fn is not None else ""


_OFFLOADS = {"to_thread": 0, "run_in_executor": 1, "run_sync": 0, "run_in_threadpool": 0, "sync_to_async": 0}


def _test_tree(item):
    fn = getattr(item, "function", None)
    if fn is None:
        return None
    try:
        return ast.parse(textwrap.dedent(inspect.getsource(fn)))
    except (OSError, TypeError, SyntaxError):
        return None


def _self_offloads(item):
    """The callables the test body offloads itself (to_thread, run_in_executor...)."""
    tree = _test_tree(item)
    found = []
    for node in ast.walk(tree) if tree is not None else ():
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        idx = _OFFLOADS.get(name)
        if idx is not None and len(node.args) > idx:
            found.append(ast.unparse(node.args[idx]) if hasattr(ast, "unparse") else name)
    return found


def pytest_deselected(items):
    if _SELECT is None:
        _emit({"ev": "deselected", "nodeids": [it.nodeid for it in items]})


def _expects_detector(item, short_names):
    """Reports whether the test body uses pytest.raises(<detector>)."""
    fn = getattr(item, "function", None)
    if fn is None:
        return False
    try:
        tree = ast.parse(textwrap.dedent(inspect.getsource(fn)))
    except (OSError, TypeError, SyntaxError):
        return False
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call) or not node.args:
            continue
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        if name != "raises":
            continue
        arg = node.args[0]
        arg_name = arg.attr if isinstance(arg, ast.Attribute) else getattr(arg, "id", "")
        if arg_name in short_names:
            return True
    return False


def pytest_runtest_protocol(item, nextitem):
    global _CURRENT
    _CURRENT = item.nodeid
    if _TOOL is not None and _FUNCS:
        sys.monitoring.restart_events()  # per-test function coverage
    _ev.begin_test()
    _STATE[item.nodeid] = {
        "funcs": set(),
        "sites": set(),
        "detector": [],
        "detector_at": [],
        "outcome": "passed",
        "duration": 0.0,
        "excerpt": "",
        "started": time.monotonic(),
    }
    _emit({"ev": "start", "nodeid": item.nodeid})


def pytest_runtest_logreport(report):
    st = _STATE.get(report.nodeid)
    if st is None:
        return
    st["duration"] += report.duration
    if report.failed and st["outcome"] != "failed":
        st["outcome"] = "failed"
        st["excerpt"] = _excerpt(report)
    elif report.skipped and st["outcome"] == "passed":
        st["outcome"] = "skipped"
        st["excerpt"] = _skip_reason(report)
    if report.when == "teardown":
        _finish(report.nodeid)


def _finish(nodeid):
    global _CURRENT
    st = _STATE.pop(nodeid)
    _CURRENT = None
    blocked = _ev.finish_test(_REACH, _project_rel)
    _RUN["done"] += 1
    if st["outcome"] == "failed" and st["detector"]:
        _RUN["kills"] += 1
    stop_after = _RUN["stop_after"]
    if stop_after is not None and _RUN["done"] >= stop_after and _RUN["kills"] and _SESSION is not None:
        _SESSION.shouldstop = "teeth: the mutant is killed"
        _emit({"ev": "stopped"})
    _emit(
        {
            "ev": "test",
            "nodeid": nodeid,
            "outcome": st["outcome"],
            "duration": round(st["duration"], 6),
            "wall": round(time.monotonic() - st["started"], 6),
            "sites": sorted(st["sites"]),
            "funcs": sorted(st["funcs"]),
            "detector": st["detector"],
            "detector_at": st["detector_at"],
            "excerpt": st["excerpt"],
            "blocked": blocked,
        }
    )


def _skip_reason(report):
    if getattr(report, "wasxfail", None) is not None:
        return "xfail: " + str(report.wasxfail)
    longrepr = report.longrepr
    if isinstance(longrepr, tuple) and len(longrepr) == 3:
        return "skipped: " + str(longrepr[2])
    return "skipped"


def _excerpt(report, limit=20):
    text = getattr(report, "longreprtext", "") or str(report.longrepr or "")
    lines = text.splitlines()
    errors = [ln for ln in lines if ln.startswith("E ")]
    crash = getattr(getattr(report, "longrepr", None), "reprcrash", None)
    head = _test_line(report)
    if crash is not None:
        path = str(crash.path)
        sandbox = _CFG.get("sandbox", "")
        if sandbox and path.startswith(sandbox + os.sep):
            path = path[len(sandbox) + 1 :]
        message = crash.message.splitlines()[0] if crash.message else ""
        head.append("%s:%s: %s" % (path, crash.lineno, message))
    body = errors[:limit] if errors else lines[-limit:]
    return "\n".join(head + body)


def _test_line(report):
    """The failing line inside the test file itself, as "path:line: source"."""
    entries = getattr(getattr(report.longrepr, "reprtraceback", None), "reprentries", None) or []
    test_file = report.location[0] if report.location else None
    for entry in reversed(entries):
        loc = getattr(entry, "reprfileloc", None)
        if loc is None or test_file is None or not str(loc.path).endswith(test_file):
            continue
        source = next((ln.strip()[1:].strip() for ln in getattr(entry, "lines", []) if ln.startswith(">")), "")
        return ["%s:%s: %s" % (test_file, loc.lineno, source)]
    return []


def pytest_sessionfinish(session, exitstatus):
    finish_run(exitstatus)


def finish_run(exitstatus):
    """Reports where the source-root modules came from, and the end of the run."""
    sandbox = os.path.realpath(_CFG.get("sandbox", ""))
    original = os.path.realpath(_CFG.get("original", ""))
    roots = _CFG.get("roots", [])
    loaded, leaked, support, causes = [], [], [], []
    for mod in list(sys.modules.values()):
        f = getattr(mod, "__file__", None)
        if not f:
            continue
        real = real_path(f)
        for base, sink in ((sandbox, loaded), (original, leaked)):
            rel = _under(real, base)
            if rel is None:
                continue
            if any(rel == r or rel.startswith(r.rstrip("/") + "/") for r in roots):
                sink.append(rel)
                if sink is leaked:
                    causes.append(_leak_cause(getattr(mod, "__name__", ""), real, rel, original))
            elif base == sandbox and rel.endswith(".py") and not _is_test_module(rel):
                support.append(rel)  # conftests, the gate, test helpers
    _emit({"ev": "modules", "loaded": sorted(loaded), "leaked": sorted(leaked), "support": sorted(support),
           "leak_causes": sorted(causes, key=lambda c: c["file"]), "versions": detector_versions()})
    _emit({"ev": "finish", "exitstatus": int(exitstatus)})


def _leak_cause(name, real, rel, original):
    """How a source-root module came to be imported from the original tree:
    the sys.path entry it was found under, relative to the project when inside
    it, and what put that entry there (``via``): ``pth`` (a .pth file, named in
    ``detail``), ``env`` (PYTHONPATH), ``pytest`` (the pythonpath ini setting),
    ``runtime`` (inserted while the session ran, e.g. by a conftest) or ``hook``
    (no sys.path entry: an import hook in sys.meta_path, named in ``detail``)."""
    top = name.split(".")[0]
    entry = None
    for p in sys.path:
        rp = os.path.realpath(p or ".")
        base = os.path.join(rp, top)
        if real.startswith(base + os.sep) or real.startswith(base + "."):
            entry = rp
            break
    cause = {"file": rel, "module": name, "entry": "", "via": "hook", "detail": ""}
    if entry is None:
        hooks = [type(f).__module__ + "." + type(f).__name__ for f in sys.meta_path
                 if not type(f).__module__.startswith(("_frozen_importlib", "importlib", "_distutils_hack", "six", "_pytest", "pytest"))]
        cause["detail"] = ", ".join(hooks)
        return cause
    rel_entry = os.path.relpath(entry, original)
    cause["entry"] = entry if rel_entry.startswith("..") else rel_entry.replace(os.sep, "/")
    if entry in _pytest_pythonpath():
        cause["via"] = "pytest"
    elif entry in {os.path.realpath(p) for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p}:
        cause["via"] = "env"
    else:
        pth = _pth_entries().get(entry)
        cause["via"], cause["detail"] = ("pth", pth) if pth else ("runtime", "")
    return cause


def _pytest_pythonpath():
    try:
        return {os.path.realpath(str(p)) for p in _PYTEST_CONFIG.getini("pythonpath")}
    except Exception:  # no such ini option (pytest < 7) or no config
        return set()


def _pth_entries():
    """The directories the site directories' .pth files add: realpath -> .pth file."""
    import site

    dirs = list(getattr(site, "getsitepackages", lambda: [])())
    user = getattr(site, "getusersitepackages", lambda: None)()
    if isinstance(user, str):
        dirs.append(user)
    out = {}
    for d in dirs:
        try:
            names = sorted(n for n in os.listdir(d) if n.endswith(".pth"))
        except OSError:
            continue
        for n in names:
            try:
                with open(os.path.join(d, n), encoding="utf-8", errors="replace") as f:
                    lines = f.read().splitlines()
            except OSError:
                continue
            for line in lines:
                line = line.strip()
                if line and not line.startswith(("#", "import ", "import\t")):
                    out.setdefault(os.path.realpath(os.path.join(d, line)), os.path.join(d, n))
    return out


def _is_test_module(rel):
    name = rel.rpartition("/")[2]
    return name.startswith("test_") or name.endswith("_test.py")


_VERSIONS = {}


def detector_versions():
    """The installed version of each detector's distribution, e.g. blockbuster;
    read once per process (forked children inherit it)."""
    if _VERSIONS:
        return _VERSIONS
    out = _VERSIONS
    try:
        from importlib import metadata
    except ImportError:
        return out
    for name in _CFG.get("detectors", []):
        top = name.split(".")[0]
        try:
            out[top] = metadata.version(top)
        except Exception:
            out[top] = "unknown"
    return out


def pytest_unconfigure(config):
    if _TOOL is not None:
        sys.monitoring.set_events(_TOOL, 0)
        sys.monitoring.free_tool_id(_TOOL)
    sys.settrace(None)
