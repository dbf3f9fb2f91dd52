"""A leader's pages and a unit's pages (phone-first), reached through their personal link.

``/l/<token>`` (or ``/u/<token>``, or the API's link URL ``/me/<token>`` opened in a browser)
trades the link's token for a session cookie and redirects to ``/leader`` or ``/unit``: the token
is in one request only, and redacted from the logs. Every action calls the function behind the
JSON route that does the same (``api.service.routes.access``, ``visits``, ``feedback``), so a page
can do exactly what the link's token may do through the API, and nothing else.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import Depends, Form, Request, Response
from fastapi.responses import RedirectResponse
from fastapi.routing import APIRouter
from pydantic import ValidationError
from sqlalchemy.orm import Session

from api.service import feeds
from api.service.auth import authenticate
from api.service.deps import SessionDep, StateDep, base_url
from api.service.errors import ApiError
from api.service.evidence import checkin, visits
from api.service.evidence import views as evidence_views
from api.service.pages import sessions
from api.service.pages.labels import LABELS
from api.service.pages.qr import qr_svg
from api.service.pages.sessions import LeaderPage, Signed, UnitPage, check_csrf
from api.service.pages.web import ZONE, PageRoute, page_lang, render, translator
from api.service.routes import access, feedback
from api.service.routes import visits as visit_routes
from api.service.schemas import (
    ConfirmationIn,
    FeedbackIn,
    FeedbackPatch,
    RaisedIn,
    RatingIn,
    RecordIn,
)
from api.service.state import ServiceState
from calendars.text import KIND_NAMES, PREPARE

router = APIRouter(route_class=PageRoute, include_in_schema=False)
CSRF = [Depends(check_csrf)]


def _see_other(url: str) -> Response:
    return RedirectResponse(url, status_code=303)


# the link ----------------------------------------------------------------------------------------
@router.get("/l/{token}")
@router.get("/u/{token}")
def open_link(token: str, request: Request, session: SessionDep) -> Response:
    """The personal link: a session instead of the token, then the page without it."""
    try:
        who = authenticate(session, token if len(token) <= 200 else "")
    except ApiError:
        who = None
    if who is None or not who.is_link:
        raise ApiError(404, "unknown_link", "这个链接无效或已更换；请向党委办公室索取新链接",
                       "this link is not valid or has been replaced; ask the party office for the new one")  # fmt: skip
    response = _see_other("/leader" if who.role == "leader" else "/unit")
    sessions.start(session, request, response, who.role, who.token_id)
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


def _visits(state: ServiceState, session: Session, signed: Signed, week: int | None) -> Any:
    return access.my_visits(state, session, signed.principal, week)


def _when(visit: Any) -> str:
    start, end = visit.visit.start.astimezone(ZONE), visit.visit.end.astimezone(ZONE)
    return f"{start:%m-%d} {start:%H:%M}–{end:%H:%M}"


def _place(published: Any, event: Any, lang: str) -> str:
    if event.campus:
        campus = next((c.name for c in published.problem.campuses if c.campus_id == event.campus), event.campus)
        return f"{campus} · {event.location}" if event.location else campus
    return "线上" if lang != "en" else "online"


def _card(state: ServiceState, published: Any, v: Any, lang: str) -> dict[str, Any]:
    now = state.now()
    start = v.visit.start
    event = next(e for e in published.plan.events if e.uid == v.visit.uid)
    first, last = checkin.window(state, visits.Visit(published, event))
    return {
        "v": v, "when": _when(v), "place": _place(published, v.visit, lang), "kind": KIND_NAMES[lang].get(v.visit.visit_kind, v.visit.visit_kind),
        "prepare": PREPARE[lang].get(v.visit.visit_kind, ""), "started": start <= now,
        "checkin_open": first <= now <= last, "weekday": start.astimezone(ZONE).weekday(),
    }  # fmt: skip


# a leader ------------------------------------------------------------------------------------------
@router.get("/leader")
def leader_home(request: Request, state: StateDep, session: SessionDep, signed: LeaderPage) -> Response:
    lang = page_lang(request)
    published = visits.published_of(state, session, "leader", signed.subject_id)
    weeks: list[tuple[int, list[dict[str, Any]]]] = []
    if published is not None:
        now_week = evidence_views.current_week(published, state.now()) or 1
        for week in (now_week, now_week + 1):
            if week <= published.problem.term.weeks:
                listed = _visits(state, session, signed, week).visits
                weeks.append((week, [_card(state, published, v, lang) for v in listed if v.visit.status == "planned"]))
    feed = feeds.active_token(session, "leader", signed.subject_id)
    return render(request, "people/leader.html", {"weeks": weeks, "published": published, "feed": feed, "subscribe": None, **LABELS})


@router.post("/leader/subscribe", dependencies=CSRF)
def leader_subscribe(request: Request, state: StateDep, session: SessionDep, signed: LeaderPage) -> Response:
    """A calendar address for the leader (a new one replaces the old one)."""
    t = translator(page_lang(request))
    row, token = feeds.issue(session, "leader", signed.subject_id, signed.principal, rotate=True)
    session.commit()
    state.feeds.invalidate()
    url, webcal = feeds.urls(base_url(state, request), token)
    subscribe = {"url": url, "webcal": webcal, "qr": qr_svg(webcal, t("日历订阅二维码", "Calendar subscription QR code"))}
    return render(request, "people/subscribed.html", {"subscribe": subscribe})


@router.get("/leader/visits/{uid}")
def record_form(uid: str, request: Request, state: StateDep, session: SessionDep, signed: LeaderPage) -> Response:
    return _record_page(request, state, session, signed, uid)


def _record_page(request: Request, state: ServiceState, session: Session, signed: Signed, uid: str,
                 error: Any = None, form: dict[str, Any] | None = None, status: int = 200) -> Response:  # fmt: skip
    visit = visits.find(state, session, uid)
    visits.require_leader_or_office(signed.principal, visit.event.leader_id)
    lang = page_lang(request)
    view = evidence_views.visit_views(session, visit.published, [visit.event])[0]
    card = _card(state, visit.published, view, lang)
    record = view.record
    start, end = visit.event.start, visit.event.end
    if record is not None and record.start is not None and record.end is not None:
        start, end = record.start, record.end
    values = form or {
        "status": record.status if record else "held", "start": start.astimezone(ZONE).strftime("%H:%M"),
        "end": end.astimezone(ZONE).strftime("%H:%M"), "attendees": "" if not record or record.attendees is None else record.attendees,
        "reason": record.reason if record else "", "note": record.note if record else "",
    }  # fmt: skip
    return render(request, "people/record.html", {"card": card, "form": values, "error": error, "saved": request.query_params.get("saved"), **LABELS}, status=status)


@router.post("/leader/visits/{uid}", dependencies=CSRF)
def record_visit(
    uid: str, request: Request, state: StateDep, session: SessionDep, signed: LeaderPage,
    status: Annotated[str, Form(max_length=16)] = "held", start: Annotated[str, Form(max_length=5)] = "",
    end: Annotated[str, Form(max_length=5)] = "", attendees: Annotated[str, Form(max_length=8)] = "",
    reason: Annotated[str, Form(max_length=1000)] = "", note: Annotated[str, Form(max_length=2000)] = "",
    category: Annotated[list[str], Form()] = [], text: Annotated[list[str], Form()] = [],  # noqa: B006
    anonymous: Annotated[list[str], Form()] = [],  # noqa: B006
) -> Response:  # fmt: skip
    form = {"status": status, "start": start, "end": end, "attendees": attendees, "reason": reason, "note": note}
    lang = page_lang(request)
    visit = visits.find(state, session, uid)
    day = visit.event.start.astimezone(ZONE).date()
    try:
        raised = [
            RaisedIn(category=c, text=x.strip(), anonymous=str(i) in anonymous)  # type: ignore[arg-type]
            for i, (c, x) in enumerate(zip(category, text, strict=False)) if x.strip()
        ]  # fmt: skip
        body = RecordIn(
            status=status, start=_at(day, start) if status == "held" else None, end=_at(day, end) if status == "held" else None,  # type: ignore[arg-type]
            attendees=int(attendees) if attendees.strip().isdigit() else None, reason=reason, note=note, raised=raised,
        )  # fmt: skip
        visit_routes.put_record(uid, body, state, session, signed.principal)
    except ValidationError as exc:
        session.rollback()
        return _record_page(request, state, session, signed, uid, _invalid(exc, lang), form, 422)
    except ApiError as exc:
        session.rollback()
        if exc.status in (409, 422):
            return _record_page(request, state, session, signed, uid, exc.body(lang), form, exc.status)
        raise
    return _see_other(f"/leader/visits/{uid}?saved=1")


def _at(day: dt.date, hhmm: str) -> dt.datetime | None:
    try:
        return dt.datetime.combine(day, dt.time.fromisoformat(hhmm), tzinfo=ZONE) if hhmm else None
    except ValueError:
        return None


def _invalid(exc: ValidationError, lang: str) -> Any:
    t = translator(lang)
    problems = [("form", None, ".".join(map(str, e["loc"])), t("取值无效：", "invalid: ") + e["msg"], e["msg"]) for e in exc.errors()]
    return ApiError(422, "invalid_form", "表单填写有误，请修改", "the form has problems; fix them", problems=problems).body(lang)


@router.get("/leader/visits/{uid}/checkin")
def checkin_page(uid: str, request: Request, state: StateDep, session: SessionDep, signed: LeaderPage) -> Response:
    visit = visits.find(state, session, uid)
    visits.require_leader_or_office(signed.principal, visit.event.leader_id)
    view = evidence_views.visit_views(session, visit.published, [visit.event])[0]
    return render(request, "people/checkin.html", {"card": _card(state, visit.published, view, page_lang(request)), **_code(request, state, session, signed, uid), **LABELS})


@router.get("/leader/visits/{uid}/checkin/code")
def checkin_code(uid: str, request: Request, state: StateDep, session: SessionDep, signed: LeaderPage) -> Response:
    """The fragment the check-in page reloads: a fresh code before the shown one expires."""
    return render(request, "people/_code.html", _code(request, state, session, signed, uid))


def _code(request: Request, state: ServiceState, session: Session, signed: Signed, uid: str) -> dict[str, Any]:
    t = translator(page_lang(request))
    try:
        code = visit_routes.checkin_code(uid, request, state, session, signed.principal)
    except ApiError as exc:
        if exc.status != 409:
            raise
        return {"code": None, "problem": exc.body(page_lang(request)).detail, "count": None, "uid": uid}
    visit = visits.find(state, session, uid)
    count = evidence_views.visit_views(session, visit.published, [visit.event])[0].checkins
    seconds = max(5, int((code.expires_at - state.now()).total_seconds()))
    return {
        "code": code, "qr": qr_svg(code.url, t("签到二维码", "Check-in QR code")), "count": count, "uid": uid,
        "refresh": max(3, seconds // 2), "expires": code.expires_at, "problem": None,
    }  # fmt: skip


@router.get("/leader/items")
def leader_items(request: Request, state: StateDep, session: SessionDep, signed: LeaderPage) -> Response:
    items = feedback.list_items(state, session, signed.principal, None, None, None)
    owned = [i for i in items if i.owner == signed.subject_id]
    raised = [i for i in items if i.owner != signed.subject_id]
    return render(request, "people/items.html", {"owned": owned, "raised": raised, **LABELS})


@router.post("/leader/items/{item_id}", dependencies=CSRF)
def answer_item(
    item_id: str, request: Request, state: StateDep, session: SessionDep, signed: LeaderPage,
    answer: Annotated[str, Form(max_length=4000)] = "", resolved: Annotated[str, Form(max_length=5)] = "",
) -> Response:  # fmt: skip
    try:
        body = FeedbackPatch(answer=answer.strip() or None, resolved=True if resolved else None)
    except ValidationError as exc:
        raise ApiError(422, "invalid_form", "答复太长或含有不允许的字符", "the answer is too long or holds characters that are not allowed") from exc
    if body.answer is None and not body.resolved:
        raise ApiError(422, "invalid_form", "请写下答复，或勾选“已解决”", "write an answer, or tick \"resolved\"")
    feedback.patch_item(item_id, body, state, session, signed.principal)
    return _see_other("/leader/items?saved=1")


# a unit ----------------------------------------------------------------------------------------------
@router.get("/unit")
def unit_home(request: Request, state: StateDep, session: SessionDep, signed: UnitPage) -> Response:
    lang = page_lang(request)
    published = visits.published_of(state, session, "unit", signed.subject_id)
    cards = []
    if published is not None:
        cards = [_card(state, published, v, lang) for v in _visits(state, session, signed, None).visits if v.visit.status == "planned"]
    items = feedback.list_items(state, session, signed.principal, None, None, None)
    leaders = {x.leader_id: x.name for x in published.problem.leaders} if published else {}
    return render(request, "people/unit.html", {
        "past": [c for c in cards if c["started"]][::-1], "coming": [c for c in cards if not c["started"]],
        "items": items, "leaders": leaders, "published": published, **LABELS,
    })  # fmt: skip


@router.post("/unit/visits/{uid}/confirmation", dependencies=CSRF)
def confirm_visit(
    uid: str, request: Request, state: StateDep, session: SessionDep, signed: UnitPage,
    result: Annotated[str, Form(pattern="^(confirmed|denied)$")], note: Annotated[str, Form(max_length=2000)] = "",
) -> Response:  # fmt: skip
    visit_routes.post_confirmation(uid, ConfirmationIn(result=result, note=note.strip()), state, session, signed.principal)  # type: ignore[arg-type]
    return _see_other("/unit?confirmed=1")


@router.post("/unit/items", dependencies=CSRF)
def raise_item(
    request: Request, state: StateDep, session: SessionDep, signed: UnitPage,
    category: Annotated[str, Form(max_length=16)], text: Annotated[str, Form(max_length=2000)],
    anonymous: Annotated[str, Form(max_length=5)] = "",
) -> Response:  # fmt: skip
    try:
        body = FeedbackIn(category=category, text=text.strip(), anonymous=bool(anonymous), unit_id=signed.subject_id)  # type: ignore[arg-type]
    except ValidationError as exc:
        raise ApiError(422, "invalid_form", "请选择类别并写下内容（最多 2000 字）", "choose a category and write the item (at most 2000 characters)") from exc
    feedback.raise_item(body, state, session, signed.principal)
    return _see_other("/unit?raised=1")


@router.post("/unit/items/{item_id}/rating", dependencies=CSRF)
def rate_item(
    item_id: str, request: Request, state: StateDep, session: SessionDep, signed: UnitPage,
    rating: Annotated[str, Form(pattern="^(satisfied|basically|unsatisfied)$")],
) -> Response:  # fmt: skip
    feedback.rate_item(item_id, RatingIn(rating=rating), state, session, signed.principal)  # type: ignore[arg-type]
    return _see_other("/unit?rated=1")
