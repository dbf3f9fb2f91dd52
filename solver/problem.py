"""The problem data: immutable, validated when built.

Everything the solver knows about a term is held here, already parsed: week specs are sets of week
numbers, clock times are minutes after midnight, dates are ``datetime.date``. Reading files and
reporting their problems with a file, row and column is the job of ``data/``; the checks here are
the last line of defence and raise :class:`ProblemError` with every problem found at once.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

TIERS = ("school", "department", "college", "student_affairs")
UNIT_KINDS = ("class", "dorm", "society")
VENUE_KINDS = ("canteen", "online", "community")
ABSENCE_KINDS = ("travel", "meeting", "leave", "other")
COURSE_KINDS = ("theory", "situation_policy")
HOLIDAY_KINDS = ("holiday", "workday")
# The seven visit kinds of the notice (七进); all but online are face to face.
VISIT_KINDS = ("classroom", "class", "dorm", "canteen", "society", "lecture", "online")
FACE_TO_FACE_KINDS = frozenset(VISIT_KINDS) - {"online"}
WINDOW_KINDS = ("class", "dorm", "society", "canteen", "online", "community")
# The visit kind (七进) of a visit to a venue: a student community centre (一站式学生社区) sits in
# the residence halls, so office hours there are time in the dorms.
VENUE_VISIT_KINDS = {"canteen": "canteen", "online": "online", "community": "dorm"}
DEFAULT_VISIT_MINUTES = {"class": 45, "dorm": 60, "canteen": 45, "society": 90, "online": 60}
WORKDAY_END = 17 * 60 + 30  # end of "available working time" for frontline_share
BLOCK_MINUTES = 90  # a frontline block lasts at least this long ...
BLOCKS_PER_DAY = 2  # ... and a leader holds at most this many a day
LUNCH = (12 * 60, 13 * 60 + 30)  # default meal breaks that no frontline block crosses
DINNER = (17 * 60 + 30, 18 * 60 + 30)


class ProblemError(ValueError):
    """The problem data is inconsistent; ``problems`` lists every problem found."""

    def __init__(self, problems: Iterable[str]):
        self.problems = tuple(problems)
        super().__init__("; ".join(self.problems))

    def __reduce__(self) -> tuple[type, tuple[tuple[str, ...]]]:  # survives a process pool
        return (type(self), (self.problems,))


def hhmm(minutes: int) -> str:
    """Minutes after midnight as ``HH:MM``."""
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


@dataclass(frozen=True)
class Term:
    term_id: str
    start_date: dt.date  # Monday of week 1
    weeks: int
    name: str = ""
    contact_weeks: frozenset[int] = frozenset()  # empty = every week
    timezone: str = "Asia/Shanghai"
    day_start: int = 8 * 60
    day_end: int = 21 * 60 + 30
    buffer_minutes: int = 10
    lunch: tuple[int, int] = LUNCH
    dinner: tuple[int, int] = DINNER
    # records contract: working days to answer / resolve an item, check-ins that confirm a visit,
    # share of held face-to-face visits that must be confirmed
    respond_days: int = 2
    resolve_days: int = 7
    checkin_min: int = 3
    confirm_share: float = 0.8

    def __post_init__(self) -> None:
        problems = []
        for label, (start, end) in (("lunch", self.lunch), ("dinner", self.dinner)):
            problems.extend(_time_problems(f"term {label}", start, end))
        if self.start_date.isoweekday() != 1:
            problems.append(f"term start_date {self.start_date} is not a Monday")
        if not 1 <= self.weeks <= 60:
            problems.append(f"term weeks {self.weeks} is not between 1 and 60")
        if bad := sorted(w for w in self.contact_weeks if not 1 <= w <= self.weeks):
            problems.append(f"contact weeks {bad} lie outside weeks 1..{self.weeks}")
        if not 0 <= self.day_start < self.day_end <= 24 * 60:
            problems.append("day_start must be before day_end")
        if self.buffer_minutes < 0:
            problems.append("buffer_minutes must not be negative")
        if self.respond_days < 1 or self.resolve_days < 1 or self.checkin_min < 1:
            problems.append("respond_days, resolve_days and checkin_min must be at least 1")
        if not 0.0 <= self.confirm_share <= 1.0:
            problems.append("confirm_share must lie in 0..1")
        if problems:
            raise ProblemError(problems)

    @property
    def end_date(self) -> dt.date:
        """The last day of the term (Sunday of the last week)."""
        return self.start_date + dt.timedelta(days=7 * self.weeks - 1)

    @property
    def contact_week_list(self) -> tuple[int, ...]:
        weeks = self.contact_weeks or frozenset(range(1, self.weeks + 1))
        return tuple(sorted(weeks))

    def week_of(self, day: dt.date) -> int:
        return (day - self.start_date).days // 7 + 1

    def dates(self) -> list[dt.date]:
        return [self.start_date + dt.timedelta(days=i) for i in range(7 * self.weeks)]


@dataclass(frozen=True)
class Period:
    period: int
    start: int
    end: int
    campus: str | None = None  # None: every campus
    weeks: frozenset[int] | None = None  # None: every week

    def __post_init__(self) -> None:
        _check_times(f"period {self.period}", self.start, self.end)


@dataclass(frozen=True)
class Holiday:
    date: dt.date
    name: str
    kind: str  # holiday | workday
    follows_date: dt.date | None = None
    follows_weekday: int | None = None

    def __post_init__(self) -> None:
        problems = []
        if self.kind not in HOLIDAY_KINDS:
            problems.append(f"holiday {self.date}: unknown kind {self.kind!r}")
        if self.kind == "workday" and (self.follows_date is None) == (self.follows_weekday is None):
            problems.append(
                f"make-up workday {self.date} must follow exactly one of a date or a weekday"
            )
        if self.follows_weekday is not None and not 1 <= self.follows_weekday <= 7:
            problems.append(f"make-up workday {self.date}: weekday {self.follows_weekday}")
        if problems:
            raise ProblemError(problems)


@dataclass(frozen=True)
class Campus:
    campus_id: str
    name: str


@dataclass(frozen=True)
class Travel:
    from_campus: str
    to_campus: str
    minutes: int

    def __post_init__(self) -> None:
        if self.minutes < 0:
            raise ProblemError([f"travel {self.from_campus}->{self.to_campus}: negative minutes"])


@dataclass(frozen=True)
class Leader:
    leader_id: str
    name: str
    tier: str
    campus: str
    title: str = ""
    college: str = ""
    email: str = ""
    contact_every_weeks: int = 1
    link: bool = False
    lecture: bool = False
    seven_visits: bool = False
    frontline_share: float = 0.0

    def __post_init__(self) -> None:
        problems = []
        if self.tier not in TIERS:
            problems.append(f"leader {self.leader_id}: unknown tier {self.tier!r}")
        if self.contact_every_weeks < 1:
            problems.append(f"leader {self.leader_id}: contact_every_weeks must be at least 1")
        if not 0.0 <= self.frontline_share <= 1.0:
            problems.append(f"leader {self.leader_id}: frontline_share must lie in 0..1")
        if problems:
            raise ProblemError(problems)

    @staticmethod
    def defaults_for(tier: str) -> dict[str, object]:
        """The contract's per-tier defaults of the optional requirement columns."""
        school = tier == "school"
        return {
            "contact_every_weeks": 1 if tier in ("school", "student_affairs") else 2,
            "link": school,
            "lecture": school,
            "seven_visits": school,
            "frontline_share": 0.5 if tier == "student_affairs" else 0.0,
        }


