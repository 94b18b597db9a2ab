"""How a blocking primitive was reached: the name its call went through, which decides the rule.

Imported by teeth_evidence; imports teeth_calls. A detector rule patches a
name: Blockbuster's ``BlockBusterFunction(None, "os.fsync")`` replaces the
``fsync`` attribute of the ``os`` module while the gate is active, and
``"builtins.open"`` the builtin ``open``. Whether it catches a call depends
on the name the call went through, not on the C function it reached: the
builtin ``open`` and ``io.open`` are one object, but only a rule on
``builtins.open`` catches ``open(path)``, and no rule on ``os.fsync`` catches
``fsync(fd)`` after ``from os import fsync``, which bound the original
function in the importing module before the gate activated.

``binding`` reads, after the test, how one recorded call named its callee:
the callee expression at the call's instruction (its source position), and
what that name was bound to in the calling frame's namespaces, as the
interpreter had them (the frame's globals, the builtins). For a name bound
by an import it finds the import statement in the calling module's source.
"""

import ast
import builtins
import linecache
import os

from teeth_calls import call_text, line_at


def binding(fn, name, code, offset, glb, relpath):
    """(the primitive's name for a rule, how the call reached it) for one
    call of C callable fn, recorded as name, made at offset of code with
    globals glb. The name becomes "builtins.X" for a call through the
    builtin X. The how is {"kind", "name", "at", ...}: kind "attribute"
    (mod.name or obj.method: what a rule patches), "builtin", "from-import"
    (with "module", the importing module, "import_at" and "statement"),
    "global" (a module global assigned otherwise), "local" (a local or
    closure variable), "compiled" (no Python source: compiled code) or
    "unknown"."""
    if code is None:
        return name, None
    line = line_at(code, offset)
    rel = relpath(code.co_filename) or _short(code.co_filename)
    where = "%s:%d" % (rel, line) if line else rel
    callee = call_text(code, offset)
    if not callee:
        kind = "compiled" if not code.co_filename.endswith(".py") else "unknown"
        return name, {"kind": kind, "at": where}
    if not callee.isidentifier():
        return name, {"kind": "attribute", "name": callee, "at": where}
    if callee in code.co_varnames or callee in code.co_cellvars or callee in code.co_freevars:
        return name, {"kind": "local", "name": callee, "at": where}
    if isinstance(glb, dict) and callee in glb:
        if glb[callee] is not fn:
            return name, {"kind": "unknown", "name": callee, "at": where}
        via = {"kind": "global", "name": callee, "module": str(glb.get("__name__", "")), "at": where}
        found = _binder(code.co_filename, callee)
        if found is not None:
            kind, line, statement = found
            via.update(kind=kind, import_at="%s:%d" % (rel, line), statement=statement)
        return name, via
    if getattr(builtins, callee, None) is fn:
        return "builtins." + callee, {"kind": "builtin", "name": callee, "at": where}
    return name, {"kind": "unknown", "name": callee, "at": where}


def _binder(filename, name):
    """The statement of filename that binds name at module level: ("from-import",
    line, "from os import fsync") or ("global", line, "fsync = os.fsync");
    None when the source has none (or cannot be read)."""
    try:
        tree = ast.parse("".join(linecache.getlines(filename)))
    except (SyntaxError, ValueError):
        return None
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            for alias in node.names:
                if (alias.asname or alias.name) == name:
                    text = "from %s%s import %s" % ("." * node.level, node.module or "", alias.name)
                    return "from-import", node.lineno, text + (" as " + alias.asname if alias.asname else "")
    for node in tree.body:
        targets = node.targets if isinstance(node, ast.Assign) else [getattr(node, "target", None)]
        if any(isinstance(t, ast.Name) and t.id == name for t in targets):
            return "global", node.lineno, ast.unparse(node) if hasattr(ast, "unparse") else name + " = ..."
    return None


def _short(filename):
    """A file outside the project as its last two path parts."""
    parts = filename.replace(os.sep, "/").split("/")
    return "/".join(parts[-2:])
