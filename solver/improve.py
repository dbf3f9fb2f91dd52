"""Local search over leaders: each leader's plan chosen again, given every other leader's.

Leaders interact only through shared places and a few soft goals over several leaders, so the
best move for a plan is usually one leader's: free what the leader holds, and take the best plan
from what is still free. A leader who owes only the contact gets the cheapest visit of each
contact block (exact); any other leader gets the optimum of its own small model
(``bound.best_alone``), with what each option costs the others added. A move is kept only when
it lowers the whole plan's objective (``price``), so the plan in hand never gets worse.
"""

from __future__ import annotations

import random
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

from .baseline import Ledger
from .bound import AloneModels, best_together
from .model import contact_blocks, option_cost
from .options import Candidates, Option
from .price import own_cost
from .problem import Leader, Problem
from .weights import Weights

RESPONSE_SECONDS = 0.5  # at most for one leader's own model
DETERMINISTIC_PASSES = 2  # passes over every leader in deterministic mode (no wall clock)
MAX_WANTING = 3  # leaders re-planned after a holder that changes its link


@dataclass(frozen=True)
class Improved:
    chosen: list[Option]
    links: dict[str, str]
    gain: int  # how much the objective went down
    moves: int  # leaders whose plan changed


def owes_more(leader: Leader) -> bool:
    """Whether the leader owes more than the contact (its plan needs its own small model)."""
    return leader.lecture or leader.seven_visits or leader.frontline_share > 0


def improve(
    problem: Problem,
    cands: Candidates,
    weights: Weights,
    chosen: list[Option],
    links: dict[str, str],
    deadline: float,
    *,
    seed: int = 0,
    deterministic: bool = False,
    found: Callable[[int], None] | None = None,
    parts: dict[tuple[str, str | None], float] | None = None,
    stop: Callable[[], bool] | None = None,
) -> Improved:
    """Passes over the leaders (in a seeded random order) until a pass changes nothing or the
    deadline (time.perf_counter()) comes; ``found(gain)`` after every kept move. A pass moves
    each leader alone, then each leader with each leader who holds a place it would rather
    have (the holder re-planned after it), then each such holder linked elsewhere with the
    leaders who want its places. ``parts``: the decomposition's bound of each leader alone for
    each link (``bound.Decomposition.parts``): moves that cannot gain are not tried. ``stop()``:
    true when the search may end (the plan is proven optimal)."""
    search = _Search(problem, cands, weights, chosen, links, deterministic, parts or {})
    rng = random.Random(seed)
    order = list(problem.leaders)
    passes = 0

    def left() -> float:
        return RESPONSE_SECONDS if deterministic else min(RESPONSE_SECONDS, deadline - time.perf_counter())

    def out_of_time() -> bool:
        if stop is not None and stop():
            return True
        return not deterministic and time.perf_counter() >= deadline

    while True:
        rng.shuffle(order)
        changed = False
        for leader in order:
            if out_of_time():
                return search.result()
            if search.slack(leader) > 0 and search.move(leader, left()):
                changed = True
                if found is not None:
                    found(search.gain)
        wants: dict[str, list[Leader]] = defaultdict(list)  # holder -> leaders who want its places
        holders: list[tuple[Leader, Leader]] = []
        for leader in order:
            for holder in search.holders_of_better(leader):
                wants[holder.leader_id].append(leader)
                holders.append((leader, holder))
        for leader, holder in holders:
            if out_of_time():
                return search.result()
            if search.slack(leader) + search.slack(holder) > 0 and search.replan([leader, holder], left()):
                changed = True
                if found is not None:
                    found(search.gain)
        for holder_id in sorted(wants):  # a holder and the leaders who want its places, together
            if out_of_time():
                return search.result()
            group = [search.leaders[holder_id], *wants[holder_id][:MAX_WANTING]]
            if sum(search.slack(x) for x in group) + weights.college_imbalance > 0 and search.together(group, left()):
                changed = True
                if found is not None:
                    found(search.gain)
        for holder_id in sorted(wants):  # a holder linked elsewhere frees its unit for the others
            holder = search.leaders[holder_id]
            wanting = wants[holder_id][:MAX_WANTING]
            # what the move could gain at most: the holder's cost now less its bound with the new
            # link, the wanting leaders' slack, and a school leader leaving a crowded college
            room = search.slack(holder) + search.part(holder) + sum(search.slack(x) for x in wanting)
            room += weights.college_imbalance
            for unit_id in sorted(search.other_links(holder), key=lambda u: (search.part(holder, u), u)):
                if search.part(holder, unit_id) >= room:
                    break
                if out_of_time():
                    return search.result()
                if search.replan([holder, *wanting], left(), {holder_id: unit_id}):
                    changed = True
                    if found is not None:
                        found(search.gain)
                    break
        passes += 1
        if not changed or (deterministic and passes >= DETERMINISTIC_PASSES):
            return search.result()


