"""CP-SAT's settings, shared by every solve of the full model and of its parts."""

from __future__ import annotations

import os

from ortools.sat.python import cp_model

# Full workers, in order of use: the first ones prove the bound (LP), the others find plans.
SUBSOLVERS = ("max_lp", "default_lp", "quick_restart", "core", "reduced_costs", "pseudo_costs")


def configure(
    params: cp_model.SatParameters,
    *,
    time_limit: float,
    deterministic: bool = False,
    workers: int = 0,
    seed: int = 0,
    log: bool = False,
) -> None:
    """Workers (0: every core), seed and time budget (deterministic time in deterministic mode)."""
    params.random_seed = seed
    workers = workers or os.cpu_count() or 2
    params.num_workers = workers
    # Probing costs seconds of presolve on large models and buys little here.
    params.cp_model_probing_level = 0
    # One presolve pass: on 2 cores the second and third passes took 1.5 s of a 10 s budget
    # (M) and gained almost nothing, in every stage that solves a copy of the model.
    params.max_presolve_iterations = 1
    # The default portfolio's bound is weak on this model; an LP-heavy worker proves it quickly.
    # With one worker, the LP-heavy one (the last stage gives the other core to the local search).
    if workers == 1:
        params.subsolvers.append("max_lp")
    else:
        params.subsolvers.extend(SUBSOLVERS[: max(2, workers)])
    params.log_search_progress = log
    if deterministic:
        params.max_deterministic_time = time_limit
        params.interleave_search = True
    else:
        params.max_time_in_seconds = time_limit
