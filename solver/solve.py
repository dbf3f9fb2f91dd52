"""``solve()``: problem data in, a :class:`Plan` out. CP-SAT objects never leave this package."""

from __future__ import annotations

import hashlib
import math
import os
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from ortools.sat.python import cp_model

from . import intervals as iv
from . import model as mdl
from . import options as opt
from .availability import Availability
from .baseline import Respond, first_fit
from .blocks import block_description, block_title
from .bound import Decomposition, best_alone, decomposition_bound
from .conflicts import ANALYSIS_SECONDS, MAX_ANALYSES, Key, conflicting_set
from .engine import configure
from .explain import KIND_NAMES, Explainer
from .improve import Improved, improve
from .options import Option
from .price import Priced, price
from .problem import FACE_TO_FACE_KINDS, VISIT_KINDS, Leader, Problem, Unit, Venue
from .result import Assignment, Event, Plan, ReportRow, SolveStats
from .weights import Weights

# Shares of the time budget at which the stages end (the full model has the rest).
DECOMPOSITION_SHARE = 0.3

Progress = Callable[[float, float | None, float], None]  # elapsed, objective, bound


@dataclass(frozen=True)
class SolveOptions:
    time_limit: float = 60.0
    workers: int = 0  # 0: every core
    seed: int = 0
    deterministic: bool = False  # deterministic time budget: same data and seed, same plan
    lang: str = "zh"
    weights: Weights = field(default_factory=Weights)
    log: bool = False
    # time.perf_counter() at which the time limit began (reading the data, say); None: at solve()
    started: float | None = None


# Share of the time limit kept for turning the plan into events, the report and the files.
FINISH_SHARE = 0.1


class TimeLimitTooShort(RuntimeError):
    """The time limit ran out before a first plan could be built; the message says what to do."""


def solve(
    problem: Problem, options: SolveOptions | None = None, progress: Progress | None = None
) -> Plan:
    """The term's plan within ``options.time_limit`` seconds from ``options.started``: the staged
    solve's best plan (never worse than first-fit), or :class:`TimeLimitTooShort` when even the
    preparation does not fit."""
    options = options or SolveOptions()
    started = time.perf_counter() if options.started is None else options.started
    options = replace(options, started=started)
    avail = Availability(problem)
    cands = prepare(problem, avail, options, progress)
    chosen, links, stats = staged(problem, cands, options, progress)
    return assemble(
        problem, avail, cands, chosen, links, stats, options.lang, options.weights,
        deterministic=options.deterministic,
    )


def prepare(problem: Problem, avail: Availability, options: SolveOptions, progress: Progress | None) -> opt.Candidates:
    """Candidate visits of every leader, reporting progress; refuses when the limit runs out."""
    started = options.started if options.started is not None else time.perf_counter()
    deadline = started + options.time_limit * (1 - FINISH_SHARE)
    total = len(problem.leaders)
    began = time.perf_counter()  # reading the data ended here

    def tick(done: int) -> None:
        now = time.perf_counter()
        if progress is not None:
            progress(now - started, None, 0.0)
        if not options.deterministic and now > deadline:
            raise TimeLimitTooShort(_too_short(options.time_limit, began - started, now - began, done, total))

    return opt.build(problem, avail, tick=tick)


def _too_short(limit: float, reading: float, preparing: float, done: int, total: int) -> str:
    """What ran out and how much time to give instead (preparation extrapolated, then as long
    again for a first plan)."""
    rate = preparing / done if done else max(preparing, 0.01)
    need = math.ceil(reading + 2 * rate * total + 1)
    return (
        f"时限 {limit:g} 秒太短：读取数据用了 {reading:.1f} 秒，{preparing:.1f} 秒内只为 {done}/{total} 位领导"
        f"准备好候选安排，还没有任何计划；请把时限至少设为约 {need} 秒 / the time limit of {limit:g} s is too "
        f"short: reading took {reading:.1f} s, candidates were ready for {done} of {total} leaders after "
        f"{preparing:.1f} s more and there is no plan yet; give at least about {need} s"
    )


