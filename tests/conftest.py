"""Shared helpers for the input-reading tests: a tiny valid term, written as CSVs or a workbook.

Tables are ``{stem: [header, row, row, ...]}`` with every cell a string; tests copy
:func:`base_tables`, change a cell or two and write the result with :func:`write_csvs` or
:func:`write_xlsx`.
"""

from __future__ import annotations

import copy
import datetime as dt
import re
from pathlib import Path

import openpyxl
import pytest

from data.problems import InputError, InputProblem
from data.reader import read_problem

Tables = dict[str, list[list[str]]]

BASE: Tables = {
    "term": [
        ["term_id", "name", "start_date", "weeks", "contact_weeks"],
        ["2026-2027-1", "2026-2027学年第一学期", "2026-09-07", "18", "1-17"],
    ],
    "periods": [
        ["period", "start", "end", "campus", "weeks"],
        ["1", "08:00", "08:45", "", ""],
        ["2", "08:55", "09:40", "", ""],
        ["3", "10:00", "10:45", "", ""],
        ["4", "10:55", "11:40", "", ""],
        ["5", "14:00", "14:45", "", ""],
        ["6", "14:55", "15:40", "", ""],
        ["5", "14:30", "15:15", "EAST", "1-8"],
    ],
    "campuses": [["campus_id", "name"], ["MAIN", "本部校区"], ["EAST", "东校区"]],
    "travel": [["from_campus", "to_campus", "minutes"], ["MAIN", "EAST", "40"]],
    "leaders": [
        ["leader_id", "name", "title", "tier", "campus", "college", "email",
         "contact_every_weeks", "link", "lecture", "seven_visits", "frontline_share"],
        ["L001", "张书记", "党委书记", "school", "MAIN", "", "zhang@example.edu.cn",
         "", "", "", "", ""],
        ["L002", "李部长", "学生工作部部长", "student_affairs", "EAST", "", "", "", "", "", "", ""],
        ["L003", "王院长", "院长", "college", "MAIN", "计算机学院", "", "3", "是", "否", "", "0.2"],
    ],
    "units": [
        ["unit_id", "kind", "name", "campus", "location", "college", "size", "max_leaders"],
        ["C001", "class", "计算机2301班", "MAIN", "教一101", "计算机学院", "40", ""],
        ["D001", "dorm", "东苑1号楼", "EAST", "东苑1号楼", "", "600", "2"],
        ["S001", "society", "青年志愿者协会", "MAIN", "活动中心201", "", "80", ""],
    ],
    "timetable": [
        ["owner_id", "weekday", "periods", "start", "end", "weeks", "title", "campus", "location"],
        ["L001", "1", "3-4", "", "", "1-16", "党委常委会", "", "行政楼"],
        ["C001", "周二", "1-2", "", "", "1-15单", "高等数学", "", "教一101"],
        ["L002", "3", "", "14:00", "16:00", "", "学工例会", "EAST", "行政楼"],
    ],
    "absences": [
        ["owner_id", "start", "end", "kind", "note"],
        ["L001", "2026-10-19", "2026-10-23", "travel", "北京"],
        ["C001", "2026-09-07 08:00", "2026-09-20 18:00", "other", "军训"],
    ],
    "windows": [
        ["target", "weekday", "start", "end", "weeks"],
        ["S001", "3", "19:00", "21:00", ""],
        ["dorm", "1-4,7", "19:00", "21:30", ""],
    ],
    "venues": [
        ["venue_id", "kind", "name", "campus", "location", "capacity"],
        ["V01", "canteen", "第一食堂", "MAIN", "一食堂", "2"],
        ["V02", "online", "网络思政平台", "", "", "5"],
    ],
    "activities": [
        ["activity_id", "visit_kind", "format", "name", "date", "start", "end", "campus",
         "location", "unit_id", "max_leaders"],
        ["A001", "lecture", "形势报告", "形势与政策报告会", "2026-10-15", "19:00", "20:30", "MAIN",
         "礼堂", "", "2"],
    ],
    "courses": [
        ["section_id", "course", "kind", "weekday", "periods", "weeks", "campus", "location",
         "class_ids"],
        ["S-01", "思想道德与法治", "theory", "4", "5-6", "1-16", "MAIN", "教二201", "C001"],
    ],
    "history": [["leader_id", "unit_id"], ["L001", "C001"]],
}  # fmt: skip


def base_tables() -> Tables:
    """A fresh copy of the small valid term."""
    return copy.deepcopy(BASE)


def csv_text(rows: list[list[str]]) -> str:
    """Rows as CSV text; cells holding a comma or a quote are quoted."""

    def cell(text: str) -> str:
        return f'"{text.replace(chr(34), chr(34) * 2)}"' if re.search('[,"\n]', text) else text

    return "".join(",".join(cell(c) for c in row) + "\n" for row in rows)


def write_csvs(folder: Path, tables: Tables, encoding: str = "utf-8") -> Path:
    """Write each table as ``<stem>.csv`` in ``folder`` (created); returns the folder."""
    folder.mkdir(parents=True, exist_ok=True)
    for stem, rows in tables.items():
        (folder / f"{stem}.csv").write_bytes(csv_text(rows).encode(encoding))
    return folder


def excel_value(text: str) -> object:
    """The cell value Excel would store for ``text``: dates, times and numbers typed."""
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        return dt.date.fromisoformat(text)
    if re.fullmatch(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}", text):
        return dt.datetime.fromisoformat(text)
    if re.fullmatch(r"\d{2}:\d{2}", text) and text < "24":
        return dt.time.fromisoformat(text)
    if re.fullmatch(r"\d+", text):
        return int(text)
    if re.fullmatch(r"\d+\.\d+", text):
        return float(text)
    return text or None


def write_xlsx(path: Path, tables: Tables, names: dict[str, str] | None = None) -> Path:
    """Write the tables as sheets of one workbook, typed as Excel would type them.

    ``names`` renames sheets (e.g. ``{"leaders": "领导干部"}``).
    """
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for stem, rows in tables.items():
        sheet = workbook.create_sheet((names or {}).get(stem, stem))
        sheet.append(rows[0])
        for row in rows[1:]:
            sheet.append([excel_value(c) for c in row])
    workbook.save(path)
    return path


_XLS_FORMATS = {dt.date: "yyyy-mm-dd", dt.datetime: "yyyy-mm-dd hh:mm", dt.time: "hh:mm"}


def write_xls(path: Path, tables: Tables, names: dict[str, str] | None = None) -> Path:
    """Write the tables as sheets of one old-format .xls workbook (xlwt), typed as Excel would."""
    import xlwt

    workbook = xlwt.Workbook(encoding="utf-8")
    styles = {kind: xlwt.easyxf(num_format_str=fmt) for kind, fmt in _XLS_FORMATS.items()}
    for stem, rows in tables.items():
        sheet = workbook.add_sheet((names or {}).get(stem, stem))
        for r, row in enumerate(rows):
            for c, text in enumerate(row):
                value = text if r == 0 else excel_value(text)
                if type(value) in styles:
                    sheet.write(r, c, value, styles[type(value)])
                elif value is not None:
                    sheet.write(r, c, value)
    workbook.save(str(path))
    return path


def read_errors(path: Path) -> InputError:
    """The InputError that reading ``path`` must raise."""
    with pytest.raises(InputError) as caught:
        read_problem(path)
    return caught.value


def where(problems: tuple[InputProblem, ...]) -> set[tuple[str, int | None, str | None]]:
    """(file, row, column) of each problem."""
    return {(p.file, p.row, p.column) for p in problems}


@pytest.fixture
def tables() -> Tables:
    return base_tables()
