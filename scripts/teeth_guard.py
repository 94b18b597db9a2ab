"""teeth's guardian: no pytest process group outlives teeth.

teeth hands every pytest process it starts the read end of its *lifeline*, a
pipe whose write end only teeth holds (file descriptor ``TEETH_LIFELINE``): it
reads end-of-file once teeth is gone, however it died, SIGKILL included.
``start()`` forks a small guardian process into the pytest process's group.
The guardian blocks on the lifeline; when it breaks, it SIGKILLs the groups it
watches (the warm path's forked children, each in its own group: ``watch``
and ``unwatch``) and its own group, which holds pytest and whatever the tests
spawned. When pytest exits first, the guardian learns it (on Linux from a
parent-death signal, elsewhere by polling), kills the groups it still
watches, since nobody will wait for them any more, and its own group too if
the lifeline breaks within a second (teeth was killed: its starter thread,
whose exit kills pytest, may go a moment before the lifeline's write end).

The guardian is a process, not a thread: the warm path refuses to fork while
other threads are alive, and the tests must not see an extra thread.
"""

import os
import select
import signal
import sys

_GUARD = None


def start():
    """Forks this process group's guardian, once; a no-op without a lifeline."""
    global _GUARD
    fd = os.environ.pop("TEETH_LIFELINE", None)  # the tests see a plain run's environment
    if _GUARD is not None or not fd or not hasattr(os, "fork"):
        return
    try:
        lifeline = int(fd)
        os.fstat(lifeline)
    except (ValueError, OSError):
        return
    _libc()  # loads ctypes now, not in every forked child
    members_r, members_w = os.pipe()
    parent = os.getpid()
    try:
        pid = os.fork()
    except OSError:
        os.close(members_r)
        os.close(members_w)
        return
    if pid == 0:
        try:
            os.close(members_w)
            _guard(lifeline, members_r, parent)
        finally:
            os._exit(0)
    os.close(members_r)
    os.set_inheritable(members_w, False)
    _GUARD = members_w


def watch(pgid):
    """Has the guardian kill process group pgid too when teeth dies."""
    _tell("+%d\n" % pgid)


def unwatch(pgid):
    """Forgets process group pgid (its leader was waited for)."""
    _tell("-%d\n" % pgid)


def die_with_parent(parent):
    """In a child forked by process parent: be SIGKILLed when parent exits."""
    _set_pdeathsig(signal.SIGKILL)
    if os.getppid() != parent:  # it exited before the signal was armed
        os._exit(70)


def _tell(line):
    if _GUARD is not None:
        try:
            os.write(_GUARD, line.encode())
        except OSError:
            pass  # the guardian is gone: teeth is going down too


def _guard(lifeline, members, parent):
    keep = sorted({lifeline, members})
    os.closerange(3, keep[0])
    os.closerange(keep[0] + 1, keep[1])
    os.closerange(keep[1] + 1, 1 << 16)
    devnull = os.open(os.devnull, os.O_RDWR)
    for std in (0, 1, 2):
        os.dup2(devnull, std)
    own = os.getpgid(0)
    watched = set()

    def finish(teeth_gone):
        for pgid in watched:
            _kill(pgid)
        if teeth_gone:
            _kill(own)  # pytest, the tests' processes and this guardian
        os._exit(0)

    def parent_died(*_):
        # teeth's threads exit one by one when it is killed: its starter
        # thread's exit kills pytest (the parent-death signal) a moment before
        # the lifeline's write end is closed. Give it that moment; when pytest
        # simply finished, teeth kills this guardian with the group anyway.
        finish(_broken(lifeline, 1.0))

    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, signal.SIG_DFL)
    signal.signal(signal.SIGUSR1, parent_died)
    poll = None if _set_pdeathsig(signal.SIGUSR1) else 0.5
    if os.getppid() != parent:
        parent_died()
    buf = b""
    while True:
        ready, _, _ = select.select([lifeline, members], [], [], poll)
        if lifeline in ready:
            finish(True)  # teeth never writes to it: readable means end-of-file
        if members in ready:
            data = os.read(members, 4096)
            if not data:
                parent_died()
            buf += data
            *lines, buf = buf.split(b"\n")
            for line in lines:
                pgid = int(line[1:])
                (watched.add if line[:1] == b"+" else watched.discard)(pgid)
        if not ready and os.getppid() != parent:
            parent_died()


def _broken(lifeline, wait):
    ready, _, _ = select.select([lifeline], [], [], wait)
    return bool(ready)


def _kill(pgid):
    try:
        os.killpg(pgid, signal.SIGKILL)
    except OSError:
        pass


def _set_pdeathsig(sig):
    """Asks Linux to send sig when the parent (the thread that forked this
    process: pytest's main thread) exits; False where that is unavailable."""
    libc = _libc()
    PR_SET_PDEATHSIG = 1
    return libc is not None and libc.prctl(PR_SET_PDEATHSIG, int(sig), 0, 0, 0) == 0


def _libc():
    """The C library, for prctl; None off Linux or without ctypes."""
    global _LIBC
    if _LIBC is None and sys.platform.startswith("linux"):
        try:
            import ctypes

            _LIBC = ctypes.CDLL(None, use_errno=True)
            _LIBC.prctl  # noqa: B018 (raises AttributeError without prctl)
        except (ImportError, OSError, AttributeError):
            _LIBC = False
    return _LIBC or None


_LIBC = None
