"""Jobs: watch a solve or re-plan, cancel it."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from api.service import views
from api.service.auth import audit
from api.service.deps import Office, Reader, SessionDep, StateDep
from api.service.jobs.runner import finish
from api.service.routes import errors, lang_param
from api.service.schemas import JobOut
from api.service.storage.models import ACTIVE_JOB_STATUSES, Job

router = APIRouter(prefix="/api/jobs", tags=["jobs"], dependencies=[Depends(lang_param)], responses=errors(401, 403, 404, 422))


@router.get("/{job_id}", response_model=JobOut, summary="任务状态与进度 / a job's status and progress")
def get_job(job_id: str, session: SessionDep, who: Reader) -> JobOut:
    return views.job_out(views.get_or_404(session, Job, job_id))


@router.delete("/{job_id}", response_model=JobOut, responses=errors(409), summary="取消任务 / cancel a job")
def cancel_job(job_id: str, state: StateDep, session: SessionDep, who: Office) -> JobOut:
    job = views.get_or_404(session, Job, job_id)
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
    return views.job_out(job)
