"""Tiny problems built in code, for the solver's tests."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import Any

from solver.problem import (
    Campus,
    CourseSection,
    Leader,
    Period,
    Problem,
    Term,
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
