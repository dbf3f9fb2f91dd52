"""Visits: record what happened (versions, history), unplanned visits, check-in codes and check-ins,
confirmations by the visited unit or the office."""

from __future__ import annotations

import secrets
from typing import Annotated

from fastapi import APIRouter, Body, Cookie, Depends, Request, Response
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from api.service.auth import Principal, audit
from api.service.deps import Anyone, LangDep, SessionDep, StateDep, base_url
from api.service.errors import ApiError, not_found
from api.service.evidence import checkin, confirm, feedback, records, recordset, views, visits
from api.service.evidence.visits import Published
from api.service.routes import errors, lang_param
from api.service.schemas import (
    CheckinCodeOut,
    CheckinIn,
    CheckinOut,
    ConfirmationIn,
    ConfirmationOut,
    RaisedIn,
    RecordHistory,
    RecordIn,
    RecordSaved,
    UnplannedIn,
)
from api.service.state import ServiceState
from api.service.storage import tenancy
from api.service.storage.db import write_lock
from api.service.storage.models import VisitRecord

router = APIRouter(tags=["visits"], dependencies=[Depends(lang_param)], responses=errors(401, 403, 404, 422))
public = APIRouter(tags=["visits"], responses=errors(404, 422))
DEVICE_COOKIE = "frontline_device"


def _saved(
    state: ServiceState, session: Session, published: Published, saved: records.Saved, target_id: str, raised: list[RaisedIn],
    who: Principal,
) -> RecordSaved:  # fmt: skip
    now = state.now()
    items = []
    for r in raised:
        origin = feedback.Origin(published.term_id, saved.record.record_id, feedback.visit_unit(published, target_id), saved.record.leader_id)
        items.append(feedback.add(session, origin, r, now, who))
    evidence = recordset.evidence(session, published, [saved.record]).get(saved.record.record_id)
    out = RecordSaved(
        record_id=saved.record.record_id, version=saved.version.version, evidence=evidence,  # type: ignore[arg-type]
        items=[feedback.created(i, published, now) for i in items],
    )  # fmt: skip
    session.commit()
    return out


@router.put(
    "/api/visits/{uid}/record", response_model=RecordSaved, responses=errors(409),
    summary="记录走访实际情况（每次修改新增一个版本）/ record what happened; a change adds a version",
)  # fmt: skip
def put_record(uid: str, body: RecordIn, state: StateDep, session: SessionDep, who: Anyone) -> RecordSaved:
    write_lock(session)
    visit = visits.find(state, session, uid)
    visits.require_leader_or_office(who, visit.event.leader_id)
    try:
        saved = records.record_planned(session, visit, body, state.now(), who)
        return _saved(state, session, visit.published, saved, visit.event.target_id, body.raised, who)
    except IntegrityError:  # another change of this record at the same moment
        session.rollback()
        raise ApiError(
            409, "conflict", "这条记录刚刚被另一处同时修改；请刷新后重新提交",
            "the record was changed elsewhere at the same moment; reload it and send the change again",
        ) from None  # fmt: skip


@router.get("/api/visits/{uid}/record/history", response_model=RecordHistory, summary="走访记录的全部版本 / every version of the record")
def record_history(uid: str, state: StateDep, session: SessionDep, who: Anyone) -> RecordHistory:
    visit = visits.find(state, session, uid)
    if who.role == "unit" or (who.role == "leader" and who.subject_id != visit.event.leader_id) or not (who.is_link or who.allows("reader")):
        raise visits.forbidden("只有该走访的领导或办公室可以查看记录历史", "only the visit's leader or the office can read the record's history")
    record = records.current(session, visit.term_id, uid)
    if record is None:
        raise not_found("走访记录", "record of visit", uid)
    return RecordHistory(
        record_id=record.record_id, uid=record.uid, leader_id=record.leader_id,
        versions=[views.version_out(v, visit.published.zone) for v in records.versions(session, record.record_id)],
    )  # fmt: skip


@router.post(
    "/api/records", status_code=201, response_model=RecordSaved, responses=errors(409),
    summary="记录计划外的走访 / record an unplanned visit",
)  # fmt: skip
def post_record(body: UnplannedIn, state: StateDep, session: SessionDep, who: Anyone) -> RecordSaved:
    write_lock(session)
    if who.role == "unit":
        raise visits.forbidden("联系对象不能记录走访；请由领导或办公室记录", "a unit cannot record visits; the leader or the office does")
    if who.role == "leader":
        if body.leader_id not in (None, who.subject_id):
            raise visits.forbidden("只能记录自己的走访", "you can record only your own visits")
        leader_id = who.subject_id
        published = visits.published_of(state, session, "leader", leader_id)
    else:
        visits.require_office(who)
        if not body.leader_id:
            raise ApiError(422, "invalid_request", "请写明走访的领导（leader_id）", "name the leader (leader_id)",
                           problems=[("request", None, "body.leader_id", "缺少此项", "missing")])  # fmt: skip
        leader_id = body.leader_id
        published = (visits.published_of_term(state, session, body.term_id) if body.term_id
                     else visits.published_of(state, session, "leader", leader_id))  # fmt: skip
    if published is None:
        raise ApiError(409, "conflict", "该领导还没有已发布的计划所属学期", "no published plan of a term names this leader")
    _check_names(published, leader_id, body.target_id)
    saved = records.record_unplanned(
        session, published.term_id, leader_id, body.visit_kind, body.target_id, body, published.zone, state.now(), who
    )
    return _saved(state, session, published, saved, body.target_id, body.raised, who)


