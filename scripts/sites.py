"""teeth: find thread-offload call sites in Python sources.

Run with the target project's interpreter (Python 3.8+, stdlib only):

    python -I -S sites.py sites    < {"root", "files", "wrappers", "modules"}
    python -I -S sites.py compile  < [{"name", "source" | "source_b64"}]

"modules" maps each file to {"names", "pkg"}: the dotted names Python imports it
by (the one to report first; teeth's Go side computes them from the sys.path
entries of its runs, with PEP 420 namespace packages) and whether it is a
package's __init__.py. "wrappers" are configured wrappers, by dotted name or
bare function name.

sites prints {"files": [{"path", "sha256", "sites": [site...]}], "errors":
[{"path", "line", "msg"}], "wrappers": [{"name", "path", "line"}]}, where a site is
{"path", "qualname", "offload", "callee", "line", "col", "direct", "shape",
"helper", "inline", "span", "fn", "fn_parens", "args", "verbatim", "dropped"}: spans are
[start, end) absolute byte offsets into the file's bytes, "col" is 1-based.
Files that mention no offload API, "async" or wrapper name are not parsed.
compile prints one null or error message per input.

Qualnames follow Python's __qualname__ ("C.m", "f.<locals>.g", "<module>").
"""
import ast
import base64
import codecs
import hashlib
import io
import json
import os
import re
import sys
import tokenize
import warnings

COMPAT = os.environ.get("TEETH_SITES_COMPAT") == "1"
HAS_UNPARSE = hasattr(ast, "unparse") and not COMPAT
KW_POS = sys.version_info >= (3, 9) and not COMPAT

TO_THREAD = ("asyncio.to_thread", "asyncio.threads.to_thread")
ANYIO = ("anyio.to_thread.run_sync",)
STARLETTE = ("starlette.concurrency.run_in_threadpool", "fastapi.concurrency.run_in_threadpool")
ASGIREF = ("asgiref.sync.sync_to_async", "asgiref.sync.SyncToAsync", "channels.db.database_sync_to_async")
LANGCHAIN = ("langchain_core.runnables.run_in_executor", "langchain_core.runnables.config.run_in_executor")
PARTIAL = ("functools.partial",)
WAIT_FOR = ("asyncio.wait_for", "asyncio.tasks.wait_for")
GATHER = ("asyncio.gather", "asyncio.tasks.gather")
CREATE_TASK = ("asyncio.create_task", "asyncio.tasks.create_task")
ENSURE_FUTURE = ("asyncio.ensure_future", "asyncio.tasks.ensure_future")
LOOP = "loop.run_in_executor"
KEYWORDS = (b"to_thread", b"run_in_executor", b"run_in_threadpool", b"sync_to_async", b"SyncToAsync")
SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef, ast.Module)
NEWLINE = re.compile(rb"\r\n|\r|\n")
INDEX = ast.Index if sys.version_info < (3, 9) else ()


class Skip(Exception):
    """An offload call whose shape teeth cannot mutate safely."""


class Source(object):
    """File bytes with line/column to byte-offset mapping."""

    def __init__(self, data):
        self.data = data
        self.enc = tokenize.detect_encoding(io.BytesIO(data).readline)[0]
        if self.enc == "utf-8-sig":
            self.enc = "utf-8"
        self.utf8 = codecs.lookup(self.enc).name == "utf-8"
        bom = 3 if data.startswith(codecs.BOM_UTF8) else 0
        self.starts = [bom] + [m.end() for m in NEWLINE.finditer(data)]

    def off(self, line, col):
        start = self.starts[line - 1]
        if self.utf8:
            return start + col
        end = self.starts[line] if line < len(self.starts) else len(self.data)
        text = self.data[start:end].decode(self.enc)
        chars = len(text.encode("utf-8")[:col].decode("utf-8", "ignore"))
        return start + len(text[:chars].encode(self.enc))

    def span(self, node):
        return [self.off(node.lineno, node.col_offset), self.off(node.end_lineno, node.end_col_offset)]

    def text(self, span):
        return self.data[span[0]:span[1]].decode(self.enc)


