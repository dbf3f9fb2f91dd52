"""A solver-free checker of a plan: every hard rule, every report row.

It uses only the problem data and the availability engine, never the CP-SAT model, so that it can
judge a plan that a clerk edited by hand as well as one the solver wrote.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass

from . import intervals as iv
from .availability import Availability
from .blocks import crosses_meal
from .options import Candidates
from .problem import (
    BLOCK_MINUTES,
    BLOCKS_PER_DAY,
    FACE_TO_FACE_KINDS,
    Activity,
    CourseSection,
    Problem,
    Unit,
    Venue,
)
from .result import Event, Plan


@dataclass(frozen=True)
class Violation:
    rule: str
    message: str
    uid: str = ""
    leader_id: str = ""
    hard: bool = True

    def format(self) -> str:
        where = " ".join(x for x in (self.uid, self.leader_id) if x)
        return f"[{self.rule}] {where + ': ' if where else ''}{self.message}"


def verify(problem: Problem, plan: Plan, avail: Availability | None = None) -> list[Violation]:
    avail = avail or Availability(problem)
    out: list[Violation] = []
    planned = [e for e in plan.events if e.status == "planned"]
    out.extend(_unique_uids(plan.events))
    for e in planned:
        out.extend(check_event(problem, avail, e))
    out.extend(_leader_spacing(avail, planned))
    out.extend(check_blocks(problem, avail, planned))
    out.extend(_capacities(problem, avail, planned))
    out.extend(_links(problem, plan))
    out.extend(_report(problem, avail, plan))
    return out


def _v(rule: str, message: str, e: Event | None = None, hard: bool = True) -> Violation:
    return Violation(rule, message, e.uid if e else "", e.leader_id if e else "", hard)


def _unique_uids(events: tuple[Event, ...]) -> list[Violation]:
    counts = Counter(e.uid for e in events)
    return [_v("uid", f"uid {uid} appears {n} times") for uid, n in sorted(counts.items()) if n > 1]


def check_event(problem: Problem, avail: Availability, e: Event) -> list[Violation]:
    cal = avail.calendar
    out: list[Violation] = []
    try:
        problem.leader(e.leader_id)
    except KeyError:
        return [_v("unknown_leader", f"unknown leader {e.leader_id}", e)]
    try:
        target = problem.target(e.target_id)
    except KeyError:
        return [_v("unknown_target", f"unknown target {e.target_id}", e)]
    start, end = cal.minute(e.start), cal.minute(e.end)
    if end <= start:
        return [_v("time", "end is not after start", e)]
    if not 0 <= start < len(cal.days) * iv.DAY:
        return [_v("term", f"{e.start.isoformat()} lies outside the term", e)]
    day = cal.day_of_minute(start)
    if e.week != day.week:
        out.append(_v("week", f"week {e.week} but the date lies in week {day.week}", e))
    if day.runs is None:
        name = day.holiday.name if day.holiday else ""
        out.append(_v("holiday", f"{day.date} is a day off ({name})", e))
    if not iv.contains(avail.frame, start, end):
        out.append(_v("day_frame", "outside day_start..day_end", e))
    kind = _kind_of(target)
    if e.visit_kind != kind:
        out.append(_v("visit_kind", f"visit kind {e.visit_kind} but the target is a {kind}", e))
    if e.face_to_face != (e.visit_kind in FACE_TO_FACE_KINDS):
        out.append(_v("face_to_face", "face_to_face does not match the visit kind", e))
    campus = _campus_of(target)
    if (e.campus or None) != campus:
        out.append(_v("campus", f"campus {e.campus!r} but the target is on {campus!r}", e))
    if iv.overlaps(avail.blocked(e.leader_id, campus), start, end):
        out.append(_v("leader_busy", _busy_message(avail, e.leader_id, campus, start, end), e))
    out.extend(_target_time(avail, target, e, start, end))
    return out


def _busy_message(avail: Availability, leader_id: str, campus: str | None, start: int, end: int) -> str:
    labels = [b.label for b in avail.conflicts(leader_id, campus, start, end)]
    return "the leader is busy or cannot travel in time: " + "; ".join(labels[:3])


def _kind_of(target: Unit | Venue | Activity | CourseSection) -> str:
    if isinstance(target, Activity):
        return target.visit_kind
    if isinstance(target, CourseSection):
        return "classroom"
    if isinstance(target, Venue):
        return target.visit_kind
    return target.kind


def _campus_of(target: Unit | Venue | Activity | CourseSection) -> str | None:
    return target.campus or None


def _target_time(
    avail: Availability, target: Unit | Venue | Activity | CourseSection, e: Event, start: int, end: int
) -> list[Violation]:
    if isinstance(target, Activity):
        if avail.activity_span(target) != (start, end):
            return [_v("activity_time", "not at the activity's date and time", e)]
        return []
    if isinstance(target, CourseSection):
        sessions = {(s, t) for _, s, t in avail.section_sessions(target)}
        if (start, end) not in sessions:
            return [_v("section_time", "not at a meeting of the course section", e)]
        return []
    if not iv.contains(avail.target_free(target), start, end):
        return [_v("target_busy", f"{e.target_id} is not open for visits then (window or timetable)", e)]
    return []


def check_blocks(problem: Problem, avail: Availability, events: list[Event]) -> list[Violation]:
    """Frontline blocks: at least 90 minutes, never across the lunch or dinner break (a canteen
    in its own windows excepted), at most two a day per leader."""
    cal = avail.calendar
    out: list[Violation] = []
    per_day: Counter[tuple[str, object]] = Counter()
    for e in events:
        if not e.is_block:
            continue
        per_day[e.leader_id, e.start.date()] += 1
        if per_day[e.leader_id, e.start.date()] == BLOCKS_PER_DAY + 1:
            out.append(_v("block_per_day", f"more than {BLOCKS_PER_DAY} frontline blocks on {e.start.date()}", e))
        if e.minutes < BLOCK_MINUTES:
            out.append(_v("block_short", f"a frontline block of {e.minutes} min (at least {BLOCK_MINUTES})", e))
        try:
            canteen = isinstance(t := problem.target(e.target_id), Venue) and t.kind == "canteen"
        except KeyError:
            canteen = False
        if not canteen and crosses_meal(problem.term, cal.minute(e.start), cal.minute(e.end)):
            out.append(_v("block_meal", "a frontline block across the lunch or dinner break", e))
    return out


def _leader_spacing(avail: Availability, events: list[Event]) -> list[Violation]:
    """A leader's own visits neither overlap nor leave too little time to get between them."""
    cal = avail.calendar
    by_leader: dict[str, list[Event]] = defaultdict(list)
    for e in events:
        by_leader[e.leader_id].append(e)
    out = []
    for items in by_leader.values():
        items.sort(key=lambda e: (e.start, e.end))
        for a, b in zip(items, items[1:], strict=False):
            gap = cal.minute(b.start) - cal.minute(a.end)
            need = avail.separation(a.campus or None, b.campus or None)
            if gap < need:
                out.append(_v("leader_overlap", f"only {gap} min after {a.uid}, {need} min needed", b))
    return out


