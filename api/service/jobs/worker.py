"""``python -m api.service.jobs.worker JOB_ID [SOLVER_WORKERS [PROGRESS_INTERVAL_S [ATTEMPT]]]``: run one job.

The database URL comes from ``FRONTLINE_JOB_DATABASE_URL`` (or ``FRONTLINE_DATABASE_URL``).
This is what :class:`api.service.jobs.runner.ProcessJobRunner` (the web server's own processes)
and a queue worker (``frontline worker``, :mod:`api.service.jobs.queue`) start for each job. A
queue worker claims the job itself and passes the ATTEMPT it claimed.

When its parent names itself in ``FRONTLINE_JOB_PARENT_PID``, the process ends with that parent,
even when the parent is killed with SIGKILL (Linux: ``PR_SET_PDEATHSIG``; elsewhere a watchdog
thread that notices the parent is gone): a solve never outlives the worker that owns it.
"""

from __future__ import annotations

import contextlib
import ctypes
import logging
import os
import signal
import sys
import threading
import time

from api.service.jobs.runner import WORKER_DATABASE_ENV, execute_job

PARENT_ENV = "FRONTLINE_JOB_PARENT_PID"
PR_SET_PDEATHSIG = 1


def end_with_parent(parent: int) -> None:
    """Die when ``parent`` does."""
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):  # no prctl: the watchdog below holds
            ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:  # the parent died before the line above
        os._exit(1)

    def watch() -> None:
        while True:
            time.sleep(1.0)
            if os.getppid() != parent:
                os._exit(1)

    threading.Thread(target=watch, name="parent-watchdog", daemon=True).start()


def main(argv: list[str]) -> int:
    if not argv:
        print(__doc__, file=sys.stderr)
        return 2
    parent = os.environ.get(PARENT_ENV)
    if parent and parent.isdigit():
        end_with_parent(int(parent))
    url = os.environ.get(WORKER_DATABASE_ENV) or os.environ.get("FRONTLINE_DATABASE_URL") or "sqlite:///./frontline.db"
    workers = int(argv[1]) if len(argv) > 1 else 0
    interval = float(argv[2]) if len(argv) > 2 else 0.5
    attempt = int(argv[3]) if len(argv) > 3 else None
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s frontline-worker %(levelname)s %(message)s")
    execute_job(argv[0], url, workers, interval, attempt)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
