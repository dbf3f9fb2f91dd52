"""The CP-SAT model. One function per constraint; ``HARD`` and ``SOFT`` list them all.

Decision variables: ``x[i]`` = option i (a candidate dated visit) is planned; ``link[l, u]`` =
leader l links to unit u. Each requirement of the notice has a ``miss`` variable, so that a plan is
always found and what could not be met is explained instead of failing the whole solve.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from ortools.sat.python import cp_model

from .options import Candidates, Option
from .problem import BLOCKS_PER_DAY, VISIT_KINDS, Leader, Problem
from .weights import Weights


@dataclass
class Prior:
    """What a re-plan takes as given: frozen past events and the plans of untouched leaders."""

    scope: frozenset[str] | None = None  # leaders whose requirements are modelled (None: all)
    contact_weeks: dict[str, set[int]] = field(default_factory=dict)  # leader -> weeks met
    kinds: dict[str, set[str]] = field(default_factory=dict)  # leader -> visit kinds covered
    lectured: set[str] = field(default_factory=set)  # leaders whose lecture is given
    links: dict[str, str] = field(default_factory=dict)  # leader -> unit: links that stay
    link_load: dict[str, int] = field(default_factory=dict)  # unit -> links held outside scope
    activity_seats: dict[str, int] = field(default_factory=dict)  # activity -> seats taken
    work: dict[tuple[str, int], int] = field(default_factory=dict)  # (leader, week) -> share minutes given
    previous: set[int] = field(default_factory=set)  # option indices that are published events

    def in_scope(self, leader_id: str) -> bool:
        return self.scope is None or leader_id in self.scope


@dataclass
class Model:
    problem: Problem
    cands: Candidates
    weights: Weights
    cp: cp_model.CpModel = field(default_factory=cp_model.CpModel)
    x: list[cp_model.IntVar] = field(default_factory=list)
    link: dict[tuple[str, str], cp_model.IntVar] = field(default_factory=dict)
    # (requirement, leader_id, detail) -> miss variable
    miss: dict[tuple[str, str, object], cp_model.IntVar] = field(default_factory=dict)
    terms: list[tuple[cp_model.LinearExprT, int, str]] = field(default_factory=list)
    by_leader: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))
    blocks: dict[str, list[tuple[int, ...]]] = field(default_factory=dict)
    fixed: dict[int, int] = field(default_factory=dict)  # option index -> 1/0 (re-plan)
    keep: dict[int, int] = field(default_factory=dict)  # option index -> weight to keep it
    prior: Prior = field(default_factory=Prior)
    extra_cost: dict[int, int] = field(default_factory=dict)  # option index -> added cost
    solution: tuple[int, ...] = ()  # every variable's value in the last plan found
    bound: float = 0.0  # the last solve's proven lower bound (also when it found no plan)
    infeasible: bool = False  # the last solve proved that the model has no solution
    # leader -> the cost terms that are that leader's alone (the decomposition bounds their sum)
    owned: dict[str, list[tuple[cp_model.LinearExprT, int, str]]] = field(default_factory=lambda: defaultdict(list))

    def leaders(self) -> list[Leader]:
        return [x for x in self.problem.leaders if self.prior.in_scope(x.leader_id)]

    @property
    def options(self) -> list[Option]:
        return self.cands.options

    def cost(self, expr: cp_model.LinearExprT, weight: int, tag: str, owner: str | None = None) -> None:
        if weight:
            self.terms.append((expr, weight, tag))
            if owner is not None:
                self.owned[owner].append((expr, weight, tag))


Constraint = Callable[[Model], None]


def build(
    problem: Problem,
    cands: Candidates,
    weights: Weights,
    *,
    fixed: dict[int, int] | None = None,
    keep: dict[int, int] | None = None,
    prior: Prior | None = None,
    extra_cost: dict[int, int] | None = None,
) -> Model:
    m = Model(
        problem, cands, weights, fixed=dict(fixed or {}), keep=dict(keep or {}),
        prior=prior or Prior(), extra_cost=dict(extra_cost or {}),
    )
    m.x = [m.cp.new_bool_var(f"x{i}") for i in range(len(cands.options))]
    for i, o in enumerate(cands.options):
        m.by_leader[o.leader_id].append(i)
    for leader_id, units in sorted(cands.links.items()):
        for u in units:
            m.link[leader_id, u] = m.cp.new_bool_var(f"link_{leader_id}_{u}")
    for constraint in (*HARD, *SOFT):
        constraint(m)
    m.cp.minimize(sum(w * e for e, w, _ in m.terms))
    return m


def add_hint(m: Model, chosen: Iterable[Option], links: dict[str, str]) -> None:
    """Start the search from a known plan (the first-fit baseline or the published plan)."""
    picked = {id(o) for o in chosen}
    for o, var in zip(m.options, m.x, strict=True):
        m.cp.add_hint(var, id(o) in picked)
    for (leader_id, unit_id), var in m.link.items():
        m.cp.add_hint(var, links.get(leader_id) == unit_id)


def fix_links(m: Model, links: dict[str, str]) -> None:
    """Fix every link decision (leaders without a link in ``links`` get none)."""
    for (leader_id, unit_id), var in m.link.items():
        m.cp.add(var == int(links.get(leader_id) == unit_id))


def fix(m: Model, chosen: Iterable[Option], links: dict[str, str]) -> None:
    """Fix every decision to a given plan (to price that plan with the same objective)."""
    picked = {id(o) for o in chosen}
    for o, var in zip(m.options, m.x, strict=True):
        m.cp.add(var == int(id(o) in picked))
    for (leader_id, unit_id), var in m.link.items():
        m.cp.add(var == int(links.get(leader_id) == unit_id))


def add_leader_bounds(m: Model, parts: dict[tuple[str, str | None], float]) -> None:
    """Valid cuts from the decomposition: each leader's own cost terms are at least the optimum of
    that leader's model alone, for the link it takes (``parts``: (leader, unit) -> that bound;
    unit None: a leader without a link, "": a linking leader left without one). They change no
    plan's cost; they give the LP at once what its cuts would find only slowly."""
    for leader in m.leaders():
        lid = leader.leader_id
        own = sum(w * e for e, w, _ in m.owned.get(lid, ()))
        if not leader.link:
            value = parts.get((lid, None))
            if value:
                m.cp.add(own >= math.floor(value))
            continue
        miss = m.miss.get(("linked_unit", lid, ""))
        if miss is None:
            continue
        mine = [(u, var) for (leader_id, u), var in m.link.items() if leader_id == lid]
        if any((lid, u) not in parts for u, _ in mine):
            continue  # a link without its bound: no cut for this leader
        alone = math.floor(parts.get((lid, ""), 0.0))
        m.cp.add(own >= sum(math.floor(parts[lid, u]) * var for u, var in mine) + (alone + m.weights.miss_link) * miss)