def _check_names(published: Published, leader_id: str, target_id: str) -> None:
    problem = published.problem
    problems: list[records.Problem5] = []
    try:
        problem.leader(leader_id)
    except KeyError:
        problems.append(("request", None, "body.leader_id", f"学期数据中没有领导 {leader_id}", f"no leader {leader_id} in the term's data"))
    try:
        problem.target(target_id)
    except KeyError:
        problems.append(("request", None, "body.target_id", f"学期数据中没有对象 {target_id}（联系对象、场所、活动或课堂）",
                         f"no unit, venue, activity or course section {target_id} in the term's data"))  # fmt: skip
    if problems:
        raise records.invalid(problems)


@router.post(
    "/api/visits/{uid}/checkin-code", response_model=CheckinCodeOut, responses=errors(409),
    summary="生成签到二维码（走访期间，约一分钟有效）/ a short-lived check-in code and its QR code",
)  # fmt: skip
def checkin_code(uid: str, request: Request, state: StateDep, session: SessionDep, who: Anyone) -> CheckinCodeOut:
    write_lock(session)
    visit = visits.find(state, session, uid)
    if not (who.role == "leader" and who.subject_id == visit.event.leader_id):
        raise visits.forbidden("只有该走访的领导本人可以在现场生成签到码", "only the visit's own leader can show a check-in code at the visit")
    code = checkin.issue_code(state, session, visit, base_url(state, request), who)
    session.commit()
    return CheckinCodeOut(code=code.code, url=code.url, svg=code.svg, expires_at=code.expires_at)


@public.post(
    "/checkin/{code}", status_code=201, response_model=CheckinOut,
    responses={200: {"model": CheckinOut, "description": "already checked in: counted once"}, **errors(404, 409, 422),
               410: {"model": errors(422)[422]["model"], "description": "the code has expired / 签到码已过期"}},
    summary="学生签到（无需令牌；只保存学号的加盐哈希）/ a student checks in (no token)",
)  # fmt: skip
def post_checkin(
    code: str, response: Response, state: StateDep, session: SessionDep, lang: LangDep,
    body: Annotated[CheckinIn | None, Body()] = None,
    device_cookie: Annotated[str | None, Cookie(alias=DEVICE_COOKIE, include_in_schema=False)] = None,
) -> CheckinOut:  # fmt: skip
    write_lock(session)
    row = checkin.lookup_code(session, code)
    tenancy.bind(session, row.university_id)  # the code names its university
    visit = visits.find(state, session, row.uid)
    student_no = body.student_no if body else None
    device = (body.device if body else None) or (device_cookie if device_cookie and 8 <= len(device_cookie) <= 200 else None)
    if student_no is None and device is None:
        device = secrets.token_urlsafe(16)
        response.set_cookie(DEVICE_COOKIE, device, max_age=400 * 86400, httponly=True, samesite="lax")
    key = checkin.attendee_key(checkin.salt(state, session), student_no, device)
    counted, total = checkin.check_in(state, session, row, visit, key)
    if counted:
        audit(session, Principal("", "student (check-in)", "checkin"), "checkin", row.uid,
              {"term_id": row.term_id, "code_id": row.id, "by": "student_no" if student_no else "device"})  # fmt: skip
    session.commit()
    if not counted:
        response.status_code = 200
    en = lang == "en"
    message = (("checked in" if en else "签到成功") if counted else ("already checked in; counted once" if en else "您已签到过，只计一次"))
    return CheckinOut(counted=counted, checkins=total, message=message)


@router.post(
    "/api/visits/{uid}/confirmation", status_code=201, response_model=ConfirmationOut,
    summary="确认或否认走访（被走访单位的链接，或办公室回访）/ confirm or deny a visit (the visited unit, or an office callback)",
)  # fmt: skip
def post_confirmation(uid: str, body: ConfirmationIn, state: StateDep, session: SessionDep, who: Anyone) -> ConfirmationOut:
    write_lock(session)
    visit = visits.find(state, session, uid)
    if who.role == "leader":
        raise visits.forbidden("领导不能确认自己的走访；由被走访单位或办公室确认", "a leader cannot confirm visits; the visited unit or the office does")
    row = confirm.confirm(session, visit, body, state.now(), who)
    record = session.scalars(select(VisitRecord).where(VisitRecord.record_id == row.record_id)).first() if row.record_id else None
    evidence = recordset.evidence(session, visit.published, [record]).get(record.record_id) if record else None
    session.commit()
    return ConfirmationOut(
        confirmation_id=row.id, uid=uid, record_id=row.record_id, source=row.source, result=row.result,  # type: ignore[arg-type]
        by=row.by, at=row.at.astimezone(visit.published.zone), evidence=evidence,  # type: ignore[arg-type]
    )  # fmt: skip
