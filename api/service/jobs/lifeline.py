"""A child process ends with its parent: the solver workers must not outlive a killed server.

On Linux the kernel does it: ``prctl(PR_SET_PDEATHSIG, SIGTERM)`` (through ctypes) sends the
child SIGTERM the moment its parent dies, even by SIGKILL. Everywhere (Linux too, in case the
parent died before the call) a daemon thread watches the parent id and ends the process when it
changes (the child was handed to init).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import signal
import sys
import threading
import time

PARENT_ENV = "FRONTLINE_PARENT_PID"  # the pid the child must outlive no longer than
PR_SET_PDEATHSIG = 1


def _prctl_deathsig() -> bool:
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        return int(libc.prctl(PR_SET_PDEATHSIG, int(signal.SIGTERM), 0, 0, 0)) == 0
    except (OSError, AttributeError):
        return False


def _watch(parent: int, interval: float) -> None:
    while True:
        if os.getppid() != parent:
            os._exit(3)  # the parent is gone: nobody waits for this job any more
        time.sleep(interval)


def die_with_parent(parent: int | None = None, interval: float = 1.0) -> None:
    """Make this process end when ``parent`` (default: ``$FRONTLINE_PARENT_PID`` or the current
    parent) ends."""
    if parent is None:
        parent = int(os.environ.get(PARENT_ENV) or os.getppid())
    _prctl_deathsig()
    if os.getppid() != parent:  # died before the kernel was told
        os._exit(3)
    threading.Thread(target=_watch, args=(parent, interval), name="frontline-lifeline", daemon=True).start()
