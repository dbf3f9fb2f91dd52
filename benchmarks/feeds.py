"""Benchmark: requests per second for a leader's calendar feed (200 and 304) against a trivial
endpoint (``/healthz``) of the same app, on a real uvicorn server on 127.0.0.1.

    python benchmarks/feeds.py                    # the demo university, 30 s solve
    python benchmarks/feeds.py --seconds 5 --threads 4 --time-limit 30

The server runs in its own process (one uvicorn worker, access log off, SQLite in a temporary
folder); the client is a few threads of keep-alive ``http.client`` connections. Each endpoint is
measured for at most ``--seconds`` seconds or ``--requests`` requests, after a warm-up (the first
request of a feed renders and caches it). The issue's bar: the feed reaches at least half the
trivial endpoint's rate.
"""

from __future__ import annotations

import argparse
import http.client
import io
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from pathlib import Path
from urllib.parse import urlsplit

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from data import DEMO_DIR  # noqa: E402

TOKEN = "benchmark-admin-token-" + "0" * 32


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def demo_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path in sorted(DEMO_DIR.glob("*.csv")):
            archive.write(path, path.name)
    return buffer.getvalue()


def start_server(folder: Path, port: int) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "FRONTLINE_DATABASE_URL": f"sqlite:///{folder / 'bench.db'}",
        "FRONTLINE_ADMIN_TOKEN": TOKEN,
    }
    command = [
        sys.executable, "-m", "uvicorn", "api.service.app:create_app", "--factory", "--host", "127.0.0.1",
        "--port", str(port), "--no-access-log", "--log-level", "warning",
    ]  # fmt: skip
    return subprocess.Popen(command, env=env, cwd=Path(__file__).resolve().parents[1])


def prepare(base: str, time_limit: float) -> tuple[str, str]:
    """Upload, solve, publish the demo; return (feed path, its ETag)."""
    with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {TOKEN}"}, timeout=60) as api:
        r = api.post("/api/terms", files={"file": ("demo.zip", demo_zip(), "application/zip")})
        r.raise_for_status()
        term_id = r.json()["term_id"]
        job_id = api.post(f"/api/terms/{term_id}/solve", json={"time_limit_s": time_limit}).json()["job_id"]
        while (job := api.get(f"/api/jobs/{job_id}").json())["status"] in ("queued", "running"):
            time.sleep(0.5)
        if job["status"] != "done":
            raise SystemExit(f"the solve failed: {job}")
        api.post(f"/api/plans/{job['plan_id']}/publish").raise_for_status()
        leader = api.get(f"/api/plans/{job['plan_id']}").json()["events"][0]["leader_id"]
        url = api.post(f"/api/leaders/{leader}/feed/rotate").json()["url"]
        feed = api.get(url)
        feed.raise_for_status()
        print(f"feed of {leader}: {len(feed.content)} bytes, {feed.text.count('BEGIN:VEVENT')} events")
        return urlsplit(url).path, feed.headers["etag"]


def measure(port: int, path: str, headers: dict[str, str], expect: int, threads: int, seconds: float, limit: int) -> float:
    count = [0] * threads
    stop = time.monotonic() + seconds
    errors: list[str] = []

    def work(i: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        try:
            while time.monotonic() < stop and sum(count) < limit:
                conn.request("GET", path, headers=headers)
                response = conn.getresponse()
                response.read()
                if response.status != expect:
                    errors.append(f"{path}: {response.status}")
                    return
                count[i] += 1
        finally:
            conn.close()

    for _ in range(50):  # warm-up (and the feed's first rendering)
        work_conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        work_conn.request("GET", path, headers=headers)
        work_conn.getresponse().read()
        work_conn.close()
    started = time.monotonic()
    pool = [threading.Thread(target=work, args=(i,)) for i in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    elapsed = time.monotonic() - started
    if errors:
        raise SystemExit(f"unexpected status: {errors[0]}")
    return sum(count) / elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5.0, help="per endpoint (default 5)")
    parser.add_argument("--requests", type=int, default=50_000, help="per endpoint, at most")
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--time-limit", type=float, default=30.0, help="solve time limit for the demo")
    args = parser.parse_args()
    port = free_port()
    with tempfile.TemporaryDirectory() as tmp:
        server = start_server(Path(tmp), port)
        try:
            base = f"http://127.0.0.1:{port}"
            deadline = time.monotonic() + 30
            while True:
                try:
                    if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                if time.monotonic() > deadline or server.poll() is not None:
                    raise SystemExit("the server did not start")
                time.sleep(0.1)
            path, etag = prepare(base, args.time_limit)
            cases = [
                ("trivial GET /healthz (200)", "/healthz", {}, 200),
                ("leader feed (200)", path, {}, 200),
                ("leader feed, If-None-Match (304)", path, {"If-None-Match": etag}, 304),
            ]
            rates = {}
            for name, url, headers, expect in cases:
                rates[name] = measure(port, url, headers, expect, args.threads, args.seconds, args.requests)
        finally:
            server.terminate()
            server.wait(timeout=10)
    trivial = rates[cases[0][0]]
    print(f"\n{'endpoint':<36} {'requests/s':>11} {'vs trivial':>11}")
    for name, rate in rates.items():
        print(f"{name:<36} {rate:>11.0f} {rate / trivial:>10.0%}")
    print(f"\n({os.cpu_count()} cores, {args.threads} client threads, one uvicorn worker, {args.seconds:g} s each)")


if __name__ == "__main__":
    main()
