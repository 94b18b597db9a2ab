"""teeth init's (and teeth rule's) reader of a project's Blockbuster gate.

Run by teeth with the project's own interpreter (isolated, no site); reads on
stdin {"dir": the project directory, "conftests": [conftest.py paths relative
to it], "before": [[dir, how], ...], "after": [[dir, how], ...]} and writes
{"gates": [...], "modules": {name: {...}}} to stdout.

A gate is a call of ``BlockBuster(...)`` or ``blockbuster_ctx(...)`` in a
conftest, or in a project module a conftest imports or names in
``pytest_plugins``. For each it reports the scanned and excluded module names
(literal lists, module-level constants, imported modules), the opt-out marker
the file checks, the strings that may name the directory it gates, and, for
teeth rule, where a detector rule can be added to it (``edit``: after the
statement binding the gate, or first in the body of ``with blockbuster_ctx(...)
as gate``, with the source of its scanned and excluded modules) and how its
file gets ``BlockBusterFunction`` (``imports``).

Each module name is then looked up as Python would import it, without
importing anything: along ``before`` (the gate's rootdir entry, pytest's
pythonpath, the project directory), the interpreter's site-packages entries
that point into the project (editable installs' .pth files), ``after``
(workspace members, src layouts), the rest of the interpreter's path, and
finally the interpreter's import hooks (``importlib.util.find_spec`` of the
top-level name only, which imports nothing).
"""

import ast
import contextlib
import importlib.util
import json
import os
import sys

GATE_CALLS = ("BlockBuster", "blockbuster_ctx")
MARKER_METHODS = ("get_closest_marker", "iter_markers")
MAX_DEPTH = 3


def main():
    req = json.load(sys.stdin)
    root = os.path.realpath(req["dir"])
    reader = Reader(root)
    gates = []
    for rel in req.get("conftests") or []:
        gates.extend(reader.gates_of(rel))
    names = set()
    for g in gates:
        names.update(g["modules"] or [])
        names.update(g["excluded"] or [])
    search = Search(root, req.get("before") or [], req.get("after") or [])
    modules = {name: search.resolve(name) for name in sorted(names)}
    json.dump({"gates": gates, "modules": modules}, sys.stdout)


class Reader:
    """Parses conftests and the project modules they import."""

    def __init__(self, root):
        self.root = root
        self.parsed = {}  # abs path -> FileInfo or None

    def info(self, path):
        if path not in self.parsed:
            self.parsed[path] = None
            try:
                with open(path, "rb") as f:
                    data = f.read()
                tree = ast.parse(data, filename=path)
            except (OSError, SyntaxError, ValueError):
                return None
            self.parsed[path] = FileInfo(tree, data.decode("utf-8", "replace"))
        return self.parsed[path]

    def gates_of(self, conftest):
        """Every gate a conftest sets up, itself or through the modules it imports."""
        path = os.path.join(self.root, conftest)
        out, seen = [], set()
        self._collect(path, conftest, 0, out, seen)
        return out

    def _collect(self, path, conftest, depth, out, seen):
        if path in seen or depth > MAX_DEPTH:
            return
        seen.add(path)
        fi = self.info(path)
        if fi is None:
            return
        rel = os.path.relpath(path, self.root).replace(os.sep, "/")
        for call in fi.gate_calls:
            out.append(self._gate(fi, call, rel, conftest, path))
        for mod in fi.local_imports:
            target = self._module_file(mod, path)
            if target:
                self._collect(target, conftest, depth + 1, out, seen)

    def _gate(self, fi, call, rel, conftest, path):
        scanned, excluded = gate_args(call)
        modules, unresolved = fi.modules_of(scanned, self, path)
        excl, _ = fi.modules_of(excluded, self, path) if excluded is not None else ([], None)
        markers, hooks = fi.markers, set(fi.hooks)
        if not markers and rel != conftest:
            # The gate is built elsewhere; the conftest that uses it decides the opt-out.
            cf = self.info(os.path.join(self.root, conftest))
            if cf is not None:
                markers, hooks = cf.markers, hooks | cf.hooks
        func = fi.enclosing(call)
        return {
            "conftest": conftest,
            "file": rel,
            "line": call.lineno,
            "call": call_name(call),
            "modules": None if scanned is None else modules,
            "excluded": excl or [],
            "unresolved": unresolved,
            "markers": markers,
            "strings": sorted(fi.strings),
            "function": func.name if func else "",
            "fixture": fi.fixture_of(func),
            "hooks": sorted(hooks),
            "edit": rule_edit(fi, call),
            "imports": import_edit(fi),
        }

    def _module_file(self, dotted, importer):
        """The project file a dotted import in importer names, if any: looked up
        from importer's directory up to the project directory."""
        parts = dotted.split(".")
        d = os.path.dirname(importer)
        while True:
            for cand in (os.path.join(d, *parts) + ".py", os.path.join(d, *parts, "__init__.py")):
                if os.path.isfile(cand):
                    return os.path.realpath(cand)
            if d == self.root or not d.startswith(self.root):
                return None
            d = os.path.dirname(d)

    def constant(self, dotted, name, importer):
        """A module-level constant of another project module, as a list of names."""
        target = self._module_file(dotted, importer)
        fi = self.info(target) if target else None
        if fi is None or name not in fi.consts:
            return None
        mods, bad = fi.modules_of(fi.consts[name], self, target)
        return None if bad else mods


