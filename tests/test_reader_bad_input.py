"""Bad input: every problem is reported, with its file, row and column, in Chinese and English."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import Tables, read_errors, where, write_csvs, write_xlsx

import data.reader
from data.problems import InputError, InputProblem
from data.reader import read_problem
from solver.problem import ProblemError


def problems(tmp_path: Path, tables: Tables, encoding: str = "utf-8") -> tuple[InputProblem, ...]:
    return read_errors(write_csvs(tmp_path / "in", tables, encoding)).problems


def only(tmp_path: Path, tables: Tables) -> tuple[str, int | None, str | None]:
    """The location of the one problem that reading ``tables`` must give."""
    found = problems(tmp_path, tables)
    assert len(found) == 1, [p.format() for p in found]
    assert found[0].zh and found[0].en
    return found[0].file, found[0].row, found[0].column


# files, sheets, columns -----------------------------------------------------------------------
def test_missing_required_file(tmp_path: Path, tables: Tables) -> None:
    del tables["units"]
    del tables["history"], tables["activities"]  # would name units that are gone
    found = problems(tmp_path, tables)
    assert ("units.csv", None, None) in where(found)


def test_missing_required_column(tmp_path: Path, tables: Tables) -> None:
    tables["term"] = [row[:2] + row[3:] for row in tables["term"]]  # no start_date
    assert only(tmp_path, tables) == ("term.csv", 1, "start_date")


def test_workbook_with_a_missing_sheet(tmp_path: Path, tables: Tables) -> None:
    del tables["campuses"]
    found = read_errors(write_xlsx(tmp_path / "term.xlsx", tables)).problems
    assert ("term.xlsx[campuses]", None, None) in where(found)
    assert "campuses" in found[0].en


def test_empty_required_file(tmp_path: Path, tables: Tables) -> None:
    folder = write_csvs(tmp_path / "in", tables)
    (folder / "leaders.csv").write_bytes(b"")
    found = read_errors(folder).problems
    assert ("leaders.csv", None, None) in where(found)


def test_header_only_required_file(tmp_path: Path, tables: Tables) -> None:
    tables["units"] = tables["units"][:1]
    tables["windows"].pop(1)
    for stem in ("history", "courses"):
        del tables[stem]
    tables["timetable"].pop(2)
    tables["absences"].pop(2)
    for row in tables["leaders"][1:]:
        row[9] = "否"
    assert only(tmp_path, tables) == ("units.csv", None, None)


def test_empty_optional_file_counts_as_absent(tmp_path: Path, tables: Tables) -> None:
    folder = write_csvs(tmp_path / "in", tables)
    (folder / "history.csv").write_bytes(b"\n\n")
    assert read_problem(folder).problem.history == ()


def test_ragged_row_is_a_problem_with_its_row(tmp_path: Path, tables: Tables) -> None:
    folder = write_csvs(tmp_path / "in", tables)
    text = (folder / "venues.csv").read_text(encoding="utf-8").splitlines()
    text[2] += ",extra,cells"
    (folder / "venues.csv").write_text("\n".join(text) + "\n", encoding="utf-8")
    found = read_errors(folder).problems
    assert where(found) == {("venues.csv", 3, None)}


def test_undecodable_file(tmp_path: Path, tables: Tables) -> None:
    folder = write_csvs(tmp_path / "in", tables)
    (folder / "history.csv").write_bytes(b"leader_id,unit_id\nL001,\xff\xff\n")
    assert where(read_errors(folder).problems) == {("history.csv", None, None)}


def test_not_a_folder_or_workbook(tmp_path: Path) -> None:
    assert where(read_errors(tmp_path / "nowhere").problems) == {(str(tmp_path / "nowhere"), None, None)}  # fmt: skip
    old = tmp_path / "term.xls"
    old.write_bytes(b"\xd0\xcf\x11\xe0")  # an .xls cut short
    assert where(read_errors(old).problems) == {("term.xls", None, None)}
    assert "无法打开工作簿" in read_errors(old).problems[0].zh
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"not a zip")
    assert where(read_errors(broken).problems) == {("broken.xlsx", None, None)}


def test_same_table_twice_in_a_folder(tmp_path: Path, tables: Tables) -> None:
    folder = write_csvs(tmp_path / "in", tables)
    (folder / "校区.csv").write_bytes((folder / "campuses.csv").read_bytes())
    assert ("校区.csv", None, None) in where(read_errors(folder).problems)


def test_same_column_twice(tmp_path: Path, tables: Tables) -> None:
    tables["campuses"] = [row + [row[1]] for row in tables["campuses"]]
    tables["campuses"][0][2] = "校区名称"
    assert only(tmp_path, tables) == ("campuses.csv", 1, "校区名称")


# the term ---------------------------------------------------------------------------------------
def test_term_with_two_rows(tmp_path: Path, tables: Tables) -> None:
    tables["term"].append(tables["term"][1][:])
    assert only(tmp_path, tables) == ("term.csv", 3, None)


def test_term_with_no_row(tmp_path: Path, tables: Tables) -> None:
    tables["term"] = tables["term"][:1]
    assert ("term.csv", None, None) in where(problems(tmp_path, tables))


def test_term_start_date_not_a_monday(tmp_path: Path, tables: Tables) -> None:
    tables["term"][1][2] = "2026-09-08"
    found = problems(tmp_path, tables)
    assert where(found) == {("term.csv", 2, "start_date")}
    assert "2026-09-07" in found[0].zh  # says which Monday was probably meant


def test_bad_timezone(tmp_path: Path, tables: Tables) -> None:
    tables["term"][0].append("timezone")
    tables["term"][1].append("Beijing")
    assert only(tmp_path, tables) == ("term.csv", 2, "timezone")


def test_bad_contact_week_spec(tmp_path: Path, tables: Tables) -> None:
    tables["term"][1][4] = "1-19"
    assert only(tmp_path, tables) == ("term.csv", 2, "contact_weeks")


# cells ------------------------------------------------------------------------------------------
def test_blank_required_cell(tmp_path: Path, tables: Tables) -> None:
    tables["leaders"][2][1] = ""
    assert only(tmp_path, tables) == ("leaders.csv", 3, "name")


def test_unknown_tier(tmp_path: Path, tables: Tables) -> None:
    tables["leaders"][3][3] = "dean"
    assert only(tmp_path, tables) == ("leaders.csv", 4, "tier")


def test_unknown_unit_kind(tmp_path: Path, tables: Tables) -> None:
    tables["units"][1][1] = "classroom"
    assert only(tmp_path, tables) == ("units.csv", 2, "kind")


def test_unknown_absence_kind(tmp_path: Path, tables: Tables) -> None:
    tables["absences"][2][3] = "holiday"
    assert only(tmp_path, tables) == ("absences.csv", 3, "kind")


def test_unknown_visit_kind(tmp_path: Path, tables: Tables) -> None:
    tables["activities"][1][1] = "party"
    assert only(tmp_path, tables) == ("activities.csv", 2, "visit_kind")


def test_bad_boolean(tmp_path: Path, tables: Tables) -> None:
    tables["leaders"][3][8] = "maybe"
    assert only(tmp_path, tables) == ("leaders.csv", 4, "link")


def test_bad_week_spec(tmp_path: Path, tables: Tables) -> None:
    tables["timetable"][2][5] = "1-x"
    assert only(tmp_path, tables) == ("timetable.csv", 3, "weeks")


def test_reversed_week_spec(tmp_path: Path, tables: Tables) -> None:
    tables["courses"][1][5] = "17-3"
    assert only(tmp_path, tables) == ("courses.csv", 2, "weeks")


def test_week_beyond_the_term(tmp_path: Path, tables: Tables) -> None:
    tables["periods"][7][4] = "1-19"
    assert only(tmp_path, tables) == ("periods.csv", 8, "weeks")


def test_time_25_00(tmp_path: Path, tables: Tables) -> None:
    tables["periods"][3][2] = "25:00"
    assert only(tmp_path, tables) == ("periods.csv", 4, "end")


def test_period_end_before_start(tmp_path: Path, tables: Tables) -> None:
    tables["periods"][1][1:3] = ["08:45", "08:00"]
    assert only(tmp_path, tables) == ("periods.csv", 2, "end")


def test_timetable_end_before_start(tmp_path: Path, tables: Tables) -> None:
    tables["timetable"][3][3:5] = ["16:00", "14:00"]
    assert only(tmp_path, tables) == ("timetable.csv", 4, "end")


def test_absence_end_before_start(tmp_path: Path, tables: Tables) -> None:
    tables["absences"][1][1:3] = ["2026-10-23", "2026-10-19"]
    assert only(tmp_path, tables) == ("absences.csv", 2, "end")


def test_window_end_before_start(tmp_path: Path, tables: Tables) -> None:
    tables["windows"][1][2:4] = ["21:00", "19:00"]
    assert only(tmp_path, tables) == ("windows.csv", 2, "end")


def test_24_00_as_a_start(tmp_path: Path, tables: Tables) -> None:
    tables["windows"][2][2] = "24:00"
    assert only(tmp_path, tables) == ("windows.csv", 3, "start")


def test_timetable_with_periods_and_times(tmp_path: Path, tables: Tables) -> None:
    tables["timetable"][1][3:5] = ["08:00", "09:00"]
    assert only(tmp_path, tables) == ("timetable.csv", 2, "periods")


def test_timetable_with_neither_periods_nor_times(tmp_path: Path, tables: Tables) -> None:
    tables["timetable"][1][2] = ""
    assert only(tmp_path, tables) == ("timetable.csv", 2, "periods")


def test_canteen_without_campus(tmp_path: Path, tables: Tables) -> None:
    tables["venues"][1][3] = ""
    assert only(tmp_path, tables) == ("venues.csv", 2, "campus")


def test_workday_that_follows_nothing(tmp_path: Path, tables: Tables) -> None:
    tables["holidays"] = [
        ["date", "name", "kind", "follows_date", "follows_weekday"],
        ["2026-10-01", "国庆节", "holiday", "", ""],
        ["2026-09-27", "调休", "workday", "", ""],
    ]
    assert only(tmp_path, tables) == ("holidays.csv", 3, "follows_date")


def test_workday_that_follows_both(tmp_path: Path, tables: Tables) -> None:
    tables["holidays"] = [
        ["date", "name", "kind", "follows_date", "follows_weekday"],
        ["2026-09-27", "调休", "workday", "2026-10-08", "4"],
    ]
    assert only(tmp_path, tables) == ("holidays.csv", 2, "follows_date")


def test_unknown_holiday_kind(tmp_path: Path, tables: Tables) -> None:
    tables["holidays"] = [["date", "kind"], ["2026-10-01", "vacation"]]
    assert only(tmp_path, tables) == ("holidays.csv", 2, "kind")


# references -------------------------------------------------------------------------------------
def test_leader_on_an_unknown_campus(tmp_path: Path, tables: Tables) -> None:
    tables["leaders"][2][4] = "WEST"
    assert only(tmp_path, tables) == ("leaders.csv", 3, "campus")


def test_unit_on_an_unknown_campus(tmp_path: Path, tables: Tables) -> None:
    tables["units"][3][3] = "WEST"
    assert only(tmp_path, tables) == ("units.csv", 4, "campus")


def test_unknown_campus_in_travel(tmp_path: Path, tables: Tables) -> None:
    tables["travel"][1][1] = "WEST"
    found = problems(tmp_path, tables)
    assert ("travel.csv", 2, "to_campus") in where(found)


def test_unknown_timetable_owner(tmp_path: Path, tables: Tables) -> None:
    tables["timetable"][2][0] = "C999"
    assert only(tmp_path, tables) == ("timetable.csv", 3, "owner_id")


def test_unknown_absence_owner(tmp_path: Path, tables: Tables) -> None:
    tables["absences"][1][0] = "L999"
    assert only(tmp_path, tables) == ("absences.csv", 2, "owner_id")


def test_unknown_activity_unit(tmp_path: Path, tables: Tables) -> None:
    tables["activities"][1][9] = "C999"
    assert only(tmp_path, tables) == ("activities.csv", 2, "unit_id")


def test_unknown_course_class(tmp_path: Path, tables: Tables) -> None:
    tables["courses"][1][8] = "C001;C404"
    found = problems(tmp_path, tables)
    assert where(found) == {("courses.csv", 2, "class_ids")} and "C404" in found[0].zh


def test_window_target_neither_unit_venue_nor_kind(tmp_path: Path, tables: Tables) -> None:
    tables["windows"][1][0] = "library"
    assert only(tmp_path, tables) == ("windows.csv", 2, "target")


def test_duplicate_leader_id(tmp_path: Path, tables: Tables) -> None:
    tables["leaders"][3][0] = "L001"
    assert only(tmp_path, tables) == ("leaders.csv", 4, "leader_id")


def test_id_used_by_a_leader_and_a_unit(tmp_path: Path, tables: Tables) -> None:
    tables["units"][3][0] = "L002"
    found = problems(tmp_path, tables)
    assert ("units.csv", 4, "unit_id") in where(found)
    assert "leaders.csv" in found[0].zh


def test_duplicate_campus_id(tmp_path: Path, tables: Tables) -> None:
    tables["campuses"].append(["EAST", "东校区二"])
    assert only(tmp_path, tables) == ("campuses.csv", 4, "campus_id")


def test_period_defined_twice(tmp_path: Path, tables: Tables) -> None:
    tables["periods"].append(["5", "14:10", "14:55", "EAST", "8-12"])  # weeks overlap in 8
    assert only(tmp_path, tables) == ("periods.csv", 9, "period")


def test_timetable_period_not_defined(tmp_path: Path, tables: Tables) -> None:
    tables["timetable"][1][2] = "5-7"
    found = problems(tmp_path, tables)
    assert where(found) == {("timetable.csv", 2, "periods")} and "7" in found[0].zh


def test_course_period_not_defined(tmp_path: Path, tables: Tables) -> None:
    tables["courses"][1][4] = "9-10"
    assert only(tmp_path, tables) == ("courses.csv", 2, "periods")


def test_missing_travel_pair_reported_at_travel(tmp_path: Path, tables: Tables) -> None:
    tables["campuses"].append(["WEST", "西校区"])
    tables["units"][3][3] = "WEST"
    found = problems(tmp_path, tables)
    assert where(found) == {("travel.csv", None, None)}
    assert sorted(p.en.split(",")[0] for p in found) == [
        "no travel time between campuses EAST and WEST",
        "no travel time between campuses MAIN and WEST",
    ]


def test_missing_travel_file_reported_at_campuses(tmp_path: Path, tables: Tables) -> None:
    del tables["travel"]
    found = problems(tmp_path, tables)
    assert where(found) == {("campuses.csv", None, None)}
    assert "EAST" in found[0].zh and "MAIN" in found[0].zh


def test_unused_campus_needs_no_travel(tmp_path: Path, tables: Tables) -> None:
    tables["campuses"].append(["WEST", "西校区"])
    assert len(read_problem(write_csvs(tmp_path / "in", tables)).problem.campuses) == 3


def test_lecture_without_courses(tmp_path: Path, tables: Tables) -> None:
    del tables["courses"]
    assert only(tmp_path, tables) == ("courses.csv", None, None)


# reporting --------------------------------------------------------------------------------------
def test_every_problem_in_every_file_comes_at_once(tmp_path: Path, tables: Tables) -> None:
    tables["term"][1][2] = "2026-09-09"
    tables["leaders"][1][3] = "boss"
    tables["leaders"][2][4] = "MOON"
    tables["units"][2][0] = "C001"
    tables["timetable"][1][5] = "3-1"
    tables["absences"][2][0] = "nobody"
    tables["windows"][2][0] = "gym"
    found = problems(tmp_path, tables)
    assert where(found) == {
        ("term.csv", 2, "start_date"),
        ("leaders.csv", 2, "tier"),
        ("leaders.csv", 3, "campus"),
        ("units.csv", 3, "unit_id"),
        ("timetable.csv", 2, "weeks"),
        ("absences.csv", 3, "owner_id"),
        ("windows.csv", 3, "target"),
    }
    assert [p.file for p in found][:3] == ["term.csv", "leaders.csv", "leaders.csv"]


def test_problem_format_and_languages(tmp_path: Path, tables: Tables) -> None:
    tables["leaders"][2][4] = "WEST"
    error = read_errors(write_csvs(tmp_path / "in", tables))
    assert error.problems[0].format().startswith("leaders.csv:3:campus: 未知校区“WEST”")
    assert error.problems[0].format("en").startswith("leaders.csv:3:campus: unknown campus 'WEST'")
    assert str(error) == error.format("zh")
    assert InputProblem("term.csv", None, None, "中", "en").format() == "term.csv: 中"
    assert InputProblem("term.csv", 2, None, "中", "en").format("en") == "term.csv:2: en"


def test_problem_column_is_the_header_as_written(tmp_path: Path, tables: Tables) -> None:
    tables["leaders"][0][4] = "校区"
    tables["leaders"][2][4] = "WEST"
    folder = write_csvs(tmp_path / "in", tables, encoding="gbk")
    assert where(read_errors(folder).problems) == {("leaders.csv", 3, "校区")}


def test_workbook_problems_name_the_sheet_and_row(tmp_path: Path, tables: Tables) -> None:
    tables["leaders"][2][4] = "WEST"
    path = write_xlsx(tmp_path / "data.xlsx", tables, {"leaders": "领导干部"})
    assert where(read_errors(path).problems) == {("data.xlsx[领导干部]", 3, "campus")}


def test_warnings_travel_with_the_error(tmp_path: Path, tables: Tables) -> None:
    tables["leaders"] = [row + ["x"] for row in tables["leaders"]]
    tables["leaders"][0][-1] = "备注"
    tables["leaders"][1][3] = "boss"
    error = read_errors(write_csvs(tmp_path / "in", tables))
    assert ("leaders.csv", 1, None) in where(error.warnings)


def test_problem_error_from_the_model_becomes_an_input_problem(
    tmp_path: Path, tables: Tables, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(**fields: object) -> None:
        raise ProblemError(["something the reader did not foresee"])

    monkeypatch.setattr(data.reader, "Problem", refuse)
    with pytest.raises(InputError) as caught:
        read_problem(write_csvs(tmp_path / "in", tables))
    assert where(caught.value.problems) == {("in", None, None)}
    assert "did not foresee" in caught.value.problems[0].en
