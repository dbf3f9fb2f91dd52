"""A term's records as a whole: bulk import, the records-contract files, the compliance report."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Depends, File, Query, Response, UploadFile
from sqlalchemy.orm import Session

from api.service import views
from api.service.deps import LangDep, Office, Reader, SessionDep, StateDep
from api.service.errors import ApiError
from api.service.evidence import imports, recordset, visits
from api.service.evidence.visits import Published
from api.service.routes import errors, lang_param
from api.service.routes.plans import XLSX
from api.service.routes.terms import read_upload, upload_name
from api.service.schemas import ComplianceOut, ImportOut
from api.service.state import ServiceState
from api.service.storage.db import write_lock
from api.service.storage.models import Term
from data import evidence_report
from solver.evidence.report import ComplianceReport

router = APIRouter(prefix="/api/terms", tags=["records"], dependencies=[Depends(lang_param)], responses=errors(401, 403, 404, 422))
AsOf = Annotated[
    dt.datetime | None,
    Query(description="judge as of this moment (naive: the term's time zone); default the term's end / 截止时间，默认学期结束"),
]


def published_or_409(state: ServiceState, session: Session, term_id: str) -> Published:
    views.get_or_404(session, Term, term_id)
    published = visits.published_of_term(state, session, term_id)
    if published is None:
        raise ApiError(409, "conflict", "该学期还没有发布的计划；发布后才有走访记录可评估",
                       "the term has no published plan yet; records are judged against the published plan")  # fmt: skip
    return published


def _report(state: ServiceState, session: Session, term_id: str, as_of: dt.datetime | None, lang: str) -> tuple[Published, ComplianceReport]:
    published = published_or_409(state, session, term_id)
    return published, recordset.report(session, published, as_of, lang)


@router.get(
    "/{term_id}/compliance", response_model=ComplianceOut, responses=errors(409),
    summary="落实情况报告：领导、结论、疑点、诉求办理率 / the compliance report: leaders, verdicts, flags, rates",
)  # fmt: skip
def get_compliance(term_id: str, state: StateDep, session: SessionDep, who: Reader, lang: LangDep, as_of: AsOf = None) -> ComplianceOut:
    published, report = _report(state, session, term_id, as_of, lang)
    return ComplianceOut(
        term_id=term_id, plan_id=published.plan_id, as_of=report.as_of, summary=report.summary(),
        leaders=report.leader_rows(), requirements=report.compliance_rows(), flags=report.flag_rows(),
        feedback=report.feedback_rows(), rates=report.rate_rows(),
    )  # fmt: skip


@router.get(
    "/{term_id}/flags", response_model=list[dict[str, str]], responses=errors(409),
    summary="疑点（可能的弄虚作假或差错）/ the flags: possible falsifications and errors",
)  # fmt: skip
def get_flags(term_id: str, state: StateDep, session: SessionDep, who: Reader, lang: LangDep, as_of: AsOf = None) -> list[dict[str, str]]:
    _, report = _report(state, session, term_id, as_of, lang)
    return [{k: str(v) for k, v in row.items()} for row in report.flag_rows()]


@router.post(
    "/{term_id}/records", status_code=201, response_model=ImportOut, responses=errors(409, 413, 415),
    summary="批量导入走访记录（records 工作簿或 CSV 的 .zip）/ import a records workbook or zip",
)  # fmt: skip
def import_records(
    term_id: str, state: StateDep, session: SessionDep, who: Office,
    file: Annotated[UploadFile, File(description="records 工作簿 (.xlsx) 或 CSV 文件的 .zip / a records workbook or a .zip of its CSV files")],
) -> ImportOut:  # fmt: skip
    name = upload_name(file)
    content = read_upload(file, state.settings.max_upload_bytes)
    published = published_or_409(state, session, term_id)
    read = imports.read(published, name, content, state.settings.max_unzipped_bytes)  # before the write lock: it takes time
    write_lock(session)
    row = imports.store(session, published, name, content, read.records, who)
    session.commit()
    return ImportOut(import_id=row.id, term_id=term_id, counts=row.counts)


@router.get(
    "/{term_id}/records.zip", response_class=Response, responses={**errors(409), 200: {"content": {"application/zip": {"schema": {"type": "string", "format": "binary"}}}}},
    summary="走访记录文件（records 约定的 CSV，与 frontline compliance 通用）/ the records-contract files",
)  # fmt: skip
def records_zip(term_id: str, state: StateDep, session: SessionDep, who: Reader) -> Response:
    published = published_or_409(state, session, term_id)
    body = recordset.records_zip(session, published)
    return Response(body, media_type="application/zip", headers={"Content-Disposition": f'attachment; filename="records-{term_id}.zip"'})


@router.get(
    "/{term_id}/compliance.xlsx", response_class=Response, responses={**errors(409), 200: {"content": {XLSX: {"schema": {"type": "string", "format": "binary"}}}}},
    summary="落实情况报告工作簿（含图表）/ the compliance workbook, with charts",
)  # fmt: skip
def compliance_workbook(term_id: str, state: StateDep, session: SessionDep, who: Reader, lang: LangDep, as_of: AsOf = None) -> Response:
    _, report = _report(state, session, term_id, as_of, lang)
    body = evidence_report.compliance_xlsx(report, lang)
    return Response(body, media_type=XLSX, headers={"Content-Disposition": f'attachment; filename="compliance-{term_id}.xlsx"'})