class FileInfo:
    """What one module's AST says about the gate."""

    def __init__(self, tree, source):
        self.tree = tree
        self.source = source
        self.consts = {}  # module-level NAME -> value node
        self.aliases = {}  # local name -> dotted module name (import x.y as z)
        self.from_names = {}  # local name -> (module, name) of "from module import name"
        self.gate_names = set(GATE_CALLS)
        self.local_imports = []
        self.gate_calls = []
        self.markers = []
        self.strings = set()
        self.hooks = set()
        self.fixtures = {}  # function name -> autouse
        self.parents = {}
        self._read()

    def _read(self):
        for node in ast.walk(self.tree):
            for child in ast.iter_child_nodes(node):
                self.parents[child] = node
        for node in self.tree.body:
            self._top(node)
        for node in ast.walk(self.tree):
            self._any(node)

    def _top(self, node):
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            self.consts[node.targets[0].id] = node.value
            if node.targets[0].id == "pytest_plugins":
                for s in _strings(node.value):
                    self.local_imports.append(s)
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.value is not None:
            self.consts[node.target.id] = node.value
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            if node.name.startswith("pytest_runtest") or node.name in ("pytest_configure", "pytest_sessionstart"):
                self.hooks.add(node.name)
            for dec in node.decorator_list:
                autouse = _fixture_autouse(dec)
                if autouse is not None:
                    self.fixtures[node.name] = autouse

    def _any(self, node):
        if isinstance(node, ast.Import):
            for a in node.names:
                self.aliases[a.asname or a.name.split(".")[0]] = a.name if a.asname else a.name.split(".")[0]
                self.local_imports.append(a.name)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            for a in node.names:
                local = a.asname or a.name
                if node.module.split(".")[0] == "blockbuster" and a.name in GATE_CALLS:
                    self.gate_names.add(local)
                self.from_names[local] = (node.module, a.name)
                self.local_imports.append(node.module + "." + a.name)
            self.local_imports.append(node.module)
        elif isinstance(node, ast.ImportFrom):
            # from .support import gate / from .support.gate import GATE: a
            # sibling module of the importer (its package's modules).
            if node.module:
                self.local_imports.append(node.module)
            for a in node.names:
                self.local_imports.append(((node.module + ".") if node.module else "") + a.name)
        elif isinstance(node, ast.Call):
            self._call(node)
        elif isinstance(node, ast.Compare):
            # "allow_blocking_io" in item.keywords
            if (len(node.ops) == 1 and isinstance(node.ops[0], (ast.In, ast.NotIn))
                    and _str(node.left) is not None and isinstance(node.comparators[0], ast.Attribute)
                    and node.comparators[0].attr == "keywords"):
                self._marker(_str(node.left), node)
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            s = node.value.strip("/")
            if s and len(s) < 200 and all(c.isalnum() or c in "_-./" for c in s):
                self.strings.add(s)

    def _call(self, node):
        f = node.func
        name = f.id if isinstance(f, ast.Name) else f.attr if isinstance(f, ast.Attribute) else None
        if name in self.gate_names or name in GATE_CALLS:
            self.gate_calls.append(node)
        elif name in MARKER_METHODS and isinstance(f, ast.Attribute):
            arg = node.args[0] if node.args else next((k.value for k in node.keywords if k.arg == "name"), None)
            value = _str(arg)
            if value is None and isinstance(arg, ast.Name) and arg.id in self.consts:
                value = _str(self.consts[arg.id])
            if value is not None:
                self._marker(value, node)

    def _marker(self, name, node):
        func = self.enclosing(node)
        self.markers.append({"name": name, "line": node.lineno, "function": func.name if func else ""})

    def enclosing(self, node):
        while node in self.parents:
            node = self.parents[node]
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                return node
        return None

    def fixture_of(self, func):
        """{"name", "autouse"} when the gate is set up in a fixture (or a function one calls)."""
        if func is None:
            return None
        if func.name in self.fixtures:
            return {"name": func.name, "autouse": self.fixtures[func.name]}
        for fname, autouse in self.fixtures.items():
            fdef = next((n for n in self.tree.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)) and n.name == fname), None)
            if fdef is not None and any(isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id == func.name
                                        for n in ast.walk(fdef)):
                return {"name": fname, "autouse": autouse}
        return None

    def modules_of(self, node, reader, path, depth=0):
        """The module names an expression denotes, and the source of the part
        that could not be read statically ("" when all of it could)."""
        if node is None:
            return [], ""
        if depth > 10:
            return [], "(too deep)"
        s = _str(node)
        if s is not None:
            return [s], ""
        if isinstance(node, (ast.List, ast.Tuple, ast.Set)):
            out, bad = [], []
            for elt in node.elts:
                inner = elt.value if isinstance(elt, ast.Starred) else elt
                mods, b = self.modules_of(inner, reader, path, depth + 1)
                out.extend(mods)
                if b:
                    bad.append(b)
            return out, ", ".join(bad)
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
            left, lb = self.modules_of(node.left, reader, path, depth + 1)
            right, rb = self.modules_of(node.right, reader, path, depth + 1)
            return left + right, ", ".join(b for b in (lb, rb) if b)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("list", "tuple", "set") and len(node.args) == 1:
            return self.modules_of(node.args[0], reader, path, depth + 1)
        if isinstance(node, ast.Name):
            if node.id in self.consts:
                return self.modules_of(self.consts[node.id], reader, path, depth + 1)
            if node.id in self.aliases:
                return [self.aliases[node.id]], ""
            if node.id in self.from_names:
                module, name = self.from_names[node.id]
                got = reader.constant(module, name, path)
                if got is not None:
                    return got, ""
                return [module + "." + name], ""  # from pkg import submodule
        if isinstance(node, ast.Attribute):
            dotted = _dotted(node)
            if dotted and dotted.split(".")[0] in self.aliases:
                head, _, rest = dotted.partition(".")
                return [self.aliases[head] + "." + rest], ""
        return [], _source(self.source, node)


