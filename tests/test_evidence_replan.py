"""What happened feeds the next re-plan: a visit recorded not held no longer counts; the re-plan
re-places what it leaves unmet and moves nothing else; changes.csv names the record."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from zoneinfo import ZoneInfo

import pytest
from factories import leader, tiny

from solver.evidence.records import RecordSet, VisitRecord
from solver.evidence.replan import not_held_reasons, replan_after_records
from solver.problem import Unit, Venue
from solver.solve import SolveOptions, solve
from solver.verify import verify

TZ = ZoneInfo("Asia/Shanghai")
OPTIONS = SolveOptions(time_limit=10, workers=1, seed=3)


@pytest.fixture(scope="module")
def published():
    leaders = (leader("L1", "school"), leader("L2", "department", contact_every_weeks=1))
    base = tiny(weeks=4, leaders=leaders)
    units = base.units + (Unit("C2", "class", "汉语言2301班", "A", "文科楼201", "文学院", 35),)
    courses = base.courses + (replace(base.courses[0], section_id="K2", weekday=4),)
    problem = replace(base, units=units, courses=courses, venues=base.venues + (Venue("V2", "canteen", "第二食堂", "A"),))
    plan = solve(problem, OPTIONS)
    assert [v.format() for v in verify(problem, plan) if v.hard] == []
    return problem, plan


def not_held(e, record_id: str = "R7") -> VisitRecord:
    return VisitRecord(record_id, e.uid, e.leader_id, "not_held", None, None, None, None, None, "临时会议", e.start)


def test_a_lecture_not_held_is_re_placed_and_nothing_else_moves(published) -> None:
    problem, plan = published
    lecture = next(e for e in plan.events if e.visit_kind == "classroom")
    now = lecture.end + dt.timedelta(hours=1)
    outcome = replan_after_records(problem, plan, RecordSet((not_held(lecture),)), now, OPTIONS)
    changes = {c.uid: c for c in outcome.changes}
    assert changes[lecture.uid].change == "cancelled" and "R7" in changes[lecture.uid].reason
    added = [c for c in outcome.changes if c.change == "added"]
    new = {e.uid: e for e in outcome.plan.events}
    lectures_added = [new[c.uid] for c in added if new[c.uid].visit_kind == "classroom"]
    assert len(lectures_added) == 1 and lectures_added[0].start > now
    assert all("R7" in c.reason for c in added)
    # the lecture may have been its week's only contact (several plans are optimal): then, and
    # only then, that week's contact is re-placed as well
    contacts = [e for e in plan.events if e.leader_id == lecture.leader_id and e.face_to_face
                and e.week == lecture.week and e.uid != lecture.uid]
    others_added = [new[c.uid] for c in added if new[c.uid].visit_kind != "classroom"]
    if contacts or lectures_added[0].week == lecture.week:
        assert others_added == []
    else:
        assert len(others_added) <= 1
        assert all(e.leader_id == lecture.leader_id and e.week == lecture.week and e.face_to_face for e in others_added)
    assert {c.change for c in outcome.changes} == {"kept", "cancelled", "added"}  # nothing moved
    others = [e for e in plan.events if e.uid != lecture.uid]
    assert all(new[e.uid].start == e.start and new[e.uid].status == e.status for e in others)
    assert new[lecture.uid].status == "cancelled" and new[lecture.uid].sequence == lecture.sequence + 1
    assert [v.format() for v in verify(problem, outcome.plan) if v.hard] == []
    lectures = [r for r in outcome.plan.report if r.requirement == "lecture" and r.leader_id == lecture.leader_id]
    assert lectures[0].met


def test_without_records_nothing_changes(published) -> None:
    problem, plan = published
    now = plan.events[0].end
    outcome = replan_after_records(problem, plan, RecordSet(), now, OPTIONS)
    assert {c.change for c in outcome.changes} == {"kept"}


def test_a_weekly_contact_not_held_is_re_placed_while_its_week_has_time(published) -> None:
    problem, plan = published
    mine = [e for e in plan.events if e.leader_id == "L2" and e.face_to_face]
    week = mine[-1].week
    lost = [e for e in mine if e.week == week]
    now = dt.datetime.combine(problem.term.start_date + dt.timedelta(days=7 * (week - 1)), dt.time(0), TZ)
    now = min(now, min(e.start for e in lost))
    outcome = replan_after_records(problem, plan, RecordSet(tuple(not_held(e, f"R{i}") for i, e in enumerate(lost))), now, OPTIONS)
    added = [e for e in outcome.plan.events if e.uid in {c.uid for c in outcome.changes if c.change == "added"}]
    assert any(e.leader_id == "L2" and e.week == week and e.face_to_face for e in added)
    assert all(c.change in ("kept", "cancelled", "added") for c in outcome.changes)


def test_reasons_name_the_record(published) -> None:
    problem, plan = published
    e = plan.events[0]
    reasons = not_held_reasons(RecordSet((not_held(e, "R42"),)), plan, "en")
    assert list(reasons) == [e.uid] and reasons[e.uid].startswith("record R42") and "临时会议" in reasons[e.uid]
