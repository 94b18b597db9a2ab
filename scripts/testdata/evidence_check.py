"""Checks teeth_evidence's version-independent parts on the running interpreter.

Run by evidence_test.go as: python evidence_check.py DIR, DIR holding
teeth_evidence.py and the modules it imports: teeth_primitives.py (naming C
callables, the known blocking primitives) and teeth_calls.py (where a call
is). Prints one line per failed check and exits 1 if any.
"""

import hashlib
import io
import os
import sys
import threading
import time

sys.path.insert(0, sys.argv[1])
import teeth_calls as calls  # noqa: E402
import teeth_evidence  # noqa: E402,F401 (it loads on this interpreter)
import teeth_primitives as prim  # noqa: E402

failed = []


def check(what, got, want):
    if got != want:
        failed.append("%s: got %r, want %r" % (what, got, want))


# Names in the detector's spelling, from module functions, bound methods and
# method descriptors alike.
check("os.fsync", prim.describe(os.fsync)[0], "os.fsync")
check("open", prim.describe(open)[0], "io.open")
check("time.sleep", prim.describe(time.sleep)[0], "time.sleep")
with open(__file__, "rb") as fh:
    check("bound read", prim.describe(fh.read)[0], "io.BufferedReader.read")
    check("descriptor read with self", prim.describe(io.BufferedReader.read, fh)[0], "io.BufferedReader.read")
    check("bound read identity", prim.describe(fh.read)[1] is io.BufferedReader.read, True)
check("descriptor without self", prim.describe(io.BufferedReader.read)[0], "io.BufferedReader.read")
check("hashlib", prim.describe(hashlib.sha256)[0].split(".")[0], "hashlib")
lock = threading.Lock()
check("lock acquire", prim.describe(lock.acquire)[0], "_thread.lock.acquire")
check("C type", prim.describe(io.FileIO)[0], "io.FileIO")

# Known blocking primitives, and calls that do no IO.
for name, want in [
    ("os.fsync", True), ("os.open", True), ("os.getpid", False), ("os.fspath", False), ("io.open", True),
    ("io.BufferedReader.read", True), ("io.TextIOWrapper.fileno", False), ("io.StringIO.write", False),
    ("time.sleep", True), ("time.monotonic", False), ("hashlib.openssl_sha256", True), ("zlib.compress", True),
    ("select.select", True), ("socket.socket.recv", True), ("sqlite3.Cursor.execute", True),
    ("_thread.lock.acquire", True), ("_thread.get_ident", False), ("queue.SimpleQueue.get", True),
    ("builtins.len", False), ("json.dumps", False),
]:
    check("blocking(%s)" % name, prim.blocking(name), want)

# The callee part of a call's text.
for text, want in [("os.listdir(root)", "os.listdir"), ("self.store.get(key, (1, 2))", "self.store.get"),
                   ("(lambda: 1)()", "(lambda: 1)"), ("f(x)(y)", "f(x)"), ("name", "name")]:
    check("callee_of(%s)" % text, calls.callee_of(text), want)

# Where a call is: the outermost call instruction inside a byte span, on
# every shape that needs it (short-circuit, keywords, *args, multi-line, CRLF).
if sys.version_info >= (3, 11):
    src = (
        b"import asyncio\r\n"
        b"async def f(p, xs, **kw):\r\n"
        b"    a = await asyncio.to_thread(p.is_file) and (not p.suffix and await asyncio.to_thread(g, p))\r\n"
        b"    b = h(p, key=1)\r\n"
        b"    c = h(*xs, **kw)\r\n"
        b"    d = h(\r\n"
        b"        g(p),\r\n"
        b"        p,\r\n"
        b"    )\r\n"
        b"    return a, b, c, d\r\n"
    )
    spans = {}
    for key, text in [("is_file", b"asyncio.to_thread(p.is_file)"), ("g", b"await asyncio.to_thread(g, p)"),
                      ("kw", b"h(p, key=1)"), ("star", b"h(*xs, **kw)"), ("multi", b"h(\r\n        g(p),\r\n        p,\r\n    )")]:
        i = src.index(text)
        spans[key] = (i, i + len(text), key)
    found = calls.resolve_calls(src, "m.py", list(spans.values()))
    check("every span has a call", sorted(found), sorted(spans))
    offsets = {key: found[key][1] for key in found}
    check("distinct calls on one line", offsets["is_file"] != offsets["g"], True)
    check("code of the calls", {found[key][0] for key in found}, {("f", 2)})
    import dis

    code = [c for c in compile(src, "m.py", "exec").co_consts if hasattr(c, "co_code")][0]
    ops = {ins.offset: ins for ins in dis.get_instructions(code)}
    for key in found:
        ins = ops[found[key][1]]
        check("%s is a call" % key, ins.opname in ("CALL", "CALL_KW", "CALL_FUNCTION_EX"), True)
        check("%s resumes after the call" % key, found[key][2] > found[key][1], True)
    check("multi-line picks the outer call", ops[found["multi"][1]].positions.lineno, 6)
    check("line_of", calls.line_of(calls.line_starts(src), spans["multi"][1] - 1), 9)

if failed:
    print("\n".join(failed))
    sys.exit(1)
print("ok", sys.version.split()[0])
