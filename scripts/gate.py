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

This file holds main, the reader of conftests and the modules they import
(Reader) and what one module's AST says about the gate (FileInfo); scripts.Run
sends its modules on stdin before it: gate_ast (reading single AST nodes),
gate_edit (the rule edits) and gate_search (the import search).
"""

import ast
import json
import os
import sys

from gate_ast import call_name, dotted_name, fixture_autouse, gate_args, source_text, string_value, string_values
from gate_edit import import_edit, rule_edit
from gate_search import Search

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
            "allows": fi.allows,
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
        self.allows = []  # what the gate deliberately allows: deactivate() and can_block_in() on its functions
        self.fixtures = {}  # function name -> (autouse, the module constant that says so or "")
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
        if isinstance(node, ast.Try):
            # try: import x; HAS_X = True / except ImportError: HAS_X = False:
            # the value when the import works (teeth needs the detector anyway)
            for inner in node.body + node.orelse:
                self._top(inner)
            for handler in node.handlers:
                for inner in handler.body:
                    if not (isinstance(inner, ast.Assign) and len(inner.targets) == 1
                            and isinstance(inner.targets[0], ast.Name) and inner.targets[0].id in self.consts):
                        self._top(inner)
            return
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            self.consts[node.targets[0].id] = node.value
            if node.targets[0].id == "pytest_plugins":
                for s in string_values(node.value):
                    self.local_imports.append(s)
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.value is not None:
            self.consts[node.target.id] = node.value
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            if node.name.startswith("pytest_runtest") or node.name in ("pytest_configure", "pytest_sessionstart"):
                self.hooks.add(node.name)
            for dec in node.decorator_list:
                autouse = fixture_autouse(dec, self.consts)
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
                    and string_value(node.left) is not None and isinstance(node.comparators[0], ast.Attribute)
                    and node.comparators[0].attr == "keywords"):
                self._marker(string_value(node.left), node)
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            s = node.value.strip("/")
            if s and len(s) < 200 and all(c.isalnum() or c in "_-./" for c in s):
                self.strings.add(s)

    def _call(self, node):
        f = node.func
        name = f.id if isinstance(f, ast.Name) else f.attr if isinstance(f, ast.Attribute) else None
        if name in ("deactivate", "can_block_in") and isinstance(f, ast.Attribute):
            self._allow(name, f.value, node)
        if name in self.gate_names or name in GATE_CALLS:
            self.gate_calls.append(node)
        elif name in MARKER_METHODS and isinstance(f, ast.Attribute):
            arg = node.args[0] if node.args else next((k.value for k in node.keywords if k.arg == "name"), None)
            value = string_value(arg)
            if value is None and isinstance(arg, ast.Name) and arg.id in self.consts:
                value = string_value(self.consts[arg.id])
            if value is not None:
                self._marker(value, node)

    def _allow(self, method, target, node):
        """gate.functions["os.stat"].deactivate() / .can_block_in(file, funcs),
        the key a literal or the variable of an enclosing for over literals."""
        if not (isinstance(target, ast.Subscript) and isinstance(target.value, ast.Attribute)
                and target.value.attr == "functions"):
            return
        key = target.slice
        if type(key).__name__ == "Index":  # before Python 3.9
            key = key.value
        names = [string_value(key)] if string_value(key) is not None else self._loop_values(key, node)
        for n in names:
            entry = {"function": n, "line": node.lineno, "kind": "deactivated" if method == "deactivate" else "exempt"}
            if method == "can_block_in":
                args = node.args
                entry["file"] = string_value(args[0]) if args else None
                entry["functions"] = string_values(args[1]) if len(args) > 1 else []
                if entry["file"] is None:
                    continue
            self.allows.append(entry)

    def _loop_values(self, key, node):
        if not isinstance(key, ast.Name):
            return []
        while node in self.parents:
            node = self.parents[node]
            if isinstance(node, ast.For) and isinstance(node.target, ast.Name) and node.target.id == key.id:
                return string_values(node.iter)
        return []

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
        """{"name", "autouse", "autouse_name", "yields"} when the gate is set up
        in a fixture (or a function one calls): yields counts the fixture's
        yield statements (more than one: it leaves the gate off for some tests)."""
        if func is None:
            return None
        for fname, (autouse, const) in self.fixtures.items():
            fdef = next((n for n in self.tree.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)) and n.name == fname), None)
            if fdef is None:
                continue
            if fname == func.name or any(isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id == func.name
                                         for n in ast.walk(fdef)):
                yields = sum(isinstance(n, (ast.Yield, ast.YieldFrom)) for n in ast.walk(fdef))
                return {"name": fname, "autouse": autouse, "autouse_name": const, "yields": yields}
        return None

    def modules_of(self, node, reader, path, depth=0):
        """The module names an expression denotes, and the source of the part
        that could not be read statically ("" when all of it could)."""
        if node is None:
            return [], ""
        if depth > 10:
            return [], "(too deep)"
        s = string_value(node)
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
            dotted = dotted_name(node)
            if dotted and dotted.split(".")[0] in self.aliases:
                head, _, rest = dotted.partition(".")
                return [self.aliases[head] + "." + rest], ""
        return [], source_text(self.source, node)


if __name__ == "__main__":
    main()
