"""Re-planning after a change: move only what must move.

Events before ``now`` are frozen. Every later published event that the new data still allows is
kept: leaders the change does not touch keep their whole plan as fixed facts, and for the touched
leaders the same CP-SAT model as the full solve runs with each published event worth more than any
soft goal (a deviation penalty, not a hint). A moved event keeps its uid with SEQUENCE + 1 and
prefers its old week, then its old day; a dropped event stays as cancelled; links stay unless the
link became impossible.

Visits recorded as not held (``not_held``: uid -> the reason, naming the record) count for nothing:
they stay in the plan as cancelled, and the requirements they leave unmet (the lecture, a visit
kind, a weekly contact if its week still has time) are re-placed, moving nothing else.
"""

from __future__ import annotations

import datetime as dt
import time
from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, replace
from functools import cached_property
from zoneinfo import ZoneInfo

from . import intervals as iv
from . import model as mdl
from . import options as opt
from .availability import Availability
from .blocks import work_minutes
from .options import Candidates, Option
from .problem import Problem
from .result import Assignment, Event, Plan, SolveStats
from .solve import FINISH_SHARE, Progress, SolveOptions, build_report, make_event, run
from .verify import Violation, check_event

CHANGE_KINDS = ("kept", "moved", "cancelled", "added")
SAME_WEEK_COST = 8  # a moved event leaving its old week
SAME_DAY_COST = 3  # ... or its old day


@dataclass(frozen=True)
class Change:
    """One row of changes.csv."""

    uid: str
    leader_id: str
    change: str  # kept | moved | cancelled | added
    old_start: dt.datetime | None
    new_start: dt.datetime | None
    reason: str = ""


@dataclass(frozen=True)
class Replan:
    plan: Plan
    changes: tuple[Change, ...]
    touched: frozenset[str]  # leaders whose plan was re-solved
    forced: int  # published future events the new data makes impossible (the floor of moves)

    def count(self, kind: str) -> int:
        return sum(1 for c in self.changes if c.change == kind)


REASONS = {
    "zh": {
        "leader_busy": "领导时间冲突: {labels}",
        "target_busy": "{target} 在该时段不能接待(课表或开放时段有变)",
        "holiday": "{date} 为节假日",
        "unknown_leader": "领导 {leader} 已不在名单中",
        "unknown_target": "联系对象 {target} 已不存在",
        "other": "新数据不再允许该安排: {message}",
        "requirement": "为满足其他要求而调整",
        "link": "联系对象 {target} 已不能联系",
        "replaces": "补排：{reasons}",
    },
    "en": {
        "leader_busy": "the leader is now busy: {labels}",
        "target_busy": "{target} can no longer receive a visit then (timetable or window changed)",
        "holiday": "{date} is now a day off",
        "unknown_leader": "leader {leader} is no longer in the data",
        "unknown_target": "target {target} no longer exists",
        "other": "the new data no longer allows it: {message}",
        "requirement": "moved to meet another requirement",
        "link": "the link to {target} is no longer possible",
        "replaces": "re-placed: {reasons}",
    },
}


def replan(
    problem: Problem,
    previous: Plan,
    now: dt.datetime | None = None,
    options: SolveOptions | None = None,
    progress: Progress | None = None,
    not_held: Mapping[str, str] | None = None,
) -> Replan:
    """``not_held``: uids of planned events recorded as not held, each with the reason to give
    in changes.csv (which record made the change necessary)."""
    options = options or SolveOptions()
    zone = ZoneInfo(problem.term.timezone)
    now = (now or dt.datetime.now(zone)).replace(microsecond=0)
    if now.tzinfo is None:
        now = now.replace(tzinfo=zone)
    avail = Availability(problem)
    state = _State(problem, avail, previous, now, options.lang, not_held or {})
    cands, keep, extra = state.candidates(options.weights.keep_published)
    model = mdl.build(problem, cands, options.weights, keep=keep, prior=state.prior, extra_cost=extra)
    mdl.add_hint(model, [cands.options[i] for i in keep], state.prior.links)
    if options.started is not None and not options.deterministic:  # the limit began before reading
        left = options.time_limit * (1 - FINISH_SHARE) - (time.perf_counter() - options.started)
        options = replace(options, time_limit=max(1.0, left))
    result = run(model, options, progress)
    if result is None:
        raise RuntimeError("CP-SAT found no re-plan in the time limit; raise --time-limit")
    chosen, links, stats = result
    return state.result(cands, chosen, links, stats)


