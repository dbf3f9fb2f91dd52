"""Evidence rows to response bodies."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from api.service import plans
from api.service.evidence import recordset
from api.service.evidence.visits import Published
from api.service.schemas import EventOut, RecordOut, RecordVersionOut, VisitOut
from api.service.storage.models import Checkin, RecordVersion, VisitRecord
from solver.result import Event


def local(moment: dt.datetime | None, zone: ZoneInfo) -> dt.datetime | None:
    """Moments are answered in the term's time zone (stored in UTC)."""
    return moment.astimezone(zone) if moment is not None else None


def record_out(record: VisitRecord, version: RecordVersion, evidence: str | None, zone: ZoneInfo) -> RecordOut:
    return RecordOut(
        record_id=record.record_id, term_id=record.term_id, uid=record.uid, leader_id=record.leader_id,
        visit_kind=record.visit_kind, target_id=record.target_id, version=version.version,
        status=version.status, start=local(version.start, zone), end=local(version.end, zone),  # type: ignore[arg-type]
        attendees=version.attendees, reason=version.reason, note=version.note,
        recorded_at=version.recorded_at.astimezone(zone), recorded_by=version.recorded_by, evidence=evidence,  # type: ignore[arg-type]
    )  # fmt: skip


def version_out(v: RecordVersion, zone: ZoneInfo) -> RecordVersionOut:
    return RecordVersionOut(
        version=v.version, status=v.status, start=local(v.start, zone), end=local(v.end, zone), attendees=v.attendees,  # type: ignore[arg-type]
        reason=v.reason, note=v.note, recorded_at=v.recorded_at.astimezone(zone), recorded_by=v.recorded_by, source=v.source,
    )  # fmt: skip


def visit_views(session: Session, published: Published, events: list[Event]) -> list[VisitOut]:
    """Each event with its current record, evidence and check-in count (a few queries in all)."""
    uids = [e.uid for e in events]
    pairs = {
        r.uid: (r, v)
        for r, v in session.execute(
            select(VisitRecord, RecordVersion)
            .join(RecordVersion, (RecordVersion.record_id == VisitRecord.record_id) & (RecordVersion.version == VisitRecord.version))
            .where(VisitRecord.term_id == published.term_id, VisitRecord.uid.in_(uids))
        )
    }  # fmt: skip
    evidence = recordset.evidence(session, published, [r for r, _ in pairs.values()])
    counts = {
        uid: n for uid, n in session.execute(
            select(Checkin.uid, func.count()).where(Checkin.term_id == published.term_id, Checkin.uid.in_(uids)).group_by(Checkin.uid)
        )
    }  # fmt: skip
    out = []
    for e in events:
        pair = pairs.get(e.uid)
        found = evidence.get(pair[0].record_id) if pair else None
        out.append(VisitOut(
            visit=EventOut(**plans.event_record(e)), record=record_out(pair[0], pair[1], found, published.zone) if pair else None,
            evidence=found, checkins=int(counts.get(e.uid, 0)),  # type: ignore[arg-type]
        ))  # fmt: skip
    return out


def current_week(published: Published, now: dt.datetime) -> int | None:
    """The term week of ``now`` (None outside the term)."""
    term = published.problem.term
    days = (now.astimezone(published.zone).date() - term.start_date).days
    week = days // 7 + 1
    return week if 1 <= week <= term.weeks else None
