"""Administration: universities and API tokens (admin only) and the audit log."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query
from sqlalchemy import select

from api.service.auth import audit, issue_token
from api.service.deps import Admin, Office, Province, SessionDep
from api.service.errors import ApiError, not_found
from api.service.routes import errors, lang_param
from api.service.schemas import (
    AuditOut,
    TokenCreate,
    TokenCreated,
    TokenOut,
    UniversityCreate,
    UniversityOut,
)
from api.service.storage.db import lock_rows, write_lock
from api.service.storage.models import BOUND_ROLES, ApiToken, AuditEntry, University, utcnow
from api.service.views import conflict

router = APIRouter(tags=["admin"], dependencies=[Depends(lang_param)], responses=errors(401, 403, 422))


def _token_out(row: ApiToken) -> TokenOut:
    return TokenOut(
        token_id=row.id, name=row.name, role=row.role, created_at=row.created_at,  # type: ignore[arg-type]
        created_by=row.created_by, revoked_at=row.revoked_at, university_id=row.university_id,
    )


def _university_out(row: University) -> UniversityOut:
    return UniversityOut(university_id=row.university_id, name=row.name, created_at=row.created_at, created_by=row.created_by)


@router.post(
    "/api/tokens", status_code=201, response_model=TokenCreated, responses=errors(404),
    summary="新建访问令牌 / create an API token (office / reader: bound to one university)",
)  # fmt: skip
def create_token(body: TokenCreate, session: SessionDep, who: Admin) -> TokenCreated:
    write_lock(session)  # reads the university, then writes: wait for other writers (SQLite)
    university = body.university_id
    if body.role in BOUND_ROLES:
        university = university or who.university_id
        if university is None or session.get(University, university) is None:
            raise not_found("高校", "university", university or "")
    elif university is not None:
        raise ApiError(
            422, "invalid_request", f"{body.role} 令牌不属于某一所高校；请去掉 university_id",
            f"a {body.role} token belongs to no single university; leave out university_id",
            problems=[("request", None, "body.university_id", "只用于 office / reader", "only for office / reader")],
        )  # fmt: skip
    row, token = issue_token(session, body.name, body.role, who, university)
    session.commit()
    return TokenCreated(**_token_out(row).model_dump(), token=token)


@router.post(
    "/api/universities", status_code=201, response_model=UniversityOut, responses=errors(409),
    summary="新增高校 / add a university (a tenant)",
)  # fmt: skip
def create_university(body: UniversityCreate, session: SessionDep, who: Admin) -> UniversityOut:
    write_lock(session)  # reads, then writes: wait for other writers instead of failing busy (SQLite)
    if session.get(University, body.university_id) is not None:
        raise conflict(f"高校 {body.university_id} 已经存在", f"university {body.university_id} exists already")
    row = University(university_id=body.university_id, name=body.name.strip(), created_by=who.name)
    session.add(row)
    audit(session, who, "university.create", body.university_id, {"name": row.name})
    session.commit()
    return _university_out(row)


@router.get("/api/universities", response_model=list[UniversityOut], summary="高校列表 / the universities")
def list_universities(session: SessionDep, who: Province) -> list[UniversityOut]:
    return [_university_out(u) for u in session.scalars(select(University).order_by(University.university_id))]


@router.get("/api/tokens", response_model=list[TokenOut], summary="访问令牌列表 / list API tokens")
def list_tokens(session: SessionDep, who: Admin) -> list[TokenOut]:
    return [_token_out(r) for r in session.scalars(select(ApiToken).order_by(ApiToken.created_at))]


@router.delete(
    "/api/tokens/{token_id}", response_model=TokenOut, responses=errors(404, 409),
    summary="撤销访问令牌 / revoke an API token (never the last active admin token)",
)  # fmt: skip
def revoke_token(token_id: str, session: SessionDep, who: Admin) -> TokenOut:
    admins = lock_rows(session, select(ApiToken).where(ApiToken.role == "admin", ApiToken.revoked_at.is_(None)))
    row = session.get(ApiToken, token_id) if "\x00" not in token_id else None
    if row is None:
        raise not_found("令牌", "token", token_id)
    if row.revoked_at is None and row.role == "admin" and [a.id for a in admins] == [row.id]:
        raise ApiError(
            409, "last_admin",
            "这是最后一个有效的管理员令牌，撤销后将无人能管理服务；请先新建另一个管理员令牌",
            "this is the last active admin token: revoking it would leave nobody able to manage the service; "
            "create another admin token first",
        )  # fmt: skip
    if row.revoked_at is None:
        row.revoked_at = utcnow()
        audit(session, who, "token.revoke", row.id, {"name": row.name})
        session.commit()
    return _token_out(row)


@router.get("/api/audit", response_model=list[AuditOut], summary="操作日志 / the audit log, newest first")
def audit_log(
    session: SessionDep, who: Office,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    target: Annotated[str | None, Query(max_length=400)] = None,
) -> list[AuditOut]:  # fmt: skip
    query = select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit)
    if who.role != "admin":  # an office sees its own university's log
        query = query.where(AuditEntry.university_id == who.university_id)
    if target:
        query = query.where(AuditEntry.target == target.replace("\x00", ""))
    return [
        AuditOut(id=e.id, at=e.at, actor=e.actor, role=e.role, action=e.action, target=e.target, detail=e.detail)
        for e in session.scalars(query)
    ]