def _miss(m: Model, requirement: str, leader_id: str, detail: object, weight: int) -> cp_model.IntVar:
    var = m.cp.new_bool_var(f"miss_{requirement}_{leader_id}_{detail}")
    m.miss[requirement, leader_id, detail] = var
    m.cost(var, weight, f"miss_{requirement}", leader_id)
    return var


# hard constraints ----------------------------------------------------------------------------------
def one_visit_per_leader_day(m: Model) -> None:
    """A leader makes at most one new visit a day; published events kept by a re-plan stay, and
    a new visit beside one of them needs the buffer or travel time between the two."""
    for indices in m.by_leader.values():
        per_day: dict[int, list[int]] = defaultdict(list)
        for i in indices:
            per_day[m.options[i].day].append(i)
        for day_indices in per_day.values():
            # frontline blocks have their own rules (``frontline_blocks``)
            new = [i for i in day_indices if i not in m.prior.previous and not m.options[i].is_block]
            if len(new) > 1:
                m.cp.add_at_most_one(m.x[i] for i in new)
            for j in day_indices:
                if j in m.prior.previous and not m.options[j].is_block:
                    for i in new:
                        if _too_close(m, m.options[i], m.options[j]):
                            m.cp.add_bool_or([m.x[i].Not(), m.x[j].Not()])


