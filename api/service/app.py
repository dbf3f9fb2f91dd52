"""The FastAPI application: ``create_app(settings)``.

On start: connect to the database, apply the migrations, make sure an admin token exists (a
generated one is printed once), mark jobs interrupted by a previous stop as failed, start the job
runner, and keep feed tokens out of the access log. On stop: stop the running jobs.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI

from api.service import errors, pages, redaction
from api.service.auth import bootstrap_admin
from api.service.guard import RequestGuard
from api.service.jobs.runner import JobRunner, ProcessJobRunner, fail_interrupted
from api.service.routes import access, admin, plans, province, records, terms, visits
from api.service.routes import feedback as feedback_routes
from api.service.routes import feeds as feed_routes
from api.service.routes import jobs as job_routes
from api.service.schemas import Health
from api.service.settings import Settings
from api.service.state import ServiceState
from api.service.storage.db import make_engine, make_sessions, migrate

log = logging.getLogger("frontline.service")

DESCRIPTION = """\
高校领导干部深入基层联系学生工作的排程服务：上传学期数据、求解、发布、变更后重新规划、日历订阅。
The frontline service: upload term data, solve, publish, re-plan after a change, calendar feeds.

Every `/api` route needs `Authorization: Bearer <token>`. Messages are Chinese by default;
send `Accept-Language: en` or `?lang=en` for English.
"""


def create_app(
    settings: Settings | None = None,
    *,
    runner_factory: Callable[[Settings, Any], JobRunner] | None = None,
    on_started: Callable[[ServiceState], None] | None = None,
) -> FastAPI:
    """The service. ``runner_factory(settings, sessions)`` replaces the job runner (e.g. a queue);
    ``on_started(state)`` runs in a thread once the service is up (``serve --demo`` uses it)."""
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        redaction.install_log_filter()
        engine = make_engine(settings.database_url)
        migrate(engine)
        sessions = make_sessions(engine)
        admin_token = settings.admin_token.get_secret_value() if settings.admin_token else None
        generated = bootstrap_admin(sessions, admin_token)
        if settings.runner == "local":  # this server ran them: nobody else will finish them
            interrupted = fail_interrupted(sessions)
            if interrupted:
                log.warning("%d job(s) interrupted by the previous stop were marked failed", interrupted)
        runner = (runner_factory or make_runner)(settings, sessions)
        state = ServiceState(settings, engine, sessions, runner)
        state.new_admin_token = generated
        app.state.service = state
        if generated:
            print(
                f"frontline: 已生成管理员令牌（只显示这一次，请保存）/ admin token generated (shown once): {generated}",
                flush=True,
            )
        if on_started is not None:
            threading.Thread(target=on_started, args=(state,), name="frontline-startup", daemon=True).start()
        try:
            yield
        finally:
            runner.shutdown()
            engine.dispose()

    app = FastAPI(
        title="frontline", version="0.1.0", description=DESCRIPTION, lifespan=lifespan,
        openapi_tags=[{"name": n} for n in ("terms", "jobs", "plans", "feeds", "access", "visits", "feedback", "records", "admin", "province", "health")],
    )  # fmt: skip
    errors.install(app)
    for router in (
        terms.router, job_routes.router, plans.router, feed_routes.router, feed_routes.public, access.router,
        access.public, visits.router, visits.public, feedback_routes.router, records.router, admin.router, province.router,
    ):  # fmt: skip
        app.include_router(router)

    pages.install(app)

    @app.get("/healthz", response_model=Health, tags=["health"], summary="存活检查 / liveness")
    async def healthz() -> Health:
        return Health()

    app.add_middleware(RequestGuard, settings=settings)
    return app


def make_runner(settings: Settings, sessions: Any) -> JobRunner:
    """The job runner ``FRONTLINE_RUNNER`` names: this server's processes, or the job queue."""
    if settings.runner == "queue":
        from api.service.jobs.queue import QueueJobRunner

        return QueueJobRunner(settings, sessions)
    return ProcessJobRunner(
        settings.database_url, sessions, concurrency=settings.job_concurrency,
        solver_workers=settings.solver_workers, progress_interval_s=settings.progress_interval_s,
    )  # fmt: skip

