"""The evidence rules and every flag of the records contract: a tiny positive and negative case each."""

from __future__ import annotations

import datetime as dt

import pytest
from evidence_support import at, confirmation, visit
from factories import tiny

from solver.evidence.evidence import evidence_of, units_of_target
from solver.evidence.flags import Flagger
from solver.evidence.records import EvidenceSettings, VisitRecord
from solver.problem import Absence, ProblemError

PROBLEM = tiny()


def units(target_id: str) -> frozenset[str]:
    return units_of_target(PROBLEM, target_id)


def evidence(record: VisitRecord, *confirmations, checkin_min: int = 3) -> str:
    return evidence_of(record, confirmations, units, EvidenceSettings(checkin_min=checkin_min))


def checkins(n: int, when: str = "2026-09-08 19:20", record_id: str = "R1"):
    return [confirmation(record_id, "checkin", "confirmed", f"key{i}", when) for i in range(n)]


# evidence ---------------------------------------------------------------------------------------
def test_no_confirmation_is_self_reported() -> None:
    assert evidence(visit()) == "self_reported"


def test_the_visited_unit_confirms() -> None:
    assert evidence(visit(), confirmation(by="D1")) == "confirmed"


def test_another_unit_confirms_nothing() -> None:
    assert evidence(visit(), confirmation(by="C1")) == "self_reported"


def test_a_callback_confirms() -> None:
    assert evidence(visit(), confirmation(source="callback", by="组织部 刘芳")) == "confirmed"


def test_checkin_min_distinct_checkins_within_the_visit_confirm() -> None:
    assert evidence(visit(), *checkins(3)) == "confirmed"
    assert evidence(visit(), *checkins(2)) == "self_reported"


def test_the_same_attendee_twice_counts_once() -> None:
    twice = [confirmation("R1", "checkin", "confirmed", "same", "2026-09-08 19:20") for _ in range(3)]
    assert evidence(visit(), *twice) == "self_reported"


def test_checkin_min_comes_from_the_settings() -> None:
    assert evidence(visit(), *checkins(2), checkin_min=2) == "confirmed"


def test_checkins_count_within_fifteen_minutes_either_side_only() -> None:
    early = checkins(3, "2026-09-08 18:45")  # exactly 15 minutes before the start
    late = checkins(3, "2026-09-08 20:15")
    assert evidence(visit(), *early) == "confirmed" and evidence(visit(), *late) == "confirmed"
    assert evidence(visit(), *checkins(3, "2026-09-08 18:44")) == "self_reported"
    assert evidence(visit(), *checkins(3, "2026-09-08 20:16")) == "self_reported"


def test_a_denial_overrides_every_confirmation() -> None:
    denial = confirmation(result="denied", by="D1")
    assert evidence(visit(), confirmation(by="D1"), *checkins(5), denial) == "disputed"


def test_a_denial_by_another_unit_counts_for_nothing() -> None:
    assert evidence(visit(), confirmation(by="D1"), confirmation(result="denied", by="C1")) == "confirmed"


def test_other_records_confirmations_are_ignored() -> None:
    assert evidence(visit(), confirmation(record_id="R2")) == "self_reported"


def test_a_course_section_is_confirmed_by_its_classes() -> None:
    problem = tiny(courses=(PROBLEM.courses[0].__class__("K1", "形势与政策", "situation_policy", 2, (3, 4), frozenset(), "A", "教201", ("C1",)),))
    assert units_of_target(problem, "K1") == {"C1"}
    assert units_of_target(problem, "V1") == frozenset()  # a canteen: check-ins or a callback


def test_a_held_visit_needs_times_and_a_not_held_one_a_reason() -> None:
    with pytest.raises(ProblemError):
        visit(start=None)
    with pytest.raises(ProblemError):
        visit(status="not_held", start=None, end=None, reason="")
    with pytest.raises(ProblemError):
        visit(start="2026-09-08 20:00", end="2026-09-08 19:00")


# flags ------------------------------------------------------------------------------------------
def flags(*visits: VisitRecord, confirmations=(), problem=PROBLEM) -> set[tuple[str, str]]:
    def target_units(t: str) -> frozenset[str]:
        return units_of_target(problem, t)

    ev = {v.record_id: evidence_of(v, confirmations, target_units) for v in visits}
    return {(f.record_id, f.flag) for f in Flagger(problem, target_units).flags(list(visits), confirmations, ev)}


