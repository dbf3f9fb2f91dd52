"""The first-fit baseline: leader by leader, week by week, as a careful clerk plans by hand.

It picks, from the same candidate visits as the model, the first one that still fits: the first
linked unit with a free place, the first free course-section meeting, then for every contact block
the first visit (the linked unit first), then the first visit of every visit kind still missing.
It is the benchmark's peer and the solver's starting point (a complete hint for CP-SAT).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable

from .model import contact_blocks, option_cost
from .options import Candidates, Option
from .problem import BLOCKS_PER_DAY, TIERS, VISIT_KINDS, Leader, Problem
from .weights import Weights

# (leader, its link or None, the options still free, option index -> shared cost) -> a plan
Respond = Callable[[Leader, str | None, list[Option], dict[int, int]], list[Option] | None]


class Ledger:
    """What is already taken: leader days, places at units, venues, activities and sections."""

    def __init__(self, problem: Problem):
        self.problem = problem
        self.days: set[tuple[str, int]] = set()
        self.at: dict[str, list[tuple[int, int]]] = defaultdict(list)
        self.activity: dict[str, int] = defaultdict(int)
        self.sections: set[str] = set()
        self.links: dict[str, int] = defaultdict(int)
        self.capacity = {v.venue_id: v.capacity for v in problem.venues}
        self.max_leaders = {a.activity_id: a.max_leaders for a in problem.activities}
        self.spans: dict[tuple[str, int], list[Option]] = defaultdict(list)  # (leader, day) -> taken
        self.blocks: dict[tuple[str, int], int] = defaultdict(int)
        # what the soft goals over several leaders count: visits per (unit, week), lectures per
        # week, school leaders linked per college
        self.unit_weeks: dict[tuple[str, int], int] = defaultdict(int)
        self.lecture_weeks: dict[int, int] = defaultdict(int)
        self.colleges: dict[str, int] = defaultdict(int)
        self.unit_ids = {u.unit_id for u in problem.units}

    def apart(self, o: Option) -> bool:
        """Whether ``o`` leaves the buffer or travel time to the leader's other taken options."""
        for p in self.spans[o.leader_id, o.day]:
            a, b = (p, o) if p.start <= o.start else (o, p)
            gap = self.problem.term.buffer_minutes
            if a.campus is not None and b.campus is not None and a.campus != b.campus:
                gap = max(gap, self.problem.travel_minutes(a.campus, b.campus))
            if b.start - a.end < gap:
                return False
        return True

    def fits(self, o: Option) -> bool:
        if o.is_block:
            if self.blocks[o.leader_id, o.day] >= BLOCKS_PER_DAY or not self.apart(o):
                return False
        elif (o.leader_id, o.day) in self.days or not self.apart(o):
            return False
        if o.section_id:
            return o.section_id not in self.sections
        if o.activity_id:
            return self.activity[o.activity_id] < self.max_leaders[o.activity_id]
        for place in o.units:
            clash = sum(1 for s, e in self.at[place] if s < o.end and o.start < e)
            if clash >= self.capacity.get(place, 1):
                return False
        return True

    def shared_cost(self, o: Option, weights: Weights) -> int:
        """What taking ``o`` adds to the soft goals over several leaders (a unit visited twice
        in a week, two lectures in a week)."""
        if o.section_id:
            return weights.lecture_same_week * min(1, self.lecture_weeks[o.week])
        if not o.is_block and o.target_id in self.unit_ids:
            return weights.unit_twice_a_week * min(1, self.unit_weeks[o.target_id, o.week])
        return 0

    def untake(self, o: Option) -> None:
        """Give back what ``take(o)`` took (the local search re-plans a leader)."""
        self.spans[o.leader_id, o.day].remove(o)
        if o.is_block:
            self.blocks[o.leader_id, o.day] -= 1
        else:
            self.days.discard((o.leader_id, o.day))
            if o.target_id in self.unit_ids:
                self.unit_weeks[o.target_id, o.week] -= 1
        if o.section_id:
            self.lecture_weeks[o.week] -= 1
            self.sections.discard(o.section_id)
        elif o.activity_id:
            self.activity[o.activity_id] -= 1
        else:
            for place in o.units:
                self.at[place].remove((o.start, o.end))

    def take(self, o: Option) -> None:
        self.spans[o.leader_id, o.day].append(o)
        if o.is_block:
            self.blocks[o.leader_id, o.day] += 1
        else:
            self.days.add((o.leader_id, o.day))
            if o.target_id in self.unit_ids:
                self.unit_weeks[o.target_id, o.week] += 1
        if o.section_id:
            self.lecture_weeks[o.week] += 1
            self.sections.add(o.section_id)
        elif o.activity_id:
            self.activity[o.activity_id] += 1
        else:
            for place in o.units:
                self.at[place].append((o.start, o.end))


