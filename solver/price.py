"""The objective of a plan in plain Python, term by term as ``model`` states it.

A plan's cost without a solver: the local search (``improve``) compares plans with it thousands
of times a second, where pricing through CP-SAT would take a presolve of the whole model each
time. A test holds it equal to the model's own objective on generated universities.

Only first solves are priced here: a re-plan's terms (published events kept, frozen weeks) are
the model's alone.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from .model import contact_blocks, option_cost
from .options import Candidates, Option
from .problem import VISIT_KINDS, Leader, Problem
from .weights import Weights


@dataclass(frozen=True)
class Priced:
    objective: int
    parts: dict[str, int]  # tag -> cost, the tags of ``model.Model.terms``


def own_cost(
    problem: Problem, cands: Candidates, weights: Weights, leader: Leader, picks: Iterable[Option], link: str | None
) -> dict[str, int]:
    """The leader's own terms (``model.Model.owned``): visits, the misses of its requirements,
    minutes short of its frontline share, second blocks in a day, and a link that breaks last
    term's. ``link``: the unit linked (None: none)."""
    lid = leader.leader_id
    picks = list(picks)
    parts: dict[str, int] = defaultdict(int)
    for o in picks:
        parts["visits"] += option_cost(problem, leader, o, weights)
    weeks = {o.week for o in picks if o.face_to_face}
    for block in contact_blocks(problem, leader.contact_every_weeks):
        if not weeks.intersection(block):
            parts["miss_weekly_contact"] += weights.miss_weekly_contact
    if leader.link and link is None:
        parts["miss_linked_unit"] += weights.miss_link
    if link is not None and _breaks_history(problem, lid, link):
        parts["no_history"] += weights.no_history
    if leader.lecture and not any(o.section_id for o in picks):
        parts["miss_lecture"] += weights.miss_lecture
    if leader.seven_visits:
        kinds = {o.visit_kind for o in picks}
        parts["miss_seven_visits"] += weights.miss_visit_kind * sum(1 for k in VISIT_KINDS if k not in kinds)
    if leader.frontline_share > 0:
        work: dict[int, int] = defaultdict(int)
        for o in picks:
            if o.work > 0 and o.face_to_face:
                work[o.week] += o.work
        for week in problem.term.contact_week_list:
            short = cands.need.get((lid, week), 0) - work[week]
            if short > 0:
                parts["miss_frontline_share"] += weights.miss_frontline_share
                parts["frontline_short_minutes"] += weights.frontline_short_minute * short
    blocks: dict[int, int] = defaultdict(int)
    for o in picks:
        if o.is_block:
            blocks[o.day] += 1
    parts["second_block_a_day"] += weights.second_block_a_day * sum(1 for n in blocks.values() if n > 1)
    return parts


def _breaks_history(problem: Problem, leader_id: str, unit_id: str) -> bool:
    history = {h.unit_id for h in problem.history if h.leader_id == leader_id}
    return bool(history) and unit_id not in history


def shared_cost(problem: Problem, weights: Weights, chosen: Iterable[Option], links: dict[str, str]) -> dict[str, int]:
    """The terms over several leaders: a unit visited twice in a week, school leaders linked in
    one college, two lectures in one week."""
    units = {u.unit_id for u in problem.units}
    per_unit_week: dict[tuple[str, int], int] = defaultdict(int)
    per_week: dict[int, int] = defaultdict(int)
    for o in chosen:
        if o.target_id in units and not o.is_block:
            per_unit_week[o.target_id, o.week] += 1
        if o.section_id:
            per_week[o.week] += 1
    school = {x.leader_id for x in problem.leaders if x.tier == "school"}
    per_college: dict[str, int] = defaultdict(int)
    for lid, u in links.items():
        college = problem.unit(u).college
        if college and lid in school:
            per_college[college] += 1
    return {
        "unit_twice_a_week": weights.unit_twice_a_week * sum(max(0, n - 1) for n in per_unit_week.values()),
        "college_imbalance": weights.college_imbalance * sum(max(0, n - 1) for n in per_college.values()),
        "lecture_same_week": weights.lecture_same_week * sum(max(0, n - 1) for n in per_week.values()),
    }


def price(problem: Problem, cands: Candidates, weights: Weights, chosen: list[Option], links: dict[str, str]) -> Priced:
    """The objective of a feasible first-solve plan, as the model prices it."""
    mine: dict[str, list[Option]] = defaultdict(list)
    for o in chosen:
        mine[o.leader_id].append(o)
    parts: dict[str, int] = defaultdict(int)
    for leader in problem.leaders:
        for tag, cost in own_cost(problem, cands, weights, leader, mine[leader.leader_id], links.get(leader.leader_id)).items():
            parts[tag] += cost
    for tag, cost in shared_cost(problem, weights, chosen, links).items():
        parts[tag] += cost
    kept = {tag: cost for tag, cost in parts.items() if cost}
    return Priced(sum(kept.values()), kept)
