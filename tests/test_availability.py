"""The availability engine on hand-checked dates: make-up days, odd/even weeks, period overrides,
absences, travel and buffers."""

import datetime as dt

from factories import START, tiny

from solver import intervals as iv
from solver.availability import Availability
from solver.problem import Absence, Holiday, Period, TimetableEntry
from solver.termcal import TermCalendar

ODD = frozenset({1, 3, 5})


def at(day: dt.date, h: int, m: int = 0) -> int:
    return (day - START).days * iv.DAY + h * 60 + m


def test_a_makeup_sunday_runs_the_followed_days_timetable_in_another_week():
    # 2026-09-20 (Sunday, week 2) runs the timetable of 2026-10-06 (Tuesday, week 5).
    holidays = (
        Holiday(dt.date(2026, 10, 6), "国庆节", "holiday"),
        Holiday(dt.date(2026, 9, 20), "国庆节调休", "workday", follows_date=dt.date(2026, 10, 6)),
    )
    entry = TimetableEntry("C1", 2, frozenset({5}), periods=(1, 2), title="高等数学")
    p = tiny(weeks=6, holidays=holidays, timetable=(entry,))
    avail = Availability(p)
    busy = avail.busy_set("C1")
    assert busy == ((at(dt.date(2026, 9, 20), 8), at(dt.date(2026, 9, 20), 9, 40)),)
    cal = TermCalendar.of(p)
    assert cal.day_of_date(dt.date(2026, 10, 6)).runs is None
    assert cal.day_of_date(dt.date(2026, 9, 20)).is_workday


def test_a_makeup_day_following_a_weekday_keeps_its_own_week():
    holidays = (Holiday(dt.date(2026, 9, 19), "调休", "workday", follows_weekday=5),)
    entry = TimetableEntry("C1", 5, frozenset({2}), start=14 * 60, end=15 * 60)
    avail = Availability(tiny(weeks=3, holidays=holidays, timetable=(entry,)))
    days = sorted({s // iv.DAY for s, _ in avail.busy_set("C1")})
    assert [START + dt.timedelta(days=d) for d in days] == [dt.date(2026, 9, 18), dt.date(2026, 9, 19)]


def test_odd_weeks_only_in_odd_weeks():
    entry = TimetableEntry("C1", 1, ODD, periods=(1, 1))
    avail = Availability(tiny(weeks=6, timetable=(entry,)))
    weeks = [s // iv.DAY // 7 + 1 for s, _ in avail.busy_set("C1")]
    assert weeks == [1, 3, 5]


def test_a_campus_and_season_period_row_overrides_the_plain_row():
    periods = tiny().periods + (Period(5, 13 * 60 + 30, 14 * 60 + 15, campus="A", weeks=frozenset({2})),)
    entry = TimetableEntry("C1", 1, frozenset(), periods=(5, 5))
    avail = Availability(tiny(weeks=2, periods=periods, timetable=(entry,)))
    week1, week2 = avail.busy_set("C1")
    assert week1[0] % iv.DAY == 14 * 60
    assert week2[0] % iv.DAY == 13 * 60 + 30


def test_a_trip_blocks_whole_days_and_a_meeting_blocks_with_a_buffer():
    trip = Absence("L1", dt.datetime(2026, 9, 8), dt.datetime(2026, 9, 10), "travel", "北京")
    meeting = TimetableEntry("L1", 1, frozenset(), start=14 * 60, end=16 * 60, title="党委常委会")
    avail = Availability(tiny(weeks=1, absences=(trip,), timetable=(meeting,)))
    free = avail.leader_free("L1", "A")
    assert not iv.overlaps(free, at(dt.date(2026, 9, 8), 0), at(dt.date(2026, 9, 10), 0))
    assert iv.contains(free, at(START, 16, 10), at(START, 17))
    assert not iv.contains(free, at(START, 16, 5), at(START, 17))


def test_a_visit_on_another_campus_needs_the_travel_time():
    meeting = TimetableEntry("L1", 1, frozenset(), start=14 * 60, end=16 * 60, campus="A")
    avail = Availability(tiny(weeks=1, timetable=(meeting,)))
    free_b = avail.leader_free("L1", "B")
    assert not iv.contains(free_b, at(START, 16, 30), at(START, 17))
    assert iv.contains(free_b, at(START, 16, 40), at(START, 17))


def test_a_class_is_visitable_only_outside_its_timetable():
    entry = TimetableEntry("C1", 1, frozenset(), periods=(1, 4))
    avail = Availability(tiny(weeks=1, timetable=(entry,)))
    free = avail.target_free(avail.problem.unit("C1"))
    assert not iv.overlaps(free, at(START, 8), at(START, 11, 40))
    assert iv.contains(free, at(START, 11, 50), at(START, 12, 35))


def test_default_windows_dorm_evenings_canteen_meals():
    avail = Availability(tiny(weeks=1))
    dorm = avail.window("D1", "dorm")
    assert [s % iv.DAY for s, _ in dorm] == [19 * 60] * 5  # Mon-Thu and Sunday
    assert (at(START, 11, 30), at(START, 12, 30)) in avail.window("V1", "canteen")
    assert avail.window("S-none", "society") == ()


def test_holidays_have_no_time_at_all():
    off = (Holiday(dt.date(2026, 9, 8), "假日", "holiday"),)
    avail = Availability(tiny(weeks=1, holidays=off))
    assert not iv.overlaps(avail.frame, at(dt.date(2026, 9, 8), 0), at(dt.date(2026, 9, 9), 0))


def test_a_period_defined_only_for_another_campus_still_has_a_time():
    periods = tuple(p for p in tiny().periods if p.period != 5) + (Period(5, 13 * 60 + 30, 14 * 60 + 15, campus="B"),)
    entry = TimetableEntry("C1", 1, frozenset(), periods=(5, 5))
    avail = Availability(tiny(weeks=1, periods=periods, timetable=(entry,)))
    assert [s % iv.DAY for s, _ in avail.busy_set("C1")] == [13 * 60 + 30]