@dataclass(frozen=True)
class Unit:
    unit_id: str
    kind: str  # class | dorm | society
    name: str
    campus: str
    location: str = ""
    college: str = ""
    size: int | None = None
    max_leaders: int = 1

    def __post_init__(self) -> None:
        problems = []
        if self.kind not in UNIT_KINDS:
            problems.append(f"unit {self.unit_id}: unknown kind {self.kind!r}")
        if self.max_leaders < 0:
            problems.append(f"unit {self.unit_id}: max_leaders must not be negative")
        if problems:
            raise ProblemError(problems)


@dataclass(frozen=True)
class TimetableEntry:
    """A recurring commitment of a leader or a unit.

    Times are either a period range (``periods``, resolved per campus and week through
    :class:`Period` rows) or explicit minutes ``start``..``end``.
    """

    owner_id: str
    weekday: int
    weeks: frozenset[int]  # empty = every week
    periods: tuple[int, int] | None = None
    start: int | None = None
    end: int | None = None
    title: str = ""
    campus: str | None = None  # None: the owner's campus
    location: str = ""

    def __post_init__(self) -> None:
        problems = []
        if not 1 <= self.weekday <= 7:
            problems.append(f"timetable of {self.owner_id}: weekday {self.weekday}")
        if (self.periods is None) == (self.start is None or self.end is None):
            problems.append(f"timetable of {self.owner_id}: give either periods or start and end")
        if self.periods is not None and self.periods[0] > self.periods[1]:
            problems.append(f"timetable of {self.owner_id}: periods {self.periods} reversed")
        if self.start is not None and self.end is not None:
            problems.extend(_time_problems(f"timetable of {self.owner_id}", self.start, self.end))
        if problems:
            raise ProblemError(problems)


