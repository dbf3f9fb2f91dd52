"""Solves on the job queue (Procrastinate on the real PostgreSQL): a web app in this process, real
``frontline worker`` processes next to it, each test in its own schema.

The workers beat every 0.5 s and are taken for dead after 2 s of silence, so that the recovery of
a killed worker's job takes seconds; the terms are tiny (the kill and the running cancellation use
a generated M university, so that the solve is surely still running when it is interrupted).
"""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from service_support import bearer, postgres_schema, settings, term_tables, zip_bytes
from service_support import wait_job as wait_until_done
from sqlalchemy import func, select, text

from api.service import create_app
from api.service.storage.db import make_engine, make_sessions
from api.service.storage.models import Job, PlanVersion
from data.generate import generate

QUEUE_ENV = {
    "FRONTLINE_HEARTBEAT_S": "0.5",
    "FRONTLINE_STALLED_AFTER_S": "2",
    "FRONTLINE_QUEUE_POLL_S": "0.2",
    "FRONTLINE_SOLVER_WORKERS": "1",
    "FRONTLINE_PROGRESS_INTERVAL_S": "0",
    "FRONTLINE_SHUTDOWN_GRACE_S": "1",
}


@pytest.fixture
def pg_url() -> Iterator[str]:
    with postgres_schema() as url:
        yield url


class Workers:
    """``frontline worker`` processes on one database; every one still running is stopped at the end."""

    def __init__(self, url: str, logs: Path) -> None:
        self.url = url
        self.logs = logs
        self.running: dict[str, subprocess.Popen[bytes]] = {}

    def start(self, name: str, concurrency: int = 1) -> subprocess.Popen[bytes]:
        env = {**os.environ, **QUEUE_ENV, "FRONTLINE_DATABASE_URL": self.url}
        log = (self.logs / f"{name}.log").open("ab")
        process = subprocess.Popen(
            [sys.executable, "-m", "api.cli", "worker", "--name", name, "--concurrency", str(concurrency)],
            env=env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
        )  # fmt: skip
        self.running[name] = process
        return process

    def stop(self, name: str) -> None:
        process = self.running.pop(name)
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

    def kill(self, name: str) -> None:
        process = self.running.pop(name)
        process.kill()  # SIGKILL: no goodbye, no unregistering, the heartbeat just stops
        process.wait()

    def stop_all(self) -> None:
        for name in list(self.running):
            self.stop(name)


@pytest.fixture
def workers(pg_url: str, tmp_path: Path) -> Iterator[Workers]:
    group = Workers(pg_url, tmp_path)
    try:
        yield group
    finally:
        group.stop_all()


@pytest.fixture
def client(pg_url: str, tmp_path: Path) -> Iterator[TestClient]:
    config = settings(tmp_path, database_url=pg_url, runner="queue", max_time_limit_s=120.0)
    with TestClient(create_app(config)) as c:
        yield c


def tiny_zip(term_id: str) -> bytes:
    tables = term_tables()
    tables["term"][1][0] = term_id
    return zip_bytes(tables)


def generated_zip(tmp_path: Path, size: str, seed: int) -> bytes:
    folder = tmp_path / f"{size}{seed}"
    generate(size, seed, folder)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path in sorted(folder.glob("*.csv")):
            archive.write(path, path.name)
    return buffer.getvalue()


UNIVERSITY_OF: dict[str, str] = {}  # job id -> its university (the admin acts in one per request)


def acting(university: str) -> dict[str, str]:
    return {**bearer(), "X-University-Id": university}


def upload(c: TestClient, content: bytes, university: str = "default") -> tuple[str, str]:
    """(university, term id) of the uploaded term; the university is created when new."""
    if university != "default":
        c.post("/api/universities", json={"university_id": university, "name": university}, headers=bearer())
    r = c.post("/api/terms", files={"file": ("term.zip", content, "application/zip")}, headers=acting(university))
    assert r.status_code == 201, r.text
    return university, str(r.json()["term_id"])


