"""``python -m api.service.jobs.worker JOB_ID [SOLVER_WORKERS [PROGRESS_INTERVAL_S [ATTEMPT]]]``: run one job.

The database URL comes from ``FRONTLINE_JOB_DATABASE_URL`` (or ``FRONTLINE_DATABASE_URL``).
This is what :class:`api.service.jobs.runner.ProcessJobRunner` (the web server's own processes)
and a queue worker (``frontline worker``, :mod:`api.service.jobs.queue`) start for each job. A
queue worker claims the job itself and passes the ATTEMPT it claimed.

The process ends with its parent, even when the parent is killed with SIGKILL
(:mod:`api.service.jobs.lifeline`): a solve never outlives the server or worker that owns it.
"""

from __future__ import annotations

import logging
import os
import sys

from api.service.jobs.lifeline import die_with_parent
from api.service.jobs.runner import WORKER_DATABASE_ENV, execute_job


def main(argv: list[str]) -> int:
    if not argv:
        print(__doc__, file=sys.stderr)
        return 2
    url = os.environ.get(WORKER_DATABASE_ENV) or os.environ.get("FRONTLINE_DATABASE_URL") or "sqlite:///./frontline.db"
    workers = int(argv[1]) if len(argv) > 1 else 0
    interval = float(argv[2]) if len(argv) > 2 else 0.5
    attempt = int(argv[3]) if len(argv) > 3 else None
    die_with_parent()
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s frontline-worker %(levelname)s %(message)s")
    execute_job(argv[0], url, workers, interval, attempt)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
