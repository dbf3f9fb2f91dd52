"""Candidate visits ("options"): every dated visit the model may choose from.

The availability engine tells where a leader and a target are both free; here those common free
intervals become concrete, duration-long visits on a 15-minute grid, pruned so that the model stays
small: a few starts per leader, target and day, a bounded number per leader and week.
"""

from __future__ import annotations

import heapq
import zlib
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from . import intervals as iv
from .availability import Availability
from .problem import (
    DEFAULT_VISIT_MINUTES,
    FACE_TO_FACE_KINDS,
    Leader,
    Problem,
    Unit,
    Venue,
)

STEP = 15  # minutes between candidate start times
STARTS_PER_DAY = 2  # candidate starts kept per leader, target and day
LINK_CANDIDATES = 8  # candidate linked units per leader
CONTACT_UNITS = 2  # units (besides canteens) offered to a leader for plain contact
LINKED_PER_WEEK = 3  # cap on options per candidate linked unit and week (re-plans)
FALLBACK_PER_WEEK = 3  # other options in a week where no habitual slot fits
EXTRA_PER_TARGET = 6  # occurrences of a seven-kind target offered over the term
SESSIONS_PER_SECTION = 4  # meetings of one course section offered to one leader, spread over the term
SECTIONS_PER_LEADER = 24  # course sections offered to one leader for the guest lecture
ACTIVITIES_PER_KIND = 24  # activities of one visit kind offered to a seven-visits leader
ACTIVITIES_PER_WEEK = 2  # activities offered to another leader in a week, beside the habit


@dataclass(frozen=True)
class Option:
    """One candidate visit."""

    leader_id: str
    target_id: str
    visit_kind: str
    start: int
    end: int
    week: int
    day: int
    campus: str | None
    linked: bool = False  # a visit to a candidate linked unit: only if the link is chosen
    regular: bool = False  # at the leader's habitual weekday and time for this target group
    venue_id: str | None = None
    activity_id: str | None = None
    section_id: str | None = None
    block: tuple[str, ...] = ()  # a frontline block: the units (or the venue) it stands for
    work: int = 0  # minutes inside working time (frontline_share), for leaders who owe a share

    @property
    def face_to_face(self) -> bool:
        return self.visit_kind in FACE_TO_FACE_KINDS

    @property
    def is_block(self) -> bool:
        return bool(self.block)

    @property
    def units(self) -> tuple[str, ...]:
        """The units or venue this option occupies (a block: every place it stands for)."""
        return self.block or (self.target_id,)


@dataclass
class Candidates:
    """All options and candidate links, with the facts the explanations need."""

    options: list[Option] = field(default_factory=list)
    links: dict[str, list[str]] = field(default_factory=dict)  # leader -> candidate unit ids
    need: dict[tuple[str, int], int] = field(default_factory=dict)  # (leader, week) -> share minutes


def build(
    problem: Problem,
    avail: Availability,
    leaders: set[str] | None = None,
    after: int | None = None,
    tick: Callable[[int], None] | None = None,
) -> Candidates:
    """Candidates of every leader (or of ``leaders``), starting at minute ``after`` or later.
    ``tick(n)`` is called after each leader (progress; it may raise to stop)."""
    cands = Candidates()
    index = _TargetIndex(problem)
    # Leaders with the fewest choices claim their habitual slots first.
    order = sorted(problem.leaders, key=lambda x: (not x.link, x.contact_every_weeks, x.leader_id))
    for n, leader in enumerate(order):
        if tick is not None:
            tick(n)
        if leaders is not None and leader.leader_id not in leaders:
            continue
        if leader.link:
            cands.links[leader.leader_id] = _link_candidates(problem, avail, leader, index, cands)
        options = _leader_options(problem, avail, leader, index, cands)
        if leader.frontline_share > 0:
            options = frontline_options(problem, avail, leader, options, cands.need)
        if after is not None:
            options = [o for o in options if o.start >= after]
        cands.options.extend(options)
    return cands


