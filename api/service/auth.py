"""Bearer tokens and roles. Tokens are random, stored as SHA-256 hashes, compared in constant time.

Roles, each including the ones after it: ``admin`` (manages tokens) > ``office`` (uploads, solves,
publishes, re-plans, hands out feed URLs) > ``reader`` (reads terms, jobs, plans and reports).
Besides them, personal access links (:mod:`api.service.evidence.links`): ``leader`` (bound to one
leader) and ``unit`` (bound to one unit) reach only their own visits and items, never an office route.
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
from api.service.storage.db import session_scope
from api.service.storage.models import ROLES, AccessLink, ApiToken, AuditEntry

log = logging.getLogger("frontline.service")
RANK = {role: len(ROLES) - i for i, role in enumerate(ROLES)}  # admin 3, office 2, reader 1; links 0


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

    def allows(self, role: str) -> bool:
        return RANK.get(self.role, 0) >= RANK[role]

    @property
    def is_link(self) -> bool:
        return self.role in ("leader", "unit")


SYSTEM = Principal("", "system", "admin")


def unauthorized(zh: str, en: str) -> ApiError:
    return ApiError(401, "unauthorized", zh, en, headers={"WWW-Authenticate": "Bearer"})


def authenticate(session: Session, token: str | None) -> Principal:
    if not token:
        raise unauthorized(
            "缺少访问令牌；请在请求头中加入 Authorization: Bearer <令牌>",
            "missing token; send the header Authorization: Bearer <token>",
        )
    digest = hash_token(token)
    row = session.scalars(select(ApiToken).where(ApiToken.token_hash == digest)).first()
    if row is not None and row.revoked_at is None and hmac.compare_digest(row.token_hash, digest):
        return Principal(row.id, row.name, row.role)
    link = session.scalars(select(AccessLink).where(AccessLink.token_hash == digest)).first()
    if link is not None and link.revoked_at is None and hmac.compare_digest(link.token_hash, digest):
        return Principal(link.id, link.name or f"{link.role} {link.subject_id}", link.role, link.subject_id)
    raise unauthorized("访问令牌无效或已被撤销", "the token is not valid or has been revoked")


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


def issue_token(session: Session, name: str, role: str, by: Principal) -> tuple[ApiToken, str]:
    token = new_token()
    row = ApiToken(name=name, role=role, token_hash=hash_token(token), created_by=by.name)
    session.add(row)
    session.flush()
    audit(session, by, "token.create", row.id, {"name": name, "role": role})
    return row, token


def audit(session: Session, who: Principal, action: str, target: str = "", detail: dict[str, Any] | None = None) -> None:
    """One line of the audit log, in the caller's transaction."""
    session.add(AuditEntry(actor=who.name, role=who.role, action=action, target=target[:400], detail=detail or {}))
