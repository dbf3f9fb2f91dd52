"""Reading good input: every file, default and spelling of the contract lands in the Problem."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
from conftest import Tables, base_tables, read_errors, write_csvs, write_xlsx

from data.headers import TABLE_BY_STEM, column_for, stem_for
from data.reader import read_problem
from solver.problem import Absence, Holiday, Period, TimetableEntry


def read(tmp_path: Path, tables: Tables, encoding: str = "utf-8"):
    return read_problem(write_csvs(tmp_path / "in", tables, encoding))


def chinese_headers(tables: Tables) -> Tables:
    """The same tables under the primary Chinese header of each column."""
    return {
        stem: [[TABLE_BY_STEM[stem].column(h).zh for h in rows[0]], *rows[1:]]
        for stem, rows in tables.items()
    }


def test_base_term_reads_every_file(tmp_path: Path, tables: Tables) -> None:
    result = read(tmp_path, tables)
    p = result.problem
    assert p.term.term_id == "2026-2027-1"
    assert p.term.start_date == dt.date(2026, 9, 7)
    assert p.term.contact_weeks == frozenset(range(1, 18))
    assert p.term.timezone == "Asia/Shanghai"
    assert (p.term.day_start, p.term.day_end, p.term.buffer_minutes) == (480, 1290, 10)
    counts = [len(x) for x in (p.periods, p.campuses, p.leaders, p.units, p.timetable)]
    assert counts == [7, 2, 3, 3, 3]
    counts = [len(x) for x in (p.absences, p.windows, p.venues, p.activities, p.courses)]
    assert counts == [2, 2, 2, 1, 1]
    assert result.source == tmp_path / "in"
    assert p.travel_minutes("EAST", "MAIN") == 40


def test_leader_blank_cells_take_the_tier_defaults(tmp_path: Path, tables: Tables) -> None:
    school, student_affairs, college = read(tmp_path, tables).problem.leaders
    assert (school.contact_every_weeks, school.link, school.lecture, school.seven_visits) == (
        1, True, True, True,
    )  # fmt: skip
    assert school.frontline_share == 0.0
    assert (student_affairs.contact_every_weeks, student_affairs.frontline_share) == (1, 0.5)
    assert not (student_affairs.link or student_affairs.lecture or student_affairs.seven_visits)
    # college row gives contact_every_weeks 3, link 是, lecture 否, frontline_share 0.2
    assert (college.contact_every_weeks, college.link, college.lecture) == (3, True, False)
    assert (college.seven_visits, college.frontline_share) == (False, 0.2)


def test_college_default_contact_is_every_two_weeks(tmp_path: Path, tables: Tables) -> None:
    tables["leaders"][3][7] = ""
    assert read(tmp_path, tables).problem.leader("L003").contact_every_weeks == 2


def test_absence_date_end_is_inclusive(tmp_path: Path, tables: Tables) -> None:
    trip, drill = read(tmp_path, tables).problem.absences
    day = dt.datetime
    assert trip == Absence("L001", day(2026, 10, 19), day(2026, 10, 24), "travel", "北京")
    assert (drill.start, drill.end) == (dt.datetime(2026, 9, 7, 8), dt.datetime(2026, 9, 20, 18))


def test_absence_kind_defaults_to_other(tmp_path: Path, tables: Tables) -> None:
    tables["absences"][1][3] = ""
    assert read(tmp_path, tables).problem.absences[0].kind == "other"


def test_period_rows_with_campus_and_weeks_stay_separate(tmp_path: Path, tables: Tables) -> None:
    periods = read(tmp_path, tables).problem.periods
    assert Period(5, 14 * 60, 14 * 60 + 45) in periods
    assert Period(5, 14 * 60 + 30, 15 * 60 + 15, "EAST", frozenset(range(1, 9))) in periods


def test_timetable_rows_by_periods_and_by_times(tmp_path: Path, tables: Tables) -> None:
    meeting, maths, routine = read(tmp_path, tables).problem.timetable
    assert meeting == TimetableEntry("L001", 1, frozenset(range(1, 17)), (3, 4), title="党委常委会", location="行政楼")  # fmt: skip
    assert (maths.weekday, maths.weeks) == (2, frozenset(range(1, 16, 2)))
    assert (routine.periods, routine.start, routine.end, routine.campus) == (None, 840, 960, "EAST")
    assert routine.weeks == frozenset()


def test_windows_venues_activities_courses_history(tmp_path: Path, tables: Tables) -> None:
    p = read(tmp_path, tables).problem
    society, dorm = p.windows
    assert (society.target, society.weekdays) == ("S001", frozenset({3}))
    assert (dorm.target, dorm.weekdays, dorm.end) == ("dorm", frozenset({1, 2, 3, 4, 7}), 1290)
    canteen, online = p.venues
    assert (canteen.campus, canteen.capacity) == ("MAIN", 2)
    assert (online.campus, online.capacity) == (None, 5)
    activity = p.activities[0]
    assert (activity.visit_kind, activity.unit_id, activity.max_leaders) == ("lecture", None, 2)
    assert activity.date == dt.date(2026, 10, 15)
    course = p.courses[0]
    assert (course.kind, course.weekday, course.periods) == ("theory", 4, (5, 6))
    assert course.class_ids == ("C001",)
    assert [(h.leader_id, h.unit_id) for h in p.history] == [("L001", "C001")]
    assert p.unit("D001").max_leaders == 2 and p.unit("C001").max_leaders == 1
    assert p.unit("C001").size == 40


def test_optional_files_may_be_left_out(tmp_path: Path, tables: Tables) -> None:
    for stem in ("timetable", "absences", "venues", "activities", "history", "holidays"):
        tables.pop(stem, None)
    p = read(tmp_path, tables).problem
    assert p.timetable == p.absences == p.venues == p.activities == p.history == ()


def test_optional_columns_may_be_left_out(tmp_path: Path, tables: Tables) -> None:
    tables["leaders"] = [row[:5] for row in tables["leaders"]]
    tables["term"] = [row[:4] for row in tables["term"]]
    p = read(tmp_path, tables).problem
    assert p.leader("L003").contact_every_weeks == 2 and p.leader("L001").lecture
    assert p.term.contact_weeks == frozenset()


def test_gbk_file_with_chinese_headers(tmp_path: Path, tables: Tables) -> None:
    expected = read(tmp_path / "a", tables).problem
    gbk = read(tmp_path / "b", chinese_headers(tables), encoding="gbk").problem
    assert gbk == expected
    assert gbk.leader("L001").name == "张书记"  # no mojibake


def test_gb18030_and_utf8_bom_read_alike(tmp_path: Path, tables: Tables) -> None:
    expected = read(tmp_path / "a", tables).problem
    assert read(tmp_path / "b", tables, encoding="utf-8-sig").problem == expected
    assert read(tmp_path / "c", tables, encoding="gb18030").problem == expected


def test_utf8_bom_first_header_is_recognised(tmp_path: Path, tables: Tables) -> None:
    folder = write_csvs(tmp_path / "in", tables, encoding="utf-8-sig")
    assert (folder / "term.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    assert read_problem(folder).problem.term.term_id == "2026-2027-1"


def test_csv_folder_and_workbook_give_equal_problems(tmp_path: Path, tables: Tables) -> None:
    from_csv = read(tmp_path, tables).problem
    from_xlsx = read_problem(write_xlsx(tmp_path / "term.xlsx", tables)).problem
    assert from_xlsx == from_csv


def test_workbook_with_chinese_sheet_names_and_headers(tmp_path: Path, tables: Tables) -> None:
    names = {spec.stem: spec.zh_name for spec in TABLE_BY_STEM.values()}
    names["periods"] = "作息时间"
    path = write_xlsx(tmp_path / "学期数据.xlsx", chinese_headers(tables), names)
    assert read_problem(path).problem == read(tmp_path, tables).problem


def test_title_row_above_the_header_is_skipped(tmp_path: Path, tables: Tables) -> None:
    path = write_xlsx(tmp_path / "t.xlsx", tables)
    workbook = openpyxl.load_workbook(path)
    workbook["leaders"].insert_rows(1)
    workbook["leaders"]["A1"] = "2026-2027学年第一学期 校领导名单"
    workbook["leaders"]["B4"] = None  # blank name of L002, now on spreadsheet row 4
    workbook.save(path)
    found = read_errors(path).problems
    assert [(p.file, p.row, p.column) for p in found] == [("t.xlsx[leaders]", 4, "name")]


def test_excel_time_and_datetime_cells(tmp_path: Path, tables: Tables) -> None:
    path = write_xlsx(tmp_path / "t.xlsx", tables)
    workbook = openpyxl.load_workbook(path)
    workbook["periods"]["B2"].value = dt.datetime(1899, 12, 30, 7, 59, 59, 999000)  # a time cell
    workbook["periods"]["B2"].number_format = "h:mm"
    workbook["absences"]["C3"].number_format = "yyyy-mm-dd hh:mm"
    workbook.save(path)
    p = read_problem(path).problem
    assert p.periods[0].start == 8 * 60
    assert p.absences[1].end == dt.datetime(2026, 9, 20, 18)


def test_headers_match_case_spacing_and_aliases(tmp_path: Path, tables: Tables) -> None:
    tables["term"][0] = ["Term ID", "NAME", "Start-Date", "weeks*", "contact_weeks(optional)"]
    tables["leaders"][0][0] = "工号"
    tables["leaders"][0][1] = " 姓名 "
    assert read(tmp_path, tables).problem.term.term_id == "2026-2027-1"


def test_header_alias_table() -> None:
    assert column_for("leaders", "工号") == "leader_id"
    assert column_for("units", "编号") == "unit_id"
    assert column_for("periods", "节次") == "period"
    assert column_for("timetable", "节次") == "periods"
    assert column_for("timetable", "周次") == "weeks"
    assert column_for("term", "开学日期") == "start_date"
    assert column_for("term", "教学周数") == "weeks"
    assert column_for("term", "学期编号") == "term_id"
    assert column_for("leaders", "职务") == "title"
    assert column_for("leaders", "层级") == "tier"
    assert column_for("units", "类型") == "kind"
    assert column_for("venues", "地点") == "location"
    assert column_for("leaders", "unknown") is None
    assert stem_for("领导干部") == "leaders" and stem_for("作息时间") == "periods"
    assert stem_for(" Leaders.CSV ") == "leaders" and stem_for("节次") == "periods"


def test_no_header_alias_names_two_columns_of_one_file() -> None:
    for spec in TABLE_BY_STEM.values():
        for column in spec.columns:
            for spelling in (column.name, column.zh, *column.aliases):
                assert column_for(spec.stem, spelling) == column.name, (spec.stem, spelling)


def test_chinese_codes_are_accepted(tmp_path: Path, tables: Tables) -> None:
    tables["leaders"][1][3] = "校领导"
    tables["units"][2][1] = "宿舍"
    tables["absences"][1][3] = "出差"
    tables["windows"][2][0] = "宿舍"
    tables["courses"][1][2] = "形势与政策"
    tables["activities"][1][1] = "进讲座"
    p = read(tmp_path, tables).problem
    assert p.leader("L001").tier == "school" and p.unit("D001").kind == "dorm"
    assert p.absences[0].kind == "travel" and p.windows[1].target == "dorm"
    assert p.courses[0].kind == "situation_policy" and p.activities[0].visit_kind == "lecture"


def test_extra_columns_give_one_warning_per_file(tmp_path: Path, tables: Tables) -> None:
    tables["leaders"] = [row + ["x", "y"] for row in tables["leaders"]]
    tables["leaders"][0][-2:] = ["备注", "手机"]
    warnings = [w for w in read(tmp_path, tables).warnings if w.file == "leaders.csv"]
    assert len(warnings) == 1
    assert "备注" in warnings[0].zh and "手机" in warnings[0].zh and warnings[0].row == 1


def test_explanation_and_blank_rows_are_skipped(tmp_path: Path, tables: Tables) -> None:
    tables["campuses"].insert(1, ["说明：校区编号", "名称"])
    tables["campuses"].insert(2, ["", ""])
    assert len(read(tmp_path, tables).problem.campuses) == 2


def test_blank_campus_name_defaults_to_the_id(tmp_path: Path, tables: Tables) -> None:
    tables["campuses"][2][1] = ""
    assert read(tmp_path, tables).problem.campus_name("EAST") == "EAST"


def test_holidays_from_the_library_for_national_day_2026(tmp_path: Path, tables: Tables) -> None:
    # State Council 2026: National Day 10-01..10-07 off; Sun 09-20 and Sat 10-10 are workdays.
    # Sun 09-20 makes up for Tue 10-06 and runs its timetable; Sat 10-10 for Wed 10-07.
    holidays = {h.date: h for h in read(tmp_path, tables).problem.holidays}
    assert holidays[dt.date(2026, 9, 20)] == Holiday(
        dt.date(2026, 9, 20), holidays[dt.date(2026, 9, 20)].name, "workday",
        follows_date=dt.date(2026, 10, 6),
    )  # fmt: skip
    assert holidays[dt.date(2026, 10, 10)].follows_date == dt.date(2026, 10, 7)
    for day in range(1, 8):  # 10-03/04 are a weekend inside the break
        assert holidays[dt.date(2026, 10, day)].kind == "holiday"
    assert holidays[dt.date(2026, 10, 1)].name == holidays[dt.date(2026, 10, 4)].name == "国庆节"
    assert holidays[dt.date(2026, 9, 25)].name == "中秋节"
    assert holidays[dt.date(2026, 9, 27)].name == "中秋节"  # 09-25..27 off
    assert dt.date(2026, 10, 8) not in holidays and dt.date(2026, 10, 11) not in holidays
    # the official days run on for 120 days after the term (feedback deadlines count them)
    assert all(dt.date(2026, 9, 7) <= d <= dt.date(2027, 1, 10) + dt.timedelta(days=120) for d in holidays)
    assert any(d > dt.date(2027, 1, 10) for d in holidays)  # e.g. the Spring Festival 2027


def test_unpublished_holiday_year_gives_a_warning(tmp_path: Path, tables: Tables) -> None:
    warnings = read(tmp_path, tables).warnings  # the term runs into January 2027
    estimated = [w for w in warnings if w.file == "holidays.csv"]
    assert len(estimated) == 1 and "2027" in estimated[0].zh and "2027" in estimated[0].en


def test_published_year_gives_no_holiday_warning(tmp_path: Path, tables: Tables) -> None:
    tables["term"][1][2:5] = ["2026-03-02", "16", ""]
    result = read(tmp_path, tables)
    assert not [w for w in result.warnings if w.file == "holidays.csv"]
    labour_day = {h.date: h for h in result.problem.holidays}[dt.date(2026, 5, 9)]
    assert (labour_day.kind, labour_day.follows_date) == ("workday", dt.date(2026, 5, 5))


def test_holidays_file_replaces_the_library(tmp_path: Path, tables: Tables) -> None:
    tables["holidays"] = [
        ["date", "name", "kind", "follows_date", "follows_weekday"],
        ["2026-10-01", "国庆节", "holiday", "", ""],
        ["2026-09-27", "调休", "workday", "2026-10-08", ""],
        ["2026-10-11", "调休", "workday", "", "周五"],
    ]
    result = read(tmp_path, tables)
    assert result.problem.holidays == (
        Holiday(dt.date(2026, 10, 1), "国庆节", "holiday"),
        Holiday(dt.date(2026, 9, 27), "调休", "workday", follows_date=dt.date(2026, 10, 8)),
        Holiday(dt.date(2026, 10, 11), "调休", "workday", follows_weekday=5),
    )
    assert not [w for w in result.warnings if w.file == "holidays.csv"]


def test_header_only_holidays_file_means_the_library(tmp_path: Path, tables: Tables) -> None:
    tables["holidays"] = [["date", "name", "kind", "follows_date", "follows_weekday"]]
    assert any(h.date == dt.date(2026, 10, 1) for h in read(tmp_path, tables).problem.holidays)


def test_stale_history_is_dropped_with_a_warning(tmp_path: Path, tables: Tables) -> None:
    tables["history"] += [["L002", "GONE"], ["L999", "C001"]]
    result = read(tmp_path, tables)
    assert [(h.leader_id, h.unit_id) for h in result.problem.history] == [("L001", "C001")]
    history = [(w.row, w.column) for w in result.warnings if w.file == "history.csv"]
    assert history == [(3, "unit_id"), (4, "leader_id")]


def test_society_without_window_is_a_warning(tmp_path: Path, tables: Tables) -> None:
    del tables["windows"][1]
    result = read(tmp_path, tables)
    assert [(w.file, w.row, w.column) for w in result.warnings if w.file == "units.csv"] == [
        ("units.csv", 4, "unit_id")
    ]
    tables["windows"].append(["society", "5", "19:00", "21:00", ""])
    assert not [w for w in read(tmp_path / "b", tables).warnings if w.file == "units.csv"]


def test_travel_given_in_both_directions_is_kept_as_given(tmp_path: Path, tables: Tables) -> None:
    tables["travel"].append(["EAST", "MAIN", "55"])
    p = read(tmp_path, tables).problem
    assert (p.travel_minutes("MAIN", "EAST"), p.travel_minutes("EAST", "MAIN")) == (40, 55)


def test_single_campus_needs_no_travel(tmp_path: Path, tables: Tables) -> None:
    tables = base_tables()
    for stem, column in (("leaders", 4), ("units", 3)):
        for row in tables[stem][1:]:
            row[column] = "MAIN"
    tables["periods"].pop()
    tables["timetable"][3][7] = ""
    del tables["travel"]
    assert read(tmp_path, tables).problem.travel == ()


def test_a_csv_with_a_quoted_newline_keeps_row_numbers(tmp_path: Path, tables: Tables) -> None:
    tables["absences"][1][4] = "北京\n开会"
    assert read(tmp_path, tables).problem.absences[0].note == "北京\n开会"
