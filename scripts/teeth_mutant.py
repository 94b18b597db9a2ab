"""A mutant run's mutated module: its bytes served from teeth's scratch space.

Part of teeth's pytest plugin; imports nothing of teeth's. teeth never writes
a mutant into a sandbox that other runs share: a mutant run's settings name
the mutated file (``path``, relative to the project) and a private copy of
the mutant's bytes (``file``). ``load`` reads them; ``serve`` puts a finder
first in ``sys.meta_path`` that, when the module is imported in this process
(at collection, by a handler's function-level import, by a test body), finds
it as the import system would and hands its ordinary ``SourceFileLoader`` a
``get_data`` that returns the mutant's bytes for that one file. The module's
``__file__``, and so every code object's ``co_filename``, stay the sandbox's
path, the one the gate scans; ``linecache`` holds the mutant's lines, so
tracebacks and ``inspect`` show the code that ran. ``source`` gives the bytes
to teeth_warm (a module imported already gets its function's code swapped in
place) and teeth_reach (the mutant's call positions).

``unserved`` says, at the end of the run, why the module was imported other
than from those bytes (another import hook loaded it, or it was imported
before teeth's plugin): the run then says nothing of the mutant, and teeth
runs it again with the mutant written into a sandbox no other run uses.
"""

import io
import linecache
import os
import sys
import tokenize
from importlib.machinery import PathFinder

_M = {}  # path -> the sandbox's path; names, source, stem, loader, reason


def load(spec, sandbox):
    """Reads the mutant a run's settings name: {"path": rel, "file": private copy}."""
    full = os.path.join(sandbox, *spec["path"].split("/"))
    with open(spec["file"], "rb") as f:
        source = f.read()
    base = os.path.basename(full)
    stem = os.path.basename(os.path.dirname(full)) if base == "__init__.py" else base.rpartition(".")[0]
    _M.clear()
    _M.update(path=full, names={full, os.path.realpath(full)}, source=source, stem=stem, loader=None, reason="")


def loaded():
    """Whether a mutant is loaded for this run."""
    return bool(_M)


def source(full):
    """The mutant's bytes when full is its file, else None."""
    if _M and full in _M["names"]:
        return _M["source"]
    return None


def imported():
    """The module imported from the mutated file, or None."""
    for module in list(sys.modules.values()):
        if getattr(module, "__file__", None) in _M["names"]:
            return module
    return None


def serve(before_plugin=False, swapped=False):
    """Serves the mutant wherever its module is imported from now on, and
    shows its lines. With before_plugin, a module imported already (by a
    plugin loaded before teeth's) makes the run unserved; swapped says that
    the module imported already holds the mutant (teeth_warm swapped its
    function's code in place)."""
    _M["swapped"] = swapped
    if before_plugin and imported() is not None:
        _M["reason"] = "the mutated module was imported before teeth's plugin loaded"
        return
    _prime_lines()
    if _FINDER not in sys.meta_path:
        sys.meta_path.insert(0, _FINDER)


def unserved():
    """Why the mutated module was imported other than from the mutant's
    bytes, or ""; a module never imported ran no mutant and is no reason."""
    if not _M:
        return ""
    if _M["reason"]:
        return _M["reason"]
    module = imported()
    if module is None or _M.get("swapped"):
        return ""
    spec = getattr(module, "__spec__", None)
    if _M["loader"] is None or getattr(spec, "loader", None) is not _M["loader"]:
        ahead = sys.meta_path[: sys.meta_path.index(_FINDER)] if _FINDER in sys.meta_path else sys.meta_path
        names = [f.__name__ if isinstance(f, type) else type(f).__name__ for f in ahead]
        names = [n for n in names if n not in ("BuiltinImporter", "FrozenImporter", "PathFinder")]
        return "the mutated module was imported past teeth's finder (import hooks ahead of it: %s)" % (
            ", ".join(names[:3]) or "none"
        )
    return ""


def _prime_lines():
    src = _M["source"]
    try:
        enc = tokenize.detect_encoding(io.BytesIO(src).readline)[0]
        text = src.decode(enc, "replace")
    except (SyntaxError, LookupError):
        text = src.decode("utf-8", "replace")
    if text.startswith("\ufeff"):
        text = text[1:]
    lines = io.StringIO(text, newline=None).readlines()
    for name in _M["names"]:
        linecache.cache[name] = (len(text), None, lines, name)  # no mtime: checkcache keeps it


class _Finder(object):
    """Finds the mutated module as the path finder would, with the mutant's
    bytes for its file; every other import is left to the finders after it."""

    def find_spec(self, fullname, path=None, target=None):
        if not _M or fullname.rpartition(".")[2] != _M["stem"]:
            return None
        spec = PathFinder.find_spec(fullname, path)
        if spec is None or spec.origin not in _M["names"] or not hasattr(spec.loader, "get_data"):
            return None
        loader, names, data = spec.loader, _M["names"], _M["source"]
        own_data, own_stats = type(loader).get_data, getattr(type(loader), "path_stats", None)

        def get_data(p):
            return data if p in names else own_data(loader, p)

        def path_stats(p):
            if p in names:  # no mtime: no bytecode cache is ever taken for the mutant's
                raise OSError("teeth serves the mutant of %s" % p)
            return own_stats(loader, p)

        loader.get_data = get_data
        if own_stats is not None:
            loader.path_stats = path_stats
        _M["loader"] = loader
        return spec

    def invalidate_caches(self):
        pass


_FINDER = _Finder()