class _Search:
    """The plan being improved: every leader's picks and link, and what they hold."""

    def __init__(
        self, problem: Problem, cands: Candidates, weights: Weights, chosen: list[Option], links: dict[str, str],
        deterministic: bool = False, parts: dict[tuple[str, str | None], float] | None = None,
    ):
        self.problem, self.cands, self.weights, self.deterministic = problem, cands, weights, deterministic
        self.parts = parts or {}
        self.links = dict(links)
        self.ledger = Ledger(problem)
        self.mine: dict[str, list[Option]] = defaultdict(list)
        self.held: dict[str, set[Option]] = defaultdict(set)  # place -> chosen options there
        self.leaders = {x.leader_id: x for x in problem.leaders}
        self.school = {x.leader_id for x in problem.leaders if x.tier == "school"}
        self.link_load: dict[str, int] = defaultdict(int)  # unit -> leaders linked to it
        self.college_load: dict[str, int] = defaultdict(int)  # college -> school leaders linked into it
        for lid, unit_id in self.links.items():
            self._link(lid, unit_id, +1)
        for o in chosen:
            self._take(o)
            self.mine[o.leader_id].append(o)
        self.all_options: dict[str, list[Option]] = defaultdict(list)
        for o in cands.options:
            self.all_options[o.leader_id].append(o)
        self._usable: dict[tuple[str, str | None], list[Option]] = {}
        self.alone = AloneModels(problem, weights, cands.need)
        self._responses: dict[tuple[str, str | None, int], list[Option]] = {}  # best plans found
        self.gain = 0
        self.moves = 0

    def result(self) -> Improved:
        chosen = [o for picks in self.mine.values() for o in picks]
        return Improved(chosen, dict(self.links), self.gain, self.moves)

    def part(self, leader: Leader, link: str | None = "?") -> float:
        """The leader's bound alone with this link (default: its link now); 0 when unknown."""
        lid = leader.leader_id
        if link == "?":
            link = self.links.get(lid)
        key = (lid, (link or "") if leader.link else None)
        return self.parts.get(key, 0.0)

    def slack(self, leader: Leader) -> float:
        """How far the leader's cost now (its own terms and what it adds to the shared ones) is
        above its bound alone: no move of the leader alone can gain more."""
        lid = leader.leader_id
        picks, link = self.mine.get(lid, []), self.links.get(lid)
        self._release([lid], {lid: picks}, {lid: link})
        now = self.cost(leader, picks, link)
        self._hold(lid, picks, link)
        return now - self.part(leader, link)

    def usable(self, leader_id: str, link: str | None) -> list[Option]:
        """The leader's options with this link (visits to other candidate units need theirs)."""
        key = (leader_id, link)
        if key not in self._usable:
            self._usable[key] = [o for o in self.all_options[leader_id] if not o.linked or o.target_id == link]
        return self._usable[key]

    def other_links(self, leader: Leader) -> list[str]:
        """Candidate units the leader could link to instead, with a place left."""
        current = self.links.get(leader.leader_id)
        return [
            u for u in self.cands.links.get(leader.leader_id, [])
            if u != current and self.link_load[u] < self.problem.unit(u).max_leaders
        ]

    def _college(self, leader_id: str, unit_id: str) -> str:
        return self.problem.unit(unit_id).college if leader_id in self.school else ""

    def _link(self, leader_id: str, unit_id: str | None, sign: int) -> None:
        if unit_id is None:
            return
        self.link_load[unit_id] += sign
        college = self._college(leader_id, unit_id)
        if college:
            self.college_load[college] += sign

    def cost(self, leader: Leader, picks: list[Option], link: str | None) -> int:
        """The leader's own terms and what its picks and link add to the shared ones, the others
        given (the leader's own picks and link are not in the ledger)."""
        own = sum(own_cost(self.problem, self.cands, self.weights, leader, picks, link).values())
        college = self._college(leader.leader_id, link) if link else ""
        spread = self.weights.college_imbalance if college and self.college_load[college] >= 1 else 0
        return own + self._shared(picks) + spread

    def _shared(self, picks: list[Option]) -> int:
        w = self.weights
        per_unit: dict[tuple[str, int], int] = defaultdict(int)
        per_week: dict[int, int] = defaultdict(int)
        for o in picks:
            if o.section_id:
                per_week[o.week] += 1
            if not o.is_block and o.target_id in self.ledger.unit_ids:
                per_unit[o.target_id, o.week] += 1
        out = 0
        for key, k in per_unit.items():
            c = self.ledger.unit_weeks[key]
            out += w.unit_twice_a_week * (max(0, c + k - 1) - max(0, c - 1))
        for week, k in per_week.items():
            c = self.ledger.lecture_weeks[week]
            out += w.lecture_same_week * (max(0, c + k - 1) - max(0, c - 1))
        return out

    @staticmethod
    def _places(o: Option) -> tuple[str, ...]:
        if o.section_id:
            return (o.section_id,)
        if o.activity_id:
            return (o.activity_id,)
        return o.units

    def _take(self, o: Option) -> None:
        self.ledger.take(o)
        for place in self._places(o):
            self.held[place].add(o)

    def _untake(self, o: Option) -> None:
        self.ledger.untake(o)
        for place in self._places(o):
            self.held[place].discard(o)

    def move(self, leader: Leader, seconds: float) -> bool:
        """Re-plan one leader given the others; keep it only if the objective goes down."""
        return self.replan([leader], seconds)

    def replan(self, leaders: list[Leader], seconds: float, relink: dict[str, str] | None = None) -> bool:
        """Re-plan these leaders one after the other, each given the others (``relink``: a new
        link for some of them); keep it only if the objective goes down."""
        relink = relink or {}
        ids = [x.leader_id for x in leaders]
        old = {lid: self.mine.get(lid, []) for lid in ids}
        old_links = {lid: self.links.get(lid) for lid in ids}
        self._release(ids, old, old_links)
        before = 0
        for x in leaders:  # priced in the order in which the new plans are made
            before += self.cost(x, old[x.leader_id], old_links[x.leader_id])
            self._hold(x.leader_id, old[x.leader_id], old_links[x.leader_id])
        self._release(ids, old, old_links)
        after = 0
        new: dict[str, list[Option]] = {}
        new_links: dict[str, str | None] = {}
        for x in leaders:
            lid = x.leader_id
            link = relink.get(lid, old_links[lid])
            plan = self._plan(x, link, seconds)
            if plan is None:
                break
            after += self.cost(x, plan, link)
            self._hold(lid, plan, link)
            new[lid], new_links[lid] = plan, link
        if len(new) == len(leaders) and after < before:
            self.gain += before - after
            self.moves += 1
            return True
        self._release(list(new), new, new_links)
        for lid in ids:
            self._hold(lid, old[lid], old_links[lid])
        return False

    def together(self, leaders: list[Leader], seconds: float) -> bool:
        """Re-plan these leaders in one small model (their links too), given everyone else; keep
        it only if the objective goes down."""
        ids = [x.leader_id for x in leaders]
        old = {lid: self.mine.get(lid, []) for lid in ids}
        old_links = {lid: self.links.get(lid) for lid in ids}
        self._release(ids, old, old_links)
        before = 0
        for x in leaders:
            before += self.cost(x, old[x.leader_id], old_links[x.leader_id])
            self._hold(x.leader_id, old[x.leader_id], old_links[x.leader_id])
        self._release(ids, old, old_links)
        found = self._joint(leaders, seconds)
        after = 0
        new: dict[str, list[Option]] = {}
        new_links: dict[str, str | None] = {}
        ok = found is not None
        if found is not None:
            picks, links = found
            for x in leaders:
                lid = x.leader_id
                plan, link = picks.get(lid, []), links.get(lid)
                if link is not None and self.link_load[link] >= self.problem.unit(link).max_leaders:
                    ok = False
                    break
                if any(not self.ledger.fits(o) for o in plan):
                    ok = False
                    break
                after += self.cost(x, plan, link)
                self._hold(lid, plan, link)
                new[lid], new_links[lid] = plan, link
        if ok and after < before:
            self.gain += before - after
            self.moves += 1
            return True
        self._release(list(new), new, new_links)
        for lid in ids:
            self._hold(lid, old[lid], old_links[lid])
        return False

    def _joint(self, leaders: list[Leader], seconds: float) -> tuple[dict[str, list[Option]], dict[str, str]] | None:
        """The best plans of these leaders together from what is free (their own picks given back)."""
        if seconds <= 0:
            return None
        ids = {x.leader_id for x in leaders}
        options: list[Option] = []
        links: dict[str, list[str]] = {}
        for x in leaders:
            lid = x.leader_id
            mine = [u for u in self.cands.links.get(lid, []) if self.link_load[u] < self.problem.unit(u).max_leaders]
            if x.link:
                links[lid] = mine
            options.extend(o for o in self.all_options[lid] if (not o.linked or o.target_id in mine) and self.ledger.fits(o))
        extra = {i: c for i, o in enumerate(options) if (c := self.ledger.shared_cost(o, self.weights))}
        load = {u: n for u, n in self.link_load.items() if n}
        colleges = {c for c, n in self.college_load.items() if n}
        found = best_together(
            self.problem, sorted(ids), options, links, self.weights, self.cands.need, extra, load, colleges,
            seconds, self.deterministic,
        )
        if found is None:
            return None
        chosen, chosen_links = found
        picks: dict[str, list[Option]] = defaultdict(list)
        for o in chosen:
            picks[o.leader_id].append(o)
        return picks, chosen_links

    def _release(self, ids: list[str], picks: dict[str, list[Option]], links: dict[str, str | None]) -> None:
        for lid in ids:
            for o in picks[lid]:
                self._untake(o)
            self._link(lid, links[lid], -1)
            self.mine[lid] = []
            self.links.pop(lid, None)

    def _hold(self, leader_id: str, picks: list[Option], link: str | None) -> None:
        for o in picks:
            self._take(o)
        self._link(leader_id, link, +1)
        self.mine[leader_id] = list(picks)
        if link is not None:
            self.links[leader_id] = link

    def _plan(self, leader: Leader, link: str | None, seconds: float) -> list[Option] | None:
        """The leader's best plan from what is free, or None (no time, a unit without a place,
        or a plan that does not fit)."""
        if link is not None and self.link_load[link] >= self.problem.unit(link).max_leaders:
            return None
        free = [o for o in self.usable(leader.leader_id, link) if self.ledger.fits(o)]
        if not owes_more(leader):
            plan = self._cheapest_contacts(leader, free)
        elif seconds <= 0:
            return None
        else:
            extra = {o: c for o in free if (c := self.ledger.shared_cost(o, self.weights))}
            choice = (link or "") if leader.link else None
            key = (leader.leader_id, link, hash((tuple(free), tuple(extra.items()))))
            found = self._responses.get(key)  # the same free options and costs: the same best plan
            if found is None:
                found = self.alone.best(
                    leader.leader_id, self.usable(leader.leader_id, link), choice, free, extra, seconds,
                    self.deterministic,
                )
                if found is None:
                    return None
                self._responses[key] = found
            plan = found
        ledger = self.ledger  # the plan's own options must fit together as well
        taken: list[Option] = []
        ok = True
        for o in plan:
            if not ledger.fits(o):
                ok = False
                break
            ledger.take(o)
            taken.append(o)
        for o in taken:
            ledger.untake(o)
        return plan if ok else None

    def holders_of_better(self, leader: Leader) -> list[Leader]:
        """Leaders holding a place at a time at which this leader has a cheaper visit than the
        one it makes in that contact week (by leader id)."""
        lid = leader.leader_id
        mine = self.mine.get(lid, [])
        paid: dict[int, int] = {}
        for o in mine:
            if o.face_to_face and not o.is_block:
                paid[o.week] = min(paid.get(o.week, 1 << 30), option_cost(self.problem, leader, o, self.weights))
        out: set[str] = set()
        for o in self.usable(lid, self.links.get(lid)):
            if o.is_block or o.week not in paid or o in mine:
                continue
            if option_cost(self.problem, leader, o, self.weights) >= paid[o.week]:
                continue
            for place in self._places(o):
                for p in self.held.get(place, ()):
                    if p.leader_id != lid and (o.section_id or o.activity_id or (p.start < o.end and o.start < p.end)):
                        out.add(p.leader_id)
        return [self.leaders[k] for k in sorted(out)]

    def _cheapest_contacts(self, leader: Leader, free: list[Option]) -> list[Option]:
        """One visit per contact block, the cheapest with what it costs the others (exact for a
        leader who owes only the contact: the blocks are disjoint sets of weeks)."""
        by_week: dict[int, list[Option]] = defaultdict(list)
        for o in free:
            if o.face_to_face:
                by_week[o.week].append(o)
        out: list[Option] = []
        for block in contact_blocks(self.problem, leader.contact_every_weeks):
            here = [o for w in block for o in by_week.get(w, ())]
            if here:
                out.append(min(here, key=lambda o: (
                    option_cost(self.problem, leader, o, self.weights) + self.ledger.shared_cost(o, self.weights),
                    o.start, o.target_id,
                )))
        return out
