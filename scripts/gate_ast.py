"""gate.py's reading of AST nodes: a gate call's arguments, literal strings, dotted names, source text.

Loaded before gate.py (scripts.Run sends it on stdin); imports nothing of
teeth's. Small functions of one node that the gate reader (gate.py) and the
rule edits (gate_edit) share.
"""

import ast


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


def fixture_autouse(dec, consts=None):
    """None unless dec is a pytest.fixture decorator; else (autouse, name):
    whether it is autouse, and the module constant that says so ("" for a
    literal). A name is resolved from consts (module-level NAME -> value
    node); one that cannot be resolved to a literal counts as autouse."""
    target = dec.func if isinstance(dec, ast.Call) else dec
    name = target.attr if isinstance(target, ast.Attribute) else target.id if isinstance(target, ast.Name) else ""
    if name != "fixture":
        return None
    if isinstance(dec, ast.Call):
        for k in dec.keywords:
            if k.arg != "autouse":
                continue
            if isinstance(k.value, ast.Constant):
                return bool(k.value.value), ""
            if isinstance(k.value, ast.Name):
                value = (consts or {}).get(k.value.id)
                if isinstance(value, ast.Constant):
                    return bool(value.value), k.value.id
                return True, k.value.id
    return False, ""


def string_value(node):
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None


def string_values(node):
    if isinstance(node, (ast.List, ast.Tuple)):
        return [s for s in (string_value(e) for e in node.elts) if s]
    s = string_value(node)
    return [s] if s else []


def dotted_name(node):
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
        return ".".join(reversed(parts))
    return None


def source_text(source, node):
    """The source text of an expression, on one line and shortened."""
    text = ast.get_source_segment(source, node) or type(node).__name__
    text = " ".join(text.split())
    return text if len(text) <= 120 else text[:117] + "..."
