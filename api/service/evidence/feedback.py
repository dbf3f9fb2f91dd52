"""What students raised: items, their owners, answers, ratings and history (the feedback loop).

Deadlines and states are the records contract's (``solver.evidence.feedback``); this module keeps
the items and who may see and change what:

- the office (and readers) see every item; a leader the items they own or raised; a unit its own;
- the office hands an item to another owner or sets it resolved / reopened; the owner answers it
  and marks it resolved; the unit it came from rates the answer (``unsatisfied`` reopens it);
- an anonymous item never shows where it came from (unit, visit, who raised it) to anyone but the
  office and the unit that raised it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.service.auth import Principal, audit
from api.service.errors import ApiError, not_found
from api.service.evidence import records, recordset, visits
from api.service.evidence.views import local
from api.service.evidence.visits import Published, forbidden
from api.service.feeds import _LRU
from api.service.schemas import FeedbackCreated, FeedbackIn, FeedbackOut, FeedbackPatch, RaisedIn
from api.service.state import ServiceState
from api.service.storage.models import FeedbackEvent, FeedbackItem, VisitRecord, new_id
from solver.evidence import feedback as rules
from solver.evidence.evidence import units_of_target
from solver.evidence.records import EvidenceSettings
from solver.evidence.records import FeedbackItem as ItemRecord
from solver.evidence.workdays import working_days


@dataclass(frozen=True)
class Origin:
    term_id: str
    record_id: str | None
    unit_id: str | None
    owner: str


def new_item_id() -> str:
    return f"F{new_id()[:15]}"


def as_record(item: FeedbackItem, published: Published) -> ItemRecord:
    return recordset.item_of(item, published.zone)


_WORKING_DAYS = _LRU(16)  # data version -> its working days (data versions never change)


def status(item: FeedbackItem, published: Published, as_of: dt.datetime) -> rules.ItemStatus:
    problem = published.problem
    days = _WORKING_DAYS.get(published.dataset_id, lambda: working_days(problem))
    return rules.item_status(as_record(item, published), as_of, days, EvidenceSettings.of(problem.term), published.plan.timezone)


def created(item: FeedbackItem, published: Published, now: dt.datetime) -> FeedbackCreated:
    s = status(item, published, now)
    return FeedbackCreated(item_id=item.item_id, respond_by=s.respond_by, resolve_by=s.resolve_by)


def _event(session: Session, item: FeedbackItem, who: Principal, kind: str, now: dt.datetime, **detail: object) -> None:
    session.add(FeedbackEvent(item_id=item.item_id, at=now, actor_role=who.role, actor=who.name, kind=kind, detail=dict(detail)))
    audit(session, who, f"feedback.{kind}", item.item_id, {"term_id": item.term_id, **detail})


def add(
    session: Session, origin: Origin, raised: RaisedIn | FeedbackIn, now: dt.datetime, who: Principal,
) -> FeedbackItem:  # fmt: skip
    item = FeedbackItem(
        item_id=new_item_id(), term_id=origin.term_id, raised_at=now, record_id=origin.record_id, unit_id=origin.unit_id,
        category=raised.category, text=raised.text.strip(), owner=origin.owner, anonymous=raised.anonymous,
        raised_by_role=who.role if who.is_link else "office", raised_by=who.subject_id if who.is_link else who.name,
        answer="", reopened=0,
    )  # fmt: skip
    session.add(item)
    session.flush()
    _event(session, item, who, "raise", now, owner=item.owner, anonymous=item.anonymous, category=item.category)
    return item


def visit_unit(published: Published, target_id: str) -> str | None:
    """The unit a visit's target names, when exactly one (a class, dorm, society or its activity)."""
    units = units_of_target(published.problem, target_id)
    return next(iter(units)) if len(units) == 1 else None


