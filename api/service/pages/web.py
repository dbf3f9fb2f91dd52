"""What every page shares: the templates, the language, rendering, and errors shown as pages."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from fastapi.templating import Jinja2Templates

from api.service.errors import ApiError, request_lang

HERE = Path(__file__).parent
templates = Jinja2Templates(directory=str(HERE / "templates"))
templates.env.trim_blocks = True
templates.env.lstrip_blocks = True
LANG_COOKIE = "fl_lang"
ZONE = ZoneInfo("Asia/Shanghai")


def page_lang(request: Request) -> str:
    """``?lang=`` (remembered in a cookie), else the cookie, else ``Accept-Language``; zh by default."""
    query = request.query_params.get("lang")
    if query:
        return "en" if query.lower().startswith("en") else "zh"
    cookie = request.cookies.get(LANG_COOKIE)
    if cookie in ("zh", "en"):
        return cookie
    return request_lang(request)


def translator(lang: str) -> Callable[[str, str], str]:
    def t(zh: str, en: str) -> str:
        return en if lang == "en" else zh

    return t


def local(moment: dt.datetime | str | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """A moment in the term's time zone (China), as text."""
    if moment is None or moment == "":
        return ""
    if isinstance(moment, str):
        moment = dt.datetime.fromisoformat(moment)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(ZONE).strftime(fmt)


templates.env.filters["local"] = local


def render(request: Request, name: str, context: dict[str, Any] | None = None, status: int = 200) -> Response:
    """The page ``name`` in the request's language; ``?lang=`` is remembered in a cookie."""
    lang = page_lang(request)
    signed = getattr(request.state, "signed", None)
    ctx = {
        "lang": lang, "t": translator(lang), "signed": signed,
        "csrf": signed.csrf if signed is not None else anonymous_csrf(request),
        "path": request.url.path, "other_lang": "en" if lang == "zh" else "zh",
    }  # fmt: skip
    ctx.update(context or {})
    response = templates.TemplateResponse(request, name, ctx, status_code=status)
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["Content-Security-Policy"] = (
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        "frame-ancestors 'none'; form-action 'self'; base-uri 'none'"
    )
    if request.query_params.get("lang") in ("zh", "en"):
        response.set_cookie(LANG_COOKIE, lang, max_age=365 * 86400, samesite="lax", httponly=True)
    fresh = getattr(request.state, "new_anonymous_csrf", None)
    if fresh:
        response.set_cookie(ANON_CSRF, fresh, httponly=True, samesite="strict", secure=request.url.scheme == "https")
    return response


# CSRF for forms without a session (sign-in, check-in): a double-submit cookie -------------------
ANON_CSRF = "fl_csrf"


def anonymous_csrf(request: Request) -> str:
    import secrets

    value = request.cookies.get(ANON_CSRF) or getattr(request.state, "new_anonymous_csrf", None)
    if not value:
        value = secrets.token_urlsafe(24)
        request.state.new_anonymous_csrf = value
    return value


def error_page(request: Request, exc: ApiError) -> Response:
    lang = page_lang(request)
    body = exc.body(lang)
    return render(request, "error.html", {"status": exc.status, "error": body}, status=exc.status)


class PageRoute(APIRoute):
    """A page route: an :class:`ApiError` (or an invalid form) becomes a page that says what went
    wrong in words, not JSON."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def route(request: Request) -> Response:
            try:
                return await handler(request)
            except ApiError as exc:
                return error_page(request, exc)
            except RequestValidationError as exc:
                fields = ", ".join(".".join(str(p) for p in e.get("loc", ())[1:]) for e in exc.errors())
                return error_page(request, ApiError(
                    422, "invalid_form", f"表单填写有误：{fields}；请返回修改后重新提交",
                    f"the form has problems: {fields}; go back, fix them and send it again",
                ))  # fmt: skip

        return route


def paged(items: list[Any], page: int | None, size: int) -> tuple[list[Any], dict[str, int]]:
    """One page of ``items`` (pages count from 1) and what the pager shows: long lists (leaders,
    units, items of a large university) stay within the page weight."""
    pages = max(1, -(-len(items) // size))
    current = max(1, min(pages, page or 1))
    return items[(current - 1) * size : current * size], {"page": current, "pages": pages, "total": len(items), "size": size}
