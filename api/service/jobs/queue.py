"""Solves and re-plans on a real job queue: Procrastinate, with the PostgreSQL database as the queue.

``FRONTLINE_RUNNER=queue``: the web server only creates the job row and defers a queue job
(:class:`QueueJobRunner`); ``frontline worker`` (:class:`Worker`) runs them, on any machine that
reaches the database, as many workers as wanted. No broker besides the database.

- **One process per solve.** A worker runs each job as a child process
  (``python -m api.service.jobs.worker``, the same one-job process as the local runner): a crash or
  an out-of-memory kill ends only that solve, and the child ends with its worker (even SIGKILL).
- **Progress and cancellation through the database.** The child writes progress into the job row;
  any web server reads it. Cancelling marks the job row ``cancelled`` (and asks Procrastinate to
  cancel or abort its queue job); the worker checks its job rows every ``queue_poll_s`` and
  terminates the child of a cancelled job.
- **A worker that dies** stops its heartbeat. Every worker looks for jobs of workers silent for
  ``stalled_after_s`` and puts them back in the queue (Procrastinate's stalled-job recovery); the
  next worker takes the job over (attempt + 1). After ``max_attempts`` runs the job fails.
- **Stored once.** A plan is stored only while its attempt still owns the job row, in one
  transaction with the job's end, and ``plans.job_id`` is unique: a job that ran twice (a worker
  cut off from the database but still solving) stores one plan.
- **Re-plans first, fair share.** Re-plans have a higher priority than fresh solves
  (``replan_priority`` > ``solve_priority``). The solves of one university share
  ``university_slots`` Procrastinate locks (jobs with one lock never run at the same time), so
  one university's forty terms never fill every worker: the others' solves pass them by.
- **A stopping worker** (SIGTERM, Ctrl+C) finishes its solves for up to ``shutdown_grace_s``,
  then puts the rest back in the queue for another worker.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import subprocess
import sys
from typing import Any

from procrastinate import App, JobContext, PsycopgConnector
from procrastinate.job_context import AbortReason
from procrastinate.jobs import Status
from sqlalchemy import select, text, update
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from api.service.jobs.lifeline import PARENT_ENV
from api.service.jobs.runner import OVERRAN, WORKER_DATABASE_ENV, claim, finish, overrun_allowance
from api.service.settings import Settings
from api.service.storage.db import make_engine, make_sessions, migrate, session_scope
from api.service.storage.models import Job, utcnow

log = logging.getLogger("frontline.queue")

QUEUE = "frontline"
TASK = "frontline.run_job"

NOT_QUEUED = "任务无法加入队列（数据库不可用？）；请重新提交 / the job could not be queued (is the database reachable?); submit it again"


def lost_text(runs: int) -> str:
    return (
        f"运行该任务的工作进程已中断 {runs} 次（机器重启或内存不足？）；请检查工作进程后重新提交 / "
        f"the workers running this job were lost {runs} times (restart or out of memory?); check the workers and submit it again"
    )


def crash_text(code: int) -> str:
    return (
        f"求解进程意外退出（代码 {code}），可能是内存不足；请重试或缩短时限 / "
        f"the solver process exited unexpectedly (code {code}), maybe out of memory"
    )


def conninfo(database_url: str) -> str:
    """The libpq connection string of a SQLAlchemy ``postgresql+psycopg://`` URL."""
    return make_url(database_url).set(drivername="postgresql").render_as_string(hide_password=False)


def make_app(database_url: str, **pool: Any) -> App:
    """The Procrastinate app of this service, on the service's own database."""
    app = App(connector=PsycopgConnector(conninfo=conninfo(database_url), **pool))
    app.task(name=TASK, queue=QUEUE, pass_context=True)(run_job)
    return app


def fairness_key(job: Job) -> str:
    """Whose share a job counts against: its university."""
    return job.university_id


def placement(session: Session, job: Job, settings: Settings) -> tuple[str | None, int]:
    """(lock, priority) of a job in the queue. Re-plans: no lock (one per term at a time
    anyway), the high priority. Solves: the least used of the university's slot locks."""
    if job.kind == "replan":
        return None, settings.replan_priority
    key = fairness_key(job)
    locks = [f"frontline:{key}:{slot}" for slot in range(settings.university_slots)]
    if len(locks) == 1:
        return locks[0], settings.solve_priority
    used: dict[str, int] = dict(
        session.execute(
            text(
                "SELECT lock, count(*) FROM procrastinate_jobs WHERE lock = ANY(:locks) "
                "AND status IN ('todo', 'doing') GROUP BY lock"
            ),
            {"locks": locks},
        ).tuples().all()
    )
    return min(locks, key=lambda lock: used.get(lock, 0)), settings.solve_priority