def kw_span(src, kw):
    """Span of a keyword argument, from its name or its '**'."""
    if KW_POS:
        return src.span(kw)
    data = src.data
    start, end = src.span(kw.value)
    i, parens = back_space(data, start), 0
    while data[i - 1:i] == b"(":
        i, parens = back_space(data, i - 1), parens + 1
    for _ in range(parens):
        end = fwd_space(data, end)
        if data[end:end + 1] != b")":
            raise Skip("cannot locate keyword value")
        end += 1
    if kw.arg is None:
        if data[i - 2:i] != b"**":
            raise Skip("cannot locate '**'")
        return [i - 2, end]
    if data[i - 1:i] != b"=":
        raise Skip("cannot locate keyword name")
    i = j = back_space(data, i - 1)
    while i > 0 and (data[i - 1:i].isalnum() or data[i - 1] in b"_" or data[i - 1] >= 0x80):
        i -= 1
    if i == j:
        raise Skip("cannot locate keyword name")
    return [i, end]


def back_space(data, i):
    while i > 0:
        if data[i - 1:i] in (b" ", b"\t", b"\x0c", b"\r", b"\n"):
            i -= 1
        elif data[i - 1:i] == b"\\" and i < len(data) and data[i:i + 1] in (b"\r", b"\n"):
            i -= 1
        else:
            break
    return i


def fwd_space(data, i):
    while data[i:i + 1] in (b" ", b"\t", b"\x0c", b"\r", b"\n") and i < len(data):
        i += 1
    return i


def dump(node):
    return ast.dump(node)


def parses_as(text, nodes):
    """Whether '_(text)' parses to exactly the given argument nodes."""
    try:
        call = ast.parse("_(" + text + ")", mode="eval").body
    except (SyntaxError, ValueError):
        return False
    if not isinstance(call, ast.Call):
        return False
    pos = [n for n in nodes if not isinstance(n, ast.keyword)]
    kws = [n for n in nodes if isinstance(n, ast.keyword)]
    return list(map(dump, call.args)) == list(map(dump, pos)) and list(map(dump, call.keywords)) == list(map(dump, kws))


def callee_text(src, node, span):
    if isinstance(node, ast.Lambda):
        return "<lambda>"
    text = ast.unparse(node) if HAS_UNPARSE else unparse(src, node)
    return text if len(text) <= 60 else text[:57] + "..."


def unparse(src, e):
    """ast.unparse for the common callee shapes, on Pythons that lack it."""
    if isinstance(e, ast.Name):
        return e.id
    if isinstance(e, ast.Attribute):
        return unparse(src, e.value) + "." + e.attr
    if isinstance(e, ast.Call):
        args = [unparse(src, a) for a in e.args]
        args += [(k.arg + "=" if k.arg else "**") + unparse(src, k.value) for k in e.keywords]
        return unparse(src, e.func) + "(" + ", ".join(args) + ")"
    if isinstance(e, ast.Starred):
        return "*" + unparse(src, e.value)
    if isinstance(e, ast.Subscript):
        return unparse(src, e.value) + "[" + unparse(src, e.slice) + "]"
    if isinstance(e, ast.Constant) and not isinstance(e.value, bytes):
        return repr(e.value)
    if isinstance(e, INDEX):
        return unparse(src, e.value)
    return " ".join(src.text(src.span(e)).split()) if hasattr(e, "end_col_offset") else "..."


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


class Wrapper(object):
    """A pass-through offload wrapper: call sites of it are offload sites.

    full is its dotted name as reported; fulls holds every dotted name it can
    be imported by (a module reachable from two sys.path entries has two)."""

    def __init__(self, name, full, k, named, kwargs, path="", line=0, cls=None, fulls=None):
        self.name, self.full, self.k, self.named, self.kwargs = name, full, k, named, kwargs
        self.path, self.line, self.cls = path, line, cls
        self.fulls = set(fulls or [full])
        self.method = cls is not None
        self.cls_name = cls.split(".")[-1] if cls else None


def configured_wrapper(entry):
    """A wrapper named in the configuration: callable first, everything after it forwarded."""
    w = Wrapper(entry.split(".")[-1], entry, 0, set(), True)
    w.entry = entry
    return w


def config_names(w, node, fulls):
    """Whether a definition (node, by its dotted names fulls) is configured
    wrapper w: a bare entry names the function, a dotted one its full name or
    a dotted tail of it (file_io.run_file_io for svc.utils.file_io.run_file_io)."""
    if "." not in w.entry:
        return w.name == node.name
    return any(x == w.entry or x.endswith("." + w.entry) for x in fulls)


def same_package(r, fulls):
    """Whether dotted name r is in the top-level package of one of fulls."""
    top = r.split(".")[0]
    return any(x.split(".")[0] == top for x in fulls)


