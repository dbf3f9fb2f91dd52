"""Universities as tenants: every term, plan, token, link, record and item belongs to one.

Creates ``universities`` with the default university (``default``), and gives every tenant table a
``university_id``; everything that existed moves into the default university (no row is lost).
Ids a user chooses are unique within a university: the keys of ``terms`` (term_id),
``visit_records`` (record_id) and ``feedback_items`` (item_id) become (university_id, id), and
every reference to them carries the university. Office and reader API tokens are bound to the
default university; the indexes used for lookups start with the university. The web pages'
sessions (``web_sessions``, 0004) belong to the university of their token or link.

SQLite cannot change keys in place: those tables are rebuilt (Alembic's batch mode) with the
foreign-key checks off for the migration (``env.py``).

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-01
"""

from __future__ import annotations

import warnings
from typing import Any

import sqlalchemy as sa
from alembic import op

from api.service.storage.models import UTCDateTime

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

DEFAULT = "default"
DEFAULT_NAME = "本校 / default university"
NAMING = {"fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s", "pk": "pk_%(table_name)s"}

TENANT_TABLES = (
    "terms", "datasets", "roster", "plans", "jobs", "feed_tokens", "access_links", "visit_records",
    "record_versions", "checkin_codes", "checkins", "confirmations", "feedback_items", "feedback_events",
    "record_imports", "web_sessions",
)  # fmt: skip
# table: (key before, key after)
KEYS = {
    "terms": (["term_id"], ["university_id", "term_id"]),
    "visit_records": (["record_id"], ["university_id", "record_id"]),
    "feedback_items": (["item_id"], ["university_id", "item_id"]),
}
# (table, referred table, columns before, columns after); referred columns: the referred key
REFERENCES = [
    *((t, "terms", ["term_id"], ["university_id", "term_id"]) for t in (
        "datasets", "plans", "jobs", "visit_records", "checkin_codes", "checkins", "confirmations",
        "feedback_items", "record_imports",
    )),
    ("record_versions", "visit_records", ["record_id"], ["university_id", "record_id"]),
    ("feedback_events", "feedback_items", ["item_id"], ["university_id", "item_id"]),
]  # fmt: skip
# (index, table, columns before, columns after, unique: True | False | the WHERE of a partial unique index)
INDEXES: list[tuple[str, str, list[str], list[str], bool | str]] = [
    ("ix_roster_member", "roster", ["kind", "member_id"], ["university_id", "kind", "member_id"], False),
    ("ix_jobs_term_status", "jobs", ["term_id", "status"], ["university_id", "term_id", "status"], False),
    ("ix_feed_tokens_subject", "feed_tokens", ["kind", "subject_id"], ["university_id", "kind", "subject_id"], False),
    ("ix_access_links_subject", "access_links", ["role", "subject_id"], ["university_id", "role", "subject_id"], False),
    ("ix_visit_records_term_uid", "visit_records", ["term_id", "uid"], ["university_id", "term_id", "uid"], True),
    ("ix_record_versions_record", "record_versions", ["record_id", "version"], ["university_id", "record_id", "version"], True),
    ("ix_checkins_visit_attendee", "checkins", ["term_id", "uid", "attendee_key"],
     ["university_id", "term_id", "uid", "attendee_key"], True),
    ("ix_confirmations_term_record", "confirmations", ["term_id", "record_id"], ["university_id", "term_id", "record_id"], False),
    ("ix_feedback_items_term_owner", "feedback_items", ["term_id", "owner"], ["university_id", "term_id", "owner"], False),
    ("ix_feedback_events_item", "feedback_events", ["item_id"], ["university_id", "item_id"], False),
    ("uq_plans_one_published_per_term", "plans", ["term_id"], ["university_id", "term_id"], "state = 'published'"),
    ("uq_feed_tokens_one_active", "feed_tokens", ["kind", "subject_id"], ["university_id", "kind", "subject_id"],
     "revoked_at IS NULL"),
]  # fmt: skip


