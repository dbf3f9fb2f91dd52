"""The demo university (data/demo): the contract's files and columns, and its contents."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from pathlib import Path

import pytest
from term_files import (
    CONTRACT,
    REQUIRED,
    REQUIRED_FILES,
    class_densities,
    headers,
    read_folder,
    reference_problems,
    weeks_without_a_day_at_school,
)

DEMO = Path(__file__).resolve().parents[1] / "data" / "demo"


@pytest.fixture(scope="module")
def files():
    return read_folder(DEMO)


def test_the_contract_files_and_columns_are_there() -> None:
    stems = {p.stem for p in DEMO.glob("*.csv")}
    assert set(REQUIRED_FILES) <= stems <= set(CONTRACT)
    for stem in sorted(stems):
        assert set(headers(DEMO, stem)) <= set(CONTRACT[stem]), f"{stem}: extra columns"
        assert set(REQUIRED[stem]) <= set(headers(DEMO, stem)), f"{stem}: missing columns"
    assert (DEMO / "README.md").is_file()


def test_required_cells_are_filled(files) -> None:
    blank = [
        f"{stem}:{n + 2}:{column}"
        for stem, rows in files.items()
        for n, row in enumerate(rows)
        for column in REQUIRED[stem]
        if not row[column].strip()
    ]
    assert blank == []


def test_term(files) -> None:
    (term,) = files["term"]
    assert term["term_id"] == "2026-2027-1"
    assert dt.date.fromisoformat(term["start_date"]).isoweekday() == 1
    assert (term["weeks"], term["contact_weeks"]) == ("18", "1-17")


def test_leaders(files) -> None:
    tiers = Counter(r["tier"] for r in files["leaders"])
    assert len(files["leaders"]) == 40
    assert tiers == {"school": 10, "department": 11, "college": 12, "student_affairs": 7}
    assert len({r["name"] for r in files["leaders"]}) == 40
    teaching = {r["owner_id"] for r in files["timetable"] if r["owner_id"].startswith("L") and r["periods"]}
    assert len(teaching) >= 5
    standing = [r for r in files["timetable"] if r["title"] == "党委常委会"]
    assert len(standing) == 9 and all(r["weekday"] == "1" and r["start"] for r in standing)


def test_units_and_windows(files) -> None:
    kinds = Counter(r["kind"] for r in files["units"])
    assert kinds == {"class": 60, "dorm": 20, "society": 12}
    assert len({r["campus_id"] for r in files["campuses"]}) == 3
    societies = {r["unit_id"] for r in files["units"] if r["kind"] == "society"}
    assert societies <= {r["target"] for r in files["windows"]}


def test_class_timetables_are_40_to_60_percent_busy(files) -> None:
    densities = class_densities(files)
    assert len(densities) == 60
    assert all(0.40 <= d <= 0.60 for d in densities.values()), densities


def test_venues_activities_courses(files) -> None:
    venues = Counter(r["kind"] for r in files["venues"])
    assert venues == {"canteen": 5, "online": 1, "community": 3}
    activities = files["activities"]
    assert len(activities) >= 15
    assert {"主题班会", "形势报告", "座谈会", "社团活动", "文体竞赛"} <= {a["format"] for a in activities}
    start, end = dt.date(2026, 9, 7), dt.date(2026, 9, 7) + dt.timedelta(weeks=18)
    assert all(start <= dt.date.fromisoformat(a["date"]) < end for a in activities)
    courses = files["courses"]
    assert len(courses) == 16
    assert {c["kind"] for c in courses} == {"theory", "situation_policy"}
    lecturers = sum(
        r["tier"] == "school" and r["lecture"] != "false" or r["lecture"] == "true"
        for r in files["leaders"]
    )
    assert len(courses) >= lecturers
    school = sum(r["tier"] == "school" for r in files["leaders"])
    seats = sum(int(a["max_leaders"]) for a in activities if a["visit_kind"] == "lecture")
    assert seats >= school


def test_periods_with_a_winter_override(files) -> None:
    plain = [r for r in files["periods"] if not r["campus"]]
    assert [int(r["period"]) for r in plain] == list(range(1, 13))
    winter = {r["period"]: r for r in files["periods"] if r["campus"]}
    assert {(r["campus"], r["weeks"]) for r in winter.values()} == {("yanshan", "9-18")}
    assert winter["6"]["start"] == "13:30"


def test_national_day_and_make_up_days(files) -> None:
    days = {r["date"]: r for r in files["holidays"]}
    assert all(days[f"2026-10-0{d}"]["kind"] == "holiday" for d in range(1, 8))
    assert days["2026-09-25"]["kind"] == "holiday"
    assert (days["2026-09-20"]["kind"], days["2026-09-20"]["follows_date"]) == ("workday", "2026-10-06")
    assert (days["2026-10-10"]["kind"], days["2026-10-10"]["follows_date"]) == ("workday", "2026-10-07")


def test_the_deliberate_impossibility(files) -> None:
    """赵明远 (L06, 副校长) is away all of weeks 9-10, so his weekly contact there cannot be met."""
    (trip,) = [r for r in files["absences"] if r["owner_id"] == "L06"]
    assert (trip["start"], trip["end"]) == ("2026-11-02", "2026-11-15")
    leader = next(r for r in files["leaders"] if r["leader_id"] == "L06")
    assert leader["tier"] == "school" and leader["contact_every_weeks"] in ("", "1")
    military = [r for r in files["absences"] if "军训" in r["note"]]
    assert military and all(r["end"] == "2026-09-20" for r in military)


def test_every_referenced_id_exists(files) -> None:
    assert reference_problems(files) == []


# through the data reader ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def problem():
    from data.reader import read_problem

    result = read_problem(DEMO)
    assert result.warnings == ()
    return result.problem


def test_the_reader_reads_the_demo_without_problems(problem) -> None:
    assert (len(problem.leaders), len(problem.units)) == (40, 92)
    assert len(problem.courses) == 16 and len(problem.activities) == 16
    make_up = {h.date: h.follows_date for h in problem.holidays if h.kind == "workday"}
    assert make_up == {dt.date(2026, 9, 20): dt.date(2026, 10, 6), dt.date(2026, 10, 10): dt.date(2026, 10, 7)}


def test_only_the_deliberate_weeks_are_impossible(problem) -> None:
    blocked = {
        leader.leader_id: weeks
        for leader in problem.leaders
        if (weeks := weeks_without_a_day_at_school(problem, leader.leader_id))
    }
    assert blocked == {"L06": [9, 10]}
    assert problem.leader("L06").contact_every_weeks == 1
