"""Checks teeth_mutant.py (its directory is argv[1]) with a real import system:
a module imported after serve() runs the mutant's bytes while its file, and
its __file__, stay the sandbox's; a bytecode cache of the original is never
taken for it; tracebacks show the mutant's lines; and a module imported
before the plugin, or by another import hook, makes the run unserved.
Prints "ok ..." or raises."""

import atexit
import importlib
import importlib.machinery
import linecache
import os
import py_compile
import shutil
import sys
import tempfile

sys.path.insert(0, sys.argv[1])
import teeth_mutant  # noqa: E402

ORIGINAL = 'def f():\n    return "original"\n'
MUTANT = '# -*- coding: utf-8 -*-\ndef f():\n    return "mutant é"\n'


def scratch():
    """A temporary directory, removed when the check ends."""
    path = tempfile.mkdtemp()
    atexit.register(shutil.rmtree, path, True)
    return path


def project(name):
    sandbox = scratch()
    pkg = os.path.join(sandbox, name)
    os.makedirs(pkg)
    open(os.path.join(pkg, "__init__.py"), "w").close()
    path = os.path.join(pkg, "mod.py")
    with open(path, "w") as f:
        f.write(ORIGINAL)
    private = os.path.join(scratch(), "mutant1.py")
    with open(private, "wb") as f:
        f.write(MUTANT.encode("utf-8"))
    sys.path.insert(0, sandbox)
    return sandbox, path, private


# Served: the lazily imported module is the mutant, from the sandbox's path,
# even with a valid bytecode cache of the original beside it.
sandbox, path, private = project("served")
py_compile.compile(path, doraise=True)
teeth_mutant.load({"path": "served/mod.py", "file": private}, sandbox)
teeth_mutant.serve(before_plugin=True)
mod = importlib.import_module("served.mod")
assert mod.f() == "mutant é", mod.f()
assert mod.__file__ == path and mod.f.__code__.co_filename == path, mod.__file__
assert open(path).read() == ORIGINAL, "the sandbox's file was written"
assert linecache.getline(path, 3).strip() == 'return "mutant é"', linecache.getline(path, 3)
linecache.checkcache()
assert linecache.getline(path, 3).strip() == 'return "mutant é"', "checkcache dropped the mutant's lines"
assert teeth_mutant.unserved() == "", teeth_mutant.unserved()
assert teeth_mutant.source(path) == MUTANT.encode("utf-8")
importlib.reload(mod)
assert mod.f() == "mutant é", "a reload lost the mutant"

# Imported before the plugin: unserved.
sandbox, path, private = project("early")
importlib.import_module("early.mod")
teeth_mutant.load({"path": "early/mod.py", "file": private}, sandbox)
teeth_mutant.serve(before_plugin=True)
assert "before teeth's plugin" in teeth_mutant.unserved(), teeth_mutant.unserved()


# Loaded by another import hook ahead of teeth's: unserved.
class Hook(object):
    def find_spec(self, fullname, path=None, target=None):
        if fullname == "hooked.mod":
            return importlib.machinery.PathFinder.find_spec(fullname, path)
        return None


sandbox, path, private = project("hooked")
teeth_mutant.load({"path": "hooked/mod.py", "file": private}, sandbox)
teeth_mutant.serve()
sys.meta_path.insert(0, Hook())
mod = importlib.import_module("hooked.mod")
assert mod.f() == "original"
assert "past teeth's finder" in teeth_mutant.unserved(), teeth_mutant.unserved()

# Never imported: no mutant ran, and that is no reason to run it again.
sandbox, path, private = project("unused")
teeth_mutant.load({"path": "unused/mod.py", "file": private}, sandbox)
teeth_mutant.serve()
assert teeth_mutant.unserved() == ""
print("ok teeth_mutant")
