"""``compliance()``: the term data, the plan and the records in, the compliance report out.

The one function the CLI (``frontline compliance``) and the service both call; the rows it gives
are the records contract's REPORT files, column for column (``data/evidence_files.py`` writes them).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from zoneinfo import ZoneInfo

from ..availability import Availability
from ..problem import FACE_TO_FACE_KINDS, Problem
from ..result import Plan
from ..termcal import WorkingDays
from .evidence import evidence_of, units_of_target
from .feedback import TOTAL, ItemStatus, Rates, ledger, rates
from .flags import Flag, Flagger
from .records import EvidenceSettings, RecordSet, VisitRecord
from .requirements import Judge, RequirementRow
from .verdict import VERDICTS, confirmed_share, verdict

COMPLIANCE_COLUMNS = (
    "leader_id", "leader_name", "requirement", "required", "planned", "held", "confirmed", "excused", "met", "detail",
)  # fmt: skip
LEADER_COLUMNS = (
    "leader_id", "leader_name", "tier", "verdict", "held", "confirmed", "confirmed_share", "flags",
    "items_owned", "response_rate", "resolution_rate", "satisfaction_rate",
)  # fmt: skip
FLAG_COLUMNS = ("record_id", "leader_id", "flag", "detail")
FEEDBACK_COLUMNS = (
    "item_id", "raised_at", "record_id", "unit_id", "category", "text", "owner", "responded_at",
    "resolved_at", "rating", "reopened", "anonymous", "respond_by", "resolve_by", "state", "escalated",
)  # fmt: skip
RATE_COLUMNS = (
    "owner", "items", "response_due", "responded_on_time", "response_rate", "resolution_due",
    "resolved_on_time", "resolution_rate", "rated", "satisfied", "satisfaction_rate", "overdue", "escalated",
)  # fmt: skip
MOMENT = "%Y-%m-%d %H:%M"


@dataclass(frozen=True)
class LeaderRow:
    """One row of leaders.csv."""

    leader_id: str
    leader_name: str
    tier: str
    verdict: str
    held: int  # held visits before as_of (any kind, disputed included)
    confirmed: int  # held visits confirmed
    held_f2f: int
    confirmed_f2f: int
    confirmed_share: float | None  # confirmed / held face-to-face visits
    flags: int
    items_owned: int
    response_rate: float | None
    resolution_rate: float | None
    satisfaction_rate: float | None


@dataclass(frozen=True)
class WeekRow:
    """Face-to-face visits of all leaders in one week (the workbook's coverage chart)."""

    week: int
    planned: int
    held: int
    confirmed: int
    leaders_planned: int
    leaders_held: int


@dataclass(frozen=True)
class ComplianceReport:
    term_id: str
    timezone: str
    as_of: dt.datetime
    settings: EvidenceSettings
    requirements: tuple[RequirementRow, ...]
    leaders: tuple[LeaderRow, ...]
    flags: tuple[Flag, ...]
    ledger: tuple[ItemStatus, ...]
    rates: tuple[Rates, ...]
    weeks: tuple[WeekRow, ...]
    visits: tuple[VisitRecord, ...]  # resolved (kind and target filled in from the plan)
    evidence: dict[str, str] = field(default_factory=dict)  # record_id -> evidence (held visits)
    names: dict[str, str] = field(default_factory=dict)  # leader_id -> name

    # rows of the REPORT files ------------------------------------------------------------------
    def compliance_rows(self) -> list[dict[str, object]]:
        return [
            {
                "leader_id": r.leader_id, "leader_name": self.names.get(r.leader_id, ""),
                "requirement": r.requirement, "required": r.required, "planned": r.planned,
                "held": r.held, "confirmed": r.confirmed, "excused": r.excused,
                "met": _bool(r.met), "detail": r.detail,
            }
            for r in self.requirements
        ]

    def leader_rows(self) -> list[dict[str, object]]:
        return [
            {
                "leader_id": x.leader_id, "leader_name": x.leader_name, "tier": x.tier,
                "verdict": x.verdict, "held": x.held, "confirmed": x.confirmed,
                "confirmed_share": _num(x.confirmed_share), "flags": x.flags,
                "items_owned": x.items_owned, "response_rate": _num(x.response_rate),
                "resolution_rate": _num(x.resolution_rate), "satisfaction_rate": _num(x.satisfaction_rate),
            }
            for x in self.leaders
        ]

    def flag_rows(self) -> list[dict[str, object]]:
        return [{"record_id": f.record_id, "leader_id": f.leader_id, "flag": f.flag, "detail": f.detail} for f in self.flags]

    def feedback_rows(self) -> list[dict[str, object]]:
        zone = ZoneInfo(self.timezone)
        return [
            {
                "item_id": s.item.item_id, "raised_at": _moment(s.item.raised_at, zone),
                "record_id": s.item.record_id or "", "unit_id": s.item.unit_id or "",
                "category": s.item.category, "text": s.item.text, "owner": s.item.owner,
                "responded_at": _moment(s.item.responded_at, zone), "resolved_at": _moment(s.item.resolved_at, zone),
                "rating": s.item.rating or "", "reopened": s.item.reopened, "anonymous": _bool(s.item.anonymous),
                "respond_by": _moment(s.respond_by, zone), "resolve_by": _moment(s.resolve_by, zone),
                "state": s.state, "escalated": _bool(s.escalated_to_office),
            }
            for s in self.ledger
        ]

    def rate_rows(self) -> list[dict[str, object]]:
        return [
            {
                "owner": r.owner, "items": r.items, "response_due": r.response_due,
                "responded_on_time": r.responded_on_time, "response_rate": _num(r.response_rate),
                "resolution_due": r.resolution_due, "resolved_on_time": r.resolved_on_time,
                "resolution_rate": _num(r.resolution_rate), "rated": r.rated, "satisfied": r.satisfied,
                "satisfaction_rate": _num(r.satisfaction_rate), "overdue": r.overdue, "escalated": r.escalated,
            }
            for r in self.rates
        ]

    @property
    def total(self) -> Rates:
        return next(r for r in self.rates if r.owner == TOTAL)

    def summary(self) -> dict[str, object]:
        verdicts = Counter(x.verdict for x in self.leaders)
        total = self.total
        return {
            "term_id": self.term_id,
            "as_of": self.as_of.isoformat(),
            "leaders": len(self.leaders),
            **{v: verdicts.get(v, 0) for v in VERDICTS},
            "verdicts": {v: verdicts.get(v, 0) for v in VERDICTS},
            "held": sum(x.held for x in self.leaders),
            "confirmed": sum(x.confirmed for x in self.leaders),
            "not_held": sum(1 for r in self.visits if not r.held),
            "flags": len(self.flags),
            "flags_by_kind": dict(sorted(Counter(f.flag for f in self.flags).items())),
            "items": total.items,
            "response_rate": total.response_rate,
            "resolution_rate": total.resolution_rate,
            "satisfaction_rate": total.satisfaction_rate,
            "settings": {
                "respond_days": self.settings.respond_days, "resolve_days": self.settings.resolve_days,
                "checkin_min": self.settings.checkin_min, "confirm_share": self.settings.confirm_share,
            },
        }


def _bool(value: bool) -> str:
    return "true" if value else "false"


def _num(value: float | None) -> object:
    return "" if value is None else value


def _moment(moment: dt.datetime | None, zone: ZoneInfo) -> str:
    return moment.astimezone(zone).strftime(MOMENT) if moment else ""


# the computation -------------------------------------------------------------------------------
def term_end(problem: Problem) -> dt.datetime:
    """The default ``as_of``: 23:59 of the term's last day (term time)."""
    return dt.datetime.combine(problem.term.end_date, dt.time(23, 59), tzinfo=ZoneInfo(problem.term.timezone))


def resolve_visits(visits: Iterable[VisitRecord], plan: Plan) -> tuple[VisitRecord, ...]:
    """Visits recorded against planned events take the event's kind and target unless they give
    their own; unplanned visits carry their own."""
    events = {e.uid: e for e in plan.events}
    out = []
    for r in visits:
        event = events.get(r.uid) if r.uid else None
        if event is not None and (r.visit_kind is None or r.target_id is None):
            r = replace(r, visit_kind=r.visit_kind or event.visit_kind, target_id=r.target_id or event.target_id)
        out.append(r)
    return tuple(out)


def compliance(
    problem: Problem,
    plan: Plan,
    records: RecordSet,
    as_of: dt.datetime | None = None,
    settings: EvidenceSettings | None = None,
    lang: str = "zh",
    availability: Availability | None = None,
) -> ComplianceReport:
    """The compliance report as of ``as_of`` (default: the term's end). ``settings`` default to the
    term's (term.csv ``respond_days``, ``resolve_days``, ``checkin_min``, ``confirm_share``)."""
    settings = settings or EvidenceSettings.of(problem.term)
    zone = ZoneInfo(problem.term.timezone)
    as_of = as_of or term_end(problem)
    if as_of.tzinfo is None:
        as_of = as_of.replace(tzinfo=zone)
    visits = resolve_visits(records.visits, plan)

    def target_units(target_id: str) -> frozenset[str]:
        return units_of_target(problem, target_id)

    by_record = defaultdict(list)
    for c in records.confirmations:
        by_record[c.record_id].append(c)
    evidence = {r.record_id: evidence_of(r, by_record.get(r.record_id, ()), target_units, settings) for r in visits}
    flags = Flagger(problem, target_units, lang).flags(visits, records.confirmations, evidence)
    held_evidence = {r.record_id: evidence[r.record_id] for r in visits if r.held}
    requirements = Judge(problem, plan, visits, held_evidence, as_of, lang, availability).rows()
    statuses = ledger(records.feedback, as_of, WorkingDays.of(problem), settings, problem.term.timezone)
    owner_rates = rates(statuses, as_of)
    happened = tuple(v for v in visits if not v.held or (v.start is not None and v.start < as_of))
    leaders = _leader_rows(problem, happened, held_evidence, requirements, flags, owner_rates, settings)
    return ComplianceReport(
        term_id=problem.term.term_id, timezone=problem.term.timezone, as_of=as_of, settings=settings,
        requirements=requirements, leaders=leaders, flags=flags, ledger=statuses, rates=owner_rates,
        weeks=_weeks(problem, plan, happened, held_evidence), visits=visits, evidence=held_evidence,
        names={x.leader_id: x.name for x in problem.leaders},
    )


def _leader_rows(
    problem: Problem,
    visits: tuple[VisitRecord, ...],
    evidence: dict[str, str],
    requirements: tuple[RequirementRow, ...],
    flags: tuple[Flag, ...],
    owner_rates: tuple[Rates, ...],
    settings: EvidenceSettings,
) -> tuple[LeaderRow, ...]:
    rows_of: dict[str, list[RequirementRow]] = defaultdict(list)
    for r in requirements:
        rows_of[r.leader_id].append(r)
    flags_of: dict[str, list[str]] = defaultdict(list)
    for f in flags:
        flags_of[f.leader_id].append(f.flag)
    held_of: dict[str, list[VisitRecord]] = defaultdict(list)
    for v in visits:
        if v.held:
            held_of[v.leader_id].append(v)
    by_owner = {r.owner: r for r in owner_rates}
    out = []
    for leader in problem.leaders:
        lid = leader.leader_id
        held = held_of.get(lid, [])
        f2f = [v for v in held if v.visit_kind in FACE_TO_FACE_KINDS]
        confirmed = [v for v in held if evidence.get(v.record_id) == "confirmed"]
        confirmed_f2f = [v for v in f2f if evidence.get(v.record_id) == "confirmed"]
        owned = by_owner.get(lid)
        out.append(
            LeaderRow(
                lid, leader.name, leader.tier,
                verdict(rows_of[lid], flags_of.get(lid, []), len(f2f), len(confirmed_f2f), settings),
                len(held), len(confirmed), len(f2f), len(confirmed_f2f),
                confirmed_share(len(f2f), len(confirmed_f2f)), len(flags_of.get(lid, [])),
                owned.items if owned else 0,
                owned.response_rate if owned else None,
                owned.resolution_rate if owned else None,
                owned.satisfaction_rate if owned else None,
            )
        )
    return tuple(out)


def _weeks(
    problem: Problem, plan: Plan, visits: tuple[VisitRecord, ...], evidence: dict[str, str]
) -> tuple[WeekRow, ...]:
    zone = ZoneInfo(problem.term.timezone)
    planned: Counter[int] = Counter()
    planners: dict[int, set[str]] = defaultdict(set)
    for e in plan.events:
        if e.status == "planned" and e.face_to_face:
            planned[e.week] += 1
            planners[e.week].add(e.leader_id)
    held: Counter[int] = Counter()
    confirmed: Counter[int] = Counter()
    holders: dict[int, set[str]] = defaultdict(set)
    for v in visits:
        if v.held and v.start is not None and v.visit_kind in FACE_TO_FACE_KINDS and evidence.get(v.record_id) != "disputed":
            week = problem.term.week_of(v.start.astimezone(zone).date())
            held[week] += 1
            holders[week].add(v.leader_id)
            confirmed[week] += evidence.get(v.record_id) == "confirmed"
    return tuple(
        WeekRow(w, planned[w], held[w], confirmed[w], len(planners[w]), len(holders[w]))
        for w in range(1, problem.term.weeks + 1)
    )
