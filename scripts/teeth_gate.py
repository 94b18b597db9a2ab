"""Whether the gate was on for each test, observed, and what the gate deliberately allows.

Part of teeth's pytest plugin; imports nothing of teeth's (teeth_plugin and
teeth_evidence import it). ``install`` wraps Blockbuster's
``BlockBusterFunction.activate``, ``deactivate`` and ``can_block_in`` (and
``BlockBuster.__init__``, to know the gates) once, when the plugin is
imported: before any conftest builds a gate. From then on teeth knows at
every moment which detector functions are active, so ``active()`` tells
whether the gate was on when a test's call phase began, whatever the
fixture's or hook's own logic decided (a marker, a node name, a module
constant). ``allowances()`` reads the live gates: the functions of their
tables that are not active while the gate is (``bb.functions[...].deactivate()``)
and the exemptions the project added (``can_block_in``), each as the project
wrote it. Nothing is recorded for Blockbuster's own built-in exemptions.
"""

import weakref

_ACTIVE = set()  # id() of every active BlockBusterFunction
_GATES = weakref.WeakSet()  # every BlockBuster built since install
_EXEMPT = weakref.WeakKeyDictionary()  # BlockBusterFunction -> [(filename, [functions])] added by the project
_STATE = {"installed": False, "wrapped": False, "activated": False}  # activated: a function was activated since mark()


def install(detectors):
    """Wraps the detector's classes, once, when one of the run's detectors
    (dotted class names) is Blockbuster's; a no-op otherwise."""
    if _STATE["installed"]:
        return
    _STATE["installed"] = True
    if not any(d.split(".")[0] == "blockbuster" for d in detectors):
        return  # another detector: nothing of Blockbuster's is imported for it
    try:
        import blockbuster.blockbuster as bbmod
    except Exception:
        return
    fn_cls = getattr(bbmod, "BlockBusterFunction", None)
    gate_cls = getattr(bbmod, "BlockBuster", None)
    if not isinstance(fn_cls, type) or not isinstance(gate_cls, type):
        return
    _wrap_function(fn_cls)
    init = gate_cls.__init__

    def __init__(self, *args, **kwargs):
        init(self, *args, **kwargs)
        try:
            _GATES.add(self)
        except TypeError:
            pass

    gate_cls.__init__ = __init__
    _STATE["wrapped"] = True


def _wrap_function(cls):
    activate, deactivate, can_block_in = cls.activate, cls.deactivate, cls.can_block_in

    def activate_(self, *args, **kwargs):
        out = activate(self, *args, **kwargs)
        if getattr(self, "activated", False):
            _ACTIVE.add(id(self))
            _STATE["activated"] = True
        return out

    def deactivate_(self, *args, **kwargs):
        out = deactivate(self, *args, **kwargs)
        if not getattr(self, "activated", False):
            _ACTIVE.discard(id(self))
        return out

    def can_block_in_(self, filename, functions):
        out = can_block_in(self, filename, functions)
        names = [functions] if isinstance(functions, str) else list(functions)
        try:
            _EXEMPT.setdefault(self, []).append((str(filename), [str(n) for n in names]))
        except TypeError:
            pass
        return out

    cls.activate, cls.deactivate, cls.can_block_in = activate_, deactivate_, can_block_in_


def installed():
    """Whether teeth observes the gate (Blockbuster was wrapped)."""
    return _STATE["wrapped"]


def active():
    """Whether some detector function is active now."""
    return bool(_ACTIVE)


def mark():
    """Starts watching for a gate turned on from now on (a test's call phase)."""
    _STATE["activated"] = False


def activated_since_mark():
    """Whether a detector function was activated since mark()."""
    return _STATE["activated"]


def allowances():
    """What the active gates deliberately allow: {"deactivated": [names],
    "exempt": [{"function", "file", "functions"}]}, sorted."""
    deactivated, exempt = set(), set()
    for gate in list(_GATES):
        functions = getattr(gate, "functions", None)
        if not isinstance(functions, dict):
            continue
        if not any(id(f) in _ACTIVE for f in functions.values()):
            continue  # not the gate of this test
        for name, f in functions.items():
            if id(f) not in _ACTIVE and getattr(f, "original_func", None) is not None:
                deactivated.add(name)
            for filename, names in _EXEMPT.get(f, ()):
                exempt.add((name, filename, tuple(names)))
    return {
        "deactivated": sorted(deactivated),
        "exempt": [{"function": n, "file": f, "functions": list(fs)} for n, f, fs in sorted(exempt)],
    }


def allowed(name, allow, code):
    """Why the gate deliberately allows primitive name for a call made in code
    (the un-offloaded call's function), or "": deactivated, or exempted by
    can_block_in in that function's file and name."""
    if name in allow["deactivated"]:
        return "deactivated in the gate"
    filename = code.co_filename.replace("\\", "/") if code is not None else ""
    for ex in allow["exempt"]:
        if ex["function"] == name and filename.endswith(ex["file"]) and code.co_name in ex["functions"]:
            return 'exempted in the gate: can_block_in("%s", "%s")' % (ex["file"], code.co_name)
    return ""
