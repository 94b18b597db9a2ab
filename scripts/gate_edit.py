"""gate.py's edits for teeth rule: where a rule joins a gate, how its file imports BlockBusterFunction.

Loaded before gate.py (scripts.Run sends it on stdin); imports gate_ast.
``rule_edit`` finds where a rule can be added to the gate a call builds: after
the statement binding it to a name, or first in the body of ``with
blockbuster_ctx(...) as gate``, with the source of its scanned and excluded
modules. ``import_edit`` finds how the gate's file gets
``BlockBusterFunction``: the import to change, or to add.
"""

import ast

from gate_ast import dotted_name, gate_args, source_text


def _simple(node):
    """Whether an expression can be repeated where the gate is built without
    running anything: a name, a dotted name, a string, or a list of those."""
    if isinstance(node, ast.Constant):
        return node.value is None or isinstance(node.value, str)
    if isinstance(node, (ast.List, ast.Tuple, ast.Set)):
        return all(_simple(e) and not isinstance(e, (ast.List, ast.Tuple, ast.Set)) for e in node.elts)
    return isinstance(node, ast.Name) or (isinstance(node, ast.Attribute) and dotted_name(node) is not None)


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
            edit["why"] = "its %s_modules is an expression teeth does not repeat (%s)" % (key, source_text(fi.source, node))
            return edit
        edit[key] = ast.get_source_segment(fi.source, node)
    parent = fi.parents.get(call)
    if isinstance(parent, (ast.Assign, ast.AnnAssign)) and parent.value is call:
        targets = parent.targets if isinstance(parent, ast.Assign) else [parent.target]
        if len(targets) == 1 and (isinstance(targets[0], ast.Name) or dotted_name(targets[0])):
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
    edit["why"] = "the gate is not bound to a name where it is built (%s)" % source_text(fi.source, parent or call)
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