def reexport(r, fulls):
    """Whether dotted name r is one of fulls imported from a package above its module."""
    mod, _, name = r.rpartition(".")
    return bool(mod) and any(x.rpartition(".")[2] == name and x.startswith(mod + ".") for x in fulls)


class Scanner(object):
    """Offload classification shared by all files."""

    def __init__(self, files, config):
        self.files = files
        self.config = [configured_wrapper(entry) for entry in config]
        self.wrappers, self.found = {}, []
        self.internal = set()

    def offload(self, f, call):
        """Return (offload, fn_node, forwarded, dropped) or None; raise Skip."""
        inner = call.func
        if isinstance(inner, ast.Call) and f.resolve(inner.func) in ASGIREF:
            fn = self.first(inner.args, 0)
            if fn is None:
                fn = next((k.value for k in inner.keywords if k.arg == "func"), None)
            if fn is None:
                raise Skip("no callable argument")
            dropped = [a for a in inner.args if a is not fn] + [k for k in inner.keywords if k.value is not fn]
            return "asgiref.sync.sync_to_async", fn, call.args + call.keywords, dropped
        r = f.resolve(call.func)
        if r in TO_THREAD:
            return "asyncio.to_thread", self.need(call.args, 0), call.args[1:] + call.keywords, []
        if r in ANYIO:
            return "anyio.to_thread.run_sync", self.need(call.args, 0), call.args[1:], list(call.keywords)
        if r in STARLETTE:
            return "starlette.concurrency.run_in_threadpool", self.need(call.args, 0), call.args[1:] + call.keywords, []
        if r in LANGCHAIN:
            return "langchain_core.runnables.run_in_executor", self.need(call.args, 1), call.args[2:] + call.keywords, call.args[:1]
        w = self.match_wrapper(f, call, r)
        if w is not None:
            return self.wrapper_site(w, call)
        if r is None and isinstance(call.func, ast.Attribute) and call.func.attr == "run_in_executor":
            if call.keywords:
                raise Skip("run_in_executor with keyword arguments")
            return LOOP, self.need(call.args, 1), call.args[2:], call.args[:1]
        return None

    @staticmethod
    def first(args, k):
        if len(args) <= k or any(isinstance(a, ast.Starred) for a in args[:k + 1]):
            return None
        return args[k]

    def need(self, args, k):
        fn = self.first(args, k)
        if fn is None:
            raise Skip("callable is not a plain positional argument")
        return fn

    def wrapper_site(self, w, call):
        fn = self.first(call.args, w.k)
        if fn is None:
            return None
        kws = [k for k in call.keywords if w.kwargs and k.arg not in w.named]
        dropped = call.args[:w.k] + [k for k in call.keywords if k not in kws]
        return "wrapper:" + w.full, fn, call.args[w.k + 1:] + kws, dropped

    def match_wrapper(self, f, call, r):
        func = call.func
        names = [func.id] if isinstance(func, ast.Name) else [getattr(func, "attr", None)]
        if r:
            names.append(r.split(".")[-1])
        w = self.configured(f, call, r, names)
        if w is not None:
            return w
        cands = [w for name in names for w in self.wrappers.get(name, ())]
        funcs = sorted((w for w in cands if not w.method), key=lambda w: w.path != f.path)
        if not cands:
            return None
        if r is not None:
            exact = [w for w in cands if r in w.fulls]
            same_pkg = [w for w in funcs if same_package(r, w.fulls)]
            return (exact + same_pkg + [None])[0]
        if isinstance(func, ast.Name):
            return ([w for w in funcs if w.path == f.path or f.star] + [None])[0]
        methods = [w for w in cands if w.method and f.instance_of(call, func.value, w.cls_name)]
        return (methods + funcs + [None])[0]

    def configured(self, f, call, r, names):
        """The configured wrapper call calls: a bare entry by function name, a
        dotted one by the name the call resolves to (that name, or a re-export
        by a package above its module), or, for a name the file does not
        import, by the file's own module."""
        local = call.func.id if isinstance(call.func, ast.Name) else None
        for w in self.config:
            if w.name not in names:
                continue
            if "." not in w.entry or (r is not None and (r in w.fulls or reexport(r, w.fulls))):
                return w
            if r is None and local is None:
                return w  # a method of an object teeth cannot type: by name, as before
            if r is None and (f.star or any(x in w.fulls for x in f.full_names(local))):
                return w
        return None

    def config_def(self, f, node, qual):
        """The configured wrapper that definition node is, if any."""
        fulls = f.full_names(qual)
        return next((w for w in self.config if config_names(w, node, fulls)), None)

    def resolve_config(self, files):
        """Give each configured wrapper the dotted names of its definitions in
        the source roots; one definition also gives the name it is reported by."""
        for w in self.config:
            defs = [f.full_names(q) for f in files for node, q, _ in f.defs if config_names(w, node, f.full_names(q))]
            for fulls in defs:
                w.fulls.update(fulls)
            if len(defs) == 1:
                w.full = defs[0][0]

    def find_wrappers(self, errors):
        files = [f for f in self.files if f.mentions([b"async"]) and walk(f, errors)]
        self.resolve_config(files)
        changed = True
        while changed:
            changed = False
            for f in files:
                for node, qual, cls in f.defs:
                    if node not in self.internal and self.try_wrapper(f, node, qual, cls, errors):
                        changed = True

    def try_wrapper(self, f, node, qual, cls, errors):
        try:
            return self.check_wrapper(f, node, qual, cls)
        except (RecursionError, MemoryError):
            self.internal.add(node)
            errors.append({"path": f.path, "line": node.lineno, "msg": "wrapper check skipped: source too complex"})
            return False

    def check_wrapper(self, f, node, qual, cls):
        if not isinstance(node, ast.AsyncFunctionDef):
            return False
        a = node.args
        params = list(getattr(a, "posonlyargs", [])) + list(a.args)
        deco = [d.id for d in node.decorator_list if isinstance(d, ast.Name)]
        if cls is not None and "staticmethod" not in deco:
            params = params[1:]
        if not params:
            return False
        configured = self.config_def(f, node, qual)
        p = params[0].arg if configured else params[-1].arg
        assigns = local_assigns(node)
        hits = [c for c in body_calls(node) if self.offloads_param(f, c, p, assigns, bool(configured))]
        if not hits:
            return False
        self.internal.update(hits)
        self.internal.add(node)
        named = set(x.arg for x in a.args) | set(x.arg for x in a.kwonlyargs)
        fulls = f.full_names(qual)
        w = Wrapper(node.name, fulls[0], len(params) - 1, named, a.kwarg is not None, f.path, node.lineno, cls, fulls)
        self.found.append(w)
        if not configured:
            self.wrappers.setdefault(node.name, []).append(w)
        return True

    def offloads_param(self, f, call, p, assigns, loose=False):
        """Whether call offloads parameter p; loose (a configured wrapper):
        whether it is an offload whose arguments mention p at all."""
        try:
            got = self.offload(f, call)
        except Skip:
            return False
        if got is None:
            return False
        if loose and any(isinstance(n, ast.Name) and n.id == p for n in ast.walk(call)):
            return True
        fn, fwd = got[1], got[2]
        return refs_callable(f, fn, p, assigns, 0) or ctx_run(f, fn, fwd, p, assigns, 0)


