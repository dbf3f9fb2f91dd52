"""Benchmark: student check-ins at a 300-student lecture, against a trivial endpoint of the same
server in the same run (a real uvicorn on 127.0.0.1).

    frontline bench --checkins                    # 300 students, 4 client threads, 3 rounds
    python -m api.bench_checkins --students 300 --threads 4 --rounds 5

The server is ``frontline serve --demo`` in its own process (SQLite in a temporary folder, access
log off), its clock set (``FRONTLINE_NOW``) five minutes into L01's visit to the term's situation-
and-policy lecture (2026-09-16 14:30, 报告厅). Each round the leader asks for a fresh check-in code
and ``--students`` students check in with distinct student numbers, spread over ``--threads`` client
threads (keep-alive ``http.client`` connections), then the same number of ``GET /healthz`` requests
are made the same way. Each check-in is a real one: the code looked up by hash, the visit found,
the student number salted and hashed, the row inserted (counted once), an audit line written.
Printed: requests per second and p50/p99 latency of both, per round and overall.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import http.client
import json
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from pathlib import Path

import httpx

from data import DEMO_DIR

TOKEN = "benchmark-admin-token-" + "0" * 32


def lecture_visit() -> tuple[str, str]:
    """The uid of L01's first 进讲座 visit in the bundled demo plan, and a moment five minutes into it."""
    with (DEMO_DIR / "plan" / "events.csv").open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            if row["leader_id"] == "L01" and row["visit_kind"] == "lecture" and row["status"] == "planned":
                start = dt.datetime.fromisoformat(row["start"]) + dt.timedelta(minutes=5)
                return row["uid"], start.isoformat()
    raise SystemExit("the demo plan has no lecture visit of L01")


LECTURE_UID, LECTURE_START = lecture_visit()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(folder: Path, port: int) -> subprocess.Popen[str]:
    env = {
        **os.environ,
        "FRONTLINE_DATABASE_URL": f"sqlite:///{folder / 'bench.db'}",
        "FRONTLINE_ADMIN_TOKEN": TOKEN,
        "FRONTLINE_NOW": LECTURE_START,
        "FRONTLINE_CHECKIN_CODE_SECONDS": "600",
        "PYTHONPATH": str(Path(__file__).resolve().parents[1]),
    }
    command = [sys.executable, "-c", (
        "import logging, uvicorn; from api.service import Settings, create_app; from api.service.demo import publish_demo\n"
        f"app = create_app(Settings(), on_started=lambda s: publish_demo(s, 'http://127.0.0.1:{port}', lambda t: print(t, flush=True)))\n"
        f"uvicorn.run(app, host='127.0.0.1', port={port}, log_level='warning', access_log=False)"
    )]  # fmt: skip
    return subprocess.Popen(command, env=env, cwd=Path(__file__).resolve().parents[1], stdout=subprocess.PIPE, text=True)


def wait_ready(server: subprocess.Popen[str]) -> str:
    """The leader token printed by the demo once it is published."""
    assert server.stdout is not None
    deadline = time.monotonic() + 120
    for line in server.stdout:
        found = re.search(r"LEADER_TOKEN=(\S+)", line)
        if found:
            return found[1]
        if time.monotonic() > deadline:
            break
    raise SystemExit("the demo did not start")


def run(port: int, requests: Sequence[tuple[str, str, bytes | None]], threads: int, expect: int) -> tuple[float, list[float]]:
    """Send the requests from ``threads`` threads; (requests per second, latencies in ms)."""
    latencies: list[float] = []
    lock = threading.Lock()
    errors: list[str] = []
    shares = [requests[i::threads] for i in range(threads)]

    def work(mine: list[tuple[str, str, bytes | None]]) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        local = []
        try:
            for method, path, body in mine:
                t = time.perf_counter()
                conn.request(method, path, body=body, headers={"Content-Type": "application/json"} if body else {})
                response = conn.getresponse()
                response.read()
                local.append((time.perf_counter() - t) * 1000)
                if response.status != expect:
                    errors.append(f"{method} {path.split('/')[1]}: {response.status}")
                    return
        finally:
            conn.close()
            with lock:
                latencies.extend(local)

    started = time.perf_counter()
    pool = [threading.Thread(target=work, args=(share,)) for share in shares]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    elapsed = time.perf_counter() - started
    if errors:
        raise SystemExit(f"unexpected status: {errors[0]}")
    return len(latencies) / elapsed, latencies


def p(values: list[float], q: int) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1] if len(values) > 1 else values[0]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="frontline bench --checkins", description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=300)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv)
    port = free_port()
    with tempfile.TemporaryDirectory() as tmp:
        server = start_server(Path(tmp), port)
        try:
            leader = wait_ready(server)
            base = f"http://127.0.0.1:{port}"
            rows = []
            all_in: list[float] = []
            all_trivial: list[float] = []
            for n in range(args.rounds):
                code = httpx.post(f"{base}/api/visits/{LECTURE_UID}/checkin-code", headers={"Authorization": f"Bearer {leader}"}, timeout=30)
                code.raise_for_status()
                path = f"/checkin/{code.json()['code']}"
                students = [("POST", path, json.dumps({"student_no": f"2026{n:02d}{i:04d}"}).encode()) for i in range(args.students)]
                rate, lat = run(port, students, args.threads, 201)
                trivial_rate, trivial_lat = run(port, [("GET", "/healthz", None)] * args.students, args.threads, 200)
                rows.append((n + 1, rate, p(lat, 50), p(lat, 99), trivial_rate, p(trivial_lat, 50), p(trivial_lat, 99)))
                all_in += lat
                all_trivial += trivial_lat
            counted = httpx.get(f"{base}/api/me/visits?week=2", headers={"Authorization": f"Bearer {leader}"}, timeout=30).json()
            checkins = next(v["checkins"] for v in counted["visits"] if v["visit"]["uid"] == LECTURE_UID)
        finally:
            server.terminate()
            server.wait(timeout=10)
    print(f"\n{'round':>5} {'check-ins/s':>12} {'p50 ms':>8} {'p99 ms':>8} {'healthz/s':>10} {'p50 ms':>8} {'p99 ms':>8}")
    for r in rows:
        print(f"{r[0]:>5} {r[1]:>12.0f} {r[2]:>8.1f} {r[3]:>8.1f} {r[4]:>10.0f} {r[5]:>8.1f} {r[6]:>8.1f}")
    rate = statistics.mean(r[1] for r in rows)
    trivial = statistics.mean(r[4] for r in rows)
    print(f"{'all':>5} {rate:>12.0f} {p(all_in, 50):>8.1f} {p(all_in, 99):>8.1f} {trivial:>10.0f} {p(all_trivial, 50):>8.1f} {p(all_trivial, 99):>8.1f}")
    print(f"\ncheck-ins counted at the lecture: {checkins} (expected {args.students * args.rounds}); "
          f"check-ins reach {rate / trivial:.0%} of the trivial endpoint's rate")  # fmt: skip
    print(f"({os.cpu_count()} cores, {args.threads} client threads, one uvicorn worker, SQLite)")


if __name__ == "__main__":
    main()
