"""Student-affairs frontline time: fill each contact week's required share of available working
time with class and canteen visits, around everything already planned (a deterministic greedy
pass after the CP-SAT solve; the solve has already placed these leaders' required visits)."""

from __future__ import annotations

import math
import zlib
from collections import defaultdict
from collections.abc import Callable

from . import intervals as iv
from .availability import Availability
from .options import STEP, Option
from .problem import DEFAULT_VISIT_MINUTES, Leader, Problem, Unit, Venue
from .result import Event

MakeEvent = Callable[[Option], Event]


def fill_frontline_time(
    problem: Problem,
    avail: Availability,
    events: list[Event],
    make_event: MakeEvent,
    leaders: set[str] | None = None,
    after: int = 0,
) -> list[Event]:
    """New events that bring every student-affairs leader (or those in ``leaders``) up to
    ``frontline_share``, starting at minute ``after`` or later."""
    cal = avail.calendar
    occupied: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for e in events:
        occupied[e.target_id].append((cal.minute(e.start), cal.minute(e.end)))
    added: list[Event] = []
    for leader in problem.leaders:
        if leader.frontline_share <= 0 or (leaders is not None and leader.leader_id not in leaders):
            continue
        mine = [e for e in events if e.leader_id == leader.leader_id]
        campuses = sorted(
            (c.campus_id for c in problem.campuses),
            key=lambda c: (c != leader.campus, problem.travel_minutes(leader.campus, c), c),
        )
        for week in problem.term.contact_week_list:
            if week * 7 * iv.DAY <= after:
                continue
            # the home campus first; other campuses, nearest first, only when it is not enough
            for campus in campuses:
                targets = _targets(problem, leader, campus)
                new = _fill_week(avail, leader, week, mine, targets, occupied, make_event, after, campus)
                mine.extend(new)
                added.extend(new)
    return added


def _targets(problem: Problem, leader: Leader, campus: str) -> list[Unit | Venue]:
    """Classes of a campus (the leader's college first), then its canteens."""
    classes = [u for u in problem.units if u.kind == "class" and u.campus == campus]
    classes.sort(
        key=lambda u: (u.college != leader.college, zlib.crc32(f"{leader.leader_id}/{u.unit_id}".encode()))
    )
    canteens = [v for v in problem.venues if v.kind == "canteen" and v.campus == campus]
    return [*classes, *canteens]


def _fill_week(
    avail: Availability,
    leader: Leader,
    week: int,
    mine: list[Event],
    targets: list[Unit | Venue],
    occupied: dict[str, list[tuple[int, int]]],
    make_event: MakeEvent,
    after: int = 0,
    campus: str | None = None,
) -> list[Event]:
    cal = avail.calendar
    campus = campus or leader.campus
    if not targets:
        return []
    term = avail.problem.term
    working = avail.working_time(leader.leader_id, week)
    need = math.ceil(leader.frontline_share * iv.total(working))
    frame = avail.working_frame(week)
    week_events = [e for e in mine if e.week == week and e.status == "planned"]
    spans = iv.normalize((cal.minute(e.start), cal.minute(e.end)) for e in week_events if e.face_to_face)
    have = iv.total(iv.intersect(spans, frame))
    if have >= need:
        return []
    buffer = term.buffer_minutes
    taken = iv.normalize(
        (
            cal.minute(e.start) - avail.separation(e.campus or None, campus),
            cal.minute(e.end) + avail.separation(e.campus or None, campus),
        )
        for e in week_events
    )
    free = iv.subtract(iv.intersect(avail.leader_free(leader.leader_id, campus), frame), taken)
    free = iv.clip(free, after, (week * 7 + 7) * iv.DAY)
    visited: set[str] = {e.target_id for e in week_events}
    added: list[Event] = []
    for start, end in free:
        t = -(-start // STEP) * STEP
        while have < need:
            target = _pick(avail, targets, t, occupied, visited, end)
            if target is None:
                t += STEP
                if t >= end:
                    break
                continue
            minutes = DEFAULT_VISIT_MINUTES[target.kind]
            option = _option(leader, target, t, t + minutes)
            event = make_event(option)
            added.append(event)
            ident = option.target_id
            occupied[ident].append((t, t + minutes))
            visited.add(ident)
            have += minutes
            t = t + minutes + buffer
            t = -(-t // STEP) * STEP
        if have >= need:
            break
    return added


def _pick(
    avail: Availability,
    targets: list[Unit | Venue],
    t: int,
    occupied: dict[str, list[tuple[int, int]]],
    visited: set[str],
    limit: int,
) -> Unit | Venue | None:
    """A target free for a visit starting at ``t``: first a unit no leader visits this week, then
    one this leader has not visited this week, then any."""
    week_lo = t // (7 * iv.DAY) * 7 * iv.DAY
    ranked: list[tuple[int, Unit | Venue]] = []
    for target in targets:
        minutes = DEFAULT_VISIT_MINUTES[target.kind]
        if t + minutes > limit or not iv.contains(avail.target_free(target), t, t + minutes):
            continue
        ident = target.unit_id if isinstance(target, Unit) else target.venue_id
        capacity = target.capacity if isinstance(target, Venue) else 1
        spans = occupied.get(ident, ())
        if sum(1 for s, e in spans if s < t + minutes and t < e) >= capacity:
            continue
        this_week = any(week_lo <= s < week_lo + 7 * iv.DAY for s, _ in spans)
        rank = 0 if not this_week and ident not in visited else (1 if ident not in visited else 2)
        if rank == 0:
            return target
        ranked.append((rank, target))
    return min(ranked, key=lambda r: r[0])[1] if ranked else None


def _option(leader: Leader, target: Unit | Venue, start: int, end: int) -> Option:
    day = start // iv.DAY
    if isinstance(target, Unit):
        return Option(leader.leader_id, target.unit_id, target.kind, start, end, day // 7 + 1, day, target.campus)
    return Option(
        leader.leader_id, target.venue_id, target.kind, start, end, day // 7 + 1, day, target.campus,
        venue_id=target.venue_id,
    )
