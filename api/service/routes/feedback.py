"""What students raised: items, their answers and ratings."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query
from sqlalchemy.orm import Session

from api.service.deps import Anyone, SessionDep, StateDep
from api.service.errors import ApiError
from api.service.evidence import feedback, visits
from api.service.evidence.visits import Published
from api.service.routes import errors, lang_param
from api.service.schemas import FeedbackCreated, FeedbackIn, FeedbackOut, FeedbackPatch, RatingIn
from api.service.state import ServiceState
from api.service.storage.db import write_lock
from api.service.storage.models import FeedbackItem

router = APIRouter(prefix="/api/feedback", tags=["feedback"], dependencies=[Depends(lang_param)], responses=errors(401, 403, 404, 422))
STATES = ("open", "answered", "resolved", "reopened", "overdue", "escalated")


def _published(state: ServiceState, session: Session, item: FeedbackItem) -> Published:
    published = visits.published_of_term(state, session, item.term_id)
    if published is None:
        raise ApiError(409, "conflict", "该诉求所属学期没有已发布的计划", "the item's term has no published plan")
    return published


@router.post("", status_code=201, response_model=FeedbackCreated, responses=errors(409), summary="提交学生诉求 / raise an item")
def raise_item(body: FeedbackIn, state: StateDep, session: SessionDep, who: Anyone) -> FeedbackCreated:
    write_lock(session)
    origin, published = feedback.origin_of(state, session, body, who)
    now = state.now()
    item = feedback.add(session, origin, body, now, who)
    out = feedback.created(item, published, now)
    session.commit()
    return out


@router.get("", response_model=list[FeedbackOut], summary="诉求台账（办公室：全部；领导：负责或提出的；联系对象：本单位的）/ the items this token may see")
def list_items(
    state: StateDep, session: SessionDep, who: Anyone,
    state_: Annotated[str | None, Query(alias="state", pattern="^(open|answered|resolved|reopened|overdue|escalated)$")] = None,
    owner: Annotated[str | None, Query(max_length=200)] = None,
    term_id: Annotated[str | None, Query(max_length=200)] = None,
) -> list[FeedbackOut]:  # fmt: skip
    if not who.is_link and not who.allows("reader"):
        raise visits.forbidden("无权查看诉求台账", "this token cannot read the items")
    now = state.now()
    plans: dict[str, Published | None] = {}
    out = []
    for item in feedback.listed(session, who, owner, term_id):
        if item.term_id not in plans:
            plans[item.term_id] = visits.published_of_term(state, session, item.term_id)
        published = plans[item.term_id]
        if published is None:
            continue
        view = feedback.out(item, published, who, now)
        if state_ is None or view.state == state_:
            out.append(view)
    return out


@router.get("/{item_id}", response_model=FeedbackOut, summary="一条诉求 / one item")
def get_item(item_id: str, state: StateDep, session: SessionDep, who: Anyone) -> FeedbackOut:
    item = feedback.get_visible(session, item_id, who)
    return feedback.out(item, _published(state, session, item), who, state.now())


@router.patch(
    "/{item_id}", response_model=FeedbackOut, responses=errors(409),
    summary="办理诉求（办公室：负责人、状态；负责人：答复、已解决）/ act on an item",
)  # fmt: skip
def patch_item(item_id: str, body: FeedbackPatch, state: StateDep, session: SessionDep, who: Anyone) -> FeedbackOut:
    write_lock(session)
    item = feedback.get_visible(session, item_id, who)
    published = _published(state, session, item)
    now = state.now()
    feedback.patch(session, item, body, now, who)
    out = feedback.out(item, published, who, now)
    session.commit()
    return out


@router.post(
    "/{item_id}/rating", status_code=201, response_model=FeedbackOut, responses=errors(409),
    summary="评价答复（提出诉求的单位；不满意即重新办理）/ rate the answer; unsatisfied reopens it",
)  # fmt: skip
def rate_item(item_id: str, body: RatingIn, state: StateDep, session: SessionDep, who: Anyone) -> FeedbackOut:
    write_lock(session)
    item = feedback.get_visible(session, item_id, who)
    published = _published(state, session, item)
    now = state.now()
    feedback.rate(session, item, body.rating, now, who)
    out = feedback.out(item, published, who, now)
    session.commit()
    return out
