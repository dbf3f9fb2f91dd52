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

from calendars import text
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
    look = text.Lookup(problem)
    return _feed(plan, look, title, events, lang, with_leader=False, alarm=alarm_minutes)


def unit_feed(plan: Plan, problem: Problem, unit_id: str, *, lang: str = "zh") -> bytes:
    """The visits to one unit: events targeting it, and activities and sections it takes part in."""
    text.check_lang(lang)
    look = text.Lookup(problem)
    unit = look.unit(unit_id)
    if unit is None:
        raise KeyError(unit_id)
    title = text.word(lang, "unit_calendar", name=unit.name)
    events = [e for e in plan.events if look.concerns_unit(e.target_id, unit_id)]
    return _feed(plan, look, title, events, lang, with_leader=True, alarm=None)


def office_feed(plan: Plan, problem: Problem, *, lang: str = "zh") -> bytes:
    """Every event of the plan, each naming its leader."""
    text.check_lang(lang)
    title = text.word(lang, "office_calendar")
    look = text.Lookup(problem)
    return _feed(plan, look, title, plan.events, lang, with_leader=True, alarm=None)


def write_feeds(plan: Plan, problem: Problem, out_dir: Path) -> None:
    """Write ``out_dir/calendars/<leader_id>.ics`` for every leader,
    ``out_dir/calendars/units/<unit_id>.ics`` for every unit and ``out_dir/calendars/office.ics``.

    ``out_dir`` is the plan's output folder (``OUT`` of ``frontline solve DATA --out OUT``).
    """
    root = Path(out_dir) / "calendars"
    (root / "units").mkdir(parents=True, exist_ok=True)
    for leader in problem.leaders:
        _write(root / _file_name(leader.leader_id), leader_feed(plan, problem, leader.leader_id))
    for unit in problem.units:
        _write(root / "units" / _file_name(unit.unit_id), unit_feed(plan, problem, unit.unit_id))
    _write(root / "office.ics", office_feed(plan, problem))


def read_feed(data: bytes) -> list[FeedEvent]:
    """The events of a feed, in feed order; raises ``ValueError`` on floating times."""
    calendar = icalendar.Calendar.from_ical(data)
    return [_feed_event(c) for c in calendar.walk("VEVENT") if isinstance(c, icalendar.Event)]


def events_of_unit(plan: Plan, problem: Problem, unit_id: str) -> tuple[Event, ...]:
    """Events at the unit itself, or at an activity or course section the unit takes part in."""
    look = text.Lookup(problem)
    return tuple(e for e in plan.events if look.concerns_unit(e.target_id, unit_id))


# building -------------------------------------------------------------------------------------
def _feed(
    plan: Plan,
    look: text.Lookup,
    title: str,
    events: Iterable[Event],
    lang: str,
    *,
    with_leader: bool,
    alarm: int | None,
) -> bytes:
    calendar = _calendar(plan, look.problem, title)
    for event in sorted(events, key=lambda e: (e.start, e.uid)):
        calendar.add_component(_vevent(plan, look, event, lang, with_leader, alarm))
    return calendar.to_ical()


def _calendar(plan: Plan, problem: Problem, title: str) -> icalendar.Calendar:
    calendar = icalendar.Calendar()
    calendar.add("PRODID", PRODID)
    calendar.add("VERSION", "2.0")
    calendar.add("CALSCALE", "GREGORIAN")
    calendar.add("NAME", title)
    calendar.add("X-WR-CALNAME", title)
    calendar.add("X-WR-TIMEZONE", plan.timezone)
    calendar.add("REFRESH-INTERVAL", REFRESH, parameters={"VALUE": "DURATION"})
    calendar.add("X-PUBLISHED-TTL", "PT1H")
    first, last = _date_range(plan, problem)
    calendar.add_component(icalendar.Timezone.from_ical(_vtimezone(plan.timezone, first, last)))
    return calendar


def _vevent(
    plan: Plan,
    look: text.Lookup,
    event: Event,
    lang: str,
    with_leader: bool,
    alarm: int | None,
) -> icalendar.Event:
    zone = ZoneInfo(plan.timezone)
    stamp = _stamp(event, look.problem, zone)
    summary = text.summary(event, look, lang, with_leader=with_leader)
    vevent = icalendar.Event()
    vevent.add("UID", event.uid)
    vevent.add("DTSTAMP", stamp)
    vevent.add("LAST-MODIFIED", stamp)
    vevent.add("SEQUENCE", event.sequence)
    vevent.add("DTSTART", _local(event.start, zone, event.uid))
    vevent.add("DTEND", _local(event.end, zone, event.uid))
    vevent.add("STATUS", STATUS_TO_ICAL[event.status])
    vevent.add("SUMMARY", summary)
    if where := text.place(event, look, lang):
        vevent.add("LOCATION", where)
    vevent.add("DESCRIPTION", text.description(event, look, lang, with_leader=with_leader))
    vevent.add("CATEGORIES", [text.kind_name(lang, event.visit_kind)])
    if event.status == "cancelled":
        vevent.add("TRANSP", "TRANSPARENT")  # a cancelled visit does not block the time
    elif alarm is not None:
        vevent.add_component(_alarm(alarm, text.word(lang, "reminder", summary=summary)))
    return vevent


def _alarm(minutes: int, description: str) -> icalendar.Alarm:
    alarm = icalendar.Alarm()
    alarm.add("ACTION", "DISPLAY")
    alarm.add("TRIGGER", dt.timedelta(minutes=-minutes))
    alarm.add("DESCRIPTION", description)
    return alarm


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
