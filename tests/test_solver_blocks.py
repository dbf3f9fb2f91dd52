"""Frontline blocks: the student-affairs share met with blocks a person can follow. Per block rule a
tiny feasible and a tiny infeasible case; the verifier rejects a plan that breaks a block rule; a
re-plan after a trip over a block moves only that block."""

import datetime as dt
from dataclasses import replace
from zoneinfo import ZoneInfo

from factories import leader, tiny

from solver.availability import Availability
from solver.problem import Absence, TimetableEntry, Unit, Venue, Window
from solver.replan import replan
from solver.result import Event
from solver.solve import SolveOptions, make_event, solve
from solver.verify import verify

FAST = SolveOptions(time_limit=10, workers=1)
TZ = ZoneInfo("Asia/Shanghai")
CENTRE = Venue("Q1", "community", "东校区一站式学生社区", "A", "学生社区服务中心", 2)


def head(**kw):
    return leader("H1", "student_affairs", **kw)


def busy_except(owner: str, free: list[tuple[int, int]], weekdays=range(1, 6)) -> tuple[TimetableEntry, ...]:
    """Timetable rows that keep ``owner`` busy 08:00-17:30 on weekdays except the ``free`` spans."""
    rows = []
    for day in weekdays:
        t = 8 * 60
        for start, end in [*free, (17 * 60 + 30, 17 * 60 + 30)]:
            if start > t:
                rows.append(TimetableEntry(owner, day, frozenset(), start=t, end=start, title="例会"))
            t = max(t, end)
    return tuple(rows)


def university(weeks: int = 1, **kw):
    p = tiny(weeks=weeks, leaders=(head(),))
    return replace(p, venues=p.venues + (CENTRE,), **kw)


def plan_of(problem):
    plan = solve(problem, FAST)
    assert [v.format() for v in verify(problem, plan) if v.hard] == []
    return plan


def share_row(plan, leader_id="H1"):
    (r,) = [r for r in plan.report if r.leader_id == leader_id and r.requirement == "frontline_share"]
    return r


def blocks(plan, leader_id="H1"):
    return [e for e in plan.events if e.leader_id == leader_id and e.is_block and e.status == "planned"]


def hhmm(e: Event) -> str:
    return f"{e.start:%H:%M}-{e.end:%H:%M}"


# the share with blocks ------------------------------------------------------------------------------
def test_share_is_met_with_a_handful_of_long_blocks_not_a_stream_of_visits():
    plan = plan_of(university(weeks=2))
    assert share_row(plan).met
    mine = [e for e in plan.events if e.leader_id == "H1"]
    assert all(e.is_block for e in mine)  # the weekly contact is one of the blocks
    per_week = {w: sum(1 for e in mine if e.week == w) for w in (1, 2)}
    assert max(per_week.values()) <= 8
    assert all(e.minutes >= 90 for e in mine)


def test_a_block_says_what_and_where_and_the_visits_it_stands_for():
    dorms = tuple(Unit(f"D{n}", "dorm", f"学生公寓{n}号楼", "A", f"公寓{n}号楼") for n in (3, 5, 7))
    daytime = tuple(Window(d.unit_id, frozenset(range(1, 6)), 14 * 60, 17 * 60 + 30) for d in dorms)
    p = replace(university(units=dorms, windows=daytime), venues=tiny().venues)
    plan = plan_of(p)
    dorm_blocks = [e for e in blocks(plan) if e.visit_kind == "dorm"]
    assert dorm_blocks
    e = dorm_blocks[0]
    assert e.title.startswith("一线工作 · 东校区学生公寓区 · 学生公寓")
    assert len(e.covers) >= 2 and e.target_id == e.covers[0]
    assert "走访宿舍" in e.description


def test_share_row_says_how_much_was_planned():
    r = share_row(plan_of(university()))
    assert r.met and "小时" in r.detail and "一线工作时段" in r.detail


# block length: at least 90 minutes -----------------------------------------------------------------
def test_block_fits_a_gap_of_ninety_minutes_and_its_buffers():
    # meetings end 08:50 and start 10:40: with the 10-minute buffers, 09:00-10:30 is free
    p = university(timetable=busy_except("H1", [(8 * 60 + 50, 10 * 60 + 40)]))
    plan = plan_of(p)
    assert share_row(plan).met and {hhmm(e) for e in blocks(plan)} == {"09:00-10:30"}


def test_no_block_in_gaps_of_an_hour_so_the_share_is_reported_unmet():
    p = university(timetable=busy_except("H1", [(8 * 60 + 50, 10 * 60 + 20), (13 * 60 + 50, 15 * 60 + 20)]))
    plan = plan_of(p)
    r = share_row(plan)
    assert not r.met and "第1周" in r.detail and blocks(plan) == []


# never across lunch or dinner ---------------------------------------------------------------------
def test_no_block_across_lunch_when_the_only_gap_spans_it():
    p = university(timetable=busy_except("H1", [(11 * 60, 13 * 60)]))
    plan = plan_of(p)
    assert not share_row(plan).met and blocks(plan) == []


