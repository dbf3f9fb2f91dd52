"""The records of the records contract as frozen dataclasses, independent of any file format.

Every moment is a timezone-aware ``datetime`` (the term's zone); the readers in ``data/`` and the
service build these from their rows.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from ..problem import ProblemError, Term

VISIT_STATUSES = ("held", "not_held")
CONFIRMATION_SOURCES = ("unit", "checkin", "callback")
CONFIRMATION_RESULTS = ("confirmed", "denied")
FEEDBACK_CATEGORIES = ("study", "ideology", "mental", "life", "employment", "safety", "other")
RATINGS = ("satisfied", "basically", "unsatisfied")
EVIDENCE = ("confirmed", "self_reported", "disputed")
FEEDBACK_STATES = ("open", "answered", "resolved", "reopened", "overdue", "escalated")
LATE_RECORD_DAYS = 7
CHECKIN_SLACK_MINUTES = 15


@dataclass(frozen=True)
class VisitRecord:
    """One visit that was planned or happened (visits.csv).

    ``uid`` names the planned event (None: an unplanned visit). ``visit_kind`` and ``target_id``
    are None when they default to the planned event's (:func:`resolve_visits` fills them in).
    ``start``/``end`` are what actually happened (None unless held).
    """

    record_id: str
    uid: str | None
    leader_id: str
    status: str  # held | not_held
    start: dt.datetime | None
    end: dt.datetime | None
    visit_kind: str | None
    target_id: str | None
    attendees: int | None
    reason: str
    recorded_at: dt.datetime
    note: str = ""

    def __post_init__(self) -> None:
        problems = []
        if self.status not in VISIT_STATUSES:
            problems.append(f"record {self.record_id}: unknown status {self.status!r}")
        if self.status == "held" and (self.start is None or self.end is None):
            problems.append(f"record {self.record_id}: a held visit needs start and end")
        if self.status == "not_held" and not self.reason.strip():
            problems.append(f"record {self.record_id}: a visit not held needs a reason")
        if self.start is not None and self.end is not None and self.end <= self.start:
            problems.append(f"record {self.record_id}: end is not after start")
        if self.attendees is not None and self.attendees < 0:
            problems.append(f"record {self.record_id}: attendees must not be negative")
        if self.uid is None and (not self.visit_kind or not self.target_id):
            problems.append(f"record {self.record_id}: an unplanned visit needs visit_kind and target_id")
        if problems:
            raise ProblemError(problems)

    @property
    def held(self) -> bool:
        return self.status == "held"

    @property
    def minutes(self) -> int:
        if self.start is None or self.end is None:
            return 0
        return int((self.end - self.start).total_seconds() // 60)


@dataclass(frozen=True)
class Confirmation:
    """A confirmation or denial of a visit record (confirmations.csv)."""

    record_id: str
    source: str  # unit | checkin | callback
    result: str  # confirmed | denied
    by: str  # unit_id | opaque attendee key | office member's name
    at: dt.datetime
    note: str = ""

    def __post_init__(self) -> None:
        problems = []
        if self.source not in CONFIRMATION_SOURCES:
            problems.append(f"confirmation of {self.record_id}: unknown source {self.source!r}")
        if self.result not in CONFIRMATION_RESULTS:
            problems.append(f"confirmation of {self.record_id}: unknown result {self.result!r}")
        if not self.by.strip():
            problems.append(f"confirmation of {self.record_id}: 'by' must not be blank")
        if problems:
            raise ProblemError(problems)


@dataclass(frozen=True)
class FeedbackItem:
    """One item students raised (feedback.csv)."""

    item_id: str
    raised_at: dt.datetime
    record_id: str | None
    unit_id: str | None
    category: str
    text: str
    owner: str  # a leader_id or a department's name
    responded_at: dt.datetime | None = None
    resolved_at: dt.datetime | None = None
    rating: str | None = None  # satisfied | basically | unsatisfied
    reopened: int = 0
    anonymous: bool = False

    def __post_init__(self) -> None:
        problems = []
        if self.category not in FEEDBACK_CATEGORIES:
            problems.append(f"item {self.item_id}: unknown category {self.category!r}")
        if self.rating is not None and self.rating not in RATINGS:
            problems.append(f"item {self.item_id}: unknown rating {self.rating!r}")
        if self.reopened < 0:
            problems.append(f"item {self.item_id}: reopened must not be negative")
        if not self.owner.strip():
            problems.append(f"item {self.item_id}: owner must not be blank")
        for name, moment in (("responded_at", self.responded_at), ("resolved_at", self.resolved_at)):
            if moment is not None and moment < self.raised_at:
                problems.append(f"item {self.item_id}: {name} is before raised_at")
        if problems:
            raise ProblemError(problems)


@dataclass(frozen=True)
class RecordSet:
    """Everything recorded for one term."""

    visits: tuple[VisitRecord, ...] = ()
    confirmations: tuple[Confirmation, ...] = ()
    feedback: tuple[FeedbackItem, ...] = ()


@dataclass(frozen=True)
class EvidenceSettings:
    """The optional term.csv columns of the records contract."""

    respond_days: int = 2
    resolve_days: int = 7
    checkin_min: int = 3
    confirm_share: float = 0.8

    def __post_init__(self) -> None:
        problems = []
        if self.respond_days < 1 or self.resolve_days < 1:
            problems.append("respond_days and resolve_days must be at least 1")
        if self.checkin_min < 1:
            problems.append("checkin_min must be at least 1")
        if not 0.0 <= self.confirm_share <= 1.0:
            problems.append("confirm_share must lie in 0..1")
        if problems:
            raise ProblemError(problems)

    @classmethod
    def of(cls, term: Term) -> EvidenceSettings:
        return cls(term.respond_days, term.resolve_days, term.checkin_min, term.confirm_share)
