"""Checks of the period table (节次/作息时间) as offices hand it in.

Within one scope (the plain rows, or the rows of one campus and season), periods must follow each
other in time: a later period that starts before an earlier one ends overlaps it, one that starts
before the earlier one starts runs backwards. A period shorter than :data:`MIN_MINUTES` is not a
period of teaching (a typo such as ``08:00``-``08:10``). Rows of different scopes are not compared:
a summer row of period 5 for one campus may well overlap the plain period 6.

Periods that no timetable row or course section uses are listed in one warning (when any row uses
periods at all): they are often a sign of a misread period code.
"""

from __future__ import annotations

from collections import defaultdict

from data.problems import Findings
from data.records import Parsed
from solver.problem import Period, hhmm

MIN_MINUTES = 20


def check_period_table(p: Parsed, out: Findings) -> None:
    rows: list[tuple[Period, int]] = p.rows("periods")
    _check_lengths(p, rows, out)
    _check_order(p, rows, out)
    _warn_unused(p, rows, out)


def _report(p: Parsed, out: Findings, row: int, column: str, zh: str, en: str) -> None:
    table = p.table("periods")
    out.problem(p.label("periods"), row, table.header(column) if table else column, zh, en)


def _shown(period: Period) -> str:
    return f"{hhmm(period.start)}-{hhmm(period.end)}"


def _scope(period: Period) -> str:
    weeks = ",".join(map(str, sorted(period.weeks))) if period.weeks else ""
    return "".join(
        (f"（校区 {period.campus}）" if period.campus else "", f"（第 {weeks} 周）" if weeks else "")
    )


def _check_lengths(p: Parsed, rows: list[tuple[Period, int]], out: Findings) -> None:
    for period, row in rows:
        minutes = period.end - period.start
        if 0 < minutes < MIN_MINUTES:
            _report(
                p, out, row, "end",
                f"第 {period.period} 节 {_shown(period)} 只有 {minutes} 分钟，不足 {MIN_MINUTES} 分钟，"
                "不像一节课；请检查开始和结束时间",
                f"period {period.period} ({_shown(period)}) lasts {minutes} minutes, under "
                f"{MIN_MINUTES}; check its start and end",
            )  # fmt: skip


def _check_order(p: Parsed, rows: list[tuple[Period, int]], out: Findings) -> None:
    scopes: dict[tuple[str | None, frozenset[int] | None], dict[int, tuple[Period, int]]] = defaultdict(dict)
    for period, row in rows:
        scopes[(period.campus, period.weeks)].setdefault(period.period, (period, row))
    for table in scopes.values():
        ordered = [table[n] for n in sorted(table)]
        for (earlier, _), (later, row) in zip(ordered, ordered[1:], strict=False):
            if later.start >= earlier.end:
                continue
            where = _scope(later)
            if later.start < earlier.start:
                zh = f"第 {later.period} 节{where} {_shown(later)} 比第 {earlier.period} 节 {_shown(earlier)} 还早：节次的时间应随节次号依次往后"
                en = f"period {later.period} ({_shown(later)}) starts before period {earlier.period} ({_shown(earlier)}): periods must follow each other in time"
            else:
                zh = f"第 {later.period} 节{where} {_shown(later)} 与第 {earlier.period} 节 {_shown(earlier)} 时间重叠"
                en = f"period {later.period} ({_shown(later)}) overlaps period {earlier.period} ({_shown(earlier)})"
            _report(p, out, row, "start", zh, en)


def _warn_unused(p: Parsed, rows: list[tuple[Period, int]], out: Findings) -> None:
    spans = [r.periods for stem in ("timetable", "courses") for r in p.items(stem) if r.periods]
    if not spans or not rows:
        return
    used = {n for first, last in spans for n in range(first, last + 1)}
    unused = sorted({period.period for period, _ in rows} - used)
    if unused:
        shown = "、".join(map(str, unused))
        out.warning(
            p.label("periods"), None, None,
            f"节次表中的第 {shown} 节没有任何课表或思政课用到；若不需要可删去，"
            "否则请检查课表的节次（如合并节次 0607 是第 6-7 节）",
            f"period {', '.join(map(str, unused))} of the period table is used by no timetable row "
            "or course; remove it if not needed, or check the timetable's periods",
        )  # fmt: skip
