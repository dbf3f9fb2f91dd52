"""The request guard: an ASGI middleware that checks a request before its body is read.

It covers every route, including routes added later, by looking at the route a request matches:

- a path or query parameter holding a NUL or another control character is refused (422, naming
  the parameter) before any route code or database sees it;
- a route whose dependencies need a token (``deps.get_principal``) has the token checked, and its
  role (``deps.role_needed``) too, before one byte of the body is read: 401/403 without reading a
  300 MB body, chunked or not;
- every body is limited while it arrives: uploads (routes with a ``File``/``Form`` parameter) to
  ``max_upload_bytes``, every other body to ``max_body_bytes``. A ``Content-Length`` over the
  limit is refused at once; a chunked body is counted and refused with 413 as soon as it passes.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

import anyio
from fastapi import params
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.service.auth import UNIVERSITY_HEADER, Principal, authenticate, forbid
from api.service.deps import PRINCIPAL_KEY, get_principal
from api.service.endpoints import endpoints
from api.service.errors import ApiError, request_lang
from api.service.settings import Settings
from data.cells import control_character

SLACK = 64 * 1024  # multipart boundaries and part headers around an upload


@dataclass(frozen=True)
class RoutePolicy:
    auth: bool  # the route needs a bearer token
    role: str | None  # the least role it needs
    upload: bool  # it takes a file (multipart)


def _walk(dependant: Any) -> list[Any]:
    found = [dependant]
    for sub in dependant.dependencies:
        found.extend(_walk(sub))
    return found


def policy_of(dependant: Any, principal_call: Callable[..., Any]) -> RoutePolicy:
    dependants = _walk(dependant)
    auth = any(d.call is principal_call for d in dependants)
    roles = [getattr(d.call, "frontline_role", None) for d in dependants]
    role = next((r for r in roles if r), None)
    upload = any(isinstance(p.field_info, params.Form) for d in dependants for p in d.body_params)
    return RoutePolicy(auth, role, upload)


class RequestGuard:
    def __init__(self, app: ASGIApp, settings: Settings, principal_call: Callable[..., Any] = get_principal) -> None:
        self.app = app
        self.settings = settings
        self.principal_call = principal_call
        self._table: list[tuple[Any, set[str], RoutePolicy]] | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        try:
            _check_parameters(scope)
            policy = self._policy(scope)
            headers = dict(scope["headers"])
            has_body = _has_body(headers)
            if has_body and policy.auth:
                scope[PRINCIPAL_KEY] = await self._authenticate(scope, headers, policy)
            limit = self.settings.max_upload_bytes + SLACK if policy.upload else self.settings.max_body_bytes
            length = headers.get(b"content-length", b"")
            if length.strip().isdigit() and int(length) > limit:
                raise _too_large(limit, policy.upload)
        except ApiError as error:
            await _answer(scope, send, error)
            return
        if not has_body:
            await self.app(scope, receive, send)
            return
        await self._limited(scope, receive, send, limit, policy.upload)

    def _policy(self, scope: Scope) -> RoutePolicy:
        if self._table is None:  # built at the first request, when every route is in place
            app = scope.get("app")
            routes = getattr(getattr(app, "router", None), "routes", ())
            self._table = [
                (e.path_regex, set(e.methods or ()), policy_of(e.dependant, self.principal_call)) for e in endpoints(routes)
            ]
        path, method = scope.get("path", ""), scope.get("method", "")
        for regex, methods, policy in self._table:
            if method in methods and regex.match(path):
                return policy
        return RoutePolicy(False, None, False)

    async def _authenticate(self, scope: Scope, headers: dict[bytes, bytes], policy: RoutePolicy) -> Principal:
        scheme, _, token = headers.get(b"authorization", b"").decode("latin-1").partition(" ")
        token = token.strip() if scheme.lower() == "bearer" else ""
        state = scope["app"].state.service
        university = headers.get(UNIVERSITY_HEADER.lower().encode(), b"").decode("latin-1") or None

        def check() -> Principal:
            with state.sessions() as session:
                principal = authenticate(session, token or None, university)
            if policy.role:
                forbid(principal, policy.role)
            return principal

        return await anyio.to_thread.run_sync(check)

    async def _limited(self, scope: Scope, receive: Receive, send: Send, limit: int, upload: bool) -> None:
        received = 0
        refused = False
        started = False

        async def counted() -> Message:
            nonlocal received, refused
            if refused:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    refused = True
                    if not started:
                        await _answer(scope, send, _too_large(limit, upload))
                    return {"type": "http.disconnect"}
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal started
            if refused:
                return  # the 413 has been sent; the route's own answer is dropped
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counted, guarded_send)
        except Exception:
            if not refused:
                raise


def _has_body(headers: dict[bytes, bytes]) -> bool:
    length = headers.get(b"content-length", b"").strip()
    return bool(headers.get(b"transfer-encoding")) or (bool(length) and length != b"0")


def _check_parameters(scope: Scope) -> None:
    problem = control_character(scope.get("path", ""))
    if problem:
        raise _bad_parameter("path", problem)
    query = scope.get("query_string", b"").decode("latin-1")
    for name, value in parse_qsl(query, keep_blank_values=True, encoding="utf-8", errors="replace"):
        problem = control_character(name) or control_character(value)
        if problem:
            raise _bad_parameter(f"query.{name[:40]}", problem)


def _bad_parameter(where: str, problem: str) -> ApiError:
    zh = f"{where}：含有控制字符（{problem}）；请去掉后重试"
    en = f"{where}: holds a control character ({problem}); remove it and try again"
    return ApiError(422, "invalid_request", zh, en, problems=[("request", None, where, zh, en)])


def _too_large(limit: int, upload: bool) -> ApiError:
    if upload:
        from api.service.routes.terms import too_large

        return too_large(limit - SLACK)
    return ApiError(
        413, "too_large",
        f"请求体超过上限 {limit} 字节；请精简后再发", f"the request body is larger than the limit of {limit} bytes; make it smaller",
    )  # fmt: skip


async def _answer(scope: Scope, send: Send, error: ApiError) -> None:
    body = json.dumps(error.body(request_lang(Request(scope))).model_dump(), ensure_ascii=False).encode("utf-8")
    headers = [
        (b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
        (b"connection", b"close"),
    ]  # fmt: skip
    headers += [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in (error.headers or {}).items()]
    await send({"type": "http.response.start", "status": error.status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
