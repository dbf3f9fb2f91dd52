"""The availability engine: busy and free time of leaders and targets as interval sets.

Everything is expanded onto the term's dates once: timetables run on the dates whose
(teaching week, weekday) they name, which on a make-up day is the followed day's; windows
likewise; absences are one-off intervals. Free time is then plain interval arithmetic.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from . import intervals as iv
from .intervals import IntervalSet
from .problem import (
    WORKDAY_END,
    Absence,
    Activity,
    CourseSection,
    Period,
    Problem,
    TimetableEntry,
    Unit,
    Venue,
    Window,
)
from .termcal import Day, TermCalendar

ABSENCE_LABELS = {"travel": "出差", "meeting": "会议", "leave": "请假", "other": "其他安排"}

# Default windows per kind when windows.csv says nothing: (weekdays, start, end).
DEFAULT_WINDOWS: dict[str, tuple[tuple[frozenset[int], int, int], ...]] = {
    "dorm": ((frozenset({1, 2, 3, 4, 7}), 19 * 60, 21 * 60 + 30),),
    "canteen": (
        (frozenset(range(1, 8)), 11 * 60 + 30, 12 * 60 + 30),
        (frozenset(range(1, 8)), 17 * 60 + 30, 18 * 60 + 30),
    ),
    "online": ((frozenset(range(1, 6)), 20 * 60, 21 * 60 + 30),),
    "community": ((frozenset(range(1, 6)), 8 * 60, WORKDAY_END),),  # office hours on weekdays
    "society": (),
}


@dataclass(frozen=True)
class Busy:
    """One dated commitment of an owner."""

    start: int
    end: int
    campus: str | None  # None: off campus or not tied to one (a trip, a leave)
    kind: str  # timetable | travel | meeting | leave | other
    label: str  # what it is, in words a clerk recognises


class Availability:
    """Busy time, windows and free time of everything in one problem."""

    def __init__(self, problem: Problem, calendar: TermCalendar | None = None):
        self.problem = problem
        self.calendar = calendar or TermCalendar.of(problem)
        term = problem.term
        self._runs: dict[tuple[int, int], list[Day]] = defaultdict(list)
        for day in self.calendar.days:
            if day.runs is not None:
                self._runs[day.runs].append(day)
        self._periods = _period_table(problem.periods)
        self._spans: dict[tuple[tuple[int, int], str | None, int], tuple[int, int]] = {}
        self._timetable: dict[str, list[TimetableEntry]] = defaultdict(list)
        for entry in problem.timetable:
            self._timetable[entry.owner_id].append(entry)
        self._windows: dict[str, list[Window]] = defaultdict(list)
        for window in problem.windows:
            self._windows[window.target].append(window)
        self.frame: IntervalSet = iv.normalize(
            (d.start + term.day_start, d.start + term.day_end)
            for d in self.calendar.days
            if d.runs is not None
        )
        self._busy: dict[str, tuple[Busy, ...]] = {}
        self._blocked: dict[tuple[str, str | None], IntervalSet] = {}
        self._target_free: dict[str, IntervalSet] = {}
        self._leader_free: dict[tuple[str, str | None], IntervalSet] = {}
        self._common: dict[tuple[str, str], IntervalSet] = {}
        self._window_cache: dict[str, IntervalSet] = {}
        self._busy_sets: dict[str, IntervalSet] = {}
        self._working: dict[int, IntervalSet] = {}
        self._absences: dict[str, list[Absence]] = defaultdict(list)
        for absence in problem.absences:
            self._absences[absence.owner_id].append(absence)

    # dates and periods --------------------------------------------------------------------------
    def days_running(self, weekday: int, weeks: frozenset[int]) -> list[Day]:
        """The dates that run (week, weekday) for the given weeks (empty = every week)."""
        wanted = weeks or range(1, self.problem.term.weeks + 1)
        return [d for w in sorted(wanted) for d in self._runs.get((w, weekday), ())]

    def period_span(self, periods: tuple[int, int], campus: str | None, week: int) -> tuple[int, int]:
        """Clock minutes of a period range on a campus in a (calendar) week."""
        key = (periods, campus, week)
        span = self._spans.get(key)
        if span is None:
            first = _resolve(self._periods, periods[0], campus, week)
            last = _resolve(self._periods, periods[1], campus, week)
            span = self._spans[key] = (first.start, last.end)
        return span

    def entry_intervals(self, entry: TimetableEntry) -> list[tuple[int, int]]:
        campus = entry.campus or self.problem.owner_campus(entry.owner_id)
        out: list[tuple[int, int]] = []
        for day in self.days_running(entry.weekday, entry.weeks):
            if entry.periods is not None:
                start, end = self.period_span(entry.periods, campus, day.week)
            else:
                start, end = entry.start or 0, entry.end or 0
            out.append((day.start + start, day.start + end))
        return out

    def section_sessions(self, section: CourseSection) -> list[tuple[Day, int, int]]:
        """Every dated meeting of a course section as (day, start, end) minutes."""
        out: list[tuple[Day, int, int]] = []
        for day in self.days_running(section.weekday, section.weeks):
            start, end = self.period_span(section.periods, section.campus, day.week)
            out.append((day, day.start + start, day.start + end))
        return out

    # busy time ----------------------------------------------------------------------------------
    def busy(self, owner_id: str) -> tuple[Busy, ...]:
        cached = self._busy.get(owner_id)
        if cached is None:
            cached = tuple(sorted(self._expand_busy(owner_id), key=lambda b: (b.start, b.end)))
            self._busy[owner_id] = cached
        return cached

    def _expand_busy(self, owner_id: str) -> list[Busy]:
        home = self.problem.owner_campus(owner_id)
        out: list[Busy] = []
        for entry in self._timetable.get(owner_id, ()):
            label = f"课表: {entry.title}" if entry.title else "课表"
            campus = entry.campus or home
            out.extend(Busy(s, e, campus, "timetable", label) for s, e in self.entry_intervals(entry))
        for absence in self._absences.get(owner_id, ()):
            start = self.calendar.minute(absence.start)
            end = self.calendar.minute(absence.end)
            where: str | None = None if absence.kind in ("travel", "leave") else home
            label = ABSENCE_LABELS.get(absence.kind, absence.kind)
            if absence.note:
                label = f"{label}: {absence.note}"
            out.append(Busy(start, end, where, absence.kind, label))
        return out

    def busy_set(self, owner_id: str) -> IntervalSet:
        """The owner's busy time as one interval set (without building labelled records)."""
        cached = self._busy_sets.get(owner_id)
        if cached is None:
            if owner_id in self._busy:
                spans = [(b.start, b.end) for b in self._busy[owner_id]]
            else:
                spans = [span for entry in self._timetable.get(owner_id, ()) for span in self.entry_intervals(entry)]
                spans += [
                    (self.calendar.minute(a.start), self.calendar.minute(a.end))
                    for a in self._absences.get(owner_id, ())
                ]
            cached = self._busy_sets[owner_id] = iv.normalize(spans)
        return cached

    def separation(self, a: str | None, b: str | None) -> int:
        """Minutes needed between two commitments on campuses a and b (None: off campus/online)."""
        buffer = self.problem.term.buffer_minutes
        if a is None or b is None or a == b:
            return buffer
        return max(buffer, self.problem.travel_minutes(a, b))

    def blocked(self, owner_id: str, campus: str | None) -> IntervalSet:
        """Time in which the owner cannot start or be at a visit on ``campus`` (None: online)."""
        key = (owner_id, campus)
        cached = self._blocked.get(key)
        if cached is None:
            cached = iv.normalize(
                (b.start - self.separation(b.campus, campus), b.end + self.separation(b.campus, campus))
                if b.kind in ("timetable", "meeting", "other")
                else (b.start, b.end)
                for b in self.busy(owner_id)
            )
            self._blocked[key] = cached
        return cached

    def conflicts(self, owner_id: str, campus: str | None, start: int, end: int) -> list[Busy]:
        """The commitments that keep the owner from a visit on ``campus`` during [start, end)."""
        out = []
        for b in self.busy(owner_id):
            gap = self.separation(b.campus, campus) if b.kind in ("timetable", "meeting", "other") else 0
            if b.start - gap < end and start < b.end + gap:
                out.append(b)
        return out

    def leader_free(self, leader_id: str, campus: str | None) -> IntervalSet:
        """Where a leader can be at a visit on ``campus``: inside the day frame, not busy."""
        key = (leader_id, campus)
        cached = self._leader_free.get(key)
        if cached is None:
            cached = self._leader_free[key] = iv.subtract(self.frame, self.blocked(leader_id, campus))
        return cached

    def common_free(self, leader_id: str, target: Unit | Venue) -> IntervalSet:
        """When the leader can be at the target and the target can receive a visit."""
        ident = target.unit_id if isinstance(target, Unit) else target.venue_id
        key = (leader_id, ident)
        cached = self._common.get(key)
        if cached is None:
            cached = self._common[key] = iv.intersect(self.leader_free(leader_id, target.campus), self.target_free(target))
        return cached

    def working_frame(self, week: int) -> IntervalSet:
        """Working hours of a week: working days (make-up days included), day_start..17:30."""
        cached = self._working.get(week)
        if cached is None:
            cached = self._working[week] = self._working_frame(week)
        return cached

    def _working_frame(self, week: int) -> IntervalSet:
        term = self.problem.term
        return iv.normalize(
            (d.start + term.day_start, d.start + min(WORKDAY_END, term.day_end))
            for d in self.calendar.week_days(week)
            if d.is_workday
        )

    def working_time(self, leader_id: str, week: int) -> IntervalSet:
        """The leader's available working time in a week: working hours not busy."""
        return iv.subtract(self.working_frame(week), self.busy_set(leader_id))

    # windows and targets ------------------------------------------------------------------------
    def window(self, target_id: str, kind: str) -> IntervalSet:
        """When visits to a target may happen: its own rows, else its kind's, else the default."""
        own = self._windows.get(target_id)
        key = target_id if own else f"kind:{kind}"  # targets without own rows share their kind's
        cached = self._window_cache.get(key)
        if cached is None:
            cached = self._window_cache[key] = self._expand_window(own or self._windows.get(kind), kind)
        return cached

    def _expand_window(self, rows: list[Window] | None, kind: str) -> IntervalSet:
        if rows:
            spans = [(w.weekdays, w.start, w.end, w.weeks) for w in rows]
        elif kind == "class":
            term = self.problem.term
            spans = [(frozenset(range(1, 6)), term.day_start, term.day_end, frozenset())]
        else:
            spans = [(days, s, e, frozenset()) for days, s, e in DEFAULT_WINDOWS.get(kind, ())]
        out: list[tuple[int, int]] = []
        for weekdays, start, end, weeks in spans:
            for weekday in weekdays:
                out.extend((d.start + start, d.start + end) for d in self.days_running(weekday, weeks))
        return iv.intersect(iv.normalize(out), self.frame)

    def target_free(self, target: Unit | Venue) -> IntervalSet:
        """When a unit or venue can receive a visit: its window minus its own commitments."""
        ident = target.unit_id if isinstance(target, Unit) else target.venue_id
        cached = self._target_free.get(ident)
        if cached is None:
            window = self.window(ident, target.kind)
            if isinstance(target, Unit):
                buffer = self.problem.term.buffer_minutes
                window = iv.subtract(window, iv.widen(self.busy_set(ident), buffer, buffer))
            cached = window
            self._target_free[ident] = cached
        return cached

    def activity_span(self, activity: Activity) -> tuple[int, int] | None:
        """The activity's minutes, or None when it falls outside the term or on a day off."""
        day = self.calendar.day_of_date(activity.date)
        if day is None or day.runs is None:
            return None
        return day.start + activity.start, day.start + activity.end


def _period_table(periods: tuple[Period, ...]) -> dict[int, list[Period]]:
    table: dict[int, list[Period]] = defaultdict(list)
    for p in periods:
        table[p.period].append(p)
    return table


def _resolve(table: dict[int, list[Period]], number: int, campus: str | None, week: int) -> Period:
    """The most specific period row for a campus and week: campus and weeks, then either, then plain."""
    best: Period | None = None
    best_score = -1
    for p in table.get(number, ()):
        if p.campus is not None and p.campus != campus:
            continue
        if p.weeks is not None and p.weeks and week not in p.weeks:
            continue
        score = (2 if p.campus is not None else 0) + (1 if p.weeks else 0)
        if score > best_score:
            best, best_score = p, score
    if best is None:
        # Only campus- or season-specific rows define this period, none of them for this campus
        # and week: the nearest definition is better than no time at all.
        rows = sorted(table.get(number, ()), key=lambda p: (p.campus is not None, p.campus or "", p.start))
        if not rows:
            raise KeyError(f"period {number} is not defined")
        best = rows[0]
    return best
