"""Helpers for the evidence tests: moments in the term's zone, records, a tiny plan."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from solver.evidence.records import Confirmation, FeedbackItem, VisitRecord
from solver.result import Event, Plan, SolveStats

ZONE = ZoneInfo("Asia/Shanghai")


def at(text: str) -> dt.datetime:
    """``YYYY-MM-DD HH:MM`` in the term's zone."""
    return dt.datetime.fromisoformat(text).replace(tzinfo=ZONE)


def visit(record_id: str = "R1", start: str | None = "2026-09-08 19:00", end: str | None = "2026-09-08 20:00", **kw: Any) -> VisitRecord:
    fields: dict[str, Any] = dict(
        uid=None, leader_id="L1", status="held", start=at(start) if start else None,
        end=at(end) if end else None, visit_kind="dorm", target_id="D1", attendees=20, reason="",
        recorded_at=(at(end) + dt.timedelta(hours=1)) if end else at("2026-09-08 12:00"), note="",
    )
    fields.update(kw)
    return VisitRecord(record_id, **fields)


def confirmation(record_id: str = "R1", source: str = "unit", result: str = "confirmed", by: str = "D1", when: str = "2026-09-08 21:00") -> Confirmation:
    return Confirmation(record_id, source, result, by, at(when))


def item(item_id: str = "F1", raised: str = "2026-09-08 20:00", **kw: Any) -> FeedbackItem:
    fields: dict[str, Any] = dict(record_id=None, unit_id=None, category="life", text="热水", owner="L1")
    fields.update(kw)
    for key in ("responded_at", "resolved_at"):
        if isinstance(fields.get(key), str):
            fields[key] = at(fields[key])
    return FeedbackItem(item_id, at(raised), **fields)


def event(uid: str, start: str, end: str, kind: str = "dorm", target: str = "D1", leader: str = "L1", week: int | None = None, campus: str = "A") -> Event:
    s = at(start)
    return Event(
        uid, leader, week or ((s.date() - dt.date(2026, 9, 7)).days // 7 + 1), s, at(end), kind, target, kind,
        campus if kind != "online" else "", "", kind != "online",
    )


def plan_of(*events: Event, links: tuple[tuple[str, str], ...] = ()) -> Plan:
    from solver.result import Assignment

    return Plan("T", "Asia/Shanghai", tuple(Assignment(a, b) for a, b in links), tuple(events), (), SolveStats("BASELINE", 0, 0, 0))