class QueueJobRunner:
    """The web server's side of the queue: defers jobs, cancels them. Runs no solve itself."""

    def __init__(self, settings: Settings, sessions: sessionmaker[Session]) -> None:
        self.settings = settings
        self.sessions = sessions
        self.app = make_app(settings.database_url, min_size=1, max_size=4)
        self.app.open()

    def submit(self, job_id: str) -> None:
        try:
            with session_scope(self.sessions) as session:
                job = session.get_one(Job, job_id)
                lock, priority = placement(session, job, self.settings)
                queue_id = self.app.configure_task(TASK, queue=QUEUE, lock=lock, priority=priority).defer(job_id=job_id)
                job.queue_job_id = queue_id
        except Exception:  # noqa: BLE001 - the job row must say why it never runs
            log.exception("job %s could not be queued", job_id)
            with session_scope(self.sessions) as session:
                finish(session, {job_id}, "failed", NOT_QUEUED)

    def cancel(self, job_id: str) -> bool:
        """Cancel the queue job (queued) or ask for its abort (running). The job row is
        ``cancelled`` already; the worker also sees that within ``queue_poll_s``."""
        with self.sessions() as session:
            queue_id = session.scalar(select(Job.queue_job_id).where(Job.id == job_id))
        if queue_id is None:
            return False
        try:
            return bool(self.app.job_manager.cancel_job_by_id(queue_id, abort=True))
        except Exception:  # noqa: BLE001 - the job row is cancelled; the worker will notice
            log.warning("job %s: the queue did not take the cancellation", job_id, exc_info=True)
            return False

    def status(self, job_id: str) -> str | None:
        with self.sessions() as session:
            queue_id = session.scalar(select(Job.queue_job_id).where(Job.id == job_id))
        if queue_id is None:
            return None
        status = self.app.job_manager.get_job_status(queue_id)
        return {Status.TODO: "queued", Status.DOING: "running"}.get(status)

    def shutdown(self) -> None:
        self.app.close()  # the jobs belong to the workers: nothing to stop here


# the worker --------------------------------------------------------------------------------------
async def run_job(context: JobContext, job_id: str) -> None:
    """The queue task: one job of the service, run by the worker that fetched it."""
    worker: Worker = context.additional_context["frontline"]
    await worker.run_one(context, job_id)


