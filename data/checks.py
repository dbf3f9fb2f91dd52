"""Checks across rows and files: duplicate ids, unknown references, undefined periods,
missing travel times, lectures without courses, societies without windows, stale history.

Every problem is reported at the row and column that holds the offending value. Known ids are
taken from the raw cells, so a row with some other problem does not make its id "unknown".
"""

from __future__ import annotations

from collections.abc import Iterable
from itertools import combinations
from typing import Any

from data.periods import check_period_table
from data.problems import Findings
from data.records import Parsed
from data.specs import SpecError, parse_int
from solver.problem import WINDOW_KINDS, Period

ID_COLUMNS = (
    ("leaders", "leader_id"),
    ("units", "unit_id"),
    ("venues", "venue_id"),
    ("activities", "activity_id"),
    ("courses", "section_id"),
)


def check_all(p: Parsed, out: Findings) -> None:
    _check_duplicate_ids(p, out)
    _check_duplicate_values(p, out, "campuses", "campus_id", "校区编号", "campus id")
    _check_duplicate_values(p, out, "holidays", "date", "日期", "date")
    _check_period_overlaps(p, out)
    check_period_table(p, out)
    _check_travel_rows(p, out)
    _check_references(p, out)
    _check_defined_periods(p, out)
    _check_travel_pairs(p, out)
    _check_lectures(p, out)
    _check_societies(p, out)
    p.records["history"] = _known_history(p, out)


def _raw(p: Parsed, stem: str, column: str) -> set[str]:
    table = p.table(stem)
    return {row.cells.get(column, "") for row in table.rows} - {""} if table else set()


def _report(p: Parsed, out: Findings, stem: str, row: int, column: str, zh: str, en: str) -> None:
    table = p.table(stem)
    out.problem(p.label(stem), row, table.header(column) if table else column, zh, en)


# duplicates -----------------------------------------------------------------------------------
def _check_duplicate_ids(p: Parsed, out: Findings) -> None:
    seen: dict[str, tuple[str, int]] = {}
    for stem, column in ID_COLUMNS:
        table = p.table(stem)
        for row in table.rows if table else []:
            ident = row.cells.get(column, "")
            if ident in seen:
                label, number = seen[ident]
                _report(
                    p, out, stem, row.number, column,
                    f"编号“{ident}”重复：已在 {label} 第 {number} 行使用；编号须唯一",
                    f"id {ident!r} is already used at {label} row {number}; ids must be unique",
                )  # fmt: skip
            elif ident:
                seen[ident] = (p.label(stem), row.number)


def _check_duplicate_values(
    p: Parsed, out: Findings, stem: str, column: str, what_zh: str, what_en: str
) -> None:
    seen: dict[str, int] = {}
    table = p.table(stem)
    for row in table.rows if table else []:
        value = row.cells.get(column, "")
        if value in seen:
            _report(
                p, out, stem, row.number, column,
                f"{what_zh}“{value}”重复：第 {seen[value]} 行已有",
                f"{what_en} {value!r} repeats row {seen[value]}",
            )  # fmt: skip
        elif value:
            seen[value] = row.number


def _check_period_overlaps(p: Parsed, out: Findings) -> None:
    rows: list[tuple[Period, int]] = p.rows("periods")
    for (a, _), (b, row) in combinations(rows, 2):
        if a.period != b.period or a.campus != b.campus:
            continue
        if (a.weeks is None and b.weeks is None) or (a.weeks and b.weeks and a.weeks & b.weeks):
            where = f"（校区 {a.campus}）" if a.campus else ""
            _report(
                p, out, "periods", row, "period",
                f"第 {b.period} 节{where}重复定义：与前面一行的周次重叠",
                f"period {b.period} is defined twice for the same campus and weeks",
            )  # fmt: skip


def _check_travel_rows(p: Parsed, out: Findings) -> None:
    seen: set[tuple[str, str]] = set()
    for travel, row in p.rows("travel"):
        pair = (travel.from_campus, travel.to_campus)
        if pair in seen:
            _report(
                p, out, "travel", row, "to_campus",
                f"{pair[0]} 到 {pair[1]} 的交通时间重复给出",
                f"travel time {pair[0]} -> {pair[1]} is given twice",
            )  # fmt: skip
        seen.add(pair)


# references -----------------------------------------------------------------------------------
def _reference_rules(p: Parsed) -> list[tuple[str, str, set[str], str, str]]:
    campuses = _raw(p, "campuses", "campus_id")
    units = _raw(p, "units", "unit_id")
    owners = _raw(p, "leaders", "leader_id") | units
    targets = units | _raw(p, "venues", "venue_id") | set(WINDOW_KINDS)
    campus = ("校区", "campus", "campuses 中没有这个校区编号", "not a campus_id of campuses")
    owner = ("对象", "owner", "既不是 leaders 中的工号，也不是 units 中的编号", "neither a leader_id nor a unit_id")  # fmt: skip
    unit = ("联系对象", "unit", "units 中没有这个编号", "not a unit_id of units")
    target = ("对象", "target", "不是联系对象编号、场所编号，也不是 class/dorm/society/canteen/online/community", "neither a unit_id, a venue_id nor a kind (class, dorm, society, canteen, online, community)")  # fmt: skip
    rules = [(s, "campus", campuses, *campus) for s in ("periods", "leaders", "units", "venues", "activities", "courses", "timetable")]  # fmt: skip
    rules += [("travel", c, campuses, *campus) for c in ("from_campus", "to_campus")]
    rules += [(s, "owner_id", owners, *owner) for s in ("timetable", "absences")]
    rules += [("activities", "unit_id", units, *unit), ("courses", "class_ids", units, *unit)]
    rules += [("windows", "target", targets, *target)]
    return [(stem, col, known, f"未知{z}“{{}}”：{zw}", f"unknown {e} {{!r}}: {ew}") for stem, col, known, z, e, zw, ew in rules]  # fmt: skip


