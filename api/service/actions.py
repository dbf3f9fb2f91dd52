"""What the routes (and ``serve --demo``) do, apart from HTTP: store uploads, publish plans."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.service import termdata, views
from api.service.auth import Principal, audit
from api.service.settings import Settings
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
    checked = termdata.check_upload(content, filename, settings.limits)
    problem = checked.problem
    term = session.scalars(select(Term).where(Term.term_id == problem.term.term_id)).first()  # in the bound university
    if term is None:
        term = Term(term_id=problem.term.term_id, name=problem.term.name)
        session.add(term)
        session.flush()
    dataset = store_dataset(session, checked, kind="upload", who=who_name)
    term.name, term.current_dataset_id, term.updated_at = problem.term.name, dataset.id, utcnow()
    return term, dataset, checked


def publish_plan(session: Session, plan: PlanVersion, who: Principal) -> PlanVersion:
    """Make ``plan`` the term's published plan (409 unless it is based on the published one).
    The caller commits."""
    term = views.get_or_404(session, Term, plan.term_id, lock=True)
    if plan.state == "published":
        return plan
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
    plan.state, plan.published_at, plan.published_by = "published", utcnow(), who.name
    term.published_plan_id, term.updated_at = plan.id, utcnow()
    audit(session, who, "plan.publish", plan.id, {"term_id": term.term_id, "previous": current})
    return plan
