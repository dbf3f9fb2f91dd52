"""A student checking in from the QR code: one tap, optionally the student number; a clear page
when the code has expired. The page posts to the same function as ``POST /checkin/{code}``."""

from __future__ import annotations

from typing import Annotated

from fastapi import Cookie, Depends, Form, Request, Response
from fastapi.routing import APIRouter
from pydantic import ValidationError

from api.service.deps import SessionDep, StateDep
from api.service.errors import ApiError
from api.service.evidence import checkin, visits
from api.service.pages.sessions import check_csrf
from api.service.pages.web import PageRoute, page_lang, render
from api.service.routes import visits as visit_routes
from api.service.schemas import CheckinIn
from api.service.storage import tenancy
from calendars.text import KIND_NAMES

router = APIRouter(route_class=PageRoute, include_in_schema=False)


def _visit(request: Request, state: StateDep, session: SessionDep, code: str) -> dict[str, object]:
    row = checkin.lookup_code(session, code)  # 404 in words for an unknown code
    tenancy.bind(session, row.university_id)  # the code names its university
    if state.now() > row.expires_at:
        raise checkin.expired()
    visit = visits.find(state, session, row.uid)
    names = {x.leader_id: x.name for x in visit.published.problem.leaders}
    lang = page_lang(request)
    return {"title": visit.event.title, "kind": KIND_NAMES[lang].get(visit.event.visit_kind, ""), "leader": names.get(visit.event.leader_id, "")}


@router.get("/checkin/{code}")
def checkin_page(code: str, request: Request, state: StateDep, session: SessionDep) -> Response:
    return render(request, "checkin/form.html", {"code": code, "visit": _visit(request, state, session, code)})


@router.post("/checkin/{code}/page", dependencies=[Depends(check_csrf)])
def check_in(
    code: str, request: Request, state: StateDep, session: SessionDep,
    student_no: Annotated[str, Form(max_length=64)] = "",
    device_cookie: Annotated[str | None, Cookie(alias=visit_routes.DEVICE_COOKIE)] = None,
) -> Response:  # fmt: skip
    lang = page_lang(request)
    try:
        body = CheckinIn(student_no=student_no.strip()) if student_no.strip() else None
    except ValidationError as exc:
        raise ApiError(422, "invalid_form", "学号含有不允许的字符；请只填写学号", "the student number holds characters that are not allowed") from exc
    visit = _visit(request, state, session, code)
    answer = Response()
    result = visit_routes.post_checkin(code, answer, state, session, lang, body, device_cookie)
    page = render(request, "checkin/done.html", {"result": result, "visit": visit}, status=201 if result.counted else 200)
    for name, value in answer.headers.items():
        if name.lower() == "set-cookie":
            page.headers.append("set-cookie", value)
    return page
