"""Evidence of the visits: access links, visit records and their versions, check-in codes and
check-ins, confirmations, feedback items and their history, imported record sets, service secrets.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from api.service.storage.models import UTCDateTime

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def _at(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, UTCDateTime(), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "access_links",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("subject_id", sa.String(200), nullable=False),
        sa.Column("name", sa.String(400), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
        _at("created_at"),
        sa.Column("created_by", sa.String(200), nullable=False),
        _at("revoked_at", True),
    )
    op.create_index("ix_access_links_subject", "access_links", ["role", "subject_id"])
    op.create_table(
        "visit_records",
        sa.Column("record_id", sa.String(200), primary_key=True),
        sa.Column("term_id", sa.String(200), sa.ForeignKey("terms.term_id"), nullable=False),
        sa.Column("uid", sa.String(200), nullable=True),
        sa.Column("leader_id", sa.String(200), nullable=False),
        sa.Column("visit_kind", sa.String(32), nullable=False),
        sa.Column("target_id", sa.String(200), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        _at("created_at"),
        sa.Column("created_by", sa.String(200), nullable=False),
    )
    op.create_index("ix_visit_records_term_uid", "visit_records", ["term_id", "uid"], unique=True)
    op.create_table(
        "record_versions",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("record_id", sa.String(200), sa.ForeignKey("visit_records.record_id"), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        _at("start", True),
        _at("end", True),
        sa.Column("attendees", sa.Integer(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        _at("recorded_at"),
        sa.Column("recorded_by", sa.String(200), nullable=False),
        sa.Column("source", sa.String(16), nullable=False),
    )
    op.create_index("ix_record_versions_record", "record_versions", ["record_id", "version"], unique=True)
    op.create_table(
        "checkin_codes",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("term_id", sa.String(200), sa.ForeignKey("terms.term_id"), nullable=False),
        sa.Column("uid", sa.String(200), nullable=False),
        sa.Column("code_hash", sa.String(64), nullable=False, unique=True),
        _at("created_at"),
        _at("expires_at"),
        sa.Column("created_by", sa.String(200), nullable=False),
    )
    op.create_table(
        "checkins",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("term_id", sa.String(200), sa.ForeignKey("terms.term_id"), nullable=False),
        sa.Column("uid", sa.String(200), nullable=False),
        sa.Column("code_id", sa.String(32), nullable=True),
        sa.Column("attendee_key", sa.String(64), nullable=False),
        _at("at"),
        sa.Column("source", sa.String(16), nullable=False),
    )
    op.create_index("ix_checkins_visit_attendee", "checkins", ["term_id", "uid", "attendee_key"], unique=True)
    op.create_table(
        "confirmations",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("term_id", sa.String(200), sa.ForeignKey("terms.term_id"), nullable=False),
        sa.Column("record_id", sa.String(200), nullable=True),
        sa.Column("uid", sa.String(200), nullable=True),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("result", sa.String(16), nullable=False),
        sa.Column("by", sa.String(200), nullable=False),
        _at("at"),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("created_by", sa.String(200), nullable=False),
    )
    op.create_index("ix_confirmations_term_record", "confirmations", ["term_id", "record_id"])
    op.create_table(
        "feedback_items",
        sa.Column("item_id", sa.String(200), primary_key=True),
        sa.Column("term_id", sa.String(200), sa.ForeignKey("terms.term_id"), nullable=False),
        _at("raised_at"),
        sa.Column("record_id", sa.String(200), nullable=True),
        sa.Column("unit_id", sa.String(200), nullable=True),
        sa.Column("category", sa.String(16), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("owner", sa.String(200), nullable=False),
        sa.Column("anonymous", sa.Boolean(), nullable=False),
        sa.Column("raised_by_role", sa.String(16), nullable=False),
        sa.Column("raised_by", sa.String(200), nullable=False),
        _at("responded_at", True),
        _at("resolved_at", True),
        sa.Column("answer", sa.Text(), nullable=False),
        sa.Column("rating", sa.String(16), nullable=True),
        sa.Column("reopened", sa.Integer(), nullable=False),
    )
    op.create_index("ix_feedback_items_term_owner", "feedback_items", ["term_id", "owner"])
    op.create_table(
        "feedback_events",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("item_id", sa.String(200), sa.ForeignKey("feedback_items.item_id"), nullable=False),
        _at("at"),
        sa.Column("actor_role", sa.String(16), nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=False),
    )
    op.create_index("ix_feedback_events_item", "feedback_events", ["item_id"])
    op.create_table(
        "record_imports",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("term_id", sa.String(200), sa.ForeignKey("terms.term_id"), nullable=False),
        sa.Column("filename", sa.String(400), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("counts", sa.JSON(), nullable=False),
        _at("created_at"),
        sa.Column("created_by", sa.String(200), nullable=False),
    )
    op.create_index("ix_record_imports_term_id", "record_imports", ["term_id"])
    op.create_table(
        "service_secrets",
        sa.Column("name", sa.String(64), primary_key=True),
        sa.Column("value", sa.String(200), nullable=False),
        _at("created_at"),
    )


def downgrade() -> None:
    for index, table in (
        ("ix_record_imports_term_id", "record_imports"), ("ix_feedback_events_item", "feedback_events"),
        ("ix_feedback_items_term_owner", "feedback_items"), ("ix_confirmations_term_record", "confirmations"),
        ("ix_checkins_visit_attendee", "checkins"), ("ix_record_versions_record", "record_versions"),
        ("ix_visit_records_term_uid", "visit_records"), ("ix_access_links_subject", "access_links"),
    ):  # fmt: skip
        op.drop_index(index, table_name=table)
    for table in (
        "service_secrets", "record_imports", "feedback_events", "feedback_items", "confirmations",
        "checkins", "checkin_codes", "record_versions", "visit_records", "access_links",
    ):  # fmt: skip
        op.drop_table(table)
