"""Linking leaders to units: a matching whose cost per (leader, unit) pair estimates what that
link costs in the weekly schedule (the cheapest visit to the unit in each contact block).

The full model decides links and visits together, but its LP bound is weak on the links; solving
the matching first and the visits with the links fixed gives a strong starting plan in seconds,
which the full model then improves (and bounds).
"""

from __future__ import annotations

from collections import defaultdict

from ortools.sat.python import cp_model

from .model import contact_blocks, option_cost
from .options import Candidates
from .problem import Problem
from .weights import Weights

NO_VISIT = 60  # estimated cost of a contact block the linked unit cannot take


def estimate(problem: Problem, cands: Candidates, weights: Weights) -> dict[tuple[str, str], int]:
    """Per (leader, candidate unit): the sum over contact blocks of the cheapest visit there."""
    cheapest: dict[tuple[str, str, int], int] = {}
    leaders = {x.leader_id: x for x in problem.leaders}
    for o in cands.options:
        if not o.linked:
            continue
        key = (o.leader_id, o.target_id, o.week)
        cost = option_cost(problem, leaders[o.leader_id], o, weights)
        cheapest[key] = min(cost, cheapest.get(key, cost))
    out = {}
    for leader_id, units in cands.links.items():
        blocks = contact_blocks(problem, leaders[leader_id].contact_every_weeks)
        for u in units:
            out[leader_id, u] = sum(
                min([cheapest[k] for w in b if (k := (leader_id, u, w)) in cheapest] + [NO_VISIT])
                for b in blocks
            )
    return out


def match(
    problem: Problem, cands: Candidates, weights: Weights, time_limit: float, deterministic: bool = False
) -> dict[str, str]:
    """The cheapest links on estimated costs, last term's links kept where sensible."""
    cost = estimate(problem, cands, weights)
    history = {(h.leader_id, h.unit_id) for h in problem.history}
    has_history = {h.leader_id for h in problem.history}
    for (leader_id, u) in cost:
        if leader_id in has_history and (leader_id, u) not in history:
            cost[leader_id, u] += weights.no_history
    none = {leader_id: weights.miss_link for leader_id, _ in cost}
    result = solve_matching(problem, cost, none, weights, time_limit, deterministic)
    return result[1] if result else {}


def solve_matching(
    problem: Problem,
    cost: dict[tuple[str, str], int],
    none: dict[str, int],
    weights: Weights,
    time_limit: float,
    deterministic: bool = False,
) -> tuple[float, dict[str, str]] | None:
    """One unit (or none, at ``none[leader]``) per leader, within each unit's max_leaders, school
    leaders spread over colleges. Returns the objective's bound and the links (None: no answer)."""
    if not none:
        return 0.0, {}
    m = cp_model.CpModel()
    var = {k: m.new_bool_var(f"{k[0]}_{k[1]}") for k in sorted(cost)}
    school = {x.leader_id for x in problem.leaders if x.tier == "school"}
    terms = []
    per_leader: dict[str, list[cp_model.IntVar]] = defaultdict(list)
    per_unit: dict[str, list[cp_model.IntVar]] = defaultdict(list)
    per_college: dict[str, list[cp_model.IntVar]] = defaultdict(list)
    for (leader_id, u), v in var.items():
        per_leader[leader_id].append(v)
        per_unit[u].append(v)
        terms.append(cost[leader_id, u] * v)
        college = problem.unit(u).college
        if college and leader_id in school:
            per_college[college].append(v)
    for leader_id, penalty in sorted(none.items()):
        miss = m.new_bool_var(f"miss_{leader_id}")
        m.add(sum(per_leader[leader_id]) + miss == 1)
        terms.append(penalty * miss)
    for u, vs in per_unit.items():
        m.add(sum(vs) <= problem.unit(u).max_leaders)
    for college, vs in per_college.items():
        if len(vs) > 1:
            over = m.new_int_var(0, len(vs), f"over_{college}")
            m.add(sum(vs) <= 1 + over)
            terms.append(weights.college_imbalance * over)
    m.minimize(sum(terms))
    solver = cp_model.CpSolver()
    if deterministic:
        solver.parameters.max_deterministic_time = max(0.5, time_limit)
    else:
        solver.parameters.max_time_in_seconds = max(0.5, time_limit)
    solver.parameters.num_workers = 1
    solver.parameters.linearization_level = 2
    if solver.solve(m) not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None
    return float(solver.best_objective_bound), {k[0]: k[1] for k, v in var.items() if solver.value(v)}
