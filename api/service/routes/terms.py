"""Terms: upload data, list, read, solve, submit changes (re-plan)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Depends, File, UploadFile
from sqlalchemy import select

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
from api.service.storage.models import (
    Term,
)

router = APIRouter(prefix="/api/terms", tags=["terms"], dependencies=[Depends(lang_param)], responses=errors(401, 403, 422))


def read_upload(file: UploadFile, limit: int) -> bytes:
    content = file.file.read(limit + 1)
    if len(content) > limit:
        raise too_large(limit)
    if not content:
        raise ApiError(422, "empty_file", "上传的文件是空的", "the uploaded file is empty")
    return content


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
    content = read_upload(file, state.settings.max_upload_bytes)
    term, dataset, checked = actions.upload_term(session, state.settings, content, file.filename or "upload", who.name)
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


@router.post(
    "/{term_id}/solve", status_code=202, response_model=JobCreated, responses=errors(404, 409),
    summary="求解（后台任务）/ solve the term's latest data (a job)",
)  # fmt: skip
def solve(
    term_id: str, state: StateDep, session: SessionDep, who: Office, lang: LangDep,
    body: Annotated[SolveIn | None, Body()] = None,
) -> JobCreated:  # fmt: skip
    job = actions.start_solve(session, state, term_id, body.time_limit_s if body else None, lang, who)
    return JobCreated(job_id=job.id, status="queued")


@router.post(
    "/{term_id}/changes", status_code=202, response_model=JobCreated, responses=errors(404, 409, 413),
    summary="提交变更并重新规划 / submit a change: re-plan against the published plan (a job)",
)  # fmt: skip
def changes(term_id: str, change: ChangeRequest, state: StateDep, session: SessionDep, who: Office, lang: LangDep) -> JobCreated:
    job = actions.submit_change(session, state, term_id, change, lang, who)
    return JobCreated(job_id=job.id, status="queued")