@dataclass(frozen=True)
class Absence:
    """One-off unavailability; ``end`` is exclusive."""

    owner_id: str
    start: dt.datetime
    end: dt.datetime
    kind: str = "other"
    note: str = ""

    def __post_init__(self) -> None:
        problems = []
        if self.kind not in ABSENCE_KINDS:
            problems.append(f"absence of {self.owner_id}: unknown kind {self.kind!r}")
        if self.end <= self.start:
            problems.append(f"absence of {self.owner_id}: end {self.end} not after {self.start}")
        if problems:
            raise ProblemError(problems)


@dataclass(frozen=True)
class Window:
    """When visits to a target (a unit id, venue id or a kind) may happen."""

    target: str
    weekdays: frozenset[int]
    start: int
    end: int
    weeks: frozenset[int] = frozenset()  # empty = every week

    def __post_init__(self) -> None:
        problems = _time_problems(f"window of {self.target}", self.start, self.end)
        if not self.weekdays or not self.weekdays <= set(range(1, 8)):
            problems.append(f"window of {self.target}: weekdays {sorted(self.weekdays)}")
        if problems:
            raise ProblemError(problems)


@dataclass(frozen=True)
class Venue:
    venue_id: str
    kind: str  # canteen | online | community
    name: str
    campus: str | None = None
    location: str = ""
    capacity: int = 1

    def __post_init__(self) -> None:
        problems = []
        if self.kind not in VENUE_KINDS:
            problems.append(f"venue {self.venue_id}: unknown kind {self.kind!r}")
        if self.kind in ("canteen", "community") and not self.campus:
            problems.append(f"venue {self.venue_id}: a {self.kind} needs a campus")
        if self.capacity < 1:
            problems.append(f"venue {self.venue_id}: capacity must be at least 1")
        if problems:
            raise ProblemError(problems)

    @property
    def visit_kind(self) -> str:
        """The visit kind (七进) of a visit here."""
        return VENUE_VISIT_KINDS[self.kind]


@dataclass(frozen=True)
class Activity:
    activity_id: str
    visit_kind: str
    name: str
    date: dt.date
    start: int
    end: int
    campus: str | None
    location: str = ""
    format: str = ""
    unit_id: str | None = None
    max_leaders: int = 1

    def __post_init__(self) -> None:
        problems = _time_problems(f"activity {self.activity_id}", self.start, self.end)
        if self.visit_kind not in VISIT_KINDS:
            problems.append(f"activity {self.activity_id}: unknown visit kind {self.visit_kind!r}")
        if self.max_leaders < 1:
            problems.append(f"activity {self.activity_id}: max_leaders must be at least 1")
        if problems:
            raise ProblemError(problems)

    @property
    def face_to_face(self) -> bool:
        return self.visit_kind in FACE_TO_FACE_KINDS


