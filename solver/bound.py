"""A lower bound by decomposition: each leader alone, then the links matched exactly.

Leaders interact only through shared places (a unit, a canteen, a course section, an activity's
seats) and a few soft terms over several leaders (a unit visited twice in a week, school leaders
in one college, lectures in one week). Dropping those couplings leaves one small model per leader
(and per candidate link), whose optimal costs, combined by an exact matching of leaders to units,
bound the whole plan's objective from below. The full model's own LP bound is weak on the links;
this one is not.
"""

from __future__ import annotations

import math
import time
from collections import defaultdict
from dataclasses import dataclass

from ortools.sat.python import cp_model

from . import model as mdl
from .links import solve_matching
from .options import Candidates, Option
from .problem import Problem
from .weights import Weights

SUBSOLVE_DETERMINISTIC = 2.0  # deterministic budget of one small solve in deterministic mode


@dataclass(frozen=True)
class Decomposition:
    bound: float  # a valid lower bound on the full model's objective
    links: dict[str, str]  # the matching's links: the best ones when leaders are taken alone


def decomposition_bound(
    problem: Problem, cands: Candidates, weights: Weights, time_limit: float, deterministic: bool = False
) -> Decomposition | None:
    """A valid lower bound on the full model's objective, or None if time ran out.

    ``deterministic``: no wall-clock deadline; every small solve gets a deterministic budget, so
    the same data always gives the same bound and links."""
    deadline = math.inf if deterministic else time.perf_counter() + time_limit
    mine: dict[str, list[Option]] = defaultdict(list)
    for o in cands.options:
        mine[o.leader_id].append(o)
    fixed_part = 0.0
    pair: dict[tuple[str, str], float] = {}
    unlinked: dict[str, float] = {}
    for leader in problem.leaders:
        lid = leader.leader_id
        units = cands.links.get(lid, []) if leader.link else []
        if not leader.link:
            value = _alone(problem, lid, mine[lid], None, weights, deadline)
            if value is None:
                return None
            fixed_part += value
            continue
        plain = [o for o in mine[lid] if not o.linked]
        value = _alone(problem, lid, plain, "", weights, deadline)  # no link at all
        if value is None:
            return None
        unlinked[lid] = value
        for u in units:
            options = plain + [o for o in mine[lid] if o.linked and o.target_id == u]
            value = _alone(problem, lid, options, u, weights, deadline)
            if value is None:
                return None
            pair[lid, u] = value
    matched = _matching(problem, pair, unlinked, weights, deadline)
    if matched is None:
        return None
    value, links = matched
    # every coefficient of the objective is an integer, so the bound can be rounded up
    return Decomposition(float(math.ceil(fixed_part + value - 1e-6)), links)


def _alone(
    problem: Problem, leader_id: str, options: list[Option], link: str | None, weights: Weights, deadline: float
) -> float | None:
    """The bound of one leader's model on its own (``link``: the linked unit, "" for none)."""
    links = {leader_id: [link]} if link else {}
    m = mdl.build(problem, Candidates(options=options, links=links), weights, prior=mdl.Prior(scope=frozenset({leader_id})))
    if link:
        m.cp.add(m.link[leader_id, link] == 1)
    for key, var in m.miss.items():
        if key[0] == "linked_unit":  # priced in the matching, not here
            m.cp.add(var == (0 if link else 1))
    objective = sum(w * e for e, w, tag in m.terms if tag != "miss_linked_unit")
    m.cp.minimize(objective)
    return _bound(m.cp, deadline)


def _matching(
    problem: Problem,
    pair: dict[tuple[str, str], float],
    unlinked: dict[str, float],
    weights: Weights,
    deadline: float,
) -> tuple[float, dict[str, str]] | None:
    """Exact matching of linking leaders to units on the per-pair costs: its bound and links."""
    left = deadline - time.perf_counter()
    if left <= 0:
        return None
    cost = {k: math.floor(v) for k, v in pair.items()}
    none = {lid: math.floor(v + weights.miss_link) for lid, v in unlinked.items()}
    deterministic = deadline == math.inf
    return solve_matching(problem, cost, none, weights, min(left, 5.0), deterministic)


def _solver(deadline: float) -> cp_model.CpSolver | None:
    left = deadline - time.perf_counter()
    if left <= 0:
        return None
    solver = cp_model.CpSolver()
    if deadline == math.inf:
        solver.parameters.max_deterministic_time = SUBSOLVE_DETERMINISTIC
    else:
        solver.parameters.max_time_in_seconds = min(left, 5.0)
    solver.parameters.num_workers = 1
    solver.parameters.linearization_level = 2
    solver.parameters.symmetry_level = 0  # tiny models: the fixed costs of a solve dominate
    solver.parameters.cp_model_probing_level = 0
    return solver


def _bound(model: cp_model.CpModel, deadline: float) -> float | None:
    solver = _solver(deadline)
    if solver is None or solver.solve(model) not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None
    return float(solver.best_objective_bound)
