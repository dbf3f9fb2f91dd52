"""Terms: upload data, list, read, solve, submit changes (re-plan)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Body, Depends, File, UploadFile
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from api.service import actions, termdata, views
from api.service.auth import audit
from api.service.deps import LangDep, Office, Reader, SessionDep, StateDep
from api.service.errors import ApiError
from api.service.routes import errors, lang_param
from api.service.schemas import (
    ChangeRequest,
    JobCreated,
    SolveIn,
    TermDetail,
    TermOut,
    TermSummary,
    UploadOut,
)
from api.service.settings import Settings
from api.service.storage.models import (
    ACTIVE_JOB_STATUSES,
    Dataset,
    Job,
    PlanVersion,
    Term,
    utcnow,
)
from data.cells import control_character

router = APIRouter(prefix="/api/terms", tags=["terms"], dependencies=[Depends(lang_param)], responses=errors(401, 403, 422))


def read_upload(file: UploadFile, limit: int) -> bytes:
    content = file.file.read(limit + 1)
    if len(content) > limit:
        raise too_large(limit)
    if not content:
        raise ApiError(422, "empty_file", "上传的文件是空的", "the uploaded file is empty")
    return content


def upload_name(file: UploadFile) -> str:
    """The upload's file name; one with a control character is refused (422 naming ``file``)."""
    name = file.filename or "upload"
    problem = control_character(name, allowed="")
    if problem or len(name) > 400:
        why = f"control character {problem}" if problem else "longer than 400 characters"
        zh = f"file：文件名无效（{'含控制字符 ' + problem if problem else '超过 400 个字符'}）；请改名后重新上传"
        en = f"file: the file name is not valid ({why}); rename the file and upload again"
        raise ApiError(422, "invalid_request", zh, en, problems=[("request", None, "file", zh, en)])
    return name


def too_large(limit: int) -> ApiError:
    return ApiError(
        413, "too_large",
        f"上传文件超过上限 {limit} 字节（{limit / 1048576:.1f} MB）；请拆分或精简后再传",
        f"the upload is larger than the limit of {limit} bytes ({limit / 1048576:.1f} MB); make it smaller",
    )  # fmt: skip


@router.post(
    "", status_code=201, response_model=UploadOut, responses=errors(413, 415),
    summary="上传学期数据 / upload term data (.xlsx or .xls, or .zip of CSV files)",
)  # fmt: skip
def upload(
    state: StateDep, session: SessionDep, who: Office, lang: LangDep,
    file: Annotated[UploadFile, File(description=".xlsx/.xls 工作簿或 CSV 文件的 .zip / an .xlsx or .xls workbook or a .zip of CSV files")],
) -> UploadOut:  # fmt: skip
    filename = upload_name(file)
    content = read_upload(file, state.settings.max_upload_bytes)
    term, dataset, checked = actions.upload_term(session, state.settings, content, filename, who.name)
    audit(session, who, "term.upload", term.term_id, {"dataset_id": dataset.id, "filename": dataset.filename, "bytes": len(content)})
    session.commit()
    warnings = [
        {"file": f, "row": r, "column": c, "message": en if lang == "en" else zh}
        for f, r, c, zh, en in termdata.warnings_of(checked.result)
    ]
    return UploadOut(term_id=term.term_id, dataset_id=dataset.id, summary=TermSummary(**dataset.summary), warnings=warnings)  # type: ignore[arg-type]


@router.get("", response_model=list[TermOut], summary="学期列表 / list terms")
def list_terms(session: SessionDep, who: Reader) -> list[TermOut]:
    return [views.term_out(session, t) for t in session.scalars(select(Term).order_by(Term.created_at))]


@router.get("/{term_id}", response_model=TermDetail, responses=errors(404), summary="学期详情 / one term")
def get_term(term_id: str, session: SessionDep, who: Reader) -> TermDetail:
    return views.term_detail(session, views.get_or_404(session, Term, term_id))


