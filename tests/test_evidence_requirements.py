"""Requirements judged from held visits as of a moment (excused blocks, disputed and not-held
visits), and the verdict per leader."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from evidence_support import at, confirmation, event, plan_of, visit
from factories import leader, tiny

from solver.evidence.records import EvidenceSettings, RecordSet
from solver.evidence.report import compliance
from solver.problem import Absence, Holiday

CLERK = leader("L1", tier="department", contact_every_weeks=1)  # weekly contact only
W1 = event("E1", "2026-09-08 19:00", "2026-09-08 20:00")  # week 1, dorm D1
W2 = event("E2", "2026-09-15 19:00", "2026-09-15 20:00")  # week 2
W3 = event("E3", "2026-09-22 19:00", "2026-09-22 20:00")  # week 3


def rows(problem, plan, *visits, confirmations=(), as_of=None, lang="en"):
    report = compliance(problem, plan, RecordSet(tuple(visits), tuple(confirmations)), as_of, lang=lang)
    return {r.requirement: r for r in report.requirements if r.leader_id == "L1"}, report


def held(e, record_id: str):
    return visit(record_id, e.start.strftime("%Y-%m-%d %H:%M"), e.end.strftime("%Y-%m-%d %H:%M"), uid=e.uid, visit_kind=None, target_id=None)


def test_a_week_without_a_held_visit_is_missing() -> None:
    problem = tiny(weeks=2, leaders=(CLERK,))
    got, _ = rows(problem, plan_of(W1, W2), held(W1, "R1"))
    weekly = got["weekly_contact"]
    assert (weekly.required, weekly.planned, weekly.held, weekly.excused, weekly.met) == (2, 2, 1, 0, False)
    assert "week 2" in weekly.detail and "E2" not in weekly.detail and "no record" in weekly.detail


def test_a_visit_recorded_not_held_names_the_record_and_reason() -> None:
    problem = tiny(weeks=2, leaders=(CLERK,))
    not_held = visit("R2", None, None, uid="E2", status="not_held", reason="临时会议", visit_kind=None, target_id=None)
    got, _ = rows(problem, plan_of(W1, W2), held(W1, "R1"), not_held)
    assert not got["weekly_contact"].met and "R2: 临时会议" in got["weekly_contact"].detail


def test_a_block_away_on_every_working_day_is_excused() -> None:
    trip = Absence("L1", dt.datetime(2026, 9, 14), dt.datetime(2026, 9, 19), "travel", "北京")  # Mon-Fri of week 2
    problem = tiny(weeks=2, leaders=(CLERK,), absences=(trip,))
    got, report = rows(problem, plan_of(W1), held(W1, "R1"))
    weekly = got["weekly_contact"]
    assert (weekly.required, weekly.held, weekly.excused, weekly.met) == (1, 1, 1, True)
    assert "week 2" in weekly.detail and "excused" in weekly.detail and "北京" in weekly.detail
    assert report.leaders[0].verdict in ("compliant", "partly")


def test_a_block_away_on_only_some_working_days_is_not_excused() -> None:
    trip = Absence("L1", dt.datetime(2026, 9, 14), dt.datetime(2026, 9, 18), "travel")  # Friday at work
    problem = tiny(weeks=2, leaders=(CLERK,), absences=(trip,))
    got, _ = rows(problem, plan_of(W1), held(W1, "R1"))
    assert (got["weekly_contact"].excused, got["weekly_contact"].met) == (0, False)


def test_a_disputed_visit_does_not_count() -> None:
    problem = tiny(weeks=1, leaders=(CLERK,))
    got, report = rows(problem, plan_of(W1), held(W1, "R1"), confirmations=[confirmation(result="denied")])
    assert not got["weekly_contact"].met and "denied" in got["weekly_contact"].detail
    assert report.leaders[0].verdict == "non_compliant"


def test_only_blocks_due_by_as_of_are_judged() -> None:
    problem = tiny(weeks=3, leaders=(CLERK,))
    got, _ = rows(problem, plan_of(W1, W2, W3), held(W1, "R1"), as_of=at("2026-09-20 23:59"))
    assert (got["weekly_contact"].required, got["weekly_contact"].held) == (2, 1)
    got, _ = rows(problem, plan_of(W1, W2, W3), held(W1, "R1"), as_of=at("2026-09-20 23:58"))
    assert (got["weekly_contact"].required, got["weekly_contact"].met) == (1, True)


def test_linked_unit_needs_half_the_due_blocks_rounded_up() -> None:
    linked = leader("L1", tier="department", contact_every_weeks=1, link=True)
    problem = tiny(weeks=3, leaders=(linked,))
    plan = plan_of(W1, W2, W3, links=(("L1", "D1"),))
    got, _ = rows(problem, plan, held(W1, "R1"))
    assert (got["linked_unit"].required, got["linked_unit"].held, got["linked_unit"].met) == (2, 1, False)
    got, _ = rows(problem, plan, held(W1, "R1"), held(W3, "R3"))
    assert (got["linked_unit"].held, got["linked_unit"].met) == (2, True)


def test_a_lecture_not_yet_given_is_not_due_before_the_terms_end() -> None:
    school = leader("L1", tier="school")
    problem = tiny(weeks=2, leaders=(school,))
    lecture = event("E9", "2026-09-15 10:00", "2026-09-15 11:40", kind="classroom", target="K1")
    got, _ = rows(problem, plan_of(W1, lecture), held(W1, "R1"), as_of=at("2026-09-13 23:59"))
    assert got["lecture"].met and "not yet due" in got["lecture"].detail
    got, _ = rows(problem, plan_of(W1, lecture), held(W1, "R1"))
    assert not got["lecture"].met and got["lecture"].planned == 1 and "no record" in got["lecture"].detail


def test_seven_visits_lists_the_missing_kinds() -> None:
    school = leader("L1", tier="school")
    problem = tiny(weeks=1, leaders=(school,))
    got, _ = rows(problem, plan_of(W1), held(W1, "R1"))
    seven = got["seven_visits"]
    assert (seven.required, seven.held, seven.met) == (7, 1, False)
    assert "canteen" in seven.detail and "dorm" not in seven.detail.split("missing:")[1].split(";")[0]


def test_frontline_share_counts_held_minutes_in_working_hours() -> None:
    sa = leader("L1", tier="student_affairs", frontline_share=0.01)
    problem = tiny(weeks=1, leaders=(sa,))
    day = event("E5", "2026-09-08 14:00", "2026-09-08 16:00", kind="class", target="C1")
    got, _ = rows(problem, plan_of(W1, day), held(W1, "R1"), held(day, "R5"))
    share = got["frontline_share"]
    assert share.held == 120 and share.required > 0 and share.met  # the evening dorm visit is outside
    got, _ = rows(problem, plan_of(W1, day), held(W1, "R1"))
    assert not got["frontline_share"].met and "min" in got["frontline_share"].detail


def test_unplanned_visits_count() -> None:
    problem = tiny(weeks=1, leaders=(CLERK,))
    got, _ = rows(problem, plan_of(), visit("R1"))
    assert (got["weekly_contact"].planned, got["weekly_contact"].held, got["weekly_contact"].met) == (0, 1, True)


# verdicts ---------------------------------------------------------------------------------------
def verdict(*visits, confirmations=(), problem=None, settings=None) -> str:
    problem = problem or tiny(weeks=1, leaders=(CLERK,))
    report = compliance(problem, plan_of(W1), RecordSet(tuple(visits), tuple(confirmations)), settings=settings)
    return report.leaders[0].verdict


def test_compliant_when_met_unflagged_and_confirmed() -> None:
    assert verdict(held(W1, "R1"), confirmations=[confirmation()]) == "compliant"


def test_partly_when_too_few_are_confirmed() -> None:
    assert verdict(held(W1, "R1")) == "partly"
    assert verdict(held(W1, "R1"), settings=EvidenceSettings(confirm_share=0.0)) == "compliant"


def test_weaker_flags_do_not_lower_the_verdict() -> None:
    late = held(W1, "R1")
    late = replace(late, recorded_at=at("2026-09-20 12:00"))
    assert verdict(late, confirmations=[confirmation()]) == "compliant"


def test_a_strong_flag_makes_it_non_compliant() -> None:
    extra = visit("R2", "2026-09-08 19:30", "2026-09-08 20:30", target_id="C1", visit_kind="class")
    assert verdict(held(W1, "R1"), extra, confirmations=[confirmation(), confirmation("R2", by="C1")]) == "non_compliant"


def test_an_unmet_requirement_makes_it_non_compliant() -> None:
    assert verdict() == "non_compliant"


def test_the_settings_come_from_the_term() -> None:
    problem = tiny(weeks=1, leaders=(CLERK,))
    problem = replace(problem, term=replace(problem.term, confirm_share=0.0))
    assert verdict(held(W1, "R1"), problem=problem) == "compliant"


def test_a_block_without_a_working_day_is_excused() -> None:
    off = tuple(Holiday(dt.date(2026, 9, 14) + dt.timedelta(days=d), "国庆节", "holiday") for d in range(5))
    problem = tiny(weeks=2, leaders=(CLERK,), holidays=off)
    got, _ = rows(problem, plan_of(W1), held(W1, "R1"))
    assert (got["weekly_contact"].excused, got["weekly_contact"].met) == (1, True)
    assert "holidays only" in got["weekly_contact"].detail