def upgrade() -> None:
    universities = op.create_table(
        "universities",
        sa.Column("university_id", sa.String(64), primary_key=True),
        sa.Column("name", sa.String(400), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("created_by", sa.String(200), nullable=False),
    )
    op.bulk_insert(universities, [{"university_id": DEFAULT, "name": DEFAULT_NAME, "created_at": _now(), "created_by": "migration 0016"}])
    for table in TENANT_TABLES:
        op.add_column(table, sa.Column("university_id", sa.String(64), nullable=False, server_default=DEFAULT))
    op.add_column("api_tokens", sa.Column("university_id", sa.String(64), nullable=True))
    op.execute(f"UPDATE api_tokens SET university_id = '{DEFAULT}' WHERE role IN ('office', 'reader')")
    op.add_column("audit_log", sa.Column("university_id", sa.String(64), nullable=True))
    op.execute(f"UPDATE audit_log SET university_id = '{DEFAULT}'")
    op.create_index("ix_audit_log_university_id", "audit_log", ["university_id"])
    _rekey(before=0, after=1)
    extra = [("terms", ["university_id"]), ("api_tokens", ["university_id"])]
    _foreign_keys_to_universities(extra, create=True)
    _reindex(before=0, after=1)
    for table in TENANT_TABLES:
        with op.batch_alter_table(table) as batch:
            batch.alter_column("university_id", server_default=None, existing_type=sa.String(64), existing_nullable=False)


def downgrade() -> None:
    bind = op.get_bind()
    count = bind.execute(sa.text("SELECT count(*) FROM universities WHERE university_id <> :d"), {"d": DEFAULT}).scalar()
    if count:
        raise RuntimeError(
            f"{count} universities besides '{DEFAULT}' hold data: going back to one university would merge their "
            "terms, records and items; export them first"
        )
    _reindex(before=1, after=0)
    _foreign_keys_to_universities([("terms", ["university_id"]), ("api_tokens", ["university_id"])], create=False)
    _rekey(before=1, after=0)
    op.drop_index("ix_audit_log_university_id", table_name="audit_log")
    for table in ("audit_log", "api_tokens", *TENANT_TABLES):
        with op.batch_alter_table(table) as batch:
            batch.drop_column("university_id")
    op.drop_table("universities")


# keys and references ---------------------------------------------------------------------------
def _rekey(before: int, after: int) -> None:
    """Keys and the references to them from their ``before`` to their ``after`` columns."""
    if op.get_bind().dialect.name == "sqlite":
        _rekey_sqlite(before, after)
        return
    for table, referred, *columns in REFERENCES:
        op.drop_constraint(_fk_name(table, referred, columns[before]), table, type_="foreignkey")
    for table, keys in KEYS.items():
        op.drop_constraint(_pk_name(table), table, type_="primary")
        op.create_primary_key(f"{table}_pkey", table, keys[after])
    for table, referred, *columns in REFERENCES:
        op.create_foreign_key(_new_fk(table, referred), table, referred, columns[after], columns[after])


def _rekey_sqlite(before: int, after: int) -> None:
    tables = dict.fromkeys([*KEYS, *(r[0] for r in REFERENCES)])
    for table in tables:
        with warnings.catch_warnings(), op.batch_alter_table(table, recreate="always", naming_convention=NAMING) as batch:
            # the rebuilt table gets the new key; SQLAlchemy warns that the reflected columns had the old one
            warnings.filterwarnings("ignore", "Table '_alembic_tmp_", sa.exc.SAWarning)
            for t, referred, *columns in REFERENCES:
                if t == table:
                    batch.drop_constraint(_fk_name(table, referred, columns[before]), type_="foreignkey")
            if table in KEYS:
                batch.create_primary_key(f"pk_{table}", KEYS[table][after])
            for t, referred, *columns in REFERENCES:
                if t == table:
                    batch.create_foreign_key(_new_fk(table, referred), referred, columns[after], columns[after])


def _foreign_keys_to_universities(items: list[tuple[str, list[str]]], *, create: bool) -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    for table, columns in items:
        name = f"fk_{table}_university_id_universities"
        if sqlite:
            with op.batch_alter_table(table, recreate="always", naming_convention=NAMING) as batch:
                if create:
                    batch.create_foreign_key(name, "universities", columns, ["university_id"])
                else:
                    batch.drop_constraint(name, type_="foreignkey")
        elif create:
            op.create_foreign_key(name, table, "universities", columns, ["university_id"])
        else:
            op.drop_constraint(name, table, type_="foreignkey")


def _reindex(before: int, after: int) -> None:
    for name, table, *columns, unique in INDEXES:
        op.drop_index(name, table_name=table)
        if isinstance(unique, str):
            where = sa.text(unique)
            op.create_index(name, table, columns[after], unique=True, sqlite_where=where, postgresql_where=where)
        else:
            op.create_index(name, table, columns[after], unique=bool(unique))


def _fk_name(table: str, referred: str, columns: list[str]) -> str:
    """The name of the existing foreign key of ``table`` over ``columns`` to ``referred``."""
    for fk in sa.inspect(op.get_bind()).get_foreign_keys(table):
        if fk["referred_table"] == referred and fk["constrained_columns"] == columns:
            return str(fk["name"] or NAMING["fk"] % {"table_name": table, "column_0_name": columns[0], "referred_table_name": referred})
    raise RuntimeError(f"no foreign key {table}({', '.join(columns)}) -> {referred}")


def _new_fk(table: str, referred: str) -> str:
    return f"fk_{table}_{referred}"


def _pk_name(table: str) -> str:
    name = sa.inspect(op.get_bind()).get_pk_constraint(table).get("name")
    return str(name or f"{table}_pkey")


def _now() -> Any:
    import datetime as dt

    return dt.datetime.now(dt.UTC)
