"""iCalendar feeds of a plan (RFC 5545, 7986): one per leader, one per unit, one for the office.

Pure functions: a plan and its problem in, bytes out. The output depends on nothing else (no wall
clock, no random UIDs), so the same plan always gives byte-identical feeds and a subscribed client
sees a change only when the plan changed. Feeds are published calendars, not scheduling messages:
no METHOD, no calendar-level UID; each event keeps the plan's stable ``uid`` and ``sequence``, and
a cancelled event stays in the feed with ``STATUS:CANCELLED`` so that clients remove or strike it.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

import icalendar

from calendars import ics, text
from solver.problem import Problem
from solver.result import Event, Plan

PRODID = "-//frontline//frontline//ZH"
REFRESH = dt.timedelta(hours=1)
STATUS_TO_ICAL = {"planned": "CONFIRMED", "cancelled": "CANCELLED"}
STATUS_FROM_ICAL = {"CONFIRMED": "planned", "TENTATIVE": "planned", "CANCELLED": "cancelled"}


@dataclass(frozen=True)
class FeedEvent:
    """What a subscriber sees of one event: enough to compare a feed with the plan."""

    uid: str
    start: dt.datetime
    end: dt.datetime
    status: str  # planned | cancelled
    sequence: int


# public API -------------------------------------------------------------------------------------
def leader_feed(
    plan: Plan,
    problem: Problem,
    leader_id: str,
    *,
    alarm_minutes: int | None = 30,
    lang: str = "zh",
) -> bytes:
    """The personal feed of one leader: exactly the leader's events, with a display alarm."""
    text.check_lang(lang)
    title = text.word(lang, "leader_calendar", name=problem.leader(leader_id).name)
    events = plan.events_of(leader_id)
    return _Writer(plan, problem, lang).feed(title, events, with_leader=False, alarm=alarm_minutes)


def unit_feed(plan: Plan, problem: Problem, unit_id: str, *, lang: str = "zh") -> bytes:
    """The visits to one unit: events targeting it, and activities and sections it takes part in."""
    text.check_lang(lang)
    writer = _Writer(plan, problem, lang)
    return writer.unit_feed(unit_id, writer.events_of_unit(unit_id))


def office_feed(plan: Plan, problem: Problem, *, lang: str = "zh") -> bytes:
    """Every event of the plan, each naming its leader."""
    text.check_lang(lang)
    title = text.word(lang, "office_calendar")
    return _Writer(plan, problem, lang).feed(title, plan.events, with_leader=True, alarm=None)


def write_feeds(plan: Plan, problem: Problem, out_dir: Path) -> None:
    """Write ``out_dir/calendars/<leader_id>.ics`` for every leader,
    ``out_dir/calendars/units/<unit_id>.ics`` for every unit and ``out_dir/calendars/office.ics``.

    ``out_dir`` is the plan's output folder (``OUT`` of ``frontline solve DATA --out OUT``).
    The files are the bytes of :func:`leader_feed`, :func:`unit_feed` and :func:`office_feed`
    with their defaults; each event is serialised once per form (leader's own, or naming the
    leader) and shared by every feed that holds it.
    """
    root = Path(out_dir) / "calendars"
    (root / "units").mkdir(parents=True, exist_ok=True)
    lang = "zh"
    writer = _Writer(plan, problem, lang)
    by_leader: dict[str, list[Event]] = {}
    by_unit: dict[str, list[Event]] = {}
    for event in plan.events:
        by_leader.setdefault(event.leader_id, []).append(event)
        for unit_id in writer.look.event_units(event):
            by_unit.setdefault(unit_id, []).append(event)
    for leader in problem.leaders:
        path = root / _file_name(leader.leader_id)
        title = text.word(lang, "leader_calendar", name=problem.leader(leader.leader_id).name)
        events = by_leader.get(leader.leader_id, [])
        _write(path, writer.feed(title, events, with_leader=False, alarm=30))
    for unit in problem.units:
        path = root / "units" / _file_name(unit.unit_id)
        _write(path, writer.unit_feed(unit.unit_id, by_unit.get(unit.unit_id, [])))
    title = text.word(lang, "office_calendar")
    _write(root / "office.ics", writer.feed(title, plan.events, with_leader=True, alarm=None))


def read_feed(data: bytes) -> list[FeedEvent]:
    """The events of a feed, in feed order; raises ``ValueError`` on floating times."""
    calendar = icalendar.Calendar.from_ical(data)
    return [_feed_event(c) for c in calendar.walk("VEVENT") if isinstance(c, icalendar.Event)]


