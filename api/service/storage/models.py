"""The service's tables (SQLAlchemy 2 ORM). The schema itself is created by the Alembic migrations.

Everything the office hands in or gets back is kept: every uploaded workbook (``datasets``: the
original bytes, and for a change the change rows on top of their parent), every plan version
(``plans``: draft, published or superseded, with the published plan it was based on), every job,
and an audit log of who did what. Secrets (API and feed tokens) are kept as SHA-256 hashes only.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import (
    JSON,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    TypeDecorator,
    text,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


def new_id() -> str:
    return uuid.uuid4().hex


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class UTCDateTime(TypeDecorator[dt.datetime]):
    """Aware UTC datetimes on every backend (SQLite keeps no offset: store naive UTC)."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(dt.UTC).replace(tzinfo=None)

    def process_result_value(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


class Base(DeclarativeBase):
    type_annotation_map = {dt.datetime: UTCDateTime, dict[str, Any]: JSON, list[Any]: JSON}


ROLES = ("admin", "office", "reader")
JOB_STATUSES = ("queued", "running", "done", "failed", "cancelled")
ACTIVE_JOB_STATUSES = ("queued", "running")
PLAN_STATES = ("draft", "published", "superseded")
FEED_KINDS = ("leader", "unit", "office")


class ApiToken(Base):
    __tablename__ = "api_tokens"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(16))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    created_by: Mapped[str] = mapped_column(String(200), default="")
    revoked_at: Mapped[dt.datetime | None] = mapped_column(default=None)


class Term(Base):
    __tablename__ = "terms"

    term_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    name: Mapped[str] = mapped_column(String(400), default="")
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    # The latest uploaded data (what a new solve uses) and the plan the feeds serve.
    current_dataset_id: Mapped[str | None] = mapped_column(String(32), default=None)
    published_plan_id: Mapped[str | None] = mapped_column(String(32), default=None)


class Dataset(Base):
    """One version of a term's data: an upload, or a change applied on top of a parent version."""

    __tablename__ = "datasets"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    term_id: Mapped[str] = mapped_column(ForeignKey("terms.term_id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # upload | change
    parent_id: Mapped[str | None] = mapped_column(ForeignKey("datasets.id"), default=None)
    filename: Mapped[str] = mapped_column(String(400), default="")
    media: Mapped[str] = mapped_column(String(16))  # xlsx | xls | zip
    content: Mapped[bytes] = mapped_column(LargeBinary)  # the original upload, or the parent's
    change_request: Mapped[dict[str, Any] | None] = mapped_column(default=None)
    summary: Mapped[dict[str, Any]] = mapped_column(default=dict)
    warnings: Mapped[list[Any]] = mapped_column(default=list)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    created_by: Mapped[str] = mapped_column(String(200), default="")


class RosterEntry(Base):
    """The leaders and units of a data version: who can have a feed, and which plan serves it."""

    __tablename__ = "roster"
    __table_args__ = (Index("ix_roster_member", "kind", "member_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    dataset_id: Mapped[str] = mapped_column(ForeignKey("datasets.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # leader | unit
    member_id: Mapped[str] = mapped_column(String(200))
    name: Mapped[str] = mapped_column(String(400), default="")


class PlanVersion(Base):
    __tablename__ = "plans"
    __table_args__ = (  # one published plan per term (migration 0003_hardening)
        Index(
            "uq_plans_one_published_per_term", "term_id", unique=True,
            sqlite_where=text("state = 'published'"), postgresql_where=text("state = 'published'"),
        ),
    )  # fmt: skip

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    term_id: Mapped[str] = mapped_column(ForeignKey("terms.term_id"), index=True)
    dataset_id: Mapped[str] = mapped_column(ForeignKey("datasets.id"))
    # The published plan this one re-plans (its parent); None for a plan solved from scratch.
    base_plan_id: Mapped[str | None] = mapped_column(ForeignKey("plans.id"), default=None)
    job_id: Mapped[str | None] = mapped_column(String(32), default=None)
    state: Mapped[str] = mapped_column(String(16), default="draft")
    timezone: Mapped[str] = mapped_column(String(64), default="Asia/Shanghai")
    summary: Mapped[dict[str, Any]] = mapped_column(default=dict)
    stats: Mapped[dict[str, Any]] = mapped_column(default=dict)
    assignments: Mapped[list[Any]] = mapped_column(default=list)
    events: Mapped[list[Any]] = mapped_column(default=list)
    report: Mapped[list[Any]] = mapped_column(default=list)
    changes: Mapped[list[Any] | None] = mapped_column(default=None)
    warnings: Mapped[list[Any]] = mapped_column(default=list)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    published_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    published_by: Mapped[str | None] = mapped_column(String(200), default=None)


class Job(Base):
    __tablename__ = "jobs"
    __table_args__ = (Index("ix_jobs_term_status", "term_id", "status"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    term_id: Mapped[str] = mapped_column(ForeignKey("terms.term_id"))
    kind: Mapped[str] = mapped_column(String(16))  # solve | replan
    status: Mapped[str] = mapped_column(String(16), default="queued")
    dataset_id: Mapped[str] = mapped_column(ForeignKey("datasets.id"))
    base_plan_id: Mapped[str | None] = mapped_column(String(32), default=None)
    time_limit_s: Mapped[float] = mapped_column(Float)
    now: Mapped[dt.datetime | None] = mapped_column(default=None)  # re-plan: events before are frozen
    lang: Mapped[str] = mapped_column(String(8), default="zh")
    elapsed_s: Mapped[float | None] = mapped_column(Float, default=None)
    objective: Mapped[float | None] = mapped_column(Float, default=None)
    bound: Mapped[float | None] = mapped_column(Float, default=None)
    gap: Mapped[float | None] = mapped_column(Float, default=None)
    plan_id: Mapped[str | None] = mapped_column(String(32), default=None)
    error: Mapped[str | None] = mapped_column(Text, default=None)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    started_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    finished_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    created_by: Mapped[str] = mapped_column(String(200), default="")


class FeedToken(Base):
    __tablename__ = "feed_tokens"
    __table_args__ = (
        Index("ix_feed_tokens_subject", "kind", "subject_id"),
        Index(  # one working URL per subscriber (migration 0003_hardening)
            "uq_feed_tokens_one_active", "kind", "subject_id", unique=True,
            sqlite_where=text("revoked_at IS NULL"), postgresql_where=text("revoked_at IS NULL"),
        ),
    )  # fmt: skip

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    kind: Mapped[str] = mapped_column(String(16))  # leader | unit | office
    subject_id: Mapped[str] = mapped_column(String(200))  # leader_id | unit_id | term_id
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    created_by: Mapped[str] = mapped_column(String(200), default="")
    revoked_at: Mapped[dt.datetime | None] = mapped_column(default=None)


class AuditEntry(Base):
    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[dt.datetime] = mapped_column(default=utcnow, index=True)
    actor: Mapped[str] = mapped_column(String(200))  # token name, or "system"
    role: Mapped[str] = mapped_column(String(16))
    action: Mapped[str] = mapped_column(String(64))
    target: Mapped[str] = mapped_column(String(400), default="")
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)
