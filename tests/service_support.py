"""Shared helpers of the service tests (tests/test_service_*.py): tiny term data, settings, waits."""

from __future__ import annotations

import io
import os
import time
import uuid
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from conftest import Tables, base_tables, csv_text, write_xlsx
from sqlalchemy import create_engine, text

from api.service.settings import Settings

ADMIN = "admin-token-for-tests-0123456789abcdefghijklmnop"
TERM_ID = "2026-2027-1"


def term_tables() -> Tables:
    """The small valid term of the reader tests, moved to a future spring (2027-03-01, 4 weeks)
    so that every event is still ahead of "now" and a re-plan may move it."""
    t = base_tables()
    t["term"][1][2:5] = ["2027-03-01", "4", ""]
    t["periods"][-1][4] = "1-2"
    for row in t["timetable"][1:]:
        row[5] = ""
    t["courses"][1][5] = "1-4"
    t["absences"] = [t["absences"][0], ["L001", "2027-03-10", "2027-03-11", "travel", "北京"]]
    t["activities"][1][4] = "2027-03-11"
    return t


def zip_bytes(tables: Tables, folder: str = "") -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for stem, rows in tables.items():
            archive.writestr(f"{folder}{stem}.csv", csv_text(rows).encode("utf-8"))
    return buffer.getvalue()


def xlsx_bytes(tables: Tables, tmp: Path) -> bytes:
    return write_xlsx(tmp / "term.xlsx", tables).read_bytes()


def settings(tmp: Path, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "database_url": f"sqlite:///{tmp / 'frontline.db'}",
        "admin_token": ADMIN,
        "solver_workers": 1,
        "default_time_limit_s": 5.0,
        "max_time_limit_s": 30.0,
        "progress_interval_s": 0.0,
        "max_upload_bytes": 2 * 1024 * 1024,
    }
    values.update(overrides)
    return Settings(**values)


def bearer(token: str = ADMIN) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def wait_job(get: Any, job_id: str, timeout: float = 60.0, headers: dict[str, str] | None = None) -> dict[str, Any]:
    """Poll ``GET /api/jobs/{id}`` (``get`` is a client's get) until the job has ended."""
    deadline = time.monotonic() + timeout
    while True:
        body: dict[str, Any] = get(f"/api/jobs/{job_id}", headers=headers or bearer()).json()
        if body["status"] not in ("queued", "running"):
            return body
        if time.monotonic() > deadline:
            raise AssertionError(f"job {job_id} still {body['status']} after {timeout} s: {body}")
        time.sleep(0.05)


# PostgreSQL: a fresh schema per test -------------------------------------------------------------
PG_URL = os.environ.get("FRONTLINE_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def postgres_problem() -> str | None:
    """Why PostgreSQL cannot be used here, or None when it answers."""
    try:
        engine = create_engine(PG_URL, connect_args={"connect_timeout": 3})
        with engine.connect() as conn:
            conn.execute(text("select 1"))
        engine.dispose()
    except Exception as exc:  # noqa: BLE001 - any failure means "not available here"
        return f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"
    return None


@contextmanager
def postgres_schema() -> Iterator[str]:
    """The URL of a new schema of the test database (dropped afterwards); skips without PostgreSQL."""
    problem = postgres_problem()
    if problem:
        pytest.skip(f"PostgreSQL does not answer at {PG_URL} ({problem})")
    schema = f"frontline_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(text(f'create schema "{schema}"'))
    separator = "&" if "?" in PG_URL else "?"
    try:
        yield f"{PG_URL}{separator}options={quote(f'-csearch_path={schema}')}"
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'drop schema "{schema}" cascade'))
        admin.dispose()
