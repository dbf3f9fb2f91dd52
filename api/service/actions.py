"""What the routes (and ``serve --demo``) do, apart from HTTP: store uploads, publish plans."""

from __future__ import annotations

from typing import Any

from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from api.service import termdata, views
from api.service.auth import Principal, audit
from api.service.settings import Settings
from api.service.storage import tenancy
from api.service.storage.db import write_lock
from api.service.storage.models import Dataset, PlanVersion, RosterEntry, Term, utcnow


def store_dataset(
    session: Session, checked: termdata.Checked, *, kind: str, who: str, parent_id: str | None = None,
    change_request: dict[str, Any] | None = None,
) -> Dataset:  # fmt: skip
    problem = checked.problem
    dataset = Dataset(
        term_id=problem.term.term_id, kind=kind, parent_id=parent_id, filename=checked.filename,
        media=checked.media, content=checked.content, change_request=change_request,
        summary=termdata.summary(problem),
        warnings=[list(w) for w in termdata.warnings_of(checked.result)], created_by=who,
    )  # fmt: skip
    session.add(dataset)
    session.flush()
    session.add_all(
        [RosterEntry(dataset_id=dataset.id, kind="leader", member_id=x.leader_id, name=x.name) for x in problem.leaders]
        + [RosterEntry(dataset_id=dataset.id, kind="unit", member_id=u.unit_id, name=u.name) for u in problem.units]
    )
    return dataset


def upload_term(session: Session, settings: Settings, content: bytes, filename: str, who_name: str) -> tuple[Term, Dataset, termdata.Checked]:
    checked = termdata.check_upload(content, filename, settings.limits)  # the long part: unlocked
    problem = checked.problem
    term = lock_term(session, problem.term.term_id, problem.term.name)
    dataset = store_dataset(session, checked, kind="upload", who=who_name)
    term.name, term.current_dataset_id, term.updated_at = problem.term.name, dataset.id, utcnow()
    return term, dataset, checked


def lock_term(session: Session, term_id: str, name: str) -> Term:
    """The term, created when new, locked for this transaction (concurrent first uploads of one
    term: one creates it, the others wait and find it)."""
    write_lock(session)
    dialect = session.get_bind().dialect.name
    insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
    now = utcnow()
    university = tenancy.bound(session)  # a Core insert: the tenancy hook does not fill it in
    session.execute(
        insert(Term).values(university_id=university, term_id=term_id, name=name, created_at=now, updated_at=now)
        .on_conflict_do_nothing()
    )  # fmt: skip
    return views.get_or_404(session, Term, term_id, lock=True)


def publish_plan(session: Session, plan: PlanVersion, who: Principal) -> PlanVersion:
    """Make ``plan`` the term's published plan (409 unless it is a draft based on the published
    one). The term is locked first, so that concurrent publishes of one term happen one after
    the other: one succeeds, the others see its result and get 409. The caller commits."""
    term = views.get_or_404(session, Term, plan.term_id, lock=True)
    session.refresh(plan)
    if plan.state != "draft":
        zh_state = {"published": "已经发布", "superseded": "已被后来的计划取代"}.get(plan.state, plan.state)
        raise views.conflict(f"计划 {plan.id} {zh_state}，不能再次发布", f"plan {plan.id} is already {plan.state}; it cannot be published again")
    current = term.published_plan_id
    if plan.base_plan_id != current:
        if current is None:
            zh = f"此计划基于计划 {plan.base_plan_id}，但该学期目前没有发布的计划"
            en = f"this plan is based on plan {plan.base_plan_id}, but the term has no published plan"
        elif plan.base_plan_id is None:
            zh = (f"已发布计划 {current}；此计划是重新求解的结果，不基于它。"
                  "请通过 /api/terms/{term_id}/changes 在已发布计划上重新规划")
            en = (f"plan {current} is published and this plan was solved from scratch, not from it; "
                  "re-plan against the published plan through /api/terms/{term_id}/changes")
        else:
            zh = f"此计划基于计划 {plan.base_plan_id}，但当前发布的是 {current}；请针对当前发布的计划重新提交变更"
            en = f"this plan is based on plan {plan.base_plan_id}, but {current} is published now; submit the change again"
        raise views.conflict(zh.replace("{term_id}", term.term_id), en.replace("{term_id}", term.term_id))
    if current is not None:
        previous = session.get_one(PlanVersion, current)
        previous.state = "superseded"
        session.flush()  # before the new one is published: the database allows one published plan per term
    plan.state, plan.published_at, plan.published_by = "published", utcnow(), who.name
    term.published_plan_id, term.updated_at = plan.id, utcnow()
    audit(session, who, "plan.publish", plan.id, {"term_id": term.term_id, "previous": current})
    return plan