def _check_references(p: Parsed, out: Findings) -> None:
    for stem, column, known, zh, en in _reference_rules(p):
        for record, row in p.rows(stem):
            for value in _values(getattr(record, column)):
                if value not in known:
                    _report(p, out, stem, row, column, zh.format(value), en.format(value))


def _values(value: Any) -> Iterable[str]:
    if value is None:
        return ()
    return value if isinstance(value, tuple) else (value,)


def _check_defined_periods(p: Parsed, out: Findings) -> None:
    if p.table("periods") is None:
        return
    defined = {_int_or_none(text) for text in _raw(p, "periods", "period")}
    for stem in ("timetable", "courses"):
        for record, row in p.rows(stem):
            if record.periods is None:
                continue
            first, last = record.periods
            if missing := [n for n in range(first, last + 1) if n not in defined]:
                shown = "、".join(map(str, missing))
                _report(
                    p, out, stem, row, _periods_column(p, stem, row),
                    f"第 {shown} 节未在节次表（periods）中定义",
                    f"period {', '.join(map(str, missing))} is not defined in periods",
                )  # fmt: skip


def _periods_column(p: Parsed, stem: str, number: int) -> str:
    """Where a row gave its periods: the ``time`` cell, when the row has one."""
    table = p.table(stem)
    row = next((r for r in table.rows if r.number == number), None) if table else None
    return "time" if row is not None and row.cells.get("time") else "periods"


def _int_or_none(text: str) -> int | None:
    try:
        return parse_int(text)
    except SpecError:
        return None


# whole-data checks ----------------------------------------------------------------------------
def used_campuses(p: Parsed) -> set[str]:
    used = {r.campus for stem in ("leaders", "units", "courses") for r in p.items(stem)}
    used |= {r.campus for stem in ("venues", "activities", "timetable") for r in p.items(stem)}
    return {c for c in used if c} & _raw(p, "campuses", "campus_id")


def _check_travel_pairs(p: Parsed, out: Findings) -> None:
    given = {(t.from_campus, t.to_campus) for t in p.items("travel")}
    travel_table = p.table("travel")
    stem = "travel" if travel_table and travel_table.rows else "campuses"
    for a, b in combinations(sorted(used_campuses(p)), 2):
        if (a, b) not in given and (b, a) not in given:
            out.problem(
                p.label(stem), None, None,
                f"缺少校区 {a} 与 {b} 之间的交通时间：两个校区都有安排，"
                f"请在校区交通表（travel）中加一行 {a},{b},分钟数",
                f"no travel time between campuses {a} and {b}, which are both used: "
                f"add a row {a},{b},<minutes> to travel",
            )  # fmt: skip


def _check_lectures(p: Parsed, out: Findings) -> None:
    lecturers = [leader.leader_id for leader in p.items("leaders") if leader.lecture]
    courses = p.table("courses")
    if not lecturers or (courses and courses.rows):
        return
    shown = "、".join(lecturers[:5]) + ("等" if len(lecturers) > 5 else "")
    out.problem(
        p.label("courses"), None, None,
        f"有领导需要讲思政课（{shown}），但没有思政课教学班：请提供思政课表（courses），"
        "或在 leaders 的 lecture 列填“否”",
        f"leaders {', '.join(lecturers[:5])} give a guest lecture but no course sections are "
        "given: supply courses, or set lecture to false",
    )  # fmt: skip


def _check_societies(p: Parsed, out: Findings) -> None:
    targets = {w.target for w in p.items("windows")}
    for unit, row in p.rows("units"):
        if unit.kind == "society" and not {unit.unit_id, "society"} & targets:
            out.warning(
                p.label("units"), row, p.tables["units"].header("unit_id"),  # type: ignore[union-attr]
                f"社团“{unit.name}”没有可联系时段（windows），无法安排进社团；请在 windows 中添加",
                f"society {unit.unit_id} has no window, so it cannot be visited; add one to windows",
            )  # fmt: skip


def _known_history(p: Parsed, out: Findings) -> list[tuple[Any, int]]:
    leaders = {leader.leader_id for leader in p.items("leaders")}
    units = {unit.unit_id for unit in p.items("units")}
    kept = []
    for link, row in p.rows("history"):
        for column, value, known in (("leader_id", link.leader_id, leaders), ("unit_id", link.unit_id, units)):  # fmt: skip
            if value not in known:
                table = p.table("history")
                out.warning(
                    p.label("history"), row, table.header(column) if table else column,
                    f"上学期联系中的“{value}”已不在本学期数据中，此行已忽略",
                    f"{value!r} of last term's links is not in this term's data; row ignored",
                )  # fmt: skip
                break
        else:
            kept.append((link, row))
    return kept
