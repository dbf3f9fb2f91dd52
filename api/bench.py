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
# Benchmark seeds per size. Tuning happened on other seeds (101-110), never on these.
DEFAULT_SEEDS = {"S": tuple(range(1, 11)), "M": tuple(range(1, 11)), "L": tuple(range(1, 6)), "XL": (1, 2, 3)}
BEST_KNOWN = Path(__file__).resolve().parent.parent / "benchmarks" / "best_known.json"


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
    seed: int = 1
    status: str = ""
    share_met: bool = True  # every frontline_share row met
    events_per_head_week: float = 0.0  # median events per student-affairs head and contact week


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
    heads = [x.leader_id for x in problem.leaders if x.tier == "student_affairs"]
    weeks = problem.term.contact_week_list
    counts = sorted(
        sum(1 for e in plan.events if e.leader_id == lid and e.week == w and e.status == "planned")
        for lid in heads for w in weeks
    )
    share_met = all(r.met for r in plan.report if r.requirement == "frontline_share")
    return SizeResult(
        size, len(problem.leaders), len(problem.units), round(read_seconds, 2), round(expand_seconds, 2),
        s.first_solution_seconds, s.solve_seconds, s.objective, s.bound, s.gap, len(plan.unmet),
        sum(1 for e in plan.events if e.status == "planned"),
        resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        base.stats.solve_seconds, base.stats.objective, len(base.unmet), only_solver, measured,
        seed, s.status, share_met, float(counts[len(counts) // 2]) if counts else 0.0,
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
    units = {u.unit_id for u in problem.units}
    lesson = next((e for e in later if e.visit_kind == "class" and e.target_id in units), None)
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
        "| size | seeds | gap (median / worst) | above best known | first plan s | proven optimal | time to optimal s | worse than first-fit | share met | events per head-week (median) |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    known = best_known(results)
    lines += ["| " + " | ".join(_summary_cells(row)) + " |" for row in aggregate(results, known)]
    lines += [
        "",
        "| size | seed | status |",
        "|---|---|---|",
    ]
    lines += [f"| {r.size} | {r.seed} | {r.status} |" for r in results]
    lines += [
        "",
        "| size | seed | leaders/units | read+expand s | first plan s | solve s | objective | bound | gap | unmet | peak MB | baseline objective | baseline unmet | baseline/solver |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        lines.append(
            f"| {r.size} | {r.seed} | {r.leaders}/{r.units} | {r.read_seconds}+{r.expand_seconds} | "
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


def bench(
    sizes: list[str], seeds: dict[str, tuple[int, ...]], limits: dict[str, float], replans: bool, console: Console
) -> list[SizeResult]:
    """Every size on each of its seeds (re-plans measured on the first seed only)."""
    results = []
    for size in sizes:
        for n, seed in enumerate(seeds.get(size, DEFAULT_SEEDS[size])):
            console.print(f"[bold]{size}[/] seed {seed} …", highlight=False)
            results.append(run_size(size, seed, limits.get(size, DEFAULT_LIMITS[size]), replans and n == 0))
            console.print(table(results[-1:]))
    console.print(summary_table(results))
    if replans:
        console.print(replan_table(results))
    return results


def best_known(results: list[SizeResult], path: Path = BEST_KNOWN) -> dict[str, float]:
    """The best objective known per size and seed: the recorded one, improved by this run's
    (the file is updated, so that later runs compare against the best ever found)."""
    import json

    known: dict[str, float] = json.loads(path.read_text()) if path.exists() else {}
    for r in results:
        key = f"{r.size}-{r.seed}"
        if r.objective and (key not in known or r.objective < known[key]):
            known[key] = r.objective
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(dict(sorted(known.items())), indent=1) + "\n")
    return known


def _median(values: list[float]) -> float:
    ordered = sorted(values)
    n = len(ordered)
    return 0.0 if not n else (ordered[n // 2] if n % 2 else (ordered[n // 2 - 1] + ordered[n // 2]) / 2)


def aggregate(results: list[SizeResult], known: dict[str, float]) -> list[dict[str, object]]:
    """Per size: median and worst of gap, objective above the best known, first plan, proof."""
    rows = []
    for size in dict.fromkeys(r.size for r in results):
        mine = [r for r in results if r.size == size]
        above = [r.objective / known.get(f"{r.size}-{r.seed}", r.objective) - 1 for r in mine]
        firsts = [r.first_seconds or 0.0 for r in mine]
        proven = [r.solve_seconds for r in mine if r.status == "OPTIMAL"]
        rows.append({
            "size": size, "seeds": f"{min(r.seed for r in mine)}-{max(r.seed for r in mine)}", "runs": len(mine),
            "gap_median": _median([r.gap for r in mine]), "gap_worst": max(r.gap for r in mine),
            "above_median": _median(above), "above_worst": max(above),
            "first_median": _median(firsts), "first_worst": max(firsts),
            "proven": len(proven), "proof_median": _median(proven) if proven else None,
            "proof_worst": max(proven) if proven else None,
            "worse_than_first_fit": sum(1 for r in mine if r.objective > r.baseline_objective),
            "share_met": sum(1 for r in mine if r.share_met),
            "events_per_head_week": _median([r.events_per_head_week for r in mine]),
        })  # fmt: skip
    return rows


def summary_table(results: list[SizeResult]) -> Table:
    t = Table(title="frontline bench over seeds (median / worst)")
    for col in ("size", "seeds", "gap", "above best known", "first plan s", "proven optimal", "time to optimal s",
                "worse than first-fit", "share met", "events/head/week"):
        t.add_column(col, justify="right")
    for row in aggregate(results, best_known(results)):
        t.add_row(*_summary_cells(row))
    return t


def _summary_cells(row: dict[str, object]) -> list[str]:
    def pct(a: object, b: object) -> str:
        return f"{float(a):.2%} / {float(b):.2%}"  # type: ignore[arg-type]

    proof = "-" if row["proof_median"] is None else f"{row['proof_median']:.1f} / {row['proof_worst']:.1f}"
    return [
        str(row["size"]), str(row["seeds"]), pct(row["gap_median"], row["gap_worst"]),
        pct(row["above_median"], row["above_worst"]),
        f"{row['first_median']:.1f} / {row['first_worst']:.1f}", f"{row['proven']}/{row['runs']}", proof,
        str(row["worse_than_first_fit"]), f"{row['share_met']}/{row['runs']}", f"{row['events_per_head_week']:g}",
    ]