def staged(
    problem: Problem, cands: opt.Candidates, options: SolveOptions, progress: Progress | None = None
) -> tuple[list[Option], dict[str, str], SolveStats]:
    """A strong plan quickly, then the full model and a local search from it.

    The CP-SAT model is built once; every stage solves a copy of it with its own fixings.
    1. the first-fit plan (considerate of the other leaders), priced in Python: the first plan
       in hand, so that no later stage can end worse than the careful clerk;
    2. the decomposition (``bound.decomposition_bound``): every leader alone, links matched
       exactly: a lower bound, the links that are best when leaders are taken apart, and each
       leader's bound alone for each link, added to the model as valid cuts
       (``model.add_leader_bounds``: the LP then starts from the decomposition's bound);
    3. for the rest of the time, two things at once (``_final``): CP-SAT on the full model on all
       cores but one (its LP proves the bound), and on the last core first-fit again with the
       matched links, where every leader who owes more than the contact takes its best plan alone
       from what the leaders before left free (a best response), improved by the local search
       over leaders (``improve.improve``); a search that runs out of moves early hands every core
       to CP-SAT from its plan (``_polish``); both stop once the plan is proven optimal.
    The plan kept is the best one found, priced by the model; the bound is the larger of the
    model's and the decomposition's. Stage budgets are shares of the time left once the
    candidates are ready.
    """
    started = options.started if options.started is not None else time.perf_counter()
    clock = _Clock(budget=options.time_limit * (1 - FINISH_SHARE), deterministic=options.deterministic, started=started)
    full = mdl.build(problem, cands, options.weights)
    clock.origin = clock.spent()
    best = _first(problem, cands, options, clock)
    decomposition = decomposition_bound(
        problem, cands, options.weights, clock.until(DECOMPOSITION_SHARE), options.deterministic
    )
    mdl.add_leader_bounds(full, decomposition.parts)  # valid cuts: every later copy has them
    spent = clock.spent()
    left = clock.until(1.0)
    result = None
    proved = 0.0  # the full model's bound (a valid bound on the whole problem)
    if left > 0:  # the full model proves the bound while the plan is built and improved
        result, searched, proved = _final(
            problem, cands, full, best, decomposition, options, clock, progress, left, spent
        )
        if searched is not None and (result is None or searched.objective < result[2].objective):
            bound = result[2].bound if result is not None else proved
            stats = replace(searched.stats or SolveStats("FEASIBLE", searched.objective, 0.0, 0.0), bound=bound)
            result = (searched.chosen, searched.links, replace(stats, status="FEASIBLE"))
    if result is not None and result[2].objective > best.objective:  # never worse than the plan in hand
        result = (best.chosen, best.links, replace(best.stats or result[2], status="FEASIBLE", bound=result[2].bound))
    if result is None:  # out of time before the full model found a plan: keep the best so far
        stats = best.stats or SolveStats("FIRST_FIT", 0.0, 0.0, 0.0)
        result = (best.chosen, best.links, replace(stats, status="FEASIBLE", bound=min(proved, stats.objective)))
    chosen, links, stats = result
    bound = min(max(decomposition.bound, stats.bound), stats.objective)
    stats = replace(stats, bound=bound, status="OPTIMAL" if bound >= stats.objective else stats.status)
    first = best.first
    if first is None and stats.first_solution_seconds is not None:
        first = round(stats.first_solution_seconds + spent, 3)
    return chosen, links, replace(stats, solve_seconds=round(clock.spent(), 3), first_solution_seconds=first)


RESPONSE_SECONDS = 0.5  # at most for one leader's best response


PRICING_SHARE = 0.03  # of the last stage's time, kept to price the search's plan with the model


