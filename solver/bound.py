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
from dataclasses import dataclass, field

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
    # leaders without a link solved alone by a model: their best plan alone (a hint for the search)
    plans: dict[str, list[Option]] = field(default_factory=dict)


def decomposition_bound(
    problem: Problem, cands: Candidates, weights: Weights, time_limit: float, deterministic: bool = False
) -> Decomposition:
    """A valid lower bound on the full model's objective, whatever the time limit.

    Every leader gets the closed-form bound of its contact requirement first (exact for
    contact-only leaders, a relaxation for the others); the others' own small models then
    tighten it while time is left. ``deterministic``: no wall-clock deadline; every small solve
    gets a deterministic budget, so the same data always gives the same bound and links."""
    deadline = math.inf if deterministic else time.perf_counter() + time_limit
    alone = _Alone(problem, cands, weights, deadline)
    fixed, pair, unlinked = _alone_parts(problem, cands, alone)
    value, links = _matching(problem, pair, unlinked, weights, deadline)
    plans = {}
    for leader in problem.leaders:
        key = (leader.leader_id, links.get(leader.leader_id, "") if leader.link else None)
        if key in alone.plans:
            plans[leader.leader_id] = alone.plans[key]
    # every coefficient of the objective is an integer, so the bound can be rounded up
    return Decomposition(float(math.ceil(sum(fixed.values()) + value - 1e-6)), links, plans)


def _alone_parts(
    problem: Problem, cands: Candidates, alone: _Alone
) -> tuple[dict[str, float], dict[tuple[str, str], float], dict[str, float]]:
    """Each leader alone: (leader -> bound for leaders without a link, (leader, unit) -> bound
    with that link, leader -> bound with no link at all)."""
    mine: dict[str, list[Option]] = defaultdict(list)
    for o in cands.options:
        mine[o.leader_id].append(o)
    fixed: dict[str, float] = {}
    pair: dict[tuple[str, str], float] = {}
    unlinked: dict[str, float] = {}
    # leaders without a link first: one small model each, and their plans matter most (the
    # frontline blocks); when time runs out, the rest keep their closed-form bounds
    for leader in sorted(problem.leaders, key=lambda x: x.link):
        lid = leader.leader_id
        if not leader.link:
            fixed[lid] = alone(lid, mine[lid], None)
            continue
        plain = [o for o in mine[lid] if not o.linked]
        unlinked[lid] = alone(lid, plain, "")  # no link at all
        for u in cands.links.get(lid, []):
            options = plain + [o for o in mine[lid] if o.linked and o.target_id == u]
            pair[lid, u] = alone(lid, options, u)
    return fixed, pair, unlinked


class _Alone:
    """The bound of one leader's model on its own (``link``: the linked unit, "" for none): in
    closed form for contact-only leaders, by a small CP-SAT model for the others while time is
    left, else by the closed form of their contact requirement alone (a relaxation)."""

    def __init__(self, problem: Problem, cands: Candidates, weights: Weights, deadline: float):
        self.problem, self.cands, self.weights, self.deadline = problem, cands, weights, deadline
        self.plans: dict[tuple[str, str | None], list[Option]] = {}  # (leader, link) -> best plan alone

    def __call__(self, leader_id: str, options: list[Option], link: str | None) -> float:
        leader = self.problem.leader(leader_id)
        relaxed, cheapest = _contact_only(self.problem, leader_id, options, link, self.weights, plan=True)
        if not (leader.lecture or leader.seven_visits or leader.frontline_share > 0):
            self.plans[leader_id, link] = cheapest
            return relaxed
        found = _alone_model(self.problem, leader_id, options, link, self.weights, self.deadline, self.cands.need)
        if found is None:
            return relaxed
        value, chosen = found
        self.plans[leader_id, link] = chosen
        return max(relaxed, value)