def first_fit(
    problem: Problem, cands: Candidates, weights: Weights | None = None,
    preferred: dict[str, list[Option]] | None = None,
    preferred_links: dict[str, str] | None = None,
    respond: Respond | None = None,
    considerate: bool = False,
) -> tuple[list[Option], dict[str, str]]:
    """The clerk's plan; ``preferred``: options a leader takes first where they still fit, and
    ``preferred_links`` the unit tried first (each leader's best plan alone and the matched
    links, from the decomposition), the clerk's rules filling the rest. ``respond``: for a leader
    who owes more than the contact, the best plan from the options still free, given what each
    costs the leaders before (a best response; None: the preferred plan instead).
    ``considerate``: every choice also counts what it costs the leaders before (a unit visited
    twice in a week, two lectures in one week); the clerk of the benchmark does not."""
    weights = weights or Weights()
    preferred = preferred or {}
    preferred_links = preferred_links or {}
    ledger = Ledger(problem)

    def shared(o: Option) -> int:
        return ledger.shared_cost(o, weights) if considerate else 0

    mine: dict[str, list[Option]] = defaultdict(list)
    for o in cands.options:
        mine[o.leader_id].append(o)
    chosen: list[Option] = []
    links: dict[str, str] = {}
    order = sorted(problem.leaders, key=lambda x: TIERS.index(x.tier))
    for leader in order:
        options = sorted(mine[leader.leader_id], key=lambda o: (o.start, o.target_id))
        picked: list[Option] = []
        candidates = cands.links.get(leader.leader_id, [])
        first = preferred_links.get(leader.leader_id)
        if first in candidates:
            candidates = [first, *(u for u in candidates if u != first)]
        link = _pick_link(problem, ledger, candidates, options)
        if link:
            links[leader.leader_id] = link
        usable = [o for o in options if not o.linked or o.target_id == link]
        response = None
        if respond is not None and (leader.lecture or leader.seven_visits or leader.frontline_share > 0):
            free = [o for o in usable if ledger.fits(o)]
            extra = {i: c for i, o in enumerate(free) if (c := ledger.shared_cost(o, weights))}
            response = respond(leader, link, free, extra)
        for o in response or ():
            if ledger.fits(o):
                ledger.take(o)
                picked.append(o)
        for o in () if response else preferred.get(leader.leader_id, ()):
            if (not o.linked or o.target_id == link) and ledger.fits(o) and not shared(o):
                ledger.take(o)
                picked.append(o)
        sections = sorted(
            (o for o in usable if o.section_id), key=lambda o: (shared(o), o.start, o.target_id)
        )
        lectured = any(o.section_id for o in picked)
        if leader.lecture and not lectured:
            _take_first(ledger, picked, sections)
        usable = [o for o in usable if not o.section_id]
        if leader.seven_visits and not leader.lecture and not lectured:
            _take_first(ledger, picked, sections)  # 进课堂: a guest lecture all the same
        if leader.seven_visits:  # the scarcest visit kinds first, before the days fill up
            _take_kinds(problem, ledger, picked, usable, leader, weights, shared)
        if leader.frontline_share > 0:
            _take_blocks(ledger, picked, [o for o in usable if o.is_block], cands.need, leader.leader_id)
        for block in contact_blocks(problem, leader.contact_every_weeks):
            if any(o.week in block and o.face_to_face for o in picked):
                continue
            in_block = [o for o in usable if o.week in block and o.face_to_face]
            # as a clerk would: the linked unit, at the usual weekday and time, on the home campus
            in_block.sort(key=lambda o: (option_cost(problem, leader, o, weights) + shared(o), o.start))
            _take_first(ledger, picked, in_block)
        chosen.extend(picked)
    return chosen, links


def _pick_link(problem: Problem, ledger: Ledger, candidates: list[str], options: list[Option]) -> str | None:
    """The first candidate unit with a free place that the leader can actually visit."""
    visitable = {o.target_id for o in options if o.linked}
    for unit_id in candidates:
        if unit_id in visitable and ledger.links[unit_id] < problem.unit(unit_id).max_leaders:
            ledger.links[unit_id] += 1
            return unit_id
    return None


def _take_kinds(
    problem: Problem, ledger: Ledger, picked: list[Option], usable: list[Option], leader: Leader, weights: Weights,
    shared: Callable[[Option], int],
) -> None:
    """One visit of every visit kind still missing, the kinds with the fewest candidates first."""
    by_kind = {kind: [o for o in usable if o.visit_kind == kind] for kind in VISIT_KINDS}
    for kind in sorted(VISIT_KINDS, key=lambda k: (len(by_kind[k]), VISIT_KINDS.index(k))):
        if not any(o.visit_kind == kind for o in picked):
            of_kind = sorted(
                by_kind[kind], key=lambda o: (option_cost(problem, leader, o, weights) + shared(o), o.start)
            )
            _take_first(ledger, picked, of_kind)


def _take_blocks(
    ledger: Ledger, picked: list[Option], blocks: list[Option], need: dict[tuple[str, int], int], leader_id: str
) -> None:
    """Frontline blocks week by week, as a clerk fills a diary: the longest block of each day
    first, Monday to Friday, then second blocks, until the week's share is met."""
    by_week: dict[int, list[Option]] = defaultdict(list)
    for o in blocks:
        by_week[o.week].append(o)
    for week, options in sorted(by_week.items()):
        owed = need.get((leader_id, week), 0) - sum(o.work for o in picked if o.week == week and o.face_to_face)
        for round_ in range(BLOCKS_PER_DAY):  # first one block a day, then second blocks
            for o in sorted(options, key=lambda o: (o.day, -o.work, o.start, o.target_id)):
                if owed <= 0:
                    break
                if ledger.blocks[leader_id, o.day] != round_:
                    continue
                if ledger.fits(o):
                    ledger.take(o)
                    picked.append(o)
                    owed -= o.work


def _take_first(ledger: Ledger, picked: list[Option], options: Iterable[Option]) -> None:
    for o in options:
        if ledger.fits(o):
            ledger.take(o)
            picked.append(o)
            return
