"""``frontline bench``: speed and quality on generated universities, against the first-fit
baseline in the same run. Each size runs in its own process, so that peak memory is its own."""

from __future__ import annotations

import datetime as dt
import multiprocessing as mp
import resource
import tempfile
import time
from dataclasses import dataclass, replace
from pathlib import Path
from zoneinfo import ZoneInfo

from rich.console import Console
from rich.table import Table

DEFAULT_LIMITS = {"S": 10.0, "M": 10.0, "L": 60.0, "XL": 300.0}


@dataclass(frozen=True)
class SizeResult:
    size: str
    leaders: int
    units: int
    read_seconds: float
    expand_seconds: float
    first_seconds: float | None
    solve_seconds: float
    objective: float
    bound: float
    gap: float
    unmet: int
    events: int
    peak_mb: float
    baseline_seconds: float
    baseline_objective: float
    baseline_unmet: int
    unmet_only_solver: int  # requirements the solver leaves unmet but the baseline meets
    replans: tuple[tuple[str, float, int, int, int], ...]  # (change, seconds, forced, moved, fresh)


def run_size(size: str, seed: int, time_limit: float, replans: bool) -> SizeResult:
    """Generate, read, solve, baseline and (optionally) re-plan one size, in a child process."""
    with mp.get_context("spawn").Pool(1) as pool:
        return pool.apply(_measure, (size, seed, time_limit, replans))


def _measure(size: str, seed: int, time_limit: float, replans: bool) -> SizeResult:
    from data.generate import generate
    from data.reader import read_problem
    from solver.availability import Availability
    from solver.solve import SolveOptions, solve, solve_baseline

    with tempfile.TemporaryDirectory() as tmp:
        generate(size, seed, Path(tmp))
        started = time.perf_counter()
        problem = read_problem(tmp).problem
        read_seconds = time.perf_counter() - started
    started = time.perf_counter()
    expand(Availability(problem))
    expand_seconds = time.perf_counter() - started
    options = SolveOptions(time_limit=time_limit, seed=seed)
    plan = solve(problem, options)
    base = solve_baseline(problem, options)
    met_by_base = {(r.leader_id, r.requirement) for r in base.report if r.met}
    only_solver = sum(1 for r in plan.unmet if (r.leader_id, r.requirement) in met_by_base)
    measured = tuple(_replans(problem, plan, options)) if replans else ()
    s = plan.stats
    return SizeResult(
        size, len(problem.leaders), len(problem.units), round(read_seconds, 2), round(expand_seconds, 2),
        s.first_solution_seconds, s.solve_seconds, s.objective, s.bound, s.gap, len(plan.unmet),
        sum(1 for e in plan.events if e.status == "planned"),
        resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        base.stats.solve_seconds, base.stats.objective, len(base.unmet), only_solver, measured,
    )


def expand(avail: object) -> None:
    """Expand everything the solver stands on: busy time of every owner, every target's free time."""
    from solver.availability import Availability

    assert isinstance(avail, Availability)
    p = avail.problem
    for leader in p.leaders:
        avail.leader_free(leader.leader_id, leader.campus)
    for unit in p.units:
        avail.target_free(unit)
    for venue in p.venues:
        avail.target_free(venue)