def _alone_model(
    problem: Problem,
    leader_id: str,
    options: list[Option],
    link: str | None,
    weights: Weights,
    deadline: float,
    need: dict[tuple[str, int], int],
) -> tuple[float, list[Option]] | None:
    """One leader's own CP-SAT model, solved: its bound and its best plan (None: no time left)."""
    if deadline - time.perf_counter() <= 0:
        return None
    links = {leader_id: [link]} if link else {}
    mine = {k: v for k, v in need.items() if k[0] == leader_id}
    m = mdl.build(
        problem, Candidates(options=options, links=links, need=mine), weights,
        prior=mdl.Prior(scope=frozenset({leader_id})),
    )
    if link:
        m.cp.add(m.link[leader_id, link] == 1)
    for key, var in m.miss.items():
        if key[0] == "linked_unit":  # priced in the matching, not here
            m.cp.add(var == (0 if link else 1))
    objective = sum(w * e for e, w, tag in m.terms if tag != "miss_linked_unit")
    m.cp.minimize(objective)
    solver = _solver(deadline)
    if solver is None or solver.solve(m.cp) not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None
    chosen = [o for o, var in zip(options, m.x, strict=True) if solver.value(var)]
    return float(solver.best_objective_bound), chosen


def _contact_only(
    problem: Problem, leader_id: str, options: list[Option], link: str | None, weights: Weights,
    plan: bool = False,
):  # float, or (float, the visits of that optimum) with ``plan``
    """The exact optimum of a leader's model whose only visit requirement is the contact (for
    any other leader: the optimum with its other requirements dropped, a lower bound).

    Contact blocks are disjoint sets of weeks: one visit per block, the cheapest face-to-face
    one, meets every rule of the model (one visit a day, no unit twice in a week) at the least
    cost, and a block without any visit costs its miss. The link's own cost (last term's link
    broken) is added here; the miss of the link is priced by the matching."""
    leader = problem.leader(leader_id)
    cheapest: dict[int, tuple[int, Option]] = {}
    for o in options:
        if o.face_to_face and (not o.linked or o.target_id == link):
            cost = mdl.option_cost(problem, leader, o, weights)
            if o.week not in cheapest or cost < cheapest[o.week][0]:
                cheapest[o.week] = (cost, o)
    total = 0
    chosen: list[Option] = []
    for block in mdl.contact_blocks(problem, leader.contact_every_weeks):
        costs = [cheapest[w] for w in block if w in cheapest]
        if costs:
            cost, option = min(costs, key=lambda c: c[0])
            total += cost
            chosen.append(option)
        else:
            total += weights.miss_weekly_contact
    history = {h.unit_id for h in problem.history if h.leader_id == leader_id}
    if link and history and link not in history:
        total += weights.no_history
    return (float(total), chosen) if plan else float(total)


def _matching(
    problem: Problem,
    pair: dict[tuple[str, str], float],
    unlinked: dict[str, float],
    weights: Weights,
    deadline: float,
) -> tuple[float, dict[str, str]]:
    """Exact matching of linking leaders to units on the per-pair costs: its bound and links.
    Out of time: each leader's cheapest choice alone (the matching without unit capacities and
    college spread, a relaxation)."""
    cost = {k: math.floor(v) for k, v in pair.items()}
    none = {lid: math.floor(v + weights.miss_link) for lid, v in unlinked.items()}
    left = deadline - time.perf_counter()
    deterministic = deadline == math.inf
    if left > 0:
        matched = solve_matching(problem, cost, none, weights, min(left, 5.0), deterministic)
        if matched is not None:
            return matched
    total = 0.0
    links: dict[str, str] = {}
    load: dict[str, int] = defaultdict(int)
    for lid, penalty in sorted(none.items()):
        options = sorted((c, u) for (leader_id, u), c in cost.items() if leader_id == lid)
        total += min([penalty, *(c for c, _ in options)])
        # links for the plan search: the cheapest unit with a place left
        free = [u for c, u in options if c < penalty and load[u] < problem.unit(u).max_leaders]
        if free:
            links[lid] = free[0]
            load[free[0]] += 1
    return total, links


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