def _too_close(m: Model, a: Option, b: Option) -> bool:
    if b.start < a.start:
        a, b = b, a
    buffer = m.problem.term.buffer_minutes
    if a.campus is None or b.campus is None or a.campus == b.campus:
        need = buffer
    else:
        need = max(buffer, m.problem.travel_minutes(a.campus, b.campus))
    return b.start - a.end < need


def frontline_blocks(m: Model) -> None:
    """A leader holds at most two frontline blocks a day, and a block leaves the buffer or the
    travel time to every other visit of the day (blocks never overlap each other either)."""
    for indices in m.by_leader.values():
        per_day: dict[int, list[int]] = defaultdict(list)
        for i in indices:
            per_day[m.options[i].day].append(i)
        for day_indices in per_day.values():
            blocks = [i for i in day_indices if m.options[i].is_block]
            if not blocks:
                continue
            if len(blocks) > BLOCKS_PER_DAY:
                m.cp.add(sum(m.x[i] for i in blocks) <= BLOCKS_PER_DAY)
            _blocks_apart(m, blocks)
            for i in blocks:
                for j in day_indices:
                    if not m.options[j].is_block and _too_close(m, m.options[i], m.options[j]):
                        m.cp.add_bool_or([m.x[i].Not(), m.x[j].Not()])


def _blocks_apart(m: Model, blocks: list[int]) -> None:
    """Blocks of one leader and day that come too close, as cliques over time (exact for the
    interval graph of blocks on one campus; pairs across campuses one by one)."""
    by_campus: dict[str | None, list[int]] = defaultdict(list)
    for i in blocks:
        by_campus[m.options[i].campus].append(i)
    buffer = m.problem.term.buffer_minutes
    for ids in by_campus.values():
        seen: set[frozenset[int]] = set()
        for t in sorted({m.options[i].start for i in ids}):
            clique = frozenset(i for i in ids if m.options[i].start <= t < m.options[i].end + buffer)
            if len(clique) > 1 and clique not in seen:
                seen.add(clique)
                m.cp.add_at_most_one(m.x[i] for i in sorted(clique))
    campuses = sorted(by_campus, key=str)
    for n, a in enumerate(campuses):
        for b in campuses[n + 1 :]:
            for i in by_campus[a]:
                for j in by_campus[b]:
                    if _too_close(m, m.options[i], m.options[j]):
                        m.cp.add_bool_or([m.x[i].Not(), m.x[j].Not()])


def frontline_share(m: Model) -> None:
    """A leader with ``frontline_share`` spends that share of each contact week's available
    working time with students: the minutes of blocks and visits inside working time. A week that
    falls short costs its miss and every minute short (so that as much as possible is planned)."""
    for leader in m.leaders():
        if leader.frontline_share <= 0:
            continue
        by_week: dict[int, list[int]] = defaultdict(list)
        for i in m.by_leader[leader.leader_id]:
            o = m.options[i]
            if o.work > 0 and o.face_to_face:
                by_week[o.week].append(i)
        for week in m.problem.term.contact_week_list:
            need = m.cands.need.get((leader.leader_id, week), 0) - m.prior.work.get((leader.leader_id, week), 0)
            if need <= 0:
                continue
            miss = _miss(m, "frontline_share", leader.leader_id, week, m.weights.miss_frontline_share)
            ids = by_week.get(week, [])
            # a share that cannot be met is still planned as far as it goes: every minute short costs
            short = m.cp.new_int_var(0, need, f"short_{leader.leader_id}_{week}")
            m.cp.add(sum(m.options[i].work * m.x[i] for i in ids) + short >= need)
            m.cp.add(short <= need * miss)
            m.cost(short, m.weights.frontline_short_minute, "frontline_short_minutes", leader.leader_id)


def linked_visits_need_the_link(m: Model) -> None:
    """Visits to a candidate linked unit happen only if the leader links to that unit."""
    for i, o in enumerate(m.options):
        if o.linked:
            m.cp.add_implication(m.x[i], m.link[o.leader_id, o.target_id])


