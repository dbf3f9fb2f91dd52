"""Storage: the engine and sessions (``db``), the tables (``models``) and the Alembic migrations."""