def events_of_unit(plan: Plan, problem: Problem, unit_id: str) -> tuple[Event, ...]:
    """Events at the unit itself, or at an activity or course section the unit takes part in."""
    look = text.Lookup(problem)
    return tuple(e for e in plan.events if unit_id in look.event_units(e))


# building -------------------------------------------------------------------------------------
class _Writer:
    """Feeds of one plan in one language.

    A feed is the calendar's own lines, the VTIMEZONE (the same for every feed of the plan) and
    one VEVENT block per event, joined. The blocks are built once per event and form (with or
    without the leader's name, with or without an alarm) and reused by every feed holding the
    event. The bytes are exactly those of the icalendar objects the feeds were first built with
    (see :mod:`calendars.ics`).
    """

    def __init__(self, plan: Plan, problem: Problem, lang: str):
        text.check_lang(lang)
        self.plan = plan
        self.look = text.Lookup(problem)
        self.lang = lang
        self.zone = ZoneInfo(plan.timezone)
        self._timezone: bytes | None = None
        self._events: dict[tuple[int, bool, int | None], bytes] = {}

    def events_of_unit(self, unit_id: str) -> list[Event]:
        units = self.look.event_units
        return [e for e in self.plan.events if unit_id in units(e)]

    def unit_feed(self, unit_id: str, events: Iterable[Event]) -> bytes:
        unit = self.look.unit(unit_id)
        if unit is None:
            raise KeyError(unit_id)
        title = text.word(self.lang, "unit_calendar", name=unit.name)
        return self.feed(title, events, with_leader=True, alarm=None)

    def feed(
        self, title: str, events: Iterable[Event], *, with_leader: bool, alarm: int | None
    ) -> bytes:
        parts = [self._head(title), self._vtimezone()]
        for event in sorted(events, key=lambda e: (e.start, e.uid)):
            key = (id(event), with_leader, alarm)  # events live as long as the plan held here
            block = self._events.get(key)
            if block is None:
                block = self._events[key] = self._vevent(event, with_leader, alarm)
            parts.append(block)
        parts.append(b"END:VCALENDAR\r\n")
        return b"".join(parts)

    def _head(self, title: str) -> bytes:
        lines = [
            b"BEGIN:VCALENDAR",
            ics.property_line("VCALENDAR", "VERSION", "2.0"),
            ics.property_line("VCALENDAR", "PRODID", PRODID),
            ics.property_line("VCALENDAR", "CALSCALE", "GREGORIAN"),
            ics.raw_line("VCALENDAR", "NAME", title),
            ics.raw_line("VCALENDAR", "X-WR-CALNAME", title),
            ics.property_line("VCALENDAR", "REFRESH-INTERVAL", REFRESH, "DURATION"),
            ics.property_line("VCALENDAR", "X-PUBLISHED-TTL", "PT1H"),
            ics.raw_line("VCALENDAR", "X-WR-TIMEZONE", self.plan.timezone),
            b"",
        ]
        return ics.CRLF.join(lines)

    def _vtimezone(self) -> bytes:
        if self._timezone is None:
            first, last = _date_range(self.plan, self.look.problem)
            self._timezone = _vtimezone_block(self.plan.timezone, first, last)
        return self._timezone

    def _vevent(self, event: Event, with_leader: bool, alarm: int | None) -> bytes:
        look, lang, zone = self.look, self.lang, self.zone
        stamp = _stamp(event, look.problem, zone)
        summary = text.summary(event, look, lang, with_leader=with_leader)
        start, end = _local(event.start, zone, event.uid), _local(event.end, zone, event.uid)
        status = STATUS_TO_ICAL[event.status]
        # icalendar's order: SUMMARY DTSTART DTEND DTSTAMP UID SEQUENCE, then alphabetical
        lines = [
            b"BEGIN:VEVENT",
            ics.text_line("SUMMARY", summary),
            ics.datetime_line("VEVENT", "DTSTART", start),
            ics.datetime_line("VEVENT", "DTEND", end),
            ics.datetime_line("VEVENT", "DTSTAMP", stamp),
            ics.text_line("UID", event.uid),
            ics.property_line("VEVENT", "SEQUENCE", event.sequence),
            ics.property_line("VEVENT", "CATEGORIES", (text.kind_name(lang, event.visit_kind),)),
            ics.text_line(
                "DESCRIPTION", text.description(event, look, lang, with_leader=with_leader)
            ),
            ics.datetime_line("VEVENT", "LAST-MODIFIED", stamp),
        ]
        if where := text.place(event, look, lang):
            lines.append(ics.text_line("LOCATION", where))
        lines.append(ics.property_line("VEVENT", "STATUS", status))
        if event.status == "cancelled":
            lines.append(ics.property_line("VEVENT", "TRANSP", "TRANSPARENT"))
        elif alarm is not None:  # a cancelled visit does not block the time, nor remind
            lines += [
                b"BEGIN:VALARM",
                ics.property_line("VALARM", "ACTION", "DISPLAY"),
                ics.text_line("DESCRIPTION", text.word(lang, "reminder", summary=summary)),
                ics.property_line("VALARM", "TRIGGER", dt.timedelta(minutes=-alarm)),
                b"END:VALARM",
            ]
        lines += [b"END:VEVENT", b""]
        return ics.CRLF.join(lines)


