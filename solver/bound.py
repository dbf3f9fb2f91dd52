"""A lower bound by decomposition: each leader alone, then the links matched exactly.

Leaders interact only through shared places (a unit, a canteen, a course section, an activity's
seats) and a few soft terms over several leaders (a unit visited twice in a week, school leaders
in one college, lectures in one week), each of the form max(0, n - k), which is superadditive.
Dropping those couplings leaves one small model per leader (and per candidate link), whose
optimal costs, combined by an exact matching of leaders to units, bound the whole plan's objective
from below. Most leaders owe only the weekly contact: their models are solved exactly without a
solver, so the decomposition takes seconds even on the largest universities. Its links, the best
ones when leaders are taken apart, seed the plan search.
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
    parts = _alone_parts(problem, cands, weights, deadline)
    if parts is None:
        return None
    fixed, pair, unlinked = parts
    matched = _matching(problem, pair, unlinked, weights, deadline)
    if matched is None:
        return None
    value, links = matched
    # every coefficient of the objective is an integer, so the bound can be rounded up
    return Decomposition(float(math.ceil(sum(fixed.values()) + value - 1e-6)), links)


def _alone_parts(
    problem: Problem, cands: Candidates, weights: Weights, deadline: float
) -> tuple[dict[str, float], dict[tuple[str, str], float], dict[str, float]] | None:
    """Each leader alone: (leader -> bound for leaders without a link, (leader, unit) -> bound
    with that link, leader -> bound with no link at all); None if time ran out."""
    mine: dict[str, list[Option]] = defaultdict(list)
    for o in cands.options:
        mine[o.leader_id].append(o)
    fixed: dict[str, float] = {}
    pair: dict[tuple[str, str], float] = {}
    unlinked: dict[str, float] = {}
    for leader in problem.leaders:
        lid = leader.leader_id
        if not leader.link:
            value = _alone(problem, lid, mine[lid], None, weights, deadline)
            if value is None:
                return None
            fixed[lid] = value
            continue
        plain = [o for o in mine[lid] if not o.linked]
        value = _alone(problem, lid, plain, "", weights, deadline)  # no link at all
        if value is None:
            return None
        unlinked[lid] = value
        for u in cands.links.get(lid, []):
            options = plain + [o for o in mine[lid] if o.linked and o.target_id == u]
            value = _alone(problem, lid, options, u, weights, deadline)
            if value is None:
                return None
            pair[lid, u] = value
    return fixed, pair, unlinked


def _alone(
    problem: Problem, leader_id: str, options: list[Option], link: str | None, weights: Weights, deadline: float
) -> float | None:
    """The bound of one leader's model on its own (``link``: the linked unit, "" for none)."""
    leader = problem.leader(leader_id)
    if not (leader.lecture or leader.seven_visits):
        return _contact_only(problem, leader_id, options, link, weights)
    return _alone_model(problem, leader_id, options, link, weights, deadline)


def _alone_model(
    problem: Problem, leader_id: str, options: list[Option], link: str | None, weights: Weights, deadline: float
) -> float | None:
    """One leader's own CP-SAT model, solved: its bound."""
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


def _contact_only(
    problem: Problem, leader_id: str, options: list[Option], link: str | None, weights: Weights
) -> float:
    """The exact optimum of a leader's model whose only visit requirement is the contact.

    Contact blocks are disjoint sets of weeks: one visit per block, the cheapest face-to-face
    one, meets every rule of the model (one visit a day, no unit twice in a week) at the least
    cost, and a block without any visit costs its miss. The link's own cost (last term's link
    broken) is added here; the miss of the link is priced by the matching."""
    leader = problem.leader(leader_id)
    cheapest: dict[int, int] = {}
    for o in options:
        if o.face_to_face and (not o.linked or o.target_id == link):
            cost = mdl.option_cost(problem, leader, o, weights)
            cheapest[o.week] = min(cost, cheapest.get(o.week, cost))
    total = 0
    for block in mdl.contact_blocks(problem, leader.contact_every_weeks):
        costs = [cheapest[w] for w in block if w in cheapest]
        total += min(costs) if costs else weights.miss_weekly_contact
    history = {h.unit_id for h in problem.history if h.leader_id == leader_id}
    if link and history and link not in history:
        total += weights.no_history
    return float(total)


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
