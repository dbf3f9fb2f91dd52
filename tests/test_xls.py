"""Old Excel workbooks (.xls): read like .xlsx, by the same rules, with bounded reading.

The workbooks are written by the tests with xlwt (the well-kept writer of the old format), typed as
Excel types them: dates, times and numbers as numbers with a date format.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import xlwt
from conftest import Tables, read_errors, where, write_csvs, write_xls, write_xlsx
from test_reader import chinese_headers

import data.xls
from data.headers import TABLE_BY_STEM
from data.reader import read_problem


def test_xls_reads_like_the_csv_folder_and_the_xlsx(tmp_path: Path, tables: Tables) -> None:
    from_csv = read_problem(write_csvs(tmp_path / "csv", tables))
    from_xls = read_problem(write_xls(tmp_path / "term.xls", tables))
    assert from_xls.problem == from_csv.problem
    assert from_xls.problem == read_problem(write_xlsx(tmp_path / "term.xlsx", tables)).problem
    assert [w.file for w in from_xls.warnings] == ["term.xls[holidays]"]  # 2027 estimated


def test_xls_with_chinese_sheet_names_and_headers(tmp_path: Path, tables: Tables) -> None:
    names = {spec.stem: spec.zh_name for spec in TABLE_BY_STEM.values()}
    path = write_xls(tmp_path / "学期数据.xls", chinese_headers(tables), names)
    assert read_problem(path).problem == read_problem(write_csvs(tmp_path / "csv", tables)).problem


def test_xls_problems_name_the_sheet_and_the_row_a_person_sees(tmp_path: Path, tables: Tables) -> None:
    tables["leaders"][2][4] = "NOWHERE"  # L002, spreadsheet row 3
    tables["leaders"].insert(0, ["2026-2027学年第一学期 校领导名单"])  # a title row: L002 is on row 4
    path = write_xls(tmp_path / "data.xls", tables, {"leaders": "领导干部"})
    assert where(read_errors(path).problems) == {("data.xls[领导干部]", 4, "campus")}


def test_xls_time_cells_with_line_breaks_and_typed_datetimes(tmp_path: Path, tables: Tables) -> None:
    tables["timetable"] = [
        ["对象编号", "上课时间", "上课地点"],
        ["C001", "星期二第1-2节{第1-15周|单周}\n星期四第3-4节{第1-16周}", "教一101\n教一102"],
    ]
    p = read_problem(write_xls(tmp_path / "t.xls", tables)).problem
    assert [(e.weekday, e.periods, e.location) for e in p.timetable] == [(2, (1, 2), "教一101"), (4, (3, 4), "教一102")]
    assert p.absences[1].end.strftime("%Y-%m-%d %H:%M") == "2026-09-20 18:00"  # a date-time cell
    assert p.periods[0].start == 8 * 60  # a time cell


def test_midnight_datetime_cells_keep_their_time(tmp_path: Path, tables: Tables) -> None:
    tables["absences"][2][1:3] = ["2026-09-07 00:00", "2026-09-08 00:00"]
    p = read_problem(write_xls(tmp_path / "t.xls", tables)).problem
    drill = p.absences[1]
    assert (drill.end - drill.start).days == 1  # not read as whole days (which would be two)


def test_an_xls_named_xlsx_still_reads(tmp_path: Path, tables: Tables) -> None:
    path = tmp_path / "export.xlsx"
    shutil.copy(write_xls(tmp_path / "real.xls", tables), path)
    assert read_problem(path).problem.term.term_id == "2026-2027-1"


def test_an_xlsx_named_xls_is_told_to_be_renamed(tmp_path: Path, tables: Tables) -> None:
    path = tmp_path / "export.xls"
    shutil.copy(write_xlsx(tmp_path / "real.xlsx", tables), path)
    (problem,) = read_errors(path).problems
    assert problem.file == "export.xls" and "export.xlsx" in problem.zh and "export.xlsx" in problem.en


def test_a_web_page_named_xls_says_how_to_save_it(tmp_path: Path) -> None:
    path = tmp_path / "课表.xls"
    path.write_text("<html><body><table><tr><td>星期一</td></tr></table></body></html>", encoding="utf-8")
    (problem,) = read_errors(path).problems
    assert (problem.file, problem.row) == ("课表.xls", None)
    assert "网页" in problem.zh and ".xlsx" in problem.zh and "web page" in problem.en


def test_a_damaged_xls_is_a_problem_not_a_crash(tmp_path: Path) -> None:
    path = tmp_path / "term.xls"
    path.write_bytes(data.xls.OLE_MAGIC + b"\0" * 600)
    (problem,) = read_errors(path).problems
    assert problem.file == "term.xls" and "无法打开工作簿" in problem.zh


def test_xls_reading_is_bounded_by_size(tmp_path: Path, tables: Tables, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write_xls(tmp_path / "term.xls", tables)
    monkeypatch.setattr(data.xls, "MAX_XLS_BYTES", path.stat().st_size - 1)
    (problem,) = read_errors(path).problems
    assert problem.file == "term.xls" and "超过上限" in problem.zh


def test_xls_reading_is_bounded_by_cells(tmp_path: Path, tables: Tables, monkeypatch: pytest.MonkeyPatch) -> None:
    workbook = xlwt.Workbook()
    sheet = workbook.add_sheet("term")
    for r in range(300):
        for c in range(20):
            sheet.write(r, c, r * c)
    workbook.save(str(tmp_path / "big.xls"))
    monkeypatch.setattr(data.xls, "MAX_XLS_CELLS", 5000)
    (problem,) = read_errors(tmp_path / "big.xls").problems
    assert "5000" in problem.zh and "5000" in problem.en