def local_assigns(fn):
    out = {}
    for node in body_nodes(fn):
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            out.setdefault(node.targets[0].id, []).append(node.value)
        elif isinstance(node, ast.AnnAssign) and node.value is not None and isinstance(node.target, ast.Name):
            out.setdefault(node.target.id, []).append(node.value)
    return out


def body_nodes(fn):
    """Nodes of a function body, not descending into nested scopes."""
    stack = list(fn.body)
    while stack:
        node = stack.pop()
        yield node
        for kid in ast.iter_child_nodes(node):
            if not isinstance(kid, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)):
                stack.append(kid)


def body_calls(fn):
    return [n for n in body_nodes(fn) if isinstance(n, ast.Call)]


def refs_callable(f, e, p, assigns, depth):
    """Whether expression e is (a partial of, a lambda calling) parameter p."""
    if depth > 8:
        return False
    if isinstance(e, ast.Name):
        if e.id == p:
            return True
        return any(refs_callable(f, v, p, assigns, depth + 1) for v in assigns.get(e.id, ()))
    if isinstance(e, ast.Call) and is_partial(f, e.func) and e.args:
        g = e.args[0]
        return refs_callable(f, g, p, assigns, depth + 1) or ctx_run(f, g, e.args[1:], p, assigns, depth + 1)
    if isinstance(e, ast.Lambda):
        calls = [n for n in ast.walk(e.body) if isinstance(n, ast.Call)]
        return any(
            refs_callable(f, c.func, p, assigns, depth + 1) or ctx_run(f, c.func, c.args, p, assigns, depth + 1)
            for c in calls
        )
    return False


