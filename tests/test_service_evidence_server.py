"""The real server (uvicorn on 127.0.0.1): the evidence walk over HTTP.

publish -> the leader records the visit -> students check in -> the unit confirms -> an item is
raised, answered and rated -> the compliance report shows all of it; no token or check-in code
reaches the access log.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from evidence_service_support import UNITS
from service_support import TERM_ID, bearer, settings, term_tables, wait_job, zip_bytes
from test_service_server import Collect, free_port

from api.service import create_app


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[str, Any, Collect]]:
    import logging
    import threading
    import time

    app = create_app(settings(tmp_path))
    port = free_port()
    srv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="info", access_log=True))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not srv.started:
        assert time.monotonic() < deadline and thread.is_alive(), "uvicorn did not start"
        time.sleep(0.02)
    collect = Collect()
    logging.getLogger("uvicorn.access").addHandler(collect)
    try:
        yield f"http://127.0.0.1:{port}", app, collect
    finally:
        logging.getLogger("uvicorn.access").removeHandler(collect)
        srv.should_exit = True
        thread.join(timeout=20)


def test_walk_publish_record_checkin_confirm_raise_answer_rate_report(server: tuple[str, Any, Collect]) -> None:
    base, app, log = server

    def clock(moment: dt.datetime) -> None:
        app.state.service.clock = lambda: moment

    with httpx.Client(base_url=base, headers=bearer(), timeout=30) as office:
        assert office.post("/api/terms", files={"file": ("term.zip", zip_bytes(term_tables()), "application/zip")}).status_code == 201
        job = wait_job(office.get, office.post(f"/api/terms/{TERM_ID}/solve", json={"time_limit_s": 3}).json()["job_id"])
        assert job["status"] == "done", job
        assert office.post(f"/api/plans/{job['plan_id']}/publish").status_code == 200
        leader = office.post("/api/leaders/L001/link").json()
        events = office.get(f"/api/plans/{job['plan_id']}").json()["events"]
        visit = min((e for e in events if e["leader_id"] == "L001" and e["target_id"] in UNITS), key=lambda e: e["start"])
        unit = office.post(f"/api/units/{visit['target_id']}/link").json()
        start, end = dt.datetime.fromisoformat(visit["start"]), dt.datetime.fromisoformat(visit["end"])

        with httpx.Client(base_url=base, headers=bearer(leader["token"]), timeout=30) as me:
            assert me.get("/api/me").json()["subject_id"] == "L001"
            clock(start + dt.timedelta(minutes=10))
            code = me.post(f"/api/visits/{visit['uid']}/checkin-code").json()
            with httpx.Client(timeout=30) as students:  # phones: no token
                answers = [students.post(code["url"], json={"student_no": f"2023{n:04d}"}).status_code for n in (1, 2, 3, 3)]
            assert answers == [201, 201, 201, 200]
            clock(end + dt.timedelta(hours=2))
            raised = [{"category": "life", "text": "宿舍热水供应不稳定"}]
            saved = me.put(f"/api/visits/{visit['uid']}/record", json={
                "status": "held", "start": visit["start"], "end": visit["end"], "attendees": 28, "raised": raised,
            })  # fmt: skip
            assert saved.status_code == 200 and saved.json()["evidence"] == "confirmed", saved.text
            item_id = saved.json()["items"][0]["item_id"]

        with httpx.Client(base_url=base, headers=bearer(unit["token"]), timeout=30) as monitor:
            r = monitor.post(f"/api/visits/{visit['uid']}/confirmation", json={"result": "confirmed", "note": "班会课上见到"})
            assert r.status_code == 201 and r.json()["evidence"] == "confirmed"
            assert [i["item_id"] for i in monitor.get("/api/feedback").json()] == [item_id]

        with httpx.Client(base_url=base, headers=bearer(leader["token"]), timeout=30) as me:
            clock(end + dt.timedelta(days=1))
            r = me.patch(f"/api/feedback/{item_id}", json={"answer": "已联系后勤处更换热水器", "resolved": True})
            assert r.status_code == 200 and r.json()["state"] == "resolved"
        with httpx.Client(base_url=base, headers=bearer(unit["token"]), timeout=30) as monitor:
            assert monitor.post(f"/api/feedback/{item_id}/rating", json={"rating": "satisfied"}).json()["state"] == "resolved"

        report = office.get(f"/api/terms/{TERM_ID}/compliance").json()
        row = next(x for x in report["leaders"] if x["leader_id"] == "L001")
        assert row["held"] == 1 and row["confirmed"] == 1 and row["items_owned"] == 1
        assert row["satisfaction_rate"] == 1.0 and row["response_rate"] == 1.0
        ledger = {i["item_id"]: i for i in report["feedback"]}
        assert ledger[item_id]["state"] == "resolved" and ledger[item_id]["rating"] == "satisfied"
    secret_lines = [line for line in log.lines if "/checkin/" in line or "/me/" in line]
    assert secret_lines
    for secret in (code["code"], leader["token"], unit["token"]):
        assert all(secret not in line for line in log.lines)


def test_records_sent_at_the_same_moment_make_consecutive_versions_or_409_never_500(server: tuple[str, Any, Collect]) -> None:
    from concurrent.futures import ThreadPoolExecutor

    base, app, _ = server
    with httpx.Client(base_url=base, headers=bearer(), timeout=30) as office:
        assert office.post("/api/terms", files={"file": ("term.zip", zip_bytes(term_tables()), "application/zip")}).status_code == 201
        job = wait_job(office.get, office.post(f"/api/terms/{TERM_ID}/solve", json={"time_limit_s": 3}).json()["job_id"])
        assert office.post(f"/api/plans/{job['plan_id']}/publish").status_code == 200
        token = office.post("/api/leaders/L001/link").json()["token"]
        events = office.get(f"/api/plans/{job['plan_id']}").json()["events"]
    visit = min((e for e in events if e["leader_id"] == "L001"), key=lambda e: e["start"])
    app.state.service.clock = lambda: dt.datetime.fromisoformat(visit["end"]) + dt.timedelta(hours=1)

    def send(n: int) -> int:
        with httpx.Client(base_url=base, headers=bearer(token), timeout=60) as me:
            body = {"status": "held", "start": visit["start"], "end": visit["end"], "attendees": n}
            return me.put(f"/api/visits/{visit['uid']}/record", json=body).status_code

    with ThreadPoolExecutor(8) as pool:
        codes = list(pool.map(send, range(16)))
    assert set(codes) <= {200, 409} and 200 in codes, codes
    with httpx.Client(base_url=base, headers=bearer(token), timeout=30) as me:
        versions = [v["version"] for v in me.get(f"/api/visits/{visit['uid']}/record/history").json()["versions"]]
    assert versions == list(range(1, codes.count(200) + 1))
