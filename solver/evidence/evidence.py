"""Evidence of a held visit: *confirmed*, *self_reported* or *disputed* (records contract).

- Confirmed: a ``unit`` confirmation by the visited unit, a ``callback`` confirmation, or at least
  ``checkin_min`` distinct ``checkin`` keys whose ``at`` lies within the visit (15 minutes either side).
- Disputed: any ``denied`` confirmation that counts (it overrides every confirmation).
- Otherwise self-reported.
A ``unit`` confirmation by another unit, or a check-in outside the visit, counts for nothing and is
flagged (:func:`rejected_confirmations`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass

from ..problem import Activity, CourseSection, Problem, Unit
from .records import CHECKIN_SLACK_MINUTES, Confirmation, EvidenceSettings, VisitRecord

SLACK = dt.timedelta(minutes=CHECKIN_SLACK_MINUTES)
TargetUnits = Callable[[str], Collection[str]]  # target_id -> the units that may confirm a visit to it


@dataclass(frozen=True)
class Rejected:
    """A confirmation that counts for nothing, and why: ``wrong_unit`` or ``outside_visit``."""

    confirmation: Confirmation
    why: str


def units_of_target(problem: Problem, target_id: str) -> frozenset[str]:
    """The units whose confirmation counts for a visit to ``target_id``: the unit itself, an
    activity's unit, the classes of a course section; none for a canteen or the online venue."""
    try:
        target = problem.target(target_id)
    except KeyError:
        return frozenset()
    if isinstance(target, Unit):
        return frozenset({target.unit_id})
    if isinstance(target, Activity):
        return frozenset({target.unit_id}) if target.unit_id else frozenset()
    if isinstance(target, CourseSection):
        return frozenset(target.class_ids)
    return frozenset()


def within_visit(record: VisitRecord, moment: dt.datetime) -> bool:
    """True when ``moment`` lies within the held visit, 15 minutes either side."""
    if not record.held or record.start is None or record.end is None:
        return False
    return record.start - SLACK <= moment <= record.end + SLACK


def _judge(
    record: VisitRecord, confirmations: Iterable[Confirmation], target_unit_of: TargetUnits
) -> tuple[list[Confirmation], list[Rejected]]:
    visited = target_unit_of(record.target_id or "")
    counted: list[Confirmation] = []
    rejected: list[Rejected] = []
    for c in confirmations:
        if c.record_id != record.record_id:
            continue
        if c.source == "unit" and c.by not in visited:
            rejected.append(Rejected(c, "wrong_unit"))
        elif c.source == "checkin" and not within_visit(record, c.at):
            rejected.append(Rejected(c, "outside_visit"))
        else:
            counted.append(c)
    return counted, rejected


def counted_confirmations(
    record: VisitRecord, confirmations: Iterable[Confirmation], target_unit_of: TargetUnits
) -> list[Confirmation]:
    """The record's confirmations that count."""
    return _judge(record, confirmations, target_unit_of)[0]


def rejected_confirmations(
    record: VisitRecord, confirmations: Iterable[Confirmation], target_unit_of: TargetUnits
) -> list[Rejected]:
    """The record's confirmations that count for nothing (flagged), with the reason."""
    return _judge(record, confirmations, target_unit_of)[1]


def evidence_of(
    record: VisitRecord,
    confirmations: Iterable[Confirmation],
    target_unit_of: TargetUnits,
    settings: EvidenceSettings | None = None,
) -> str:
    """``confirmed``, ``self_reported`` or ``disputed``. ``confirmations`` may hold other records'
    confirmations too (they are ignored)."""
    settings = settings or EvidenceSettings()
    counted = counted_confirmations(record, confirmations, target_unit_of)
    return evidence_from_counted(counted, settings)


def evidence_from_counted(counted: Iterable[Confirmation], settings: EvidenceSettings) -> str:
    counted = list(counted)
    if any(c.result == "denied" for c in counted):
        return "disputed"
    if any(c.source in ("unit", "callback") for c in counted):
        return "confirmed"
    keys = {c.by for c in counted if c.source == "checkin"}
    return "confirmed" if len(keys) >= settings.checkin_min else "self_reported"