def _final(
    problem: Problem,
    cands: opt.Candidates,
    full: mdl.Model,
    first: _Stage,
    decomposition: Decomposition,
    options: SolveOptions,
    clock: _Clock,
    progress: Progress | None,
    left: float,
    spent: float,
) -> tuple[tuple[list[Option], dict[str, str], SolveStats] | None, _Stage | None, float]:
    """The rest of the time, two things at once. In a thread, CP-SAT on the full model (with the
    decomposition's cuts) from the first-fit plan, on all cores but one: its LP proves the bound.
    On the last core the plan is built and improved: first-fit again with the decomposition's
    links, each leader who owes more than the contact taking its best plan alone from what the
    leaders before left free (a best response), then the local search over leaders
    (``improve``). Returns CP-SAT's result, the search's plan priced by the model (None when it
    is not better, or the model refuses it) and CP-SAT's bound (also when it found no plan)."""
    shared = _Shared(first.objective, progress, decomposition.bound)
    weights = options.weights
    reserve = PRICING_SHARE * left + 0.1
    final = _copy(full)
    _hint(final, first)
    workers = max(1, (options.workers or os.cpu_count() or 2) - 1)  # one core for the search
    box: dict[str, tuple[list[Option], dict[str, str], SolveStats] | None] = {}
    solvers: list[cp_model.CpSolver] = []

    def prove() -> None:
        limit = replace(options, time_limit=max(0.01, left - reserve), workers=workers)
        box["result"] = run(final, limit, shared.shifted(spent), solvers.append)

    thread = threading.Thread(target=prove, name="frontline-bound", daemon=True)
    thread.start()
    deadline = time.perf_counter() + max(0.0, left - reserve)
    chosen, links, objective = first.chosen, first.links, first.objective
    if decomposition.plans:
        respond = _responder(problem, cands, weights, deadline, options.deterministic)
        guided = first_fit(
            problem, cands, weights, decomposition.plans, decomposition.links, respond, considerate=True
        )
        # the search starts from the guided plan even when a requirement is still unmet there (its
        # links are the matched ones; the search meets the requirement where it can): the plan
        # kept at the end is never worse than first-fit's all the same
        (chosen, links), objective = guided, price(problem, cands, weights, *guided).objective
        shared.plan(clock.spent(), objective)
    start = objective
    improved = improve(
        problem, cands, weights, chosen, links, deadline, seed=options.seed, deterministic=options.deterministic,
        found=lambda gain: shared.plan(clock.spent(), start - gain), parts=decomposition.parts,
        stop=None if options.deterministic else shared.proven,  # deterministic: the same passes always
    )
    converged = deadline - time.perf_counter()
    if not options.deterministic and converged > CONVERGED_SECONDS and not shared.proven():
        return _polish(problem, cands, full, options, clock, shared, improved, thread, solvers, box, final, spent)
    while thread.is_alive():  # the search is done: the model goes on proving, until proven
        if not options.deterministic and shared.proven() and solvers:
            solvers[0].stop_search()
        thread.join(0.05)
    result = box.get("result")
    searched = None
    found = start - improved.gain
    if found < first.objective and (result is None or found < result[2].objective):
        python = price(problem, cands, weights, improved.chosen, improved.links)
        priced = _price(full, options, improved.chosen, improved.links, clock, fallback=python)
        if priced.stats is not None:  # the model agrees that the plan holds, and prices it
            searched = priced
    return result, searched, final.bound


CONVERGED_SECONDS = 2.0  # a search that ends this long before its deadline hands over to CP-SAT


def _polish(
    problem: Problem,
    cands: opt.Candidates,
    full: mdl.Model,
    options: SolveOptions,
    clock: _Clock,
    shared: _Shared,
    improved: Improved,
    thread: threading.Thread,
    solvers: list[cp_model.CpSolver],
    box: dict[str, tuple[list[Option], dict[str, str], SolveStats] | None],
    proving: mdl.Model,
    spent: float,
) -> tuple[tuple[list[Option], dict[str, str], SolveStats] | None, _Stage | None, float]:
    """The local search ended early (no move left): every core goes to the full model, started
    from the search's plan (a complete hint), for the rest of the time; the model that was
    proving the bound stops (its bound is kept)."""
    if solvers:
        solvers[0].stop_search()
    thread.join()
    proved = proving.bound
    python = price(problem, cands, options.weights, improved.chosen, improved.links)
    priced = _price(full, options, improved.chosen, improved.links, clock, fallback=python)
    searched = priced if priced.stats is not None else None
    result = box.get("result")
    start = searched if searched is not None else None
    left = clock.until(1.0)
    if start is not None and start.solution and left > 0:
        final = _copy(full)
        _hint(final, start)
        shared.bound = max(shared.bound, proved)
        polished = run(final, replace(options, time_limit=left), shared.shifted(clock.spent()))
        proved = max(proved, final.bound)
        if polished is not None and (result is None or polished[2].objective < result[2].objective):
            result = polished
    return result, searched, proved


