"""Engine, sessions and migrations: SQLite (the default) or PostgreSQL through one URL."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

MIGRATIONS = Path(__file__).parent / "migrations"
MIGRATION_LOCK = 0x66726F6E  # PostgreSQL advisory lock key shared by every frontline process ("fron")


def include_name(name: str | None, type_: str, parent_names: Any) -> bool:
    """What Alembic compares with the models: everything but Procrastinate's own tables."""
    return not (type_ == "table" and (name or "").startswith("procrastinate"))


def is_postgres(url: str) -> bool:
    return make_url(url).get_backend_name() == "postgresql"


def make_engine(url: str) -> Engine:
    """An engine for ``url``; SQLite gets WAL, a busy timeout and enforced foreign keys so that
    the web process and the solver processes can write to one file."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database or ""
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_connection: Any, _record: Any) -> None:
            # SQLAlchemy, not the sqlite3 module, begins transactions (see _begin): the sqlite3
            # module would begin only before the first write, after the reads it depends on.
            dbapi_connection.isolation_level = None
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.close()

        @event.listens_for(engine, "begin")
        def _begin(connection: Any) -> None:
            immediate = connection.get_execution_options().get(WRITE_LOCK)
            connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

        return engine
    return create_engine(url, pool_pre_ping=True)


WRITE_LOCK = "frontline_write_lock"  # execution option: this transaction writes (BEGIN IMMEDIATE)
_LOCKED = "frontline_locked_transaction"


def write_lock(session: Session) -> None:
    """Serialise this session's read-modify-write with every other writer, whatever the database.

    Call it before reading the state a change depends on. On SQLite the transaction is restarted
    with ``BEGIN IMMEDIATE``: it waits (busy timeout) for the one write lock of the file, so that
    what it reads next cannot change under it. On PostgreSQL nothing is taken here: the caller
    locks the rows it depends on with ``SELECT ... FOR UPDATE`` (see :func:`lock_rows`). Either
    way, everything the session loaded before is expired and read again.
    """
    if session.get_bind().dialect.name == "sqlite":
        transaction = session.get_transaction()
        if transaction is not None and session.info.get(_LOCKED) is transaction:
            return
        if session.in_transaction():
            session.commit()  # what was read so far (authentication) ends here; nothing was changed
        session.connection(execution_options={WRITE_LOCK: True})
        session.info[_LOCKED] = session.get_transaction()
    session.expire_all()


def lock_rows(session: Session, statement: Any) -> list[Any]:
    """The rows of ``statement`` (a select of one entity), locked until the transaction ends."""
    write_lock(session)
    query = statement.with_for_update().execution_options(populate_existing=True)
    return list(session.scalars(query))


def make_sessions(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


@contextmanager
def session_scope(sessions: sessionmaker[Session]) -> Iterator[Session]:
    """A session that commits on success and rolls back on any error."""
    session = sessions()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def alembic_config(engine: Engine) -> Config:
    """Alembic's configuration built in code (no alembic.ini): the scripts ship in this package."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["engine"] = engine
    return config


def migrate(engine: Engine, revision: str = "head") -> None:
    """Bring the database's schema up to ``revision`` (applied on every start; idempotent)."""
    command.upgrade(alembic_config(engine), revision)
