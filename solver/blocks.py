"""Frontline blocks: student-facing time a person can follow.

A leader who owes a ``frontline_share`` of working time meets it with blocks: at least
``BLOCK_MINUTES`` at one place (a student community centre, a canteen, a campus's dorm area, or
one college's classes), never across the lunch or dinner break (a canteen's own windows excepted),
at most ``BLOCKS_PER_DAY`` a day. Candidate blocks lie where the leader and the place are both
free (travel and buffers included); the CP-SAT model chooses among them (``model.frontline_share``).
"""

from __future__ import annotations

import math
import zlib
from collections import defaultdict
from dataclasses import dataclass

from . import intervals as iv
from .availability import Availability
from .intervals import IntervalSet
from .problem import BLOCK_MINUTES, DEFAULT_VISIT_MINUTES, Leader, Problem, Term, Unit, Venue
from .result import BLOCK_TITLE

STEP = 15
ANCHORS = 3  # members of a group tried as the block's own target
MAX_COVER = 3  # places a block stands for (three dorm buildings, three classes)
PLACES_PER_SPAN = 2  # places offered for the same block time (one more if the first is full)


@dataclass(frozen=True)
class Place:
    """Where a block is held: one venue, or a group of units (a dorm area, a college's classes)."""

    kind: str  # community | canteen | dorm | class
    campus: str
    name: str  # e.g. 学生公寓区, 文学院班级, or the venue's name
    members: tuple[Unit | Venue, ...]


def work_minutes(avail: Availability, week: int, start: int, end: int) -> int:
    """Minutes of [start, end) inside the working hours of its week."""
    return iv.total(iv.clip(avail.working_frame(week), start, end))


def need_minutes(avail: Availability, leader: Leader, week: int) -> int:
    """Minutes of student-facing time the leader owes in a week."""
    return math.ceil(leader.frontline_share * iv.total(avail.working_time(leader.leader_id, week)))


def meal_breaks(term: Term, days: range) -> IntervalSet:
    """The lunch and dinner breaks of the given day indices, as term minutes."""
    return iv.normalize(
        (d * iv.DAY + s, d * iv.DAY + e) for d in days for s, e in (term.lunch, term.dinner)
    )