class _Shared:
    """The best objective and bound seen by either side of the last stage, for progress."""

    def __init__(self, objective: float, progress: Progress | None, bound: float = 0.0):
        self.objective, self.bound, self.progress = objective, bound, progress
        self.lock = threading.Lock()

    def proven(self) -> bool:
        """Whether the best plan is proven optimal (its objective reached by a bound)."""
        return self.bound >= self.objective - 1e-6

    def shifted(self, offset: float) -> Progress:
        def report(elapsed: float, objective: float | None, bound: float) -> None:
            with self.lock:
                if objective is not None:
                    self.objective = min(self.objective, objective)
                self.bound = max(self.bound, bound)
                if self.progress is not None:
                    self.progress(elapsed + offset, self.objective, self.bound)

        return report

    def plan(self, elapsed: float, objective: float) -> None:
        self.shifted(0.0)(elapsed, objective, 0.0)


def _responder(
    problem: Problem, cands: opt.Candidates, weights: Weights, deadline: float, deterministic: bool = False
) -> Respond:
    """Each leader's best plan alone from the options still free (``baseline.first_fit``), while
    time is left before ``deadline`` (time.perf_counter())."""

    def respond(leader: Leader, link: str | None, free: list[Option], extra: dict[int, int]) -> list[Option] | None:
        seconds = RESPONSE_SECONDS if deterministic else min(RESPONSE_SECONDS, deadline - time.perf_counter())
        if seconds <= 0:
            return None
        choice = (link or "") if leader.link else None
        return best_alone(problem, leader.leader_id, free, choice, weights, cands.need, extra, seconds, deterministic)

    return respond


def _first(problem: Problem, cands: opt.Candidates, options: SolveOptions, clock: _Clock) -> _Stage:
    """The first-fit plan, priced in plain Python (``price``): the first plan in hand, at once."""
    chosen, links = first_fit(problem, cands, options.weights, considerate=True)
    priced = price(problem, cands, options.weights, chosen, links)
    spent = round(clock.spent(), 3)
    stats = SolveStats(
        "FEASIBLE", float(priced.objective), 0.0, 0.0, first_solution_seconds=spent,
        breakdown=tuple(sorted(priced.parts.items())),
    )
    return _Stage(chosen, links, float(priced.objective), (), spent, stats)


def _copy(model: mdl.Model) -> mdl.Model:
    """The same model (same variables, same indices) on a copy of its CP-SAT proto."""
    return replace(model, cp=model.cp.clone(), solution=())


def _hint(model: mdl.Model, stage: _Stage) -> None:
    model.cp.clear_hints()
    if stage.solution:  # the same variables in the same order: a complete, feasible hint
        for index, value in enumerate(stage.solution):
            model.cp.proto.solution_hint.vars.append(index)
            model.cp.proto.solution_hint.values.append(value)
    else:
        mdl.add_hint(model, stage.chosen, stage.links)


@dataclass(frozen=True)
class _Stage:
    chosen: list[Option]
    links: dict[str, str]
    objective: float = float("inf")
    solution: tuple[int, ...] = ()  # every variable of the model, for a complete hint
    first: float | None = None  # seconds from the start to this stage's first plan
    stats: SolveStats | None = None


@dataclass
class _Clock:
    """The solve's time budget, split between the stages by share of the budget."""

    budget: float
    deterministic: bool = False
    started: float = field(default_factory=time.perf_counter)
    granted: float = 0.0  # deterministic mode: budget handed out so far
    origin: float = 0.0  # seconds spent before the stages began (shares are of the time after)

    def spent(self) -> float:
        return time.perf_counter() - self.started

    def until(self, share: float) -> float:
        """The time for a stage that should end at ``share`` of the budget (at least one second).

        Wall-clock seconds normally; in deterministic mode, deterministic time from fixed shares,
        never from the wall clock, so that the same data and seed give the same plan."""
        if not self.deterministic:  # at least a second, never past the end of the budget
            left = self.budget - self.spent()
            end = self.origin + (self.budget - self.origin) * share
            return max(0.0, min(left, max(1.0, end - self.spent())))
        grant = max(1.0, self.budget * share - self.granted)
        self.granted += grant
        return grant


