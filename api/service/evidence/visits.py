"""Planned visits of the published plans, and who may act on one.

A visit is found by its ``uid`` among the events of every term's published plan. A leader link
reaches the visits of its leader, a unit link the visits that concern its unit (the unit itself,
or an activity or course section it takes part in), office tokens every visit.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.service.auth import Principal
from api.service.errors import ApiError, not_found
from api.service.feeds import published_plan_of
from api.service.state import ServiceState
from api.service.storage.models import PlanVersion, Term
from solver.evidence.evidence import units_of_target
from solver.problem import Problem
from solver.result import Event, Plan


@dataclass(frozen=True)
class Published:
    """A published plan with its data."""

    term_id: str
    plan_id: str
    dataset_id: str
    plan: Plan
    problem: Problem

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.plan.timezone)


@dataclass(frozen=True)
class Visit:
    published: Published
    event: Event

    @property
    def term_id(self) -> str:
        return self.published.term_id


def published_of_term(state: ServiceState, session: Session, term_id: str) -> Published | None:
    row = session.execute(
        select(PlanVersion.id, PlanVersion.dataset_id).join(Term, Term.published_plan_id == PlanVersion.id)
        .where(Term.term_id == term_id)
    ).first()  # fmt: skip
    if row is None:
        return None
    return Published(term_id, row[0], row[1], state.plan(row[0]), state.problem(row[1]))


def published_of(state: ServiceState, session: Session, role: str, subject_id: str) -> Published | None:
    """The published plan that serves a leader or unit (the latest whose data names it)."""
    plan_id, dataset_id, _ = published_plan_of(session, role, subject_id)
    if plan_id is None or dataset_id is None:
        return None
    plan = state.plan(plan_id)
    return Published(plan.term_id, plan_id, dataset_id, plan, state.problem(dataset_id))


def find(state: ServiceState, session: Session, uid: str) -> Visit:
    """The planned visit ``uid`` of a published plan (404 when no published plan holds it)."""
    if uid and len(uid) <= 200 and "\x00" not in uid:
        rows = session.execute(
            select(Term.term_id, PlanVersion.id, PlanVersion.dataset_id).join(PlanVersion, Term.published_plan_id == PlanVersion.id)
        ).all()  # fmt: skip
        for term_id, plan_id, dataset_id in rows:
            event = state.visit_index(plan_id).get(uid)
            if event is not None:
                return Visit(Published(term_id, plan_id, dataset_id, state.plan(plan_id), state.problem(dataset_id)), event)
    raise not_found("走访", "visit", uid.replace("\x00", ""))


def of_leader(published: Published, leader_id: str, week: int | None) -> list[Event]:
    return [e for e in published.plan.events if e.leader_id == leader_id and (week is None or e.week == week)]


def of_unit(published: Published, unit_id: str, week: int | None) -> list[Event]:
    """The visits whose confirmation the unit may give (the records contract's visited unit)."""
    problem = published.problem
    return [
        e for e in published.plan.events
        if (week is None or e.week == week) and unit_id in units_of_target(problem, e.target_id)
    ]  # fmt: skip


def forbidden(zh: str, en: str) -> ApiError:
    return ApiError(403, "forbidden", zh, en)


def require_leader_or_office(who: Principal, leader_id: str) -> None:
    """The visit's own leader, or an office token (acting on the leader's behalf)."""
    if who.role == "leader" and who.subject_id == leader_id:
        return
    if who.role == "leader":
        raise forbidden(
            f"这是 {leader_id} 的走访，不是您的；只能记录自己的走访",
            f"this is a visit of {leader_id}, not yours; you can record only your own visits",
        )
    if not who.allows("office"):
        raise forbidden("此操作需要该走访的领导本人或办公室权限", "this needs the visit's leader or an office token")


def require_office(who: Principal) -> None:
    if not who.allows("office"):
        raise forbidden(
            f"当前令牌的角色是 {who.role}，此操作需要 office 或更高权限",
            f"this token's role is {who.role}; the operation needs office or higher",
        )


def local(moment: dt.datetime, zone: ZoneInfo) -> dt.datetime:
    """An aware moment; a naive one is read in the term's time zone."""
    return moment.replace(tzinfo=zone) if moment.tzinfo is None else moment
