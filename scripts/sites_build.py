"""sites.py's site builder: the record of one offload call, with the spans teeth mutates.

Loaded before sites.py (scripts.Run sends it on stdin); imports sites_source
and sites_scan. ``build_site`` checks that every span it reports parses back
to its node and says how the call is used: awaited where it is made (direct),
or consumed by ``wait_for``, ``gather``, ``create_task``, ``ensure_future``, or
deferred, inside a function or at import time.
"""
import ast

from sites_scan import LOOP
from sites_source import Skip, callee_text, kw_span, parses_as

WAIT_FOR = ("asyncio.wait_for", "asyncio.tasks.wait_for")
GATHER = ("asyncio.gather", "asyncio.tasks.gather")
CREATE_TASK = ("asyncio.create_task", "asyncio.tasks.create_task")
ENSURE_FUTURE = ("asyncio.ensure_future", "asyncio.tasks.ensure_future")
SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef, ast.Module)


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
        "stmt": statement(f, call),
    }


def statement(f, node):
    """The whole lines of the module-level statement that holds node, its
    decorators included: what teeth compiles to check the site's mutant."""
    while not isinstance(f.parents.get(node), ast.Module) and f.parents.get(node) is not None:
        node = f.parents[node]
    first = min([node.lineno] + [d.lineno for d in getattr(node, "decorator_list", [])])
    starts, last = f.src.starts, node.end_lineno
    return [starts[first - 1], starts[last] if last < len(starts) else len(f.src.data)]


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
