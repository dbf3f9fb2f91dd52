"""The result types: a plan as the solver returns it, independent of any file format."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

REQUIREMENTS = ("weekly_contact", "linked_unit", "lecture", "seven_visits", "frontline_share")
EVENT_STATUSES = ("planned", "cancelled")
BLOCK_TITLE = "一线工作"  # a frontline block's title starts with it (events.csv has no other mark)


@dataclass(frozen=True)
class Assignment:
    """A leader's linked unit (联系对象)."""

    leader_id: str
    unit_id: str


@dataclass(frozen=True)
class Event:
    """One planned contact of one leader; ``start``/``end`` are timezone-aware."""

    uid: str
    leader_id: str
    week: int
    start: dt.datetime
    end: dt.datetime
    visit_kind: str
    target_id: str
    title: str
    campus: str  # campus id, "" for online
    location: str
    face_to_face: bool
    sequence: int = 0
    status: str = "planned"
    # Last real change of start, end or status (DTSTAMP / LAST-MODIFIED of the calendar entry).
    modified: dt.datetime | None = None
    description: str = ""
    covers: tuple[str, ...] = ()  # a frontline block: the units (or the venue) it stands for

    @property
    def is_block(self) -> bool:
        """A frontline block (``一线工作 · ...``) rather than a single visit."""
        return self.title.startswith(BLOCK_TITLE)

    @property
    def date(self) -> dt.date:
        return self.start.date()

    @property
    def minutes(self) -> int:
        return int((self.end - self.start).total_seconds() // 60)


@dataclass(frozen=True)
class ReportRow:
    leader_id: str
    requirement: str
    required: str
    achieved: str
    met: bool
    detail: str = ""


@dataclass(frozen=True)
class SolveStats:
    status: str  # OPTIMAL | FEASIBLE | INFEASIBLE | UNKNOWN | BASELINE
    objective: float
    bound: float
    solve_seconds: float
    first_solution_seconds: float | None = None
    variables: int = 0
    constraints: int = 0
    breakdown: tuple[tuple[str, int], ...] = ()  # objective by part, e.g. ("visits", 812)

    @property
    def gap(self) -> float:
        """Relative gap between objective and bound (0 when proven optimal)."""
        if self.objective == self.bound:
            return 0.0
        return abs(self.objective - self.bound) / max(1.0, abs(self.objective))


@dataclass(frozen=True)
class Plan:
    term_id: str
    timezone: str
    assignments: tuple[Assignment, ...]
    events: tuple[Event, ...]
    report: tuple[ReportRow, ...]
    stats: SolveStats
    warnings: tuple[str, ...] = field(default=())

    def events_of(self, leader_id: str) -> tuple[Event, ...]:
        return tuple(e for e in self.events if e.leader_id == leader_id)

    def events_at(self, target_id: str) -> tuple[Event, ...]:
        return tuple(e for e in self.events if e.target_id == target_id)

    @property
    def unmet(self) -> tuple[ReportRow, ...]:
        return tuple(r for r in self.report if not r.met)
