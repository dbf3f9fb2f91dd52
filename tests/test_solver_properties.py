"""Property: for random small universities, every plan passes the solver-free verifier and every
unmet requirement comes with a reason."""

import datetime as dt

from factories import START, leader, periods
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from solver.problem import (
    TIERS,
    Absence,
    Activity,
    Campus,
    CourseSection,
    Problem,
    Term,
    TimetableEntry,
    Travel,
    Unit,
    Venue,
    Window,
)
from solver.solve import SolveOptions, solve
from solver.verify import verify


@st.composite
def universities(draw) -> Problem:
    weeks = draw(st.integers(1, 3))
    campuses = ("A", "B")[: draw(st.integers(1, 2))]
    pick = st.sampled_from(campuses)
    leaders = tuple(
        leader(f"L{i}", draw(st.sampled_from(TIERS)), draw(pick)) for i in range(draw(st.integers(1, 4)))
    )
    kinds = st.sampled_from(("class", "dorm", "society"))
    units = tuple(
        Unit(f"U{i}", draw(kinds), f"单位{i}", draw(pick), f"楼{i}", draw(st.sampled_from(("文学院", "理学院"))),
             30, draw(st.integers(0, 2)))
        for i in range(draw(st.integers(0, 5)))
    )
    owners = [x.leader_id for x in leaders] + [u.unit_id for u in units]
    timetable = tuple(
        TimetableEntry(draw(st.sampled_from(owners)), draw(st.integers(1, 7)), frozenset(),
                       periods=(a, a + draw(st.integers(0, 3))))
        for a in [draw(st.integers(1, 6)) for _ in range(draw(st.integers(0, 8)))]
    )
    absences = tuple(
        Absence(draw(st.sampled_from(owners)),
                dt.datetime.combine(START + dt.timedelta(days=d), dt.time()),
                dt.datetime.combine(START + dt.timedelta(days=d + draw(st.integers(1, 5))), dt.time()),
                draw(st.sampled_from(("travel", "meeting", "leave"))), "随机")
        for d in [draw(st.integers(0, 7 * weeks - 1)) for _ in range(draw(st.integers(0, 2)))]
    )
    societies = [u.unit_id for u in units if u.kind == "society"]
    windows = tuple(Window(s, frozenset({draw(st.integers(1, 7))}), 16 * 60, 18 * 60) for s in societies if draw(st.booleans()))
    venues = tuple(Venue(f"V{c}", "canteen", f"食堂{c}", c, "", draw(st.integers(1, 2))) for c in campuses if draw(st.booleans()))
    venues += (Venue("O1", "online", "网上论坛"),) if draw(st.booleans()) else ()
    courses = tuple(
        CourseSection(f"K{i}", "形势与政策", "situation_policy", draw(st.integers(1, 5)), (3, 4), frozenset(), draw(pick))
        for i in range(draw(st.integers(0, 3)))
    )
    activities = tuple(
        Activity(f"A{i}", draw(st.sampled_from(("lecture", "class", "society"))), "报告会",
                 START + dt.timedelta(days=draw(st.integers(0, 7 * weeks - 1))), 15 * 60, 16 * 60, draw(pick))
        for i in range(draw(st.integers(0, 2)))
    )
    return Problem(
        term=Term("R", START, weeks), periods=periods(), campuses=tuple(Campus(c, f"{c}校区") for c in campuses),
        travel=(Travel("A", "B", 30),) if len(campuses) == 2 else (), leaders=leaders, units=units,
        timetable=timetable, absences=absences, windows=windows, venues=venues, courses=courses,
        activities=activities,
    )


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(universities())
def test_every_plan_verifies_and_every_unmet_requirement_has_a_reason(problem):
    plan = solve(problem, SolveOptions(time_limit=3, workers=1))
    assert [v.format() for v in verify(problem, plan)] == []
    assert all(r.detail.strip() for r in plan.unmet)
    assert {(r.leader_id, r.requirement) for r in plan.report} == {
        (x.leader_id, req) for x in problem.leaders
        for req in ("weekly_contact", "linked_unit", "lecture", "seven_visits", "frontline_share")
    }
