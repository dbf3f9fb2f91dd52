"""Feedback deadlines in working days of the term calendar, item states and the three rates."""

from __future__ import annotations

import datetime as dt

from evidence_support import at, item

from solver.evidence.feedback import TOTAL, item_status, ledger, rates
from solver.evidence.records import EvidenceSettings
from solver.evidence.workdays import deadline
from solver.problem import Holiday
from solver.termcal import WorkingDays

TZ = "Asia/Shanghai"
# 2026: Mid-Autumn 09-25..27 off, National Day 10-01..07 off; Sun 09-20 and Sat 10-10 are make-up days.
OFFICIAL = WorkingDays((
    *(Holiday(dt.date(2026, 9, d), "中秋节", "holiday") for d in (25, 26, 27)),
    *(Holiday(dt.date(2026, 10, d), "国庆节", "holiday") for d in range(1, 8)),
    Holiday(dt.date(2026, 9, 20), "调休", "workday", follows_date=dt.date(2026, 10, 6)),
    Holiday(dt.date(2026, 10, 10), "调休", "workday", follows_date=dt.date(2026, 10, 7)),
    Holiday(dt.date(2027, 1, 1), "元旦", "holiday"),
))  # fmt: skip
SETTINGS = EvidenceSettings()


def by(raised: str, n: int, days: WorkingDays = OFFICIAL) -> str:
    return deadline(days, at(raised), n, TZ).strftime("%Y-%m-%d %H:%M")


def test_a_deadline_is_2359_of_the_nth_working_day_after_the_day_raised() -> None:
    assert by("2026-09-14 08:00", 2) == "2026-09-16 23:59"  # Mon -> Wed
    assert by("2026-09-14 23:50", 2) == "2026-09-16 23:59"  # the raising day never counts
    assert by("2026-09-10 10:00", 2) == "2026-09-14 23:59"  # Thu -> Fri, Mon


def test_a_deadline_skips_a_holiday() -> None:
    assert by("2026-09-30 15:00", 2) == "2026-10-09 23:59"  # 10-01..07 off: Thu 10-08, Fri 10-09
    assert by("2026-09-24 18:00", 2) == "2026-09-29 23:59"  # Fri 09-25 off


def test_a_deadline_counts_a_make_up_day() -> None:
    assert by("2026-10-09 09:00", 1) == "2026-10-10 23:59"  # Sat 10-10 is a working day
    assert by("2026-09-18 09:00", 1) == "2026-09-20 23:59"  # Sun 09-20 too
    assert by("2026-10-09 09:00", 1, WorkingDays(())) == "2026-10-12 23:59"  # without it: Monday


def test_deadlines_run_on_after_the_terms_end() -> None:
    assert by("2026-12-31 10:00", 2) == "2027-01-05 23:59"  # New Year's Day off, then the weekend


def test_a_moment_in_another_zone_counts_from_the_local_day() -> None:
    utc = dt.datetime(2026, 9, 14, 17, 0, tzinfo=dt.UTC)  # 09-15 01:00 in Beijing
    assert deadline(OFFICIAL, utc, 1, TZ).strftime("%Y-%m-%d") == "2026-09-16"


def state(x, as_of: str) -> str:
    return item_status(x, at(as_of), OFFICIAL, SETTINGS, TZ).state


def test_states() -> None:
    raised = "2026-09-14 08:00"  # respond by 09-16, resolve by 09-23
    assert state(item(raised=raised), "2026-09-15 12:00") == "open"
    assert state(item(raised=raised), "2026-09-17 00:00") == "overdue"
    assert state(item(raised=raised, responded_at="2026-09-15 09:00"), "2026-09-20 12:00") == "answered"
    assert state(item(raised=raised, responded_at="2026-09-15 09:00"), "2026-09-24 00:00") == "overdue"
    resolved = item(raised=raised, responded_at="2026-09-15 09:00", resolved_at="2026-09-18 09:00")
    assert state(resolved, "2026-12-01 00:00") == "resolved"


def test_an_unsatisfied_rating_reopens_and_twice_escalates() -> None:
    raised = "2026-09-14 08:00"
    once = item(raised=raised, responded_at="2026-09-14 09:00", resolved_at="2026-09-15 09:00", rating="unsatisfied", reopened=1)
    assert state(once, "2026-09-16 12:00") == "reopened"
    assert state(once, "2026-09-24 00:00") == "overdue"  # not resolved by its resolve-by deadline
    twice = item(raised=raised, responded_at="2026-09-14 09:00", resolved_at="2026-09-15 09:00", rating="unsatisfied", reopened=2)
    assert state(twice, "2026-09-16 12:00") == "escalated"
    satisfied_after = item(raised=raised, responded_at="2026-09-14 09:00", resolved_at="2026-09-18 09:00", rating="basically", reopened=1)
    assert state(satisfied_after, "2026-12-01 00:00") == "resolved"


def test_overdue_and_escalated_items_go_to_the_office() -> None:
    overdue = item_status(item(raised="2026-09-14 08:00"), at("2026-09-20 00:00"), OFFICIAL, SETTINGS, TZ)
    assert overdue.escalated_to_office and overdue.respond_by == at("2026-09-16 23:59")


def test_rates_per_owner_and_total() -> None:
    items = [
        item("F1", "2026-09-14 08:00", owner="L1", responded_at="2026-09-15 09:00", resolved_at="2026-09-16 09:00", rating="satisfied"),
        item("F2", "2026-09-14 08:00", owner="L1", responded_at="2026-09-18 09:00", resolved_at="2026-09-30 09:00", rating="unsatisfied", reopened=1),
        item("F3", "2026-09-14 08:00", owner="后勤处"),  # never answered: overdue
        item("F4", "2026-09-28 08:00", owner="后勤处"),  # deadline not yet passed: not counted
        item("F5", "2026-09-28 08:00", owner="后勤处", responded_at="2026-09-28 10:00", rating="basically"),
    ]
    rows = {r.owner: r for r in rates(ledger(items, at("2026-09-29 12:00"), OFFICIAL, SETTINGS, TZ), at("2026-09-29 12:00"))}
    assert list(rows) == ["L1", "后勤处", TOTAL]
    l1, dept, total = rows["L1"], rows["后勤处"], rows[TOTAL]
    assert (l1.response_due, l1.responded_on_time, l1.response_rate) == (2, 1, 0.5)
    assert (l1.resolution_due, l1.resolved_on_time, l1.resolution_rate) == (2, 1, 0.5)
    assert l1.satisfaction_rate == 0.5
    assert (dept.response_due, dept.responded_on_time) == (2, 1)  # F3 overdue, F5 answered
    assert (dept.resolution_due, dept.resolution_rate) == (1, 0.0)  # F3 past its resolve-by; F4, F5 not yet
    assert dept.satisfaction_rate == 1.0
    # F3 never answered; F2 reopened and past its resolve-by deadline
    assert (total.items, total.response_due, total.responded_on_time, total.overdue) == (5, 4, 2, 2)


def test_a_resolution_is_the_first_answer_when_none_is_recorded() -> None:
    x = item(raised="2026-09-14 08:00", resolved_at="2026-09-15 10:00")
    status = item_status(x, at("2026-12-01 00:00"), OFFICIAL, SETTINGS, TZ)
    assert status.answered_on_time and status.state == "resolved"
