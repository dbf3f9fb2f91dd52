"""A real calendar client subscribes to a leader feed and follows a re-plan.

vdirsyncer syncs the feed, served over HTTP on 127.0.0.1, into a filesystem calendar (one file per
event, as a desktop client keeps it). Then the plan changes (one visit moved, one cancelled, one
added), and the next sync must leave exactly the new plan on disk while leaving untouched events
alone.

Note: vdirsyncer's ``http`` storage deliberately replaces every UID by a hash of the event's
content (``HttpStorage._ignore_uids``; webcal feeds are often careless with UIDs), ignoring
DTSTAMP, LAST-MODIFIED and UID in that hash. So this client sees a moved event as one removed and
one added, and it can only stay quiet between syncs because our feeds are byte-stable. Clients
that honour UIDs (Apple, Google, Outlook, Thunderbird) update such an event in place.
"""

from __future__ import annotations

import datetime as dt
import http.server
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from test_calendars import SHANGHAI, make_events, make_plan, make_problem  # tests/ is on sys.path

from calendars.feeds import leader_feed, read_feed
from solver.result import Event

pytest.importorskip("vdirsyncer", reason="vdirsyncer is not installed (pip install vdirsyncer)")


class Feed:
    """The bytes the test server currently publishes."""

    data = b""


@pytest.fixture
def served() -> Iterator[tuple[str, type[Feed]]]:
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
            self.send_response(200)
            self.send_header("Content-Type", "text/calendar; charset=utf-8")
            self.send_header("Content-Length", str(len(Feed.data)))
            self.end_headers()
            self.wfile.write(Feed.data)

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/L1.ics", Feed
    finally:
        server.shutdown()
        server.server_close()


def configure(tmp_path: Path, url: str) -> Path:
    config = tmp_path / "config"
    config.write_text(
        f"""[general]
status_path = "{tmp_path / "status"}/"

[pair leader]
a = "leader_feed"
b = "leader_local"
collections = null
conflict_resolution = "a wins"

[storage leader_feed]
type = "http"
url = "{url}"

[storage leader_local]
type = "filesystem"
path = "{tmp_path / "store"}/"
fileext = ".ics"
""",
        encoding="utf-8",
    )
    (tmp_path / "store").mkdir()
    return config


def vdirsyncer(config: Path, command: str) -> str:
    env = {**os.environ, "VDIRSYNCER_CONFIG": str(config), "NO_PROXY": "127.0.0.1"}
    done = subprocess.run(
        [sys.executable, "-m", "vdirsyncer", command],
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout + done.stderr


def stored(tmp_path: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted((tmp_path / "store").glob("*.ics"))}


def contents(files: dict[str, bytes]) -> set[tuple[dt.datetime, dt.datetime, str, int]]:
    """What the client holds, without UIDs (vdirsyncer's http storage rewrites them)."""
    events = [e for data in files.values() for e in read_feed(data)]
    return {(e.start, e.end, e.status, e.sequence) for e in events}


def expected(events: tuple[Event, ...]) -> set[tuple[dt.datetime, dt.datetime, str, int]]:
    return {(e.start, e.end, e.status, e.sequence) for e in events if e.leader_id == "L1"}


def replanned() -> tuple[Event, ...]:
    changed = dt.datetime(2026, 9, 7, 9, 0, tzinfo=dt.UTC)
    by_uid = {e.uid: e for e in make_events()}
    moved = by_uid["ev-class-1"]
    by_uid["ev-class-1"] = replace(
        moved,
        start=moved.start + dt.timedelta(hours=2),
        end=moved.end + dt.timedelta(hours=2),
        sequence=moved.sequence + 1,
        modified=changed,
    )
    by_uid["ev-dorm-1"] = replace(
        by_uid["ev-dorm-1"], status="cancelled", sequence=1, modified=changed
    )
    by_uid["ev-dorm-3"] = Event(
        "ev-dorm-3",
        "L1",
        3,
        dt.datetime(2026, 9, 23, 19, 30, tzinfo=SHANGHAI),
        dt.datetime(2026, 9, 23, 20, 30, tzinfo=SHANGHAI),
        "dorm",
        "U2",
        "进宿舍",
        "c1",
        "学生公寓3号楼",
        True,
        modified=changed,
    )
    return tuple(by_uid.values())


def test_vdirsyncer_follows_a_replanned_leader_feed(tmp_path, served):
    url, feed = served
    config = configure(tmp_path, url)
    problem, before, after = make_problem(), make_plan(), make_plan(replanned())

    feed.data = leader_feed(before, problem, "L1")
    vdirsyncer(config, "discover")
    vdirsyncer(config, "sync")
    first = stored(tmp_path)
    assert contents(first) == expected(before.events)
    assert len(first) == 4

    feed.data = leader_feed(after, problem, "L1")
    vdirsyncer(config, "sync")
    second = stored(tmp_path)
    assert contents(second) == expected(after.events)
    assert len(second) == 5
    old_start = dt.datetime(2026, 9, 8, 14, 0, tzinfo=SHANGHAI)
    assert old_start not in {start for start, *_ in contents(second)}  # moved, not duplicated
    assert (
        dt.datetime(2026, 9, 8, 16, 0, tzinfo=SHANGHAI),
        dt.datetime(2026, 9, 8, 16, 45, tzinfo=SHANGHAI),
        "planned",
        1,
    ) in contents(second)
    untouched = set(first) & set(second)  # the cancelled canteen visit and the guest lecture
    assert len(untouched) == 2
    assert all(first[name] == second[name] for name in untouched)

    output = vdirsyncer(config, "sync")  # the same feed again: nothing to do
    assert stored(tmp_path) == second
    assert "Copying" not in output and "Deleting" not in output