@dataclass(frozen=True)
class CourseSection:
    section_id: str
    course: str
    kind: str  # theory | situation_policy
    weekday: int
    periods: tuple[int, int]
    weeks: frozenset[int]  # empty = every week
    campus: str
    location: str = ""
    class_ids: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        problems = []
        if self.kind not in COURSE_KINDS:
            problems.append(f"section {self.section_id}: unknown kind {self.kind!r}")
        if not 1 <= self.weekday <= 7:
            problems.append(f"section {self.section_id}: weekday {self.weekday}")
        if self.periods[0] > self.periods[1]:
            problems.append(f"section {self.section_id}: periods {self.periods} reversed")
        if problems:
            raise ProblemError(problems)


@dataclass(frozen=True)
class HistoryLink:
    leader_id: str
    unit_id: str


@dataclass(frozen=True)
class Problem:
    """One term of one university, everything the solver needs."""

    term: Term
    periods: tuple[Period, ...]
    campuses: tuple[Campus, ...]
    leaders: tuple[Leader, ...]
    units: tuple[Unit, ...]
    holidays: tuple[Holiday, ...] = ()
    travel: tuple[Travel, ...] = ()
    timetable: tuple[TimetableEntry, ...] = ()
    absences: tuple[Absence, ...] = ()
    windows: tuple[Window, ...] = ()
    venues: tuple[Venue, ...] = ()
    activities: tuple[Activity, ...] = ()
    courses: tuple[CourseSection, ...] = ()
    history: tuple[HistoryLink, ...] = ()
    _index: dict[str, object] = field(default_factory=dict, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        problems = _validate(self)
        if problems:
            raise ProblemError(problems)
        index: dict[str, object] = {}
        for group in (self.leaders, self.units, self.venues, self.activities, self.courses):
            for item in group:
                index[_id_of(item)] = item
        object.__setattr__(self, "_index", index)

    # lookups -------------------------------------------------------------------------------
    def leader(self, leader_id: str) -> Leader:
        item = self._index.get(leader_id)
        if not isinstance(item, Leader):
            raise KeyError(leader_id)
        return item

    def unit(self, unit_id: str) -> Unit:
        item = self._index.get(unit_id)
        if not isinstance(item, Unit):
            raise KeyError(unit_id)
        return item

    def target(self, target_id: str) -> Unit | Venue | Activity | CourseSection:
        item = self._index.get(target_id)
        if item is None or isinstance(item, Leader):
            raise KeyError(target_id)
        return item  # type: ignore[return-value]

    def owner_campus(self, owner_id: str) -> str:
        item = self._index.get(owner_id)
        if isinstance(item, Leader | Unit):
            return item.campus
        raise KeyError(owner_id)

    def campus_name(self, campus_id: str | None) -> str:
        for campus in self.campuses:
            if campus.campus_id == campus_id:
                return campus.name
        return campus_id or ""

    def travel_minutes(self, a: str | None, b: str | None) -> int:
        """Minutes from campus a to campus b; 0 on the same campus or for online (None)."""
        if a is None or b is None or a == b:
            return 0
        table = _travel_table(self.travel)
        return table.get((a, b), table.get((b, a), 0))


def _travel_table(travel: tuple[Travel, ...]) -> dict[tuple[str, str], int]:
    return {(t.from_campus, t.to_campus): t.minutes for t in travel}


def _id_of(item: object) -> str:
    """The identity of a record (an activity also names a unit, so go by type, not by field)."""
    if isinstance(item, Leader):
        return item.leader_id
    if isinstance(item, Unit):
        return item.unit_id
    if isinstance(item, Venue):
        return item.venue_id
    if isinstance(item, Activity):
        return item.activity_id
    if isinstance(item, CourseSection):
        return item.section_id
    raise TypeError(item)


def _time_problems(what: str, start: int, end: int) -> list[str]:
    if not (0 <= start <= 24 * 60 and 0 <= end <= 24 * 60):
        return [f"{what}: time outside 00:00..24:00"]
    if end <= start:
        return [f"{what}: end {hhmm(end)} is not after start {hhmm(start)}"]
    return []


def _check_times(what: str, start: int, end: int) -> None:
    if problems := _time_problems(what, start, end):
        raise ProblemError(problems)


def _validate(p: Problem) -> list[str]:
    """Cross-record checks: unique ids, known references, travel between used campuses."""
    problems: list[str] = []
    campuses = {c.campus_id for c in p.campuses}
    if len(campuses) != len(p.campuses):
        problems.append("duplicate campus ids")
    seen: dict[str, str] = {}
    groups: tuple[tuple[tuple[Leader | Unit | Venue | Activity | CourseSection, ...], str], ...] = (
        (p.leaders, "leader"),
        (p.units, "unit"),
        (p.venues, "venue"),
        (p.activities, "activity"),
        (p.courses, "section"),
    )
    for group, label in groups:
        for item in group:
            ident = _id_of(item)
            if ident in seen:
                problems.append(f"{label} id {ident!r} is already used by a {seen[ident]}")
            seen[ident] = label
    owners = {x.leader_id for x in p.leaders} | {x.unit_id for x in p.units}
    units = {x.unit_id for x in p.units}
    located: tuple[Leader | Unit, ...] = (*p.leaders, *p.units)
    for item in located:
        if item.campus not in campuses:
            problems.append(f"{_id_of(item)}: unknown campus {item.campus!r}")
    for v in p.venues:
        if v.campus is not None and v.campus not in campuses:
            problems.append(f"venue {v.venue_id}: unknown campus {v.campus!r}")
    for a in p.activities:
        if a.campus is not None and a.campus not in campuses:
            problems.append(f"activity {a.activity_id}: unknown campus {a.campus!r}")
        if a.unit_id is not None and a.unit_id not in units:
            problems.append(f"activity {a.activity_id}: unknown unit {a.unit_id!r}")
    for s in p.courses:
        if s.campus not in campuses:
            problems.append(f"section {s.section_id}: unknown campus {s.campus!r}")
        problems.extend(
            f"section {s.section_id}: unknown class {c!r}" for c in s.class_ids if c not in units
        )
    for e in p.timetable:
        if e.owner_id not in owners:
            problems.append(f"timetable: unknown owner {e.owner_id!r}")
        if e.campus is not None and e.campus not in campuses:
            problems.append(f"timetable of {e.owner_id}: unknown campus {e.campus!r}")
    for ab in p.absences:
        if ab.owner_id not in owners:
            problems.append(f"absence: unknown owner {ab.owner_id!r}")
    targets = units | {v.venue_id for v in p.venues} | set(WINDOW_KINDS)
    problems.extend(
        f"window: unknown target {w.target!r}" for w in p.windows if w.target not in targets
    )
    for h in p.history:
        if h.leader_id not in {x.leader_id for x in p.leaders}:
            problems.append(f"history: unknown leader {h.leader_id!r}")
    defined = {x.period for x in p.periods}
    for e in p.timetable:
        if e.periods is not None:
            problems.extend(
                f"timetable of {e.owner_id}: period {n} is not defined"
                for n in range(e.periods[0], e.periods[1] + 1)
                if n not in defined
            )
    for s in p.courses:
        problems.extend(
            f"section {s.section_id}: period {n} is not defined"
            for n in range(s.periods[0], s.periods[1] + 1)
            if n not in defined
        )
    problems.extend(_travel_problems(p, campuses))
    return problems


def _travel_problems(p: Problem, campuses: set[str]) -> list[str]:
    problems = []
    table = _travel_table(p.travel)
    for t in p.travel:
        for c in (t.from_campus, t.to_campus):
            if c not in campuses:
                problems.append(f"travel: unknown campus {c!r}")
    used = sorted(
        {x.campus for x in p.leaders}
        | {e.campus for e in p.timetable if e.campus}
        | {u.campus for u in p.units}
        | {v.campus for v in p.venues if v.campus}
        | {a.campus for a in p.activities if a.campus}
        | {s.campus for s in p.courses}
    )
    for i, a in enumerate(used):
        for b in used[i + 1 :]:
            if (a, b) not in table and (b, a) not in table:
                problems.append(f"travel: no travel time between campuses {a} and {b}")
    return problems
