"""Helpers for the tests of term data folders (the demo and generated universities).

They read the CSV files with the csv module only, independently of ``data/reader.py`` and of the
generator, so that they check the files themselves.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from pathlib import Path

from solver.problem import Problem

# The columns of the data contract (/work/shared/spec/data-contract.md), in contract order.
CONTRACT: dict[str, tuple[str, ...]] = {
    "term": ("term_id", "name", "start_date", "weeks", "contact_weeks", "timezone", "day_start",
             "day_end", "buffer_minutes", "lunch", "dinner"),
    "periods": ("period", "start", "end", "campus", "weeks"),
    "holidays": ("date", "name", "kind", "follows_date", "follows_weekday"),
    "campuses": ("campus_id", "name"),
    "travel": ("from_campus", "to_campus", "minutes"),
    "leaders": ("leader_id", "name", "title", "tier", "campus", "college", "email",
                "contact_every_weeks", "link", "lecture", "seven_visits", "frontline_share"),
    "units": ("unit_id", "kind", "name", "campus", "location", "college", "size", "max_leaders"),
    "timetable": ("owner_id", "weekday", "periods", "start", "end", "weeks", "title", "campus",
                  "location"),
    "absences": ("owner_id", "start", "end", "kind", "note"),
    "windows": ("target", "weekday", "start", "end", "weeks"),
    "venues": ("venue_id", "kind", "name", "campus", "location", "capacity"),
    "activities": ("activity_id", "visit_kind", "format", "name", "date", "start", "end", "campus",
                   "location", "unit_id", "max_leaders"),
    "courses": ("section_id", "course", "kind", "weekday", "periods", "weeks", "campus", "location",
                "class_ids"),
    "history": ("leader_id", "unit_id"),
}  # fmt: skip
# Columns the contract requires; their cells must not be blank.
REQUIRED: dict[str, tuple[str, ...]] = {
    "term": ("term_id", "start_date", "weeks"),
    "periods": ("period", "start", "end"),
    "holidays": ("date", "kind"),
    "campuses": ("campus_id", "name"),
    "travel": ("from_campus", "to_campus", "minutes"),
    "leaders": ("leader_id", "name", "tier", "campus"),
    "units": ("unit_id", "kind", "name", "campus"),
    "timetable": ("owner_id", "weekday"),
    "absences": ("owner_id", "start", "end"),
    "windows": ("target", "weekday", "start", "end"),
    "venues": ("venue_id", "kind", "name"),
    "activities": ("activity_id", "visit_kind", "name", "date", "start", "end"),
    "courses": ("section_id", "course", "kind", "weekday", "periods", "campus"),
    "history": ("leader_id", "unit_id"),
}  # fmt: skip
REQUIRED_FILES = ("term", "periods", "campuses", "leaders", "units")

DAYTIME_PERIODS = range(1, 11)
WEEKDAYS = range(1, 6)
TEACHING_WEEKS = range(1, 17)

Rows = list[dict[str, str]]


def read_folder(folder: Path) -> dict[str, Rows]:
    """Every CSV file of a term folder, as rows of dicts keyed by header."""
    files = {}
    for path in sorted(folder.glob("*.csv")):
        with path.open(encoding="utf-8", newline="") as f:
            files[path.stem] = list(csv.DictReader(f))
    return files


def headers(folder: Path, stem: str) -> list[str]:
    with (folder / f"{stem}.csv").open(encoding="utf-8", newline="") as f:
        return next(csv.reader(f))


def weeks_of(spec: str, total: int) -> set[int]:
    """Weeks of a week spec as this project writes them (``1-16``, ``1-15单``, ``2-16双``)."""
    if not spec.strip():
        return set(range(1, total + 1))
    weeks: set[int] = set()
    for item in spec.split(","):
        match = re.fullmatch(r"(\d+)(?:-(\d+))?(单|双)?", item.strip())
        assert match, f"unexpected week spec {spec!r}"
        lo, hi = int(match[1]), int(match[2] or match[1])
        parity = {"单": 1, "双": 0}.get(match[3] or "")
        weeks.update(w for w in range(lo, hi + 1) if parity is None or w % 2 == parity)
    return weeks


def periods_of(spec: str) -> range:
    lo, _, hi = spec.partition("-")
    return range(int(lo), int(hi or lo) + 1)


def class_densities(files: dict[str, Rows]) -> dict[str, float]:
    """Per class: share of the daytime period-slots of weekdays busy in teaching weeks 1-16."""
    total = int(files["term"][0]["weeks"])
    busy: dict[str, set[tuple[int, int, int]]] = {
        u["unit_id"]: set() for u in files["units"] if u["kind"] == "class"
    }
    for row in files["timetable"]:
        if row["owner_id"] not in busy or not row["periods"]:
            continue
        for week in weeks_of(row["weeks"], total) & set(TEACHING_WEEKS):
            for period in periods_of(row["periods"]):
                if period in DAYTIME_PERIODS and int(row["weekday"]) in WEEKDAYS:
                    busy[row["owner_id"]].add((week, int(row["weekday"]), period))
    slots = len(TEACHING_WEEKS) * len(WEEKDAYS) * len(DAYTIME_PERIODS)
    return {unit: len(cells) / slots for unit, cells in busy.items()}


def reference_problems(files: dict[str, Rows]) -> list[str]:
    """Every id referenced that is not defined, and every duplicate id."""
    problems: list[str] = []
    campuses = {c["campus_id"] for c in files["campuses"]}
    leaders = {r["leader_id"] for r in files["leaders"]}
    units = {r["unit_id"]: r for r in files["units"]}
    classes = {u for u, r in units.items() if r["kind"] == "class"}
    venues = {r["venue_id"] for r in files.get("venues", [])}
    ids = [*leaders, *units, *venues]
    ids += [r["activity_id"] for r in files.get("activities", [])]
    ids += [r["section_id"] for r in files.get("courses", [])]
    if len(ids) != len(set(ids)):
        problems.append("duplicate ids")
    for stem, column in (("leaders", "campus"), ("units", "campus"), ("courses", "campus"),
                         ("timetable", "campus"), ("venues", "campus"), ("activities", "campus"),
                         ("periods", "campus"), ("travel", "from_campus"), ("travel", "to_campus")):  # fmt: skip
        problems += [f"{stem}: campus {r[column]}" for r in files.get(stem, [])
                     if r[column] and r[column] not in campuses]  # fmt: skip
    owners = leaders | set(units)
    for stem in ("timetable", "absences"):
        problems += [f"{stem}: owner {r['owner_id']}" for r in files.get(stem, [])
                     if r["owner_id"] not in owners]  # fmt: skip
    targets = set(units) | venues | {"class", "dorm", "society", "canteen", "online"}
    problems += [f"windows: {r['target']}" for r in files.get("windows", []) if r["target"] not in targets]
    problems += [f"activities: unit {r['unit_id']}" for r in files.get("activities", [])
                 if r["unit_id"] and r["unit_id"] not in units]  # fmt: skip
    for r in files.get("courses", []):
        problems += [f"courses: class {c}" for c in r["class_ids"].split(";") if c and c not in classes]
    problems += [f"history: {r['leader_id']} {r['unit_id']}" for r in files.get("history", [])
                 if r["leader_id"] not in leaders or r["unit_id"] not in units]  # fmt: skip
    pairs = {frozenset((r["from_campus"], r["to_campus"])) for r in files.get("travel", [])}
    used = sorted({r["campus"] for r in files["leaders"] + files["units"]})
    problems += [f"travel: {a}-{b}" for i, a in enumerate(used) for b in used[i + 1 :]
                 if frozenset((a, b)) not in pairs]  # fmt: skip
    return problems


def weeks_without_a_day_at_school(problem: Problem, leader_id: str) -> list[int]:
    """Contact weeks in which every day is a holiday or lies wholly inside an absence."""
    off = {h.date for h in problem.holidays if h.kind == "holiday"}
    away = [(a.start, a.end) for a in problem.absences if a.owner_id == leader_id]

    def free(day: dt.date) -> bool:
        start = dt.datetime.combine(day, dt.time())
        return day not in off and not any(s <= start and start + dt.timedelta(days=1) <= e for s, e in away)

    return [
        week
        for week in problem.term.contact_week_list
        if not any(free(problem.term.start_date + dt.timedelta(days=7 * (week - 1) + i)) for i in range(7))
    ]