def _replans(problem, plan, options):
    """A three-day trip of one leader and a timetable change of one class, mid-term."""
    from solver.problem import Absence, TimetableEntry
    from solver.replan import replan
    from solver.solve import solve

    zone = ZoneInfo(problem.term.timezone)
    mid = problem.term.start_date + dt.timedelta(weeks=problem.term.weeks // 2)
    now = dt.datetime.combine(mid, dt.time(), zone)
    later = [e for e in plan.events if e.start >= now + dt.timedelta(days=7) and e.face_to_face]
    changes = []
    visit = next((e for e in later if e.visit_kind in ("class", "canteen", "dorm")), None)
    if visit is not None:
        day = visit.start.date()
        trip = Absence(visit.leader_id, dt.datetime.combine(day, dt.time()),
                       dt.datetime.combine(day + dt.timedelta(days=3), dt.time()), "travel", "bench")
        changes.append(("trip", replace(problem, absences=problem.absences + (trip,))))
    lesson = next((e for e in later if e.visit_kind == "class"), None)
    if lesson is not None:
        clock = lesson.start.hour * 60 + lesson.start.minute
        entry = TimetableEntry(lesson.target_id, lesson.start.isoweekday(), frozenset(),
                               start=clock, end=clock + 90, title="bench")
        changes.append(("timetable", replace(problem, timetable=problem.timetable + (entry,))))
    out = []
    for name, changed in changes:
        started = time.perf_counter()
        outcome = replan(changed, plan, now, replace(options, time_limit=min(options.time_limit, 30.0)))
        seconds = time.perf_counter() - started
        moved = outcome.count("moved") + outcome.count("cancelled")
        fresh = solve(changed, options)
        out.append((name, round(seconds, 2), outcome.forced, moved, _fresh_moves(plan, fresh, now)))
    return out


def _fresh_moves(old, new, now) -> int:
    """Published future events that a fresh full solve does not reproduce (by identity)."""
    key = lambda e: (e.leader_id, e.target_id, e.start)  # noqa: E731
    fresh = {key(e) for e in new.events if e.status == "planned"}
    return sum(1 for e in old.events if e.status == "planned" and e.start >= now and key(e) not in fresh)


def table(results: list[SizeResult]) -> Table:
    t = Table(title="frontline bench (2 cores)")
    for col in ("size", "leaders/units", "read+expand s", "first plan s", "solve s", "objective", "bound",
                "gap", "unmet", "peak MB", "baseline obj", "baseline unmet", "obj ratio"):
        t.add_column(col, justify="right")
    for r in results:
        t.add_row(
            r.size, f"{r.leaders}/{r.units}", f"{r.read_seconds}+{r.expand_seconds}",
            "-" if r.first_seconds is None else f"{r.first_seconds:.1f}", f"{r.solve_seconds:.1f}",
            f"{r.objective:,.0f}", f"{r.bound:,.0f}", f"{r.gap:.2%}", str(r.unmet), f"{r.peak_mb:,.0f}",
            f"{r.baseline_objective:,.0f}", str(r.baseline_unmet),
            f"{r.baseline_objective / r.objective:.2f}x" if r.objective else "-",
        )
    return t


def replan_table(results: list[SizeResult]) -> Table:
    t = Table(title="re-plan (now = mid-term)")
    for col in ("size", "change", "seconds", "forced (floor)", "moved by re-plan", "moved by fresh solve"):
        t.add_column(col, justify="right")
    for r in results:
        for name, seconds, forced, moved, fresh in r.replans:
            t.add_row(r.size, name, f"{seconds:.2f}", str(forced), str(moved), str(fresh))
    return t


def markdown(results: list[SizeResult]) -> str:
    lines = [
        "| size | leaders/units | read+expand s | first plan s | solve s | objective | bound | gap | unmet | peak MB | baseline objective | baseline unmet | baseline/solver |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        lines.append(
            f"| {r.size} | {r.leaders}/{r.units} | {r.read_seconds}+{r.expand_seconds} | "
            f"{'-' if r.first_seconds is None else f'{r.first_seconds:.1f}'} | {r.solve_seconds:.1f} | "
            f"{r.objective:,.0f} | {r.bound:,.0f} | {r.gap:.2%} | {r.unmet} | {r.peak_mb:,.0f} | "
            f"{r.baseline_objective:,.0f} | {r.baseline_unmet} | "
            f"{r.baseline_objective / r.objective if r.objective else 0:.2f}x |"
        )
    rows = [(r.size, *x) for r in results for x in r.replans]
    if rows:
        lines += ["", "| size | change | re-plan s | forced (floor) | moved by re-plan | moved by fresh solve |",
                  "|---|---|---|---|---|---|"]
        lines += [f"| {s} | {n} | {sec:.2f} | {f} | {m} | {fr} |" for s, n, sec, f, m, fr in rows]
    return "\n".join(lines)


def bench(sizes: list[str], seed: int, limits: dict[str, float], replans: bool, console: Console) -> list[SizeResult]:
    results = []
    for size in sizes:
        console.print(f"[bold]{size}[/] …", highlight=False)
        results.append(run_size(size, seed, limits.get(size, DEFAULT_LIMITS[size]), replans))
        console.print(table(results))
    if replans:
        console.print(replan_table(results))
    return results
