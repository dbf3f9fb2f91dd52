"""Tiny problems built in code, for the solver's tests."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import Any

from hypothesis import strategies as st

from solver.problem import (
    TIERS,
    Absence,
    Activity,
    Campus,
    CourseSection,
    Leader,
    Period,
    Problem,
    Term,
    TimetableEntry,
    Travel,
    Unit,
    Venue,
    Window,
)

START = dt.date(2026, 9, 7)


def periods() -> tuple[Period, ...]:
    times = [(8, 0), (8, 55), (10, 0), (10, 55), (14, 0), (14, 55), (16, 0), (16, 55), (19, 0), (19, 55)]
    return tuple(Period(i + 1, h * 60 + m, h * 60 + m + 45) for i, (h, m) in enumerate(times))


def leader(leader_id: str = "L1", tier: str = "school", campus: str = "A", **kw: Any) -> Leader:
    fields: dict[str, Any] = dict(Leader.defaults_for(tier))
    fields.update(kw)
    return Leader(leader_id, kw.pop("name", f"领导{leader_id}"), tier, campus, **{
        k: v for k, v in fields.items() if k != "name"
    })


def tiny(weeks: int = 2, **kw: Any) -> Problem:
    """Two campuses, one school leader, a class, a dorm, a society with a window, a canteen,
    an online venue, and a course section: every requirement can be met."""
    base: dict[str, Any] = dict(
        term=Term("T", START, weeks, name="测试学期"),
        periods=periods(),
        campuses=(Campus("A", "东校区"), Campus("B", "西校区")),
        travel=(Travel("A", "B", 40),),
        leaders=(leader(),),
        units=(
            Unit("C1", "class", "计算机2301班", "A", "教学楼101", "计算机学院", 40),
            Unit("D1", "dorm", "学生公寓1号楼", "A", "公寓1号楼"),
            Unit("S1", "society", "书法社", "A", "活动中心"),
        ),
        venues=(Venue("V1", "canteen", "第一食堂", "A", "一食堂"), Venue("O1", "online", "网上论坛")),
        windows=(Window("S1", frozenset({3}), 16 * 60, 18 * 60),),
        courses=(
            CourseSection("K1", "形势与政策", "situation_policy", 2, (3, 4), frozenset(), "A", "教201"),
        ),
    )
    base.update(kw)
    return Problem(**base)


def with_leaders(problem: Problem, *leaders: Leader) -> Problem:
    return replace(problem, leaders=tuple(leaders))


@st.composite
def universities(draw: Any) -> Problem:
    """Random small universities: every kind of target, timetables, absences and capacities."""
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
    # student community centres, where leaders who owe a frontline share hold blocks
    venues += tuple(Venue(f"Q{c}", "community", f"学生社区{c}", c, "", draw(st.integers(1, 2))) for c in campuses if draw(st.booleans()))
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