class _State:
    """The previous plan sorted into frozen, kept and dropped events, and the re-plan's scope."""

    def __init__(
        self, problem: Problem, avail: Availability, previous: Plan, now: dt.datetime, lang: str,
        not_held: Mapping[str, str],
    ):
        self.problem = problem
        self.avail = avail
        self.previous = previous
        self.now = now
        self.lang = lang if lang in REASONS else "zh"
        self.cut = max(0, avail.calendar.minute(now))
        self.not_held = dict(not_held)
        planned = [e for e in previous.events if e.status == "planned" and e.uid not in self.not_held]
        self.not_held_events = [e for e in previous.events if e.status == "planned" and e.uid in self.not_held]
        self.past = [e for e in planned if self._at(e) < self.cut]
        future = [e for e in planned if self._at(e) >= self.cut]
        self.invalid = {e.uid: self._why(e, v) for e in future if (v := check_event(problem, avail, e))}
        self.valid = [e for e in future if e.uid not in self.invalid]
        self.future = future
        self.links = self._kept_links()
        self.touched = self._touched()
        self.prior = self._prior()

    def _at(self, e: Event) -> int:
        return self.avail.calendar.minute(e.start)

    # scope ----------------------------------------------------------------------------------------
    def _kept_links(self) -> dict[str, str]:
        """Previous links that are still possible (leader and unit exist, places left)."""
        leaders = {x.leader_id: x for x in self.problem.leaders}
        units = {u.unit_id: u for u in self.problem.units}
        load: Counter[str] = Counter()
        kept = {}
        for a in self.previous.assignments:
            leader, unit = leaders.get(a.leader_id), units.get(a.unit_id)
            if leader is None or unit is None or not leader.link or load[a.unit_id] >= unit.max_leaders:
                continue
            load[a.unit_id] += 1
            kept[a.leader_id] = a.unit_id
        return kept

    def _touched(self) -> frozenset[str]:
        """Leaders with an event the new data forbids, or a requirement unmet with what is kept."""
        known = {x.leader_id for x in self.problem.leaders}
        touched = {e.leader_id for e in self.future if e.uid in self.invalid}
        assignments = tuple(Assignment(lid, u) for lid, u in sorted(self.links.items()))
        report = build_report(self.problem, self.avail, Candidates(), self.past + self.valid, assignments)
        touched |= {r.leader_id for r in report if not r.met}
        return frozenset(touched & known)

    def _fixed_events(self) -> list[Event]:
        """Events the model takes as facts: the past, and every event of untouched leaders."""
        return self.past + [e for e in self.valid if e.leader_id not in self.touched]

    def _prior(self) -> mdl.Prior:
        prior = mdl.Prior(scope=self.touched)
        for e in self.past:
            if e.face_to_face:
                prior.contact_weeks.setdefault(e.leader_id, set()).add(e.week)
            prior.kinds.setdefault(e.leader_id, set()).add(e.visit_kind)
            if e.visit_kind == "classroom":
                prior.lectured.add(e.leader_id)
            if e.face_to_face:
                start, end = self._at(e), self.avail.calendar.minute(e.end)
                key = (e.leader_id, e.week)
                prior.work[key] = prior.work.get(key, 0) + work_minutes(self.avail, e.week, start, end)
        prior.links = {lid: u for lid, u in self.links.items() if lid in self.touched}
        prior.link_load = dict(Counter(u for lid, u in self.links.items() if lid not in self.touched))
        activities = {a.activity_id for a in self.problem.activities}
        prior.activity_seats = dict(Counter(e.target_id for e in self._fixed_events() if e.target_id in activities))
        return prior

    # candidates -----------------------------------------------------------------------------------
    def candidates(self, keep_weight: int) -> tuple[Candidates, dict[int, int], dict[int, int]]:
        """New candidate visits of the touched leaders, plus their kept events (with keep weights)."""
        problem, avail = self.problem, self.avail
        cands = opt.build(problem, avail, leaders=set(self.touched), after=self.cut)
        for lid, unit in self.prior.links.items():
            if unit not in cands.links.get(lid, []):
                cands.links.setdefault(lid, []).insert(0, unit)
                extra = opt.linked_unit_options(problem, avail, lid, unit)
                cands.options.extend(o for o in extra if o.start >= self.cut)
        kept = self.kept_index
        # a new candidate identical to a kept event would count twice; one identical to a visit
        # recorded as not held is what did not happen
        gone = {(e.leader_id, e.target_id, self._at(e)) for e in self.not_held_events}
        fresh = [
            o for o in self._without_clashes(cands.options)
            if (o.leader_id, o.target_id, o.start) not in kept and (o.leader_id, o.target_id, o.start) not in gone
        ]
        cands.options = fresh + [self._option(e) for e in kept.values()]
        keep = {i: keep_weight for i in range(len(fresh), len(cands.options))}
        self.prior.previous = set(keep)
        return cands, keep, self._proximity(fresh)

    def _proximity(self, fresh: list[Option]) -> dict[int, int]:
        """A new visit of a touched leader costs more the further it is from a dropped event."""
        dropped: dict[str, list[int]] = defaultdict(list)
        for e in self.future:
            if e.leader_id in self.touched and e.uid in self.invalid:
                dropped[e.leader_id].append(self._at(e))
        extra = {}
        for i, o in enumerate(fresh):
            starts = dropped.get(o.leader_id)
            if not starts:
                continue
            same_week = any(s // (7 * iv.DAY) == o.start // (7 * iv.DAY) for s in starts)
            same_day = any(s // iv.DAY == o.start // iv.DAY for s in starts)
            extra[i] = (0 if same_week else SAME_WEEK_COST) + (0 if same_day else SAME_DAY_COST)
        return extra

    @cached_property
    def kept_index(self) -> dict[tuple[str, str, int], Event]:
        """Still-possible future events of touched leaders, by (leader, target, start minute)."""
        return {(e.leader_id, e.target_id, self._at(e)): e for e in self.valid if e.leader_id in self.touched}

    def _option(self, e: Event) -> Option:
        start, end = self._at(e), self.avail.calendar.minute(e.end)
        linked = self.links.get(e.leader_id) == e.target_id and not e.is_block
        block = (e.covers or (e.target_id,)) if e.is_block else ()
        return opt.option_of(
            self.problem, self.avail, e.leader_id, e.target_id, e.visit_kind, start, end, linked, block
        )

    def _without_clashes(self, options: list[Option]) -> list[Option]:
        """Drop new options that collide with fixed events at the same target or section."""
        fixed = self._fixed_events()
        sections = {e.target_id for e in fixed if e.visit_kind == "classroom"}
        at: dict[str, list[tuple[int, int]]] = defaultdict(list)
        for e in fixed:
            for u in e.covers or (e.target_id,):
                at[u].append((self._at(e), self.avail.calendar.minute(e.end)))
        capacity = {v.venue_id: v.capacity for v in self.problem.venues}
        out = []
        for o in options:
            if o.section_id and o.section_id in sections:
                continue
            if not o.activity_id and any(
                sum(1 for s, t in at.get(u, ()) if s < o.end and o.start < t) >= capacity.get(u, 1)
                for u in o.units
            ):
                continue
            out.append(o)
        return out

    # result -----------------------------------------------------------------------------------------
    def result(self, cands: Candidates, chosen: list[Option], links: dict[str, str], stats: SolveStats) -> Replan:
        problem, avail = self.problem, self.avail
        kept_index = self.kept_index
        kept_uids = set()
        new_events: list[Event] = []
        for o in chosen:
            old = kept_index.get((o.leader_id, o.target_id, o.start))
            if old is not None and o.leader_id in self.touched:
                kept_uids.add(old.uid)
            else:
                new_events.append(make_event(problem, avail, o))
        untouched = [e for e in self.valid if e.leader_id not in self.touched]
        kept = [e for e in self.valid if e.uid in kept_uids]
        dropped = [e for e in self.future if e.leader_id in self.touched and e.uid not in kept_uids]
        dropped += [e for e in self.future if e.leader_id not in self.touched and e.uid in self.invalid]
        moved, cancelled, added = self._match(dropped, new_events)
        not_held = [replace(e, status="cancelled", sequence=e.sequence + 1, modified=self.now) for e in self.not_held_events]
        events = self.past + untouched + kept + moved + cancelled + added + not_held
        events += [e for e in self.previous.events if e.status == "cancelled"]
        events.sort(key=lambda e: (e.start, e.leader_id, e.uid))
        all_links = {**{lid: u for lid, u in self.links.items() if lid not in self.touched}, **links}
        assignments = tuple(Assignment(lid, u) for lid, u in sorted(all_links.items()))
        planned = [e for e in events if e.status == "planned"]
        report = build_report(problem, avail, cands, planned, assignments, self.lang)
        plan = Plan(problem.term.term_id, problem.term.timezone, assignments, tuple(events), report, stats)
        changes = self._changes(moved, cancelled + not_held, added, kept_uids)
        return Replan(plan, changes, self.touched, len(self.invalid))

    def _match(self, dropped: list[Event], new: list[Event]) -> tuple[list[Event], list[Event], list[Event]]:
        """Pair each dropped event with a new one of the same leader: a move keeps the uid."""
        pool: dict[str, list[Event]] = defaultdict(list)
        for e in new:
            pool[e.leader_id].append(e)
        moved, cancelled = [], []
        self.moved_from: dict[str, Event] = {}
        for old in sorted(dropped, key=lambda e: (e.start, e.uid)):
            candidates = pool.get(old.leader_id, [])
            if not candidates:
                cancelled.append(replace(old, status="cancelled", sequence=old.sequence + 1, modified=self.now))
                continue
            best = min(candidates, key=lambda e: _distance(old, e))
            candidates.remove(best)
            moved.append(
                replace(best, uid=old.uid, sequence=old.sequence + 1, modified=self.now)
            )
            self.moved_from[old.uid] = old
        used = {e.uid for e in self.previous.events}
        added = []
        for e in (x for items in pool.values() for x in items):
            uid = e.uid
            n = 1
            while uid in used:
                n += 1
                uid = e.uid.replace("@", f"-{n}@")
            used.add(uid)
            added.append(replace(e, uid=uid, modified=self.now))
        return moved, cancelled, added

    def _changes(self, moved: list[Event], cancelled: list[Event], added: list[Event], kept_uids: set[str]) -> tuple[Change, ...]:
        rows: list[Change] = []
        changed = {e.uid for e in moved} | {e.uid for e in cancelled}
        for e in self.previous.events:
            if e.status == "planned" and e.uid not in changed and e.uid not in self.not_held:
                rows.append(Change(e.uid, e.leader_id, "kept", e.start, e.start))
        words = REASONS[self.lang]
        for e in moved:
            old = self.moved_from[e.uid]
            rows.append(Change(e.uid, e.leader_id, "moved", old.start, e.start, self.invalid.get(e.uid, words["requirement"])))
        for e in cancelled:
            why = self.not_held.get(e.uid) or self.invalid.get(e.uid, words["requirement"])
            rows.append(Change(e.uid, e.leader_id, "cancelled", e.start, None, why))
        replaced: dict[str, list[str]] = defaultdict(list)
        for e in self.not_held_events:
            replaced[e.leader_id].append(self.not_held[e.uid])
        for e in added:
            why = words["replaces"].format(reasons="; ".join(replaced[e.leader_id])) if e.leader_id in replaced else ""
            rows.append(Change(e.uid, e.leader_id, "added", None, e.start, why))
        order = {k: i for i, k in enumerate(CHANGE_KINDS)}
        rows.sort(key=lambda c: (c.leader_id, order[c.change], c.old_start or c.new_start or self.now, c.uid))
        return tuple(rows)

    def _why(self, e: Event, violations: list[Violation]) -> str:
        words = REASONS[self.lang]
        v = violations[0]
        if v.rule == "leader_busy":
            start, end = self._at(e), self.avail.calendar.minute(e.end)
            labels = [b.label for b in self.avail.conflicts(e.leader_id, e.campus or None, start, end)]
            return words["leader_busy"].format(labels="; ".join(dict.fromkeys(labels)) or v.message)
        if v.rule == "target_busy":
            return words["target_busy"].format(target=e.target_id)
        if v.rule == "holiday":
            return words["holiday"].format(date=e.start.date().isoformat())
        if v.rule == "unknown_leader":
            return words["unknown_leader"].format(leader=e.leader_id)
        if v.rule == "unknown_target":
            return words["unknown_target"].format(target=e.target_id)
        return words["other"].format(message=v.message)


def _distance(old: Event, new: Event) -> tuple[int, int, int, float]:
    """How far a candidate replacement is from the dropped event: same target, week, day, time."""
    return (
        0 if (new.target_id, new.visit_kind) == (old.target_id, old.visit_kind) else 1,
        0 if new.week == old.week else 1,
        0 if new.start.date() == old.start.date() else 1,
        abs((new.start - old.start).total_seconds()),
    )