def one_link_per_leader(m: Model) -> None:
    for leader in m.leaders():
        if not leader.link:
            continue
        links = [v for (lid, _), v in m.link.items() if lid == leader.leader_id]
        miss = _miss(m, "linked_unit", leader.leader_id, "", m.weights.miss_link)
        m.cp.add(sum(links) + miss == 1)
        kept = m.prior.links.get(leader.leader_id)
        if kept is not None and (leader.leader_id, kept) in m.link:
            m.cp.add(m.link[leader.leader_id, kept] == 1)  # a link changes only when impossible


def unit_link_capacity(m: Model) -> None:
    per_unit: dict[str, list[cp_model.IntVar]] = defaultdict(list)
    for (_, u), var in m.link.items():
        per_unit[u].append(var)
    for u, links in per_unit.items():
        cap = m.problem.unit(u).max_leaders - m.prior.link_load.get(u, 0)
        if len(links) > cap:
            m.cp.add(sum(links) <= cap)


def contact_blocks(problem: Problem, every: int) -> list[tuple[int, ...]]:
    weeks = problem.term.contact_week_list
    return [tuple(weeks[i : i + every]) for i in range(0, len(weeks), every)]


def weekly_contact(m: Model) -> None:
    """A face-to-face contact in every block of ``contact_every_weeks`` contact weeks."""
    for leader in m.leaders():
        blocks = contact_blocks(m.problem, leader.contact_every_weeks)
        m.blocks[leader.leader_id] = blocks
        done = m.prior.contact_weeks.get(leader.leader_id, set())
        by_week: dict[int, list[int]] = defaultdict(list)
        for i in m.by_leader[leader.leader_id]:
            if m.options[i].face_to_face:
                by_week[m.options[i].week].append(i)
        for block in blocks:
            if done.intersection(block):
                continue
            chosen = [m.x[i] for w in block for i in by_week.get(w, ())]
            miss = _miss(m, "weekly_contact", leader.leader_id, block[0], m.weights.miss_weekly_contact)
            m.cp.add(sum(chosen) + miss >= 1)


def one_lecture(m: Model) -> None:
    """Each leader with ``lecture`` gives exactly one guest lecture in the term."""
    for leader in m.leaders():
        ids = [i for i in m.by_leader[leader.leader_id] if m.options[i].section_id]
        if leader.leader_id in m.prior.lectured:
            m.cp.add(sum(m.x[i] for i in ids) == 0)
        elif leader.lecture:
            miss = _miss(m, "lecture", leader.leader_id, "", m.weights.miss_lecture)
            m.cp.add(sum(m.x[i] for i in ids) + miss == 1)
        elif ids:
            m.cp.add(sum(m.x[i] for i in ids) <= 1)


def section_capacity(m: Model) -> None:
    """A course section hosts at most one leader in the term."""
    per_section: dict[str, list[int]] = defaultdict(list)
    for i, o in enumerate(m.options):
        if o.section_id:
            per_section[o.section_id].append(i)
    for ids in per_section.values():
        if len(ids) > 1:
            m.cp.add_at_most_one(m.x[i] for i in ids)


def seven_visit_kinds(m: Model) -> None:
    """Leaders with ``seven_visits`` cover all seven visit kinds in the term."""
    for leader in m.leaders():
        if not leader.seven_visits:
            continue
        covered = m.prior.kinds.get(leader.leader_id, set())
        by_kind: dict[str, list[int]] = defaultdict(list)
        for i in m.by_leader[leader.leader_id]:
            by_kind[m.options[i].visit_kind].append(i)
        for kind in VISIT_KINDS:
            if kind in covered:
                continue
            miss = _miss(m, "seven_visits", leader.leader_id, kind, m.weights.miss_visit_kind)
            m.cp.add(sum(_kind_cover(m, leader.leader_id, by_kind.get(kind, []))) + miss >= 1)


