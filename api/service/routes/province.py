"""The province: every university's term status and compliance summary, and the workbook."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Response

from api.service import province
from api.service.deps import LangDep, Province, SessionDep, StateDep
from api.service.routes import errors, lang_param
from api.service.routes.plans import XLSX
from api.service.schemas import ProvinceSummary, ProvinceTerm, ProvinceUniversity
from data.province_report import province_xlsx

router = APIRouter(prefix="/api/province", tags=["province"], dependencies=[Depends(lang_param)], responses=errors(401, 403, 422))
AsOf = Annotated[
    dt.datetime | None,
    Query(description="judge the records as of this moment (default now, at most each term's end) / 截止时间"),
]


def _rows(state: Any, session: Any, as_of: dt.datetime | None, lang: str) -> list[dict[str, Any]]:
    if as_of is not None and as_of.tzinfo is None:
        as_of = as_of.replace(tzinfo=dt.UTC)
    return province.summary(state, session, as_of, lang)


@router.get(
    "/summary", response_model=ProvinceSummary,
    summary="全省汇总：各高校学期状态与落实情况（只含统计数）/ every university: term status and compliance, counts only",
)  # fmt: skip
def summary(state: StateDep, session: SessionDep, who: Province, lang: LangDep, as_of: AsOf = None) -> ProvinceSummary:
    universities: dict[str, ProvinceUniversity] = {}
    for row in _rows(state, session, as_of, lang):
        entry = universities.setdefault(
            row["university_id"], ProvinceUniversity(university_id=row["university_id"], name=row["university_name"], terms=[])
        )
        if row["term_id"] is not None:
            entry.terms.append(ProvinceTerm(**{k: v for k, v in row.items() if k in ProvinceTerm.model_fields}))
    return ProvinceSummary(universities=list(universities.values()))


@router.get(
    "/summary.xlsx", response_class=Response,
    responses={200: {"content": {XLSX: {"schema": {"type": "string", "format": "binary"}}}}},
    summary="全省汇总工作簿 / the provincial workbook",
)  # fmt: skip
def summary_xlsx(state: StateDep, session: SessionDep, who: Province, lang: LangDep, as_of: AsOf = None) -> Response:
    body = province_xlsx(province.COLUMNS, _rows(state, session, as_of, lang), lang)
    return Response(body, media_type=XLSX, headers={"Content-Disposition": 'attachment; filename="province-summary.xlsx"'})
