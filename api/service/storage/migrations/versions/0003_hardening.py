"""Hardening: at most one published plan per term, guarded by the database itself.

A partial unique index on ``plans(term_id) WHERE state = 'published'`` (SQLite and PostgreSQL both
have partial indexes). Databases written before it may hold several published plans of a term
(concurrent publishes on SQLite); the plan the term points at stays published, the others become
superseded, before the index is created.

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


def upgrade() -> None:
    op.execute(
        "UPDATE plans SET state = 'superseded' WHERE state = 'published' AND id NOT IN "
        "(SELECT published_plan_id FROM terms WHERE published_plan_id IS NOT NULL)"
    )
    op.create_index(
        "uq_plans_one_published_per_term", "plans", ["term_id"], unique=True,
        sqlite_where=PUBLISHED, postgresql_where=PUBLISHED,
    )  # fmt: skip


def downgrade() -> None:
    op.drop_index("uq_plans_one_published_per_term", table_name="plans")
