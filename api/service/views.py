"""Rows to response bodies, and lookups that answer 404 for unknown ids."""

from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy import inspect, select
from sqlalchemy.orm import Session

from api.service.errors import ApiError, not_found
from api.service.schemas import (
    DatasetOut,
    JobOut,
    JobProgress,
    PlanBrief,
    PlanOut,
    TermDetail,
    TermOut,
    TermSummary,
)
from api.service.storage.db import write_lock
from api.service.storage.models import Dataset, Job, PlanVersion, Term

Row = TypeVar("Row", Term, Job, PlanVersion, Dataset)
_WHAT = {Term: ("学期", "term"), Job: ("任务", "job"), PlanVersion: ("计划", "plan"), Dataset: ("数据版本", "data version")}


def get_or_404(session: Session, model: type[Row], ident: str, *, lock: bool = False) -> Row:
    zh, en = _WHAT[model]
    if not ident or "\x00" in ident or len(ident) > 200:
        raise not_found(zh, en, ident.replace("\x00", ""))
    key = inspect(model).primary_key[-1]  # a Term's key is (university, term_id): term_id
    query = select(model).where(key == ident)  # the session is bound to the caller's university
    if lock:  # a read-modify-write: no other writer until this transaction ends (storage.db)
        write_lock(session)
        query = query.with_for_update().execution_options(populate_existing=True)
    row = session.scalars(query).first()
    if row is None:
        raise not_found(zh, en, ident)
    return row


def term_out(session: Session, term: Term) -> TermOut:
    return TermOut(**_term_fields(session, term))


def _term_fields(session: Session, term: Term) -> dict[str, Any]:
    summary = None
    if term.current_dataset_id:
        dataset = session.get(Dataset, term.current_dataset_id)
        if dataset is not None and dataset.summary:
            summary = TermSummary(**dataset.summary)
    return {
        "term_id": term.term_id, "name": term.name, "created_at": term.created_at,
        "updated_at": term.updated_at, "current_dataset_id": term.current_dataset_id,
        "published_plan_id": term.published_plan_id, "summary": summary,
    }  # fmt: skip


def term_detail(session: Session, term: Term) -> TermDetail:
    datasets = session.scalars(select(Dataset).where(Dataset.term_id == term.term_id).order_by(Dataset.created_at)).all()
    plans = session.scalars(
        select(PlanVersion).where(PlanVersion.term_id == term.term_id).order_by(PlanVersion.created_at)
    ).all()
    jobs = session.scalars(select(Job).where(Job.term_id == term.term_id).order_by(Job.created_at)).all()
    return TermDetail(
        **_term_fields(session, term),
        datasets=[dataset_out(d) for d in datasets],
        plans=[plan_brief(p) for p in plans],
        jobs=[job_out(j) for j in jobs],
    )


def dataset_out(d: Dataset) -> DatasetOut:
    return DatasetOut(
        dataset_id=d.id, kind=d.kind, parent_id=d.parent_id, filename=d.filename, media=d.media,  # type: ignore[arg-type]
        created_at=d.created_at, created_by=d.created_by,
    )


def job_out(job: Job) -> JobOut:
    return JobOut(
        job_id=job.id, term_id=job.term_id, kind=job.kind, status=job.status,  # type: ignore[arg-type]
        progress=JobProgress(elapsed_s=job.elapsed_s, objective=job.objective, bound=job.bound, gap=job.gap),
        plan_id=job.plan_id, error=job.error, time_limit_s=job.time_limit_s, created_at=job.created_at,
        started_at=job.started_at, finished_at=job.finished_at, attempts=job.attempts or 0, worker=job.worker,
    )


def _brief_fields(p: PlanVersion) -> dict[str, Any]:
    summary = p.summary or {}
    return {
        "plan_id": p.id, "term_id": p.term_id, "dataset_id": p.dataset_id, "base_plan_id": p.base_plan_id,
        "job_id": p.job_id, "state": p.state, "created_at": p.created_at, "published_at": p.published_at,
        "event_count": int(summary.get("events", 0)), "unmet_count": int(summary.get("unmet", 0)),
    }  # fmt: skip


def plan_brief(p: PlanVersion) -> PlanBrief:
    return PlanBrief(**_brief_fields(p))


def plan_out(p: PlanVersion) -> PlanOut:
    return PlanOut(
        **_brief_fields(p), summary=p.summary, assignments=p.assignments, events=p.events,
        report=p.report, warnings=p.warnings,
    )  # fmt: skip


def conflict(zh: str, en: str, job_id: str | None = None) -> ApiError:
    return ApiError(409, "conflict", zh, en, job_id=job_id)
