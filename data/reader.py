"""Reading a folder of CSV files or one .xlsx (or old .xls) workbook into a :class:`solver.problem.Problem`.

``read_problem(path)`` reads every table of the data contract, checks every cell and every
reference between files, and either returns the problem with the warnings found, or raises
:class:`data.problems.InputError` listing every problem at once (file, row, column, zh + en).

Reading rules beyond the contract:
- a workbook's explanation row (first cell starting ``说明:`` or ``Note:``, as the template writes
  it) and wholly blank rows are skipped;
- an empty or header-only ``holidays`` table counts as absent: the official holidays are used;
- an empty optional file counts as absent; an empty required file is a problem.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from data.archive import DEFAULT_LIMITS, Limits
from data.checks import check_all
from data.headers import TABLES
from data.holidays_cn import AFTER_TERM_DAYS, china_holidays
from data.problems import Findings, InputError, InputProblem, summarise
from data.records import Parsed, parse_all
from data.tables import Source, Table, load
from solver.problem import Holiday, Problem, ProblemError


@dataclass(frozen=True)
class ReadResult:
    problem: Problem
    warnings: tuple[InputProblem, ...]
    source: Path


def read_problem(path: str | Path, limits: Limits = DEFAULT_LIMITS) -> ReadResult:
    """Read a folder of CSV files or an .xlsx/.xls workbook; raise InputError with every problem
    (:class:`data.archive.ExpansionError` at once when the input expands past ``limits``)."""
    source_path = Path(path)
    out = Findings()
    source, tables = load(source_path, out, limits=limits)
    if out.problems and not tables:  # not a folder or workbook that could be opened
        raise InputError(summarise(out.problems, KEEP_PROBLEMS), summarise(out.warnings, KEEP_WARNINGS))
    _report_missing(source, tables, out)
    parsed = parse_all(source, tables, out)
    check_all(parsed, out)
    holidays = _holidays(parsed, out)
    if out.problems:
        raise InputError(_in_order(out.problems, parsed, KEEP_PROBLEMS), _in_order(out.warnings, parsed, KEEP_WARNINGS))
    problem = _build(parsed, holidays, out)
    if problem is None:
        raise InputError(out.problems, summarise(out.warnings, KEEP_WARNINGS))
    return ReadResult(problem, tuple(_in_order(out.warnings, parsed, KEEP_WARNINGS)), source_path)


KEEP_PROBLEMS = 50  # of one same message; the rest are counted in one line
KEEP_WARNINGS = 10


def _in_order(found: list[InputProblem], parsed: Parsed, keep: int) -> list[InputProblem]:
    return summarise(_in_file_order(found, parsed), keep)


def _report_missing(source: Source, tables: dict[str, Table | None], out: Findings) -> None:
    """Required tables that are absent, or present without data rows (an empty one is reported)."""
    for spec in TABLES:
        table = tables.get(spec.stem)
        if not spec.required:
            continue
        if spec.stem not in tables:
            where_zh, where_en = ("工作表", "sheet") if source.workbook else ("文件", "file")
            out.problem(
                source.label(spec.stem), None, None,
                f"缺少必需的{where_zh} {spec.stem}（{'/'.join(spec.zh_names)}）",
                f"the required {where_en} {spec.stem} is missing",
            )  # fmt: skip
        elif table is not None and not table.rows and spec.stem != "term":  # term: own message
            out.problem(
                table.label, None, None,
                f"{spec.zh_name}表（{spec.stem}）没有数据行", f"{spec.stem} has no data rows",
            )  # fmt: skip


def _in_file_order(found: list[InputProblem], parsed: Parsed) -> list[InputProblem]:
    """Problems sorted by file in contract order, then by row (stable otherwise)."""
    order = {parsed.label(spec.stem): n for n, spec in enumerate(TABLES)}
    return sorted(found, key=lambda p: (order.get(p.file, -1), p.row or 0))


def _holidays(parsed: Parsed, out: Findings) -> tuple[Holiday, ...]:
    table = parsed.table("holidays")
    if table is not None and table.rows:
        return tuple(parsed.items("holidays"))
    if parsed.term is None:
        return ()
    term = parsed.term  # also the official days after the term: feedback deadlines run on
    days, estimated = china_holidays(term.start_date, term.end_date, term.end_date + dt.timedelta(days=AFTER_TERM_DAYS))
    for year in estimated:
        out.warning(
            parsed.label("holidays"), None, None,
            f"{year} 年的官方放假安排尚未公布（节假日库中没有），节假日为估算、不含调休；"
            "公布后请提供 holidays 表",
            f"the official holiday arrangement for {year} is not yet published; holidays are "
            "estimated, without make-up workdays; supply holidays once it is published",
        )  # fmt: skip
    return days


def _build(parsed: Parsed, holidays: tuple[Holiday, ...], out: Findings) -> Problem | None:
    assert parsed.term is not None  # no problems were found, so the term was read
    try:
        return Problem(
            term=parsed.term,
            periods=tuple(parsed.items("periods")),
            campuses=tuple(parsed.items("campuses")),
            leaders=tuple(parsed.items("leaders")),
            units=tuple(parsed.items("units")),
            holidays=holidays,
            travel=tuple(parsed.items("travel")),
            timetable=tuple(parsed.items("timetable")),
            absences=tuple(parsed.items("absences")),
            windows=tuple(parsed.items("windows")),
            venues=tuple(parsed.items("venues")),
            activities=tuple(parsed.items("activities")),
            courses=tuple(parsed.items("courses")),
            history=tuple(parsed.items("history")),
        )
    except ProblemError as error:
        for message in error.problems:
            out.problem(parsed.source.path.name, None, None, f"数据不一致：{message}", message)
        return None
