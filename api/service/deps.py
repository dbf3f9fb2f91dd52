"""FastAPI dependencies: the service state, a database session, the caller and its role, language."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from api.service.auth import UNIVERSITY_HEADER, Principal, authenticate, forbid
from api.service.errors import request_lang
from api.service.state import ServiceState
from api.service.storage import tenancy

PRINCIPAL_KEY = "frontline.principal"  # scope key: the caller, authenticated by the request guard

bearer = HTTPBearer(auto_error=False, description="Authorization: Bearer <token>")


def get_state(request: Request) -> ServiceState:
    state: ServiceState = request.app.state.service
    return state


StateDep = Annotated[ServiceState, Depends(get_state)]


def get_session(state: StateDep) -> Iterator[Session]:
    session = state.sessions()
    try:
        yield session  # routes commit what they change, before they answer
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


SessionDep = Annotated[Session, Depends(get_session)]


def get_lang(request: Request) -> str:
    return request_lang(request)


LangDep = Annotated[str, Depends(get_lang)]


def get_principal(
    request: Request, session: SessionDep, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]
) -> Principal:
    """The caller; already authenticated by the request guard when the request has a body."""
    known = request.scope.get(PRINCIPAL_KEY)
    if isinstance(known, Principal):
        tenancy.bind(session, known.university_id)
        return known
    return authenticate(session, credentials.credentials if credentials else None, request.headers.get(UNIVERSITY_HEADER))


def role_needed(role: str):
    """A dependency that needs ``role``; the request guard checks it too, before the body is read."""

    def check(principal: Annotated[Principal, Depends(get_principal)]) -> Principal:
        forbid(principal, role)
        return principal

    check.frontline_role = role  # type: ignore[attr-defined]
    return check


_role = role_needed


Reader = Annotated[Principal, Depends(_role("reader"))]
Office = Annotated[Principal, Depends(_role("office"))]
Admin = Annotated[Principal, Depends(_role("admin"))]
# The province's summaries: province tokens and admin.
Province = Annotated[Principal, Depends(_role("province"))]
# Any valid token: office tokens and personal (leader / unit) links; the route checks what it allows.
Anyone = Annotated[Principal, Depends(get_principal)]


def base_url(state: ServiceState, request: Request) -> str:
    """The public base URL of links and QR codes (the feed base URL setting, else the request's)."""
    return (state.settings.feed_base_url or str(request.base_url)).rstrip("/")
