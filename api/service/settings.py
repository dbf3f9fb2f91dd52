"""Service settings, read from ``FRONTLINE_*`` environment variables (and a ``.env`` file)."""

from __future__ import annotations

from pydantic import Field, SecretStr
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

    @property
    def limits(self) -> Limits:
        """What an upload may expand to, for :mod:`data.archive`."""
        return Limits(
            max_expanded_bytes=self.max_unzipped_bytes, max_entries=self.max_zip_entries, max_cells=self.max_cells
        )
