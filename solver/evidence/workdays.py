"""Deadlines in working days of the term calendar (holidays and make-up days respected, also after
the term ends): a deadline is the end (23:59) of the N-th working day after the day an item was
raised."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from ..problem import Problem
from ..termcal import WorkingDays

DEADLINE_TIME = dt.time(23, 59)


def deadline(days: WorkingDays, raised_at: dt.datetime, n: int, timezone: str) -> dt.datetime:
    """23:59 (term time) of the ``n``-th working day after the local date of ``raised_at``."""
    zone = ZoneInfo(timezone)
    local = raised_at.astimezone(zone) if raised_at.tzinfo else raised_at.replace(tzinfo=zone)
    return dt.datetime.combine(days.nth_after(local.date(), n), DEADLINE_TIME, tzinfo=zone)


def working_days(problem: Problem) -> WorkingDays:
    return WorkingDays.of(problem)
