"""Solves and re-plans as jobs: run outside requests, report progress, can be cancelled.

Everything a job needs is in the database (its data version, the plan it re-plans, its time
limit), so a job is just an id: :func:`execute_job` is the whole work of one job and can run
anywhere that reaches the database. :class:`JobRunner` is the small interface the routes use;
:class:`ProcessJobRunner` runs each job in its own process on this machine. A real job queue
(a broker with workers calling ``execute_job(job_id, database_url)``) can replace it.

Why a process per job, not a thread pool: CP-SAT holds the CPU for the whole time limit, and a
process can be stopped at once and for sure (``terminate``) without any hook in the solver, cannot
take the web server down with it (a crash or an out-of-memory kill ends only that job, which is
then marked failed), and keeps the web process responsive. Progress goes through the database:
the solve's progress callback writes elapsed time, objective, bound and gap (at most every
``progress_interval_s``). The process is a fresh interpreter (``python -m api.service.jobs.worker``),
not a fork of the web server: nothing of the server's threads, sockets or main module leaks into
it, and it needs nothing but the job id and the database URL (passed in the environment, so that
a password in the URL does not show in the process list). Starting it costs about half a second,
which is nothing next to a solve.
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import threading
import time
from dataclasses import replace
from typing import Any, Protocol

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from api.service.jobs.lifeline import PARENT_ENV
from api.service.storage.db import make_engine, make_sessions, session_scope
from api.service.storage.models import ACTIVE_JOB_STATUSES, Dataset, Job, PlanVersion, Term, utcnow
from data.archive import Limits

# Stored data was within the limits when it was accepted; reading it back is not limited again.
STORED = Limits(max_expanded_bytes=1 << 50, max_entries=1 << 30, max_cells=1 << 50)
log = logging.getLogger("frontline.jobs")

WORKER_DATABASE_ENV = "FRONTLINE_JOB_DATABASE_URL"
INTERRUPTED_BY_RESTART = "服务重启时任务被中断；请重新提交 / interrupted by a server restart; submit it again"
INTERRUPTED_BY_SHUTDOWN = "服务停止时任务被中断；请重新提交 / interrupted when the server stopped; submit it again"
OVERRAN = (
    "任务超过时限 {limit:g} 秒仍未结束，已停止；请延长时限或缩小数据 / "
    "the job ran past its time limit of {limit:g} s and was stopped; give a longer limit or less data"
)


def overrun_allowance(time_limit: float) -> float:
    """Seconds a job may run past its time limit (starting the process, storing the plan)
    before it is stopped: the solve itself ends within the limit."""
    return 10.0 + 0.2 * time_limit


class JobRunner(Protocol):
    """Runs jobs stored in the database. The routes create the job row, then call ``submit``."""

    def submit(self, job_id: str) -> None:
        """Queue the job; it runs when a worker is free."""

    def cancel(self, job_id: str) -> bool:
        """Stop the job's work if it is queued or running here; True if there was work to stop.
        The caller has already marked the job ``cancelled``."""

    def status(self, job_id: str) -> str | None:
        """``queued`` or ``running`` while this runner holds the job, else None."""

    def shutdown(self) -> None:
        """Stop every job (they are marked failed) and release the workers."""


class ProcessJobRunner:
    """One process per job, at most ``concurrency`` at a time (the others wait in order)."""

    def __init__(
        self, database_url: str, sessions: sessionmaker[Session], *, concurrency: int = 1,
        solver_workers: int = 0, progress_interval_s: float = 0.5,
    ) -> None:  # fmt: skip
        self.database_url = database_url
        self.sessions = sessions
        self.solver_workers = solver_workers
        self.progress_interval_s = progress_interval_s
        self._slots = threading.BoundedSemaphore(concurrency)
        self._lock = threading.Lock()
        self._queued: set[str] = set()
        self._running: dict[str, subprocess.Popen[bytes]] = {}
        self._closing = threading.Event()

    def submit(self, job_id: str) -> None:
        with self._lock:
            self._queued.add(job_id)
        threading.Thread(target=self._run, args=(job_id,), name=f"job-{job_id[:8]}", daemon=True).start()

    def cancel(self, job_id: str) -> bool:
        with self._lock:
            queued = job_id in self._queued
            self._queued.discard(job_id)
            process = self._running.get(job_id)
        if process is not None and process.poll() is None:
            process.terminate()
            return True
        return queued

    def status(self, job_id: str) -> str | None:
        with self._lock:
            if job_id in self._running:
                return "running"
            return "queued" if job_id in self._queued else None

    def shutdown(self) -> None:
        self._closing.set()
        with self._lock:
            held = set(self._queued) | set(self._running)
            processes = list(self._running.values())
            self._queued.clear()
        for process in processes:
            if process.poll() is None:
                process.terminate()
        for process in processes:
            try:
                process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                process.kill()
        if held:
            with session_scope(self.sessions) as session:
                finish(session, held, "failed", INTERRUPTED_BY_SHUTDOWN)

    def _run(self, job_id: str) -> None:
        while not self._slots.acquire(timeout=0.2):
            if self._closing.is_set():
                return
        try:
            with self._lock:
                if job_id not in self._queued or self._closing.is_set():
                    return  # cancelled while waiting
                self._queued.discard(job_id)
                process = subprocess.Popen(
                    [sys.executable, "-m", "api.service.jobs.worker", job_id, str(self.solver_workers),
                     str(self.progress_interval_s)],
                    env={**os.environ, WORKER_DATABASE_ENV: self.database_url, PARENT_ENV: str(os.getpid())},
                    stdin=subprocess.DEVNULL,
                )  # fmt: skip
                self._running[job_id] = process
            limit = self._time_limit(job_id)
            try:
                code = process.wait(timeout=None if limit is None else limit + overrun_allowance(limit))
            except subprocess.TimeoutExpired:  # the time limit bounds the job end to end
                self._stop(process)
                with self._lock:
                    self._running.pop(job_id, None)
                with session_scope(self.sessions) as session:
                    finish(session, {job_id}, "failed", OVERRAN.format(limit=limit))
                return
            with self._lock:
                self._running.pop(job_id, None)
            if code != 0 and not self._closing.is_set():
                reason = (
                    f"求解进程意外退出（代码 {code}），可能是内存不足；请重试或缩短时限 / "
                    f"the solver process exited unexpectedly (code {code}), maybe out of memory"
                )
                with session_scope(self.sessions) as session:
                    finish(session, {job_id}, "failed", reason)
        except Exception:  # noqa: BLE001 - a job thread must never die silently
            log.exception("job %s could not be run", job_id)
            with session_scope(self.sessions) as session:
                finish(session, {job_id}, "failed", "任务无法启动 / the job could not be started")
        finally:
            self._slots.release()


    def _time_limit(self, job_id: str) -> float | None:
        with session_scope(self.sessions) as session:
            job = session.get(Job, job_id)
            return None if job is None or job.time_limit_s is None else float(job.time_limit_s)

    @staticmethod
    def _stop(process: subprocess.Popen[bytes]) -> None:
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def finish(session: Session, job_ids: set[str], status: str, error: str | None) -> int:
    """Mark still-active jobs final (``failed``/``cancelled``); returns how many changed."""
    if not job_ids:
        return 0
    result = session.execute(
        update(Job)
        .where(Job.id.in_(job_ids), Job.status.in_(ACTIVE_JOB_STATUSES))
        .values(status=status, error=error, finished_at=utcnow())
    )
    return int(getattr(result, "rowcount", 0) or 0)


def fail_interrupted(sessions: sessionmaker[Session]) -> int:
    """On start: jobs left queued or running by a previous server process failed with a reason."""
    with session_scope(sessions) as session:
        ids = set(session.scalars(select(Job.id).where(Job.status.in_(ACTIVE_JOB_STATUSES))))
        return finish(session, ids, "failed", INTERRUPTED_BY_RESTART)


# the work of one job ----------------------------------------------------------------------------
def execute_job(
    job_id: str, database_url: str, solver_workers: int = 0, progress_interval_s: float = 0.5,
    attempt: int | None = None,
) -> None:  # fmt: skip
    """Run one job to the end: read its data, solve or re-plan, store the plan as a draft.

    ``attempt`` None: the job is claimed here (queued -> running). A queue worker claims it itself
    (:func:`claim`) and passes the attempt it claimed: the plan is stored only while the job is
    still running at that attempt, so a job that ran twice stores its plan once."""
    engine = make_engine(database_url)
    sessions = make_sessions(engine)
    try:
        _execute(job_id, sessions, solver_workers, progress_interval_s, attempt)
    finally:
        engine.dispose()


def claim(session: Session, job_id: str, worker: str | None, *, takeover: bool) -> int | None:
    """Mark the job running for a new attempt; its number, or None if the job is not to run
    (cancelled, finished or gone). ``takeover``: the job may be ``running`` already (its previous
    worker died); its progress starts again."""
    allowed = ("queued", "running") if takeover else ("queued",)
    row = session.execute(
        update(Job).where(Job.id == job_id, Job.status.in_(allowed))
        .values(status="running", started_at=utcnow(), attempts=Job.attempts + 1, worker=worker,
                elapsed_s=None, objective=None, bound=None, gap=None, progress_log=None)
        .returning(Job.attempts)
    ).first()  # fmt: skip
    return int(row[0]) if row else None


def _running_at(attempt: int | None) -> Any:
    """The condition "this attempt still owns the job"."""
    condition = Job.status == "running"
    return condition if attempt is None else condition & (Job.attempts == attempt)


def _execute(job_id: str, sessions: sessionmaker[Session], solver_workers: int, interval: float, attempt: int | None) -> None:
    from api.service import plans, termdata

    began = time.perf_counter()  # the job's time limit covers reading the data too
    with session_scope(sessions) as session:
        if attempt is None:
            if claim(session, job_id, None, takeover=False) is None:
                return  # cancelled before it started
        elif session.scalar(select(Job.id).where(Job.id == job_id, _running_at(attempt))) is None:
            return  # cancelled, or taken over by another worker, meanwhile
        job = session.get_one(Job, job_id)
        dataset = session.get_one(Dataset, job.dataset_id)
        base = session.get(PlanVersion, job.base_plan_id) if job.base_plan_id else None
        kind, time_limit, lang, now = job.kind, job.time_limit_s, job.lang, job.now
        dataset_id, base_plan_id, university = dataset.id, job.base_plan_id, job.university_id
        content, media, filename, warnings = dataset.content, dataset.media, dataset.filename, dataset.warnings
        previous = (
            plans.plan_from_columns(base.term_id, base.timezone, base.stats, base.assignments, base.events, base.report, base.warnings)
            if base is not None else None
        )  # fmt: skip
    try:
        result = termdata.read_stored(content, media, filename, STORED)
        problem = result.problem
        from solver.solve import SolveOptions, solve

        options = SolveOptions(time_limit=time_limit, workers=solver_workers, lang=lang, started=began)
        progress = _ProgressWriter(sessions, job_id, interval, attempt)
        changes: list[dict[str, Any]] | None = None
        if kind == "replan":
            from solver.evidence.replan import replan_after_records

            if previous is None or base_plan_id is None:
                raise RuntimeError("re-plan without a published plan")
            records = _records(sessions, base_plan_id, dataset_id, previous, problem)
            outcome = replan_after_records(problem, previous, records, now=now, options=options, progress=progress)
            plan = outcome.plan
            changes = [plans.change_record(c) for c in outcome.changes]
        else:
            plan = solve(problem, options, progress)
        plan = replace(plan, warnings=tuple(w[4] if lang == "en" else w[3] for w in warnings))
        columns = plans.plan_columns(plan, problem)
    except Exception as exc:  # noqa: BLE001 - any failure of the job is its result
        log.exception("job %s failed", job_id)
        with session_scope(sessions) as session:
            finish(session, {job_id}, "failed", _failure_text(exc))
        return
    _store(sessions, job_id, attempt, plan, (university, dataset_id, base_plan_id), changes, columns)


def _store(
    sessions: sessionmaker[Session], job_id: str, attempt: int | None, plan: Any,
    origin: tuple[str, str, str | None], changes: list[dict[str, Any]] | None, columns: dict[str, Any],
) -> None:  # fmt: skip
    """The plan and the job's end in one transaction, only while this attempt owns the job
    (the unique ``plans.job_id`` is the last guard: one plan per job)."""
    stats = plan.stats
    university, dataset_id, base_plan_id = origin
    with session_scope(sessions) as session:
        if session.scalar(select(Job.id).where(Job.id == job_id, _running_at(attempt)).with_for_update()) is None:
            return  # cancelled or taken over meanwhile: keep no plan
        record = PlanVersion(
            university_id=university, term_id=plan.term_id, dataset_id=dataset_id, base_plan_id=base_plan_id, job_id=job_id,
            state="draft", changes=changes, **columns,
        )  # fmt: skip
        session.add(record)
        session.flush()
        done = session.execute(
            update(Job).where(Job.id == job_id, _running_at(attempt)).values(
                status="done", plan_id=record.id, finished_at=utcnow(), elapsed_s=stats.solve_seconds,
                objective=stats.objective, bound=stats.bound, gap=round(stats.gap, 6),
            )
        )  # fmt: skip
        if not getattr(done, "rowcount", 0):
            session.rollback()  # cancelled meanwhile: keep no plan
            return
        session.execute(
            update(Term).where(Term.university_id == university, Term.term_id == plan.term_id).values(updated_at=utcnow())
        )


def _records(sessions: sessionmaker[Session], plan_id: str, dataset_id: str, previous: Any, problem: Any) -> Any:
    """What has been recorded for the term so far (visits recorded not held are re-placed)."""
    from api.service.evidence.recordset import record_set
    from api.service.evidence.visits import Published

    with sessions() as session:
        return record_set(session, Published(previous.term_id, plan_id, dataset_id, previous, problem))


def _failure_text(exc: BaseException) -> str:
    from solver.solve import TimeLimitTooShort

    if isinstance(exc, TimeLimitTooShort):  # already says what ran out and what to do
        return str(exc)[:2000]
    text = f"{type(exc).__name__}: {exc}"
    if "found no plan" in str(exc):
        return f"没有找到可行的计划；请检查数据或延长时限 / no feasible plan was found: {exc}"
    if isinstance(exc, ImportError) and "replan" in str(exc):
        return f"本版本尚不支持重新规划 / re-planning is not available in this version: {exc}"
    return f"求解失败 / the solve failed: {text}"[:2000]


class _ProgressWriter:
    """The solve's progress callback: writes the latest numbers, at most every ``interval`` s,
    and the numbers over time (``progress_log``, the page's chart)."""

    MAX_POINTS = 200

    def __init__(self, sessions: sessionmaker[Session], job_id: str, interval: float, attempt: int | None = None) -> None:
        self.sessions = sessions
        self.job_id = job_id
        self.attempt = attempt
        self.interval = interval
        self.last = 0.0
        self.points: list[list[float | None]] = []  # [elapsed, objective, bound], for the chart

    def _log(self, elapsed: float, objective: float | None, bound: float) -> list[list[float | None]]:
        """The progress so far, at most ``MAX_POINTS`` points (every other one dropped when full)."""
        self.points.append([round(elapsed, 3), objective, bound])
        if len(self.points) > self.MAX_POINTS:
            self.points = self.points[:-1:2] + [self.points[-1]]
        return list(self.points)

    def __call__(self, elapsed: float, objective: float | None, bound: float) -> None:
        now = time.monotonic()
        if now - self.last < self.interval:
            return
        self.last = now
        gap = None
        if objective is not None:
            gap = 0.0 if objective == bound else abs(objective - bound) / max(1.0, abs(objective))
        try:
            with session_scope(self.sessions) as session:
                session.execute(
                    update(Job).where(Job.id == self.job_id, _running_at(self.attempt)).values(
                        elapsed_s=round(elapsed, 3), objective=objective, bound=bound,
                        gap=None if gap is None else round(gap, 6), progress_log=self._log(elapsed, objective, bound),
                    )
                )  # fmt: skip
        except Exception:  # noqa: BLE001 - progress is best effort; the solve goes on
            log.warning("job %s: progress not written", self.job_id, exc_info=True)

