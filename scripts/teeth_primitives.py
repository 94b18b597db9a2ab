"""The blocking primitives: naming C callables, which are known to block, which the detector patches.

Imported by teeth_evidence and teeth_plugin; imports nothing of teeth's.
``describe`` names a C callable in the detector's spelling ("os.fsync",
"io.BufferedWriter.write"); ``blocking`` says whether a name is a known
blocking primitive; ``track_detectors`` and ``detector_table`` read the
installed detector's table at run time from Blockbuster's own
``BlockBuster.functions`` mapping, so that the evidence can split the
primitives a call ran into those the detector patches and those it does not.
"""

import gc
import sys
import types
import weakref

# --- naming C callables ----------------------------------------------------------

MISSING = object()  # describe's arg0 when the call has none
_MODULES = {
    "posix": "os", "nt": "os", "_io": "io", "_socket": "socket", "_ssl": "ssl", "_sqlite3": "sqlite3",
    "_hashlib": "hashlib", "_sha1": "hashlib", "_sha2": "hashlib", "_sha256": "hashlib", "_sha512": "hashlib",
    "_sha3": "hashlib", "_md5": "hashlib", "_blake2": "hashlib", "_posixsubprocess": "subprocess",
    "_bz2": "bz2", "_lzma": "lzma", "_queue": "queue", "_pickle": "pickle", "_json": "json",
}


def _module(name):
    return _MODULES.get(name, name or "builtins")


def _qual(cls):
    return _module(getattr(cls, "__module__", "")) + "." + getattr(cls, "__qualname__", cls.__name__)


def _lookup(cls, name):
    for klass in cls.__mro__:
        found = klass.__dict__.get(name)
        if found is not None:
            return found
    return None


def describe(fn, arg0=MISSING):
    """A C callable's name in the detector's spelling ("os.fsync",
    "io.BufferedWriter.write"), and the object that identifies it: the module
    function or the method descriptor."""
    tp = type(fn)
    if tp is types.BuiltinFunctionType:
        owner = fn.__self__
        if owner is None or isinstance(owner, types.ModuleType):
            mod = fn.__module__ or (owner.__name__ if owner is not None else "builtins")
            return _module(mod) + "." + fn.__name__, fn
        cls = owner if isinstance(owner, type) else type(owner)
        canon = _lookup(cls, fn.__name__)
        return _qual(cls) + "." + fn.__name__, canon if canon is not None else fn
    if tp is types.MethodWrapperType:
        cls = type(fn.__self__)
        canon = _lookup(cls, fn.__name__)
        return _qual(cls) + "." + fn.__name__, canon if canon is not None else fn
    if tp in (types.MethodDescriptorType, types.WrapperDescriptorType, types.ClassMethodDescriptorType):
        cls = fn.__objclass__
        if arg0 is not MISSING and issubclass(type(arg0), cls):
            cls = type(arg0)
        return _qual(cls) + "." + fn.__name__, fn
    if tp is type:
        return _qual(fn), fn
    return tp.__name__, fn


# Known blocking primitives: C callables of these modules (their names as
# describe spells them), less the ones that do no IO.
_BLOCKING_MODULES = {
    "os", "io", "socket", "select", "fcntl", "hashlib", "zlib", "bz2", "lzma", "subprocess", "sqlite3",
    "ssl", "mmap", "termios", "pwd", "grp", "queue", "_thread", "resource",
}
_BLOCKING_NAMES = {"time.sleep", "builtins.input", "builtins.open"}
_NOT_BLOCKING_PREFIXES = ("io.StringIO", "io.BytesIO", "io.IncrementalNewlineDecoder", "io.text_encoding", "os.stat_result",
                          "os.terminal_size", "os.times_result", "os.uname_result", "os.DirEntry.name", "os.DirEntry.path")
_NOT_BLOCKING_OS = {
    "fspath", "getpid", "getppid", "getuid", "geteuid", "getgid", "getegid", "getgroups", "getpgrp", "getpgid",
    "getsid", "strerror", "cpu_count", "get_blocking", "set_blocking", "get_inheritable", "set_inheritable",
    "register_at_fork", "waitstatus_to_exitcode", "WIFEXITED", "WEXITSTATUS", "WIFSIGNALED", "WTERMSIG",
    "WIFSTOPPED", "WSTOPSIG", "WCOREDUMP", "WIFCONTINUED", "umask", "putenv", "unsetenv", "getenv", "fsencode",
    "fsdecode", "get_exec_path", "getlogin", "uname", "times", "sched_getaffinity", "process_cpu_count", "device_encoding",
}


_NOT_BLOCKING_METHODS = {"fileno", "isatty", "readable", "writable", "seekable", "tell", "detach", "__enter__", "__iter__"}


def blocking(name):
    """Whether a C callable's name is a known blocking primitive."""
    if name in _BLOCKING_NAMES:
        return True
    if name.startswith(_NOT_BLOCKING_PREFIXES) or name.rpartition(".")[2] in _NOT_BLOCKING_METHODS:
        return False
    mod, _, rest = name.partition(".")
    if mod == "os":
        return rest not in _NOT_BLOCKING_OS
    if mod == "_thread":
        return rest.endswith(".acquire") or rest.endswith(".acquire_lock")
    if mod == "queue":
        return rest.endswith(".get") or rest.endswith(".put")
    return mod in _BLOCKING_MODULES


# --- the detector's table -----------------------------------------------------------

_GATES = weakref.WeakSet()  # live BlockBuster instances
_SEEN = {}  # name -> identifying object, of every table read so far
_TABLE = {"classes": [], "read": False}


def track_detectors(detectors):
    """Wraps the BlockBuster class of each detector's package, if it has one,
    so that the gate's instances and their tables can be read later."""
    for qualified in detectors:
        mod = sys.modules.get(qualified.split(".")[0])
        cls = getattr(mod, "BlockBuster", None) if mod is not None else None
        if not isinstance(cls, type) or cls in _TABLE["classes"]:
            continue
        _TABLE["classes"].append(cls)
        original = cls.__init__

        def __init__(self, *args, _original=original, **kwargs):
            _original(self, *args, **kwargs)
            try:
                _GATES.add(self)
                _read_table(self)
            except Exception:
                pass

        cls.__init__ = __init__


def _read_table(gate):
    functions = getattr(gate, "functions", None)
    if not isinstance(functions, dict):
        return
    _TABLE["read"] = True
    for key, entry in functions.items():
        original = getattr(entry, "original_func", None)
        for name in (key, getattr(entry, "full_name", None)):
            if isinstance(name, str):
                _SEEN[name] = original
        if original is not None:
            try:
                _SEEN[describe(original)[0]] = original
            except Exception:
                pass


def detector_table():
    """The names and identifying objects of every function the installed
    detector patches, read from the live gates' tables (and, when no gate was
    seen being made, from any BlockBuster instance still alive, or a new one)."""
    if not _GATES and _TABLE["classes"] and not _TABLE["read"]:
        classes = tuple(_TABLE["classes"])
        for obj in gc.get_objects():
            if isinstance(obj, classes):
                _GATES.add(obj)
        if not _GATES:
            # No gate made yet (say a test that opts out ran first): a fresh,
            # never activated instance holds the installed version's table.
            for cls in classes:
                try:
                    _read_table(cls())
                except Exception:
                    pass
    for gate in list(_GATES):
        _read_table(gate)
    return _SEEN
