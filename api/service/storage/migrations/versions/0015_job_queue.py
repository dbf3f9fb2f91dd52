"""Job queue: job attempts, worker and queue id; at most one plan per job; Procrastinate's schema.

On PostgreSQL this also creates Procrastinate's own tables, types and functions (its
``schema.sql``, the installed version's), so that ``FRONTLINE_RUNNER=queue`` works on any
migrated database and the queue's schema is part of the one migration chain. A later Procrastinate
release that changes its schema ships SQL migrations (``procrastinate schema --migrations-path``);
they go into a new revision here. SQLite has no queue: only the columns and the index.

Revision ID: 0015
Revises: 0004
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("jobs") as batch:
        batch.add_column(sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("worker", sa.String(200), nullable=True))
        batch.add_column(sa.Column("queue_job_id", sa.BigInteger(), nullable=True))
    with op.batch_alter_table("jobs") as batch:
        batch.alter_column("attempts", server_default=None)
    op.execute("UPDATE jobs SET attempts = 1 WHERE started_at IS NOT NULL")
    op.create_index("ux_plans_job_id", "plans", ["job_id"], unique=True)
    if op.get_bind().dialect.name == "postgresql":
        create_queue_schema()


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        drop_queue_schema()
    op.drop_index("ux_plans_job_id", table_name="plans")
    with op.batch_alter_table("jobs") as batch:
        batch.drop_column("queue_job_id")
        batch.drop_column("worker")
        batch.drop_column("attempts")


def create_queue_schema() -> None:
    """Procrastinate's schema in the current schema (``search_path``), unless it is there already."""
    from procrastinate.schema import SchemaManager

    bind = op.get_bind()
    if bind.exec_driver_sql("SELECT to_regclass('procrastinate_jobs')").scalar() is None:
        bind.exec_driver_sql(SchemaManager.get_schema().replace("%", "%%"))


def drop_queue_schema() -> None:
    """Every Procrastinate object of the current schema: tables (with their triggers), functions, types."""
    bind = op.get_bind()
    tables = bind.exec_driver_sql(
        "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() AND tablename LIKE 'procrastinate%%'"
    ).scalars().all()
    for table in tables:
        bind.exec_driver_sql(f'DROP TABLE IF EXISTS "{table}" CASCADE')
    functions = bind.exec_driver_sql(
        "SELECT p.oid::regprocedure::text FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace "
        "WHERE n.nspname = current_schema() AND p.proname LIKE 'procrastinate%%'"
    ).scalars().all()
    for function in functions:
        bind.exec_driver_sql(f"DROP FUNCTION IF EXISTS {function} CASCADE")
    types = bind.exec_driver_sql(
        "SELECT t.typname FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace "
        "WHERE n.nspname = current_schema() AND t.typname LIKE 'procrastinate%%' AND t.typtype IN ('e', 'c')"
    ).scalars().all()
    for name in types:
        bind.exec_driver_sql(f'DROP TYPE IF EXISTS "{name}" CASCADE')
