"""Plans: read a version, download its files, see its changes, publish it."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Response

from api.service import actions, plans, views
from api.service.deps import LangDep, Office, Reader, SessionDep, StateDep
from api.service.routes import errors, lang_param
from api.service.schemas import PlanBrief, PlanChanges, PlanOut
from api.service.storage.models import PlanVersion

router = APIRouter(prefix="/api/plans", tags=["plans"], dependencies=[Depends(lang_param)], responses=errors(401, 403, 404, 422))
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _file(body: bytes, media_type: str, name: str) -> Response:
    return Response(body, media_type=media_type, headers={"Content-Disposition": f'attachment; filename="{name}"'})


@router.get("/{plan_id}", response_model=PlanOut, summary="计划全文 / a plan: assignments, events, report, summary")
def get_plan(plan_id: str, session: SessionDep, who: Reader) -> PlanOut:
    return views.plan_out(views.get_or_404(session, PlanVersion, plan_id))


@router.get(
    "/{plan_id}/events.csv", response_class=Response, summary="events.csv",
    responses={200: {"content": {"text/csv": {"schema": {"type": "string"}}}}},
)  # fmt: skip
def events_csv(plan_id: str, session: SessionDep, who: Reader) -> Response:
    plan = views.get_or_404(session, PlanVersion, plan_id)
    return _file(plans.events_csv(plan.events), "text/csv; charset=utf-8", f"events-{plan.id}.csv")


@router.get(
    "/{plan_id}/report.csv", response_class=Response, summary="report.csv",
    responses={200: {"content": {"text/csv": {"schema": {"type": "string"}}}}},
)  # fmt: skip
def report_csv(plan_id: str, session: SessionDep, who: Reader) -> Response:
    plan = views.get_or_404(session, PlanVersion, plan_id)
    return _file(plans.report_csv(plan.report), "text/csv; charset=utf-8", f"report-{plan.id}.csv")


@router.get(
    "/{plan_id}/report.xlsx", response_class=Response, summary="report.xlsx",
    responses={200: {"content": {XLSX: {"schema": {"type": "string", "format": "binary"}}}}},
)  # fmt: skip
def report_xlsx(plan_id: str, session: SessionDep, who: Reader, lang: LangDep) -> Response:
    plan = views.get_or_404(session, PlanVersion, plan_id)
    return _file(plans.report_xlsx(plan.report, lang), XLSX, f"report-{plan.id}.xlsx")


@router.get("/{plan_id}/changes", response_model=PlanChanges, summary="与上一发布版本的差异 / the re-plan's changes")
def get_changes(plan_id: str, session: SessionDep, who: Reader) -> PlanChanges:
    plan = views.get_or_404(session, PlanVersion, plan_id)
    return PlanChanges(plan_id=plan.id, base_plan_id=plan.base_plan_id, changes=plan.changes or [])


@router.post(
    "/{plan_id}/publish", response_model=PlanBrief, responses=errors(409),
    summary="发布计划：订阅日历随之更新 / publish: the term's feeds serve this plan",
)  # fmt: skip
def publish(plan_id: str, state: StateDep, session: SessionDep, who: Office) -> PlanBrief:
    plan = actions.publish_plan(session, views.get_or_404(session, PlanVersion, plan_id), who)
    session.commit()
    state.feeds.invalidate()  # the term's feeds now serve this plan
    return views.plan_brief(plan)
