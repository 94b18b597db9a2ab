"""The state every module of teeth's pytest plugin shares: settings and results file.

Imports nothing of teeth's; every other plugin module may import it. Owns the
run's settings, read from the JSON file named by ``TEETH_CONFIG`` (``CFG``),
pytest's config object (``PYTEST_CONFIG``), the results file that ``emit``
appends one JSON object per line to, flushed as it goes (``TEETH_RESULTS``,
or in a warm path child the file its request names: ``reset_run``, which
closes the file the child inherited), and the stop-early policy's counters
(``RUN``). Once read, ``TEETH_CONFIG`` and ``TEETH_RESULTS`` leave the
environment: the tests, and what they spawn, see the environment of a plain
run (``TEETH_WORKER`` stays: tests may use it).
"""

import json
import os

CFG = {}  # the run's settings, read once by configure
PYTEST_CONFIG = None
RUN = {"done": 0, "kills": 0, "stop_after": None}
_OUT = None  # the results file


def configure(config):
    """Reads the run's settings and opens its results file (pytest_configure)."""
    global PYTEST_CONFIG, _OUT
    PYTEST_CONFIG = config
    CFG.clear()
    CFG.update(_load_config())
    CFG["results"] = os.environ.pop("TEETH_RESULTS")
    _OUT = open(CFG["results"], "a", encoding="utf-8")
    RUN["stop_after"] = CFG.get("stop_after")


_EARLY = []


def early():
    """The run's settings before configure has read them (the plugin, when
    imported, wraps Blockbuster and serves a fresh run's mutant), or {}."""
    if not _EARLY:
        try:
            with open(os.environ["TEETH_CONFIG"], encoding="utf-8") as f:
                _EARLY.append(json.load(f))
        except (KeyError, OSError, ValueError):
            _EARLY.append({})
    return _EARLY[0]


def detectors():
    """The run's detector class names, before configure has read the
    settings (teeth_gate wraps Blockbuster when the plugin is imported)."""
    return list(early().get("detectors") or [])


def reset_run(results_path, stop_after):
    """Starts a new run's results file and stop-early policy (warm path
    child), closing the one inherited from the warm process: dropped
    unclosed, it would warn (ResourceWarning) inside the first test."""
    global _OUT
    old, _OUT = _OUT, open(results_path, "a", encoding="utf-8")
    CFG["results"] = results_path
    if old is not None:
        old.close()  # flushed after every event: nothing of the parent's is written again
    RUN.update(done=0, kills=0, stop_after=stop_after)


def emit(obj):
    """Appends one event to the results file."""
    _OUT.write(json.dumps(obj) + "\n")
    _OUT.flush()


def under(path, base):
    """path relative to base with "/" separators, or None when not under it."""
    if not path.startswith(base + os.sep):
        return None
    return path[len(base) + 1 :].replace(os.sep, "/")


def _load_config():
    with open(os.environ.pop("TEETH_CONFIG"), encoding="utf-8") as f:
        return json.load(f)
