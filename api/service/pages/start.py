"""The start page (how each kind of user gets in; in demo mode a guided tour), sign-in, sign-out."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Form, Request, Response
from fastapi.responses import RedirectResponse
from fastapi.routing import APIRouter

from api.service.auth import authenticate
from api.service.deps import SessionDep, StateDep
from api.service.errors import ApiError
from api.service.pages import sessions
from api.service.pages.sessions import MaybeSigned, check_csrf
from api.service.pages.web import PageRoute, page_lang, render

router = APIRouter(route_class=PageRoute, include_in_schema=False)


def safe_next(target: str | None, default: str = "/office") -> str:
    """Only a path on this site (never ``//host`` or a scheme) is followed after sign-in."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return default
    return target


@router.get("/")
def start_page(request: Request, state: StateDep, signed: MaybeSigned) -> Response:
    return render(request, "start.html", {"demo": state.demo})


@router.get("/office/signin")
def sign_in_form(request: Request, signed: MaybeSigned, next: str | None = None) -> Response:
    return render(request, "signin.html", {"next": safe_next(next), "failed": None})


@router.post("/office/signin", dependencies=[Depends(check_csrf)])
def sign_in(
    request: Request, session: SessionDep,
    token: Annotated[str, Form(max_length=200)] = "", next: Annotated[str, Form(max_length=2000)] = "/office",
) -> Response:  # fmt: skip
    try:
        principal = authenticate(session, token.strip())
        if principal.is_link:
            raise ApiError(401, "unauthorized", "这是领导或联系对象的个人链接中的令牌，不能登录办公室页面；请直接打开该链接",
                           "this is the token of a leader's or unit's personal link, not an office token; open the link itself")  # fmt: skip
        if principal.role == "province":
            raise sessions.PROVINCE_REFUSED
    except ApiError as exc:
        return render(request, "signin.html", {"next": safe_next(next), "failed": exc.body(page_lang(request)).detail}, status=exc.status)
    response = RedirectResponse(safe_next(next), status_code=303)
    sessions.start(session, request, response, "office", principal.token_id)
    return response


@router.post("/demo/signin", dependencies=[Depends(check_csrf)])
def demo_sign_in(request: Request, state: StateDep, session: SessionDep) -> Response:
    """Demo mode only (``serve --demo``): sign in as the demo's office member in one click."""
    demo = state.demo
    if demo is None or not demo.get("office_token_id"):
        raise ApiError(404, "not_found", "只有演示模式（frontline serve --demo）才能一键登录", "one-click sign-in exists only in demo mode (frontline serve --demo)")
    response = RedirectResponse("/office", status_code=303)
    sessions.start(session, request, response, "office", demo["office_token_id"])
    return response


@router.post("/signout", dependencies=[Depends(check_csrf)])
def sign_out(request: Request, session: SessionDep) -> Response:
    response = RedirectResponse("/?signed_out=1", status_code=303)
    sessions.end(session, request, response)
    return response


@router.get("/signed-out")
def signed_out(request: Request, who: str = "leader") -> Response:
    return render(request, "signed_out.html", {"who": who if who in ("leader", "unit") else "leader"}, status=401)
