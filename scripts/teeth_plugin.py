"""teeth's pytest plugin: records what each anchor does, for the teeth verifier.

Loaded with ``-p teeth_plugin`` from a temporary directory; nothing is installed
into the project's environment. It reads its settings from the JSON file named by
``TEETH_CONFIG`` and appends one JSON object per line to ``TEETH_RESULTS``,
flushed as it goes, so a run killed on a timeout still tells which test hung
(teeth_state).

This module holds the pytest hooks: the tests collected (and what teeth needs
to know of each), the tests selected, and per test its outcome, duration and
failure excerpt. Per test it also records the offload sites it reached, the
source-root functions it ran and every detector exception constructed while it
ran (teeth_reach), and, in a mutant run, what the un-offloaded call did on the
loop (teeth_evidence); a fresh mutant run serves its mutant's bytes from
teeth's scratch space from the moment the plugin is imported (teeth_mutant).
A rule proof's run (setting ``rules``) adds those
detector rules to every gate it builds (teeth_rules); a warm run (setting
``serve``) serves mutants from one collected session (teeth_warm). At the end
it reports where each source-root module was imported from, so teeth can prove
that the sandbox copy was the one tested (teeth_modules). Per test it observes
whether the gate was on and what it deliberately allows (teeth_gate), and
tells a detector that crashed while checking a call from the test's own
failure (teeth_crash); a run killed on its time limit leaves its threads'
stacks (teeth_stack).

teeth leaves no trace a test can see beyond what the plain run has: the
results file is closed when a warm child replaces it, teeth's environment
variables leave ``os.environ`` once read, no thread is started (the guardian
is a process) and the plugin itself raises no warning; a mutant run keeps
teeth_mutant's finder first in ``sys.meta_path``.

The plugin's modules import each other in one direction: teeth_plugin imports
teeth_warm, teeth_rules, teeth_modules, teeth_reach, teeth_primitives,
teeth_crash, teeth_stack, teeth_gate, teeth_guard, teeth_mutant and
teeth_state; teeth_warm imports teeth_modules, teeth_reach, teeth_rules,
teeth_stack, teeth_guard, teeth_mutant and teeth_state; teeth_reach imports
teeth_evidence, teeth_latent, teeth_calls, teeth_mutant and teeth_state;
teeth_modules imports teeth_mutant and teeth_state; teeth_latent imports
teeth_calls; teeth_evidence imports teeth_calls, teeth_primitives,
teeth_binding and teeth_gate; teeth_binding imports teeth_calls.
"""

import ast
import inspect
import os
import textwrap
import time

import pytest
import teeth_crash
import teeth_gate
import teeth_guard
import teeth_modules
import teeth_mutant
import teeth_reach as reach
import teeth_stack
import teeth_state as state
from teeth_primitives import track_detectors

teeth_guard.start()  # before conftest files run: no process group of the run outlives teeth
teeth_gate.install(state.detectors())  # before conftest files build a gate
if state.early().get("mutant"):  # a fresh mutant run: before conftest files import the project
    teeth_mutant.load(state.early()["mutant"], state.early()["sandbox"])
    teeth_mutant.serve(before_plugin=True)

_SELECT = None
_SESSION = None
_COLLECTED = {}  # node id -> position in the collection, when the baseline runs some files first
_CRASH = {"dirs": [], "types": ()}  # the detectors' package directories and exception classes


def pytest_configure(config):
    global _SELECT
    state.configure(config)
    cfg = state.CFG
    arm_stack()
    if cfg.get("funcs"):
        reach.record_functions()
    if cfg.get("latent"):
        reach.follow_latent()
    reach.watch(cfg.get("sites", []))
    if cfg.get("select") is not None:
        _SELECT = list(cfg["select"])
    types = []
    for name in cfg.get("detectors", []):
        cls = reach.wrap_detector(name)
        if cls is not None:
            types.append(cls)
    _CRASH["dirs"], _CRASH["types"] = teeth_crash.packages(cfg.get("detectors", [])), tuple(types)
    track_detectors(cfg.get("detectors", []))
    if cfg.get("rules"):
        import teeth_rules

        teeth_rules.install(cfg["rules"], cfg.get("detectors", []), state.emit)
    if cfg.get("serve"):
        import teeth_warm

        config.pluginmanager.register(teeth_warm, "teeth_warm")


def arm_stack():
    """Has the run's threads' stacks dumped next to its results file when teeth
    ends it on its time limit, and tells teeth which process to signal."""
    path = state.CFG["results"] + ".stack"
    state.emit({"ev": "stack", "pid": os.getpid(), "signal": teeth_stack.arm(path), "file": path})


def pytest_sessionstart(session):
    global _SESSION
    _SESSION = session


