"""Personal access: leader and unit links (office), who a token is, and its visits."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from sqlalchemy.orm import Session

from api.service.auth import Principal, authenticate, unauthorized
from api.service.deps import Anyone, Office, SessionDep, StateDep, base_url
from api.service.errors import ApiError
from api.service.evidence import links, views, visits
from api.service.routes import errors, lang_param
from api.service.schemas import LinkOut, MeOut, MyVisits
from api.service.state import ServiceState
from api.service.storage import tenancy
from api.service.storage.db import write_lock

router = APIRouter(tags=["access"], dependencies=[Depends(lang_param)], responses=errors(401, 403, 404, 422))
public = APIRouter(tags=["access"], responses=errors(401, 422))


def _link(request: Request, state: ServiceState, session: Session, who: Principal, role: str, subject_id: str) -> LinkOut:
    write_lock(session)
    row, token, revoked = links.issue(session, role, subject_id, who)
    session.commit()
    return LinkOut(
        role=role, subject_id=subject_id, name=row.name, url=links.url(base_url(state, request), token),  # type: ignore[arg-type]
        token=token, created_at=row.created_at, rotated=revoked > 0,
    )  # fmt: skip


@router.post(
    "/api/leaders/{leader_id}/link", response_model=LinkOut,
    summary="领导的个人链接（再次调用即更换，旧链接失效）/ a leader's personal link; again: rotate",
)  # fmt: skip
def leader_link(leader_id: str, request: Request, state: StateDep, session: SessionDep, who: Office) -> LinkOut:
    return _link(request, state, session, who, "leader", leader_id)


@router.post(
    "/api/units/{unit_id}/link", response_model=LinkOut,
    summary="联系对象（班长、舍长、社团负责人）的个人链接 / a unit's personal link; again: rotate",
)  # fmt: skip
def unit_link(unit_id: str, request: Request, state: StateDep, session: SessionDep, who: Office) -> LinkOut:
    return _link(request, state, session, who, "unit", unit_id)


@router.get("/api/me", response_model=MeOut, summary="当前令牌是谁 / who this token is")
def me(state: StateDep, session: SessionDep, who: Anyone) -> MeOut:
    published = visits.published_of(state, session, who.role, who.subject_id) if who.is_link else None
    return MeOut(
        role=who.role, subject_id=who.subject_id or None, name=who.name,
        term_id=published.term_id if published else None, plan_id=published.plan_id if published else None,
    )  # fmt: skip


def my_visits(state: ServiceState, session: Session, who: Principal, week: int | None) -> MyVisits:
    if not who.is_link:
        raise ApiError(
            403, "forbidden", "此接口供领导或联系对象的个人链接使用；办公室请查看 /api/plans/{plan_id}",
            "this route is for a leader's or unit's personal link; the office reads /api/plans/{plan_id}",
        )  # fmt: skip
    published = visits.published_of(state, session, who.role, who.subject_id)
    if published is None:
        return MyVisits(role=who.role, subject_id=who.subject_id, term_id=None, plan_id=None, week=week, visits=[])
    pick = visits.of_leader if who.role == "leader" else visits.of_unit
    events = pick(published, who.subject_id, week)
    return MyVisits(
        role=who.role, subject_id=who.subject_id, term_id=published.term_id, plan_id=published.plan_id, week=week,
        visits=views.visit_views(session, published, events),
    )  # fmt: skip


@router.get(
    "/api/me/visits", response_model=MyVisits,
    summary="我的走访（领导：计划的走访；联系对象：到本单位的走访），含记录与佐证 / my visits with record and evidence",
)  # fmt: skip
def me_visits(
    state: StateDep, session: SessionDep, who: Anyone,
    week: Annotated[int | None, Query(ge=1, le=60, description="教学周；不填为全部 / term week; default every week")] = None,
) -> MyVisits:  # fmt: skip
    return my_visits(state, session, who, week)


@public.get(
    "/me/{token}", response_model=MyVisits, responses=errors(401, 404, 422),
    summary="个人链接：本周的走访（链接中的令牌即凭证）/ the personal link: this week's visits",
)  # fmt: skip
def personal_link(token: str, state: StateDep, session: SessionDep) -> MyVisits:
    who = authenticate(session, token if len(token) <= 200 else "")
    if not who.is_link:  # an office token in a URL: answered like any unknown link
        raise unauthorized("访问令牌无效或已被撤销", "the token is not valid or has been revoked")
    tenancy.bind(session, who.university_id)
    published = visits.published_of(state, session, who.role, who.subject_id)
    week = views.current_week(published, state.now()) if published else None
    return my_visits(state, session, who, week)
