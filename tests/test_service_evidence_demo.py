"""``frontline serve --demo``: the bundled plan and records are served, and judged as offline."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

from fastapi.testclient import TestClient
from service_support import bearer, settings

from api.service import create_app
from api.service.demo import publish_demo
from data import DEMO_DIR
from data.evidence_files import read_records
from data.plan_io import read_plan
from data.reader import read_problem
from solver.evidence.report import compliance


def test_serve_demo_serves_the_demo_records_and_judges_them_as_the_cli_does(tmp_path: Path) -> None:
    with TestClient(create_app(settings(tmp_path))) as c:
        said: list[str] = []
        publish_demo(c.app.state.service, "http://testserver", said.append)  # type: ignore[attr-defined]
        live = c.get("/api/terms/2026-2027-1/compliance", headers=bearer()).json()
        leader = re.search(r"LEADER_TOKEN=(\S+)", said[0])
        unit = re.search(r"UNIT_TOKEN=(\S+)", said[0])
        assert leader and unit
        assert c.get("/api/me", headers=bearer(leader[1])).json()["subject_id"] == "L01"
        mine = c.get("/api/me/visits?week=1", headers=bearer(leader[1])).json()["visits"]
        assert mine and all(v["record"] is not None for v in mine)
        assert c.get("/api/feedback", headers=bearer(unit[1])).status_code == 200
        publish_demo(c.app.state.service, "http://testserver", said.append)  # type: ignore[attr-defined]
        again = c.get("/api/terms/2026-2027-1/compliance", headers=bearer()).json()
    problem = read_problem(DEMO_DIR).problem
    plan = replace(read_plan(DEMO_DIR / "plan"), timezone=problem.term.timezone)
    offline = compliance(problem, plan, read_records(DEMO_DIR / "records", problem, plan).records)
    summary = {k: v for k, v in offline.summary().items()}
    assert live["summary"] == summary
    assert again["summary"] == summary  # a second start imports nothing twice
    assert set(live["summary"]["verdicts"].values()) and all(live["summary"]["verdicts"].values())
    assert live["leaders"] == offline.leader_rows()


def test_a_unit_confirming_an_imported_record_of_a_planned_visit_confirms_it(tmp_path: Path) -> None:
    """Imported planned visits leave kind and target to the plan; the live evidence resolves them."""
    import datetime as dt

    with TestClient(create_app(settings(tmp_path))) as c:
        state = c.app.state.service  # type: ignore[attr-defined]
        state.clock = lambda: dt.datetime(2026, 9, 8, 9, tzinfo=dt.timezone(dt.timedelta(hours=8)))
        said: list[str] = []
        publish_demo(state, "http://testserver", said.append)
        unit = re.search(r"UNIT_TOKEN=(\S+)", said[0])
        assert unit
        visit = "99999999-not-a-visit"
        assert c.post(f"/api/visits/{visit}/confirmation", json={"result": "confirmed"}, headers=bearer(unit[1])).status_code == 404
        r = c.post("/api/visits/c5fb1d30b88b78c3498b4ebe@frontline/confirmation", json={"result": "confirmed"}, headers=bearer(unit[1]))
        assert r.status_code == 201 and r.json()["record_id"] == "R00001" and r.json()["evidence"] == "confirmed"
