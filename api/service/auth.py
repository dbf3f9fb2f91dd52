"""Bearer tokens and roles. Tokens are random, stored as SHA-256 hashes, compared in constant time.

Roles, each including the ones after it: ``admin`` (manages tokens) > ``office`` (uploads, solves,
publishes, re-plans, hands out feed URLs) > ``reader`` (reads terms, jobs, plans and reports).
Besides them, personal access links (:mod:`api.service.evidence.links`): ``leader`` (bound to one
leader) and ``unit`` (bound to one unit) reach only their own visits and items, never an office route.

Universities: office and reader tokens (and links) are bound to their university and act in it
only; an admin token acts in the university named by the ``X-University-Id`` header, or the
default one. ``province`` sees every university's summary (``/api/province/*``) and nothing else.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from api.service.errors import ApiError
from api.service.storage import tenancy
from api.service.storage.db import session_scope
from api.service.storage.models import (
    DEFAULT_UNIVERSITY,
    AccessLink,
    ApiToken,
    AuditEntry,
    University,
)

log = logging.getLogger("frontline.service")
RANK = {"admin": 3, "office": 2, "reader": 1}  # province and links: 0 (their own routes only)
UNIVERSITY_HEADER = "X-University-Id"


def new_token() -> str:
    """A 256-bit random token, URL-safe."""
    return secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Principal:
    token_id: str
    name: str
    role: str
    subject_id: str = ""  # the leader_id or unit_id of a personal link
    university_id: str | None = None  # where it acts; None: every university (province)

    def allows(self, role: str) -> bool:
        if role == "province":
            return self.role in ("province", "admin")
        return RANK.get(self.role, 0) >= RANK[role]

    @property
    def is_link(self) -> bool:
        return self.role in ("leader", "unit")


SYSTEM = Principal("", "system", "admin", university_id=DEFAULT_UNIVERSITY)


def unauthorized(zh: str, en: str) -> ApiError:
    return ApiError(401, "unauthorized", zh, en, headers={"WWW-Authenticate": "Bearer"})


def authenticate(session: Session, token: str | None, university: str | None = None) -> Principal:
    """The caller of ``token``; ``university``: the ``X-University-Id`` header (admin tokens only).
    The session is bound to the caller's university from then on."""
    principal = _principal(session, token, university)
    tenancy.bind(session, principal.university_id)
    return principal


def _principal(session: Session, token: str | None, university: str | None) -> Principal:
    if not token:
        raise unauthorized(
            "缺少访问令牌；请在请求头中加入 Authorization: Bearer <令牌>",
            "missing token; send the header Authorization: Bearer <token>",
        )
    digest = hash_token(token)
    row = session.scalars(select(ApiToken).where(ApiToken.token_hash == digest)).first()
    if row is not None and row.revoked_at is None and hmac.compare_digest(row.token_hash, digest):
        if row.role == "admin":
            return Principal(row.id, row.name, row.role, university_id=_acting_in(session, university))
        if row.role == "province":
            return Principal(row.id, row.name, row.role)
        return Principal(row.id, row.name, row.role, university_id=row.university_id or DEFAULT_UNIVERSITY)
    link = session.scalars(select(AccessLink).where(AccessLink.token_hash == digest)).first()
    if link is not None and link.revoked_at is None and hmac.compare_digest(link.token_hash, digest):
        name = link.name or f"{link.role} {link.subject_id}"
        return Principal(link.id, name, link.role, link.subject_id, university_id=link.university_id)
    raise unauthorized("访问令牌无效或已被撤销", "the token is not valid or has been revoked")


def _acting_in(session: Session, university: str | None) -> str:
    """The university an admin token acts in: the header's (which must exist), or the default."""
    if not university:
        return DEFAULT_UNIVERSITY
    if len(university) > 64 or session.get(University, university) is None:
        raise ApiError(
            404, "not_found", f"没有编号为 {university[:64]} 的高校（请求头 {UNIVERSITY_HEADER}）",
            f"no university {university[:64]} (header {UNIVERSITY_HEADER})",
        )  # fmt: skip
    return university


def forbid(principal: Principal, role: str) -> None:
    if not principal.allows(role):
        raise ApiError(
            403, "forbidden",
            f"当前令牌的角色是 {principal.role}，此操作需要 {role} 或更高权限",
            f"this token's role is {principal.role}; the operation needs {role} or higher",
        )  # fmt: skip


def bootstrap_admin(sessions: sessionmaker[Session], env_token: str | None) -> str | None:
    """Make sure an admin can log in; return a newly generated admin token (to print once).

    With ``FRONTLINE_ADMIN_TOKEN`` set, its hash is stored (once). Without it, a token is
    generated only when no admin token exists yet.
    """
    with session_scope(sessions) as session:
        if env_token:
            digest = hash_token(env_token)
            row = session.scalars(select(ApiToken).where(ApiToken.token_hash == digest)).first()
            if row is None:
                session.add(ApiToken(name="admin (FRONTLINE_ADMIN_TOKEN)", role="admin", token_hash=digest, created_by="system"))
                audit(session, SYSTEM, "token.create", "admin", {"source": "environment"})
            elif row.revoked_at is not None or row.role != "admin":
                row.revoked_at, row.role = None, "admin"
            return None
        active = session.scalars(
            select(ApiToken).where(ApiToken.role == "admin", ApiToken.revoked_at.is_(None))
        ).first()
        if active is not None:
            return None
        token = new_token()
        session.add(ApiToken(name="admin (generated)", role="admin", token_hash=hash_token(token), created_by="system"))
        audit(session, SYSTEM, "token.create", "admin", {"source": "generated on first start"})
        return token


def issue_token(
    session: Session, name: str, role: str, by: Principal, university_id: str | None = None
) -> tuple[ApiToken, str]:  # fmt: skip
    """A new API token; office and reader tokens are bound to ``university_id``."""
    token = new_token()
    row = ApiToken(name=name, role=role, token_hash=hash_token(token), created_by=by.name, university_id=university_id)
    session.add(row)
    session.flush()
    audit(session, by, "token.create", row.id, {"name": name, "role": role, "university_id": university_id})
    return row, token


def audit(session: Session, who: Principal, action: str, target: str = "", detail: dict[str, Any] | None = None) -> None:
    """One line of the audit log, in the caller's transaction."""
    university = tenancy.bound(session)
    session.add(AuditEntry(actor=who.name, role=who.role, action=action, target=target[:400], detail=detail or {},
                           university_id=university))  # fmt: skip
