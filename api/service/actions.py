"""What the routes, the pages (and ``serve --demo``) do, apart from HTTP: store uploads, publish
plans, start and cancel solves, submit changes."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.service import termdata, views
from api.service.auth import Principal, audit
from api.service.errors import ApiError
from api.service.jobs.runner import finish
from api.service.schemas import ChangeRequest
from api.service.settings import Settings
from api.service.storage.models import (
    ACTIVE_JOB_STATUSES,
    Dataset,
    Job,
    PlanVersion,
    RosterEntry,
    Term,
    utcnow,
)

if TYPE_CHECKING:
    from api.service.state import ServiceState


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
    checked = termdata.check_upload(content, filename, settings.max_unzipped_bytes)
    problem = checked.problem
    term = session.get(Term, problem.term.term_id)
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


# jobs --------------------------------------------------------------------------------------------
def time_limit(settings: Settings, value: float | None) -> float:
    if value is None:
        return settings.default_time_limit_s
    if value > settings.max_time_limit_s:
        raise ApiError(
            422, "invalid_request",
            f"time_limit_s 最多 {settings.max_time_limit_s:g} 秒", f"time_limit_s is at most {settings.max_time_limit_s:g} s",
            problems=[("request", None, "body.time_limit_s", f"最多 {settings.max_time_limit_s:g}", f"at most {settings.max_time_limit_s:g}")],
        )  # fmt: skip
    return value


def start_solve(session: Session, state: ServiceState, term_id: str, limit: float | None, lang: str, who: Principal) -> Job:
    """A solve of the term's latest data, queued (committed and submitted to the runner)."""
    term = views.get_or_404(session, Term, term_id)
    if term.current_dataset_id is None:
        raise views.conflict("该学期还没有数据；请先上传", "the term has no data yet; upload it first")
    job = Job(
        term_id=term.term_id, kind="solve", dataset_id=term.current_dataset_id,
        time_limit_s=time_limit(state.settings, limit), lang=lang, created_by=who.name,
    )  # fmt: skip
    session.add(job)
    session.flush()
    audit(session, who, "job.solve", term.term_id, {"job_id": job.id, "time_limit_s": job.time_limit_s})
    session.commit()
    state.runner.submit(job.id)
    return job


def submit_change(session: Session, state: ServiceState, term_id: str, change: ChangeRequest, lang: str, who: Principal) -> Job:
    """A change applied to the published plan's data and re-planned as a job (committed, submitted)."""
    term = views.get_or_404(session, Term, term_id)
    if term.published_plan_id is None:
        raise views.conflict(
            "该学期还没有发布的计划；请先求解并发布，再提交变更",
            "the term has no published plan; solve and publish one before submitting changes",
        )
    with state.change_lock:
        running = session.scalars(
            select(Job).where(Job.term_id == term.term_id, Job.kind == "replan", Job.status.in_(ACTIVE_JOB_STATUSES))
        ).first()
        if running is not None:
            raise views.conflict(
                f"该学期的重新规划任务 {running.id} 仍在进行（{running.status}）；请等它结束或取消后再提交",
                f"a re-plan of this term is still {running.status}: job {running.id}; wait for it or cancel it first",
                job_id=running.id,
            )  # fmt: skip
        published = session.get_one(PlanVersion, term.published_plan_id)
        base = session.get_one(Dataset, published.dataset_id)
        request = change.model_dump(mode="json", exclude={"now", "time_limit_s"})
        checked = termdata.apply_changes(
            state.problem(base.id), base.content, base.media, base.filename, request, state.settings.max_unzipped_bytes
        )
        if checked.problem.term.term_id != term.term_id:
            raise ApiError(422, "invalid_change", "变更不能修改学期编号", "a change cannot change the term id")
        dataset = store_dataset(session, checked, kind="change", who=who.name, parent_id=base.id, change_request=request)
        now = _aware(change.now, checked.problem.term.timezone) if change.now else state.now()
        job = Job(
            term_id=term.term_id, kind="replan", dataset_id=dataset.id, base_plan_id=published.id,
            time_limit_s=time_limit(state.settings, change.time_limit_s), now=now, lang=lang, created_by=who.name,
        )  # fmt: skip
        session.add(job)
        session.flush()
        audit(session, who, "term.change", term.term_id, {"job_id": job.id, "dataset_id": dataset.id, "change": request, "now": now.isoformat()})
        session.commit()
    state.runner.submit(job.id)
    return job


def cancel_job(session: Session, state: ServiceState, job: Job, who: Principal) -> Job:
    """Cancel a queued or running job (409 when it has ended already)."""
    if job.status not in ACTIVE_JOB_STATUSES or not finish(session, {job.id}, "cancelled", None):
        session.rollback()
        session.refresh(job)
        raise views.conflict(
            f"任务已经结束（{job.status}），无法取消", f"the job has already ended ({job.status}); nothing to cancel"
        )
    audit(session, who, "job.cancel", job.id, {"term_id": job.term_id})
    session.commit()
    state.runner.cancel(job.id)
    session.refresh(job)
    return job


def _aware(moment: dt.datetime, timezone: str) -> dt.datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=ZoneInfo(timezone))