def _kind_cover(m: Model, leader_id: str, indices: list[int]) -> list[cp_model.IntVar]:
    """What covers one visit kind: the leader's other visits of that kind, and for each candidate
    linked unit of that kind a literal "covered there", which needs both the link and a visit.

    The same rule as "a visit of the kind", written so that the LP relaxation cannot cover
    several kinds with fractions of several links (a leader links to one unit only)."""
    cover: list[cp_model.IntVar] = []
    at_unit: dict[str, list[int]] = defaultdict(list)
    for i in indices:
        if m.options[i].linked:
            at_unit[m.options[i].target_id].append(i)
        else:
            cover.append(m.x[i])
    for unit_id, ids in sorted(at_unit.items()):
        there = m.cp.new_bool_var(f"cover_{leader_id}_{unit_id}")
        m.cp.add_implication(there, m.link[leader_id, unit_id])
        m.cp.add(sum(m.x[i] for i in ids) >= 1).only_enforce_if(there)
        cover.append(there)
    return cover


def venue_capacity(m: Model) -> None:
    """No more leaders at a venue at the same time than its capacity."""
    per_venue: dict[str, list[int]] = defaultdict(list)
    for i, o in enumerate(m.options):
        if o.venue_id:
            per_venue[o.venue_id].append(i)
    for venue in m.problem.venues:
        _capacity_over_time(m, per_venue.get(venue.venue_id, []), venue.capacity)


def activity_capacity(m: Model) -> None:
    per_activity: dict[str, list[int]] = defaultdict(list)
    for i, o in enumerate(m.options):
        if o.activity_id:
            per_activity[o.activity_id].append(i)
    for act in m.problem.activities:
        ids = per_activity.get(act.activity_id, [])
        seats = act.max_leaders - m.prior.activity_seats.get(act.activity_id, 0)
        if len(ids) > seats:
            m.cp.add(sum(m.x[i] for i in ids) <= max(0, seats))


def unit_not_shared_at_once(m: Model) -> None:
    """Two leaders never visit the same unit at the same time."""
    per_unit: dict[str, list[int]] = defaultdict(list)
    unit_ids = {u.unit_id for u in m.problem.units}
    for i, o in enumerate(m.options):
        for u in o.units:  # a block occupies every unit it stands for
            if u in unit_ids:
                per_unit[u].append(i)
    for ids in per_unit.values():
        _capacity_over_time(m, ids, 1)


def _capacity_over_time(m: Model, ids: list[int], capacity: int) -> None:
    """At every start time, the options covering it sum to at most ``capacity``."""
    if len(ids) <= capacity:
        return
    by_day: dict[int, list[int]] = defaultdict(list)
    for i in ids:
        by_day[m.options[i].day].append(i)
    for day_ids in by_day.values():
        if len(day_ids) <= capacity:
            continue
        seen: set[frozenset[int]] = set()
        for t in sorted({m.options[i].start for i in day_ids}):
            covering = frozenset(i for i in day_ids if m.options[i].start <= t < m.options[i].end)
            if len(covering) > capacity and covering not in seen:
                seen.add(covering)
                vars_ = [m.x[i] for i in sorted(covering)]
                if capacity == 1:
                    m.cp.add_at_most_one(vars_)
                else:
                    m.cp.add(sum(vars_) <= capacity)


def fixed_options(m: Model) -> None:
    """Re-plan: options fixed by the caller (frozen past events, untouched leaders)."""
    for i, value in m.fixed.items():
        m.cp.add(m.x[i] == value)


HARD: tuple[Constraint, ...] = (
    one_visit_per_leader_day,
    frontline_blocks,
    frontline_share,
    linked_visits_need_the_link,
    one_link_per_leader,
    unit_link_capacity,
    weekly_contact,
    one_lecture,
    section_capacity,
    seven_visit_kinds,
    venue_capacity,
    activity_capacity,
    unit_not_shared_at_once,
    fixed_options,
)


# soft goals ------------------------------------------------------------------------------------
def keep_published(m: Model) -> None:
    """Re-plan: each published event that is not kept costs more than any other soft goal."""
    for i, weight in m.keep.items():
        m.cost(1 - m.x[i], weight, "moved_published")