def frontline_options(
    problem: Problem, avail: Availability, leader: Leader, options: list[Option], need: dict[tuple[str, int], int]
) -> list[Option]:
    """A leader who owes a frontline share: every option with its minutes in working time, the
    candidate blocks, and the minutes owed in each contact week."""
    from .blocks import block_options, need_minutes, work_minutes

    for week in problem.term.contact_week_list:
        need[leader.leader_id, week] = need_minutes(avail, leader, week)
    timed = [replace(o, work=work_minutes(avail, o.week, o.start, o.end)) for o in options]
    return timed + block_options(problem, avail, leader)


class _TargetIndex:
    def __init__(self, problem: Problem):
        self.units_by: dict[tuple[str, str], list[Unit]] = defaultdict(list)
        for unit in problem.units:
            self.units_by[(unit.campus, unit.kind)].append(unit)
        self.canteens: dict[str | None, list[Venue]] = defaultdict(list)
        self.online: list[Venue] = []
        for venue in problem.venues:
            if venue.kind == "canteen":
                self.canteens[venue.campus].append(venue)
            elif venue.kind == "online":
                self.online.append(venue)
        self.history = {(h.leader_id, h.unit_id) for h in problem.history}
        self.campuses = [c.campus_id for c in problem.campuses]
        self.capacity = {v.venue_id: v.capacity for v in problem.venues}
        # habitual slots already claimed: (target, weekday) -> [(start, end) clock minutes]
        self.claims: dict[tuple[str, int], list[tuple[int, int]]] = defaultdict(list)

    def free_to_claim(self, target: str, weekday: int, start: int, end: int) -> bool:
        taken = sum(1 for s, e in self.claims[(target, weekday)] if s < end and start < e)
        return taken < self.capacity.get(target, 1)

    def claim(self, target: str, weekday: int, start: int, end: int) -> None:
        self.claims[(target, weekday)].append((start, end))


