"""Flags: possible falsification or error in the records (flags.csv), one row per record and flag.

- ``held_while_away``: a held visit overlaps one of the leader's absences in the term data;
- ``overlap``: two held visits of one leader overlap (both are flagged);
- ``travel_impossible``: consecutive held visits on different campuses closer than the travel time
  (the later one is flagged; online visits have no campus and are passed over);
- ``recorded_before_end``: a held visit recorded before its end;
- ``disputed``: a counted ``denied`` confirmation;
- ``wrong_unit_confirmation``: a ``unit`` confirmation by a unit other than the visited one;
- ``checkin_outside_visit``: a check-in outside the visit (15 minutes either side);
- ``late_record``: recorded more than 7 days after the visit's end.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from ..problem import Absence, Problem
from .evidence import TargetUnits, rejected_confirmations
from .records import LATE_RECORD_DAYS, Confirmation, VisitRecord

FLAGS = (
    "held_while_away", "overlap", "travel_impossible", "recorded_before_end", "disputed",
    "wrong_unit_confirmation", "checkin_outside_visit", "late_record",
)  # fmt: skip
STRONG_FLAGS = frozenset({"disputed", "held_while_away", "overlap", "travel_impossible"})
ABSENCE_WORDS = {
    "zh": {"travel": "出差", "meeting": "会议", "leave": "请假", "other": "其他安排"},
    "en": {"travel": "travel", "meeting": "meeting", "leave": "leave", "other": "other"},
}
DETAILS = {
    "zh": {
        "held_while_away": "走访时间 {when} 与请假出差记录重叠：{absence}",
        "overlap": "与同一领导的另一条走访记录 {other}（{other_when}）时间重叠",
        "travel_impossible": "上一条走访 {other} 在 {from_campus} 于 {end} 结束，本次 {start} 在 {to_campus} 开始，间隔 {gap} 分钟，不足校区间车程 {need} 分钟",
        "recorded_before_end": "记录时间 {recorded} 早于走访结束时间 {end}",
        "disputed": "被否认：{who}",
        "denial": "{source} {by} 于 {at} 否认{note}",
        "source_unit": "联系对象", "source_checkin": "签到学生", "source_callback": "回访",
        "wrong_unit_confirmation": "确认单位 {units} 不是被走访的对象（{visited}），该确认不计",
        "checkin_outside_visit": "{n} 次签到不在走访时间内（前后 15 分钟），不计：{times}",
        "late_record": "走访于 {end} 结束，{days} 天后（{recorded}）才记录，超过 7 天",
        "none": "无",
    },
    "en": {
        "held_while_away": "visit {when} overlaps an absence: {absence}",
        "overlap": "overlaps the same leader's visit {other} ({other_when})",
        "travel_impossible": "the previous visit {other} ended on {from_campus} at {end}; this one starts on {to_campus} at {start}, {gap} min later, less than the {need} min travel time",
        "recorded_before_end": "recorded at {recorded}, before the visit's end {end}",
        "disputed": "denied: {who}",
        "denial": "{source} {by} at {at}{note}",
        "source_unit": "unit", "source_checkin": "attendee", "source_callback": "callback by",
        "wrong_unit_confirmation": "confirmed by {units}, not the visited unit ({visited}); it does not count",
        "checkin_outside_visit": "{n} check-in(s) outside the visit (15 minutes either side) do not count: {times}",
        "late_record": "the visit ended {end} and was recorded {days} days later ({recorded}), more than 7",
        "none": "none",
    },
}


@dataclass(frozen=True)
class Flag:
    record_id: str
    leader_id: str
    flag: str
    detail: str


def _fmt(moment: dt.datetime | None, zone: ZoneInfo) -> str:
    return moment.astimezone(zone).strftime("%Y-%m-%d %H:%M") if moment else ""


def _span(record: VisitRecord, zone: ZoneInfo) -> str:
    end = record.end.astimezone(zone).strftime("%H:%M") if record.end else ""
    return f"{_fmt(record.start, zone)}-{end}"


class Flagger:
    """Flags of one term's records; ``visits`` are resolved (kind and target filled in)."""

    def __init__(self, problem: Problem, target_unit_of: TargetUnits, lang: str = "zh"):
        self.problem = problem
        self.zone = ZoneInfo(problem.term.timezone)
        self.units_of = target_unit_of
        self.lang = lang if lang in DETAILS else "zh"
        self.words = DETAILS[self.lang]
        self.absences: dict[str, list[Absence]] = defaultdict(list)
        for a in problem.absences:
            self.absences[a.owner_id].append(a)

    def flags(
        self, visits: Sequence[VisitRecord], confirmations: Iterable[Confirmation], evidence: dict[str, str]
    ) -> tuple[Flag, ...]:
        by_record: dict[str, list[Confirmation]] = defaultdict(list)
        for c in confirmations:
            by_record[c.record_id].append(c)
        found: dict[tuple[str, str], Flag] = {}

        def add(record: VisitRecord, flag: str, detail: str) -> None:
            found.setdefault((record.record_id, flag), Flag(record.record_id, record.leader_id, flag, detail))

        for record in visits:
            for flag, detail in self._own(record, by_record.get(record.record_id, []), evidence):
                add(record, flag, detail)
        for record, flag, detail in self._between(visits):
            add(record, flag, detail)
        order = {r.record_id: i for i, r in enumerate(visits)}
        rank = {f: i for i, f in enumerate(FLAGS)}
        return tuple(sorted(found.values(), key=lambda f: (order.get(f.record_id, 0), rank[f.flag])))

    # one record ----------------------------------------------------------------------------------
    def _own(
        self, record: VisitRecord, confirmations: list[Confirmation], evidence: dict[str, str]
    ) -> list[tuple[str, str]]:
        w, out = self.words, []
        if record.held and (away := self._away(record)):
            out.append(("held_while_away", w["held_while_away"].format(when=_span(record, self.zone), absence=away)))
        if record.held and record.end is not None and record.recorded_at < record.end:
            out.append(("recorded_before_end", w["recorded_before_end"].format(
                recorded=_fmt(record.recorded_at, self.zone), end=_fmt(record.end, self.zone))))
        if evidence.get(record.record_id) == "disputed":
            deniers = self._denials(record, confirmations)
            out.append(("disputed", w["disputed"].format(who="; ".join(deniers))))
        rejected = rejected_confirmations(record, confirmations, self.units_of)
        wrong = [r.confirmation.by for r in rejected if r.why == "wrong_unit"]
        if wrong:
            visited = "、".join(sorted(self.units_of(record.target_id or ""))) or w["none"]
            out.append(("wrong_unit_confirmation", w["wrong_unit_confirmation"].format(
                units="、".join(dict.fromkeys(wrong)), visited=visited)))
        outside = [r.confirmation.at for r in rejected if r.why == "outside_visit"]
        if outside:
            times = ", ".join(_fmt(t, self.zone) for t in sorted(outside)[:5])
            out.append(("checkin_outside_visit", w["checkin_outside_visit"].format(n=len(outside), times=times)))
        if record.held and record.end is not None:
            late = record.recorded_at - record.end
            if late > dt.timedelta(days=LATE_RECORD_DAYS):
                out.append(("late_record", w["late_record"].format(
                    end=_fmt(record.end, self.zone), days=late.days, recorded=_fmt(record.recorded_at, self.zone))))
        return out

    def _denials(self, record: VisitRecord, confirmations: list[Confirmation]) -> list[str]:
        """The denials that count, in words: who denied, when, and what they said."""
        w = self.words
        rejected = {id(r.confirmation) for r in rejected_confirmations(record, confirmations, self.units_of)}
        out = []
        for c in confirmations:
            if c.result != "denied" or id(c) in rejected:
                continue
            note = (f"（{c.note}）" if self.lang == "zh" else f" ({c.note})") if c.note else ""
            out.append(w["denial"].format(source=w[f"source_{c.source}"], by=c.by, at=_fmt(c.at, self.zone), note=note))
        return out

    def _away(self, record: VisitRecord) -> str:
        assert record.start is not None and record.end is not None
        start, end = (_naive(m, self.zone) for m in (record.start, record.end))
        for a in self.absences.get(record.leader_id, ()):
            a_start, a_end = _naive(a.start, self.zone), _naive(a.end, self.zone)
            if a_start < end and start < a_end:
                kind = ABSENCE_WORDS[self.lang].get(a.kind, a.kind)
                last = a_end - dt.timedelta(minutes=1)
                span = f"{a_start:%Y-%m-%d %H:%M}..{last:%Y-%m-%d %H:%M}"
                return f"{kind} {span}" + (f" ({a.note})" if a.note else "")
        return ""

    # pairs of records --------------------------------------------------------------------------
    def _between(self, visits: Sequence[VisitRecord]) -> list[tuple[VisitRecord, str, str]]:
        by_leader: dict[str, list[VisitRecord]] = defaultdict(list)
        for r in visits:
            if r.held and r.start is not None and r.end is not None:
                by_leader[r.leader_id].append(r)
        out: list[tuple[VisitRecord, str, str]] = []
        for mine in by_leader.values():
            mine.sort(key=lambda r: (r.start, r.end, r.record_id))
            out.extend(self._overlaps(mine))
            out.extend(self._travel(mine))
        return out

    def _overlaps(self, mine: list[VisitRecord]) -> list[tuple[VisitRecord, str, str]]:
        """Pairs of overlapping visits (``mine`` sorted by start): both are flagged."""
        out = []
        for i, r in enumerate(mine):
            assert r.end is not None
            for other in mine[i + 1 :]:
                assert other.start is not None
                if other.start >= r.end:
                    break
                out.append((r, "overlap", self._overlap_detail(other)))
                out.append((other, "overlap", self._overlap_detail(r)))
        return out

    def _overlap_detail(self, other: VisitRecord) -> str:
        return self.words["overlap"].format(other=other.record_id, other_when=_span(other, self.zone))

    def _travel(self, mine: list[VisitRecord]) -> list[tuple[VisitRecord, str, str]]:
        out = []
        placed = [(r, c) for r in mine if (c := self.campus_of(r)) is not None]
        for (before, a), (after, b) in zip(placed, placed[1:], strict=False):
            if a == b:
                continue
            assert before.end is not None and after.start is not None
            need = self.problem.travel_minutes(a, b)
            gap = int((after.start - before.end).total_seconds() // 60)
            if gap < need:
                out.append((after, "travel_impossible", self.words["travel_impossible"].format(
                    other=before.record_id, from_campus=self.problem.campus_name(a),
                    end=_fmt(before.end, self.zone), start=_fmt(after.start, self.zone),
                    to_campus=self.problem.campus_name(b), gap=gap, need=need)))
        return out

    def campus_of(self, record: VisitRecord) -> str | None:
        """The campus of a visit's target (None: online, or unknown)."""
        if record.visit_kind == "online" or not record.target_id:
            return None
        try:
            target = self.problem.target(record.target_id)
        except KeyError:
            return None
        return getattr(target, "campus", None) or None


def _naive(moment: dt.datetime, zone: ZoneInfo) -> dt.datetime:
    """Local wall-clock time without a zone (the term data's absences are written that way)."""
    return moment.astimezone(zone).replace(tzinfo=None) if moment.tzinfo else moment