def option_cost(problem: Problem, leader: Leader, o: Option, w: Weights) -> int:
    """The cost of one visit: linked unit first, the weekly habit, home campus, little travel."""
    if o.is_block:
        cost = w.frontline_block
        if o.campus is not None and o.campus != leader.campus:
            cost += w.other_campus + w.travel_minute * problem.travel_minutes(leader.campus, o.campus) // 10
        return cost
    cost = w.visit
    if leader.link and not o.linked and not o.section_id:
        cost += w.not_linked_unit
    if not o.regular and not o.section_id and not o.activity_id:
        cost += w.irregular_weekday + w.irregular_time
    if o.campus is not None and o.campus != leader.campus:
        cost += w.other_campus + w.travel_minute * problem.travel_minutes(leader.campus, o.campus) // 10
    return cost


def visit_costs(m: Model) -> None:
    for leader in m.problem.leaders:
        for i in m.by_leader.get(leader.leader_id, []):
            cost = option_cost(m.problem, leader, m.options[i], m.weights)
            m.cost(m.x[i], cost + m.extra_cost.get(i, 0), "visits", leader.leader_id)


def unit_twice_a_week(m: Model) -> None:
    per: dict[tuple[str, int], list[int]] = defaultdict(list)
    unit_ids = {u.unit_id for u in m.problem.units}
    for i, o in enumerate(m.options):
        if o.target_id in unit_ids and not o.is_block:
            per[o.target_id, o.week].append(i)
    for (u, week), ids in per.items():
        if len(ids) > 1:
            over = m.cp.new_int_var(0, len(ids), f"twice_{u}_{week}")
            m.cp.add(sum(m.x[i] for i in ids) <= 1 + over)
            m.cost(over, m.weights.unit_twice_a_week, "unit_twice_a_week")


def link_preferences(m: Model) -> None:
    """Continuity with last term, and school leaders spread over colleges."""
    history = {(h.leader_id, h.unit_id) for h in m.problem.history}
    has_history = {h.leader_id for h in m.problem.history}
    per_college: dict[str, list[cp_model.IntVar]] = defaultdict(list)
    school = {x.leader_id for x in m.problem.leaders if x.tier == "school"}
    for (leader_id, u), var in m.link.items():
        if leader_id in has_history and (leader_id, u) not in history:
            m.cost(var, m.weights.no_history, "no_history", leader_id)
        college = m.problem.unit(u).college
        if college and leader_id in school:
            per_college[college].append(var)
    for college, links in per_college.items():
        if len(links) > 1:
            over = m.cp.new_int_var(0, len(links), f"college_{college}")
            m.cp.add(sum(links) <= 1 + over)
            m.cost(over, m.weights.college_imbalance, "college_imbalance")


def lectures_spread(m: Model) -> None:
    per_week: dict[int, list[int]] = defaultdict(list)
    for i, o in enumerate(m.options):
        if o.section_id:
            per_week[o.week].append(i)
    for week, ids in per_week.items():
        if len(ids) > 1:
            over = m.cp.new_int_var(0, len(ids), f"lectures_{week}")
            m.cp.add(sum(m.x[i] for i in ids) <= 1 + over)
            m.cost(over, m.weights.lecture_same_week, "lecture_same_week")


def blocks_spread(m: Model) -> None:
    """Frontline blocks spread over the week: a second block on one day costs extra."""
    per_day: dict[tuple[str, int], list[int]] = defaultdict(list)
    for i, o in enumerate(m.options):
        if o.is_block:
            per_day[o.leader_id, o.day].append(i)
    for (leader_id, day), ids in per_day.items():
        if len(ids) > 1:
            second = m.cp.new_bool_var(f"second_block_{leader_id}_{day}")
            m.cp.add(sum(m.x[i] for i in ids) <= 1 + second)
            m.cost(second, m.weights.second_block_a_day, "second_block_a_day", leader_id)


SOFT: tuple[Constraint, ...] = (
    keep_published,
    visit_costs,
    blocks_spread,
    unit_twice_a_week,
    link_preferences,
    lectures_spread,
)