# --- where a detector rule can be added (teeth rule) ----------------------------


def _simple(node):
    """Whether an expression can be repeated where the gate is built without
    running anything: a name, a dotted name, a string, or a list of those."""
    if isinstance(node, ast.Constant):
        return node.value is None or isinstance(node.value, str)
    if isinstance(node, (ast.List, ast.Tuple, ast.Set)):
        return all(_simple(e) and not isinstance(e, (ast.List, ast.Tuple, ast.Set)) for e in node.elts)
    return isinstance(node, ast.Name) or (isinstance(node, ast.Attribute) and _dotted(node) is not None)


def rule_edit(fi, call):
    """Where a detector rule can be added to the gate built by call: after the
    statement binding it to a name (kind "assign"), or first in the body of
    the with statement that binds it (kind "with"); with the source of its
    scanned and excluded modules. kind "" says why not in why."""
    scanned, excluded = gate_args(call)
    edit = {"kind": "", "target": "", "line": 0, "indent": "", "scanned": None, "excluded": None, "why": ""}
    for key, node in (("scanned", scanned), ("excluded", excluded)):
        if node is None:
            continue
        if not _simple(node):
            edit["why"] = "its %s_modules is an expression teeth does not repeat (%s)" % (key, _source(fi.source, node))
            return edit
        edit[key] = ast.get_source_segment(fi.source, node)
    parent = fi.parents.get(call)
    if isinstance(parent, (ast.Assign, ast.AnnAssign)) and parent.value is call:
        targets = parent.targets if isinstance(parent, ast.Assign) else [parent.target]
        if len(targets) == 1 and (isinstance(targets[0], ast.Name) or _dotted(targets[0])):
            edit.update(kind="assign", target=ast.get_source_segment(fi.source, targets[0]),
                        line=parent.end_lineno + 1, indent=_indent(fi.source, parent.lineno))
            return edit
    if isinstance(parent, ast.withitem) and parent.context_expr is call:
        with_ = fi.parents.get(parent)
        first = with_.body[0] if isinstance(with_, ast.With) and with_.body else None
        if isinstance(parent.optional_vars, ast.Name) and first is not None and first.lineno > with_.lineno:
            edit.update(kind="with", target=parent.optional_vars.id, line=first.lineno, indent=_indent(fi.source, first.lineno))
            return edit
        edit["why"] = "the blockbuster_ctx(...) of its with statement is not bound to a name (with ... as gate:)"
        return edit
    edit["why"] = "the gate is not bound to a name where it is built (%s)" % _source(fi.source, parent or call)
    return edit


