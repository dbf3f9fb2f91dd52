"""Alembic migration scripts of the service's database (applied by ``db.migrate`` on start)."""
