"""Candidate visits: what each leader is offered, and what is left out because it cannot help."""

import datetime as dt
from dataclasses import replace

from factories import leader, tiny

from solver import options as opt
from solver.availability import Availability
from solver.problem import Activity, CourseSection


def online_talk() -> Activity:
    return Activity("A9", "online", "网上座谈", dt.date(2026, 9, 9), 19 * 60, 20 * 60, None, "")


def candidates(problem):
    return opt.build(problem, Availability(problem))


def test_online_activities_are_offered_only_to_leaders_who_owe_the_seven_visits():
    problem = tiny(leaders=(leader("L1"), leader("L2", "college")), activities=(online_talk(),))
    offered = {o.leader_id for o in candidates(problem).options if o.activity_id == "A9"}
    assert offered == {"L1"}  # an online visit meets no requirement of the college leader


def test_activities_stand_in_for_the_habit_at_most_twice_a_week():
    talks = tuple(
        Activity(f"A{i}", "class", "主题班会", dt.date(2026, 9, 7) + dt.timedelta(days=i % 5), 15 * 60, 16 * 60, "A", "")
        for i in range(10)
    )
    problem = tiny(weeks=2, leaders=(leader("L2", "college"),), activities=talks)
    per_week = [sum(1 for o in candidates(problem).options if o.activity_id and o.week == w) for w in (1, 2)]
    assert per_week == [2, 0]


def test_guest_lectures_are_offered_in_the_nearest_sections_first():
    far = CourseSection("K9", "形势与政策", "situation_policy", 2, (3, 4), frozenset(), "B", "西教101")
    problem = tiny(weeks=4)
    many = tuple(replace(far, section_id=f"K{i}", campus="A") for i in range(10, 10 + opt.SECTIONS_PER_LEADER))
    problem = replace(problem, courses=(far, *problem.courses, *many))
    sections = {o.section_id for o in candidates(problem).options if o.section_id}
    assert "K9" not in sections and len(sections) == opt.SECTIONS_PER_LEADER
