"""Where the modules of a pytest run came from: teeth's proof that the sandbox copy was the one tested.

Part of teeth's pytest plugin; imports teeth_state and teeth_mutant.
``finish_run`` ends a run
(the plugin's session, or a warm path child's): it reports where each
source-root module was imported from (the sandbox, or the original tree: a
leak, with the cause: the sys.path entry it was found under and what put
that entry there), the support files the run loaded from the sandbox
(conftests, the gate, test helpers), the detectors' installed versions, and
whether a mutant run's module came from the mutant (teeth_mutant.unserved).
``real_path`` and ``detector_versions`` remember what they computed, so that
the warm path's forked children inherit it.
"""

import os
import sys

import teeth_mutant
import teeth_state as state

_REAL = {}  # module file -> its realpath: the sandbox's links do not change during a run


def real_path(path):
    """os.path.realpath of a module's file, remembered: finish_run and the warm
    path's module lookup ask it for every module in sys.modules once per run,
    and forked children inherit what the warm process already knows."""
    real = _REAL.get(path)
    if real is None:
        real = _REAL[path] = os.path.realpath(path)
    return real


def finish_run(exitstatus):
    """Reports where the source-root modules came from, and the end of the run."""
    sandbox = os.path.realpath(state.CFG.get("sandbox", ""))
    original = os.path.realpath(state.CFG.get("original", ""))
    roots = state.CFG.get("roots", [])
    loaded, leaked, support, causes = [], [], [], []
    for mod in list(sys.modules.values()):
        f = getattr(mod, "__file__", None)
        if not f:
            continue
        real = real_path(f)
        for base, sink in ((sandbox, loaded), (original, leaked)):
            rel = state.under(real, base)
            if rel is None:
                continue
            if any(rel == r or rel.startswith(r.rstrip("/") + "/") for r in roots):
                sink.append(rel)
                if sink is leaked:
                    causes.append(_leak_cause(getattr(mod, "__name__", ""), real, rel, original))
            elif base == sandbox and rel.endswith(".py") and not _is_test_module(rel):
                support.append(rel)  # conftests, the gate, test helpers
    state.emit({"ev": "modules", "loaded": sorted(loaded), "leaked": sorted(leaked), "support": sorted(support),
           "leak_causes": sorted(causes, key=lambda c: c["file"]), "versions": detector_versions()})
    reason = teeth_mutant.unserved()
    if reason:
        state.emit({"ev": "unserved", "reason": reason})
    state.emit({"ev": "finish", "exitstatus": int(exitstatus)})


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
        return {os.path.realpath(str(p)) for p in state.PYTEST_CONFIG.getini("pythonpath")}
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
    for name in state.CFG.get("detectors", []):
        top = name.split(".")[0]
        try:
            out[top] = metadata.version(top)
        except Exception:
            out[top] = "unknown"
    return out
