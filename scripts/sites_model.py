"""sites.py's model of one parsed module: its imports, scopes, qualnames, parents and instances.

Loaded before sites.py (scripts.Run sends it on stdin); imports sites_source.
``File`` indexes a module's AST once, lazily (``walk``): the names it imports
and what they resolve to, each node's parent, qualname (Python's
``__qualname__``) and enclosing class, its function definitions and class
bases, and the names bound to instances of classes.
"""
import ast

from sites_source import INDEX


class File(object):
    """One parsed module: imports, parents, scopes."""

    def __init__(self, path, names, is_pkg, src, tree):
        self.path, self.names, self.src, self.tree = path, names, src, tree
        self.module = names[0] if names else ""
        parts = self.module.split(".") if self.module else []
        self.pkg = parts if is_pkg else parts[:-1]
        self.imports, self.star = {}, False
        self.parents, self.qual, self.cls = {}, {}, {}
        self.defs, self.bases, self.instances = [], {}, {}
        self.walked, self.bad = False, False

    def mentions(self, words):
        return any(w in self.src.data for w in words)

    def walk(self):
        """Index parents, scopes, imports and instances (once; files are walked lazily)."""
        if self.walked:
            return
        self.walked = True
        stack = [(self.tree, None, "", None, None)]
        while stack:
            node, parent, qual, cls, scope = stack.pop()
            if parent is not None:
                self.parents[node] = parent
            self.qual[node], self.cls[node] = qual, cls
            self.note_import(node)
            self.note_instance(node)
            for child, cqual, ccls, cscope in self.children(node, qual, cls, scope):
                stack.append((child, node, cqual, ccls, cscope))

    def children(self, node, qual, cls, scope):
        inner = None
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)):
            name = getattr(node, "name", "<lambda>")
            sep = ".<locals>." if isinstance(scope, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)) else "."
            inner = (qual + sep + name) if qual else name
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                self.defs.append((node, inner, cls if isinstance(scope, ast.ClassDef) else None))
            if isinstance(node, ast.ClassDef):
                self.bases[inner] = set(n for b in node.bases for n in type_names(b))
        for field, value in ast.iter_fields(node):
            kids = value if isinstance(value, list) else [value]
            in_body = inner is not None and field == "body"
            for kid in kids:
                if isinstance(kid, ast.AST):
                    if in_body:
                        yield kid, inner, inner if isinstance(node, ast.ClassDef) else cls, node
                    else:
                        yield kid, qual, cls, scope

    def note_import(self, node):
        if isinstance(node, ast.Import):
            for a in node.names:
                if a.asname:
                    self.imports[a.asname] = a.name
                else:
                    top = a.name.split(".")[0]
                    self.imports[top] = top
        elif isinstance(node, ast.ImportFrom):
            base = self.from_base(node)
            for a in node.names:
                if a.name == "*":
                    self.star = True
                elif base:
                    self.imports[a.asname or a.name] = base + "." + a.name

    def note_instance(self, node):
        """Remember names bound to instances of classes: x = C(), x: C, self.x = C()."""
        pairs = []
        if isinstance(node, ast.Assign):
            pairs = [(t, node.value, None) for t in node.targets]
        elif isinstance(node, ast.AnnAssign):
            pairs = [(node.target, node.value, node.annotation)]
        elif isinstance(node, ast.arg) and node.annotation is not None:
            pairs = [(ast.Name(id=node.arg), None, node.annotation)]
        for target, value, ann in pairs:
            key = chain_text(target)
            names = type_names(ann) if ann is not None else []
            if isinstance(value, ast.Call):
                names = names + type_names(value.func)
            if key and names:
                self.instances.setdefault(key, set()).update(names)

    def instance_of(self, call, base, cls_name):
        """Whether base is known to be an instance of a class named cls_name."""
        here = self.cls.get(call)
        if isinstance(base, ast.Name) and base.id in ("self", "cls") and here:
            return here.split(".")[-1] == cls_name or cls_name in self.bases.get(here, ())
        if isinstance(base, ast.Call):
            if isinstance(base.func, ast.Name) and base.func.id == "super":
                return bool(here) and cls_name in self.bases.get(here, ())
            return cls_name in type_names(base.func)
        return cls_name in self.instances.get(chain_text(base), ())

    def from_base(self, node):
        if not node.level:
            return node.module
        if node.level > len(self.pkg):
            return None  # beyond the top-level package: an ImportError
        parts = self.pkg[:len(self.pkg) - (node.level - 1)]
        if node.module:
            parts = parts + [node.module]
        return ".".join(parts)

    def resolve(self, e):
        if isinstance(e, ast.Name):
            return self.imports.get(e.id)
        if isinstance(e, ast.Attribute):
            base = self.resolve(e.value)
            return base + "." + e.attr if base else None
        return None

    def qualname(self, node):
        return self.qual.get(node) or "<module>"

    def full_names(self, qual):
        """The dotted names of a top-level or nested definition, by every module name."""
        return [n + "." + qual for n in self.names] or [qual]


def chain_text(e):
    if isinstance(e, ast.Name):
        return e.id
    if isinstance(e, ast.Attribute):
        base = chain_text(e.value)
        return base + "." + e.attr if base else None
    return None


def type_names(e):
    """Class names an annotation or constructor expression may denote."""
    if isinstance(e, ast.Name):
        return [e.id]
    if isinstance(e, ast.Attribute):
        return [e.attr]
    if isinstance(e, ast.Subscript):
        return type_names(e.slice) + type_names(e.value)
    if isinstance(e, ast.Tuple):
        return [n for x in e.elts for n in type_names(x)]
    if isinstance(e, ast.BinOp):
        return type_names(e.left) + type_names(e.right)
    if isinstance(e, ast.Constant) and isinstance(e.value, str):
        return [e.value.strip("'\" ").split(".")[-1].split("[")[0]]
    if isinstance(e, INDEX):
        return type_names(e.value)
    return []


def walk(f, errors):
    """Index f; False (and an error) when it is too deeply nested to index."""
    if f.walked:
        return not f.bad
    try:
        f.walk()
    except (RecursionError, MemoryError):
        f.bad = True
        errors.append({"path": f.path, "line": 0, "msg": "source too deeply nested"})
    return not f.bad
