"""Golden reference feeds for the demo university. The plan is the first-fit baseline (no
CP-SAT search involved), so it is the same on every machine; regenerate the files with
``FRONTLINE_REGEN_GOLDEN=1 python -m pytest tests/test_calendars_demo.py`` and review the diff."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from calendars.feeds import leader_feed, read_feed, unit_feed
from data import DEMO_DIR
from data.reader import read_problem
from solver import options as opt
from solver.availability import Availability
from solver.baseline import first_fit
from solver.result import SolveStats
from solver.solve import assemble

GOLDEN = Path(__file__).parent / "golden"


@pytest.fixture(scope="module")
def demo():
    problem = read_problem(DEMO_DIR).problem
    avail = Availability(problem)
    cands = opt.build(problem, avail)
    chosen, links = first_fit(problem, cands)
    stats = SolveStats("BASELINE", 0, 0, 0)
    return problem, assemble(problem, avail, cands, chosen, links, stats, conflicts=False)


def golden(name: str, data: bytes) -> None:
    path = GOLDEN / name
    if os.environ.get("FRONTLINE_REGEN_GOLDEN") == "1":
        path.write_bytes(data)
    assert path.exists(), f"{path} missing: run with FRONTLINE_REGEN_GOLDEN=1"
    assert data == path.read_bytes()


def test_the_party_secretarys_feed_matches_the_reference(demo):
    problem, plan = demo
    data = leader_feed(plan, problem, "L01")
    golden("demo_leader_L01.ics", data)
    assert [e.uid for e in read_feed(data)] == [e.uid for e in plan.events_of("L01")]


def test_a_class_feed_matches_the_reference(demo):
    problem, plan = demo
    unit = next(a.unit_id for a in plan.assignments if problem.unit(a.unit_id).kind == "class")
    golden(f"demo_unit_{unit}.ics", unit_feed(plan, problem, unit))


def test_a_student_affairs_heads_feed_shows_blocks_not_a_stream_of_visits(demo):
    problem, plan = demo
    data = leader_feed(plan, problem, "L34")
    golden("demo_leader_L34.ics", data)
    mine = plan.events_of("L34")
    assert mine and all(e.is_block for e in mine)
    assert "SUMMARY:一线工作 · " in data.decode()
