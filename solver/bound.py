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
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from ortools.sat.python import cp_model

from . import model as mdl
from .links import solve_matching
from .options import Candidates, Option
from .problem import Leader, Problem
from .weights import Weights

THREADS = 2  # small models solved at once
SUBSOLVE_DETERMINISTIC = 2.0  # deterministic budget of one small solve in deterministic mode


@dataclass(frozen=True)
class Decomposition:
    bound: float  # a valid lower bound on the full model's objective
    links: dict[str, str]  # the matching's links: the best ones when leaders are taken alone
    # leaders without a link solved alone by a model: their best plan alone (a hint for the search)
    plans: dict[str, list[Option]] = field(default_factory=dict)
    # (leader, unit) -> the bound of that leader alone with that link (unit None: a leader without
    # a link; "": a linking leader left without one), for ``model.add_leader_bounds``
    parts: dict[tuple[str, str | None], float] = field(default_factory=dict)


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
    parts: dict[tuple[str, str | None], float] = {(lid, None): v for lid, v in fixed.items()}
    parts.update({(lid, u): v for (lid, u), v in pair.items()})
    parts.update({(lid, ""): v for lid, v in unlinked.items()})
    return Decomposition(float(math.ceil(sum(fixed.values()) + value - 1e-6)), links, plans, parts)


def _alone_parts(
    problem: Problem, cands: Candidates, alone: _Alone
) -> tuple[dict[str, float], dict[tuple[str, str], float], dict[str, float]]:
    """Each leader alone: (leader -> bound for leaders without a link, (leader, unit) -> bound
    with that link, leader -> bound with no link at all)."""
    mine: dict[str, list[Option]] = defaultdict(list)
    for o in cands.options:
        mine[o.leader_id].append(o)
    # leaders without a link first (their plans matter most: the frontline blocks); when time
    # runs out, the rest keep their closed-form bounds. CP-SAT leaves the GIL while it solves:
    # two threads keep both cores busy.
    order = sorted(problem.leaders, key=lambda x: x.link)
    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        found = list(pool.map(lambda leader: alone(leader, mine[leader.leader_id]), order))
    fixed: dict[str, float] = {}
    pair: dict[tuple[str, str], float] = {}
    unlinked: dict[str, float] = {}
    for leader, values in zip(order, found, strict=True):
        lid = leader.leader_id
        for link, value in values.items():
            if link is None:
                fixed[lid] = value
            elif link == "":
                unlinked[lid] = value
            else:
                pair[lid, link] = value
    return fixed, pair, unlinked


class _Alone:
    """The bounds of one leader's model on its own, for each link it may take ("" for none, None
    for a leader without a link): in closed form for contact-only leaders, by a small CP-SAT
    model for the others while time is left, else by the closed form of their contact
    requirement alone (a relaxation)."""

    def __init__(self, problem: Problem, cands: Candidates, weights: Weights, deadline: float):
        self.problem, self.cands, self.weights, self.deadline = problem, cands, weights, deadline
        self.plans: dict[tuple[str, str | None], list[Option]] = {}  # (leader, link) -> best plan alone

    def __call__(self, leader: Leader, options: list[Option]) -> dict[str | None, float]:
        lid = leader.leader_id
        links = self.cands.links.get(lid, []) if leader.link else []
        choices: list[str | None] = ["", *links] if leader.link else [None]
        values: dict[str | None, float] = {}
        for link in choices:
            mine = [o for o in options if not o.linked or o.target_id == link]
            values[link], self.plans[lid, link] = _contact_only(self.problem, lid, mine, link, self.weights, plan=True)
        if not (leader.lecture or leader.seven_visits or leader.frontline_share > 0):
            return values
        for link, (value, chosen) in _alone_model(
            self.problem, lid, options, links, choices, self.weights, self.deadline, self.cands.need
        ).items():
            self.plans[lid, link] = chosen
            values[link] = max(values[link], value)
        return values


def _alone_model(
    problem: Problem,
    leader_id: str,
    options: list[Option],
    links: list[str],
    choices: list[str | None],
    weights: Weights,
    deadline: float,
    need: dict[tuple[str, int], int],
    extra: dict[int, int] | None = None,
) -> dict[str | None, tuple[float, list[Option]]]:
    """One leader's own CP-SAT model, built once and solved for each link choice ("": no link,
    None: a leader without a link): the bound and the best plan of each choice solved in time.
    ``extra``: option index -> a cost added to that option (what it costs the other leaders)."""
    out: dict[str | None, tuple[float, list[Option]]] = {}
    if deadline - time.perf_counter() <= 0:
        return out
    mine = {(leader_id, w): need[leader_id, w] for w in problem.term.contact_week_list if (leader_id, w) in need}
    m = mdl.build(
        problem, Candidates(options=options, links={leader_id: links} if links else {}, need=mine), weights,
        prior=mdl.Prior(scope=frozenset({leader_id})), extra_cost=extra,
    )
    # the leader's own terms only (``model.add_leader_bounds`` bounds exactly those); the link's
    # miss is priced by the matching
    m.cp.minimize(sum(w * e for e, w, tag in m.owned.get(leader_id, ()) if tag != "miss_linked_unit"))
    miss = m.miss.get(("linked_unit", leader_id, ""))
    for link in choices:
        solver = _solver(deadline)
        if solver is None:
            break
        model = m.cp.clone()
        if link:
            model.add(m.link[leader_id, link] == 1)
        elif link == "" and miss is not None:
            model.add(miss == 1)
        if solver.solve(model) not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            continue
        values = list(solver.response_proto.solution)
        chosen = [o for o, var in zip(options, m.x, strict=True) if values[var.index]]
        out[link] = (float(solver.best_objective_bound), chosen)
    return out


