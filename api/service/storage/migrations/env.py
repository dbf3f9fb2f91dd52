"""Alembic environment: the engine comes from ``db.alembic_config`` (no alembic.ini, no URL here).

On PostgreSQL, web servers and workers may start at once: an advisory lock held for the migration's
transaction lets one of them migrate while the others wait, then find nothing left to do.
On SQLite, tables whose keys change are rebuilt: foreign-key checks are off while migrating, and
the whole database is checked (``PRAGMA foreign_key_check``) before they are on again.
Procrastinate's tables (created by revision 0015) are not SQLAlchemy models: autogenerate leaves
them alone (``include_name``).
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import text

from api.service.storage.db import MIGRATION_LOCK, include_name
from api.service.storage.models import Base

engine = context.config.attributes["engine"]
with engine.connect() as connection:
    sqlite = connection.dialect.name == "sqlite"
    if sqlite:  # on the driver's connection, outside any transaction (inside one it is ignored)
        connection.connection.driver_connection.execute("PRAGMA foreign_keys=OFF")
    with connection.begin():
        if connection.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})
        context.configure(
            connection=connection,
            target_metadata=Base.metadata,
            render_as_batch=sqlite,
            compare_type=True,
            include_name=include_name,
        )
        with context.begin_transaction():
            context.run_migrations()
        if sqlite:
            broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
            if broken:
                raise RuntimeError(f"the migration left broken references: {broken[:5]}")
    if sqlite:
        connection.connection.driver_connection.execute("PRAGMA foreign_keys=ON")
