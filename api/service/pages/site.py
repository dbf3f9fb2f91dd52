"""Mounting the pages on the service: routers, static files, sign-in redirects, HTML errors."""

from __future__ import annotations

from fastapi import FastAPI, Request, Response
from fastapi.responses import RedirectResponse
from fastapi.staticfiles import StaticFiles
from starlette.types import ASGIApp, Receive, Scope, Send

from api.service import errors
from api.service.errors import ApiError
from api.service.pages import checkin, office, people, start
from api.service.pages.sessions import SignInNeeded, sign_in_url
from api.service.pages.web import HERE, error_page


def install(app: FastAPI) -> None:
    for router in (start.router, office.router, people.router, checkin.router):
        app.include_router(router)
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")

    @app.exception_handler(SignInNeeded)
    async def _sign_in(request: Request, exc: SignInNeeded) -> Response:
        return RedirectResponse(sign_in_url(exc.kind, exc.path), status_code=303)

    errors.html_pages = _html_error
    app.add_middleware(LinkInBrowser)


class LinkInBrowser:
    """The API's personal link ``/me/<token>`` answers JSON; opened in a browser (``Accept:
    text/html``) it is the page sign-in ``/l/<token>`` instead, so the one URL the office hands out
    works for a phone and for a script alike."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] == "GET":
            path: str = scope["path"]
            if path.startswith("/me/") and path.count("/") == 2:
                accept = dict(scope["headers"]).get(b"accept", b"")
                if b"text/html" in accept:
                    scope = {**scope, "path": "/l/" + path[4:], "raw_path": ("/l/" + path[4:]).encode()}
        await self.app(scope, receive, send)


def _html_error(request: Request, exc: ApiError) -> Response | None:
    """An error on a path that is not the API, asked for by a browser: a page instead of JSON."""
    path = request.url.path
    if path.startswith(("/api/", "/feeds/", "/docs", "/openapi", "/healthz")):
        return None
    if "text/html" not in request.headers.get("accept", ""):
        return None
    return error_page(request, exc)
