"""teeth: find thread-offload call sites in Python sources.

Run by teeth with the target project's interpreter (Python 3.8+, stdlib only),
isolated (-I -S), through scripts.Run, which sends this script's modules on
stdin before it (sites_source, sites_model, sites_scan, sites_build: see their
docstrings); its argument is the mode:

    sites.py sites    < {"root", "files", "wrappers", "modules"}
    sites.py compile  < [{"name", "source" | "source_b64", "line", "encoding", "futures"}]

"modules" maps each file to {"names", "pkg"}: the dotted names Python imports it
by (the one to report first; teeth's Go side computes them from the sys.path
entries of its runs, with PEP 420 namespace packages) and whether it is a
package's __init__.py. "wrappers" are configured wrappers, by dotted name or
bare function name.

sites prints {"files": [{"path", "sha256", "encoding", "futures", "sites":
[site...]}], "errors": [{"path", "line", "msg"}], "wrappers": [{"name", "path",
"line"}]}, where a site is {"path", "qualname", "offload", "callee", "line",
"col", "direct", "shape", "helper", "inline", "span", "fn", "fn_parens",
"args", "verbatim", "dropped", "stmt"}: spans are [start, end) absolute byte
offsets into the file's bytes, "col" is 1-based, "stmt" the whole lines of
the module-level statement holding the site; "encoding" is the codec Python
reads the file with, "futures" its __future__ features. Files that mention
no offload API, "async" or wrapper name are not parsed.
compile prints one null or error message per input: a file's bytes, or, with
"encoding", a part of one that starts on line "line" (its errors told at the
file's lines), compiled with the file's __future__ features.

Qualnames follow Python's __qualname__ ("C.m", "f.<locals>.g", "<module>").
"""
import __future__
import ast
import base64
import hashlib
import json
import os
import sys
import warnings

from sites_build import build_site
from sites_model import File, walk
from sites_scan import Scanner
from sites_source import NEWLINE, Skip, Source, undecodable

KEYWORDS = (b"to_thread", b"run_in_executor", b"run_in_threadpool", b"sync_to_async", b"SyncToAsync")


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
        bad = undecodable(data, e.msg) if decoding(e.msg or str(e)) else None
        line, msg = bad or (e.lineno or nul_line(data), e.msg or str(e) or type(e).__name__)
        errors.append({"path": path, "line": line, "msg": msg})
    except (ValueError, UnicodeError, LookupError) as e:
        line, msg = undecodable(data, "") or (nul_line(data), str(e) or type(e).__name__)
        errors.append({"path": path, "line": line, "msg": msg})
    except (RecursionError, MemoryError):
        errors.append({"path": path, "line": 0, "msg": "source too deeply nested"})
    return None


def decoding(msg):
    """Whether a SyntaxError's message is about the file's encoding."""
    return "codec can't decode" in msg or "encoding" in msg


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
            out.append({"path": f.path, "sha256": f.digest, "encoding": f.src.enc, "futures": futures(f.tree), "sites": sites})
    wrappers = [{"name": w.full, "path": w.path, "line": w.line} for w in sc.found]
    wrappers.sort(key=lambda w: (w["path"], w["line"], w["name"]))
    errors.sort(key=lambda e: (e["path"], e["line"]))
    return {"files": out, "errors": errors, "wrappers": wrappers}

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


def futures(tree):
    """The __future__ features a module imports."""
    out = []
    for stmt in tree.body:
        if isinstance(stmt, ast.ImportFrom) and stmt.module == "__future__":
            out += [a.name for a in stmt.names]
    return out


def compile_all(items):
    out = []
    for item in items:
        src = item.get("source")
        if "source_b64" in item:
            src = base64.b64decode(item["source_b64"])
        shift, flags = 0, 0
        try:
            if item.get("encoding"):
                # A part of a file, decoded as the whole file is; its errors
                # are told at the lines it has in the file.
                src, shift = src.decode(item["encoding"]), item.get("line", 1) - 1
                for name in item.get("futures") or ():
                    flags |= getattr(getattr(__future__, name, None), "compiler_flag", 0)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                compile(src, item.get("name") or "<teeth>", "exec", flags=flags, dont_inherit=True)
            out.append(None)
        except (SyntaxError, ValueError, UnicodeError, LookupError, RecursionError, MemoryError) as e:
            out.append(describe(e, shift))
    return out


def describe(e, shift=0):
    if isinstance(e, SyntaxError):
        return "%s (line %s)" % (e.msg, e.lineno + shift if e.lineno else e.lineno)
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