def test_a_later_lunch_break_from_the_term_lets_the_block_through():
    p = university(timetable=busy_except("H1", [(11 * 60, 13 * 60)]))
    p = replace(p, term=replace(p.term, lunch=(13 * 60, 13 * 60 + 30)))
    plan = plan_of(p)
    assert share_row(plan).met and {hhmm(e) for e in blocks(plan)} == {"11:15-12:45"}


# at most two blocks a day -------------------------------------------------------------------------
# four stretches of at least 90 free minutes on Mondays (buffers included); busy the rest of the week
FOUR_GAPS = [(8 * 60, 9 * 60 + 40), (9 * 60 + 50, 11 * 60 + 40), (13 * 60 + 20, 15 * 60 + 10), (15 * 60 + 20, 17 * 60 + 30)]


def test_two_blocks_a_day_are_enough_for_a_smaller_share():
    p = university(timetable=busy_except("H1", FOUR_GAPS, weekdays=[1]) + busy_except("H1", [], weekdays=range(2, 6)))
    p = replace(p, leaders=(head(frontline_share=0.4),))
    plan = plan_of(p)
    assert share_row(plan).met and len(blocks(plan)) == 2


def test_three_blocks_a_day_are_never_planned_so_a_larger_share_is_unmet():
    p = university(timetable=busy_except("H1", FOUR_GAPS, weekdays=[1]) + busy_except("H1", [], weekdays=range(2, 6)))
    p = replace(p, leaders=(head(frontline_share=0.6),))
    plan = plan_of(p)
    assert not share_row(plan).met and len(blocks(plan)) <= 2


# around every other commitment ------------------------------------------------------------------
def test_blocks_keep_the_buffer_to_the_leaders_commitments():
    p = university(timetable=busy_except("H1", [(9 * 60, 11 * 60 + 30)]))
    plan = plan_of(p)
    # free 09:00-11:30 between meetings: a block needs the 10-minute buffer on both sides
    assert {hhmm(e) for e in blocks(plan)} == {"09:15-11:15"}


# the verifier --------------------------------------------------------------------------------------
def _with(plan, events):
    return replace(plan, events=tuple(events))


def _block_event(problem, start: dt.datetime, end: dt.datetime, uid: str = "x@frontline") -> Event:
    avail = Availability(problem)
    from solver.options import option_of

    cal = avail.calendar
    s = cal.minute(start.replace(tzinfo=TZ))
    t = cal.minute(end.replace(tzinfo=TZ))
    o = option_of(problem, avail, "H1", "Q1", "dorm", s, t, False, ("Q1",))
    return replace(make_event(problem, avail, o), uid=uid)


def _rules(problem, plan):
    return {v.rule for v in verify(problem, plan) if v.hard}


def test_verifier_rejects_a_block_across_lunch():
    p = university()
    plan = plan_of(p)
    e = _block_event(p, dt.datetime(2026, 9, 8, 11, 0), dt.datetime(2026, 9, 8, 13, 0))
    others = [x for x in plan.events if x.start.date() != e.start.date()]
    assert "block_meal" in _rules(p, _with(plan, [*others, e]))


def test_verifier_rejects_a_block_too_short():
    p = university()
    plan = plan_of(p)
    e = _block_event(p, dt.datetime(2026, 9, 8, 8, 0), dt.datetime(2026, 9, 8, 9, 0))
    others = [x for x in plan.events if x.start.date() != e.start.date()]
    assert "block_short" in _rules(p, _with(plan, [*others, e]))


def test_verifier_rejects_three_blocks_in_a_day():
    p = university()
    plan = plan_of(p)
    day = dt.date(2026, 9, 8)
    three = [
        _block_event(p, dt.datetime.combine(day, dt.time(h)), dt.datetime.combine(day, dt.time(h, 30)) + dt.timedelta(hours=1), f"b{h}@f")
        for h in (8, 14, 19)
    ]
    others = [x for x in plan.events if x.start.date() != day]
    assert "block_per_day" in _rules(p, _with(plan, [*others, *three]))


def test_verifier_rejects_a_share_the_report_claims_but_the_plan_lacks():
    p = university()
    plan = plan_of(p)
    fewer = [e for e in plan.events if not (e.is_block and e.week == 1)]
    assert "report_wrong" in _rules(p, _with(plan, fewer))


# re-plan --------------------------------------------------------------------------------------------
def test_a_trip_over_a_block_moves_only_that_block():
    p = university(weeks=3)
    plan = plan_of(p)
    target = next(e for e in blocks(plan) if e.week == 2)
    day = target.start.date()
    trip = Absence("H1", dt.datetime.combine(day, dt.time(target.start.hour)),
                   dt.datetime.combine(day, dt.time(target.end.hour, target.end.minute)), "meeting", "临时会议")
    changed = replace(p, absences=(trip,))
    now = dt.datetime(2026, 9, 7, 0, 0, tzinfo=TZ)
    outcome = replan(changed, plan, now, FAST)
    assert [v.format() for v in verify(changed, outcome.plan) if v.hard] == []
    moved = [c for c in outcome.changes if c.change in ("moved", "cancelled")]
    assert [c.uid for c in moved] == [target.uid]
    assert outcome.count("added") == 0
    assert share_row(outcome.plan).met
