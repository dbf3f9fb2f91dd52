"""The real server (uvicorn on 127.0.0.1, a free port): the office's whole walk over HTTP.

upload -> solve -> publish -> subscribe to a leader's feed -> submit a change (a meeting on the
day of one of the leader's visits) -> re-plan -> publish -> the same feed URL shows the move.
"""

from __future__ import annotations

import importlib.util
import logging
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import uvicorn
from service_support import TERM_ID, bearer, settings, term_tables, wait_job, zip_bytes

from api.service import create_app
from calendars.feeds import read_feed

pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("solver.replan") is None, reason="solver/replan.py (the lead's re-plan) is not there yet"
)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[str, Collect]]:
    port = free_port()
    config = uvicorn.Config(create_app(settings(tmp_path)), host="127.0.0.1", port=port, log_level="info", access_log=True)
    srv = uvicorn.Server(config)
    thread = threading.Thread(target=srv.run, daemon=True)
    collect = Collect()
    thread.start()
    deadline = time.monotonic() + 20
    while not srv.started:
        assert time.monotonic() < deadline and thread.is_alive(), "uvicorn did not start"
        time.sleep(0.02)
    access = logging.getLogger("uvicorn.access")
    access.addHandler(collect)
    try:
        yield f"http://127.0.0.1:{port}", collect
    finally:
        access.removeHandler(collect)
        srv.should_exit = True
        thread.join(timeout=20)


def test_walk_upload_solve_publish_feed_change_replan_publish_feed(server: tuple[str, Collect]) -> None:
    base, log = server
    with httpx.Client(base_url=base, headers=bearer(), timeout=30) as api:
        r = api.post("/api/terms", files={"file": ("term.zip", zip_bytes(term_tables()), "application/zip")})
        assert r.status_code == 201, r.text
        r = api.post(f"/api/terms/{TERM_ID}/solve", json={"time_limit_s": 3})
        assert r.status_code == 202
        job = wait_job(api.get, r.json()["job_id"])
        assert job["status"] == "done", job
        first = job["plan_id"]
        assert api.post(f"/api/plans/{first}/publish").json()["state"] == "published"

        feed = api.get("/api/leaders/L001/feed").json()
        assert feed["url"].startswith(base + "/feeds/") and feed["webcal_url"].startswith("webcal://127.0.0.1:")
        with httpx.Client(timeout=30) as calendar:  # a calendar app: no API token
            before = calendar.get(feed["url"])
            assert before.status_code == 200 and before.headers["content-type"] == "text/calendar; charset=utf-8"
            etag = before.headers["etag"]
            assert calendar.get(feed["url"], headers={"If-None-Match": etag}).status_code == 304
            old = {e.uid: e for e in read_feed(before.content)}
            events = api.get(f"/api/plans/{first}").json()["events"]
            target = next(e for e in events if e["leader_id"] == "L001" and e["week"] == 2 and e["status"] == "planned")
            assert target["uid"] in old

            change = {
                "absences": [{"owner_id": "L001", "start": target["date"], "end": target["date"], "kind": "meeting", "note": "临时会议"}],
                "now": "2027-02-01T00:00:00+08:00",
            }
            r = api.post(f"/api/terms/{TERM_ID}/changes", json=change)
            assert r.status_code == 202, r.text
            job = wait_job(api.get, r.json()["job_id"])
            assert job["status"] == "done", job
            draft = job["plan_id"]
            diff = {c["uid"]: c for c in api.get(f"/api/plans/{draft}/changes").json()["changes"]}
            assert diff[target["uid"]]["change"] in ("moved", "cancelled")
            # still the old plan until the draft is published
            assert calendar.get(feed["url"], headers={"If-None-Match": etag}).status_code == 304
            assert api.post(f"/api/plans/{draft}/publish").json()["state"] == "published"

            after = calendar.get(feed["url"], headers={"If-None-Match": etag})
            assert after.status_code == 200 and after.headers["etag"] != etag
            new = {e.uid: e for e in read_feed(after.content)}
            moved = new[target["uid"]]
            assert moved.sequence == old[target["uid"]].sequence + 1
            if diff[target["uid"]]["change"] == "moved":
                assert moved.start != old[target["uid"]].start and moved.status == "planned"
                assert moved.start.date().isoformat() != target["date"]
            else:
                assert moved.status == "cancelled"
    token = feed["url"].rsplit("/", 1)[1].removesuffix(".ics")
    feed_lines = [line for line in log.lines if "/feeds/" in line]
    assert feed_lines, log.lines
    assert all(token not in line and "/feeds/<redacted>" in line for line in feed_lines)