def crosses_meal(term: Term, start: int, end: int) -> bool:
    """Whether [start, end) overlaps a lunch or dinner break."""
    day = start // iv.DAY
    return iv.overlaps(meal_breaks(term, range(day, end // iv.DAY + 1)), start, end)


def _spread(leader_id: str, ident: str) -> int:
    return zlib.crc32(f"{leader_id}/{ident}".encode())


def places(problem: Problem, leader: Leader, campus: str) -> list[Place]:
    """The places on a campus where the leader can hold blocks."""
    out: list[Place] = []
    for venue in problem.venues:
        if venue.campus == campus and venue.kind in ("community", "canteen"):
            out.append(Place(venue.kind, campus, venue.name, (venue,)))
    dorms = sorted(
        (u for u in problem.units if u.kind == "dorm" and u.campus == campus),
        key=lambda u: _spread(leader.leader_id, u.unit_id),
    )
    if dorms:
        out.append(Place("dorm", campus, "学生公寓区", tuple(dorms)))
    classes: dict[str, list[Unit]] = defaultdict(list)
    for u in problem.units:
        if u.kind == "class" and u.campus == campus and u.college:
            classes[u.college].append(u)
    if classes:
        # the leader's own college, else one chosen per leader (heads spread over colleges)
        college = leader.college if leader.college in classes else min(
            classes, key=lambda c: _spread(leader.leader_id, c)
        )
        members = sorted(classes[college], key=lambda u: _spread(leader.leader_id, u.unit_id))
        out.append(Place("class", campus, f"{college}班级", tuple(members)))
    return out


def _segments(free: IntervalSet) -> list[tuple[int, int]]:
    """Grid-aligned stretches of at least BLOCK_MINUTES, each as long as it goes (a shorter
    block in the same stretch never gives more student-facing time)."""
    out: list[tuple[int, int]] = []
    for s, e in free:
        s = -(-s // STEP) * STEP
        e = e // STEP * STEP
        if e - s >= BLOCK_MINUTES:
            out.append((s, e))
    return out


def block_options(problem: Problem, avail: Availability, leader: Leader) -> list:  # list[Option]
    """Every candidate block of a leader in the contact weeks: home campus, else the nearest."""
    campuses = sorted(
        (c.campus_id for c in problem.campuses),
        key=lambda c: (c != leader.campus, problem.travel_minutes(leader.campus, c), c),
    )
    for campus in campuses:
        out = _campus_blocks(problem, avail, leader, campus)
        if out:
            return out
    return []


def _windows(problem: Problem, avail: Availability) -> tuple[IntervalSet, IntervalSet]:
    """Working hours of every contact week, without and with the meal breaks taken out."""
    weeks = problem.term.contact_week_list
    frame = iv.union(*(avail.working_frame(w) for w in weeks))
    meals = meal_breaks(problem.term, range(0, 7 * problem.term.weeks))
    return frame, iv.subtract(frame, meals)


def _campus_blocks(problem: Problem, avail: Availability, leader: Leader, campus: str) -> list:
    from .options import Option

    frame, no_meals = _windows(problem, avail)
    free_here = iv.intersect(avail.leader_free(leader.leader_id, campus), frame)
    out: list[Option] = []
    per_span: dict[tuple[int, int], int] = defaultdict(int)  # places offered for the same time
    for place in places(problem, leader, campus):
        window = iv.intersect(free_here, frame if place.kind == "canteen" else no_meals)
        seen: set[tuple[int, int]] = set()
        for anchor in place.members[:ANCHORS]:
            for start, end in _segments(iv.intersect(window, avail.target_free(anchor))):
                if (start, end) in seen or per_span[start, end] >= PLACES_PER_SPAN:
                    continue
                seen.add((start, end))
                per_span[start, end] += 1
                covers = _covers(avail, place, anchor, start, end)
                ident = anchor.unit_id if isinstance(anchor, Unit) else anchor.venue_id
                kind = anchor.kind if isinstance(anchor, Unit) else anchor.visit_kind
                day = start // iv.DAY
                week = day // 7 + 1
                out.append(
                    Option(
                        leader.leader_id, ident, kind, start, end, week, day, campus,
                        venue_id=ident if isinstance(anchor, Venue) else None,
                        block=covers, work=work_minutes(avail, week, start, end),
                    )
                )
    out.sort(key=lambda o: (o.start, o.end, o.target_id))
    return out


def _covers(avail: Availability, place: Place, anchor: Unit | Venue, start: int, end: int) -> tuple[str, ...]:
    """The places a block stands for: its own target and other members free all the while."""
    if isinstance(anchor, Venue):
        return (anchor.venue_id,)
    cap = min(MAX_COVER, max(1, (end - start) // DEFAULT_VISIT_MINUTES[anchor.kind]))
    out = [anchor.unit_id]
    for unit in place.members:
        if len(out) >= cap:
            break
        if isinstance(unit, Unit) and unit.unit_id != anchor.unit_id and iv.contains(avail.target_free(unit), start, end):
            out.append(unit.unit_id)
    return tuple(out)


def block_title(problem: Problem, target: Unit | Venue, covers: tuple[str, ...], campus: str | None) -> str:
    """``一线工作 · 长清湖校区学生公寓区 · 3、5、7号楼``: what and where."""
    campus_name = problem.campus_name(campus) if campus else ""
    if isinstance(target, Venue):
        return f"{BLOCK_TITLE} · {target.name if target.name.startswith(campus_name) else campus_name + target.name}"
    names = _short_names([_unit_name(problem, u) for u in covers])
    area = "学生公寓区" if target.kind == "dorm" else f"{target.college}班级" if target.college else "班级"
    return f"{BLOCK_TITLE} · {campus_name}{area} · {'、'.join(names)}"


def _short_names(names: list[str]) -> list[str]:
    """``长清湖学苑1号楼、3号楼``: later names without the prefix they share with the first."""
    if len(names) < 2:
        return names
    prefix = names[0]
    for name in names[1:]:
        while prefix and not name.startswith(prefix):
            prefix = prefix[:-1]
    if not prefix or any(len(n) == len(prefix) for n in names):
        return names
    return [names[0], *(n[len(prefix):] for n in names[1:])]


def _unit_name(problem: Problem, unit_id: str) -> str:
    try:
        return problem.unit(unit_id).name
    except KeyError:
        return unit_id


def block_description(problem: Problem, target: Unit | Venue, covers: tuple[str, ...], lang: str = "zh") -> str:
    """The visits a block stands for, in words."""
    if isinstance(target, Venue):
        if lang == "en":
            return f"Frontline time at {target.name}: office hours for students"
        return f"一线工作：在{target.name}值班接待学生"
    names = "、".join(_unit_name(problem, u) for u in covers)
    if lang == "en":
        return f"Frontline time; visits: {', '.join(_unit_name(problem, u) for u in covers)}"
    word = "走访宿舍" if target.kind == "dorm" else "走访班级"
    return f"一线工作；{word}：{names}"
