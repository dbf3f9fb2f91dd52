"""Linking leaders to units: an exact matching on per-(leader, unit) costs (``bound.py`` prices
each pair by the leader's own plan with that link)."""

from __future__ import annotations

from collections import defaultdict

from ortools.sat.python import cp_model

from .problem import Problem
from .weights import Weights


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
