"""Hardening: guards kept by the database itself (SQLite and PostgreSQL both have partial indexes).

- at most one published plan per term: ``plans(term_id) WHERE state = 'published'``; databases
  written before may hold several (concurrent publishes on SQLite): the plan the term points at
  stays published, the others become superseded;
- at most one working feed URL per subscriber: ``feed_tokens(kind, subject_id) WHERE revoked_at
  IS NULL``; of several, the newest is kept and the others are revoked.

Revision ID: 0003_hardening
Revises: 0001
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_hardening"
down_revision = "0001"  # the lead re-chains it after 0002 (records) at merge
branch_labels = None
depends_on = None

PUBLISHED = sa.text("state = 'published'")
ACTIVE = sa.text("revoked_at IS NULL")


def upgrade() -> None:
    op.execute(
        "UPDATE plans SET state = 'superseded' WHERE state = 'published' AND id NOT IN "
        "(SELECT published_plan_id FROM terms WHERE published_plan_id IS NOT NULL)"
    )
    op.create_index(
        "uq_plans_one_published_per_term", "plans", ["term_id"], unique=True,
        sqlite_where=PUBLISHED, postgresql_where=PUBLISHED,
    )  # fmt: skip
    op.execute(
        "UPDATE feed_tokens SET revoked_at = created_at WHERE revoked_at IS NULL AND EXISTS ("
        "SELECT 1 FROM feed_tokens AS newer WHERE newer.kind = feed_tokens.kind "
        "AND newer.subject_id = feed_tokens.subject_id AND newer.revoked_at IS NULL "
        "AND (newer.created_at > feed_tokens.created_at "
        "OR (newer.created_at = feed_tokens.created_at AND newer.id > feed_tokens.id)))"
    )
    op.create_index(
        "uq_feed_tokens_one_active", "feed_tokens", ["kind", "subject_id"], unique=True,
        sqlite_where=ACTIVE, postgresql_where=ACTIVE,
    )  # fmt: skip


def downgrade() -> None:
    op.drop_index("uq_feed_tokens_one_active", table_name="feed_tokens")
    op.drop_index("uq_plans_one_published_per_term", table_name="plans")