def origin_of(state: ServiceState, session: Session, body: FeedbackIn, who: Principal) -> tuple[Origin, Published]:
    """Where a new item comes from and who owns it; 403/404/422 when the caller may not raise it so."""
    visit = visits.find(state, session, body.uid) if body.uid else None
    record = None
    if body.record_id:
        record = session.scalars(select(VisitRecord).where(VisitRecord.record_id == body.record_id)).first()
        if record is None:
            raise not_found("走访记录", "visit record", body.record_id)
        if visit is None and record.uid:
            visit = visits.find(state, session, record.uid)
    elif visit is not None:
        record = records.current(session, visit.term_id, visit.event.uid)
    published = visit.published if visit else None
    if published is None and record is not None:
        published = visits.published_of_term(state, session, record.term_id)
    leader_id = visit.event.leader_id if visit else (record.leader_id if record else None)
    target_id = visit.event.target_id if visit else (record.target_id if record else None)
    if who.role == "leader":
        if leader_id is None:
            raise _needs("uid", "领导提交诉求时需注明是在哪次走访中收集的（uid 或 record_id）",
                         "a leader raises an item at a visit: give its uid or record_id")  # fmt: skip
        if leader_id != who.subject_id:
            raise forbidden("这不是您的走访", "this is not your visit")
    elif who.role == "unit":
        if body.unit_id not in (None, who.subject_id):
            raise forbidden("只能替本单位的学生提交诉求", "you can raise items only for your own unit's students")
        if target_id is not None and published is not None and who.subject_id not in units_of_target(published.problem, target_id):
            raise forbidden("这次走访不是到您的单位", "this visit was not to your unit")
        if published is None:
            published = visits.published_of(state, session, "unit", who.subject_id)
    else:
        visits.require_office(who)
        if published is None and body.term_id:
            published = visits.published_of_term(state, session, body.term_id)
    if published is None:
        raise ApiError(409, "conflict", "找不到该诉求所属学期的已发布计划", "no published plan of the item's term was found")
    unit_id = who.subject_id if who.role == "unit" else body.unit_id or (visit_unit(published, target_id) if target_id else None)
    if unit_id is not None and not _is_unit(published, unit_id):
        raise not_found("联系对象", "unit", unit_id)
    owner = body.owner or leader_id or linked_leader(published, unit_id)
    if not owner:
        raise _needs("owner", "请指定负责办理的领导（leader_id）或部门（owner）", "name the owner: a leader_id or the department that must act")
    return Origin(published.term_id, record.record_id if record else None, unit_id, owner.strip()), published


def _is_unit(published: Published, unit_id: str) -> bool:
    try:
        published.problem.unit(unit_id)
    except KeyError:
        return False
    return True


def _needs(field: str, zh: str, en: str) -> ApiError:
    return ApiError(422, "invalid_request", zh, en, problems=[("request", None, f"body.{field}", zh, en)])


def linked_leader(published: Published, unit_id: str | None) -> str | None:
    if unit_id is None:
        return None
    return next((a.leader_id for a in published.plan.assignments if a.unit_id == unit_id), None)


# reading -----------------------------------------------------------------------------------------
def visible(item: FeedbackItem, who: Principal) -> bool:
    if not who.is_link:
        return who.allows("reader")
    if who.role == "leader":
        return item.owner == who.subject_id or (item.raised_by_role == "leader" and item.raised_by == who.subject_id)
    return item.unit_id == who.subject_id or (item.raised_by_role == "unit" and item.raised_by == who.subject_id)


def shows_origin(item: FeedbackItem, who: Principal) -> bool:
    if not item.anonymous:
        return True
    if not who.is_link:
        return True
    return who.role == "unit" and (item.unit_id == who.subject_id or item.raised_by == who.subject_id)


def out(item: FeedbackItem, published: Published, who: Principal, now: dt.datetime) -> FeedbackOut:
    s = status(item, published, now)
    origin = shows_origin(item, who)
    zone = published.zone
    return FeedbackOut(
        item_id=item.item_id, term_id=item.term_id, raised_at=item.raised_at.astimezone(zone),
        record_id=item.record_id if origin else None, unit_id=item.unit_id if origin else None,
        category=item.category, text=item.text, owner=item.owner, anonymous=item.anonymous,  # type: ignore[arg-type]
        responded_at=local(item.responded_at, zone), resolved_at=local(item.resolved_at, zone), answer=item.answer,
        rating=item.rating, reopened=item.reopened, state=s.state, respond_by=s.respond_by, resolve_by=s.resolve_by,  # type: ignore[arg-type]
    )  # fmt: skip


