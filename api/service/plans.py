"""Plans as stored rows (JSON columns) and back into :class:`solver.result.Plan`; CSV/XLSX exports."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict
from typing import Any
from zoneinfo import ZoneInfo

from data.cells import csv_bytes
from data.compliance import compliance_workbook
from data.plan_io import EVENT_COLUMNS, REPORT_COLUMNS, event_row, summary
from solver.problem import Problem
from solver.result import Assignment, Event, Plan, ReportRow, SolveStats


def event_record(e: Event) -> dict[str, Any]:
    row = event_row(e)
    row["face_to_face"] = e.face_to_face
    row["modified"] = e.modified.isoformat() if e.modified else None
    row["description"] = e.description
    row["covers"] = list(e.covers)
    return row


def report_record(r: ReportRow) -> dict[str, Any]:
    return {
        "leader_id": r.leader_id, "requirement": r.requirement, "required": r.required,
        "achieved": r.achieved, "met": r.met, "detail": r.detail,
    }  # fmt: skip


def assignment_record(a: Assignment, problem: Problem) -> dict[str, Any]:
    leader, unit = problem.leader(a.leader_id), problem.unit(a.unit_id)
    return {
        "leader_id": a.leader_id, "leader_name": leader.name, "unit_id": a.unit_id,
        "unit_kind": unit.kind, "unit_name": unit.name,
    }  # fmt: skip


def plan_columns(plan: Plan, problem: Problem) -> dict[str, Any]:
    """The column values of a ``plans`` row holding ``plan``."""
    return {
        "timezone": plan.timezone,
        "summary": summary(plan, problem),
        "stats": asdict(plan.stats),
        "assignments": [assignment_record(a, problem) for a in plan.assignments],
        "events": [event_record(e) for e in plan.events],
        "report": [report_record(r) for r in plan.report],
        "warnings": list(plan.warnings),
    }


def change_record(change: Any) -> dict[str, Any]:
    """One row of a re-plan's changes (``solver.replan.Change``) as JSON."""

    def iso(moment: dt.datetime | None) -> str | None:
        return moment.isoformat() if moment else None

    return {
        "uid": change.uid, "leader_id": change.leader_id, "change": change.change,
        "old_start": iso(change.old_start), "new_start": iso(change.new_start),
        "reason": getattr(change, "reason", "") or "",
    }  # fmt: skip


def plan_from_columns(
    term_id: str, timezone: str, stats: dict[str, Any], assignments: list[dict[str, Any]],
    events: list[dict[str, Any]], report: list[dict[str, Any]], warnings: list[str],
) -> Plan:
    """The :class:`Plan` stored in a ``plans`` row (the inverse of :func:`plan_columns`)."""
    zone = ZoneInfo(timezone)

    def moment(text: str) -> dt.datetime:
        return dt.datetime.fromisoformat(text).astimezone(zone)

    return Plan(
        term_id=term_id,
        timezone=timezone,
        assignments=tuple(Assignment(a["leader_id"], a["unit_id"]) for a in assignments),
        events=tuple(
            Event(
                uid=e["uid"], leader_id=e["leader_id"], week=int(e["week"]), start=moment(e["start"]),
                end=moment(e["end"]), visit_kind=e["visit_kind"], target_id=e["target_id"],
                title=e["title"], campus=e["campus"], location=e["location"],
                face_to_face=bool(e["face_to_face"]), sequence=int(e["sequence"]), status=e["status"],
                modified=dt.datetime.fromisoformat(e["modified"]) if e.get("modified") else None,
                description=e.get("description") or "",
                covers=tuple(e.get("covers") or ()),
            )
            for e in events
        ),
        report=tuple(
            ReportRow(r["leader_id"], r["requirement"], r["required"], r["achieved"], bool(r["met"]), r["detail"])
            for r in report
        ),
        stats=SolveStats(**{k: _tuples(v) for k, v in stats.items() if k in SolveStats.__dataclass_fields__}),
        warnings=tuple(warnings),
    )  # fmt: skip


def _tuples(value: Any) -> Any:
    """JSON arrays back into the tuples the result types hold."""
    return tuple(_tuples(v) for v in value) if isinstance(value, list) else value


# exports -----------------------------------------------------------------------------------------
def _csv(columns: tuple[str, ...], rows: list[dict[str, Any]]) -> bytes:
    return csv_bytes(columns, rows)


def events_csv(events: list[dict[str, Any]]) -> bytes:
    """events.csv exactly as the plan contract (and ``frontline solve``) writes it."""
    return _csv(EVENT_COLUMNS, [{**e, "face_to_face": "true" if e["face_to_face"] else "false"} for e in events])


def report_csv(report: list[dict[str, Any]]) -> bytes:
    return _csv(REPORT_COLUMNS, [{**r, "met": "true" if r["met"] else "false"} for r in report])


def report_xlsx(report: list[dict[str, Any]], lang: str = "zh") -> bytes:
    """The compliance workbook: a summary per leader and every report row."""
    return compliance_workbook(report, lang)