def _price(
    full: mdl.Model,
    options: SolveOptions,
    chosen: list[Option],
    links: dict[str, str],
    clock: _Clock,
    fallback: Priced | None = None,
) -> _Stage:
    """A plan with its objective and every variable's value (a complete hint), as the model
    prices it. Pricing a fixed plan is presolve only: it gets the rest of the budget, at least a
    second. ``fallback``: the plan's objective priced in Python (``price``), kept when the model
    ran out of time without refusing the plan."""
    model = _copy(full)
    model.cp.clear_hints()
    mdl.fix(model, chosen, links)
    result = run(model, replace(options, time_limit=max(1.0, clock.budget - clock.spent())))
    if result is None:
        if fallback is not None and not model.infeasible:
            value = float(fallback.objective)
            stats = SolveStats("FEASIBLE", value, 0.0, 0.0, breakdown=tuple(sorted(fallback.parts.items())))
            return _Stage(chosen, links, value, (), round(clock.spent(), 3), stats)
        return _Stage(chosen, links)
    return _Stage(chosen, links, result[2].objective, model.solution, round(clock.spent(), 3), result[2])


def _shifted(progress: Progress | None, offset: float) -> Progress | None:
    if progress is None:
        return None
    return lambda elapsed, objective, bound: progress(elapsed + offset, objective, bound)


def run(
    model: mdl.Model,
    options: SolveOptions,
    progress: Progress | None = None,
    started_solver: Callable[[cp_model.CpSolver], None] | None = None,
) -> tuple[list[Option], dict[str, str], SolveStats] | None:
    """Solve a built model; the chosen options, the links and the statistics (None: no plan).
    ``started_solver`` is given the solver before it starts (another thread may stop it)."""
    solver = cp_model.CpSolver()
    if started_solver is not None:
        started_solver(solver)
    configure(
        solver.parameters, time_limit=options.time_limit, deterministic=options.deterministic,
        workers=options.workers, seed=options.seed, log=options.log,
    )
    started = time.perf_counter()
    tracker = _Tracker(started, progress)
    solver.best_bound_callback = tracker.bound
    status = solver.solve(model.cp, tracker)
    elapsed = time.perf_counter() - started
    model.infeasible = status == cp_model.INFEASIBLE
    model.bound = 0.0 if model.infeasible else float(max(0, math.ceil(solver.best_objective_bound - 1e-6)))
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None
    model.solution = tuple(solver.response_proto.solution)
    chosen = [o for o, var in zip(model.options, model.x, strict=True) if model.solution[var.index]]
    links = {lid: u for (lid, u), var in sorted(model.link.items()) if model.solution[var.index]}
    proto = model.cp.proto
    parts: dict[str, int] = defaultdict(int)
    for expr, weight, tag in model.terms:
        parts[tag] += weight * int(solver.value(expr))
    stats = SolveStats(
        status=solver.status_name(status),
        # every coefficient is an integer: the objective is one, and the bound can be rounded up
        objective=float(round(solver.objective_value)),
        bound=float(math.ceil(solver.best_objective_bound - 1e-6)),
        solve_seconds=round(elapsed, 3),
        first_solution_seconds=tracker.first,
        variables=len(proto.variables),
        constraints=len(proto.constraints),
        breakdown=tuple(sorted(parts.items())),
    )
    return chosen, links, stats


