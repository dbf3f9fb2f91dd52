"""The feedback ledger (信息收集反馈机制, after 接诉即办): deadlines, states and the three rates.

State of an item as of a moment, first rule that applies:
- ``resolved``: resolved, and the students' rating (if any) is not ``unsatisfied``;
- ``escalated``: reopened twice or more (督办: the office takes it over);
- ``overdue``: not answered by its respond-by deadline, or not resolved by its resolve-by deadline,
  and that deadline has passed (also handed to the office: ``escalated_to_office``);
- ``reopened``: an unsatisfied rating (or a reopening) and not resolved since;
- ``answered``: answered, not yet resolved;
- ``open``.
Rates (per owner and in total):
- response = answered by respond-by / items whose respond-by has passed or that were answered;
- resolution = resolved by resolve-by / items whose resolve-by has passed or that were resolved;
- satisfaction = (satisfied + basically) / rated items.
A rate with nothing to count is None (shown blank).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from ..termcal import WorkingDays
from .records import EvidenceSettings, FeedbackItem
from .workdays import deadline

TOTAL = "TOTAL"


@dataclass(frozen=True)
class Deadlines:
    respond_by: dt.datetime
    resolve_by: dt.datetime


@dataclass(frozen=True)
class ItemStatus:
    """One item of the ledger as of a moment."""

    item: FeedbackItem
    respond_by: dt.datetime
    resolve_by: dt.datetime
    state: str
    escalated_to_office: bool  # overdue or escalated: 督办
    answered_on_time: bool
    resolved_on_time: bool


@dataclass(frozen=True)
class Rates:
    """Counts and rates of one owner (or ``TOTAL``)."""

    owner: str
    items: int
    response_due: int
    responded_on_time: int
    resolution_due: int
    resolved_on_time: int
    rated: int
    satisfied: int  # satisfied + basically
    overdue: int
    escalated: int

    @property
    def response_rate(self) -> float | None:
        return _rate(self.responded_on_time, self.response_due)

    @property
    def resolution_rate(self) -> float | None:
        return _rate(self.resolved_on_time, self.resolution_due)

    @property
    def satisfaction_rate(self) -> float | None:
        return _rate(self.satisfied, self.rated)


def _rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def deadlines(
    item: FeedbackItem, days: WorkingDays, settings: EvidenceSettings, timezone: str
) -> Deadlines:
    return Deadlines(
        deadline(days, item.raised_at, settings.respond_days, timezone),
        deadline(days, item.raised_at, settings.resolve_days, timezone),
    )


def respond_by(item: FeedbackItem, days: WorkingDays, settings: EvidenceSettings, timezone: str) -> dt.datetime:
    return deadline(days, item.raised_at, settings.respond_days, timezone)


def resolve_by(item: FeedbackItem, days: WorkingDays, settings: EvidenceSettings, timezone: str) -> dt.datetime:
    return deadline(days, item.raised_at, settings.resolve_days, timezone)


def answered_at(item: FeedbackItem) -> dt.datetime | None:
    """The first answer: ``responded_at``, or the resolution when no earlier answer is recorded
    (an item is resolved "with the answer given")."""
    if item.responded_at is not None:
        return item.responded_at
    return item.resolved_at


def is_resolved(item: FeedbackItem) -> bool:
    """Resolved, and not reopened by the students' unsatisfied rating."""
    return item.resolved_at is not None and item.rating != "unsatisfied"


def item_status(
    item: FeedbackItem,
    as_of: dt.datetime,
    days: WorkingDays,
    settings: EvidenceSettings,
    timezone: str,
) -> ItemStatus:
    due = deadlines(item, days, settings, timezone)
    answered = answered_at(item)
    answered_on_time = answered is not None and answered <= due.respond_by
    resolved = is_resolved(item)
    resolved_on_time = resolved and item.resolved_at is not None and item.resolved_at <= due.resolve_by
    late_answer = answered is None and as_of > due.respond_by
    late_resolution = not resolved and as_of > due.resolve_by
    reopened = item.rating == "unsatisfied" or item.reopened > 0
    if resolved:
        state = "resolved"
    elif item.reopened >= 2:
        state = "escalated"
    elif late_answer or late_resolution:
        state = "overdue"
    elif reopened:
        state = "reopened"
    elif answered is not None:
        state = "answered"
    else:
        state = "open"
    return ItemStatus(
        item, due.respond_by, due.resolve_by, state, state in ("overdue", "escalated"),
        answered_on_time, resolved_on_time,
    )


def state(
    item: FeedbackItem, as_of: dt.datetime, days: WorkingDays, settings: EvidenceSettings, timezone: str
) -> str:
    """The item's state as of ``as_of`` (see the module's rules)."""
    return item_status(item, as_of, days, settings, timezone).state


def ledger(
    items: Iterable[FeedbackItem],
    as_of: dt.datetime,
    days: WorkingDays,
    settings: EvidenceSettings,
    timezone: str,
) -> tuple[ItemStatus, ...]:
    return tuple(item_status(i, as_of, days, settings, timezone) for i in items)


def rates_of(owner: str, statuses: Iterable[ItemStatus], as_of: dt.datetime) -> Rates:
    items = list(statuses)
    return Rates(
        owner=owner,
        items=len(items),
        response_due=sum(1 for s in items if answered_at(s.item) is not None or as_of > s.respond_by),
        responded_on_time=sum(1 for s in items if s.answered_on_time),
        resolution_due=sum(1 for s in items if is_resolved(s.item) or as_of > s.resolve_by),
        resolved_on_time=sum(1 for s in items if s.resolved_on_time),
        rated=sum(1 for s in items if s.item.rating is not None),
        satisfied=sum(1 for s in items if s.item.rating in ("satisfied", "basically")),
        overdue=sum(1 for s in items if s.state == "overdue"),
        escalated=sum(1 for s in items if s.state == "escalated"),
    )


def rates(statuses: Iterable[ItemStatus], as_of: dt.datetime) -> tuple[Rates, ...]:
    """Rates per owner (sorted), then ``TOTAL``."""
    items = list(statuses)
    by_owner: dict[str, list[ItemStatus]] = defaultdict(list)
    for s in items:
        by_owner[s.item.owner].append(s)
    rows = [rates_of(owner, group, as_of) for owner, group in sorted(by_owner.items())]
    return (*rows, rates_of(TOTAL, items, as_of))