def pytest_collectreport(report):
    if report.failed:
        state.emit({"ev": "collect-error", "nodeid": report.nodeid, "excerpt": _excerpt(report)})


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(session, config, items):
    if _SELECT is None:
        _first(items, state.CFG.get("first"))
        return
    order = {nodeid: i for i, nodeid in enumerate(_SELECT)}
    keep = [it for it in items if it.nodeid in order]
    drop = [it for it in items if it.nodeid not in order]
    keep.sort(key=lambda it: order[it.nodeid])
    if drop:
        config.hook.pytest_deselected(items=drop)
    items[:] = keep


def _first(items, files):
    """Runs the tests of these files (slash paths relative to the project)
    first, each file's tests in their order: those likely to reach an
    offload site, whose mutants can start while the rest of the baseline runs."""
    if not files:
        return
    first = set(files)
    cwd = os.getcwd()
    rank = {}
    for i, it in enumerate(items):
        _COLLECTED[it.nodeid] = i  # the collection's own order, as teeth reports it
        rank[id(it)] = 0 if os.path.relpath(str(it.path), cwd).replace(os.sep, "/") in first else 1
    items.sort(key=lambda it: rank[id(it)])


def pytest_collection_finish(session):
    marker = state.CFG.get("marker", "allow_blocking_io")
    short = {d.rpartition(".")[2] for d in state.CFG.get("detectors", [])}
    items = []
    for it in sorted(session.items, key=lambda it: _COLLECTED.get(it.nodeid, 0)):
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
    state.emit({"ev": "collected", "items": items})


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
        state.emit({"ev": "deselected", "nodeids": [it.nodeid for it in items]})


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
    reach.begin_test(item.nodeid)
    state.emit({"ev": "start", "nodeid": item.nodeid})


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_call(item):
    """The call phase begins, inside every hook wrapper and after every
    fixture's setup: whether the gate is on now is what the test runs with."""
    st = reach.record(item.nodeid)
    if st is not None and teeth_gate.installed():
        st["gate"] = teeth_gate.active()
        st["allow"] = teeth_gate.allowances() if st["gate"] else None
        teeth_gate.mark()


def pytest_runtest_makereport(item, call):
    st = reach.record(item.nodeid)
    if st is None:
        return
    if call.when == "call" and st.get("gate") is False and teeth_gate.activated_since_mark():
        st["gate"] = True  # the test body turned a gate on itself
    if call.excinfo is not None and st.get("crash") is None:
        st["crash"] = teeth_crash.find(call.excinfo.value, _CRASH["dirs"], _CRASH["types"], reach.project_rel)


def pytest_runtest_logreport(report):
    st = reach.record(report.nodeid)
    if st is None:
        return
    st["duration"] += report.duration
    if report.failed and st["outcome"] != "failed":
        st["outcome"] = "failed"
        st["excerpt"] = _excerpt(report)
    elif report.skipped and st["outcome"] == "passed":
        xfail = getattr(report, "wasxfail", None) is not None
        st["outcome"] = "xfailed" if xfail else "skipped"
        st["excerpt"] = _skip_reason(report)
    if report.when == "teardown":
        _finish(report.nodeid)


def _finish(nodeid):
    st, blocked = reach.end_test(nodeid, st_allow(nodeid))
    run = state.RUN
    run["done"] += 1
    if st["outcome"] == "failed" and st["detector"]:
        run["kills"] += 1
    stop_after = run["stop_after"]
    if stop_after is not None and run["done"] >= stop_after and run["kills"] and _SESSION is not None:
        _SESSION.shouldstop = "teeth: the mutant is killed"
        state.emit({"ev": "stopped"})
    state.emit(
        {
            "ev": "test",
            "nodeid": nodeid,
            "outcome": st["outcome"],
            "duration": round(st["duration"], 6),
            "wall": round(time.monotonic() - st["started"], 6),
            "t0": st["t0"],
            "t1": time.time(),
            "sites": sorted(st["sites"]),
            "funcs": sorted(st["funcs"]),
            "detector": st["detector"],
            "detector_at": st["detector_at"],
            "excerpt": st["excerpt"],
            "blocked": blocked,
            "gate": st.get("gate"),
            "allow": st.get("allow"),
            "crash": st.get("crash") if st["outcome"] == "failed" else None,
            "latent": st.get("latent") or None,
        }
    )


def st_allow(nodeid):
    """What the gate deliberately allowed while test nodeid ran, or None."""
    st = reach.record(nodeid)
    return st.get("allow") if st is not None else None


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
        sandbox = state.CFG.get("sandbox", "")
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
    teeth_modules.finish_run(exitstatus)


def pytest_unconfigure(config):
    reach.stop()
