"""sites.py's scanner: which calls offload a callable to a thread, and the wrappers that do.

Loaded before sites.py (scripts.Run sends it on stdin); imports sites_source
and sites_model. Owns the offload APIs teeth knows (``asyncio.to_thread``,
anyio, starlette, asgiref, langchain, ``loop.run_in_executor``), the
pass-through wrappers (``Wrapper``: configured, or found in the source roots:
an async function that offloads its callable parameter) and ``Scanner``,
which classifies a call as an offload: its callable and the arguments it
forwards or drops.
"""
import ast

from sites_model import walk
from sites_source import Skip

TO_THREAD = ("asyncio.to_thread", "asyncio.threads.to_thread")
ANYIO = ("anyio.to_thread.run_sync",)
STARLETTE = ("starlette.concurrency.run_in_threadpool", "fastapi.concurrency.run_in_threadpool")
ASGIREF = ("asgiref.sync.sync_to_async", "asgiref.sync.SyncToAsync", "channels.db.database_sync_to_async")
LANGCHAIN = ("langchain_core.runnables.run_in_executor", "langchain_core.runnables.config.run_in_executor")
PARTIAL = ("functools.partial",)
LOOP = "loop.run_in_executor"


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