# targets ---------------------------------------------------------------------------------------
def _unit_slots(
    avail: Availability, leader: Leader, target: Unit | Venue, minutes: int
) -> dict[int, list[int]]:
    """Day index -> a few start minutes at which the leader can visit the target."""
    common = avail.common_free(leader.leader_id, target)
    by_day: dict[int, list[int]] = defaultdict(list)
    for start, end in common:
        first = -(-start // STEP) * STEP
        if first + minutes > end:
            continue
        day = first // iv.DAY
        if len(by_day[day]) < STARTS_PER_DAY:
            by_day[day].append(first)
    return by_day


def _target_options(
    avail: Availability, leader: Leader, target: Unit | Venue, *, linked: bool = False
) -> list[Option]:
    kind = target.kind
    minutes = DEFAULT_VISIT_MINUTES[kind]
    if isinstance(target, Venue):
        kind = target.visit_kind
    ident = target.unit_id if isinstance(target, Unit) else target.venue_id
    venue_id = target.venue_id if isinstance(target, Venue) else None
    out: list[Option] = []
    for day, starts in sorted(_unit_slots(avail, leader, target, minutes).items()):
        week = day // 7 + 1
        out.extend(
            Option(
                leader.leader_id, ident, kind, s, s + minutes, week, day, target.campus,
                linked=linked, venue_id=venue_id,
            )
            for s in starts
        )
    return out


def _schedulable_weeks(avail: Availability, leader: Leader, unit: Unit) -> int:
    minutes = DEFAULT_VISIT_MINUTES[unit.kind]
    return len({d // 7 for d in _unit_slots(avail, leader, unit, minutes)})


def _link_candidates(
    problem: Problem, avail: Availability, leader: Leader, index: _TargetIndex, cands: Candidates
) -> list[str]:
    """The most promising units to link this leader to: history, college, campus, schedulable."""
    scored = []
    for unit in problem.units:
        if unit.max_leaders < 1:
            continue
        score = 0
        if (leader.leader_id, unit.unit_id) in index.history:
            score += 400
        if leader.college and unit.college == leader.college:
            score += 60
        if unit.campus == leader.campus:
            score += 100
        scored.append((-score, unit.kind, unit.unit_id, unit))
    # Ties broken by a per-leader hash: leaders with equal preferences get different shortlists.
    scored.sort(key=lambda t: (t[0], _spread(leader.leader_id, t[2])))
    # Keep a mix of kinds among the best so that links spread over classes, dorms and societies.
    shortlist: list[Unit] = []
    per_kind: dict[str, int] = defaultdict(int)
    for _, kind, _, unit in scored:
        if per_kind[kind] < LINK_CANDIDATES:
            shortlist.append(unit)
            per_kind[kind] += 1
    ranked = []
    for unit in shortlist:
        weeks = _schedulable_weeks(avail, leader, unit)
        if weeks == 0:
            continue
        base = 400 if (leader.leader_id, unit.unit_id) in index.history else 0
        base += 60 if leader.college and unit.college == leader.college else 0
        base += 100 if unit.campus == leader.campus else 0
        ranked.append((-(base + 20 * weeks), _spread(leader.leader_id, unit.unit_id), unit.unit_id, unit))
    ranked.sort(key=lambda t: t[:3])
    chosen: list[str] = []
    per_kind.clear()
    for _, _, ident, unit in ranked:
        if per_kind[unit.kind] >= max(2, LINK_CANDIDATES // 2) or len(chosen) >= LINK_CANDIDATES:
            continue
        chosen.append(ident)
        per_kind[unit.kind] += 1
    return chosen


def _leader_options(
    problem: Problem, avail: Availability, leader: Leader, index: _TargetIndex, cands: Candidates
) -> list[Option]:
    out: list[Option] = []
    linked = set(cands.links.get(leader.leader_id, ()))
    for unit_id in sorted(linked):
        unit_options = _target_options(avail, leader, problem.unit(unit_id), linked=True)
        out.extend(_recurring(unit_options, index, ranks=2, fallback=1, claim=False))
    weeks = set(problem.term.contact_week_list)
    for n, campus in enumerate(_campuses_by_distance(problem, leader)):
        # the home campus; other campuses, nearest first, only for weeks still without a visit
        plain: list[Option] = []
        for venue in index.canteens.get(campus, ()):
            plain.extend(_target_options(avail, leader, venue))
        plain.extend(_contact_unit_options(avail, leader, index, linked, campus))
        if n:
            plain = [o for o in plain if o.week in weeks]
        out.extend(_recurring(plain, index, ranks=3, fallback=FALLBACK_PER_WEEK, claim=True))
        weeks -= {o.week for o in plain}
        if not weeks:
            break
    if leader.seven_visits:
        out.extend(_seven_kind_options(problem, avail, leader, index, linked))
    activities = _activity_options(problem, avail, leader)
    if leader.seven_visits:  # enough of each kind, over the whole term
        by_kind: dict[str, list[Option]] = defaultdict(list)
        for o in activities:
            by_kind[o.visit_kind].append(o)
        for kind_options in by_kind.values():
            out.extend(_spread_over_term(kind_options, ACTIVITIES_PER_KIND))
    else:  # stand-ins for the weekly habit
        out.extend(_cap_per_week(activities, ACTIVITIES_PER_WEEK))
    if leader.lecture or leader.seven_visits:  # 进课堂 is a guest lecture in a course section
        out.extend(_section_options(problem, avail, leader))
    return _dedupe(out)


def _campuses_by_distance(problem: Problem, leader: Leader) -> list[str]:
    return sorted(
        (c.campus_id for c in problem.campuses),
        key=lambda c: (c != leader.campus, problem.travel_minutes(leader.campus, c), c),
    )


def _contact_unit_options(
    avail: Availability, leader: Leader, index: _TargetIndex, linked: set[str], campus: str
) -> list[Option]:
    """A couple of units on a campus (the leader's college first) for plain weekly contact."""
    out: list[Option] = []
    for kind in ("class", "dorm"):
        pool = [u for u in index.units_by.get((campus, kind), ()) if u.unit_id not in linked]
        # the first few of the sorted pool (as ``sorted(...)[:n]``, without sorting thousands)
        first = heapq.nsmallest(
            CONTACT_UNITS if kind == "class" else 1, pool,
            key=lambda u: (u.college != leader.college, _spread(leader.leader_id, u.unit_id)),
        )
        for unit in first:
            out.extend(_target_options(avail, leader, unit))
    return out


def _seven_kind_options(
    problem: Problem, avail: Availability, leader: Leader, index: _TargetIndex, linked: set[str]
) -> list[Option]:
    """Extra targets so that a leader can cover every one of the seven visit kinds."""
    out: list[Option] = []
    campuses = [leader.campus] + [c for c in index.campuses if c != leader.campus]
    for kind in ("class", "dorm", "society"):
        found = 0
        for campus in campuses:
            # Candidate linked units are offered too, as plain visits: a link goes to one of them.
            pool = list(index.units_by.get((campus, kind), ()))
            pool.sort(key=lambda u: (u.unit_id not in linked, _spread(leader.leader_id, u.unit_id)))
            for unit in pool:
                options = _target_options(avail, leader, unit)
                if options:
                    out.extend(_spread_over_term(options, EXTRA_PER_TARGET))
                    found += 1
                if found >= 2:
                    break
            if found >= 2:
                break
    if not index.canteens.get(leader.campus):
        for campus in campuses:
            for venue in index.canteens.get(campus, ()):
                out.extend(_spread_over_term(_target_options(avail, leader, venue), EXTRA_PER_TARGET))
    for venue in index.online:
        out.extend(_spread_over_term(_target_options(avail, leader, venue), EXTRA_PER_TARGET))
    return out


def _activity_options(problem: Problem, avail: Availability, leader: Leader) -> list[Option]:
    out = []
    for act in problem.activities:
        if not leader.seven_visits and act.campus not in (None, leader.campus):
            continue
        if not leader.seven_visits and act.visit_kind not in FACE_TO_FACE_KINDS:
            continue  # an online activity meets no requirement of this leader: never worth a visit
        span = avail.activity_span(act)
        if span is None:
            continue
        start, end = span
        frame_ok = iv.contains(avail.frame, start, end)
        if not frame_ok or iv.overlaps(avail.blocked(leader.leader_id, act.campus), start, end):
            continue
        day = start // iv.DAY
        out.append(
            Option(
                leader.leader_id, act.activity_id, act.visit_kind, start, end, day // 7 + 1, day,
                act.campus, activity_id=act.activity_id,
            )
        )
    return out


def _section_options(problem: Problem, avail: Availability, leader: Leader) -> list[Option]:
    """A few meetings of the course sections nearest the leader (home campus first)."""
    out: list[Option] = []
    sections = sorted(
        problem.courses,
        key=lambda x: (x.campus != leader.campus, problem.travel_minutes(leader.campus, x.campus),
                       _spread(leader.leader_id, x.section_id)),
    )
    offered = 0
    for section in sections:
        if offered >= SECTIONS_PER_LEADER:
            break
        blocked = avail.blocked(leader.leader_id, section.campus)
        fitting = [
            Option(
                leader.leader_id, section.section_id, "classroom", start, end, day.week,
                day.index, section.campus, section_id=section.section_id,
            )
            for day, start, end in avail.section_sessions(section)
            if iv.contains(avail.frame, start, end) and not iv.overlaps(blocked, start, end)
        ]
        out.extend(_spread_over_term(fitting, SESSIONS_PER_SECTION))
        offered += bool(fitting)
    return out


def _spread_over_term(options: list[Option], keep: int) -> list[Option]:
    """``keep`` options evenly spread over the list (which is in time order)."""
    if len(options) <= keep:
        return options
    step = len(options) / keep
    return [options[int(i * step + step / 2)] for i in range(keep)]


def _recurring(
    options: list[Option], index: _TargetIndex, *, ranks: int, fallback: int, claim: bool
) -> list[Option]:
    """Weekly habits: the (target, weekday, time) slots that fit in the most weeks.

    The best slot that no other leader has claimed becomes the habit (its options are
    ``regular``); a few next-best slots on other weekdays are alternatives; in a week where none
    of them fits, a few other options of that week stand in.
    """
    if not options:
        return []
    weeks: dict[tuple[str, int, int], set[int]] = defaultdict(set)
    length = {o.target_id: o.end - o.start for o in options}
    for o in options:
        weeks[(o.target_id, o.day % 7 + 1, o.start % iv.DAY)].add(o.week)
    ranked = sorted(weeks, key=lambda k: (-len(weeks[k]), k[1], k[2], k[0]))
    chosen: list[tuple[str, int, int]] = []
    for key in ranked:
        target, weekday, clock = key
        if not chosen and not index.free_to_claim(target, weekday, clock, clock + length[target]):
            continue
        if chosen and any(c[1] == weekday for c in chosen) and len(ranked) > ranks * 3:
            continue  # alternatives on other weekdays
        chosen.append(key)
        if len(chosen) >= ranks:
            break
    if claim and chosen:
        target, weekday, clock = chosen[0]
        index.claim(target, weekday, clock, clock + length[target])
    keys = set(chosen)
    habit = chosen[0] if chosen else None
    picked = [
        replace(o, regular=(o.target_id, o.day % 7 + 1, o.start % iv.DAY) == habit)
        for o in options
        if (o.target_id, o.day % 7 + 1, o.start % iv.DAY) in keys
    ]
    covered = {o.week for o in picked}
    rest = [o for o in options if o.week not in covered]
    return picked + _cap_per_week(rest, fallback)


def _cap_per_week(options: list[Option], cap: int) -> list[Option]:
    """At most ``cap`` options per week, spread over days and targets."""
    by_week: dict[int, list[Option]] = defaultdict(list)
    for o in options:
        by_week[o.week].append(o)
    out = []
    for week in sorted(by_week):
        items = sorted(by_week[week], key=lambda o: (o.day, o.start, o.target_id))
        picked: list[Option] = []
        seen_days: set[int] = set()
        for o in items:  # first pass: one per day
            if o.day not in seen_days and len(picked) < cap:
                picked.append(o)
                seen_days.add(o.day)
        for o in items:
            if len(picked) >= cap:
                break
            if o not in picked:
                picked.append(o)
        out.extend(picked)
    return out


def _dedupe(options: list[Option]) -> list[Option]:
    seen: set[tuple[str, str, int, bool]] = set()
    out = []
    for o in options:
        key = (o.target_id, o.visit_kind, o.start, o.linked)
        if key not in seen:
            seen.add(key)
            out.append(o)
    return out


def _spread(leader_id: str, unit_id: str) -> int:
    """A stable pseudo-random order, so that leaders do not all pick the same few units."""
    return zlib.crc32(f"{leader_id}/{unit_id}".encode())


def linked_unit_options(problem: Problem, avail: Availability, leader_id: str, unit_id: str) -> list[Option]:
    """Visits of a leader to one linked unit (a re-plan keeps a link the candidates left out)."""
    leader = problem.leader(leader_id)
    return _cap_per_week(_target_options(avail, leader, problem.unit(unit_id), linked=True), LINKED_PER_WEEK)


def option_of(problem: Problem, avail: Availability, leader_id: str, target_id: str, kind: str,
              start: int, end: int, linked: bool, block: tuple[str, ...] = ()) -> Option:
    """The option that a published event is (to keep it in a re-plan)."""
    from .blocks import work_minutes
    from .problem import Activity, CourseSection

    target = problem.target(target_id)
    day = start // iv.DAY
    campus = target.campus or None
    share = problem.leader(leader_id).frontline_share > 0
    return Option(
        leader_id, target_id, kind, start, end, day // 7 + 1, day, campus,
        linked=linked,
        venue_id=target_id if isinstance(target, Venue) else None,
        activity_id=target_id if isinstance(target, Activity) else None,
        section_id=target_id if isinstance(target, CourseSection) else None,
        block=block,
        work=work_minutes(avail, day // 7 + 1, start, end) if share else 0,
    )
