"""Bulk import of a records workbook or zip (offices type paper forms into the records template).

The file is read by ``data.evidence_files.read_records_bytes`` against the term's data and its
published plan, exactly as ``frontline compliance`` reads it (every problem located, 422). What it
holds is added to what the service keeps, never overwriting: a visit record already held (same
``record_id``) gets a new version when the row differs; a planned visit recorded under another
record_id is a located problem; confirmations and check-ins already held are not added twice; an
item already held takes the imported answers and ratings, with an ``import`` entry in its history.
The uploaded bytes are kept.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.service.auth import Principal, audit
from api.service.errors import ApiError
from api.service.evidence.visits import Published
from api.service.storage.models import (
    Checkin,
    Confirmation,
    FeedbackEvent,
    FeedbackItem,
    RecordImport,
    RecordVersion,
    VisitRecord,
)
from data import evidence_files
from data.problems import InputError, InputProblem
from solver.evidence import records as rec

Problem5 = tuple[str, int | None, str | None, str, str]


def _p(p: InputProblem) -> Problem5:
    return (p.file, p.row, p.column, p.zh, p.en)


def read(published: Published, filename: str, content: bytes, max_unzipped: int) -> evidence_files.RecordsRead:
    try:
        return evidence_files.read_records_bytes(filename, content, published.problem, published.plan, max_unzipped)
    except InputError as exc:
        raise ApiError(
            422, "invalid_records", f"走访记录有误，请按下列问题逐条修改后重新导入（共 {len(exc.problems)} 处）",
            f"the records have problems; fix each one listed and import again ({len(exc.problems)} found)",
            problems=[_p(p) for p in exc.problems], warnings=[_p(w) for w in exc.warnings],
        ) from None  # fmt: skip


def store(session: Session, published: Published, filename: str, content: bytes, records: rec.RecordSet, who: Principal) -> RecordImport:
    counts: Counter[str] = Counter()
    term_id = published.term_id
    _conflicts(session, term_id, records)
    _visits(session, term_id, records.visits, who, counts)
    held = _held_confirmations(session, term_id)
    for c in records.confirmations:
        key = (c.record_id, c.source, c.result, c.by, _minute(c.at))
        if key in held:
            counts["confirmations_kept"] += 1
            continue
        held.add(key)
        session.add(Confirmation(term_id=term_id, record_id=c.record_id, source=c.source, result=c.result, by=c.by, at=c.at, note=c.note, created_by=who.name))
        counts["confirmations_added"] += 1
    items = {i.item_id: i for i in session.scalars(select(FeedbackItem).where(FeedbackItem.item_id.in_([f.item_id for f in records.feedback])))}
    for f in records.feedback:
        counts[_item(session, term_id, items.get(f.item_id), f, who)] += 1
    row = RecordImport(term_id=term_id, filename=filename[:400], content=content, counts=dict(counts), created_by=who.name)
    session.add(row)
    session.flush()
    audit(session, who, "records.import", term_id, {"import_id": row.id, "filename": filename[:400], "bytes": len(content), **counts})
    return row


def _held_confirmations(session: Session, term_id: str) -> set[tuple[object, ...]]:
    """Confirmations and check-ins the service holds, as (record_id, source, result, by, minute)."""
    by_uid = {r.uid: r.record_id for r in session.scalars(select(VisitRecord).where(VisitRecord.term_id == term_id, VisitRecord.uid.is_not(None)))}
    held: set[tuple[object, ...]] = set()
    for c in session.scalars(select(Confirmation).where(Confirmation.term_id == term_id)):
        record_id = c.record_id or by_uid.get(c.uid or "")
        if record_id:
            held.add((record_id, c.source, c.result, c.by, _minute(c.at)))
    for k in session.scalars(select(Checkin).where(Checkin.term_id == term_id)):
        if k.uid in by_uid:
            held.add((by_uid[k.uid], "checkin", "confirmed", k.attendee_key, _minute(k.at)))
    return held


def _conflicts(session: Session, term_id: str, records: rec.RecordSet) -> None:
    held = {r.uid: r.record_id for r in session.scalars(select(VisitRecord).where(VisitRecord.term_id == term_id, VisitRecord.uid.is_not(None)))}
    problems: list[Problem5] = []
    for v in records.visits:
        other = held.get(v.uid) if v.uid else None
        if other is not None and other != v.record_id:
            problems.append((
                "visits", None, "record_id",
                f"计划走访 {v.uid} 已记录为 {other}；导入的 {v.record_id} 请改用同一 record_id（作为新版本）",
                f"the planned visit {v.uid} is recorded already as {other}; give {v.record_id} that record_id (a new version)",
            ))  # fmt: skip
    if problems:
        raise ApiError(422, "invalid_records", "导入的记录与已有记录冲突", "the imported records conflict with the records held", problems=problems)


def _visits(session: Session, term_id: str, visits: tuple[rec.VisitRecord, ...], who: Principal, counts: Counter[str]) -> None:
    ids = [v.record_id for v in visits]
    held: dict[str, VisitRecord] = {}
    for chunk in range(0, len(ids), 500):
        held.update({r.record_id: r for r in session.scalars(select(VisitRecord).where(VisitRecord.record_id.in_(ids[chunk:chunk + 500])))})
    elsewhere = sorted(r.record_id for r in held.values() if r.term_id != term_id)
    if elsewhere:
        raise ApiError(
            422, "invalid_records", f"record_id 已用于另一个学期：{', '.join(elsewhere[:5])}", f"record_id used by another term: {', '.join(elsewhere[:5])}",
            problems=[("visits", None, "record_id", f"{r} 已用于另一个学期", f"{r} belongs to another term") for r in elsewhere],
        )  # fmt: skip
    latest = {
        v.record_id: v for v in session.scalars(
            select(RecordVersion).join(VisitRecord, (VisitRecord.record_id == RecordVersion.record_id) & (VisitRecord.version == RecordVersion.version))
            .where(VisitRecord.term_id == term_id)
        )
    }  # fmt: skip
    added: list[tuple[VisitRecord, rec.VisitRecord]] = []
    for v in visits:
        record = held.get(v.record_id)
        if record is None:
            record = VisitRecord(
                record_id=v.record_id, term_id=term_id, uid=v.uid, leader_id=v.leader_id, visit_kind=v.visit_kind or "",
                target_id=v.target_id or "", version=0, created_by=who.name,
            )  # fmt: skip
            held[v.record_id] = record
            session.add(record)
            counts["visits_added"] += 1
        elif v.record_id in latest and _same(latest[v.record_id], v):
            counts["visits_kept"] += 1
            continue
        else:
            counts["visits_versioned"] += 1
        record.version += 1
        added.append((record, v))
    session.flush()  # the records before their versions
    session.add_all([
        RecordVersion(
            record_id=r.record_id, version=r.version, status=v.status, start=v.start, end=v.end, attendees=v.attendees,
            reason=v.reason, note=v.note, recorded_at=v.recorded_at, recorded_by=who.name, source="import",
        )
        for r, v in added
    ])  # fmt: skip


def _minute(moment: dt.datetime | None) -> dt.datetime | None:
    return moment.astimezone(dt.UTC).replace(second=0, microsecond=0) if moment else None


def _same(last: RecordVersion, v: rec.VisitRecord) -> bool:
    return (
        last.status == v.status and _minute(last.start) == _minute(v.start) and _minute(last.end) == _minute(v.end)
        and last.attendees == v.attendees and last.reason == v.reason and last.note == v.note
        and _minute(last.recorded_at) == _minute(v.recorded_at)
    )  # fmt: skip


def _item(session: Session, term_id: str, item: FeedbackItem | None, f: rec.FeedbackItem, who: Principal) -> str:
    values = {
        "responded_at": f.responded_at, "resolved_at": f.resolved_at, "rating": f.rating, "reopened": f.reopened,
        "owner": f.owner, "category": f.category, "text": f.text, "anonymous": f.anonymous,
    }  # fmt: skip
    if item is None:
        session.add(FeedbackItem(
            item_id=f.item_id, term_id=term_id, raised_at=f.raised_at, record_id=f.record_id, unit_id=f.unit_id,
            raised_by_role="office", raised_by=who.name, answer="", **values,
        ))  # fmt: skip
        session.flush()
        session.add(FeedbackEvent(item_id=f.item_id, actor_role=who.role, actor=who.name, kind="import", detail={"added": True}))
        return "items_added"
    if item.term_id != term_id:
        raise ApiError(422, "invalid_records", f"item_id {f.item_id} 已用于另一个学期", f"item_id {f.item_id} is used by another term",
                       problems=[("feedback", None, "item_id", f"{f.item_id} 已用于另一个学期", f"{f.item_id} belongs to another term")])  # fmt: skip
    changed = {k: str(v) for k, v in values.items() if _differs(getattr(item, k), v)}
    if not changed:
        return "items_kept"
    for k, v in values.items():
        setattr(item, k, v)
    session.add(FeedbackEvent(item_id=f.item_id, actor_role=who.role, actor=who.name, kind="import", detail=changed))
    return "items_updated"


def _differs(held: object, new: object) -> bool:
    if isinstance(held, dt.datetime) or isinstance(new, dt.datetime):
        return _minute(held if isinstance(held, dt.datetime) else None) != _minute(new if isinstance(new, dt.datetime) else None)
    return held != new
