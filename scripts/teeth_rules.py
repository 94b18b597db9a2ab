"""Extra detector rules for a proof run: teeth's RULE route.

Imported by teeth_plugin when its settings name rules (``"rules":
["os.fsync"]``); imports nothing of teeth's. Each rule is a Blockbuster
``BlockBusterFunction`` for one primitive, in Blockbuster's own dotted
spelling (``os.fsync``, ``io.BufferedWriter.write``), added to every
``BlockBuster`` instance the gate makes and scoped to that instance's scanned
and excluded modules: what the rule teeth proposes does once written into the
gate's conftest. Nothing of the project is edited.

A rule joins a gate when the gate is built (``BlockBuster.__init__``, with the
very arguments the gate passed) or, for a gate built before teeth's plugin was
configured, when it is next activated (its scope then copied from the gate's
own entries); a gate already active gets the rule activated at once. Each
rule added, or refused (Blockbuster cannot find the function), is reported
once with ``emit``: ``{"ev": "rule", "name", "scanned"}`` or ``{"ev": "rule",
"name", "error"}``.
"""

import gc
import sys
import weakref

_SCOPES = weakref.WeakKeyDictionary()  # gate -> (scanned_modules, excluded_modules) as it was built with
_REPORTED = set()


def install(names, detectors, emit):
    """Adds the rules to every gate of the first detector package that has a
    BlockBuster class; reports an error when none has."""
    for qualified in detectors:
        mod = sys.modules.get(qualified.split(".")[0])
        gate_cls = getattr(mod, "BlockBuster", None) if mod is not None else None
        fn_cls = getattr(mod, "BlockBusterFunction", None) if mod is not None else None
        if isinstance(gate_cls, type) and isinstance(fn_cls, type):
            _wrap(gate_cls, fn_cls, list(names), emit)
            for obj in gc.get_objects():
                if isinstance(obj, gate_cls):
                    _add(obj, fn_cls, names, emit, None)
            return
    for name in names:
        _report(emit, {"ev": "rule", "name": name, "error": "no detector package has a BlockBuster class to add the rule to"})


def _wrap(gate_cls, fn_cls, names, emit):
    init, activate = gate_cls.__init__, gate_cls.activate

    def __init__(self, scanned_modules=None, *args, **kwargs):
        init(self, scanned_modules, *args, **kwargs)
        scope = (scanned_modules, kwargs.get("excluded_modules"))
        try:
            _SCOPES[self] = scope
        except TypeError:
            pass
        _add(self, fn_cls, names, emit, scope)

    def activate_(self, *args, **kwargs):
        _add(self, fn_cls, names, emit, _SCOPES.get(self))
        return activate(self, *args, **kwargs)

    gate_cls.__init__ = __init__
    gate_cls.activate = activate_


def _add(gate, fn_cls, names, emit, scope):
    functions = getattr(gate, "functions", None)
    if not isinstance(functions, dict):
        return
    active = any(getattr(f, "activated", False) for f in functions.values())
    for name in names:
        if name in functions:
            continue
        fn, error = _rule(fn_cls, name, scope, functions)
        if fn is None:
            _report(emit, {"ev": "rule", "name": name, "error": error})
            continue
        functions[name] = fn
        if active:
            fn.activate()
        _report(emit, {"ev": "rule", "name": name, "scanned": [str(p) for p in getattr(fn, "_scanned_modules", ())]})


def _rule(fn_cls, name, scope, functions):
    """The BlockBusterFunction for name, scoped as the gate is, or (None, why)."""
    try:
        if scope is not None:
            fn = fn_cls(None, name, scanned_modules=scope[0], excluded_modules=scope[1])
        else:
            # A gate built before the plugin was configured: its entries hold
            # the scope it resolved from its arguments.
            fn = fn_cls(None, name)
            ref = next(iter(functions.values()), None)
            for attr in ("_scanned_modules", "_excluded_modules"):
                if ref is not None and hasattr(ref, attr):
                    setattr(fn, attr, getattr(ref, attr))
    except Exception as exc:  # e.g. a module or class in the name that does not exist
        return None, "%s: %s" % (type(exc).__name__, exc)
    if getattr(fn, "original_func", None) is None:
        return None, "the detector finds no function %s to patch" % name
    return fn, ""


def _report(emit, event):
    key = (event["name"], "error" in event)
    if key not in _REPORTED:
        _REPORTED.add(key)
        emit(event)
