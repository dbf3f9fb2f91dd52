"""Helpers of the evidence service tests (tests/test_service_evidence*.py): a published term, personal links, a clock to move."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi.testclient import TestClient
from service_support import TERM_ID, bearer, wait_job, zip_bytes

UNITS = ("C001", "D001", "S001")


def publish(client: TestClient, tables: Any, limit: float = 3) -> str:
    r = client.post("/api/terms", files={"file": ("term.zip", zip_bytes(tables), "application/zip")}, headers=bearer())
    assert r.status_code == 201, r.text
    r = client.post(f"/api/terms/{TERM_ID}/solve", json={"time_limit_s": limit}, headers=bearer())
    job = wait_job(client.get, r.json()["job_id"])
    assert job["status"] == "done", job
    assert client.post(f"/api/plans/{job['plan_id']}/publish", headers=bearer()).status_code == 200
    return str(job["plan_id"])


def link(client: TestClient, role: str, subject_id: str) -> str:
    r = client.post(f"/api/{role}s/{subject_id}/link", headers=bearer())
    assert r.status_code == 200, r.text
    return str(r.json()["token"])


def set_clock(client: TestClient, moment: dt.datetime) -> None:
    client.app.state.service.clock = lambda: moment  # type: ignore[attr-defined]


def events(client: TestClient, plan_id: str) -> list[dict[str, Any]]:
    return list(client.get(f"/api/plans/{plan_id}", headers=bearer()).json()["events"])


def unit_visits(client: TestClient, plan_id: str, leader_id: str = "L001") -> list[dict[str, Any]]:
    """The leader's planned visits to a unit (class, dorm or society), in time order."""
    found = [e for e in events(client, plan_id) if e["leader_id"] == leader_id and e["target_id"] in UNITS and e["status"] == "planned"]
    return sorted(found, key=lambda e: e["start"])


def unit_visit(client: TestClient, plan_id: str, index: int = 0, leader_id: str = "L001") -> dict[str, Any]:
    return unit_visits(client, plan_id, leader_id)[index]


def linked_unit_visit(client: TestClient, plan_id: str, leader_id: str = "L001") -> dict[str, Any]:
    """The leader's first planned visit to the unit the plan links them to."""
    plan = client.get(f"/api/plans/{plan_id}", headers=bearer()).json()
    [unit] = [a["unit_id"] for a in plan["assignments"] if a["leader_id"] == leader_id]
    return next(e for e in unit_visits(client, plan_id, leader_id) if e["target_id"] == unit)


def at(event: dict[str, Any], minutes: int = 0, field: str = "start") -> dt.datetime:
    return dt.datetime.fromisoformat(event[field]) + dt.timedelta(minutes=minutes)


def held(event: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"status": "held", "start": event["start"], "end": event["end"], "attendees": 30, **extra}
