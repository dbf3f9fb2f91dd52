"""Timetables as academic-affairs systems export them: the 上课时间 column, its rooms, its problems,
and the period table as offices hand it in."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest
from conftest import Tables, base_tables, read_errors, where, write_csvs
from typer.testing import CliRunner

from api.cli import app
from data.reader import read_problem
from solver.availability import Availability
from solver.problem import TimetableEntry

ROOMS = "教一101;教一102;教一103"
# Leader L003 teaches three meetings a week: Monday 1-2 in weeks 1-16, Wednesday 3-5 in the odd
# weeks 1-15, Friday 5-6 in weeks 2-3, 6-7, 15 and 17; one room each.
SPLIT = [
    ["L003", "1", "1-2", "", "", "1-16", "形势与政策", "", "教一101"],
    ["L003", "3", "3-5", "", "", "1-15单", "形势与政策", "", "教一102"],
    ["L003", "5", "5-6", "", "", "2-3,6-7,15-17单", "形势与政策", "", "教一103"],
]
# The same three meetings in one 上课时间 cell, as each system writes them.
SYSTEMS = {
    "zfsoft_new": ("星期一第1-2节{第1-16周};星期三第3-5节{第1-15周|单周};星期五第5-6节{第2-3周,6-7周,15-17周|单周}", ROOMS),
    "zfsoft_old": ("周一第1,2节{第1-16周}\n周三第3,4,5节{第1-15周|单周}\n周五第5,6节{第2-3周,6-7周,15-17周(单)}", "教一101\n教一102\n教一103"),
    "qiangzhi": ("1-16(周)星期一[0102节],1-15单(周)星期三[030405节],2-3,6-7,15-17单(周)星期五[0506节]", "教一101,教一102,教一103"),
    "kingosoft": ("[1-16周]星期一[1-2节];[1-15单周]星期三[3-5节];[2-3周,6-7周,15-17单周]星期五[5-6节]", "教一101；教一102；教一103"),
    "urp": ("1-16周 星期一 1-2节；单 [1-15周] 星期三 3-5节；2-3周,6-7周,15-17周(单) 星期五 5-6节", ROOMS),
}  # fmt: skip
TIME_HEADER = ["owner_id", "weekday", "periods", "start", "end", "weeks", "title", "campus", "location", "time"]


def split_form() -> Tables:
    tables = base_tables()
    tables["timetable"] += [list(row) for row in SPLIT]
    return tables


def time_form(cell: str, rooms: str) -> Tables:
    """The base timetable with an added ``time`` column, and L003's meetings in one cell."""
    tables = base_tables()
    tables["timetable"] = [TIME_HEADER] + [row + [""] for row in tables["timetable"][1:]]
    tables["timetable"].append(["L003", "", "", "", "", "", "形势与政策", "", rooms, cell])
    return tables


def read(folder: Path, tables: Tables):
    return read_problem(write_csvs(folder, tables))


@pytest.mark.parametrize("system", SYSTEMS)
def test_each_system_gives_the_same_entries_and_busy_time(tmp_path: Path, system: str) -> None:
    expected = read(tmp_path / "split", split_form())
    result = read(tmp_path / system, time_form(*SYSTEMS[system]))
    assert Counter(result.problem.timetable) == Counter(expected.problem.timetable)
    assert result.warnings == expected.warnings
    busy, reference = Availability(result.problem).busy_set("L003"), Availability(expected.problem).busy_set("L003")
    assert busy == reference
    assert sum(end - start for start, end in busy) > 0


def test_the_meetings_become_entries_with_their_rooms(tmp_path: Path) -> None:
    entries = [e for e in read(tmp_path, time_form(*SYSTEMS["kingosoft"])).problem.timetable if e.owner_id == "L003"]
    assert entries == [
        TimetableEntry("L003", 1, frozenset(range(1, 17)), (1, 2), title="形势与政策", location="教一101"),
        TimetableEntry("L003", 3, frozenset(range(1, 16, 2)), (3, 5), title="形势与政策", location="教一102"),
        TimetableEntry("L003", 5, frozenset({2, 3, 6, 7, 15, 17}), (5, 6), title="形势与政策", location="教一103"),
    ]