def _capacities(problem: Problem, avail: Availability, events: list[Event]) -> list[Violation]:
    cal = avail.calendar
    out = []
    by_target: dict[str, list[Event]] = defaultdict(list)
    for e in events:
        by_target[e.target_id].append(e)
    for target_id, items in by_target.items():
        try:
            target = problem.target(target_id)
        except KeyError:
            continue
        if isinstance(target, CourseSection):
            leaders = sorted({e.leader_id for e in items})
            if len(leaders) > 1:
                out.append(_v("section_capacity", f"section {target_id} hosts {len(leaders)} leaders: {', '.join(leaders)}"))
            continue
        if isinstance(target, Activity):
            if len({e.leader_id for e in items}) > target.max_leaders:
                out.append(_v("activity_capacity", f"activity {target_id} takes {target.max_leaders} leaders"))
            continue
        capacity = target.capacity if isinstance(target, Venue) else 1
        spans = sorted(((cal.minute(e.start), cal.minute(e.end), e) for e in items), key=lambda t: (t[0], t[1], t[2].uid))
        for i, (s, _, e) in enumerate(spans):
            concurrent = sum(1 for s2, t2, _ in spans[: i + 1] if s2 <= s < t2)
            if concurrent > capacity:
                out.append(_v("target_capacity", f"{target_id} has {concurrent} leaders at once (capacity {capacity})", e))
    return out


def _links(problem: Problem, plan: Plan) -> list[Violation]:
    out = []
    per_leader = Counter(a.leader_id for a in plan.assignments)
    per_unit = Counter(a.unit_id for a in plan.assignments)
    for a in plan.assignments:
        try:
            problem.leader(a.leader_id)
            problem.unit(a.unit_id)
        except KeyError as exc:
            out.append(_v("link_unknown", f"assignment names unknown id {exc}"))
    out.extend(
        _v("link_per_leader", f"leader {lid} has {n} linked units") for lid, n in per_leader.items() if n > 1
    )
    for unit_id, n in per_unit.items():
        try:
            cap = problem.unit(unit_id).max_leaders
        except KeyError:
            continue
        if n > cap:
            out.append(_v("link_capacity", f"unit {unit_id} has {n} linked leaders (max_leaders {cap})"))
    return out


def _report(problem: Problem, avail: Availability, plan: Plan) -> list[Violation]:
    """Every report row states what the plan achieves; every unmet row says why."""
    from .solve import build_report  # the same requirement arithmetic as the solver's report

    truth = build_report(problem, avail, Candidates(), list(plan.events), plan.assignments)
    given = {(r.leader_id, r.requirement): r for r in plan.report}
    out = []
    for row in truth:
        mine = given.get((row.leader_id, row.requirement))
        if mine is None:
            message = f"no report row for {row.requirement}"
            out.append(Violation("report_missing", message, "", row.leader_id, hard=False))
            continue
        if mine.met != row.met:
            out.append(
                Violation(
                    "report_wrong",
                    f"{row.requirement}: report says met={mine.met}, the plan gives met={row.met} (achieved {row.achieved} of {row.required})",
                    "", row.leader_id, True,
                )
            )
        if not mine.met and not mine.detail.strip():
            out.append(Violation("report_reason", f"{row.requirement}: unmet without a reason", "", row.leader_id, True))
    return out