def solve_baseline(problem: Problem, options: SolveOptions | None = None) -> Plan:
    """The first-fit plan, priced with the same objective as the solver's plans."""
    options = options or SolveOptions()
    started = time.perf_counter()
    avail = Availability(problem)
    cands = opt.build(problem, avail)
    chosen, links = first_fit(problem, cands)
    planned = time.perf_counter() - started
    model = mdl.build(problem, cands, options.weights)
    mdl.fix(model, chosen, links)
    result = run(model, replace(options, time_limit=max(options.time_limit, 60.0)))
    if result is None:
        raise RuntimeError("could not price the baseline plan")
    priced = result[2]
    stats = replace(priced, status="BASELINE", bound=priced.objective, solve_seconds=round(planned, 3),
                    first_solution_seconds=round(planned, 3))
    return assemble(problem, avail, cands, chosen, links, stats, options.lang, conflicts=False)


class _Tracker(cp_model.CpSolverSolutionCallback):
    def __init__(self, started: float, progress: Progress | None):
        super().__init__()
        self.started = started
        self.progress = progress
        self.first: float | None = None
        self.objective: float | None = None

    def on_solution_callback(self) -> None:
        elapsed = time.perf_counter() - self.started
        if self.first is None:
            self.first = round(elapsed, 3)
        self.objective = self.objective_value
        if self.progress:
            self.progress(elapsed, self.objective, max(0.0, self.best_objective_bound))

    def bound(self, value: float) -> None:
        if self.progress:  # every cost is non-negative: CP-SAT's first bounds below 0 say nothing
            self.progress(time.perf_counter() - self.started, self.objective, max(0.0, value))


# from chosen options to a plan -----------------------------------------------------------------
def assemble(
    problem: Problem,
    avail: Availability,
    cands: opt.Candidates,
    chosen: list[Option],
    links: dict[str, str],
    stats: SolveStats,
    lang: str = "zh",
    weights: Weights | None = None,
    conflicts: bool = True,
    deterministic: bool = False,
) -> Plan:
    events = [make_event(problem, avail, o) for o in chosen]
    events.sort(key=lambda e: (e.start, e.leader_id, e.uid))
    assignments = tuple(Assignment(lid, u) for lid, u in sorted(links.items()))
    report = build_report(problem, avail, cands, events, assignments, lang)
    if conflicts:
        report = explain_conflicts(
            problem, cands, weights or Weights(), report, events, assignments, lang, deterministic
        )
    return Plan(problem.term.term_id, problem.term.timezone, assignments, tuple(events), report, stats)


def requirement_keys(problem: Problem, events: list[Event], assignments: tuple[Assignment, ...]) -> tuple[set[Key], set[Key]]:
    """The model's requirement keys, split into (met, unmet) by what the plan achieves."""
    met: set[Key] = set()
    unmet: set[Key] = set()
    linked = {a.leader_id for a in assignments}
    for leader in problem.leaders:
        lid = leader.leader_id
        mine = [e for e in events if e.leader_id == lid and e.status == "planned"]
        weeks = {e.week for e in mine if e.face_to_face}
        kinds = {e.visit_kind for e in mine}
        for block in mdl.contact_blocks(problem, leader.contact_every_weeks):
            (met if weeks.intersection(block) else unmet).add(("weekly_contact", lid, block[0]))
        if leader.link:
            (met if lid in linked else unmet).add(("linked_unit", lid, ""))
        if leader.lecture:
            (met if "classroom" in kinds else unmet).add(("lecture", lid, ""))
        if leader.seven_visits:
            for kind in VISIT_KINDS:
                (met if kind in kinds else unmet).add(("seven_visits", lid, kind))
    return met, unmet


def explain_conflicts(
    problem: Problem,
    cands: opt.Candidates,
    weights: Weights,
    report: tuple[ReportRow, ...],
    events: list[Event],
    assignments: tuple[Assignment, ...],
    lang: str = "zh",
    deterministic: bool = False,
) -> tuple[ReportRow, ...]:
    """Add to each unmet requirement that had candidates the requirements it conflicts with."""
    met, unmet = requirement_keys(problem, events, assignments)
    with_candidates = {
        key for key in unmet if _has_candidates(cands, key)
    }
    if not with_candidates:
        return report
    names = {x.leader_id: x.name for x in problem.leaders}
    found: dict[tuple[str, str], list[str]] = defaultdict(list)
    deadline = time.perf_counter() + ANALYSIS_SECONDS
    for key in sorted(with_candidates, key=str)[:MAX_ANALYSES]:
        if time.perf_counter() > deadline and not deterministic:
            break
        core = conflicting_set(problem, cands, weights, key, met, deterministic)
        if core:
            found[key[1], key[0]].append(Explainer.conflict(lang, key, core, names))
    return tuple(
        replace(r, detail=f"{r.detail} | {' | '.join(found[r.leader_id, r.requirement])}")
        if (r.leader_id, r.requirement) in found and not r.met else r
        for r in report
    )


