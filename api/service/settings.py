"""Service settings, read from ``FRONTLINE_*`` environment variables (and a ``.env`` file)."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from data.archive import Limits


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="FRONTLINE_", env_file=".env", extra="ignore")

    # SQLite file by default; PostgreSQL through the same variable, e.g.
    # postgresql+psycopg://postgres@127.0.0.1:5432/frontline
    database_url: str = "sqlite:///./frontline.db"
    # The admin's bearer token; when unset, one is generated on first start and printed once.
    admin_token: SecretStr | None = None
    # Largest accepted upload (workbook or zip of CSV files), in bytes.
    max_upload_bytes: int = Field(default=20 * 1024 * 1024, gt=0)
    # Largest total size an upload may expand to (the CSV files of a zip, or the parts of a
    # workbook that are read), counted while it is inflated: a zip bomb is refused with 413.
    max_unzipped_bytes: int = Field(default=200 * 1024 * 1024, gt=0)
    # Most entries an uploaded zip or workbook may hold.
    max_zip_entries: int = Field(default=1000, gt=0)
    # Most cells of all tables of an upload together (the XL university has 0.8 million).
    max_cells: int = Field(default=5_000_000, gt=0)
    # Largest request body of any other route (JSON), in bytes; uploads have max_upload_bytes.
    max_body_bytes: int = Field(default=1024 * 1024, gt=0)
    # Jobs that may wait in the queue; past it a new solve or change is refused with 429.
    max_queued_jobs: int = Field(default=20, ge=1)
    # Seconds a client is told to wait (Retry-After) when the queue is full.
    queue_retry_after_s: int = Field(default=30, ge=1)
    # Public base URL of the feeds, e.g. https://frontline.example.edu.cn; when unset the
    # request's own base URL is used.
    feed_base_url: str | None = None
    # Solves that run at the same time; more wait in the queue.
    job_concurrency: int = Field(default=1, ge=1)
    # CP-SAT threads per solve (0: every core).
    solver_workers: int = Field(default=0, ge=0)
    default_time_limit_s: float = Field(default=60.0, gt=0)
    max_time_limit_s: float = Field(default=3600.0, gt=0)
    # Seconds between two progress writes of a running solve.
    progress_interval_s: float = Field(default=0.5, ge=0)
    # Secret salt of the check-in hashes (student numbers and device keys are stored only as
    # HMAC-SHA256 with it); when unset, one is generated once and kept in the database.
    checkin_salt: SecretStr | None = None
    # Seconds a check-in code (the QR code shown at a visit) stays valid.
    checkin_code_seconds: int = Field(default=60, ge=10, le=3600)
    # Minutes before a visit's start and after its end in which codes are handed out and
    # check-ins accepted (the records contract counts check-ins 15 minutes either side).
    checkin_margin_minutes: int = Field(default=15, ge=0, le=120)
    # Pretend the service started at this moment (demos and walks through past terms); the clock
    # runs on from it in real time. Unset: the real time.
    now: dt.datetime | None = None
    # Check-ins one visit takes at most (a leaked code cannot fill the table).
    max_checkins_per_visit: int = Field(default=3000, ge=1)

    # Where solves run: ``local`` (processes of this web server; SQLite or PostgreSQL) or ``queue``
    # (the Procrastinate job queue in the PostgreSQL database; ``frontline worker`` runs them).
    runner: Literal["local", "queue"] = "local"
    # ``frontline worker``: solves one worker runs at the same time (``--concurrency`` wins).
    worker_concurrency: int = Field(default=1, ge=1)
    # Queue priorities: the higher runs first; re-plans go before fresh solves.
    replan_priority: int = 100
    solve_priority: int = 0
    # Fair share: solves of one university that may run at the same time, on all workers together.
    university_slots: int = Field(default=1, ge=1)
    # A worker writes a heartbeat every ``heartbeat_s``; a worker silent for ``stalled_after_s``
    # is taken for dead and its running jobs go back to the queue (at most ``max_attempts`` runs).
    heartbeat_s: float = Field(default=10.0, gt=0)
    stalled_after_s: float = Field(default=30.0, gt=0)
    max_attempts: int = Field(default=3, ge=1)
    # How often a worker looks for new jobs (besides LISTEN/NOTIFY) and for cancelled ones.
    queue_poll_s: float = Field(default=1.0, gt=0)
    # A stopping worker waits this long for its running solves, then puts them back in the queue.
    shutdown_grace_s: float = Field(default=30.0, ge=0)

    @model_validator(mode="after")
    def _queue_needs_postgres(self) -> Settings:
        if self.runner == "queue" and not self.database_url.startswith("postgresql"):
            raise ValueError(
                "FRONTLINE_RUNNER=queue 需要 PostgreSQL（FRONTLINE_DATABASE_URL=postgresql+psycopg://…）；"
                "SQLite 请用 FRONTLINE_RUNNER=local / the job queue needs PostgreSQL "
                "(FRONTLINE_DATABASE_URL=postgresql+psycopg://...); with SQLite use FRONTLINE_RUNNER=local"
            )
        return self

    @property
    def limits(self) -> Limits:
        """What an upload may expand to, for :mod:`data.archive`."""
        return Limits(
            max_expanded_bytes=self.max_unzipped_bytes, max_entries=self.max_zip_entries, max_cells=self.max_cells
        )
