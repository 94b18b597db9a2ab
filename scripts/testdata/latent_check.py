"""Checks teeth_latent (who caught a detector exception) and teeth_binding
(how a call named its primitive) on the running interpreter: run as
``python latent_check.py PLUGIN_DIR``; prints "ok" and the mode, or fails.

Each scenario raises a tracked exception for a "blocking" frame of this
file and lets something catch it the way production code does: an except
clause (the second of three), a with statement over contextlib.suppress, a
finally that re-raises into an outer except, logging's Handler.emit, and a
task nobody retrieves. The catcher must be the frame and handler the
interpreter saw, on Python 3.12+ from sys.monitoring events and elsewhere
(or with TEETH_TRACE=settrace) from the traceback and the exception table.
"""

import asyncio
import contextlib
import dis
import linecache
import logging
import os
import sys
import types

sys.path.insert(0, sys.argv[1])
import teeth_binding  # noqa: E402
import teeth_latent as L  # noqa: E402

HERE = os.path.abspath(__file__)
RELPATH = lambda f: "here.py" if os.path.abspath(f) == HERE else ""  # noqa: E731
IN_ROOTS = lambda f: os.path.abspath(f) == HERE  # noqa: E731
TABLES = sys.version_info >= (3, 11)  # exception tables: the handler is read from the bytecode


class Gate(Exception):
    pass


def block(prim="os.getcwd"):
    exc = Gate("Blocking call to " + prim)
    L.track(exc, prim, sys._getframe(1))
    raise exc


def blocking_helper():
    block()  # the blocking frame: this line


def clauses():
    try:
        blocking_helper()
    except KeyError:
        return 1
    except (ValueError, Gate):  # this clause takes it
        return 2
    except Exception:
        return 3


def suppressed():
    with contextlib.suppress(Exception):
        blocking_helper()


def finally_then_except():
    try:
        try:
            blocking_helper()
        finally:
            pass
    except Exception:  # the finally re-raised: caught here
        return None


class Broken(object):
    def write(self, text):
        block("io.TextIOWrapper.write")

    def flush(self):
        pass


def logged():
    log = logging.getLogger("check.latent")
    log.propagate = False
    handler = logging.StreamHandler(Broken())
    log.addHandler(handler)
    logging.raiseExceptions = False  # no "--- Logging error ---" on this check's output
    try:
        log.warning("hello")
    finally:
        log.removeHandler(handler)


async def _fails():
    blocking_helper()


def task():
    async def main():
        asyncio.get_running_loop().create_task(_fails())
        await asyncio.sleep(0.01)

    asyncio.run(main())


def one(scenario):
    L.begin()
    scenario()
    found = L.finish(RELPATH, IN_ROOTS)
    assert len(found) == 1, found
    return found[0]


def line_of(fn, text):
    lines, start = __import__("inspect").getsourcelines(fn)
    for i, ln in enumerate(lines):
        if text in ln:
            return start + i
    raise AssertionError(text)


def check_latent():
    helper_line = line_of(blocking_helper, "block()")
    got = one(clauses)
    assert got["primitive"] == "os.getcwd" and got["at"] == "here.py:%d" % helper_line and got["function"].endswith("blocking_helper"), got
    c = got["catcher"]
    assert c["kind"] == "project" and c["function"].endswith("clauses"), c
    if TABLES:
        assert c["at"] == "here.py:%d" % line_of(clauses, "except (ValueError, Gate)"), c
        assert c["how"] == "except (ValueError, Gate)", c
    c = one(suppressed)["catcher"]
    assert c["kind"] == "project" and c["function"].endswith("suppressed"), c
    if TABLES:
        assert c["how"] == "with contextlib.suppress" and c["at"] == "here.py:%d" % line_of(suppressed, "with contextlib"), c
    c = one(finally_then_except)["catcher"]
    if TABLES:
        assert c["at"] == "here.py:%d" % line_of(finally_then_except, "except Exception"), c
        assert c["how"] == "except Exception", c
    got = one(logged)
    c = got["catcher"]
    assert got["primitive"] == "io.TextIOWrapper.write" and c["kind"] == "logging", got
    assert c["detail"] == "StreamHandler.emit caught it and called handleError: the record of logger check.latent was lost", c
    c = one(task)["catcher"]
    assert c["kind"] == "task" and c["how"] == "never retrieved" and c["function"].endswith("_fails"), c
    # An exception raised for no project frame is not followed.
    L.begin()
    exc = Gate("x")
    L.track(exc, "time.sleep", None)
    assert L.finish(RELPATH, IN_ROOTS) == []


SOURCE = '''\
import builtins
import os
from os import fsync as flush_to_disk

def attribute(fd):
    os.fsync(fd)

def imported(fd):
    flush_to_disk(fd)

def builtin(path):
    return open(path)

def local(fd):
    f = os.fsync
    f(fd)
'''


def check_binding():
    filename = os.path.join(os.path.dirname(HERE), "bound_module.py")
    linecache.cache[filename] = (len(SOURCE), None, SOURCE.splitlines(True), filename)
    mod = types.ModuleType("svc.bound")
    mod.__file__ = filename
    exec(compile(SOURCE, filename, "exec"), mod.__dict__)
    rel = lambda f: "svc/bound.py" if f == filename else ""  # noqa: E731

    def call(fn_name):
        code = getattr(mod, fn_name).__code__
        ins = [i for i in dis.get_instructions(code) if i.opname.startswith("CALL")]
        return code, ins[-1].offset

    code, off = call("attribute")
    name, via = teeth_binding.binding(os.fsync, "os.fsync", code, off, mod.__dict__, rel)
    assert name == "os.fsync" and via["kind"] == "attribute" and via["name"] == "os.fsync", via
    code, off = call("imported")
    name, via = teeth_binding.binding(os.fsync, "os.fsync", code, off, mod.__dict__, rel)
    assert name == "os.fsync" and via["kind"] == "from-import", via
    assert via["import_at"] == "svc/bound.py:3" and via["statement"] == "from os import fsync as flush_to_disk", via
    assert via["module"] == "svc.bound" and via["name"] == "flush_to_disk" and via["at"] == "svc/bound.py:9", via
    code, off = call("builtin")
    name, via = teeth_binding.binding(open, "io.open", code, off, mod.__dict__, rel)
    assert name == "builtins.open" and via["kind"] == "builtin" and via["name"] == "open", (name, via)
    code, off = call("local")
    name, via = teeth_binding.binding(os.fsync, "os.fsync", code, off, mod.__dict__, rel)
    assert via["kind"] == "local" and via["name"] == "f", via


def main():
    L.install()
    L.monitor()
    check_latent()
    if sys.version_info >= (3, 11):  # co_positions: the callee's text
        check_binding()
    mode = "monitoring" if L._MON["tool"] is not None else "traceback"
    print("ok %d.%d %s" % (sys.version_info[0], sys.version_info[1], mode))


if __name__ == "__main__":
    main()