class Worker:
    """``frontline worker``: runs queued jobs, each in a child process, ``concurrency`` at a time."""

    def __init__(self, settings: Settings, concurrency: int | None = None, name: str | None = None) -> None:
        self.settings = settings
        self.concurrency = concurrency or settings.worker_concurrency
        self.name = name or f"{socket.gethostname()}:{os.getpid()}"
        self.engine = make_engine(settings.database_url)
        self.sessions = make_sessions(self.engine)

    def run(self) -> None:
        migrate(self.engine)  # safe next to web servers and other workers (advisory lock)
        try:
            asyncio.run(self._main())
        finally:
            self.engine.dispose()

    async def _main(self) -> None:
        app = make_app(self.settings.database_url, min_size=1, max_size=self.concurrency + 3)
        async with app.open_async():
            recovery = asyncio.create_task(self._recover_forever(app), name="frontline-recovery")
            try:
                await app.run_worker_async(
                    queues=[QUEUE], name=self.name, concurrency=self.concurrency,
                    additional_context={"frontline": self},
                    update_heartbeat_interval=self.settings.heartbeat_s,
                    stalled_worker_timeout=self.settings.stalled_after_s,
                    fetch_job_polling_interval=self.settings.queue_poll_s,
                    abort_job_polling_interval=self.settings.queue_poll_s,
                    shutdown_graceful_timeout=self.settings.shutdown_grace_s,
                )  # fmt: skip
            finally:
                recovery.cancel()

    # one job -------------------------------------------------------------------------------------
    async def run_one(self, context: JobContext, job_id: str) -> None:
        takeover = bool(context.job.attempts)  # > 0: its worker died, the queue gave it to us
        attempt = await asyncio.to_thread(self._claim, job_id, takeover)
        if attempt is None:
            return  # cancelled, finished or gone meanwhile
        settings = self.settings
        limit = await asyncio.to_thread(self._time_limit, job_id)
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "api.service.jobs.worker", job_id, str(settings.solver_workers),
            str(settings.progress_interval_s), str(attempt),
            env={**os.environ, WORKER_DATABASE_ENV: settings.database_url, PARENT_ENV: str(os.getpid())},
            stdin=subprocess.DEVNULL,
        )  # fmt: skip
        try:
            code = await self._watch(process, job_id, attempt, limit)
        except asyncio.CancelledError:
            await _stop(process)
            if context.abort_reason() == AbortReason.SHUTDOWN:
                await self._requeue(context, job_id, attempt)
            raise
        if code is not None and code != 0:
            await asyncio.to_thread(self._fail_if_mine, job_id, attempt, crash_text(code))

    async def _watch(self, process: asyncio.subprocess.Process, job_id: str, attempt: int, limit: float | None) -> int | None:
        """Wait for the child; stop it when the job row says it is no longer ours (cancelled), or
        when it runs past its time limit (as the local runner does: the limit bounds the job end to
        end). The exit code, or None when stopped."""
        loop = asyncio.get_running_loop()
        deadline = None if limit is None else loop.time() + limit + overrun_allowance(limit)
        while True:
            try:
                return await asyncio.wait_for(process.wait(), timeout=self.settings.queue_poll_s)
            except TimeoutError:
                if not await asyncio.to_thread(self._owns, job_id, attempt):
                    await _stop(process)
                    return None
                if deadline is not None and loop.time() > deadline:
                    await _stop(process)
                    await asyncio.to_thread(self._fail_if_mine, job_id, attempt, OVERRAN.format(limit=limit))
                    return None

    def _time_limit(self, job_id: str) -> float | None:
        with self.sessions() as session:
            value = session.scalar(select(Job.time_limit_s).where(Job.id == job_id))
        return None if value is None else float(value)

    def _claim(self, job_id: str, takeover: bool) -> int | None:
        with session_scope(self.sessions) as session:
            return claim(session, job_id, self.name, takeover=takeover)

    def _owns(self, job_id: str, attempt: int) -> bool:
        with self.sessions() as session:
            row = session.execute(select(Job.status, Job.attempts).where(Job.id == job_id)).first()
        return row is not None and row[0] == "running" and row[1] == attempt

    def _fail_if_mine(self, job_id: str, attempt: int, reason: str) -> None:
        with session_scope(self.sessions) as session:
            session.execute(
                update(Job).where(Job.id == job_id, Job.status == "running", Job.attempts == attempt)
                .values(status="failed", error=reason, finished_at=utcnow())
            )  # fmt: skip

    async def _requeue(self, context: JobContext, job_id: str, attempt: int) -> None:
        """A stopping worker's job goes back to the queue (a new queue job, same lock and priority)."""
        if not await asyncio.to_thread(self._mark_queued, job_id, attempt):
            return
        queue_job = context.job
        queue_id = await context.app.configure_task(
            TASK, queue=QUEUE, lock=queue_job.lock, priority=queue_job.priority
        ).defer_async(job_id=job_id)
        await asyncio.to_thread(self._set_queue_id, job_id, queue_id)

    def _mark_queued(self, job_id: str, attempt: int) -> bool:
        with session_scope(self.sessions) as session:
            back = session.execute(
                update(Job).where(Job.id == job_id, Job.status == "running", Job.attempts == attempt)
                .values(status="queued", worker=None, started_at=None)
            )  # fmt: skip
            return bool(getattr(back, "rowcount", 0))

    def _set_queue_id(self, job_id: str, queue_id: int) -> None:
        with session_scope(self.sessions) as session:
            session.execute(update(Job).where(Job.id == job_id).values(queue_job_id=queue_id))

    # dead workers --------------------------------------------------------------------------------
    async def _recover_forever(self, app: App) -> None:
        while True:
            await asyncio.sleep(self.settings.heartbeat_s)
            try:
                await self.recover(app)
            except Exception:  # noqa: BLE001 - try again at the next beat
                log.warning("stalled-job recovery failed", exc_info=True)

    async def recover(self, app: App) -> None:
        """Jobs of workers without a heartbeat for ``stalled_after_s`` go back to the queue, or
        fail after ``max_attempts`` runs. Every worker does this; each job is retried once."""
        manager = app.job_manager
        stalled = await manager.get_stalled_jobs(
            queue=QUEUE, task_name=TASK, seconds_since_heartbeat=self.settings.stalled_after_s
        )
        for job in stalled:
            runs = job.attempts + 1
            try:
                if runs >= self.settings.max_attempts:
                    await manager.finish_job(job, status=Status.FAILED, delete_job=False)
                    job_id = str(job.task_kwargs.get("job_id"))
                    await asyncio.to_thread(self._fail_lost, job_id, lost_text(runs))
                    log.warning("job %s failed: its workers were lost %d times", job_id, runs)
                else:
                    await manager.retry_job(job)
                    log.warning("job %s: its worker was lost; back in the queue", job.task_kwargs.get("job_id"))
            except Exception:  # noqa: BLE001 - another worker recovered it first
                log.debug("stalled job %s already recovered", job.id, exc_info=True)
        await manager.prune_stalled_workers(self.settings.stalled_after_s)

    def _fail_lost(self, job_id: str, reason: str) -> None:
        with session_scope(self.sessions) as session:
            finish(session, {job_id}, "failed", reason)


async def _stop(process: asyncio.subprocess.Process) -> None:
    """Terminate a child, kill it if it does not end within 5 s."""
    if process.returncode is not None:
        return
    process.terminate()
    try:
        await asyncio.wait_for(process.wait(), timeout=5)
    except TimeoutError:
        process.kill()
        await process.wait()
