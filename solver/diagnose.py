"""What a clerk should know before solving: busy and free hours, and contact weeks that look
impossible, with the reason. Computed from the availability engine and the candidate visits."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from . import intervals as iv
from . import options as opt
from .availability import Availability
from .explain import Explainer
from .model import contact_blocks
from .problem import Problem


@dataclass(frozen=True)
class LeaderHours:
    leader_id: str
    busy_hours: float  # timetable, meetings and absences inside the day frame, whole term
    free_hours_per_week: tuple[float, ...]  # on the home campus, week 1..N


@dataclass(frozen=True)
class Risk:
    leader_id: str
    weeks: tuple[int, ...]
    reason: str


@dataclass(frozen=True)
class Diagnosis:
    hours: tuple[LeaderHours, ...]
    risks: tuple[Risk, ...]
    teaching_days: int
    holidays: tuple[tuple[str, str], ...]  # (date, name)
    makeup_days: tuple[tuple[str, str], ...]  # (date, "runs <date or weekday>")


def diagnose(problem: Problem, avail: Availability | None = None, lang: str = "zh") -> Diagnosis:
    avail = avail or Availability(problem)
    explain = Explainer(avail, lang)
    cands = opt.build(problem, avail)
    weeks_with_contact: dict[str, set[int]] = defaultdict(set)
    counts: dict[tuple[str, int], int] = defaultdict(int)
    for o in cands.options:
        if o.face_to_face:
            weeks_with_contact[o.leader_id].add(o.week)
            counts[o.leader_id, o.week] += 1
    risks = []
    hours = []
    for leader in problem.leaders:
        for block in contact_blocks(problem, leader.contact_every_weeks):
            if not weeks_with_contact[leader.leader_id].intersection(block):
                risks.append(Risk(leader.leader_id, block, explain.block(leader, block, 0)))
        hours.append(_hours(avail, leader.leader_id, leader.campus))
    cal = avail.calendar
    return Diagnosis(
        hours=tuple(hours),
        risks=tuple(risks),
        teaching_days=sum(1 for d in cal.days if d.runs is not None),
        holidays=tuple((d.date.isoformat(), d.holiday.name) for d in cal.holidays_in_term if d.holiday),
        makeup_days=tuple((d.date.isoformat(), _runs(avail, d.runs)) for d in cal.makeup_days if d.runs),
    )


def _runs(avail: Availability, runs: tuple[int, int]) -> str:
    week, weekday = runs
    return f"第{week}周星期{'一二三四五六日'[weekday - 1]}"


def _hours(avail: Availability, leader_id: str, campus: str) -> LeaderHours:
    busy = iv.intersect(avail.busy_set(leader_id), avail.frame)
    free = avail.leader_free(leader_id, campus)
    weeks = avail.problem.term.weeks
    per_week = tuple(
        round(iv.total(iv.clip(free, (w - 1) * 7 * iv.DAY, w * 7 * iv.DAY)) / 60, 1)
        for w in range(1, weeks + 1)
    )
    return LeaderHours(leader_id, round(iv.total(busy) / 60, 1), per_week)
