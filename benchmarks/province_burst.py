"""Benchmark: a provincial burst on the job queue (PostgreSQL + Procrastinate + ``frontline worker``).

    python benchmarks/province_burst.py                       # 40 universities, 1 and 2 workers
    python benchmarks/province_burst.py --universities 10 --workers 1,2 --replans 5

For each worker count, in a fresh schema of the PostgreSQL database
(``FRONTLINE_TEST_POSTGRES_URL`` or ``postgresql+psycopg://postgres@127.0.0.1:5432/test``):

1. a small university is planned and published (it will take the re-plans);
2. on an **idle** service, ``--replans`` re-plans of it are submitted one after the other: the wait
   (submitted -> started) and the time to done of each;
3. the **burst**: ``--universities`` generated universities (sizes S and M alternating, seed =
   index) are uploaded and all solved at once; while they run, the same re-plans are submitted
   again, one after the other; figures: time until every university is planned, and the re-plans'
   wait and time to done (median and worst), against the idle ones of the same run.

The web app runs in this process (FastAPI's TestClient, ``FRONTLINE_RUNNER=queue``); the workers
are real ``frontline worker`` processes (concurrency 1, CP-SAT with 1 thread each). Solve time
limits: ``--s-limit`` and ``--m-limit`` seconds.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
import zipfile
from pathlib import Path
from typing import Any
from urllib.parse import quote

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from fastapi.testclient import TestClient  # noqa: E402
from sqlalchemy import create_engine, text  # noqa: E402

from api.service import Settings, create_app  # noqa: E402
from data.generate import generate  # noqa: E402

PG_URL = os.environ.get("FRONTLINE_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
ADMIN = "benchmark-admin-token-" + "0" * 32
AUTH = {"Authorization": f"Bearer {ADMIN}"}


def as_university(university: str) -> dict[str, str]:
    return {**AUTH, "X-University-Id": university}


def zipped(folder: Path) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path in sorted(folder.glob("*.csv")):
            archive.write(path, path.name)
    return buffer.getvalue()


def generated(tmp: Path, size: str, seed: int) -> bytes:
    folder = tmp / f"{size}{seed}"
    if not folder.exists():
        generate(size, seed, folder)
    return zipped(folder)


def moment(text_value: str | None) -> dt.datetime:
    assert text_value is not None
    return dt.datetime.fromisoformat(text_value)


class Run:
    """One service (web app + workers) on a fresh schema."""

    def __init__(self, workers: int, tmp: Path) -> None:
        self.schema = f"frontline_bench_{uuid.uuid4().hex[:10]}"
        self.admin = create_engine(PG_URL)
        with self.admin.begin() as conn:
            conn.execute(text(f'create schema "{self.schema}"'))
        separator = "&" if "?" in PG_URL else "?"
        self.url = f"{PG_URL}{separator}options={quote(f'-csearch_path={self.schema}')}"
        settings = Settings(database_url=self.url, admin_token=ADMIN, runner="queue", solver_workers=1, max_time_limit_s=600)
        self.client = TestClient(create_app(settings))
        self.client.__enter__()
        env = {**os.environ, "FRONTLINE_DATABASE_URL": self.url, "FRONTLINE_SOLVER_WORKERS": "1", "FRONTLINE_QUEUE_POLL_S": "0.2"}
        self.logs = (tmp / f"workers-{workers}.log").open("ab")
        self.workers = [
            subprocess.Popen([sys.executable, "-m", "api.cli", "worker", "--name", f"w{i}"], env=env,
                             stdout=self.logs, stderr=subprocess.STDOUT)  # fmt: skip
            for i in range(workers)
        ]

    def close(self) -> None:
        for w in self.workers:
            w.terminate()
        for w in self.workers:
            w.wait(timeout=60)
        self.client.__exit__(None, None, None)
        with self.admin.begin() as conn:
            conn.execute(text(f'drop schema "{self.schema}" cascade'))
        self.admin.dispose()

    def university(self, university: str) -> None:
        r = self.client.post("/api/universities", json={"university_id": university, "name": university}, headers=AUTH)
        assert r.status_code == 201, r.text

    def upload(self, university: str, content: bytes) -> str:
        r = self.client.post("/api/terms", files={"file": ("t.zip", content, "application/zip")}, headers=as_university(university))
        assert r.status_code == 201, r.text
        return str(r.json()["term_id"])

    def solve(self, university: str, term_id: str, limit: float) -> str:
        r = self.client.post(f"/api/terms/{term_id}/solve", json={"time_limit_s": limit}, headers=as_university(university))
        assert r.status_code == 202, r.text
        return str(r.json()["job_id"])

    def job(self, university: str, job_id: str) -> dict[str, Any]:
        body: dict[str, Any] = self.client.get(f"/api/jobs/{job_id}", headers=as_university(university)).json()
        return body

    def wait(self, university: str, job_id: str, timeout: float = 3600) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while (body := self.job(university, job_id))["status"] in ("queued", "running"):
            if time.monotonic() > deadline:
                raise RuntimeError(f"job {job_id} still {body['status']}")
            time.sleep(0.1)
        if body["status"] != "done":
            raise RuntimeError(f"job {job_id}: {body['status']} {body['error']}")
        return body

    def replan(self, university: str, term_id: str, day: int) -> tuple[float, float]:
        """(wait s, total s) of one re-plan: a trip of the first leader on ``day`` of March 2027."""
        change = {
            "absences": [{"owner_id": "L001", "start": f"2027-03-{day:02d}", "end": f"2027-03-{day:02d}", "kind": "travel", "note": "出差"}],
            "now": "2027-03-01T08:00:00+08:00", "time_limit_s": 10,
        }  # fmt: skip
        r = self.client.post(f"/api/terms/{term_id}/changes", json=change, headers=as_university(university))
        assert r.status_code == 202, r.text
        done = self.wait(university, r.json()["job_id"])
        created, started, finished = (moment(done[k]) for k in ("created_at", "started_at", "finished_at"))
        return (started - created).total_seconds(), (finished - created).total_seconds()


def replan_term() -> bytes:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
    from service_support import term_tables, zip_bytes

    return zip_bytes(term_tables())


def one_run(workers: int, universities: int, replans: int, limits: dict[str, float], tmp: Path) -> dict[str, Any]:
    run = Run(workers, tmp)
    try:
        run.university("replan-u")
        term = run.upload("replan-u", replan_term())
        first = run.wait("replan-u", run.solve("replan-u", term, 5))
        assert run.client.post(f"/api/plans/{first['plan_id']}/publish", headers=as_university("replan-u")).status_code == 200
        idle = [run.replan("replan-u", term, 8 + i) for i in range(replans)]
        jobs = []
        contents = [(f"u{i:03d}", "S" if i % 2 == 0 else "M", i + 1) for i in range(universities)]
        for uni, _, _ in contents:
            run.university(uni)
        uploads = [(uni, size, run.upload(uni, generated(tmp, size, seed))) for uni, size, seed in contents]
        start = time.monotonic()
        for uni, size, term_id in uploads:
            jobs.append((uni, run.solve(uni, term_id, limits[size])))
        time.sleep(2.0)  # the burst is under way
        burst = [run.replan("replan-u", term, 8 + i) for i in range(replans)]
        for uni, job_id in jobs:
            run.wait(uni, job_id)
        planned = time.monotonic() - start
        return {"workers": workers, "universities": universities, "planned_s": planned, "idle": idle, "burst": burst}
    finally:
        run.close()


def describe(values: list[float]) -> str:
    return f"median {statistics.median(values):.1f} s, worst {max(values):.1f} s"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--universities", type=int, default=40)
    parser.add_argument("--workers", default="1,2")
    parser.add_argument("--replans", type=int, default=5)
    parser.add_argument("--s-limit", type=float, default=10.0)
    parser.add_argument("--m-limit", type=float, default=20.0)
    args = parser.parse_args()
    limits = {"S": args.s_limit, "M": args.m_limit}
    with tempfile.TemporaryDirectory(prefix="frontline-burst-") as tmp:
        results = [one_run(int(w), args.universities, args.replans, limits, Path(tmp)) for w in args.workers.split(",")]
    print("| workers | universities | all planned | re-plan wait, idle | re-plan wait, burst | re-plan done, idle | re-plan done, burst |")
    print("|---|---|---|---|---|---|---|")
    for r in results:
        idle_wait, idle_done = [w for w, _ in r["idle"]], [d for _, d in r["idle"]]
        burst_wait, burst_done = [w for w, _ in r["burst"]], [d for _, d in r["burst"]]
        print(f"| {r['workers']} | {r['universities']} | {r['planned_s']:.0f} s | {describe(idle_wait)} | "
              f"{describe(burst_wait)} | {describe(idle_done)} | {describe(burst_done)} |")  # fmt: skip


if __name__ == "__main__":
    main()