def ctx_run(f, g, rest, p, assigns, depth):
    """Whether g(*rest) is ctx.run(p-callable, ...): a context's run (contextvars)."""
    run = isinstance(g, ast.Attribute) and g.attr == "run"
    first = rest[0] if rest else None
    if not run or first is None or isinstance(first, (ast.keyword, ast.Starred)):
        return False
    return refs_callable(f, first, p, assigns, depth + 1)


def is_partial(f, e):
    return f.resolve(e) in PARTIAL


def context(f, node):
    """How a non-awaited offload call is consumed."""
    child, p = node, f.parents.get(node)
    while isinstance(p, (ast.Starred, ast.List, ast.Tuple, ast.Set, ast.keyword)) or (
        isinstance(p, (ast.ListComp, ast.SetComp, ast.GeneratorExp)) and child is p.elt
    ):
        child, p = p, f.parents.get(p)
    if not isinstance(p, ast.Call) or child is p.func:
        return "deferred"
    r = f.resolve(p.func)
    attr = p.func.attr if isinstance(p.func, ast.Attribute) else None
    if r in WAIT_FOR:
        return "wait_for"
    if r in GATHER:
        return "gather"
    if r in CREATE_TASK or (r is None and attr == "create_task"):
        return "create_task"
    if r in ENSURE_FUTURE or (r is None and attr == "ensure_future"):
        return "ensure_future"
    return "deferred"


def in_genexp(f, node):
    """Whether node is evaluated lazily inside a generator expression."""
    chain = [node]
    p = f.parents.get(node)
    while p is not None and not isinstance(p, SCOPES):
        if isinstance(p, ast.GeneratorExp):
            first = p.generators[0]
            if not (len(chain) >= 2 and chain[-1] is first and chain[-2] is first.iter):
                return True
        chain.append(p)
        p = f.parents.get(p)
    return False


def in_function(f, node):
    """Whether node runs when a function is called, not when its module or
    class body is executed (at import). Decorators and default values run
    when the function is defined, so they count as import time."""
    child, p = node, f.parents.get(node)
    while p is not None:
        if isinstance(p, ast.Lambda) and child is p.body:
            return True
        if isinstance(p, (ast.FunctionDef, ast.AsyncFunctionDef)) and any(child is s for s in p.body):
            return True
        child, p = p, f.parents.get(p)
    return False


def build_site(f, call, got):
    offload, fn, fwd, dropped = got
    src = f.src
    parent = f.parents.get(call)
    awaited = isinstance(parent, ast.Await)
    direct = awaited and not in_genexp(f, parent)
    target = parent if direct else call
    span = src.span(target)
    fn_span = src.span(fn)
    fwd_spans = [kw_span(src, a) if isinstance(a, ast.keyword) else src.span(a) for a in fwd]
    order = sorted(range(len(fwd)), key=lambda i: fwd_spans[i][0])
    fwd, fwd_spans = [fwd[i] for i in order], [fwd_spans[i] for i in order]
    if not parses_as(src.text(span), [target]) or not parses_as(src.text(fn_span), [fn]):
        raise Skip("source span mismatch")
    for a, s in zip(fwd, fwd_spans):
        if not parses_as(src.text(s), [a]):
            raise Skip("argument span mismatch")
    fn_text = src.text(fn_span)
    plain = isinstance(fn, (ast.Name, ast.Attribute, ast.Call, ast.Subscript))
    return {
        "path": f.path,
        "qualname": f.qualname(call),
        "offload": offload,
        "callee": callee_text(src, fn, fn_span),
        "line": target.lineno,
        "col": span[0] - src.starts[target.lineno - 1] + 1,
        "direct": direct,
        "shape": "awaited" if awaited else context(f, call),
        "helper": "" if direct else ("future" if offload == LOOP else "coro"),
        "inline": not direct and not in_function(f, call),
        "span": span,
        "fn": fn_span,
        "fn_parens": not plain or "\n" in fn_text or "\r" in fn_text,
        "args": fwd_spans,
        "verbatim": verbatim(f.src, call, fwd, fwd_spans),
        "dropped": sorted(kw_span(src, a) if isinstance(a, ast.keyword) else src.span(a) for a in dropped),
    }


def verbatim(src, call, fwd, spans):
    """Whether the forwarded args are the call's argument tail, copyable as one slice."""
    if not fwd:
        return False
    every = call.args + call.keywords
    every.sort(key=lambda a: position(a.value if isinstance(a, ast.keyword) else a))
    if [id(a) for a in every[len(every) - len(fwd):]] != [id(a) for a in fwd]:
        return False
    return parses_as(src.text([spans[0][0], spans[-1][1]]), fwd)