def test_one_room_serves_every_meeting(tmp_path: Path) -> None:
    tables = time_form(SYSTEMS["zfsoft_new"][0], "报告厅")
    entries = [e for e in read(tmp_path, tables).problem.timetable if e.owner_id == "L003"]
    assert [e.location for e in entries] == ["报告厅"] * 3


def test_chinese_headers_and_no_split_columns_at_all(tmp_path: Path) -> None:
    tables = base_tables()
    tables["timetable"] = [
        ["对象编号", "课程名称", "上课时间", "上课地点"],
        ["C001", "高等数学", "星期二第1-2节{第1-15周|单周}", "教一101"],
        ["L003", "形势与政策", SYSTEMS["qiangzhi"][0], SYSTEMS["qiangzhi"][1]],
    ]
    entries = read(tmp_path, tables).problem.timetable
    assert [(e.owner_id, e.weekday, e.periods) for e in entries] == [("C001", 2, (1, 2)), ("L003", 1, (1, 2)), ("L003", 3, (3, 5)), ("L003", 5, (5, 6))]  # fmt: skip


def test_a_part_the_cell_leaves_out_comes_from_its_column(tmp_path: Path) -> None:
    tables = time_form("4,6-18(周)[030405节]", "教一102")  # Qiangzhi: the weekday in its own column
    tables["timetable"][-1][1] = "周三"
    (entry,) = [e for e in read(tmp_path, tables).problem.timetable if e.owner_id == "L003"]
    assert (entry.weekday, entry.periods, entry.weeks) == (3, (3, 5), frozenset({4, *range(6, 19)}))


def test_a_clock_time_meeting(tmp_path: Path) -> None:
    tables = time_form("星期四 14:00-16:00 1-16周", "行政楼")
    (entry,) = [e for e in read(tmp_path, tables).problem.timetable if e.owner_id == "L003"]
    assert (entry.weekday, entry.periods, entry.start, entry.end) == (4, None, 840, 960)


@pytest.mark.parametrize("system", SYSTEMS)
def test_frontline_check_reads_each_system_like_the_split_columns(tmp_path: Path, system: str) -> None:
    runner = CliRunner()
    split = runner.invoke(app, ["check", str(write_csvs(tmp_path / "split", split_form()))])
    spelled = runner.invoke(app, ["check", str(write_csvs(tmp_path / system, time_form(*SYSTEMS[system])))])
    assert spelled.exit_code == split.exit_code == 0, spelled.output
    assert spelled.stdout == split.stdout
    assert re.search(r"L003\W+王院长\W+\d", spelled.stdout)  # the busy hours of the leader
    warnings = [line for line in spelled.stderr.splitlines() if line.strip()]
    assert len(warnings) == 1 and "holidays.csv" in warnings[0]  # 2027 holidays estimated, nothing else


# problems, each at its row and column --------------------------------------------------------
def time_problems(tmp_path: Path, tables: Tables) -> list[tuple[str, int | None, str | None, str]]:
    return [(p.file, p.row, p.column, p.zh) for p in read_errors(write_csvs(tmp_path / "in", tables)).problems]


def test_an_unreadable_cell_is_located_quoted_and_explained(tmp_path: Path) -> None:
    tables = time_form("星期八第1-2节{1-16周}", "教一101")
    ((file, row, column, zh),) = time_problems(tmp_path, tables)
    assert (file, row, column) == ("timetable.csv", 5, "time")
    assert "“星期八第1-2节{1-16周}”" in zh and "[030405节]" in zh and "{第15-17周|单周}" in zh


def test_a_problem_names_the_header_as_written(tmp_path: Path) -> None:
    tables = base_tables()
    tables["timetable"] = [["对象编号", "上课时间"], ["C001", "第1-2节 1-16周"]]
    ((file, row, column, zh),) = time_problems(tmp_path, tables)
    assert (file, row, column) == ("timetable.csv", 2, "上课时间") and "没有星期" in zh


def test_a_week_beyond_the_term_is_a_problem(tmp_path: Path) -> None:
    ((_, row, column, zh),) = time_problems(tmp_path, time_form("星期一第1-2节{1-20周}", ""))
    assert (row, column) == (5, "time") and "18" in zh