def _local(moment: dt.datetime, zone: ZoneInfo, uid: str) -> dt.datetime:
    if moment.tzinfo is None:
        raise ValueError(f"event {uid}: naive datetime {moment}; plan times must be aware")
    return moment.astimezone(zone)


def _stamp(event: Event, problem: Problem, zone: ZoneInfo) -> dt.datetime:
    """DTSTAMP/LAST-MODIFIED in UTC: the event's last change, else the term's first day 00:00 UTC."""
    if event.modified is None:
        return dt.datetime.combine(problem.term.start_date, dt.time(0), tzinfo=dt.UTC)
    modified = event.modified if event.modified.tzinfo else event.modified.replace(tzinfo=zone)
    return modified.astimezone(dt.UTC)


def _date_range(plan: Plan, problem: Problem) -> tuple[dt.date, dt.date]:
    """The term, widened to every event of the plan; the same for every feed of one plan."""
    zone = ZoneInfo(plan.timezone)
    starts = [e.start.astimezone(zone).date() for e in plan.events]
    ends = [e.end.astimezone(zone).date() for e in plan.events]
    first = min([problem.term.start_date, *starts])
    last = max([problem.term.end_date, *ends]) + dt.timedelta(days=1)
    return first, last


@functools.lru_cache(maxsize=32)
def _vtimezone(tzid: str, first: dt.date, last: dt.date) -> bytes:
    """A VTIMEZONE with the zone's rules over ``first..last`` only, generated once per zone.

    For a zone without daylight saving (Asia/Shanghai) this is one STANDARD component at +0800
    without RRULE. icalendar's explanatory COMMENT is dropped: RFC 5545 does not list COMMENT
    among the properties of VTIMEZONE itself, and strict parsers may reject it.
    """
    timezone = icalendar.Timezone.from_tzid(tzid, first_date=first, last_date=last)
    timezone.pop("COMMENT", None)
    return timezone.to_ical()


@functools.lru_cache(maxsize=32)
def _vtimezone_block(tzid: str, first: dt.date, last: dt.date) -> bytes:
    """The VTIMEZONE as it appears in a feed: :func:`_vtimezone` read back and written again."""
    return icalendar.Timezone.from_ical(_vtimezone(tzid, first, last)).to_ical()


def _file_name(ident: str) -> str:
    """``<id>.ics``; an id that is not a plain file name is refused rather than escaping OUT."""
    if not ident or ident in (".", "..") or any(c in ident for c in "/\\\0"):
        raise ValueError(f"id {ident!r} cannot be used as a calendar file name")
    return f"{ident}.ics"


def _write(path: Path, data: bytes) -> None:
    path.write_bytes(data)


# reading --------------------------------------------------------------------------------------
def _feed_event(component: icalendar.Event) -> FeedEvent:
    uid = str(component["UID"])
    status = STATUS_FROM_ICAL.get(str(component.get("STATUS", "CONFIRMED")).upper())
    if status is None:
        raise ValueError(f"event {uid}: unknown STATUS {component.get('STATUS')!r}")
    start, end = _aware(component.start, uid), _aware(component.end, uid)
    return FeedEvent(uid, start, end, status, int(component.get("SEQUENCE", 0)))


def _aware(moment: dt.date, uid: str) -> dt.datetime:
    if not isinstance(moment, dt.datetime) or moment.tzinfo is None:
        raise ValueError(f"event {uid}: {moment!r} is not a date-time with a time zone")
    return moment
