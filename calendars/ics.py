"""Content lines written directly, byte for byte as ``icalendar`` writes them, but fast.

Serialising a feed through ``icalendar`` objects costs about half a millisecond per event, which
makes a plan of thousands of events take seconds. The feeds use a handful of property kinds
only, so the lines are built here as strings, following ``icalendar`` (7.x) exactly:

* TEXT values (``vText``) are escaped like ``icalendar.parser.string._escape_char``;
* values without a known type (``vUnknown``: ``NAME``, ``X-WR-*``) are written verbatim;
* lines are folded like ``icalendar.parser.string._foldline``: at most 74 octets before each
  fold, on character boundaries, never right after a backslash or caret;
* date-times take their ``TZID`` parameter and ``Z`` suffix from ``icalendar`` itself, asked
  once per property and time zone;
* everything else (integers, durations, categories, constants) comes from ``icalendar`` itself,
  once per distinct value (cached), so it cannot drift from the library.

Whatever these shortcuts do not cover falls back to ``icalendar`` (see :func:`property_line`).
``tests/test_calendars.py`` compares every function here with ``icalendar`` on hostile input.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Hashable

import icalendar

CRLF = b"\r\n"
FOLD = b"\r\n "
LIMIT = 74  # octets of one physical line before a fold (icalendar folds when reaching 75)
_CONTINUATION = 0xC0  # mask: a UTF-8 continuation byte is 0b10xxxxxx
_NO_FOLD_AFTER = (ord("\\"), ord("^"))  # escapes are not split across a fold
_UTC_ONLY = ("DTSTAMP", "CREATED", "LAST-MODIFIED")

COMPONENTS: dict[str, type[icalendar.Component]] = {
    "VCALENDAR": icalendar.Calendar,
    "VEVENT": icalendar.Event,
    "VALARM": icalendar.Alarm,
}


def fold(line: str) -> bytes:
    """The UTF-8 bytes of one content line, folded exactly like ``icalendar``."""
    data = line.encode("utf-8")
    size = len(data)
    if size <= LIMIT:
        return data
    parts = []
    start = 0
    while size - start > LIMIT:
        end = start + LIMIT
        while data[end] & _CONTINUATION == 0x80:  # inside a character: fold before it
            end -= 1
        if data[end - 1] in _NO_FOLD_AFTER:
            end -= 1
        parts.append(data[start:end])
        start = end
    parts.append(data[start:])
    return FOLD.join(parts)


def escape_text(value: str) -> str:
    """A TEXT value escaped as ``icalendar`` escapes it (the order of replacements matters)."""
    return (
        value.replace("\\N", "\n")
        .replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
        .replace("\r", "\\n")
    )


def text_line(name: str, value: str) -> bytes:
    """A TEXT property without parameters (``SUMMARY``, ``DESCRIPTION``, ``UID``, ...)."""
    return fold(f"{name}:{escape_text(value)}")


def raw_line(component: str, name: str, value: str) -> bytes:
    """A property that ``icalendar`` writes verbatim (``NAME``, ``X-WR-CALNAME``, ...)."""
    if "\n" in value:  # icalendar refuses such a line: let it say so
        return property_line(component, name, value)
    return fold(f"{name}:{value}")


@functools.lru_cache(maxsize=1024)
def property_line(
    component: str, name: str, value: Hashable, value_type: str | None = None
) -> bytes:
    """One content line written by ``icalendar`` itself, for values that repeat across events.

    ``value`` is passed to ``Component.add``; a tuple is passed as a list (``CATEGORIES``).
    ``value_type`` becomes the ``VALUE`` parameter.
    """
    holder = COMPONENTS[component]()
    added = list(value) if isinstance(value, tuple) else value
    if value_type:
        holder.add(name, added, parameters={"VALUE": value_type})
    else:
        holder.add(name, added)
    line: bytes = holder.content_line(name, holder[name]).to_ical()
    return line


@functools.lru_cache(maxsize=64)
def _datetime_format(component: str, name: str, zone: dt.tzinfo) -> tuple[str, str]:
    """What ``icalendar`` writes around the digits of a date-time in ``zone``: the parameters
    (``;TZID=Asia/Shanghai``, or nothing for UTC) and the suffix (``Z`` for UTC, else nothing).
    Both depend on the time zone only, never on the moment."""
    sample = dt.datetime(2000, 1, 2, 3, 4, 5, tzinfo=zone)
    digits = "20000102T030405"
    line = property_line(component, name, sample).decode("utf-8")
    head, _, value = line.rpartition(":")
    if not head.startswith(name) or not value.startswith(digits) or "\r\n" in line:
        raise AssertionError(f"unexpected date-time line from icalendar: {line!r}")
    return head[len(name) :], value[len(digits) :]


def datetime_line(component: str, name: str, moment: dt.datetime) -> bytes:
    """An aware date-time property such as ``DTSTART;TZID=Asia/Shanghai:20260908T140000``,
    written in the moment's own time zone, as ``icalendar`` writes it."""
    if moment.tzinfo is None:
        raise ValueError(f"{name}: naive date-time {moment}")
    if name in _UTC_ONLY:  # icalendar's Component.add converts these to UTC
        moment = moment.astimezone(dt.UTC)
    params, suffix = _datetime_format(component, name, moment.tzinfo)
    return fold(
        f"{name}{params}:{moment.year:04}{moment.month:02}{moment.day:02}"
        f"T{moment.hour:02}{moment.minute:02}{moment.second:02}{suffix}"
    )
