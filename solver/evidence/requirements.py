"""The requirements judged from what happened, as of a moment (records contract).

Over the contact blocks and weeks *due* by ``as_of`` (a block is due once its last week has ended),
from held visits that are not disputed:
- ``weekly_contact``: blocks with a held face-to-face visit; a block in which the leader was away on
  every working day (absences covering the working hours) is *excused*: listed, not missing;
- ``linked_unit``: blocks with a held visit to the linked unit; required: half the due blocks
  (excused ones left out), rounded up;
- ``lecture``: held classroom visits, 1; ``seven_visits``: kinds with a held visit, 7 (both are
  term requirements: before the term's end one not yet held is *not yet due*, and counts as met);
- ``frontline_share``: minutes of held face-to-face visits inside working hours, against the share
  of the leader's available working time in the due weeks.
Each row also gives what was planned and what was confirmed, and for an unmet requirement what is
missing and why, in words a clerk can act on.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from zoneinfo import ZoneInfo

from .. import intervals as iv
from ..availability import Availability
from ..explain import KIND_NAMES
from ..model import contact_blocks
from ..problem import FACE_TO_FACE_KINDS, VISIT_KINDS, WORKDAY_END, Activity, Leader, Problem
from ..result import Event, Plan
from ..termcal import TermCalendar
from .records import VisitRecord

REQUIREMENTS = ("weekly_contact", "linked_unit", "lecture", "seven_visits", "frontline_share")

WORDS = {
    "zh": {
        "weeks": "第{a}周", "weeks_range": "第{a}-{b}周", "sep": "；", "list": "、", "colon": "：",
        "excused": "{weeks}全部工作日外出（{why}），不计入",
        "no_workday": "没有工作日，均为节假日",
        "missing": "{weeks}没有已开展的面对面走访",
        "not_held": "计划的 {what} 记录为未开展（{reason}）",
        "unrecorded": "计划的 {what} 没有走访记录",
        "disputed": "记录 {ids} 被学生否认，不计",
        "not_planned": "计划中没有安排",
        "no_link": "计划中没有联系对象",
        "link_short": "联系对象 {unit}：{held}/{need} 个时段有已开展的走访，缺{weeks}",
        "lecture_missing": "没有已开展的思政课（进课堂）",
        "kinds_missing": "缺：{kinds}",
        "not_due": "尚未到期（学期末 {end} 前须完成）",
        "share_short": "已开展一线时间 {held} 分钟，需 {need} 分钟（可用工作时间 {avail} 分钟的 {share}）",
        "weakest": "最少的周：{weeks}",
        "minutes": "{week} {have} 分钟",
    },
    "en": {
        "weeks": "week {a}", "weeks_range": "weeks {a}-{b}", "sep": "; ", "list": ", ", "colon": ": ",
        "excused": "{weeks}: away on every working day ({why}); excused",
        "no_workday": "no working day, holidays only",
        "missing": "{weeks}: no held face-to-face visit",
        "not_held": "the planned {what} was recorded as not held ({reason})",
        "unrecorded": "the planned {what} has no record",
        "disputed": "record(s) {ids} denied by students; not counted",
        "not_planned": "nothing planned",
        "no_link": "the plan gives no linked unit",
        "link_short": "linked unit {unit}: {held}/{need} blocks with a held visit; missing {weeks}",
        "lecture_missing": "no held guest lecture (classroom visit)",
        "kinds_missing": "missing: {kinds}",
        "not_due": "not yet due (by the term's end {end})",
        "share_short": "{held} min of held frontline time, {need} min needed ({share} of {avail} min available working time)",
        "weakest": "weakest weeks: {weeks}",
        "minutes": "{week} {have} min",
    },
}
ABSENCE_WORDS = {
    "zh": {"travel": "出差", "meeting": "会议", "leave": "请假", "other": "其他安排"},
    "en": {"travel": "travel", "meeting": "meeting", "leave": "leave", "other": "other"},
}


@dataclass(frozen=True)
class RequirementRow:
    """One row of compliance.csv."""

    leader_id: str
    requirement: str
    required: int
    planned: int
    held: int
    confirmed: int
    excused: int
    met: bool
    detail: str = ""


@dataclass(frozen=True)
class Counted:
    """The visits of one leader that count: held, not disputed; ``confirmed`` is the subset."""

    held: tuple[VisitRecord, ...]
    confirmed: frozenset[str]  # record ids


class Judge:
    """Requirements of every leader from the resolved visits and their evidence."""

    def __init__(
        self,
        problem: Problem,
        plan: Plan,
        visits: Sequence[VisitRecord],
        evidence: dict[str, str],
        as_of: dt.datetime,
        lang: str = "zh",
        availability: Availability | None = None,
    ):
        self.problem = problem
        self.plan = plan
        self.as_of = as_of
        self.zone = ZoneInfo(problem.term.timezone)
        self.lang = lang if lang in WORDS else "zh"
        self.w = WORDS[self.lang]
        self.calendar = availability.calendar if availability else TermCalendar.of(problem)
        self._avail = availability
        self.evidence = evidence
        self.visits = visits
        self.by_leader: dict[str, list[VisitRecord]] = defaultdict(list)
        for r in visits:
            self.by_leader[r.leader_id].append(r)
        self.records_of_uid: dict[str, list[VisitRecord]] = defaultdict(list)
        for r in visits:
            if r.uid:
                self.records_of_uid[r.uid].append(r)
        self.events: dict[str, list[Event]] = defaultdict(list)
        for e in plan.events:
            if e.status == "planned":
                self.events[e.leader_id].append(e)
        self.links = {a.leader_id: a.unit_id for a in plan.assignments}
        self.term_over = as_of >= self._week_end(problem.term.weeks)

    @cached_property
    def avail(self) -> Availability:
        return self._avail or Availability(self.problem, self.calendar)

    # helpers ------------------------------------------------------------------------------------
    def _week_end(self, week: int) -> dt.datetime:
        """23:59 of the week's Sunday: from then on the week is due."""
        sunday = self.problem.term.start_date + dt.timedelta(days=7 * week - 1)
        return dt.datetime.combine(sunday, dt.time(23, 59), tzinfo=self.zone)

    def week_of(self, moment: dt.datetime) -> int:
        return self.problem.term.week_of(moment.astimezone(self.zone).date())

    def due_blocks(self, leader: Leader) -> list[tuple[int, ...]]:
        return [b for b in contact_blocks(self.problem, leader.contact_every_weeks) if self._week_end(b[-1]) <= self.as_of]

    def due_weeks(self) -> list[int]:
        return [w for w in self.problem.term.contact_week_list if self._week_end(w) <= self.as_of]

    def counted(self, leader_id: str) -> Counted:
        held = tuple(
            r for r in self.by_leader.get(leader_id, ())
            if r.held and r.start is not None and r.start < self.as_of and self.evidence.get(r.record_id) != "disputed"
        )
        confirmed = frozenset(r.record_id for r in held if self.evidence.get(r.record_id) == "confirmed")
        return Counted(held, confirmed)

    def label(self, weeks: Sequence[int]) -> str:
        weeks = list(weeks)
        if len(weeks) == 1:
            return self.w["weeks"].format(a=weeks[0])
        return self.w["weeks_range"].format(a=weeks[0], b=weeks[-1])

    def _runs(self, blocks: Sequence[tuple[int, ...]]) -> list[list[int]]:
        """Blocks joined into runs of consecutive weeks (told once: 第9-10周)."""
        runs: list[list[int]] = []
        for block in blocks:
            if runs and runs[-1][-1] + 1 == block[0]:
                runs[-1].extend(block)
            else:
                runs.append(list(block))
        return runs

    def excused(self, leader_id: str, block: tuple[int, ...]) -> str:
        """Why the leader was away on every working day of ``block`` ('' when not)."""
        cal = self.calendar
        term = self.problem.term
        absences = [a for a in self.problem.absences if a.owner_id == leader_id]
        away = iv.normalize((cal.minute(a.start), cal.minute(a.end)) for a in absences)
        days = [d for w in block for d in cal.week_days(w) if d.is_workday]
        for d in days:
            frame = ((d.start + term.day_start, d.start + min(WORKDAY_END, term.day_end)),)
            if iv.total(iv.subtract(frame, away)) > 0:
                return ""
        lo, hi = (block[0] - 1) * 7 * iv.DAY, block[-1] * 7 * iv.DAY
        words = ABSENCE_WORDS[self.lang]
        why = [
            f"{words.get(a.kind, a.kind)} {a.start:%Y-%m-%d}..{(a.end - dt.timedelta(minutes=1)):%Y-%m-%d}"
            + (f" {a.note}" if a.note else "")
            for a in absences
            if cal.minute(a.start) < hi and cal.minute(a.end) > lo
        ]
        return self.w["list"].join(why) if why else self.w["no_workday"]

    def _planned_fate(self, events: Sequence[Event], what: str) -> list[str]:
        """What became of planned events that did not count: not held (reason), unrecorded, denied."""
        out = []
        for e in events:
            records = self.records_of_uid.get(e.uid, [])
            label = f"{what or KIND_NAMES[self.lang].get(e.visit_kind, e.visit_kind)} {e.start.astimezone(self.zone):%Y-%m-%d %H:%M} {e.target_id}"
            if not records:
                if e.start < self.as_of:
                    out.append(self.w["unrecorded"].format(what=label))
                continue
            for r in records:
                if not r.held:
                    out.append(self.w["not_held"].format(what=label, reason=f"{r.record_id}: {r.reason}"))
                elif self.evidence.get(r.record_id) == "disputed":
                    out.append(self.w["disputed"].format(ids=r.record_id))
        return out

    # rows ----------------------------------------------------------------------------------------
    def rows(self) -> tuple[RequirementRow, ...]:
        out: list[RequirementRow] = []
        for leader in self.problem.leaders:
            counted = self.counted(leader.leader_id)
            blocks = self.due_blocks(leader)
            excused = {b: why for b in blocks if (why := self._excused_if_unheld(leader, b, counted))}
            out.append(self.weekly_contact(leader, counted, blocks, excused))
            out.append(self.linked_unit(leader, counted, blocks, excused))
            out.append(self.lecture(leader, counted))
            out.append(self.seven_visits(leader, counted))
            out.append(self.frontline_share(leader, counted))
        return tuple(out)

    def _f2f_weeks(self, visits: Sequence[VisitRecord]) -> set[int]:
        return {self.week_of(r.start) for r in visits if r.start is not None and r.visit_kind in FACE_TO_FACE_KINDS}

    def _excused_if_unheld(self, leader: Leader, block: tuple[int, ...], counted: Counted) -> str:
        if self._f2f_weeks(counted.held).intersection(block):
            return ""
        return self.excused(leader.leader_id, block)

    def weekly_contact(
        self, leader: Leader, counted: Counted, blocks: list[tuple[int, ...]], excused: dict[tuple[int, ...], str]
    ) -> RequirementRow:
        held_weeks = self._f2f_weeks(counted.held)
        confirmed_weeks = self._f2f_weeks([r for r in counted.held if r.record_id in counted.confirmed])
        planned_weeks = {e.week for e in self.events[leader.leader_id] if e.face_to_face}
        held = [b for b in blocks if held_weeks.intersection(b)]
        missing = [b for b in blocks if b not in held and b not in excused]
        details = []
        for run in self._runs(missing):
            fate = self._planned_fate([e for e in self.events[leader.leader_id] if e.face_to_face and e.week in run], "")
            details.append(self.w["missing"].format(weeks=self.label(run)) + (self.w["colon"] + self.w["sep"].join(fate) if fate else ""))
        runs: list[tuple[list[int], str]] = []
        for b, why in excused.items():  # consecutive blocks with the same reason are told once
            if runs and runs[-1][1] == why and runs[-1][0][-1] + 1 == b[0]:
                runs[-1][0].extend(b)
            else:
                runs.append((list(b), why))
        details += [self.w["excused"].format(weeks=self.label(weeks), why=why) for weeks, why in runs]
        return RequirementRow(
            leader.leader_id, "weekly_contact", len(blocks) - len(excused),
            sum(1 for b in blocks if planned_weeks.intersection(b)), len(held),
            sum(1 for b in blocks if confirmed_weeks.intersection(b)), len(excused), not missing,
            self.w["sep"].join(details),
        )

    def _at_unit(self, unit: str, target_id: str | None) -> bool:
        if target_id == unit:
            return True
        try:
            target = self.problem.target(target_id or "")
        except KeyError:
            return False
        return isinstance(target, Activity) and target.unit_id == unit

    def linked_unit(
        self, leader: Leader, counted: Counted, blocks: list[tuple[int, ...]], excused: dict[tuple[int, ...], str]
    ) -> RequirementRow:
        lid = leader.leader_id
        unit = self.links.get(lid)
        if not leader.link:
            return RequirementRow(lid, "linked_unit", 0, 0, 0, 0, 0, True)
        need = math.ceil((len(blocks) - len(excused)) / 2)
        if unit is None:
            return RequirementRow(lid, "linked_unit", need, 0, 0, 0, len(excused), need == 0, self.w["no_link"])
        visits = [r for r in counted.held if self._at_unit(unit, r.target_id)]
        held_weeks = {self.week_of(r.start) for r in visits if r.start is not None}
        confirmed_weeks = {self.week_of(r.start) for r in visits if r.start is not None and r.record_id in counted.confirmed}
        planned_weeks = {e.week for e in self.events[lid] if self._at_unit(unit, e.target_id)}
        held = [b for b in blocks if held_weeks.intersection(b)]
        met = len(held) >= need
        detail = ""
        if not met:
            missing = [b for b in blocks if b not in held and b not in excused]
            weeks = self.w["list"].join(self.label(r) for r in self._runs(missing))
            fate = self._planned_fate([e for e in self.events[lid] if self._at_unit(unit, e.target_id)], "")
            name = next((u.name for u in self.problem.units if u.unit_id == unit), "")
            detail = self.w["link_short"].format(unit=f"{unit} {name}".strip(), held=len(held), need=need, weeks=weeks)
            if fate:
                detail += self.w["sep"] + self.w["sep"].join(fate)
        return RequirementRow(
            lid, "linked_unit", need, sum(1 for b in blocks if planned_weeks.intersection(b)), len(held),
            sum(1 for b in blocks if confirmed_weeks.intersection(b)), len(excused), met, detail,
        )

    def _not_due(self) -> str:
        return self.w["not_due"].format(end=self.problem.term.end_date.isoformat())

    def lecture(self, leader: Leader, counted: Counted) -> RequirementRow:
        lid = leader.leader_id
        planned = [e for e in self.events[lid] if e.visit_kind == "classroom"]
        held = [r for r in counted.held if r.visit_kind == "classroom"]
        confirmed = [r for r in held if r.record_id in counted.confirmed]
        if not leader.lecture:
            return RequirementRow(lid, "lecture", 0, len(planned), len(held), len(confirmed), 0, True)
        met = len(held) >= 1
        detail = ""
        if not met:
            fate = self._planned_fate(planned, KIND_NAMES[self.lang]["classroom"]) or [self.w["not_planned"]] * (not planned)
            detail = self.w["sep"].join([self.w["lecture_missing"], *fate])
            if not self.term_over:
                detail = f"{self._not_due()}{self.w['sep']}{detail}"
        return RequirementRow(lid, "lecture", 1, len(planned), len(held), len(confirmed), 0, met or not self.term_over, detail)

    def seven_visits(self, leader: Leader, counted: Counted) -> RequirementRow:
        lid = leader.leader_id
        planned = {e.visit_kind for e in self.events[lid]}
        held = {r.visit_kind for r in counted.held}
        confirmed = {r.visit_kind for r in counted.held if r.record_id in counted.confirmed}
        if not leader.seven_visits:
            return RequirementRow(lid, "seven_visits", 0, len(planned), len(held), len(confirmed), 0, True)
        missing = [k for k in VISIT_KINDS if k not in held]
        detail = ""
        if missing:
            names = KIND_NAMES[self.lang]
            parts = [self.w["kinds_missing"].format(kinds="、".join(names[k] for k in missing))]
            for kind in missing:
                planned_kind = [e for e in self.events[lid] if e.visit_kind == kind]
                parts += self._planned_fate(planned_kind, names[kind])
                if not planned_kind:
                    parts.append(f"{names[kind]}{self.w['colon']}{self.w['not_planned']}")
            if not self.term_over:
                parts.insert(0, self._not_due())
            detail = self.w["sep"].join(parts)
        met = not missing or not self.term_over
        return RequirementRow(lid, "seven_visits", 7, len(planned & set(VISIT_KINDS)), len(held & set(VISIT_KINDS)), len(confirmed & set(VISIT_KINDS)), 0, met, detail)

    def frontline_share(self, leader: Leader, counted: Counted) -> RequirementRow:
        lid = leader.leader_id
        if leader.frontline_share <= 0:
            return RequirementRow(lid, "frontline_share", 0, 0, 0, 0, 0, True)
        avail, cal = self.avail, self.calendar
        weeks = self.due_weeks()
        f2f = [r for r in counted.held if r.visit_kind in FACE_TO_FACE_KINDS and r.start is not None and r.end is not None]

        def minutes(spans: list[tuple[int, int]], week: int) -> int:
            return iv.total(iv.intersect(iv.normalize(spans), avail.working_frame(week)))

        held_spans = [(cal.minute(r.start), cal.minute(r.end)) for r in f2f]  # type: ignore[arg-type]
        conf_spans = [(cal.minute(r.start), cal.minute(r.end)) for r in f2f if r.record_id in counted.confirmed]  # type: ignore[arg-type]
        plan_spans = [(cal.minute(e.start), cal.minute(e.end)) for e in self.events[lid] if e.face_to_face]
        available = sum(iv.total(avail.working_time(lid, w)) for w in weeks)
        need = math.ceil(leader.frontline_share * available)
        per_week = {w: minutes(held_spans, w) for w in weeks}
        held = sum(per_week.values())
        met = held >= need
        detail = ""
        if not met:
            detail = self.w["share_short"].format(held=held, need=need, avail=available, share=f"{leader.frontline_share:.0%}")
            weakest = sorted(per_week.items(), key=lambda kv: (kv[1], kv[0]))[:3]
            shown = ", ".join(self.w["minutes"].format(week=self.label([w]), have=m) for w, m in weakest)
            detail += self.w["sep"] + self.w["weakest"].format(weeks=shown)
        return RequirementRow(
            lid, "frontline_share", need, sum(minutes(plan_spans, w) for w in weeks), held,
            sum(minutes(conf_spans, w) for w in weeks), 0, met, detail,
        )
