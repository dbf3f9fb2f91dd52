"""The party office's pages: terms (upload, problems, summary), solve with live progress, the plan
(week grid, day view, unmet requirements, filters), review and publish, changes, links, compliance."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Annotated, Any

from fastapi import Depends, File, Form, Request, Response, UploadFile
from fastapi.responses import RedirectResponse
from fastapi.routing import APIRouter
from pydantic import ValidationError
from sqlalchemy import select
from starlette.concurrency import run_in_threadpool

from api.service import views
from api.service.deps import SessionDep, StateDep
from api.service.errors import ApiError
from api.service.pages.charts import heatmap_svg, progress_svg
from api.service.pages.labels import LABELS
from api.service.pages.qr import qr_svg
from api.service.pages.sessions import OfficeMember, OfficeReader, check_csrf
from api.service.pages.web import PageRoute, page_lang, paged, render, translator
from api.service.routes import access
from api.service.routes import jobs as job_routes
from api.service.routes import plans as plan_routes
from api.service.routes import records as record_routes
from api.service.routes import terms as term_routes
from api.service.schemas import ChangeRequest, SolveIn
from api.service.storage.models import ACTIVE_JOB_STATUSES, AccessLink, Job, PlanVersion, Term
from calendars.text import KIND_NAMES, UNIT_KINDS
from data.evidence_report import compliance_xlsx
from solver.evidence.verdict import VERDICT_NAMES
from solver.problem import FACE_TO_FACE_KINDS, VISIT_KINDS

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PAGE = 60  # leaders per page of the week grid and the dashboard

router = APIRouter(prefix="/office", route_class=PageRoute, include_in_schema=False)
CSRF = [Depends(check_csrf)]
TIERS = {
    "school": ("校领导", "university leaders"), "department": ("机关部处", "offices"),
    "college": ("院系", "colleges"), "student_affairs": ("学生工作部门", "student affairs"),
}  # fmt: skip
WEEKDAYS = (("周一", "Mon"), ("周二", "Tue"), ("周三", "Wed"), ("周四", "Thu"), ("周五", "Fri"), ("周六", "Sat"), ("周日", "Sun"))


def _see_other(url: str) -> Response:
    return RedirectResponse(url, status_code=303)


# terms -------------------------------------------------------------------------------------------
@router.get("")
def home(request: Request, session: SessionDep, signed: OfficeReader) -> Response:
    return _home(request, session)


def _home(request: Request, session: SessionDep, error: Any = None, status: int = 200) -> Response:
    terms = [views.term_out(session, t) for t in session.scalars(select(Term).order_by(Term.created_at.desc()))]
    return render(request, "office/home.html", {"terms": terms, "error": error}, status=status)


@router.post("/terms", dependencies=CSRF)
async def upload(
    request: Request, state: StateDep, session: SessionDep, signed: OfficeMember,
    file: Annotated[UploadFile, File()],
) -> Response:  # fmt: skip
    lang = page_lang(request)
    try:
        out = await run_in_threadpool(term_routes.upload, state, session, signed.principal, lang, file)
    except ApiError as exc:
        session.rollback()
        return _home(request, session, error=exc.body(lang), status=exc.status)
    term_id = out.term_id
    return _see_other(f"/office/terms/{term_id}?uploaded=1")


@router.get("/terms/{term_id}")
def term_page(term_id: str, request: Request, state: StateDep, session: SessionDep, signed: OfficeReader) -> Response:
    term = views.get_or_404(session, Term, term_id)
    detail = views.term_detail(session, term)
    lang = page_lang(request)
    current = next((d for d in detail.datasets if d.dataset_id == term.current_dataset_id), None)
    warnings: list[dict[str, Any]] = []
    if current is not None:
        from api.service.storage.models import Dataset

        stored = session.get_one(Dataset, current.dataset_id)
        warnings = [{"file": w[0], "row": w[1], "column": w[2], "message": w[4] if lang == "en" else w[3]} for w in stored.warnings]
    return render(request, "office/term.html", {
        "term": detail, "warnings": warnings, "plans": list(reversed(detail.plans)), "jobs": list(reversed(detail.jobs)),
        "default_limit": min(state.settings.default_time_limit_s, state.settings.max_time_limit_s),
        "max_limit": state.settings.max_time_limit_s,
    })  # fmt: skip


@router.post("/terms/{term_id}/solve", dependencies=CSRF)
def solve(
    term_id: str, request: Request, state: StateDep, session: SessionDep, signed: OfficeMember,
    time_limit_s: Annotated[float | None, Form(gt=0)] = None,
) -> Response:  # fmt: skip
    job = term_routes.solve(term_id, state, session, signed.principal, page_lang(request), SolveIn(time_limit_s=time_limit_s))
    return _see_other(f"/office/jobs/{job.job_id}")


# jobs --------------------------------------------------------------------------------------------
def _progress_context(request: Request, job: Job) -> dict[str, Any]:
    t = translator(page_lang(request))
    points = list(job.progress_log or [])
    if job.elapsed_s is not None and job.bound is not None and (not points or points[-1][0] != job.elapsed_s):
        points.append([job.elapsed_s, job.objective, job.bound])
    chart = progress_svg(points, t("求解进度：目标值与界", "Solve progress: objective and bound"),
                         (t("用时", "elapsed"), t("目标值", "objective"), t("界", "bound")))  # fmt: skip
    final = job.status not in ACTIVE_JOB_STATUSES
    go = f"/office/plans/{job.plan_id}/review" if job.status == "done" and job.plan_id else None
    return {"job": job, "chart": chart, "final": final, "go": go}


@router.get("/jobs/{job_id}")
def job_page(job_id: str, request: Request, session: SessionDep, signed: OfficeReader) -> Response:
    job = views.get_or_404(session, Job, job_id)
    return render(request, "office/job.html", _progress_context(request, job))


@router.get("/jobs/{job_id}/progress")
def job_progress(job_id: str, request: Request, session: SessionDep, signed: OfficeReader) -> Response:
    job = views.get_or_404(session, Job, job_id)
    return render(request, "office/_progress.html", _progress_context(request, job))


@router.post("/jobs/{job_id}/cancel", dependencies=CSRF)
def cancel(job_id: str, state: StateDep, session: SessionDep, signed: OfficeMember) -> Response:
    job_routes.cancel_job(job_id, state, session, signed.principal)
    return _see_other(f"/office/jobs/{job_id}")


# the plan ----------------------------------------------------------------------------------------
def _plan_data(state: StateDep, plan: PlanVersion) -> Any:
    return state.problem(plan.dataset_id)


@router.get("/plans/{plan_id}")
def plan_page(
    plan_id: str, request: Request, state: StateDep, session: SessionDep, signed: OfficeReader,
    view: str = "week", week: int | None = None, date: str | None = None, tier: str = "", college: str = "",
    campus: str = "", kind: str = "", page: int | None = None,
) -> Response:  # fmt: skip
    plan = views.get_or_404(session, PlanVersion, plan_id)
    problem = _plan_data(state, plan)
    lang = page_lang(request)
    leaders = {x.leader_id: x for x in problem.leaders}
    chosen = [x for x in problem.leaders if (not tier or x.tier == tier) and (not college or x.college == college)]
    chosen_ids = {x.leader_id for x in chosen}
    events = [
        e for e in plan.events
        if e["leader_id"] in chosen_ids and (not campus or e["campus"] == campus) and (not kind or e["visit_kind"] == kind)
    ]  # fmt: skip
    weeks = problem.term.weeks
    week = max(1, min(weeks, week or _current_week(problem.term.start_date, weeks)))
    monday = problem.term.start_date + dt.timedelta(days=7 * (week - 1))
    context: dict[str, Any] = {
        "plan": plan, "problem": problem, "view": view if view in ("week", "day", "unmet") else "week",
        "week": week, "weeks": weeks, "monday": monday, "kinds": KIND_NAMES[lang], "visit_kinds": VISIT_KINDS,
        "tiers": TIERS, "filters": {"tier": tier, "college": college, "campus": campus, "kind": kind},
        "colleges": sorted({x.college for x in problem.leaders if x.college}),
        "campuses": problem.campuses, "leaders": leaders, "weekdays": WEEKDAYS, "count": len(events),
    }  # fmt: skip
    if context["view"] == "week":
        grid: dict[str, list[list[dict[str, Any]]]] = {x.leader_id: [[] for _ in range(7)] for x in chosen}
        for e in events:
            if int(e["week"]) == week:
                grid[e["leader_id"]][dt.date.fromisoformat(e["date"]).weekday()].append(e)
        context["grid"], context["pager"] = paged([(leaders[i], days) for i, days in grid.items()], page, PAGE)
        context["days"] = [monday + dt.timedelta(days=i) for i in range(7)]
    elif context["view"] == "day":
        day = _date(date) or monday
        by_campus: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for e in sorted(events, key=lambda e: e["start"]):
            if e["date"] == day.isoformat():
                by_campus[e["campus"] or "online"].append(e)
        context["day"] = day
        context["by_campus"] = sorted(by_campus.items())
    else:
        context["unmet"], context["pager"] = paged([r for r in plan.report if not r["met"] and r["leader_id"] in chosen_ids], page, 200)
    return render(request, "office/plan.html", context)


def _current_week(start: dt.date, weeks: int) -> int:
    days = (dt.date.today() - start).days
    return max(1, min(weeks, days // 7 + 1)) if days >= 0 else 1


def _date(text: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text) if text else None
    except ValueError:
        return None


@router.get("/plans/{plan_id}/review")
def review(plan_id: str, request: Request, state: StateDep, session: SessionDep, signed: OfficeReader) -> Response:
    plan = views.get_or_404(session, PlanVersion, plan_id)
    term = views.get_or_404(session, Term, plan.term_id)  # the plan's term, in the same university
    problem = _plan_data(state, plan)
    names = {x.leader_id: x.name for x in problem.leaders}
    by_uid = {e["uid"]: e for e in plan.events}
    if plan.changes is not None:
        changes = [c for c in plan.changes if c["change"] != "kept"]
        kept = sum(1 for c in plan.changes if c["change"] == "kept")
    elif term.published_plan_id is None:
        changes = [
            {"uid": e["uid"], "leader_id": e["leader_id"], "change": "added", "old_start": None, "new_start": e["start"], "reason": ""}
            for e in plan.events if e["status"] == "planned"
        ]  # fmt: skip
        kept = 0
    else:
        changes, kept = [], 0
    counts = {k: sum(1 for c in changes if c["change"] == k) for k in ("moved", "cancelled", "added")}
    return render(request, "office/review.html", {
        "plan": plan, "term": term, "changes": changes, "kept": kept, "counts": counts, "names": names, "by_uid": by_uid,
        "unmet": [r for r in plan.report if not r["met"]],
    })  # fmt: skip


@router.post("/plans/{plan_id}/publish", dependencies=CSRF)
def publish(plan_id: str, state: StateDep, session: SessionDep, signed: OfficeMember) -> Response:
    plan_routes.publish(plan_id, state, session, signed.principal)
    return _see_other(f"/office/plans/{plan_id}?published=1")


# changes -----------------------------------------------------------------------------------------
@router.get("/terms/{term_id}/change")
def change_form(term_id: str, request: Request, state: StateDep, session: SessionDep, signed: OfficeReader) -> Response:
    return _change_page(request, state, session, term_id)


def _change_page(request: Request, state: StateDep, session: SessionDep, term_id: str, error: Any = None, form: dict[str, str] | None = None, status: int = 200) -> Response:
    term = views.get_or_404(session, Term, term_id)
    problem = state.problem(term.current_dataset_id) if term.current_dataset_id else None
    return render(request, "office/change.html", {
        "term": term, "problem": problem, "error": error, "form": form or {}, "weekdays": WEEKDAYS,
    }, status=status)  # fmt: skip


@router.post("/terms/{term_id}/change", dependencies=CSRF)
def change(
    term_id: str, request: Request, state: StateDep, session: SessionDep, signed: OfficeMember,
    what: Annotated[str, Form(pattern="^(trip|timetable)$")],
    owner_id: Annotated[str, Form(max_length=200)] = "",
    start: Annotated[str, Form(max_length=40)] = "", end: Annotated[str, Form(max_length=40)] = "",
    kind: Annotated[str, Form(max_length=20)] = "travel", note: Annotated[str, Form(max_length=400)] = "",
    weekday: Annotated[str, Form(max_length=2)] = "", weeks: Annotated[str, Form(max_length=80)] = "",
    time_start: Annotated[str, Form(max_length=5)] = "", time_end: Annotated[str, Form(max_length=5)] = "",
    title: Annotated[str, Form(max_length=200)] = "", time_limit_s: Annotated[float | None, Form(gt=0)] = None,
) -> Response:  # fmt: skip
    form = {k: v for k, v in dict(
        what=what, owner_id=owner_id, start=start, end=end, kind=kind, note=note, weekday=weekday, weeks=weeks,
        time_start=time_start, time_end=time_end, title=title,
    ).items()}  # fmt: skip
    lang = page_lang(request)
    if what == "trip":
        rows: dict[str, Any] = {"absences": [{"owner_id": owner_id, "start": start, "end": end or start, "kind": kind, "note": note}]}
    else:
        rows = {"timetable": [{"owner_id": owner_id, "weekday": weekday, "start": time_start, "end": time_end, "weeks": weeks, "title": title}]}
    try:
        request_body = ChangeRequest(**rows, time_limit_s=time_limit_s)
        job = term_routes.changes(term_id, request_body, state, session, signed.principal, lang)
    except ValidationError as exc:
        session.rollback()
        error = ApiError(422, "invalid_change", "变更有误", "the change has problems",
                         problems=[("form", None, ".".join(map(str, e["loc"])), e["msg"], e["msg"]) for e in exc.errors()])  # fmt: skip
        return _change_page(request, state, session, term_id, error.body(lang), form, 422)
    except ApiError as exc:
        session.rollback()
        if exc.status == 422:
            return _change_page(request, state, session, term_id, exc.body(lang), form, 422)
        raise
    return _see_other(f"/office/jobs/{job.job_id}")


# links -------------------------------------------------------------------------------------------
@router.get("/terms/{term_id}/links")
def links_page(
    term_id: str, request: Request, state: StateDep, session: SessionDep, signed: OfficeReader, page: int | None = None,
) -> Response:  # fmt: skip
    term = views.get_or_404(session, Term, term_id)
    if term.current_dataset_id is None:
        raise views.conflict("该学期还没有数据；请先上传", "the term has no data yet; upload it first")
    problem = state.problem(term.current_dataset_id)
    active = {
        (row.role, row.subject_id): row
        for row in session.scalars(select(AccessLink).where(AccessLink.revoked_at.is_(None)))
    }  # fmt: skip
    rows, pager = paged([("leader", x) for x in problem.leaders] + [("unit", u) for u in problem.units], page, 150)
    return render(request, "office/links.html", {
        "term": term, "leaders": [x for kind, x in rows if kind == "leader"], "units": [u for kind, u in rows if kind == "unit"],
        "active": active, "pager": pager,
        "unit_kinds": UNIT_KINDS[page_lang(request)],
    })  # fmt: skip


@router.post("/links/{role}/{subject_id}", dependencies=CSRF)
def issue_link(
    role: str, subject_id: str, request: Request, state: StateDep, session: SessionDep, signed: OfficeMember,
    term_id: Annotated[str, Form(max_length=200)] = "",
) -> Response:  # fmt: skip
    if role not in ("leader", "unit"):
        raise ApiError(404, "not_found", "没有这种链接", "no such kind of link")
    t = translator(page_lang(request))
    issued = access._link(request, state, session, signed.principal, role, subject_id)
    caption = t("扫码确认领导来访", "Scan to confirm the leaders' visits") if role == "unit" else t("个人链接", "Personal link")
    return render(request, "office/sheet.html" if role == "unit" else "office/link.html", {
        "link": issued, "qr": qr_svg(issued.url, caption), "caption": caption, "term_id": term_id,
    })  # fmt: skip


# compliance --------------------------------------------------------------------------------------
@router.get("/terms/{term_id}/compliance")
def compliance_page(
    term_id: str, request: Request, state: StateDep, session: SessionDep, signed: OfficeReader, as_of: str | None = None,
    page: int | None = None,
) -> Response:  # fmt: skip
    lang = page_lang(request)
    t = translator(lang)
    moment = _moment(as_of)
    published, report = record_routes._report(state, session, term_id, moment, lang)
    rows, weeks = coverage(published, report)
    leader_rows, pager = paged(report.leader_rows(), page, PAGE)
    shown = {str(r["leader_id"]) for r in leader_rows}
    heat = heatmap_svg([(name, values) for leader_id, name, values in rows if leader_id in shown], weeks, t("每周走访完成情况（已开展 / 计划，面对面）", "Weekly coverage (held / planned, face to face)"), t("周", "week"))
    ledger = report.feedback_rows()
    return render(request, "office/compliance.html", {
        "term_id": term_id, "report": report, "summary": report.summary(), "leaders": leader_rows, "pager": pager,
        "flags": report.flag_rows()[:300], "ledger": ledger[:300], "more": max(len(ledger), len(report.flags)) > 300, "rates": report.rate_rows(), "heat": heat,
        "names": report.names, "verdict_names": VERDICT_NAMES[lang], "as_of": as_of or "",
        "late": [r for r in ledger if r["state"] in ("overdue", "escalated") or r["escalated"] == "true"], **LABELS,
    })  # fmt: skip


@router.get("/terms/{term_id}/compliance.xlsx")
def compliance_download(
    term_id: str, request: Request, state: StateDep, session: SessionDep, signed: OfficeReader, as_of: str | None = None,
) -> Response:  # fmt: skip
    lang = page_lang(request)
    _, report = record_routes._report(state, session, term_id, _moment(as_of), lang)
    return Response(compliance_xlsx(report, lang), media_type=XLSX, headers={
        "Content-Disposition": f'attachment; filename="compliance-{term_id}.xlsx"',
    })  # fmt: skip


def _moment(text: str | None) -> dt.datetime | None:
    if not text:
        return None
    try:
        return dt.datetime.fromisoformat(text)
    except ValueError:
        raise ApiError(422, "invalid_request", f"截止时间“{text}”不是日期时间，如 2027-01-15T18:00",
                       f"{text!r} is not a date and time, e.g. 2027-01-15T18:00") from None  # fmt: skip


def coverage(published: Any, report: Any) -> tuple[list[tuple[str, str, list[float | None]]], list[int]]:
    """Leaders x weeks: the share of the week's planned face-to-face visits that were held."""
    term = published.problem.term
    weeks = list(range(1, term.weeks + 1))
    planned: dict[tuple[str, int], int] = defaultdict(int)
    for e in published.plan.events:
        if e.status == "planned" and e.face_to_face:
            planned[(e.leader_id, e.week)] += 1
    held: dict[tuple[str, int], int] = defaultdict(int)
    for v in report.visits:
        if v.status == "held" and v.start is not None and v.visit_kind in FACE_TO_FACE_KINDS:
            week = (v.start.astimezone(published.zone).date() - term.start_date).days // 7 + 1
            held[(v.leader_id, week)] += 1
    rows = []
    for leader in published.problem.leaders:
        values: list[float | None] = []
        for w in weeks:
            due = planned.get((leader.leader_id, w), 0)
            values.append(None if not due and not held.get((leader.leader_id, w)) else min(1.0, held.get((leader.leader_id, w), 0) / max(1, due)))
        rows.append((leader.leader_id, leader.name, values))
    return rows, weeks