def solve(c: TestClient, term: tuple[str, str], time_limit: float = 3.0) -> str:
    university, term_id = term
    r = c.post(f"/api/terms/{term_id}/solve", json={"time_limit_s": time_limit}, headers=acting(university))
    assert r.status_code == 202, r.text
    job_id: str = r.json()["job_id"]
    UNIVERSITY_OF[job_id] = university
    return job_id


def job(c: TestClient, job_id: str) -> dict[str, Any]:
    body: dict[str, Any] = c.get(f"/api/jobs/{job_id}", headers=acting(UNIVERSITY_OF[job_id])).json()
    return body


def wait_job(get: Any, job_id: str, timeout: float = 60.0) -> dict[str, Any]:
    return wait_until_done(get, job_id, timeout, headers=acting(UNIVERSITY_OF[job_id]))


def wait_for(c: TestClient, job_id: str, condition: Any, timeout: float = 60.0) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        body = job(c, job_id)
        if condition(body):
            return body
        if time.monotonic() > deadline:
            raise AssertionError(f"job {job_id} did not get there in {timeout} s: {body}")
        time.sleep(0.05)


def mid_solve(body: dict[str, Any]) -> bool:
    """Running, and the solver has reported a plan (it is inside CP-SAT, not starting up)."""
    return body["status"] == "running" and body["progress"]["objective"] is not None


def solver_processes(job_id: str, within: float) -> list[int]:
    """Pids of one-job processes (``api.service.jobs.worker JOB_ID``) still alive after ``within`` s."""
    deadline = time.monotonic() + within
    while True:
        alive = []
        for entry in Path("/proc").iterdir():
            try:
                argv = (entry / "cmdline").read_bytes().split(b"\0")
            except OSError:
                continue
            if b"api.service.jobs.worker" in argv and job_id.encode() in argv:
                alive.append(int(entry.name))
        if not alive or time.monotonic() > deadline:
            return alive
        time.sleep(0.05)


def plans_of(url: str, job_id: str) -> int:
    engine = make_engine(url)
    try:
        with make_sessions(engine)() as session:
            return int(session.scalar(select(func.count()).select_from(PlanVersion).where(PlanVersion.job_id == job_id)) or 0)
    finally:
        engine.dispose()


def queue_status(url: str, job_id: str) -> str:
    engine = make_engine(url)
    try:
        with make_sessions(engine)() as session:
            queue_id = session.scalar(select(Job.queue_job_id).where(Job.id == job_id))
            return str(session.scalar(text("SELECT status FROM procrastinate_jobs WHERE id = :id"), {"id": queue_id}))
    finally:
        engine.dispose()


def queue_end(url: str, job_id: str, timeout: float = 30.0) -> str:
    """The queue job's final status (the worker ends it just after the job row)."""
    deadline = time.monotonic() + timeout
    while (status := queue_status(url, job_id)) in ("todo", "doing"):
        assert time.monotonic() < deadline, f"queue job of {job_id} still {status}"
        time.sleep(0.1)
    return status


def test_ten_solves_enqueued_at_once_on_two_worker_processes_all_complete(client: TestClient, workers: Workers, pg_url: str) -> None:
    jobs = [solve(client, upload(client, tiny_zip(f"T{i:02d}"), f"uni-{i}")) for i in range(10)]
    assert {job(client, j)["status"] for j in jobs} == {"queued"}  # no worker yet: nothing ran
    workers.start("w1")
    workers.start("w2")
    done = [wait_job(client.get, j, timeout=180) for j in jobs]
    assert [d["status"] for d in done] == ["done"] * 10, [d["error"] for d in done]
    assert {d["worker"] for d in done} == {"w1", "w2"}  # both worker processes took jobs
    assert all(d["attempts"] == 1 and plans_of(pg_url, d["job_id"]) == 1 for d in done)
    assert {queue_end(pg_url, j) for j in jobs} == {"succeeded"}


