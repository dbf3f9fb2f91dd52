"""What the running service holds: settings, database, job runner, caches."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from api.service import plans, termdata
from api.service.feeds import _LRU, FeedCache
from api.service.jobs.runner import JobRunner
from api.service.settings import Settings
from api.service.storage.models import Dataset, PlanVersion, utcnow
from solver.problem import Problem
from solver.result import Event, Plan


class ServiceState:
    def __init__(self, settings: Settings, engine: Engine, sessions: sessionmaker[Session], runner: JobRunner) -> None:
        self.settings = settings
        self.engine = engine
        self.sessions = sessions
        self.runner = runner
        self.new_admin_token: str | None = None  # generated at this start (printed once)
        self.demo: dict[str, str] | None = None  # serve --demo: what the start page's guided demo shows
        self._problems = _LRU(16)
        self._plans = _LRU(64)
        self._visits = _LRU(64)
        self.feeds = FeedCache(sessions, self.problem, self.plan)
        # The service's clock (aware UTC); tests replace it to move time without sleeping.
        self.clock: Callable[[], dt.datetime] = utcnow if settings.now is None else _shifted(settings.now)
        self.secrets: dict[str, str] = {}  # generated secrets read from the database (check-in salt)

    def now(self) -> dt.datetime:
        return self.clock()

    def problem(self, dataset_id: str) -> Problem:
        """The problem of a stored data version (read once, then cached: versions never change)."""

        def load() -> Problem:
            with self.sessions() as session:
                d = session.get_one(Dataset, dataset_id)
                content, media, filename = d.content, d.media, d.filename
            return termdata.read_stored(content, media, filename, self.settings.limits).problem

        problem: Problem = self._problems.get(dataset_id, load)
        return problem

    def plan(self, plan_id: str) -> Plan:
        def load() -> Plan:
            with self.sessions() as session:
                p = session.get_one(PlanVersion, plan_id)
                return plans.plan_from_columns(
                    p.term_id, p.timezone, p.stats, p.assignments, p.events, p.report, p.warnings
                )

        plan: Plan = self._plans.get(plan_id, load)
        return plan

    def visit_index(self, plan_id: str) -> dict[str, Event]:
        """The events of a stored plan by uid (cached: plan versions never change)."""
        index: dict[str, Event] = self._visits.get(plan_id, lambda: {e.uid: e for e in self.plan(plan_id).events})
        return index


def _shifted(start: dt.datetime) -> Callable[[], dt.datetime]:
    """A clock that starts at ``start`` (naive: UTC) and runs on in real time."""
    start = start if start.tzinfo else start.replace(tzinfo=dt.UTC)
    offset = start - utcnow()
    return lambda: utcnow() + offset