def get_visible(session: Session, item_id: str, who: Principal) -> FeedbackItem:
    item = (
        session.scalars(select(FeedbackItem).where(FeedbackItem.item_id == item_id)).first()
        if item_id and len(item_id) <= 200 and "\x00" not in item_id else None
    )  # fmt: skip
    if item is None or not visible(item, who):
        raise not_found("诉求", "item", item_id.replace("\x00", ""))
    return item


def listed(session: Session, who: Principal, owner: str | None, term_id: str | None) -> list[FeedbackItem]:
    query = select(FeedbackItem).order_by(FeedbackItem.raised_at, FeedbackItem.item_id)
    if owner:
        query = query.where(FeedbackItem.owner == owner)
    if term_id:
        query = query.where(FeedbackItem.term_id == term_id)
    if who.role == "leader":
        query = query.where(
            (FeedbackItem.owner == who.subject_id)
            | ((FeedbackItem.raised_by_role == "leader") & (FeedbackItem.raised_by == who.subject_id))
        )
    elif who.role == "unit":
        query = query.where(
            (FeedbackItem.unit_id == who.subject_id)
            | ((FeedbackItem.raised_by_role == "unit") & (FeedbackItem.raised_by == who.subject_id))
        )
    return list(session.scalars(query))


# changing ----------------------------------------------------------------------------------------
def patch(session: Session, item: FeedbackItem, body: FeedbackPatch, now: dt.datetime, who: Principal) -> None:
    office = not who.is_link and who.allows("office")
    is_owner = who.role == "leader" and who.subject_id == item.owner
    if not office and not is_owner:
        raise forbidden("只有办公室或该诉求的负责人可以修改它", "only the office or the item's owner can change it")
    if (body.owner is not None or body.state is not None) and not office:
        raise forbidden("负责人和状态由办公室调整；您可以答复（answer）或标记已解决（resolved）",
                        "the office changes the owner and the state; you can answer or mark it resolved")  # fmt: skip
    if body.owner is not None and body.owner != item.owner:
        _event(session, item, who, "owner", now, previous=item.owner, owner=body.owner)
        item.owner = body.owner.strip()
    if body.answer is not None:
        item.answer = body.answer.strip()
        if item.responded_at is None:
            item.responded_at = now
        _event(session, item, who, "answer", now, answer=item.answer)
    if body.resolved or body.state == "resolved":
        if not item.answer and body.answer is None:
            raise _needs("answer", "标记已解决时请写明给学生的答复", "give the answer to the students when marking it resolved")
        item.resolved_at, item.rating = now, None  # a new answer awaits a new rating
        if item.responded_at is None:
            item.responded_at = now
        _event(session, item, who, "resolve", now)
    elif body.resolved is False or body.state == "reopened":
        item.resolved_at = None
        item.reopened += 1
        _event(session, item, who, "reopen", now, reopened=item.reopened)


def rate(session: Session, item: FeedbackItem, rating: str, now: dt.datetime, who: Principal) -> None:
    from_unit = who.role == "unit" and (item.unit_id == who.subject_id or (item.raised_by_role == "unit" and item.raised_by == who.subject_id))
    if not from_unit:
        raise forbidden("只有提出诉求的单位可以评价答复", "only the unit the item came from can rate the answer")
    if item.responded_at is None and item.resolved_at is None:
        raise ApiError(409, "conflict", "该诉求还没有答复，暂不能评价", "the item has no answer yet; rate it once it is answered")
    item.rating = rating
    if rating == "unsatisfied":
        item.reopened += 1
    _event(session, item, who, "rate", now, rating=rating, reopened=item.reopened)


def history(session: Session, item: FeedbackItem) -> list[FeedbackEvent]:
    return list(session.scalars(select(FeedbackEvent).where(FeedbackEvent.item_id == item.item_id).order_by(FeedbackEvent.id)))
