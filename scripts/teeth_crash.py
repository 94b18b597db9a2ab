"""A detector that crashed while checking a call: teeth tells it apart from the test's own failure.

Part of teeth's pytest plugin; imports nothing of teeth's (teeth_plugin
imports it). A patched function's check runs the detector's own code (for
Blockbuster, its wrapper and the predicates that decide whether a call may
block). When that code raises something other than the detector's exception
(Blockbuster's read check raising ``AttributeError: '_FileInFile' object has
no attribute 'fileno'`` under ``tarfile``), the test fails, but neither
through its assertions nor through the gate. ``find`` walks a failure's
exception, and the exceptions it was raised from, for a traceback that
passes through the detector's package and names: the exception, its message,
the innermost frame (where it was raised), the detector's innermost frame and
the function the detector was checking when its wrapper knows it.
"""

import os
import sys


def packages(detectors):
    """The directories of the detectors' packages (dotted class names), for find."""
    out = []
    for qualified in detectors:
        top = qualified.split(".")[0]
        mod = sys.modules.get(top)
        f = getattr(mod, "__file__", None) if mod is not None else None
        if f:
            for d in {os.path.dirname(f), os.path.dirname(os.path.realpath(f))}:
                out.append(d + os.sep)
    return out


def find(exc, dirs, detector_types, relpath):
    """The detector crash behind exc, as a dict, or None."""
    seen = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        if detector_types and isinstance(exc, detector_types):
            return None  # the gate fired: not a crash
        crash = _crash(exc, dirs, relpath)
        if crash is not None:
            return crash
        exc = exc.__cause__ or exc.__context__
    return None


def _crash(exc, dirs, relpath):
    tb = exc.__traceback__
    inner = detector = checking = None
    while tb is not None:
        code = tb.tb_frame.f_code
        inner = (code, tb.tb_lineno)
        if _under(code.co_filename, dirs):
            detector = (code, tb.tb_lineno)
            name = tb.tb_frame.f_locals.get("func_name")
            if isinstance(name, str):
                checking = name
        tb = tb.tb_next
    if detector is None:
        return None
    msg = str(exc).splitlines()[0] if str(exc) else ""
    return {
        "type": type(exc).__name__,
        "message": msg[:300],
        "at": _where(inner, relpath),
        "detector_at": _where(detector, relpath),
        "checking": checking or "",
    }


def _under(filename, dirs):
    return any(filename.startswith(d) for d in dirs)


def _where(entry, relpath):
    code, line = entry
    rel = relpath(code.co_filename) or _short(code.co_filename)
    return "%s:%d in %s" % (rel, line, code.co_name)


def _short(filename):
    """A file outside the project as its last two path parts (blockbuster/blockbuster.py)."""
    parts = filename.replace(os.sep, "/").split("/")
    return "/".join(parts[-2:])
