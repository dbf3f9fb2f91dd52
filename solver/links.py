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
    problem: Problem,
    cands: Candidates,
    weights: Weights,
    time_limit: float,
    fixed: dict[str, str] | None = None,
) -> dict[str, str]:
    """The cheapest links: one per leader, within each unit's max_leaders, school leaders spread
    over colleges, last term's links kept where sensible. ``fixed`` links stay as they are."""
    cost = estimate(problem, cands, weights)
    if not cost:
        return {}
    m = cp_model.CpModel()
    var = {k: m.new_bool_var(f"{k[0]}_{k[1]}") for k in sorted(cost)}
    history = {(h.leader_id, h.unit_id) for h in problem.history}
    has_history = {h.leader_id for h in problem.history}
    school = {x.leader_id for x in problem.leaders if x.tier == "school"}
    terms = []
    per_leader: dict[str, list[cp_model.IntVar]] = defaultdict(list)
    per_unit: dict[str, list[cp_model.IntVar]] = defaultdict(list)
    per_college: dict[str, list[cp_model.IntVar]] = defaultdict(list)
    for (leader_id, u), v in var.items():
        per_leader[leader_id].append(v)
        per_unit[u].append(v)
        extra = weights.no_history if leader_id in has_history and (leader_id, u) not in history else 0
        terms.append((cost[leader_id, u] + extra) * v)
        college = problem.unit(u).college
        if college and leader_id in school:
            per_college[college].append(v)
    for leader_id, vs in per_leader.items():
        miss = m.new_bool_var(f"miss_{leader_id}")
        m.add(sum(vs) + miss == 1)
        terms.append(weights.miss_link * miss)
    for u, vs in per_unit.items():
        m.add(sum(vs) <= problem.unit(u).max_leaders)
    for college, vs in per_college.items():
        if len(vs) > 1:
            over = m.new_int_var(0, len(vs), f"over_{college}")
            m.add(sum(vs) <= 1 + over)
            terms.append(weights.college_imbalance * over)
    for leader_id, u in (fixed or {}).items():
        if (leader_id, u) in var:
            m.add(var[leader_id, u] == 1)
    m.minimize(sum(terms))
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(0.5, time_limit)
    solver.parameters.num_workers = 1
    status = solver.solve(m)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return {}
    return {k[0]: k[1] for k, v in var.items() if solver.value(v)}
