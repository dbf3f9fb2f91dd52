"""The first-fit baseline: leader by leader, week by week, as a careful clerk plans by hand.

It picks, from the same candidate visits as the model, the first one that still fits: the first
linked unit with a free place, the first free course-section meeting, then for every contact block
the first visit (the linked unit first), then the first visit of every visit kind still missing.
It is the benchmark's peer and the solver's starting point (a complete hint for CP-SAT).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from .model import contact_blocks, option_cost
from .options import Candidates, Option
from .problem import TIERS, VISIT_KINDS, Problem
from .weights import Weights


class _Ledger:
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

    def fits(self, o: Option) -> bool:
        if (o.leader_id, o.day) in self.days:
            return False
        if o.section_id:
            return o.section_id not in self.sections
        if o.activity_id:
            return self.activity[o.activity_id] < self.max_leaders[o.activity_id]
        capacity = self.capacity.get(o.target_id, 1)
        clash = sum(1 for s, e in self.at[o.target_id] if s < o.end and o.start < e)
        return clash < capacity

    def take(self, o: Option) -> None:
        self.days.add((o.leader_id, o.day))
        if o.section_id:
            self.sections.add(o.section_id)
        elif o.activity_id:
            self.activity[o.activity_id] += 1
        else:
            self.at[o.target_id].append((o.start, o.end))


def first_fit(
    problem: Problem, cands: Candidates, weights: Weights | None = None
) -> tuple[list[Option], dict[str, str]]:
    weights = weights or Weights()
    ledger = _Ledger(problem)
    mine: dict[str, list[Option]] = defaultdict(list)
    for o in cands.options:
        mine[o.leader_id].append(o)
    chosen: list[Option] = []
    links: dict[str, str] = {}
    order = sorted(problem.leaders, key=lambda x: TIERS.index(x.tier))
    for leader in order:
        options = sorted(mine[leader.leader_id], key=lambda o: (o.start, o.target_id))
        picked: list[Option] = []
        link = _pick_link(problem, ledger, cands.links.get(leader.leader_id, []), options)
        if link:
            links[leader.leader_id] = link
        usable = [o for o in options if not o.linked or o.target_id == link]
        sections = [o for o in usable if o.section_id]
        if leader.lecture:
            _take_first(ledger, picked, sections)
        usable = [o for o in usable if not o.section_id]
        if leader.seven_visits and not leader.lecture:
            _take_first(ledger, picked, sections)  # 进课堂: a guest lecture all the same
        for block in contact_blocks(problem, leader.contact_every_weeks):
            if any(o.week in block and o.face_to_face for o in picked):
                continue
            in_block = [o for o in usable if o.week in block and o.face_to_face]
            # as a clerk would: the linked unit, at the usual weekday and time, on the home campus
            in_block.sort(key=lambda o: (option_cost(problem, leader, o, weights), o.start))
            _take_first(ledger, picked, in_block)
        if leader.seven_visits:
            for kind in VISIT_KINDS:
                if not any(o.visit_kind == kind for o in picked):
                    of_kind = [o for o in usable if o.visit_kind == kind]
                    of_kind.sort(key=lambda o: (option_cost(problem, leader, o, weights), o.start))
                    _take_first(ledger, picked, of_kind)
        chosen.extend(picked)
    return chosen, links


def _pick_link(problem: Problem, ledger: _Ledger, candidates: list[str], options: list[Option]) -> str | None:
    """The first candidate unit with a free place that the leader can actually visit."""
    visitable = {o.target_id for o in options if o.linked}
    for unit_id in candidates:
        if unit_id in visitable and ledger.links[unit_id] < problem.unit(unit_id).max_leaders:
            ledger.links[unit_id] += 1
            return unit_id
    return None


def _take_first(ledger: _Ledger, picked: list[Option], options: Iterable[Option]) -> None:
    for o in options:
        if ledger.fits(o):
            ledger.take(o)
            picked.append(o)
            return