def _has_candidates(cands: opt.Candidates, key: Key) -> bool:
    requirement, lid, detail = key
    mine = [o for o in cands.options if o.leader_id == lid]
    if requirement == "linked_unit":
        return bool(cands.links.get(lid))
    if requirement == "lecture":
        return any(o.section_id for o in mine)
    if requirement == "seven_visits":
        return any(o.visit_kind == detail for o in mine)
    return any(o.face_to_face and o.week >= int(str(detail)) for o in mine)


def event_uid(term_id: str, leader_id: str, target_id: str, start: int) -> str:
    digest = hashlib.sha1(f"{term_id}|{leader_id}|{target_id}|{start}".encode()).hexdigest()
    return f"{digest[:24]}@frontline"


def make_event(problem: Problem, avail: Availability, o: Option) -> Event:
    cal = avail.calendar
    target = problem.target(o.target_id)
    name = getattr(target, "name", "") or getattr(target, "course", "") or o.target_id
    location = getattr(target, "location", "") or ""
    campus_name = problem.campus_name(o.campus) if o.campus else ""
    where = f"{campus_name}{location}" if campus_name or location else name
    title = f"{KIND_NAMES['zh'][o.visit_kind]} · {name}"
    if where and where != name:
        title += f" · {where}"
    description = ""
    if o.is_block and isinstance(target, Unit | Venue):
        title = block_title(problem, target, o.block, o.campus)
        description = block_description(problem, target, o.block)
    return Event(
        uid=event_uid(problem.term.term_id, o.leader_id, o.target_id, o.start),
        leader_id=o.leader_id,
        week=o.week,
        start=cal.moment(o.start),
        end=cal.moment(o.end),
        visit_kind=o.visit_kind,
        target_id=o.target_id,
        title=title,
        campus=o.campus or "",
        location=location,
        face_to_face=o.visit_kind in FACE_TO_FACE_KINDS,
        description=description,
        covers=o.block,
    )


def build_report(
    problem: Problem,
    avail: Availability,
    cands: opt.Candidates,
    events: list[Event],
    assignments: tuple[Assignment, ...],
    lang: str = "zh",
) -> tuple[ReportRow, ...]:
    explain = Explainer(avail, lang)
    by_leader: dict[str, list[Event]] = defaultdict(list)
    for e in events:
        if e.status == "planned":
            by_leader[e.leader_id].append(e)
    options_by_leader: dict[str, list[Option]] = defaultdict(list)
    for o in cands.options:
        options_by_leader[o.leader_id].append(o)
    linked = {a.leader_id: a.unit_id for a in assignments}
    rows: list[ReportRow] = []
    for leader in problem.leaders:
        mine = by_leader[leader.leader_id]
        opts = options_by_leader[leader.leader_id]
        rows.append(_contact_row(problem, explain, leader, mine, opts))
        rows.append(_link_row(explain, leader, linked, cands))
        rows.append(_lecture_row(problem, explain, leader, mine, opts))
        rows.append(_seven_row(explain, leader, mine, opts))
        rows.append(_share_row(avail, explain, leader, mine))
    return tuple(rows)


def _row(leader_id: str, req: str, required: object, achieved: object, met: bool, detail: str = "") -> ReportRow:
    return ReportRow(leader_id, req, str(required), str(achieved), met, "" if met else detail)


