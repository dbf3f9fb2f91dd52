"""Re-planning moves only what must move: the past is frozen, untouched leaders see nothing
change (byte-identical feeds), moved events keep their uid with SEQUENCE + 1, dropped ones stay as
cancelled, and every re-planned plan passes the verifier."""

import datetime as dt
from dataclasses import replace
from zoneinfo import ZoneInfo

import pytest
from factories import leader, tiny

from calendars.feeds import leader_feed
from solver.problem import Absence, Holiday, TimetableEntry, Unit, Venue
from solver.replan import replan
from solver.solve import SolveOptions, solve
from solver.verify import verify

TZ = ZoneInfo("Asia/Shanghai")
OPTIONS = SolveOptions(time_limit=10, workers=1, seed=3)


def university():
    leaders = (
        leader("L1", "school"),
        leader("L2", "college", contact_every_weeks=1, college="文学院"),
        leader("L3", "department", contact_every_weeks=1),
    )
    base = tiny(weeks=4, leaders=leaders)
    units = base.units + (
        Unit("C2", "class", "汉语言2301班", "A", "文科楼201", "文学院", 35),
        Unit("C3", "class", "法学2302班", "A", "文科楼305", "法学院", 38),
    )
    venues = base.venues + (Venue("V2", "canteen", "第二食堂", "A", "二食堂"),)
    return replace(base, units=units, venues=venues)


@pytest.fixture(scope="module")
def published():
    problem = university()
    plan = solve(problem, OPTIONS)
    assert [v.format() for v in verify(problem, plan) if v.hard] == []
    return problem, plan


def now_at(day: dt.date, hour: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), TZ)


def identity(e):
    return (e.uid, e.start, e.end, e.target_id, e.sequence, e.status)


def checked(problem, outcome):
    assert [v.format() for v in verify(problem, outcome.plan) if v.hard] == []
    return outcome


def a_future_event(plan, leader_id, after):
    return next(e for e in plan.events if e.leader_id == leader_id and e.start >= after and e.face_to_face)


def test_a_new_trip_moves_only_that_leaders_events_inside_the_trip(published):
    problem, plan = published
    now = now_at(dt.date(2026, 9, 14))
    target = a_future_event(plan, "L2", now)
    day = target.start.date()
    trip = Absence("L2", dt.datetime.combine(day, dt.time()), dt.datetime.combine(day + dt.timedelta(days=1), dt.time()), "travel", "北京会议")
    changed = replace(problem, absences=(trip,))
    outcome = checked(changed, replan(changed, plan, now, OPTIONS))
    moved = {c.uid for c in outcome.changes if c.change in ("moved", "cancelled")}
    assert moved == {target.uid}
    (row,) = [c for c in outcome.changes if c.uid == target.uid]
    assert "北京会议" in row.reason
    new = {e.uid: e for e in outcome.plan.events}
    assert new[target.uid].sequence == target.sequence + 1
    if row.change == "moved":
        assert new[target.uid].status == "planned" and new[target.uid].start != target.start
        assert new[target.uid].week == target.week  # a moved event prefers its old week
    old_rest = sorted(identity(e) for e in plan.events if e.uid != target.uid)
    new_rest = sorted(identity(e) for e in outcome.plan.events if e.uid in {x.uid for x in plan.events} and e.uid != target.uid)
    assert old_rest == new_rest
    for other in ("L1", "L3"):
        assert leader_feed(outcome.plan, changed, other) == leader_feed(plan, problem, other)


def test_events_before_now_never_change_even_if_the_new_data_forbids_them(published):
    problem, plan = published
    first = min(plan.events, key=lambda e: e.start)
    day = first.start.date()
    trip = Absence(first.leader_id, dt.datetime.combine(day, dt.time()), dt.datetime.combine(day + dt.timedelta(days=1), dt.time()), "travel", "补录出差")
    changed = replace(problem, absences=(trip,))
    now = now_at(dt.date(2026, 9, 21))
    outcome = replan(changed, plan, now, OPTIONS)
    before = sorted(identity(e) for e in plan.events if e.start < now)
    after = sorted(identity(e) for e in outcome.plan.events if e.start < now and e.uid in {x.uid for x in plan.events})
    assert before == after


def test_a_class_timetable_change_moves_only_the_events_at_that_class(published):
    problem, plan = published
    now = now_at(dt.date(2026, 9, 14))
    visit = next((e for e in plan.events if e.visit_kind == "class" and e.start >= now), None)
    if visit is None:
        pytest.skip("the published plan has no class visit after now")
    lesson = TimetableEntry(visit.target_id, visit.start.isoweekday(), frozenset({visit.week}),
                            start=visit.start.hour * 60 + visit.start.minute, end=visit.end.hour * 60 + visit.end.minute, title="调课")
    changed = replace(problem, timetable=problem.timetable + (lesson,))
    outcome = checked(changed, replan(changed, plan, now, OPTIONS))
    touched = {c.uid for c in outcome.changes if c.change in ("moved", "cancelled")}
    assert visit.uid in touched
    at_class = {e.uid for e in plan.events if e.target_id == visit.target_id}
    assert touched <= at_class


def test_a_holiday_shift_moves_the_events_on_the_new_day_off(published):
    problem, plan = published
    now = now_at(dt.date(2026, 9, 14))
    event = a_future_event(plan, "L3", now)
    changed = replace(problem, holidays=(Holiday(event.start.date(), "校庆日", "holiday"),))
    outcome = checked(changed, replan(changed, plan, now, OPTIONS))
    on_day = {e.uid for e in plan.events if e.start.date() == event.start.date() and e.status == "planned"}
    changed_uids = {c.uid for c in outcome.changes if c.change in ("moved", "cancelled")}
    assert changed_uids == on_day
    assert all("节假日" in c.reason for c in outcome.changes if c.uid in changed_uids)


def test_a_change_that_makes_a_requirement_impossible_is_reported_not_a_crash(published):
    problem, plan = published
    now = now_at(dt.date(2026, 9, 14))
    away = Absence("L3", dt.datetime(2026, 9, 14), dt.datetime(2026, 10, 5), "leave", "病假")
    changed = replace(problem, absences=(away,))
    outcome = checked(changed, replan(changed, plan, now, OPTIONS))
    row = next(r for r in outcome.plan.report if r.leader_id == "L3" and r.requirement == "weekly_contact")
    assert not row.met and "病假" in row.detail
    cancelled = [e for e in outcome.plan.events if e.leader_id == "L3" and e.status == "cancelled"]
    assert cancelled and all(e.sequence >= 1 for e in cancelled)
    assert not any(e.leader_id == "L3" and e.status == "planned" and e.start >= now for e in outcome.plan.events)


def test_replanning_unchanged_data_changes_nothing(published):
    problem, plan = published
    outcome = replan(problem, plan, now_at(dt.date(2026, 9, 14)), OPTIONS)
    assert {c.change for c in outcome.changes} == {"kept"}
    assert sorted(map(identity, outcome.plan.events)) == sorted(map(identity, plan.events))
