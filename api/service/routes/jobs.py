"""Jobs: watch a solve or re-plan, cancel it."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from api.service import actions, views
from api.service.deps import Office, Reader, SessionDep, StateDep
from api.service.routes import errors, lang_param
from api.service.schemas import JobOut
from api.service.storage.models import Job

router = APIRouter(prefix="/api/jobs", tags=["jobs"], dependencies=[Depends(lang_param)], responses=errors(401, 403, 404, 422))


@router.get("/{job_id}", response_model=JobOut, summary="任务状态与进度 / a job's status and progress")
def get_job(job_id: str, session: SessionDep, who: Reader) -> JobOut:
    return views.job_out(views.get_or_404(session, Job, job_id))


@router.delete("/{job_id}", response_model=JobOut, responses=errors(409), summary="取消任务 / cancel a job")
def cancel_job(job_id: str, state: StateDep, session: SessionDep, who: Office) -> JobOut:
    job = actions.cancel_job(session, state, views.get_or_404(session, Job, job_id), who)
    return views.job_out(job)
