"""Visit records: what happened at a planned visit (or an unplanned one), kept in versions.

A record is made the first time a visit is recorded; every later change adds a version (the
earlier ones stay, ``history`` lists them). The current version is the latest.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.service.auth import Principal, audit
from api.service.errors import ApiError
from api.service.evidence.visits import Visit, local
from api.service.schemas import RecordIn
from api.service.storage.models import RecordVersion, VisitRecord, new_id

Problem5 = tuple[str, int | None, str | None, str, str]


@dataclass(frozen=True)
class Saved:
    record: VisitRecord
    version: RecordVersion


def new_record_id() -> str:
    return f"R{new_id()[:15]}"


def invalid(problems: list[Problem5]) -> ApiError:
    return ApiError(
        422, "invalid_record",
        "走访记录有误：" + "；".join(p[3] for p in problems),
        "the visit record is not valid: " + "; ".join(p[4] for p in problems),
        problems=problems,
    )  # fmt: skip


def check(body: RecordIn, zone: ZoneInfo, now: dt.datetime, not_before: dt.datetime | None) -> tuple[dt.datetime | None, dt.datetime | None]:
    """The record's (start, end), aware; 422 naming each field at fault.

    ``not_before``: the planned start of the visit (a visit that has not started cannot be recorded).
    """
    problems: list[Problem5] = []

    def bad(field: str, zh: str, en: str) -> None:
        problems.append(("request", None, f"body.{field}", f"{field}: {zh}", f"{field}: {en}"))

    if not_before is not None and now < not_before:
        shown = not_before.astimezone(zone).strftime("%Y-%m-%d %H:%M")
        bad("status", f"这次走访 {shown} 才开始，开始之前不能记录", f"the visit starts at {shown}; it cannot be recorded before it starts")
    start = local(body.start, zone) if body.start else None
    end = local(body.end, zone) if body.end else None
    if body.status == "held":
        if start is None:
            bad("start", "已开展的走访需要实际开始时间", "a held visit needs the time it actually started")
        if end is None:
            bad("end", "已开展的走访需要实际结束时间", "a held visit needs the time it actually ended")
        if start is not None and end is not None and end <= start:
            bad("end", "结束时间必须晚于开始时间", "the end must be after the start")
        if start is not None and start > now:
            bad("start", "开始时间在将来；只能记录已经发生的事", "the start lies in the future; record only what happened")
    else:
        if not body.reason.strip():
            bad("reason", "未开展的走访需要说明原因（如临时会议、学生考试周）", "a visit that was not held needs a reason (e.g. an urgent meeting)")
        start = end = None
    if problems:
        raise invalid(problems)
    return start, end


def current(session: Session, term_id: str, uid: str) -> VisitRecord | None:
    return session.scalars(select(VisitRecord).where(VisitRecord.term_id == term_id, VisitRecord.uid == uid)).first()


def add_version(
    session: Session, record: VisitRecord, body: RecordIn, start: dt.datetime | None, end: dt.datetime | None,
    now: dt.datetime, who: Principal, source: str = "service",
) -> RecordVersion:  # fmt: skip
    record.version = (record.version or 0) + 1
    version = RecordVersion(
        record_id=record.record_id, version=record.version, status=body.status, start=start, end=end,
        attendees=body.attendees, reason=body.reason.strip(), note=body.note.strip(), recorded_at=now,
        recorded_by=who.name, source=source,
    )  # fmt: skip
    session.add(version)
    session.flush()
    audit(session, who, "record.version" if record.version > 1 else "record.create", record.record_id,
          {"term_id": record.term_id, "uid": record.uid, "version": record.version, "status": body.status})  # fmt: skip
    return version


def record_planned(session: Session, visit: Visit, body: RecordIn, now: dt.datetime, who: Principal) -> Saved:
    event = visit.event
    if event.status == "cancelled":
        raise ApiError(
            409, "conflict", "这次走访已在重新规划中取消，不能记录；如确有开展，请作为计划外走访记录（POST /api/records）",
            "this visit was cancelled by a re-plan; if it did happen, record it as an unplanned visit (POST /api/records)",
        )  # fmt: skip
    start, end = check(body, visit.published.zone, now, event.start)
    record = current(session, visit.term_id, event.uid)
    if record is None:
        record = VisitRecord(
            record_id=new_record_id(), term_id=visit.term_id, uid=event.uid, leader_id=event.leader_id,
            visit_kind=event.visit_kind, target_id=event.target_id, version=0, created_at=now, created_by=who.name,
        )  # fmt: skip
        session.add(record)
        session.flush()
    return Saved(record, add_version(session, record, body, start, end, now, who))


def record_unplanned(
    session: Session, term_id: str, leader_id: str, visit_kind: str, target_id: str, body: RecordIn,
    zone: ZoneInfo, now: dt.datetime, who: Principal,
) -> Saved:  # fmt: skip
    start, end = check(body, zone, now, None)
    record = VisitRecord(
        record_id=new_record_id(), term_id=term_id, uid=None, leader_id=leader_id, visit_kind=visit_kind,
        target_id=target_id, version=0, created_at=now, created_by=who.name,
    )  # fmt: skip
    session.add(record)
    session.flush()
    return Saved(record, add_version(session, record, body, start, end, now, who))


def versions(session: Session, record_id: str) -> list[RecordVersion]:
    return list(session.scalars(select(RecordVersion).where(RecordVersion.record_id == record_id).order_by(RecordVersion.version)))


def latest(session: Session, record: VisitRecord) -> RecordVersion:
    return session.scalars(
        select(RecordVersion).where(RecordVersion.record_id == record.record_id, RecordVersion.version == record.version)
    ).one()