def _contact_row(problem: Problem, explain: Explainer, leader: Leader, mine: list[Event], opts: list[Option]) -> ReportRow:
    weeks_met = {e.week for e in mine if e.face_to_face}
    blocks = mdl.contact_blocks(problem, leader.contact_every_weeks)
    missed = [b for b in blocks if not weeks_met.intersection(b)]
    # Consecutive missed blocks with the same cause are told once ("第9-10周: ...").
    runs: list[list[int]] = []
    for block in missed:
        n = sum(1 for o in opts if o.face_to_face and o.week in block)
        if runs and runs[-1][-1] + 1 == block[0] and _same_cause(explain, leader, runs[-1], block, n):
            runs[-1].extend(block)
        else:
            runs.append(list(block))
    details = [
        explain.block(leader, tuple(weeks), sum(1 for o in opts if o.face_to_face and o.week in weeks))
        for weeks in runs
    ]
    return _row(leader.leader_id, "weekly_contact", len(blocks), len(blocks) - len(missed), not missed, " | ".join(details))


def _same_cause(explain: Explainer, leader: Leader, weeks: list[int], block: tuple[int, ...], n: int) -> bool:
    before = explain.block(leader, tuple(weeks), 0).split(": ", 1)[-1]
    after = explain.block(leader, block, 0).split(": ", 1)[-1]
    return before == after


def _link_row(explain: Explainer, leader: Leader, linked: dict[str, str], cands: opt.Candidates) -> ReportRow:
    if not leader.link:
        return _row(leader.leader_id, "linked_unit", 0, int(leader.leader_id in linked), True)
    ok = leader.leader_id in linked
    return _row(leader.leader_id, "linked_unit", 1, int(ok), ok, explain.link(cands.links.get(leader.leader_id, [])))


def _lecture_row(problem: Problem, explain: Explainer, leader: Leader, mine: list[Event], opts: list[Option]) -> ReportRow:
    given = sum(1 for e in mine if e.visit_kind == "classroom")
    if not leader.lecture:
        return _row(leader.leader_id, "lecture", 0, given, True)
    sections = sorted({o.target_id for o in opts if o.section_id})
    return _row(leader.leader_id, "lecture", 1, given, given >= 1, explain.lecture(sections, len(problem.courses)))


def _seven_row(explain: Explainer, leader: Leader, mine: list[Event], opts: list[Option]) -> ReportRow:
    kinds = {e.visit_kind for e in mine}
    if not leader.seven_visits:
        return _row(leader.leader_id, "seven_visits", 0, len(kinds), True)
    missing = [k for k in VISIT_KINDS if k not in kinds]
    detail = "; ".join(explain.visit_kind(k, sum(1 for o in opts if o.visit_kind == k)) for k in missing)
    return _row(leader.leader_id, "seven_visits", 7, 7 - len(missing), not missing, detail)


def frontline_minutes(avail: Availability, leader_id: str, week: int, events: list[Event]) -> tuple[int, int]:
    """(planned face-to-face minutes inside working time, required minutes) for one week."""
    working = avail.working_time(leader_id, week)
    frame = avail.working_frame(week)
    cal = avail.calendar
    spans = iv.normalize(
        (cal.minute(e.start), cal.minute(e.end))
        for e in events
        if e.week == week and e.face_to_face and e.status == "planned"
    )
    have = iv.total(iv.intersect(spans, frame))
    leader = avail.problem.leader(leader_id)
    need = math.ceil(leader.frontline_share * iv.total(working))
    return have, need


def _share_row(avail: Availability, explain: Explainer, leader: Leader, mine: list[Event]) -> ReportRow:
    share = leader.frontline_share
    if share <= 0:
        return _row(leader.leader_id, "frontline_share", "0", "0", True)
    worst = 1.0
    short = []
    planned = 0
    for week in avail.problem.term.contact_week_list:
        have, need = frontline_minutes(avail, leader.leader_id, week, mine)
        planned += have
        available = iv.total(avail.working_time(leader.leader_id, week))
        if available:
            worst = min(worst, have / available)
        if have < need:
            short.append(explain.share(week, have, need, available))
    blocks = sum(1 for e in mine if e.is_block)
    detail = "; ".join([*short, explain.share_planned(planned, blocks, worst)])
    return ReportRow(leader.leader_id, "frontline_share", f"{share:.2f}", f"{worst:.2f}", not short, detail)
