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
    BigInteger,
    DateTime,
    Float,
    ForeignKey,
    ForeignKeyConstraint,
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


ROLES = ("admin", "office", "reader", "province")
BOUND_ROLES = ("office", "reader")  # tokens bound to one university
DEFAULT_UNIVERSITY = "default"  # where a single university's data lives (and migrated data went)
JOB_STATUSES = ("queued", "running", "done", "failed", "cancelled")
ACTIVE_JOB_STATUSES = ("queued", "running")
PLAN_STATES = ("draft", "published", "superseded")
FEED_KINDS = ("leader", "unit", "office")


class University(Base):
    """A tenant: every term, plan, token, link, record and item belongs to one (0016)."""

    __tablename__ = "universities"

    university_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(400))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    created_by: Mapped[str] = mapped_column(String(200), default="")


class Tenant:
    """A row of one university. ``storage/tenancy.py`` fills ``university_id`` on new rows and
    keeps every query of a session bound to a university inside that university."""

    university_id: Mapped[str] = mapped_column(String(64))


def _term_fk() -> ForeignKeyConstraint:
    return ForeignKeyConstraint(["university_id", "term_id"], ["terms.university_id", "terms.term_id"])


class ApiToken(Base):
    __tablename__ = "api_tokens"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(16))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    created_by: Mapped[str] = mapped_column(String(200), default="")
    revoked_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    # office and reader tokens: their university; admin and province: None (0016)
    university_id: Mapped[str | None] = mapped_column(ForeignKey("universities.university_id"), default=None)


class Term(Tenant, Base):
    __tablename__ = "terms"

    university_id: Mapped[str] = mapped_column(ForeignKey("universities.university_id"), primary_key=True)
    term_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    name: Mapped[str] = mapped_column(String(400), default="")
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    # The latest uploaded data (what a new solve uses) and the plan the feeds serve.
    current_dataset_id: Mapped[str | None] = mapped_column(String(32), default=None)
    published_plan_id: Mapped[str | None] = mapped_column(String(32), default=None)


