"""The stacks of a run's threads, sampled when teeth's time limit ends it.

Part of teeth's pytest plugin; imports nothing of teeth's (teeth_plugin and
teeth_warm import it). ``arm(path)`` has ``faulthandler`` dump every
thread's Python stack into the file path when the process gets ``SIGNAL``
(a real-time signal no test is likely to use, else SIGUSR2): the dump is
written from the C signal handler, so it works while the loop thread is
stuck in a C call. teeth sends the signal just before it kills a run over
its time limit and reads the file: whether the event loop's thread was
blocked in a call, and where, or sat idle in its selector. The file is a
raw descriptor (no Python file object, so nothing to warn about), closed on
exec; a warm path child arms its own file.
"""

import os
import signal

SIGNAL = int(signal.SIGRTMIN) + 3 if hasattr(signal, "SIGRTMIN") else int(signal.SIGUSR2)
_FD = [None]


def arm(path):
    """Dumps the threads' stacks into path on SIGNAL; returns the signal
    number, or 0 when the platform cannot."""
    try:
        import faulthandler

        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_CLOEXEC", 0), 0o644)
    except (ImportError, OSError):
        return 0
    try:
        faulthandler.register(SIGNAL, file=fd, all_threads=True, chain=False)
    except (AttributeError, ValueError, OSError, RuntimeError):
        os.close(fd)
        return 0
    old, _FD[0] = _FD[0], fd
    if old is not None:
        os.close(old)
    return int(SIGNAL)