def _indent(source, lineno):
    line = source.splitlines()[lineno - 1]
    return line[: len(line) - len(line.lstrip(" \t"))]


def _isort_key(name):
    """isort's default order of imported names: constants, classes, then the rest."""
    kind = 0 if name.isupper() else 1 if name[:1].isupper() else 2
    return kind, name.lower()


def _with_name(node, name):
    """A one-line "from module import ..." with name added: in isort's order when
    the names are in it already, else last."""
    names = [a.name + (" as " + a.asname if a.asname else "") for a in node.names]
    if [a.name for a in node.names] == sorted((a.name for a in node.names), key=_isort_key):
        names = sorted(names + [name], key=lambda n: _isort_key(n.split(" ")[0]))
    else:
        names.append(name)
    return "from %s import %s" % (node.module, ", ".join(names))


def import_edit(fi):
    """How the gate's file gets BlockBusterFunction: the expression naming it,
    and the import to change (a line to replace) or to add (after a line)."""
    lines = fi.source.splitlines()
    last_import, from_line = 0, None
    for node in fi.tree.body:
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module in ("blockbuster", "blockbuster.blockbuster"):
            for a in node.names:
                if a.name == "BlockBusterFunction":
                    return {"fn": a.asname or a.name, "line": 0, "replace": "", "after": 0, "insert": ""}
            text = lines[node.lineno - 1]
            if node.lineno == node.end_lineno and text.rstrip().endswith(node.names[-1].asname or node.names[-1].name) and "(" not in text:
                from_line = (node.lineno, _with_name(node, "BlockBusterFunction"))
        elif isinstance(node, ast.Import):
            for a in node.names:
                if a.name == "blockbuster":
                    return {"fn": (a.asname or a.name) + ".BlockBusterFunction", "line": 0, "replace": "", "after": 0, "insert": ""}
        if isinstance(node, (ast.Import, ast.ImportFrom)) and node.col_offset == 0:
            last_import = node.end_lineno
    if from_line is not None:
        return {"fn": "BlockBusterFunction", "line": from_line[0], "replace": from_line[1], "after": 0, "insert": ""}
    return {"fn": "BlockBusterFunction", "line": 0, "replace": "", "after": last_import, "insert": "from blockbuster import BlockBusterFunction"}


def gate_args(call):
    """The scanned_modules and excluded_modules argument nodes of a gate call;
    scanned is None when the call scans every module."""
    scanned = call.args[0] if call.args else None
    excluded = None
    for k in call.keywords:
        if k.arg == "scanned_modules":
            scanned = k.value
        elif k.arg == "excluded_modules":
            excluded = k.value
    if isinstance(scanned, ast.Constant) and scanned.value is None:
        scanned = None
    return scanned, excluded


def call_name(call):
    f = call.func
    return f.id if isinstance(f, ast.Name) else f.attr


def _fixture_autouse(dec):
    """None unless dec is a pytest.fixture decorator; else whether it is autouse."""
    target = dec.func if isinstance(dec, ast.Call) else dec
    name = target.attr if isinstance(target, ast.Attribute) else target.id if isinstance(target, ast.Name) else ""
    if name != "fixture":
        return None
    if isinstance(dec, ast.Call):
        for k in dec.keywords:
            if k.arg == "autouse" and isinstance(k.value, ast.Constant):
                return bool(k.value.value)
    return False


def _str(node):
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None


def _strings(node):
    if isinstance(node, (ast.List, ast.Tuple)):
        return [s for s in (_str(e) for e in node.elts) if s]
    s = _str(node)
    return [s] if s else []


def _dotted(node):
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
        return ".".join(reversed(parts))
    return None


def _source(source, node):
    """The source text of an expression, on one line and shortened."""
    text = ast.get_source_segment(source, node) or type(node).__name__
    text = " ".join(text.split())
    return text if len(text) <= 120 else text[:117] + "..."


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


if __name__ == "__main__":
    main()