def best_alone(
    problem: Problem,
    leader_id: str,
    options: list[Option],
    link: str | None,
    weights: Weights,
    need: dict[tuple[str, int], int],
    extra: dict[int, int],
    seconds: float,
    deterministic: bool = False,
) -> list[Option] | None:
    """The leader's best plan from ``options`` (those still free once the leaders before have
    theirs), with ``extra`` costs for what an option costs the others (None: none in time)."""
    links = [link] if link else []
    deadline = math.inf if deterministic else time.perf_counter() + seconds  # inf: a deterministic budget
    found = _alone_model(problem, leader_id, options, links, [link], weights, deadline, need, extra)
    return found[link][1] if link in found else None


def best_together(
    problem: Problem,
    leader_ids: list[str],
    options: list[Option],
    links: dict[str, list[str]],
    weights: Weights,
    need: dict[tuple[str, int], int],
    extra: dict[int, int],
    link_load: dict[str, int],
    colleges: set[str],
    seconds: float,
    deterministic: bool = False,
) -> tuple[list[Option], dict[str, str]] | None:
    """The best plans of a few leaders together (links included) from ``options`` (what is free
    once everyone else has theirs): ``extra`` (option index -> cost to the others),
    ``link_load`` (unit -> links held by the others) and ``colleges`` (colleges where another
    school leader is linked already). None when nothing was found in time."""
    scope = frozenset(leader_ids)
    mine = {k: v for k, v in need.items() if k[0] in scope}
    m = mdl.build(
        problem, Candidates(options=options, links=links, need=mine), weights,
        prior=mdl.Prior(scope=scope, link_load=dict(link_load)), extra_cost=extra,
    )
    school = {x.leader_id for x in problem.leaders if x.tier == "school"}
    for (lid, u), var in m.link.items():  # a school leader linked where another one is already
        if lid in school and problem.unit(u).college in colleges:
            m.cost(var, weights.college_imbalance, "college_imbalance")
    m.cp.minimize(sum(w * e for e, w, _ in m.terms))
    solver = _solver(math.inf if deterministic else time.perf_counter() + seconds)
    if solver is None or solver.solve(m.cp) not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None
    values = list(solver.response_proto.solution)
    chosen = [o for o, var in zip(options, m.x, strict=True) if values[var.index]]
    return chosen, {lid: u for (lid, u), var in m.link.items() if values[var.index]}


class AloneModels:
    """Each leader's own model, built once per link choice from all the leader's options and
    solved again and again with the options no longer free taken away and the costs to the
    others added (the local search asks for thousands of best plans; building a model is half
    of each)."""

    def __init__(self, problem: Problem, weights: Weights, need: dict[tuple[str, int], int]):
        self.problem, self.weights, self.need = problem, weights, need
        # (leader, link) -> (its model, option -> index, variable index -> place in the objective)
        self.models: dict[tuple[str, str | None], tuple[mdl.Model, dict[Option, int], dict[int, int]]] = {}

    def best(
        self,
        leader_id: str,
        usable: list[Option],
        link: str | None,
        free: list[Option],
        extra: dict[Option, int],
        seconds: float,
        deterministic: bool = False,
    ) -> list[Option] | None:
        """The best plan from ``free`` (a part of ``usable``, the leader's options with this link;
        "" for a linking leader without one, None for a leader without a link), each option
        costing ``extra`` more; None when no plan was found in time."""
        m, index, position = self._model(leader_id, usable, link)
        model = m.cp.clone()
        proto = model.proto
        allowed = {index[o] for o in free}
        for i, var in enumerate(m.x):
            if i not in allowed:
                proto.variables[var.index].domain[1] = 0  # a Boolean fixed to 0
        coeffs = proto.objective.coeffs
        for o, c in extra.items():
            k = position[m.x[index[o]].index]
            coeffs[k] = coeffs[k] + c
        solver = _solver(math.inf if deterministic else time.perf_counter() + seconds)
        if solver is None or solver.solve(model) not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            return None
        values = list(solver.response_proto.solution)  # one call, not one per option
        return [o for o, var in zip(usable, m.x, strict=True) if values[var.index]]

    def _model(
        self, leader_id: str, usable: list[Option], link: str | None
    ) -> tuple[mdl.Model, dict[Option, int], dict[int, int]]:
        key = (leader_id, link)
        if key not in self.models:
            links = [link] if link else []
            need = {(leader_id, w): self.need[leader_id, w] for w in self.problem.term.contact_week_list
                    if (leader_id, w) in self.need}
            m = mdl.build(
                self.problem, Candidates(options=usable, links={leader_id: links} if links else {}, need=need),
                self.weights, prior=mdl.Prior(scope=frozenset({leader_id})),
            )
            if link:
                m.cp.add(m.link[leader_id, link] == 1)
            m.cp.minimize(sum(w * e for e, w, tag in m.owned.get(leader_id, ()) if tag != "miss_linked_unit"))
            objective = m.cp.proto.objective
            position = {int(v): k for k, v in enumerate(objective.vars)}
            for var in m.x:  # an option without a cost (weights set to 0) gets a place too
                if var.index not in position:
                    position[var.index] = len(objective.vars)
                    objective.vars.append(var.index)
                    objective.coeffs.append(0)
            self.models[key] = (m, {o: i for i, o in enumerate(usable)}, position)
        return self.models[key]


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
    # presolve costs more than it saves on a model of one leader (measured: half the time)
    solver.parameters.cp_model_presolve = False
    return solver
