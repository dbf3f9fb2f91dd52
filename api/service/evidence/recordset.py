"""The stored evidence of a term as the records contract's ``RecordSet``, and the judgements made
from it: evidence per visit record, the compliance report. (The rules are ``solver.evidence``.)"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from functools import partial
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.service.evidence.visits import Published
from api.service.storage.models import (
    Checkin,
    Confirmation,
    FeedbackItem,
    RecordVersion,
    VisitRecord,
)
from data import evidence_files
from solver.evidence import records as rec
from solver.evidence.evidence import evidence_of, units_of_target
from solver.evidence.report import ComplianceReport, compliance, resolve_visits


def _local(moment: dt.datetime | None, zone: ZoneInfo) -> dt.datetime | None:
    """In the term's zone, to the minute: the records contract's resolution, so that the live
    judgement and the one made from records.zip are the same."""
    return moment.astimezone(zone).replace(second=0, microsecond=0) if moment is not None else None


def _at(moment: dt.datetime, zone: ZoneInfo) -> dt.datetime:
    return moment.astimezone(zone).replace(second=0, microsecond=0)


def visit_of(record: VisitRecord, version: RecordVersion, zone: ZoneInfo) -> rec.VisitRecord:
    return rec.VisitRecord(
        record_id=record.record_id, uid=record.uid, leader_id=record.leader_id, status=version.status,
        start=_local(version.start, zone), end=_local(version.end, zone),
        visit_kind=record.visit_kind or None, target_id=record.target_id or None, attendees=version.attendees,
        reason=version.reason, recorded_at=_at(version.recorded_at, zone), note=version.note,
    )  # fmt: skip


def current_visits(session: Session, term_id: str, record_ids: Iterable[str] | None = None) -> list[tuple[VisitRecord, RecordVersion]]:
    query = (
        select(VisitRecord, RecordVersion)
        .join(RecordVersion, (RecordVersion.record_id == VisitRecord.record_id) & (RecordVersion.version == VisitRecord.version))
        .where(VisitRecord.term_id == term_id)
        .order_by(VisitRecord.created_at, VisitRecord.record_id)
    )
    if record_ids is not None:
        query = query.where(VisitRecord.record_id.in_(list(record_ids)))
    return [(r, v) for r, v in session.execute(query)]


def confirmations_of(
    session: Session, term_id: str, zone: ZoneInfo, record_by_uid: dict[str, str], uids: Iterable[str] | None = None
) -> list[rec.Confirmation]:
    """The term's confirmations, check-ins among them, for the records that exist (a confirmation
    or check-in given before its visit was recorded counts for the record made later)."""
    out: list[rec.Confirmation] = []
    query = select(Confirmation).where(Confirmation.term_id == term_id).order_by(Confirmation.id)
    checkins = select(Checkin).where(Checkin.term_id == term_id).order_by(Checkin.id)
    if uids is not None:
        chosen = list(uids)
        query, checkins = query.where(Confirmation.uid.in_(chosen) | Confirmation.record_id.in_(chosen)), checkins.where(Checkin.uid.in_(chosen))
    for c in session.scalars(query):
        record_id = c.record_id or (record_by_uid.get(c.uid) if c.uid else None)
        if record_id:
            out.append(rec.Confirmation(record_id, c.source, c.result, c.by, _at(c.at, zone), c.note))
    for k in session.scalars(checkins):
        record_id = record_by_uid.get(k.uid)
        if record_id:
            out.append(rec.Confirmation(record_id, "checkin", "confirmed", k.attendee_key, _at(k.at, zone)))
    return out


def item_of(i: FeedbackItem, zone: ZoneInfo) -> rec.FeedbackItem:
    return rec.FeedbackItem(
        item_id=i.item_id, raised_at=_at(i.raised_at, zone), record_id=i.record_id, unit_id=i.unit_id,
        category=i.category, text=i.text, owner=i.owner, responded_at=_local(i.responded_at, zone),
        resolved_at=_local(i.resolved_at, zone), rating=i.rating, reopened=i.reopened, anonymous=i.anonymous,
    )  # fmt: skip


def feedback_of(session: Session, term_id: str, zone: ZoneInfo) -> list[rec.FeedbackItem]:
    items = session.scalars(select(FeedbackItem).where(FeedbackItem.term_id == term_id).order_by(FeedbackItem.raised_at, FeedbackItem.item_id))
    return [item_of(i, zone) for i in items]


def record_set(session: Session, published: Published) -> rec.RecordSet:
    """Everything recorded for the term of ``published``."""
    zone = published.zone
    pairs = current_visits(session, published.term_id)
    by_uid = {r.uid: r.record_id for r, _ in pairs if r.uid}
    return rec.RecordSet(
        visits=tuple(visit_of(r, v, zone) for r, v in pairs),
        confirmations=tuple(confirmations_of(session, published.term_id, zone, by_uid)),
        feedback=tuple(feedback_of(session, published.term_id, zone)),
    )


def evidence(session: Session, published: Published, records: Iterable[VisitRecord]) -> dict[str, str | None]:
    """record_id -> ``confirmed`` / ``self_reported`` / ``disputed`` (None: not held)."""
    wanted = {r.record_id: r for r in records}
    if not wanted:
        return {}
    zone = published.zone
    pairs = current_visits(session, published.term_id, wanted)
    by_uid = {r.uid: r.record_id for r, _ in pairs if r.uid}
    confirmations = confirmations_of(session, published.term_id, zone, by_uid, list(by_uid) + list(wanted))
    settings = rec.EvidenceSettings.of(published.problem.term)
    target_units = partial(units_of_target, published.problem)
    out: dict[str, str | None] = {}
    for visit in resolve_visits([visit_of(r, v, zone) for r, v in pairs], published.plan):  # kind and target from the plan
        out[visit.record_id] = evidence_of(visit, confirmations, target_units, settings) if visit.held else None
    return out


def report(session: Session, published: Published, as_of: dt.datetime | None, lang: str) -> ComplianceReport:
    """The records contract's compliance report of the term, from what the service holds."""
    if as_of is not None and as_of.tzinfo is None:
        as_of = as_of.replace(tzinfo=published.zone)
    return compliance(published.problem, published.plan, record_set(session, published), as_of, lang=lang)


def records_zip(session: Session, published: Published) -> bytes:
    """records.zip: the term's records as the contract's CSV files."""
    return evidence_files.records_zip(record_set(session, published), published.plan.timezone)
