"""The bounds that prove a plan's quality: the model's LP relaxation is tight where a leader's
single link could be split by fractions, and the decomposition bound never exceeds the optimum."""

import datetime as dt
import math
from collections import defaultdict

from factories import tiny, universities
from hypothesis import HealthCheck, given, settings
from lp_relaxation import lp_bound
from ortools.sat.python import cp_model

from solver import bound
from solver import model as mdl
from solver import options as opt
from solver.availability import Availability
from solver.engine import configure
from solver.problem import Activity, Problem
from solver.weights import Weights

RANDOM = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def talk() -> Activity:
    return Activity("A1", "lecture", "形势报告会", dt.date(2026, 9, 9), 15 * 60, 16 * 60, "A", "报告厅")


def optimum(problem: Problem) -> tuple[mdl.Model, float]:
    cands = opt.build(problem, Availability(problem))
    model = mdl.build(problem, cands, Weights())
    solver = cp_model.CpSolver()
    configure(solver.parameters, time_limit=30)  # the solver's own settings (LP workers)
    assert solver.solve(model.cp) == cp_model.OPTIMAL
    return model, solver.objective_value


def test_lp_relaxation_covers_visit_kinds_through_one_link_only():
    # A school leader with a class, a dorm and a society as candidate links: a fraction of each
    # link must not make three visit kinds cheap at once (that LP was 35 % below the optimum).
    problem = tiny(weeks=4, activities=(talk(),))
    model, best = optimum(problem)
    assert len(model.cands.links["L1"]) == 3
    assert lp_bound(model.cp) == best


@RANDOM
@given(universities())
def test_lp_relaxation_never_exceeds_the_optimum(problem):
    model, best = optimum(problem)
    assert lp_bound(model.cp) <= best + 1e-6


@RANDOM
@given(universities())
def test_decomposition_bound_never_exceeds_the_optimum(problem):
    model, best = optimum(problem)
    found = bound.decomposition_bound(problem, model.cands, Weights(), 30, deterministic=True)
    assert found is not None and found.bound <= best
    assert all(u in model.cands.links[lid] for lid, u in found.links.items())


@RANDOM
@given(universities())
def test_leaders_with_only_the_contact_duty_are_priced_exactly_without_a_solver(problem):
    cands = opt.build(problem, Availability(problem))
    mine = defaultdict(list)
    for o in cands.options:
        mine[o.leader_id].append(o)
    for person in problem.leaders:
        if person.lecture or person.seven_visits or person.frontline_share > 0:
            continue
        lid = person.leader_id
        cases = [(None, mine[lid])] if not person.link else [("", [o for o in mine[lid] if not o.linked])]
        cases += [(u, [o for o in mine[lid] if not o.linked or o.target_id == u]) for u in cands.links.get(lid, [])]
        for link, options in cases:
            links = [link] if link else []
            exact = bound._alone_model(problem, lid, options, links, [link], Weights(), math.inf, cands.need)[link][0]
            assert bound._contact_only(problem, lid, options, link, Weights()) == exact
