"""Plan files: write a :class:`Plan` as the plan contract's CSV/JSON files, and read them back.

``OUT/assignments.csv``, ``OUT/events.csv``, ``OUT/report.csv`` and ``OUT/summary.json`` as the data
contract defines them (UTF-8, no BOM, so that every tool reads the header as written). The
calendars are written by ``calendars.feeds.write_feeds``; ``OUT/state.json`` keeps what a re-plan
needs beyond the contract (each event's last real change).
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from collections.abc import Iterable
from pathlib import Path

from data.cells import csv_untext, write_csv
from solver.problem import Problem
from solver.replan import Change
from solver.result import Assignment, Event, Plan, ReportRow, SolveStats

ASSIGNMENT_COLUMNS = ("leader_id", "leader_name", "unit_id", "unit_kind", "unit_name")
EVENT_COLUMNS = (
    "uid", "leader_id", "week", "date", "start", "end", "visit_kind", "target_id", "title",
    "campus", "location", "face_to_face", "sequence", "status",
)
REPORT_COLUMNS = ("leader_id", "requirement", "required", "achieved", "met", "detail")
CHANGE_COLUMNS = ("uid", "leader_id", "change", "old_start", "new_start", "reason")


class PlanFileError(ValueError):
    """A plan folder that cannot be read; the message names the file, row and column."""


def write_plan(plan: Plan, problem: Problem, out: str | Path) -> Path:
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    _write_csv(out / "assignments.csv", ASSIGNMENT_COLUMNS, _assignment_rows(plan, problem))
    _write_csv(out / "events.csv", EVENT_COLUMNS, [event_row(e) for e in plan.events])
    _write_csv(out / "report.csv", REPORT_COLUMNS, [_report_row(r) for r in plan.report])
    (out / "summary.json").write_text(
        json.dumps(summary(plan, problem), ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
    state = {"term_id": plan.term_id, "modified": _modified(plan), "covers": _covers(plan)}
    (out / "state.json").write_text(json.dumps(state, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    return out


def write_changes(changes: Iterable[Change], out: str | Path) -> Path:
    """``OUT2/changes.csv``: every published event kept, moved or cancelled, and every added one."""
    path = Path(out) / "changes.csv"
    rows: list[dict[str, object]] = [
        {
            "uid": c.uid,
            "leader_id": c.leader_id,
            "change": c.change,
            "old_start": c.old_start.isoformat() if c.old_start else "",
            "new_start": c.new_start.isoformat() if c.new_start else "",
            "reason": c.reason,
        }
        for c in changes
    ]
    _write_csv(path, CHANGE_COLUMNS, rows)
    return path


def summary(plan: Plan, problem: Problem) -> dict[str, object]:
    s = plan.stats
    unmet = plan.unmet
    return {
        "term_id": plan.term_id,
        "status": s.status,
        "objective": s.objective,
        "bound": s.bound,
        "gap": round(s.gap, 6),
        "solve_seconds": s.solve_seconds,
        "first_solution_seconds": s.first_solution_seconds,
        "leaders": len(problem.leaders),
        "units": len(problem.units),
        "events": sum(1 for e in plan.events if e.status == "planned"),
        "cancelled": sum(1 for e in plan.events if e.status == "cancelled"),
        "unmet": len(unmet),
        "unmet_requirements": [
            {"leader_id": r.leader_id, "requirement": r.requirement, "detail": r.detail} for r in unmet
        ],
        "objective_breakdown": dict(s.breakdown),
        "variables": s.variables,
        "constraints": s.constraints,
        "warnings": list(plan.warnings),
    }


def event_row(e: Event) -> dict[str, object]:
    return {
        "uid": e.uid,
        "leader_id": e.leader_id,
        "week": e.week,
        "date": e.start.date().isoformat(),
        "start": e.start.isoformat(),
        "end": e.end.isoformat(),
        "visit_kind": e.visit_kind,
        "target_id": e.target_id,
        "title": e.title,
        "campus": e.campus,
        "location": e.location,
        "face_to_face": "true" if e.face_to_face else "false",
        "sequence": e.sequence,
        "status": e.status,
    }


def _assignment_rows(plan: Plan, problem: Problem) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    for a in plan.assignments:
        leader = problem.leader(a.leader_id)
        unit = problem.unit(a.unit_id)
        rows.append(
            {
                "leader_id": a.leader_id,
                "leader_name": leader.name,
                "unit_id": a.unit_id,
                "unit_kind": unit.kind,
                "unit_name": unit.name,
            }
        )
    return rows


def _report_row(r: ReportRow) -> dict[str, object]:
    return {
        "leader_id": r.leader_id,
        "requirement": r.requirement,
        "required": r.required,
        "achieved": r.achieved,
        "met": "true" if r.met else "false",
        "detail": r.detail,
    }


def _covers(plan: Plan) -> dict[str, list[str]]:
    """The units (or venue) each frontline block stands for."""
    return {e.uid: list(e.covers) for e in plan.events if e.covers}


def _modified(plan: Plan) -> dict[str, str]:
    return {e.uid: e.modified.isoformat() for e in plan.events if e.modified is not None}


def _write_csv(path: Path, columns: tuple[str, ...], rows: list[dict[str, object]]) -> None:
    write_csv(path, columns, rows)


# reading a plan folder back ---------------------------------------------------------------------
def read_plan(folder: str | Path) -> Plan:
    """Read a plan folder (possibly edited by hand) back into a :class:`Plan`."""
    folder = Path(folder)
    events = tuple(_read_events(folder / "events.csv", _read_modified(folder), _read_covers(folder)))
    assignments = tuple(
        Assignment(row["leader_id"], row["unit_id"])
        for _, row in _read_csv(folder / "assignments.csv", ("leader_id", "unit_id"))
    )
    report = tuple(
        ReportRow(
            row["leader_id"], row["requirement"], row["required"], row["achieved"],
            _bool(row["met"], "report.csv", n, "met"), row.get("detail", ""),
        )
        for n, row in _read_csv(folder / "report.csv", REPORT_COLUMNS, required=False)
    )
    meta = _read_summary(folder / "summary.json")
    term_id = str(meta.get("term_id", ""))
    timezone = events[0].start.tzname() if events else "Asia/Shanghai"
    stats = SolveStats(
        status=str(meta.get("status", "UNKNOWN")),
        objective=float(meta.get("objective", 0) or 0),  # type: ignore[arg-type]
        bound=float(meta.get("bound", 0) or 0),  # type: ignore[arg-type]
        solve_seconds=float(meta.get("solve_seconds", 0) or 0),  # type: ignore[arg-type]
    )
    return Plan(term_id, str(timezone), assignments, events, report, stats)


def _read_summary(path: Path) -> dict[str, object]:
    if not path.exists():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise PlanFileError(f"{path}: 不是有效的 JSON / not valid JSON: {exc}") from exc
    return data if isinstance(data, dict) else {}


def _read_modified(folder: Path) -> dict[str, dt.datetime]:
    path = folder / "state.json"
    if not path.exists():
        return {}
    try:
        raw = json.loads(path.read_text(encoding="utf-8")).get("modified", {})
        return {uid: dt.datetime.fromisoformat(v) for uid, v in raw.items()}
    except (ValueError, AttributeError):
        return {}


def _read_covers(folder: Path) -> dict[str, tuple[str, ...]]:
    path = folder / "state.json"
    if not path.exists():
        return {}
    try:
        raw = json.loads(path.read_text(encoding="utf-8")).get("covers", {})
        return {str(uid): tuple(str(x) for x in ids) for uid, ids in raw.items() if isinstance(ids, list)}
    except (ValueError, AttributeError):
        return {}


def _read_csv(
    path: Path, columns: tuple[str, ...], required: bool = True
) -> list[tuple[int, dict[str, str]]]:  # (spreadsheet row, cells)
    if not path.exists():
        if required:
            raise PlanFileError(f"{path}: 文件不存在 / file is missing")
        return []
    with path.open(encoding="utf-8-sig", newline="") as f:
        reader = csv.DictReader(f)
        missing = [c for c in columns if c not in (reader.fieldnames or [])]
        if missing:
            raise PlanFileError(f"{path}:1: 缺少列 / missing columns: {', '.join(missing)}")
        return [
            (n, {str(k): csv_untext((v or "").strip()) for k, v in row.items() if k}) for n, row in enumerate(reader, 2)
        ]


def _read_events(
    path: Path, modified: dict[str, dt.datetime], covers: dict[str, tuple[str, ...]] | None = None
) -> list[Event]:
    covers = covers or {}
    events = []
    for n, row in _read_csv(path, EVENT_COLUMNS):
        try:
            start = dt.datetime.fromisoformat(row["start"])
            end = dt.datetime.fromisoformat(row["end"])
        except ValueError as exc:
            raise PlanFileError(f"{path}:{n}:start/end: 时间格式错误 / bad ISO 8601 time: {exc}") from exc
        if start.tzinfo is None or end.tzinfo is None:
            raise PlanFileError(f"{path}:{n}:start: 时间缺少时区偏移 / time lacks a UTC offset")
        try:
            week, sequence = int(row["week"]), int(row["sequence"] or 0)
        except ValueError as exc:
            raise PlanFileError(f"{path}:{n}:week/sequence: 不是整数 / not an integer") from exc
        status = row["status"] or "planned"
        if status not in ("planned", "cancelled"):
            raise PlanFileError(f"{path}:{n}:status: 只能是 planned 或 cancelled / must be planned or cancelled")
        events.append(
            Event(
                uid=row["uid"], leader_id=row["leader_id"], week=week, start=start, end=end,
                visit_kind=row["visit_kind"], target_id=row["target_id"], title=row["title"],
                campus=row["campus"], location=row["location"],
                face_to_face=_bool(row["face_to_face"], path.name, n, "face_to_face"),
                sequence=sequence, status=status, modified=modified.get(row["uid"]),
                covers=covers.get(row["uid"], ()),
            )
        )
    return events


def _bool(value: str, file: str, row: int, column: str) -> bool:
    v = value.strip().lower()
    if v in ("true", "1", "yes", "是"):
        return True
    if v in ("false", "0", "no", "否", ""):
        return False
    raise PlanFileError(f"{file}:{row}:{column}: 应为 true/false / expected true or false, got {value!r}")