def away(start: str, end: str) -> Absence:
    return Absence("L1", dt.datetime.fromisoformat(start), dt.datetime.fromisoformat(end), "travel", "北京")


def test_held_while_away() -> None:
    problem = tiny(absences=(away("2026-09-08 00:00", "2026-09-09 00:00"),))
    assert flags(visit(), problem=problem) == {("R1", "held_while_away")}
    later = tiny(absences=(away("2026-09-08 20:00", "2026-09-09 00:00"),))  # starts as the visit ends
    assert flags(visit(), problem=later) == set()


def test_a_visit_not_held_during_an_absence_is_not_flagged() -> None:
    problem = tiny(absences=(away("2026-09-08 00:00", "2026-09-09 00:00"),))
    assert flags(visit(status="not_held", start=None, end=None, reason="出差"), problem=problem) == set()


def test_overlap_flags_both() -> None:
    a = visit("R1", "2026-09-08 19:00", "2026-09-08 20:00")
    b = visit("R2", "2026-09-08 19:30", "2026-09-08 20:30", target_id="C1", visit_kind="class")
    assert flags(a, b) == {("R1", "overlap"), ("R2", "overlap")}
    c = visit("R3", "2026-09-08 20:00", "2026-09-08 20:30", target_id="C1", visit_kind="class")
    assert flags(a, c) == set()  # back to back is fine


def test_overlaps_of_different_leaders_are_fine() -> None:
    a = visit("R1")
    b = visit("R2", leader_id="L2")
    assert flags(a, b) == set()


def test_travel_impossible_flags_the_later_visit() -> None:
    problem = tiny(units=(*PROBLEM.units, PROBLEM.units[0].__class__("C2", "class", "西区班", "B")))
    a = visit("R1", "2026-09-08 14:00", "2026-09-08 15:00", target_id="C1", visit_kind="class")
    b = visit("R2", "2026-09-08 15:20", "2026-09-08 16:00", target_id="C2", visit_kind="class")
    assert flags(a, b, problem=problem) == {("R2", "travel_impossible")}  # 20 min < 40 min
    c = visit("R3", "2026-09-08 15:40", "2026-09-08 16:20", target_id="C2", visit_kind="class")
    assert flags(a, c, problem=problem) == set()  # exactly the travel time


def test_online_visits_have_no_campus() -> None:
    a = visit("R1", "2026-09-08 14:00", "2026-09-08 15:00", target_id="C1", visit_kind="class")
    b = visit("R2", "2026-09-08 15:00", "2026-09-08 16:00", target_id="O1", visit_kind="online")
    assert flags(a, b) == set()


def test_recorded_before_end() -> None:
    assert flags(visit(recorded_at=at("2026-09-08 19:50"))) == {("R1", "recorded_before_end")}
    assert flags(visit(recorded_at=at("2026-09-08 20:00"))) == set()


def test_disputed_is_flagged() -> None:
    assert flags(visit(), confirmations=[confirmation(result="denied")]) == {("R1", "disputed")}
    assert flags(visit(), confirmations=[confirmation()]) == set()


def test_wrong_unit_confirmation() -> None:
    assert flags(visit(), confirmations=[confirmation(by="C1")]) == {("R1", "wrong_unit_confirmation")}
    assert flags(visit(), confirmations=[confirmation(by="D1")]) == set()


def test_checkin_outside_visit() -> None:
    outside = [confirmation("R1", "checkin", "confirmed", "k", "2026-09-08 22:00")]
    inside = [confirmation("R1", "checkin", "confirmed", "k", "2026-09-08 19:10")]
    assert flags(visit(), confirmations=outside) == {("R1", "checkin_outside_visit")}
    assert flags(visit(), confirmations=inside) == set()


def test_late_record_after_more_than_seven_days() -> None:
    end = at("2026-09-08 20:00")
    assert flags(visit(recorded_at=end + dt.timedelta(days=7, minutes=1))) == {("R1", "late_record")}
    assert flags(visit(recorded_at=end + dt.timedelta(days=7))) == set()


def test_one_row_per_record_and_flag() -> None:
    many = [confirmation(by="C1"), confirmation(by="S1")]
    problem = PROBLEM

    def target_units(t: str) -> frozenset[str]:
        return units_of_target(problem, t)

    rows = Flagger(problem, target_units).flags([visit()], many, {"R1": "self_reported"})
    assert [f.flag for f in rows] == ["wrong_unit_confirmation"] and "C1" in rows[0].detail and "S1" in rows[0].detail
