"""The term calendar: which dates are teaching days, holidays or make-up days, and which
timetable (teaching week and weekday) each date runs."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cached_property
from zoneinfo import ZoneInfo

from .intervals import DAY
from .problem import Holiday, Problem, Term


@dataclass(frozen=True)
class Day:
    """One date of the term."""

    index: int  # days after the term's first Monday
    date: dt.date
    week: int  # the calendar teaching week the date lies in
    holiday: Holiday | None  # a day off (no classes, no visits)
    # The (week, weekday) whose timetables and windows this date runs: its own, or on a make-up
    # day the followed day's. None on a day off.
    runs: tuple[int, int] | None
    makeup: Holiday | None = None

    @property
    def start(self) -> int:
        return self.index * DAY

    @property
    def weekday(self) -> int:
        return self.date.isoweekday()

    @property
    def is_workday(self) -> bool:
        """A working day: Monday-Friday not off, or a make-up workday."""
        if self.holiday is not None:
            return False
        return self.makeup is not None or self.weekday <= 5


class TermCalendar:
    def __init__(self, term: Term, holidays: tuple[Holiday, ...]):
        self.term = term
        self._zone = ZoneInfo(term.timezone)
        self._origin = dt.datetime.combine(term.start_date, dt.time())
        off = {h.date: h for h in holidays if h.kind == "holiday"}
        makeup = {h.date: h for h in holidays if h.kind == "workday"}
        self.days: tuple[Day, ...] = tuple(
            self._day(i, d, off.get(d), makeup.get(d)) for i, d in enumerate(term.dates())
        )

    @classmethod
    def of(cls, problem: Problem) -> TermCalendar:
        return cls(problem.term, problem.holidays)

    def _day(self, index: int, date: dt.date, off: Holiday | None, makeup: Holiday | None) -> Day:
        week = index // 7 + 1
        if off is not None and makeup is None:
            return Day(index, date, week, off, None)
        if makeup is not None:
            if makeup.follows_date is not None:
                followed = makeup.follows_date
                runs = (self.term.week_of(followed), followed.isoweekday())
            else:
                runs = (week, makeup.follows_weekday or date.isoweekday())
            return Day(index, date, week, None, runs, makeup)
        return Day(index, date, week, None, (week, date.isoweekday()))

    def day_of_minute(self, minute: int) -> Day:
        return self.days[minute // DAY]

    def day_of_date(self, date: dt.date) -> Day | None:
        index = (date - self.term.start_date).days
        return self.days[index] if 0 <= index < len(self.days) else None

    def week_days(self, week: int) -> tuple[Day, ...]:
        return self.days[(week - 1) * 7 : week * 7]

    def minute(self, moment: dt.datetime) -> int:
        """Wall-clock minutes after the term's first Monday 00:00 (tz-aware moments converted)."""
        if moment.tzinfo is not None:
            if moment.tzinfo is not self._zone:
                moment = moment.astimezone(self._zone)
            moment = moment.replace(tzinfo=None)
        return int((moment - self._origin).total_seconds() // 60)

    def moment(self, minute: int) -> dt.datetime:
        """The aware local datetime of a minute index."""
        return (self._origin + dt.timedelta(minutes=minute)).replace(tzinfo=self._zone)

    @cached_property
    def holidays_in_term(self) -> tuple[Day, ...]:
        return tuple(d for d in self.days if d.holiday is not None)

    @cached_property
    def makeup_days(self) -> tuple[Day, ...]:
        return tuple(d for d in self.days if d.makeup is not None)


class WorkingDays:
    """The working days of the term calendar's rules on any date, also before and after the term:
    Monday to Friday that are not days off, plus make-up workdays (调休)."""

    def __init__(self, holidays: tuple[Holiday, ...]):
        self._off = frozenset(h.date for h in holidays if h.kind == "holiday")
        self._makeup = frozenset(h.date for h in holidays if h.kind == "workday")

    @classmethod
    def of(cls, problem: Problem) -> WorkingDays:
        return cls(problem.holidays)

    def is_workday(self, date: dt.date) -> bool:
        if date in self._makeup:  # a make-up day wins over a day off of the same date (as Day does)
            return True
        return date not in self._off and date.isoweekday() <= 5

    def nth_after(self, date: dt.date, n: int) -> dt.date:
        """The ``n``-th working day after ``date`` (``date`` itself not counted)."""
        day, found = date, 0
        while found < n:
            day += dt.timedelta(days=1)
            found += self.is_workday(day)
        return day
