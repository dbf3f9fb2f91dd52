"""Which requirements stand in each other's way: a conflicting set found with assumptions.

When a requirement is unmet although candidate visits for it exist, other leaders' requirements
took the places (one leader per course section, one per linked unit, a canteen's capacity…). The
unmet requirement is made hard, every other requirement that the plan meets becomes an assumption,
and CP-SAT's sufficient assumptions for infeasibility, shrunk by deletion, name the requirements
that cannot all be met together, not a guess.
"""

from __future__ import annotations

from collections.abc import Iterable

from ortools.sat.python import cp_model

from . import model as mdl
from .options import Candidates
from .problem import Problem
from .weights import Weights

Key = tuple[str, str, object]  # (requirement, leader_id, detail) as in Model.miss

MAX_ANALYSES = 20  # unmet requirements analysed per plan
ANALYSIS_SECONDS = 20.0  # time for all analyses of one plan
SECONDS = 3.0  # time for one infeasibility check


def conflicting_set(
    problem: Problem, cands: Candidates, weights: Weights, unmet: Key, met: Iterable[Key],
    deterministic: bool = False,
) -> list[Key] | None:
    """Requirements that, with ``unmet``, cannot all be met; None when none is found."""
    leader_id = unmet[1]
    targets = {o.target_id for o in cands.options if o.leader_id == leader_id}
    targets |= set(cands.links.get(leader_id, []))
    rivals = {o.leader_id for o in cands.options if o.target_id in targets}
    rivals |= {lid for lid, units in cands.links.items() if targets.intersection(units)}
    rivals.add(leader_id)
    sub = Candidates(
        options=[o for o in cands.options if o.leader_id in rivals],
        links={lid: units for lid, units in cands.links.items() if lid in rivals},
    )
    met = [k for k in met if k[1] in rivals and k != unmet]
    core = _core(problem, sub, weights, unmet, met, deterministic)
    if core is None:
        return None
    for key in list(core):  # deletion: keep only what the conflict needs
        trial = [k for k in core if k != key]
        if _core(problem, sub, weights, unmet, trial, deterministic) is not None:
            core = trial
    return core


def _core(
    problem: Problem, cands: Candidates, weights: Weights, unmet: Key, assumed: list[Key], deterministic: bool
) -> list[Key] | None:
    """The assumed requirements in an infeasibility core, or None if all can be met together."""
    scope = frozenset({o.leader_id for o in cands.options} | set(cands.links) | {unmet[1]})
    m = mdl.build(problem, cands, weights, prior=mdl.Prior(scope=scope))
    if unmet not in m.miss:
        return None
    m.cp.add(m.miss[unmet] == 0)
    literals = {}
    for key in assumed:
        var = m.miss.get(key)
        if var is not None:
            literals[var.Not().index] = key
            m.cp.add_assumption(var.Not())
    m.cp.minimize(0)
    solver = cp_model.CpSolver()
    if deterministic:
        solver.parameters.max_deterministic_time = SECONDS
    else:
        solver.parameters.max_time_in_seconds = SECONDS
    solver.parameters.num_workers = 1
    status = solver.solve(m.cp)
    if status != cp_model.INFEASIBLE:
        return None
    return [literals[i] for i in solver.sufficient_assumptions_for_infeasibility() if i in literals]
