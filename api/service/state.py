"""What the running service holds: settings, database, job runner, caches."""

from __future__ import annotations

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from api.service import plans, termdata
from api.service.feeds import _LRU, FeedCache
from api.service.jobs.runner import JobRunner
from api.service.settings import Settings
from api.service.storage.models import Dataset, PlanVersion
from solver.problem import Problem
from solver.result import Plan


class ServiceState:
    def __init__(self, settings: Settings, engine: Engine, sessions: sessionmaker[Session], runner: JobRunner) -> None:
        self.settings = settings
        self.engine = engine
        self.sessions = sessions
        self.runner = runner
        self.new_admin_token: str | None = None  # generated at this start (printed once)
        self._problems = _LRU(16)
        self._plans = _LRU(64)
        self.feeds = FeedCache(sessions, self.problem, self.plan)

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