def position(node):
    return (node.lineno, node.col_offset)


def read(root, path, errors):
    try:
        with open(os.path.join(root, *path.split("/")), "rb") as fh:
            return fh.read()
    except OSError as e:
        errors.append({"path": path, "line": 0, "msg": "read: " + str(e.strerror or e)})
        return None


def parse(path, data, module, errors):
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            tree = ast.parse(data, filename=path)
        is_pkg = module.get("pkg", path.rsplit("/", 1)[-1] == "__init__.py")
        f = File(path, module.get("names") or [], is_pkg, Source(data), tree)
        f.digest = hashlib.sha256(data).hexdigest()
        return f
    except SyntaxError as e:
        errors.append({"path": path, "line": e.lineno or nul_line(data), "msg": e.msg or str(e)})
    except (ValueError, UnicodeError, LookupError) as e:
        errors.append({"path": path, "line": nul_line(data), "msg": str(e)})
    except (RecursionError, MemoryError):
        errors.append({"path": path, "line": 0, "msg": "source too deeply nested"})
    return None


def nul_line(data):
    i = data.find(b"\0")
    return len(NEWLINE.findall(data[:i])) + 1 if i >= 0 else 0


def scan(req):
    """Find offload sites. Files that cannot hold a site or a wrapper are not parsed."""
    root, config, modules = req["root"], req.get("wrappers") or [], req.get("modules") or {}
    errors, files, later = [], [], []
    first = KEYWORDS + (b"async",) + tuple(n.split(".")[-1].encode("utf-8") for n in config)
    for path in req.get("files") or []:
        data = read(root, path, errors)
        if data is not None and any(w in data for w in first):
            files.append(parse(path, data, modules.get(path) or {}, errors))
        elif data is not None:
            later.append((path, data))
    sc = Scanner([f for f in files if f], config)
    sc.find_wrappers(errors)
    words = KEYWORDS + tuple(n.encode("utf-8") for n in list(sc.wrappers) + [w.name for w in sc.config])
    files += [parse(path, data, modules.get(path) or {}, errors) for path, data in later if any(w in data for w in words)]
    out = []
    for f in files:
        if f is None or not f.mentions(words) or not walk(f, errors):
            continue
        sites = file_sites(sc, f, errors)
        if sites:
            out.append({"path": f.path, "sha256": f.digest, "sites": sites})
    wrappers = [{"name": w.full, "path": w.path, "line": w.line} for w in sc.found]
    wrappers.sort(key=lambda w: (w["path"], w["line"], w["name"]))
    errors.sort(key=lambda e: (e["path"], e["line"]))
    return {"files": out, "errors": errors, "wrappers": wrappers}


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


def file_sites(sc, f, errors):
    sites = []
    calls = [n for n in f.parents if isinstance(n, ast.Call) and n not in sc.internal]
    calls.sort(key=lambda n: (n.lineno, n.col_offset))
    for call in calls:
        try:
            got = sc.offload(f, call)
            if got is not None:
                sites.append(build_site(f, call, got))
        except Skip as e:
            errors.append({"path": f.path, "line": call.lineno, "msg": "offload site skipped: " + str(e)})
        except (RecursionError, MemoryError, UnicodeError):
            errors.append({"path": f.path, "line": call.lineno, "msg": "offload site skipped: source too complex"})
    return sites


def compile_all(items):
    out = []
    for item in items:
        src = item.get("source")
        if "source_b64" in item:
            src = base64.b64decode(item["source_b64"])
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                compile(src, item.get("name") or "<teeth>", "exec", dont_inherit=True)
            out.append(None)
        except (SyntaxError, ValueError, UnicodeError, LookupError, RecursionError, MemoryError) as e:
            out.append(describe(e))
    return out


def describe(e):
    if isinstance(e, SyntaxError):
        return "%s (line %s)" % (e.msg, e.lineno)
    return "%s: %s" % (type(e).__name__, e)


def main(argv):
    mode = argv[1] if len(argv) > 1 else ""
    req = json.loads(sys.stdin.buffer.read().decode("utf-8"))
    if mode == "sites":
        res = scan(req)
    elif mode == "compile":
        res = compile_all(req)
    else:
        sys.stderr.write("usage: sites.py sites|compile\n")
        return 2
    sys.stdout.buffer.write(json.dumps(res).encode("utf-8"))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