def queue_room(session: Session, settings: Settings) -> None:
    """429 with ``Retry-After`` when ``max_queued_jobs`` jobs already wait (called under the write lock)."""
    waiting = session.scalar(select(func.count()).select_from(Job).where(Job.status == "queued")) or 0
    if waiting >= settings.max_queued_jobs:
        raise ApiError(
            429, "queue_full",
            f"排队中的任务已有 {waiting} 个（上限 {settings.max_queued_jobs}）；请 {settings.queue_retry_after_s} 秒后重试",
            f"{waiting} jobs are already queued (the limit is {settings.max_queued_jobs}); retry in {settings.queue_retry_after_s} s",
            headers={"Retry-After": str(settings.queue_retry_after_s)},
        )  # fmt: skip


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


@router.post(
    "/{term_id}/solve", status_code=202, response_model=JobCreated, responses=errors(404, 409, 429),
    summary="求解（后台任务）/ solve the term's latest data (a job)",
)  # fmt: skip
def solve(
    term_id: str, state: StateDep, session: SessionDep, who: Office, lang: LangDep,
    body: Annotated[SolveIn | None, Body()] = None,
) -> JobCreated:  # fmt: skip
    term = views.get_or_404(session, Term, term_id, lock=True)
    if term.current_dataset_id is None:
        raise views.conflict("该学期还没有数据；请先上传", "the term has no data yet; upload it first")
    queue_room(session, state.settings)
    job = Job(
        term_id=term.term_id, kind="solve", dataset_id=term.current_dataset_id,
        time_limit_s=time_limit(state.settings, body.time_limit_s if body else None), lang=lang, created_by=who.name,
    )  # fmt: skip
    session.add(job)
    session.flush()
    audit(session, who, "job.solve", term.term_id, {"job_id": job.id, "time_limit_s": job.time_limit_s})
    session.commit()
    state.runner.submit(job.id)
    return JobCreated(job_id=job.id, status="queued")


@router.post(
    "/{term_id}/changes", status_code=202, response_model=JobCreated, responses=errors(404, 409, 413, 429),
    summary="提交变更并重新规划 / submit a change: re-plan against the published plan (a job)",
)  # fmt: skip
def changes(term_id: str, change: ChangeRequest, state: StateDep, session: SessionDep, who: Office, lang: LangDep) -> JobCreated:
    term = views.get_or_404(session, Term, term_id, lock=True)  # one change of a term at a time, in every process
    if term.published_plan_id is None:
        raise views.conflict(
            "该学期还没有发布的计划；请先求解并发布，再提交变更",
            "the term has no published plan; solve and publish one before submitting changes",
        )
    running = session.scalars(
        select(Job).where(Job.term_id == term.term_id, Job.kind == "replan", Job.status.in_(ACTIVE_JOB_STATUSES))
    ).first()
    if running is not None:
        raise views.conflict(
            f"该学期的重新规划任务 {running.id} 仍在进行（{running.status}）；请等它结束或取消后再提交",
            f"a re-plan of this term is still {running.status}: job {running.id}; wait for it or cancel it first",
            job_id=running.id,
        )  # fmt: skip
    queue_room(session, state.settings)
    published = session.get_one(PlanVersion, term.published_plan_id)
    base = session.get_one(Dataset, published.dataset_id)
    request = change.model_dump(mode="json", exclude={"now", "time_limit_s"})
    checked = termdata.apply_changes(
        state.problem(base.id), base.content, base.media, base.filename, request, state.settings.limits
    )
    if checked.problem.term.term_id != term.term_id:
        raise ApiError(422, "invalid_change", "变更不能修改学期编号", "a change cannot change the term id")
    dataset = actions.store_dataset(session, checked, kind="change", who=who.name, parent_id=base.id, change_request=request)
    now = _aware(change.now, checked.problem.term.timezone) if change.now else utcnow()
    job = Job(
        term_id=term.term_id, kind="replan", dataset_id=dataset.id, base_plan_id=published.id,
        time_limit_s=time_limit(state.settings, change.time_limit_s), now=now, lang=lang, created_by=who.name,
    )  # fmt: skip
    session.add(job)
    session.flush()
    audit(session, who, "term.change", term.term_id, {"job_id": job.id, "dataset_id": dataset.id, "change": request, "now": now.isoformat()})
    session.commit()
    state.runner.submit(job.id)
    return JobCreated(job_id=job.id, status="queued")


def _aware(moment: dt.datetime, timezone: str) -> dt.datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=ZoneInfo(timezone))