class Dataset(Tenant, Base):
    """One version of a term's data: an upload, or a change applied on top of a parent version."""

    __tablename__ = "datasets"
    __table_args__ = (_term_fk(),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    term_id: Mapped[str] = mapped_column(String(200), index=True)
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


class RosterEntry(Tenant, Base):
    """The leaders and units of a data version: who can have a feed, and which plan serves it."""

    __tablename__ = "roster"
    __table_args__ = (Index("ix_roster_member", "university_id", "kind", "member_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    dataset_id: Mapped[str] = mapped_column(ForeignKey("datasets.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # leader | unit
    member_id: Mapped[str] = mapped_column(String(200))
    name: Mapped[str] = mapped_column(String(400), default="")


class PlanVersion(Tenant, Base):
    __tablename__ = "plans"
    __table_args__ = (
        Index("ux_plans_job_id", "job_id", unique=True),
        Index(  # one published plan per term (migration 0003_hardening; per university: 0016)
            "uq_plans_one_published_per_term", "university_id", "term_id", unique=True,
            sqlite_where=text("state = 'published'"), postgresql_where=text("state = 'published'"),
        ),
        _term_fk(),
    )  # fmt: skip

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    term_id: Mapped[str] = mapped_column(String(200), index=True)
    dataset_id: Mapped[str] = mapped_column(ForeignKey("datasets.id"))
    # The published plan this one re-plans (its parent); None for a plan solved from scratch.
    base_plan_id: Mapped[str | None] = mapped_column(ForeignKey("plans.id"), default=None)
    # The job that made it: at most one plan per job, even if a queued job ran twice (0015).
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


class Job(Tenant, Base):
    __tablename__ = "jobs"
    __table_args__ = (Index("ix_jobs_term_status", "university_id", "term_id", "status"), _term_fk())

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    term_id: Mapped[str] = mapped_column(String(200))
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
    # Job queue (0015): how many times a worker took the job up, which worker runs (ran) it, and
    # the queue's own job id (Procrastinate's ``procrastinate_jobs.id``; None with the local runner).
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    worker: Mapped[str | None] = mapped_column(String(200), default=None)
    queue_job_id: Mapped[int | None] = mapped_column(BigInteger, default=None)
    # The solve's progress over time: [[elapsed_s, objective, bound], ...] (the progress chart).
    progress_log: Mapped[list[Any] | None] = mapped_column(default=None)


class FeedToken(Tenant, Base):
    __tablename__ = "feed_tokens"
    __table_args__ = (
        Index("ix_feed_tokens_subject", "university_id", "kind", "subject_id"),
        Index(  # one working URL per subscriber (migration 0003_hardening; per university: 0016)
            "uq_feed_tokens_one_active", "university_id", "kind", "subject_id", unique=True,
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
    # the university acted in (None: the service itself, universities, admin and province tokens)
    university_id: Mapped[str | None] = mapped_column(String(64), default=None, index=True)


# evidence: what happened at the visits (migration 0002) ------------------------------------------
LINK_ROLES = ("leader", "unit")


class AccessLink(Tenant, Base):
    """A personal access link: role ``leader`` bound to one leader, or ``unit`` bound to one unit.
    The token (256 bits) is kept as a SHA-256 hash; rotating revokes the previous one."""

    __tablename__ = "access_links"
    __table_args__ = (Index("ix_access_links_subject", "university_id", "role", "subject_id"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    role: Mapped[str] = mapped_column(String(16))  # leader | unit
    subject_id: Mapped[str] = mapped_column(String(200))  # leader_id | unit_id
    name: Mapped[str] = mapped_column(String(400), default="")
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    created_by: Mapped[str] = mapped_column(String(200), default="")
    revoked_at: Mapped[dt.datetime | None] = mapped_column(default=None)


class VisitRecord(Tenant, Base):
    """One visit that was planned (``uid``) or happened unplanned; what happened is in its versions."""

    __tablename__ = "visit_records"
    __table_args__ = (
        Index("ix_visit_records_term_uid", "university_id", "term_id", "uid", unique=True),  # one record per planned visit
        _term_fk(),
    )

    university_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    record_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    term_id: Mapped[str] = mapped_column(String(200))
    uid: Mapped[str | None] = mapped_column(String(200), default=None)
    leader_id: Mapped[str] = mapped_column(String(200))
    visit_kind: Mapped[str] = mapped_column(String(32), default="")
    target_id: Mapped[str] = mapped_column(String(200), default="")
    version: Mapped[int] = mapped_column(Integer, default=1)  # the current (latest) version
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    created_by: Mapped[str] = mapped_column(String(200), default="")


class RecordVersion(Tenant, Base):
    """One version of a visit record; a change adds a version, none is ever overwritten."""

    __tablename__ = "record_versions"
    __table_args__ = (
        Index("ix_record_versions_record", "university_id", "record_id", "version", unique=True),
        ForeignKeyConstraint(["university_id", "record_id"], ["visit_records.university_id", "visit_records.record_id"]),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    record_id: Mapped[str] = mapped_column(String(200))
    version: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16))  # held | not_held
    start: Mapped[dt.datetime | None] = mapped_column(default=None)
    end: Mapped[dt.datetime | None] = mapped_column(default=None)
    attendees: Mapped[int | None] = mapped_column(Integer, default=None)
    reason: Mapped[str] = mapped_column(Text, default="")
    note: Mapped[str] = mapped_column(Text, default="")
    recorded_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    recorded_by: Mapped[str] = mapped_column(String(200), default="")
    source: Mapped[str] = mapped_column(String(16), default="service")  # service | import


class CheckinCode(Tenant, Base):
    """A short-lived check-in code shown as a QR code at a visit; kept as a SHA-256 hash."""

    __tablename__ = "checkin_codes"
    __table_args__ = (_term_fk(),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    term_id: Mapped[str] = mapped_column(String(200))
    uid: Mapped[str] = mapped_column(String(200))
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column()
    created_by: Mapped[str] = mapped_column(String(200), default="")


class Checkin(Tenant, Base):
    """One student (or device) at a visit: only a salted hash of the student number or device key."""

    __tablename__ = "checkins"
    __table_args__ = (
        Index("ix_checkins_visit_attendee", "university_id", "term_id", "uid", "attendee_key", unique=True), _term_fk(),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    term_id: Mapped[str] = mapped_column(String(200))
    uid: Mapped[str] = mapped_column(String(200))
    code_id: Mapped[str | None] = mapped_column(String(32), default=None)
    attendee_key: Mapped[str] = mapped_column(String(64))
    at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    source: Mapped[str] = mapped_column(String(16), default="service")  # service | import


class Confirmation(Tenant, Base):
    """A unit's or the office's (callback) confirmation or denial of a visit."""

    __tablename__ = "confirmations"
    __table_args__ = (Index("ix_confirmations_term_record", "university_id", "term_id", "record_id"), _term_fk())

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    term_id: Mapped[str] = mapped_column(String(200))
    record_id: Mapped[str | None] = mapped_column(String(200), default=None)
    uid: Mapped[str | None] = mapped_column(String(200), default=None)
    source: Mapped[str] = mapped_column(String(16))  # unit | callback | checkin (imported)
    result: Mapped[str] = mapped_column(String(16))  # confirmed | denied
    by: Mapped[str] = mapped_column(String(200))
    at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    note: Mapped[str] = mapped_column(Text, default="")
    created_by: Mapped[str] = mapped_column(String(200), default="")


class FeedbackItem(Tenant, Base):
    """One item students raised; its answers, ratings and changes are in ``feedback_events``."""

    __tablename__ = "feedback_items"
    __table_args__ = (Index("ix_feedback_items_term_owner", "university_id", "term_id", "owner"), _term_fk())

    university_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    item_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    term_id: Mapped[str] = mapped_column(String(200))
    raised_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    record_id: Mapped[str | None] = mapped_column(String(200), default=None)
    unit_id: Mapped[str | None] = mapped_column(String(200), default=None)
    category: Mapped[str] = mapped_column(String(16))
    text: Mapped[str] = mapped_column(Text)
    owner: Mapped[str] = mapped_column(String(200))
    anonymous: Mapped[bool] = mapped_column(default=False)
    raised_by_role: Mapped[str] = mapped_column(String(16), default="")  # leader | unit | office
    raised_by: Mapped[str] = mapped_column(String(200), default="")  # leader_id | unit_id | name
    responded_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    resolved_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    answer: Mapped[str] = mapped_column(Text, default="")
    rating: Mapped[str | None] = mapped_column(String(16), default=None)
    reopened: Mapped[int] = mapped_column(Integer, default=0)


class FeedbackEvent(Tenant, Base):
    """The history of an item: raised, answered, resolved, rated, reopened, owner changed."""

    __tablename__ = "feedback_events"
    __table_args__ = (
        Index("ix_feedback_events_item", "university_id", "item_id"),
        ForeignKeyConstraint(["university_id", "item_id"], ["feedback_items.university_id", "feedback_items.item_id"]),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    item_id: Mapped[str] = mapped_column(String(200))
    at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    actor_role: Mapped[str] = mapped_column(String(16))
    actor: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(16))
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)


class RecordImport(Tenant, Base):
    """A bulk-imported records workbook or zip, kept byte for byte."""

    __tablename__ = "record_imports"
    __table_args__ = (_term_fk(),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    term_id: Mapped[str] = mapped_column(String(200), index=True)
    filename: Mapped[str] = mapped_column(String(400), default="")
    content: Mapped[bytes] = mapped_column(LargeBinary)
    counts: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    created_by: Mapped[str] = mapped_column(String(200), default="")


class ServiceSecret(Base):
    """Secrets the service makes for itself (the check-in salt when none is configured)."""

    __tablename__ = "service_secrets"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

class WebSession(Tenant, Base):
    """A browser's sign-in (the web pages): an office member, or a leader or unit through its link.
    It belongs to the university of its token or link (0016) and acts only in it.

    The cookie holds a random token; only its hash is kept. ``subject`` is what the session acts
    as (the API token id for the office; for a leader or unit the link it came through), and it is
    checked again on every request, so that revoking or rotating ends the session at once.
    """

    __tablename__ = "web_sessions"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[str] = mapped_column(String(16))  # office | leader | unit
    subject: Mapped[str] = mapped_column(String(200))
    csrf: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