def test_a_period_the_table_does_not_have_is_a_problem_at_the_time_cell(tmp_path: Path) -> None:
    ((_, row, column, zh),) = time_problems(tmp_path, time_form("星期一第1-2节;星期三[0708节]", ""))
    assert (row, column) == (5, "time") and "7、8" in zh


def test_rooms_that_do_not_match_the_meetings(tmp_path: Path) -> None:
    ((_, row, column, zh),) = time_problems(tmp_path, time_form(SYSTEMS["urp"][0], "教一101;教一102"))
    assert (row, column) == (5, "location") and "2 个教室" in zh and "3 次上课" in zh


def test_a_cell_that_contradicts_its_column(tmp_path: Path) -> None:
    tables = time_form("星期一第1-2节", "")
    tables["timetable"][-1][1] = "3"
    ((_, row, column, zh),) = time_problems(tmp_path, tables)
    assert (row, column) == (5, "time") and "不一致" in zh


def test_a_row_without_weekday_or_time(tmp_path: Path) -> None:
    tables = time_form("", "")
    tables["timetable"][-1][2] = "1-2"  # periods, but neither a weekday nor a time
    ((_, row, column, zh),) = time_problems(tmp_path, tables)
    assert (row, column) == (5, "weekday") and "上课时间" in zh


def test_a_timetable_without_weekday_and_time_columns(tmp_path: Path) -> None:
    tables = base_tables()
    tables["timetable"] = [[c for i, c in enumerate(row) if i != 1] for row in tables["timetable"]]
    found = read_errors(write_csvs(tmp_path / "in", tables)).problems
    assert where(found) == {("timetable.csv", 1, "weekday")}
    assert "上课时间" in found[0].zh and "time" in found[0].en


# the period table -----------------------------------------------------------------------------
def period_problems(tmp_path: Path, rows: list[list[str]]) -> set[tuple[str, int | None, str | None]]:
    tables = base_tables()
    tables["periods"] = [tables["periods"][0], *rows]
    return where(read_errors(write_csvs(tmp_path / "in", tables)).problems)


PLAIN = [["1", "08:00", "08:45", "", ""], ["2", "08:55", "09:40", "", ""], ["3", "10:00", "10:45", "", ""],
         ["4", "10:55", "11:40", "", ""], ["5", "14:00", "14:45", "", ""], ["6", "14:55", "15:40", "", ""]]  # fmt: skip


def test_overlapping_periods_are_a_problem(tmp_path: Path) -> None:
    rows = [list(r) for r in PLAIN]
    rows[1][1] = "08:40"  # period 2 starts before period 1 ends
    assert period_problems(tmp_path, rows) == {("periods.csv", 3, "start")}


def test_periods_that_run_backwards_are_a_problem(tmp_path: Path) -> None:
    rows = [list(r) for r in PLAIN]
    rows[3][1:3] = ["07:00", "07:45"]  # period 4 before period 3
    assert period_problems(tmp_path, rows) == {("periods.csv", 5, "start")}


def test_a_period_under_twenty_minutes_is_a_problem(tmp_path: Path) -> None:
    rows = [list(r) for r in PLAIN]
    rows[2][2] = "10:10"
    assert period_problems(tmp_path, rows) == {("periods.csv", 4, "end")}


def test_campus_and_season_rows_are_compared_only_within_their_scope(tmp_path: Path) -> None:
    rows = [list(r) for r in PLAIN]
    rows += [["5", "14:30", "15:15", "EAST", "1-8"], ["6", "15:25", "16:10", "EAST", "1-8"]]
    tables = base_tables()
    tables["periods"] = [tables["periods"][0], *rows]  # EAST's summer period 5 overlaps plain period 6
    read_problem(write_csvs(tmp_path / "ok", tables))
    rows[-1][1] = "15:00"  # but EAST's own period 6 may not overlap EAST's period 5
    assert period_problems(tmp_path / "bad", rows) == {("periods.csv", 9, "start")}


def test_periods_no_timetable_row_uses_are_one_warning(tmp_path: Path) -> None:
    tables = base_tables()
    tables["periods"] += [["7", "16:00", "16:45", "", ""], ["8", "16:55", "17:40", "", ""]]
    warnings = [w for w in read(tmp_path, tables).warnings if w.file == "periods.csv"]
    assert len(warnings) == 1 and "7、8" in warnings[0].zh and "7, 8" in warnings[0].en