def test_a_worker_killed_mid_solve_leaves_its_job_to_the_other_and_one_plan_is_stored(
    client: TestClient, workers: Workers, pg_url: str, tmp_path: Path
) -> None:  # fmt: skip
    job_id = solve(client, upload(client, generated_zip(tmp_path, "M", 2)), time_limit=8.0)
    workers.start("w1")
    wait_for(client, job_id, lambda b: mid_solve(b) and b["worker"] == "w1", timeout=90)
    workers.start("w2")
    workers.kill("w1")  # SIGKILL mid-solve: its solver child dies with it (before w2 takes over)
    assert not solver_processes(job_id, within=1.5)
    done = wait_job(client.get, job_id, timeout=120)
    assert done["status"] == "done", done
    assert done["worker"] == "w2" and done["attempts"] == 2
    assert plans_of(pg_url, job_id) == 1
    assert queue_end(pg_url, job_id) == "succeeded"


def test_cancelling_a_queued_and_a_running_job(client: TestClient, workers: Workers, pg_url: str, tmp_path: Path) -> None:
    running = solve(client, upload(client, generated_zip(tmp_path, "M", 3)), time_limit=60.0)
    queued = solve(client, upload(client, tiny_zip("Q1"), "uni-q"))
    r = client.delete(f"/api/jobs/{queued}", headers=acting("uni-q"))
    assert r.status_code == 200 and r.json()["status"] == "cancelled"
    assert queue_status(pg_url, queued) == "cancelled"  # no worker will ever fetch it
    workers.start("w1")
    wait_for(client, running, mid_solve, timeout=90)
    cancelled_at = time.monotonic()
    assert client.delete(f"/api/jobs/{running}", headers=acting("default")).json()["status"] == "cancelled"
    queue_end(pg_url, running)  # the worker stops the solve and ends the job ...
    assert time.monotonic() - cancelled_at < 30  # ... far sooner than the 60 s the solve was given
    after = solve(client, upload(client, tiny_zip("Q2"), "uni-q2"))  # the worker is free again
    assert wait_job(client.get, after, timeout=60)["status"] == "done"
    assert job(client, running)["status"] == "cancelled" and plans_of(pg_url, running) == 0
    assert job(client, queued)["started_at"] is None and plans_of(pg_url, queued) == 0


def test_a_replan_enqueued_behind_fresh_solves_starts_first(client: TestClient, workers: Workers) -> None:
    term = upload(client, tiny_zip("R1"))
    workers.start("w1")
    first = wait_job(client.get, solve(client, term), timeout=60)
    assert client.post(f"/api/plans/{first['plan_id']}/publish", headers=bearer()).status_code == 200
    workers.stop("w1")
    solves = [solve(client, upload(client, tiny_zip(f"S{i}"), f"uni-s{i}")) for i in range(3)]
    change = {
        "absences": [{"owner_id": "L001", "start": "2027-03-15", "end": "2027-03-16", "kind": "travel", "note": "出差"}],
        "now": "2027-03-02T08:00:00+08:00", "time_limit_s": 3,
    }  # fmt: skip
    r = client.post(f"/api/terms/{term[1]}/changes", json=change, headers=bearer())
    assert r.status_code == 202, r.text
    replan = r.json()["job_id"]
    UNIVERSITY_OF[replan] = "default"
    workers.start("w1")  # one worker, one job at a time: the queue's order decides
    done = {j: wait_job(client.get, j, timeout=90) for j in [*solves, replan]}
    assert {d["status"] for d in done.values()} == {"done"}, done
    assert done[replan]["started_at"] < min(done[s]["started_at"] for s in solves)


def test_one_university_does_not_fill_every_worker(client: TestClient, workers: Workers) -> None:
    busy = upload(client, tiny_zip("BUSY"), "uni-busy")
    mine = [solve(client, busy) for _ in range(3)] + [solve(client, upload(client, tiny_zip("BUSY2"), "uni-busy"))]
    other = solve(client, upload(client, tiny_zip("OTHER"), "uni-other"))  # enqueued after all of them
    workers.start("w1")
    workers.start("w2")
    done = {j: wait_job(client.get, j, timeout=90) for j in [*mine, other]}
    assert {d["status"] for d in done.values()} == {"done"}
    spans = sorted((done[j]["started_at"], done[j]["finished_at"]) for j in mine)
    assert all(a[1] <= b[0] for a, b in zip(spans, spans[1:], strict=False))  # one at a time
    assert done[other]["started_at"] < spans[-1][0]  # the other university did not wait for all three
