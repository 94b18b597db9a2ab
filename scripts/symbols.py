"""teeth's symbol index: the functions and classes of the source roots.

Run with the target project's interpreter: ``python symbols.py`` reads
``{"root": "/abs/project", "files": ["app/x.py", ...]}`` on stdin and writes, for
each file that parses, its functions (qualname, first and last line, whether
async, decorator names, names it calls) and its classes. teeth uses it to rank
unguarded sites, to check names that anchors' docstrings refer to, to key the
nightly cache on a site's enclosing function, and to find the functions a
change touched.
"""

import ast
import json
import os
import sys
import warnings


def dotted(node):
    """The dotted name of a Name/Attribute chain, or "" for anything else."""
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
        return ".".join(reversed(parts))
    if isinstance(node, ast.Call):
        return dotted(node.func)
    return ""


class Indexer(ast.NodeVisitor):
    def __init__(self):
        self.stack = []
        self.functions = []
        self.classes = []

    def qualname(self, name):
        return ".".join(self.stack + [name])

    def visit_ClassDef(self, node):
        self.classes.append({"qualname": self.qualname(node.name), "line": node.lineno, "end": node.end_lineno})
        self.stack.append(node.name)
        self.generic_visit(node)
        self.stack.pop()

    def visit_FunctionDef(self, node, is_async=False):
        calls = sorted(
            {dotted(n.func).rpartition(".")[2] for n in ast.walk(node) if isinstance(n, ast.Call)} - {""}
        )
        first = min([node.lineno] + [d.lineno for d in node.decorator_list])
        self.functions.append(
            {
                "qualname": self.qualname(node.name),
                "line": first,
                "end": node.end_lineno,
                "async": is_async,
                "decorators": [dotted(d) for d in node.decorator_list],
                "calls": calls,
            }
        )
        self.stack.extend([node.name, "<locals>"])
        self.generic_visit(node)
        del self.stack[-2:]

    def visit_AsyncFunctionDef(self, node):
        self.visit_FunctionDef(node, is_async=True)


def index(root, path):
    with open(os.path.join(root, *path.split("/")), "rb") as fh:
        data = fh.read()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        tree = ast.parse(data, filename=path)
    ix = Indexer()
    ix.visit(tree)
    return {"path": path, "functions": ix.functions, "classes": ix.classes}


def main():
    req = json.loads(sys.stdin.buffer.read().decode("utf-8"))
    out = []
    for path in req.get("files") or []:
        try:
            out.append(index(req["root"], path))
        except (OSError, SyntaxError, ValueError, RecursionError, MemoryError):
            continue  # the site finder reports unparsable files
    sys.stdout.write(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
