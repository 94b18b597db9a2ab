"""gate.py's import search: the directory behind a module name, found without importing anything.

Loaded before gate.py (scripts.Run sends it on stdin); imports nothing of
teeth's. ``Search`` looks a module name up along the entries before the
interpreter's (the gate's rootdir entry, pytest's pythonpath, the project
directory), the interpreter's site-packages entries that point into the
project (editable installs' .pth files), the entries after (workspace
members, src layouts), the rest of the interpreter's path, and finally the
interpreter's import hooks (``importlib.util.find_spec`` of the top-level
name only, which imports nothing).
"""

import contextlib
import importlib.util
import os
import sys


class Search:
    """Finds the directory behind a module name as Python's path finder would."""

    def __init__(self, root, before, after):
        self.root = root
        site_in, site_out = self._site()
        self.inside = [(self._abs(d), how) for d, how in before] + site_in + [(self._abs(d), how) for d, how in after]
        self.outside = site_out

    def _abs(self, d):
        return os.path.realpath(os.path.join(self.root, d))

    def _site(self):
        """The interpreter's path after its site directories are processed, as
        (dir, how) lists: entries inside the project, then the others."""
        import site

        with contextlib.redirect_stdout(sys.stderr):
            try:
                site.main()  # the virtualenv's prefix, site-packages and .pth files
            except Exception:
                pass
        pth = {}
        try:
            dirs = list(site.getsitepackages())
        except AttributeError:  # an old virtualenv's own site module
            dirs = [p for p in sys.path if p.endswith("site-packages")]
        for d in dirs:
            for name in _pth_files(d):
                for entry in _pth_paths(d, name):
                    pth.setdefault(entry, name)
        inside, outside = [], []
        for p in sys.path:
            rp = os.path.realpath(p or ".")
            if rp == self.root:
                continue
            if rp.startswith(self.root + os.sep):
                how = ("the .pth file %s (an editable install)" % pth[rp]) if rp in pth else "the interpreter's sys.path"
                inside.append((rp, how))
            else:
                outside.append((rp, "the interpreter's site-packages"))
        return inside, outside

    def resolve(self, name):
        parts = name.split(".")
        found = self._top(parts[0], self.inside)
        if found is None:
            hooked = self._hook(parts[0])
            if hooked is not None:
                found = hooked
        if found is None:
            out = self._top(parts[0], self.outside)
            if out is not None:
                kind, paths, how = out
                return {"kind": "outside", "paths": [], "how": how, "where": paths[0]}
            return {"kind": "missing", "paths": [], "how": "", "where": ""}
        kind, paths, how = found
        for part in parts[1:]:
            if kind == "module":
                return {"kind": "missing", "paths": [], "how": how, "where": ""}
            sub = _find_in(part, paths)
            if sub is None:
                return {"kind": "missing", "paths": [], "how": how, "where": ""}
            kind, paths = sub
        inside = [p for p in paths if p.startswith(self.root + os.sep)]
        if not inside:
            return {"kind": "outside", "paths": [], "how": how, "where": paths[0] if paths else ""}
        rel = [os.path.relpath(p, self.root).replace(os.sep, "/") for p in inside]
        return {"kind": kind, "paths": rel, "how": how, "where": ""}

    def _top(self, top, entries):
        portions, how = [], ""
        for d, h in entries:
            got = _find_in(top, [d])
            if got is None:
                continue
            kind, paths = got
            if kind != "namespace":
                return kind, paths, h
            if not portions:
                how = h
            portions.extend(paths)
        if portions:
            return "namespace", portions, how
        return None

    def _hook(self, top):
        """An import hook's location for a top-level name inside the project."""
        try:
            with contextlib.redirect_stdout(sys.stderr):
                spec = importlib.util.find_spec(top)
        except Exception:
            return None
        if spec is None:
            return None
        locs = [os.path.realpath(p) for p in (spec.submodule_search_locations or [])]
        if locs:
            kind = "package" if spec.origin and spec.origin.endswith("__init__.py") else "namespace"
            paths = locs
        elif spec.origin and spec.origin not in ("built-in", "frozen"):
            kind, paths = "module", [os.path.realpath(spec.origin)]
        else:
            return None
        if not any(p.startswith(self.root + os.sep) for p in paths):
            return None
        return kind, paths, "an import hook of the interpreter (an editable install's finder)"


def _find_in(name, dirs):
    """(kind, paths) of name in the directories, as a path finder sees it."""
    portions = []
    for d in dirs:
        pkg = os.path.join(d, name)
        if os.path.isdir(pkg) and any(os.path.isfile(os.path.join(pkg, "__init__" + ext)) for ext in (".py", ".pyi")):
            return "package", [os.path.realpath(pkg)]
        if os.path.isfile(pkg + ".py"):
            return "module", [os.path.realpath(pkg + ".py")]
        if os.path.isdir(pkg):
            portions.append(os.path.realpath(pkg))
    if portions:
        return "namespace", portions
    return None


def _pth_files(d):
    try:
        return sorted(n for n in os.listdir(d) if n.endswith(".pth"))
    except OSError:
        return []


def _pth_paths(d, name):
    try:
        with open(os.path.join(d, name), encoding="utf-8", errors="replace") as f:
            lines = f.read().splitlines()
    except OSError:
        return []
    out = []
    for line in lines:
        line = line.strip()
        if line and not line.startswith(("#", "import ", "import\t")):
            out.append(os.path.realpath(os.path.join(d, line)))
    return out

