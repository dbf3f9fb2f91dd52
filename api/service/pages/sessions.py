"""Browser sessions: a sign-in becomes a random cookie (HttpOnly, SameSite=Lax, Secure on https);
the server keeps only its hash, what it acts as, and the session's CSRF token.

An office member signs in once with their API token; a leader or unit opens their personal link
(``/l/<token>``, ``/u/<token>``) and the page trades the token for a session and redirects to an
address without it. Every request checks again that the token or link behind the session is still
valid, so that revoking a token or rotating a link signs its sessions out at once.

Universities: a session belongs to the university of its token or link (``web_sessions.university_id``)
and a signed page's database session is bound to it (``storage/tenancy.py``, as the API's requests
are), so another university's term, plan or visit is not found (404). An admin token acts in the
default university (pages have no ``X-University-Id``); a province token cannot sign in to the pages.
"""

from __future__ import annotations

import datetime as dt
import hmac
import secrets
from dataclasses import dataclass
from typing import Annotated
from urllib.parse import quote

from fastapi import Depends, Form, Request, Response
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from api.service.auth import DEFAULT_UNIVERSITY, Principal, forbid, hash_token
from api.service.deps import SessionDep
from api.service.errors import ApiError
from api.service.pages.web import ANON_CSRF
from api.service.storage import tenancy
from api.service.storage.models import AccessLink, ApiToken, WebSession, utcnow

COOKIE = "fl_session"
LIFETIME = {"office": dt.timedelta(hours=12), "leader": dt.timedelta(days=30), "unit": dt.timedelta(days=30)}


@dataclass(frozen=True)
class Signed:
    """Who a page's visitor is: ``kind`` office | leader | unit."""

    kind: str
    principal: Principal
    subject_id: str  # the leader_id or unit_id (office: the API token id)
    name: str
    csrf: str
    session_id: str


class SignInNeeded(Exception):
    """Raised by a page that needs a session the visitor does not have."""

    def __init__(self, kind: str, path: str) -> None:
        super().__init__(kind)
        self.kind = kind
        self.path = path


PROVINCE_REFUSED = ApiError(
    403, "forbidden",
    "省级令牌不能登录办公室页面（页面只属于一所高校）；各校进展请用 GET /api/province/summary 或 /api/province/summary.xlsx",
    "a province token cannot sign in to the office pages (they belong to one university); "
    "use GET /api/province/summary or /api/province/summary.xlsx for every university's progress",
)  # fmt: skip


def university_of(api: ApiToken) -> str | None:
    """Where an office session of ``api`` acts: an office or reader token's university, the default
    one for an admin token; None for a province token (no pages)."""
    if api.role == "province":
        return None
    return api.university_id or DEFAULT_UNIVERSITY


def _subject_university(session: Session, kind: str, subject: str) -> str | None:
    if kind == "office":
        api = session.get(ApiToken, subject)
        return university_of(api) if api is not None else None
    link = session.get(AccessLink, subject)
    return link.university_id if link is not None else None


def start(session: Session, request: Request, response: Response, kind: str, subject: str) -> None:
    """A new session for ``subject`` (API token id, or access link id), set as the cookie; it
    belongs to the subject's university."""
    university = _subject_university(session, kind, subject)
    if university is None:
        raise PROVINCE_REFUSED
    token = secrets.token_urlsafe(32)
    lifetime = LIFETIME[kind]
    session.execute(delete(WebSession).where(WebSession.expires_at < utcnow()))  # tidy up
    session.add(WebSession(
        university_id=university, token_hash=hash_token(token), kind=kind, subject=subject,
        csrf=secrets.token_urlsafe(24), expires_at=utcnow() + lifetime,
    ))  # fmt: skip
    session.commit()
    response.set_cookie(
        COOKIE, token, max_age=int(lifetime.total_seconds()), httponly=True, samesite="lax",
        secure=request.url.scheme == "https", path="/",
    )  # fmt: skip


def end(session: Session, request: Request, response: Response) -> None:
    token = request.cookies.get(COOKIE)
    if token:
        session.execute(delete(WebSession).where(WebSession.token_hash == hash_token(token)))
        session.commit()
    response.delete_cookie(COOKIE, path="/")


def current(session: Session, request: Request) -> Signed | None:
    """The visitor's valid session, or None."""
    token = request.cookies.get(COOKIE)
    if not token or len(token) > 200:
        return None
    row = session.scalars(select(WebSession).where(WebSession.token_hash == hash_token(token))).first()
    if row is None or row.expires_at < utcnow():
        return None
    if row.kind == "office":
        api = session.get(ApiToken, row.subject)
        if api is None or api.revoked_at is not None or university_of(api) != row.university_id:
            return None
        principal = Principal(api.id, api.name, api.role, university_id=row.university_id)
        return Signed("office", principal, api.id, api.name, row.csrf, row.id)
    link = session.get(AccessLink, row.subject)
    if link is None or link.revoked_at is not None or link.role != row.kind or link.university_id != row.university_id:
        return None
    name = link.name or f"{link.role} {link.subject_id}"
    principal = Principal(link.id, name, link.role, link.subject_id, university_id=link.university_id)
    return Signed(row.kind, principal, link.subject_id, link.name or link.subject_id, row.csrf, row.id)


def _need(kind: str):
    def check(request: Request, session: SessionDep) -> Signed:
        signed = current(session, request)
        if signed is None or signed.kind != kind:
            raise SignInNeeded(kind, request.url.path)
        tenancy.bind(session, signed.principal.university_id)  # the page acts in its university only
        request.state.signed = signed
        return signed

    return check


def _office_role(role: str):
    def check(signed: Annotated[Signed, Depends(_need("office"))]) -> Signed:
        forbid(signed.principal, role)
        return signed

    return check


OfficeReader = Annotated[Signed, Depends(_office_role("reader"))]
OfficeMember = Annotated[Signed, Depends(_office_role("office"))]
LeaderPage = Annotated[Signed, Depends(_need("leader"))]
UnitPage = Annotated[Signed, Depends(_need("unit"))]


def optional(request: Request, session: SessionDep) -> Signed | None:
    signed = current(session, request)
    if signed is not None:
        request.state.signed = signed
    return signed


MaybeSigned = Annotated[Signed | None, Depends(optional)]

CSRF_REFUSED = ApiError(
    403, "csrf",
    "表单已过期或来源不明（安全校验未通过）；请返回上一页，刷新后重新提交",
    "the form has expired or did not come from this site (security check failed); go back, reload and send it again",
)  # fmt: skip


def check_csrf(request: Request, session: SessionDep, csrf: Annotated[str, Form(max_length=200)] = "") -> None:
    """Every form carries the session's CSRF token (or, without a session, the double-submit cookie)."""
    signed: Signed | None = getattr(request.state, "signed", None) or current(session, request)
    expected = signed.csrf if signed is not None else request.cookies.get(ANON_CSRF, "")
    if not expected or not csrf or not hmac.compare_digest(expected, csrf):
        raise CSRF_REFUSED


def sign_in_url(kind: str, path: str) -> str:
    return f"/office/signin?next={quote(path)}" if kind == "office" else f"/signed-out?who={kind}"
