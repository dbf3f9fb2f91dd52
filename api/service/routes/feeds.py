"""Calendar feed URLs (for the office) and the feeds themselves (for calendar apps)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Header, Query, Request, Response
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from api.service import feeds, views
from api.service.auth import Principal
from api.service.deps import LangDep, Office, SessionDep, StateDep, get_state
from api.service.errors import ApiError, not_found
from api.service.routes import errors, lang_param
from api.service.schemas import FeedOut
from api.service.storage.db import write_lock
from api.service.storage.models import RosterEntry, Term

router = APIRouter(tags=["feeds"], dependencies=[Depends(lang_param)], responses=errors(401, 403, 404, 422))
public = APIRouter(tags=["feeds"])

_SUBJECT = {"leader": ("领导", "leader"), "unit": ("联系对象", "unit")}


def _check_subject(session: Session, kind: str, subject_id: str) -> None:
    if kind == "office":
        views.get_or_404(session, Term, subject_id)
        return
    found = "\x00" not in subject_id and session.scalars(
        select(RosterEntry.id).where(RosterEntry.kind == kind, RosterEntry.member_id == subject_id).limit(1)
    ).first()
    if not found:
        raise not_found(*_SUBJECT[kind], subject_id)


def _feed_out(
    request: Request, state: StateDep, session: Session, who: Principal, kind: str, subject_id: str,
    lang: str, *, rotate: bool,
) -> FeedOut:  # fmt: skip
    write_lock(session)  # issue or rotate: one at a time per database (the index keeps one URL per subscriber)
    _check_subject(session, kind, subject_id)
    existing = None if rotate else feeds.active_token(session, kind, subject_id)
    if existing is not None:
        return FeedOut(
            kind=kind, subject_id=subject_id, url=None, webcal_url=None, created_at=existing.created_at,  # type: ignore[arg-type]
            message=("订阅地址已经生成过；为安全起见只在生成时显示一次（服务端只保存其哈希）。如已遗失，请调用 rotate 生成新地址"
                     if lang != "en" else
                     "a subscription URL was issued already; it is shown only once (only its hash is kept). "
                     "If it is lost, call rotate for a new one"),
        )  # fmt: skip
    row, token = feeds.issue(session, kind, subject_id, who, rotate=rotate)
    session.commit()
    state.feeds.invalidate()
    url, webcal = feeds.urls(state.settings.feed_base_url or str(request.base_url), token)
    message = (
        ("新的订阅地址已生成，旧地址已失效" if rotate else "订阅地址已生成；请妥善保管，它只显示这一次")
        if lang != "en" else
        ("a new subscription URL was issued; the old one no longer works" if rotate
         else "subscription URL issued; keep it safe, it is shown only this once")
    )  # fmt: skip
    return FeedOut(kind=kind, subject_id=subject_id, url=url, webcal_url=webcal, created_at=row.created_at, message=message)  # type: ignore[arg-type]


@router.get("/api/leaders/{leader_id}/feed", response_model=FeedOut, summary="领导的日历订阅地址 / a leader's feed URL")
def leader_feed_url(leader_id: str, request: Request, state: StateDep, session: SessionDep, who: Office, lang: LangDep) -> FeedOut:
    return _feed_out(request, state, session, who, "leader", leader_id, lang, rotate=False)


@router.post("/api/leaders/{leader_id}/feed/rotate", response_model=FeedOut, summary="更换领导的订阅地址 / new URL; the old one stops working")
def leader_feed_rotate(leader_id: str, request: Request, state: StateDep, session: SessionDep, who: Office, lang: LangDep) -> FeedOut:
    return _feed_out(request, state, session, who, "leader", leader_id, lang, rotate=True)


@router.get("/api/units/{unit_id}/feed", response_model=FeedOut, summary="联系对象的日历订阅地址 / a unit's feed URL")
def unit_feed_url(unit_id: str, request: Request, state: StateDep, session: SessionDep, who: Office, lang: LangDep) -> FeedOut:
    return _feed_out(request, state, session, who, "unit", unit_id, lang, rotate=False)


@router.post("/api/units/{unit_id}/feed/rotate", response_model=FeedOut, summary="更换联系对象的订阅地址 / new unit feed URL")
def unit_feed_rotate(unit_id: str, request: Request, state: StateDep, session: SessionDep, who: Office, lang: LangDep) -> FeedOut:
    return _feed_out(request, state, session, who, "unit", unit_id, lang, rotate=True)


@router.get("/api/terms/{term_id}/feed", response_model=FeedOut, summary="办公室总日历订阅地址 / the office feed URL of a term")
def office_feed_url(term_id: str, request: Request, state: StateDep, session: SessionDep, who: Office, lang: LangDep) -> FeedOut:
    return _feed_out(request, state, session, who, "office", term_id, lang, rotate=False)


@router.post("/api/terms/{term_id}/feed/rotate", response_model=FeedOut, summary="更换办公室总日历地址 / new office feed URL")
def office_feed_rotate(term_id: str, request: Request, state: StateDep, session: SessionDep, who: Office, lang: LangDep) -> FeedOut:
    return _feed_out(request, state, session, who, "office", term_id, lang, rotate=True)


@public.head("/feeds/{token}.ics", include_in_schema=False)
@public.get(
    "/feeds/{token}.ics", response_class=Response,
    summary="iCalendar 订阅 / the iCalendar feed (the token is the credential)",
    responses={
        200: {"content": {"text/calendar": {"schema": {"type": "string"}}}, "description": "the feed"},
        304: {"description": "not modified"},
        404: errors(404)[404],
        422: errors(422)[422],
    },
)  # fmt: skip
async def serve_feed(
    token: str,
    request: Request,
    lang: Annotated[str | None, Query(pattern="^(zh|en)$")] = None,
    if_none_match: Annotated[str | None, Header()] = None,
    if_modified_since: Annotated[str | None, Header()] = None,
) -> Response:
    state = get_state(request)
    language = "en" if lang == "en" else "zh"
    found = state.feeds.cached(token, language)  # warm: no database, no thread
    if found is feeds.MISS:
        found = await run_in_threadpool(state.feeds.render, token, language)
    if not isinstance(found, feeds.Rendered):
        raise ApiError(404, "not_found", "没有这个日历订阅（地址有误或已更换）", "no such calendar feed (wrong or rotated URL)")
    headers = {"ETag": found.etag, "Last-Modified": found.last_modified_http, "Cache-Control": "private"}
    if feeds.not_modified(found, if_none_match, if_modified_since):
        return Response(status_code=304, headers=headers)
    if request.method == "HEAD":
        return Response(headers={**headers, "Content-Type": feeds.MEDIA_TYPE, "Content-Length": str(len(found.body))})
    return Response(found.body, media_type=feeds.MEDIA_TYPE, headers=headers)
