"""Checks teeth_rules.py against the real Blockbuster: run as
rules_check.py DIR, DIR holding teeth_rules.py; prints "ok N" when every check
passes. Needs blockbuster installed (the example's venv).

A gate built before install() (a conftest's module-level gate) takes the rule
when it is next activated, scoped as it is; a gate already active takes it at
once; a gate built after install(), with BlockBuster(...) or blockbuster_ctx,
takes it scoped to its own arguments; a name Blockbuster cannot resolve is
reported once, never raised. The rule fires for a call from a scanned module
on a running loop, and not from elsewhere.
"""

import asyncio
import atexit
import os
import shutil
import sys
import tempfile

sys.path.insert(0, sys.argv[1])

import blockbuster  # noqa: E402
import teeth_rules  # noqa: E402

work = tempfile.mkdtemp()
atexit.register(shutil.rmtree, work, True)
pkg = os.path.join(work, "journalsvc")
os.mkdir(pkg)
with open(os.path.join(pkg, "__init__.py"), "w") as f:
    f.write("import os\n\n\ndef sync(fd):\n    os.fsync(fd)\n\n\nasync def sync_on_loop(fd):\n    sync(fd)\n")
sys.path.insert(0, work)
import journalsvc  # noqa: E402


def outside_on_loop(fd):
    async def run():
        os.fsync(fd)

    return run()


events = []
checks = 0
fd = os.open(work, os.O_RDONLY)


def fires(coro_fn):
    try:
        asyncio.run(coro_fn(fd))
    except blockbuster.BlockingError as exc:
        return str(exc)
    return ""


def check(cond, what):
    global checks
    if not cond:
        print("FAIL:", what, events)
        sys.exit(1)
    checks += 1


early = blockbuster.BlockBuster(scanned_modules=["journalsvc"])
active = blockbuster.BlockBuster(scanned_modules=["journalsvc"])
active.activate()
teeth_rules.install(["os.fsync", "os.no_such_call"], ["blockbuster.BlockingError"], events.append)
check("os.fsync" in active.functions and active.functions["os.fsync"].activated, "an active gate takes the rule at once")
check(fires(journalsvc.sync_on_loop) == "Blocking call to os.fsync", "the rule fires from the scanned module")
check(fires(outside_on_loop) == "", "the rule is scoped to the gate's scanned modules")
active.deactivate()
check(fires(journalsvc.sync_on_loop) == "", "deactivating the gate deactivates the rule")
check("os.fsync" in early.functions, "a gate built before install takes the rule too")
early.activate()
check(fires(journalsvc.sync_on_loop) == "Blocking call to os.fsync", "an early gate fires once activated")
early.deactivate()

late = blockbuster.BlockBuster(scanned_modules=["journalsvc"], excluded_modules=["journalsvc"])
check("os.fsync" in late.functions, "a gate built after install takes the rule")
late.activate()
check(fires(journalsvc.sync_on_loop) == "", "the rule keeps the gate's excluded modules")
late.deactivate()

with blockbuster.blockbuster_ctx("journalsvc"):
    check(fires(journalsvc.sync_on_loop) == "Blocking call to os.fsync", "blockbuster_ctx's gate takes the rule")
check(fires(journalsvc.sync_on_loop) == "", "leaving blockbuster_ctx deactivates the rule")

added = [e for e in events if e["name"] == "os.fsync"]
refused = [e for e in events if e["name"] == "os.no_such_call"]
check(len(added) == 1 and "error" not in added[0] and added[0]["scanned"] == [pkg], "the rule is reported once, with its scope")
check(len(refused) == 1 and "finds no function os.no_such_call" in refused[0]["error"], "an unknown function is reported once")
os.close(fd)
print("ok", checks)
