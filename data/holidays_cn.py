"""Official PRC public holidays and make-up workdays (调休) from the ``holidays`` library.

Used when the input has no ``holidays.csv``. Days off become ``holiday`` records; each make-up
workday becomes a ``workday`` record that follows the day off it substitutes (the library names a
substituted day off ``休息日（由 2026-09-20 调休）``: 2026-10-06 is off, and its work is done on
2026-09-20, which therefore runs the timetable of 2026-10-06).

The library lists the official days off but not the ordinary Saturdays and Sundays inside or at
the edge of a break (2026-10-04, a Sunday inside 10-01..10-07; 06-20/21 after the Dragon Boat
Friday). The State Council counts them in the break ("6月19日至21日放假，共3天"), so weekend days joined
to a day off, and not make-up workdays, are added as holidays named after the break.

A year counts as *published* when the library knows a substituted day in it or in a later year;
the State Council publishes each year's arrangement late in the year before, and the library is
updated after that, so for an unpublished year only the fixed-date and lunar holidays are known.
"""

from __future__ import annotations

import datetime as dt
import re

import holidays

from solver.problem import Holiday

_ISO_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_LOOKAHEAD_YEARS = 2


AFTER_TERM_DAYS = 120  # official days kept after the term's end: feedback deadlines run on


def china_holidays(
    first: dt.date, last: dt.date, through: dt.date | None = None
) -> tuple[tuple[Holiday, ...], tuple[int, ...]]:
    """Holidays and make-up workdays dated ``first``..``through`` (default ``last``), and the
    years of ``first``..``last`` that are estimated."""
    years = range(first.year, max(last, through or last).year + 1 + _LOOKAHEAD_YEARS)
    calendar = holidays.China(years=list(years), language="zh_CN")
    substituted = _substitutions(calendar)  # make-up workday -> day off
    named = {day: str(name) for day, name in calendar.items()}
    named |= _weekends_of_breaks(named, set(substituted))
    end = max(last, through or last)
    days_off = [
        Holiday(day, name, "holiday") for day, name in sorted(named.items()) if first <= day <= end
    ]
    workdays = [
        Holiday(day, f"调休上班（执行 {off} 的课表）", "workday", follows_date=off)
        for day, off in sorted(substituted.items())
        if first <= day <= end
    ]
    known = {day.year for pair in substituted.items() for day in pair}
    estimated = tuple(y for y in range(first.year, last.year + 1) if not any(k >= y for k in known))
    return tuple(sorted(days_off + workdays, key=lambda h: h.date)), estimated


def _weekends_of_breaks(days_off: dict[dt.date, str], workdays: set[dt.date]) -> dict[dt.date, str]:
    """Weekend days joined to a day off (through other weekend days), named after the break."""
    joined: dict[dt.date, str] = {}
    for day in sorted(days_off):
        for step in (dt.timedelta(days=-1), dt.timedelta(days=1)):
            other = day + step
            while other.isoweekday() >= 6 and other not in workdays and other not in days_off:
                joined.setdefault(other, _break_name(day, days_off))
                other += step
    return joined


def _break_name(day: dt.date, days_off: dict[dt.date, str]) -> str:
    """The festival a day off belongs to: its own name, or the nearest festival's (not 休息日)."""
    nearby = sorted(days_off, key=lambda d: (abs((d - day).days), d))
    for other in nearby[:10]:
        name = days_off[other].split("（")[0].split("(")[0].strip()
        if abs((other - day).days) <= 7 and not _ISO_DATE.search(days_off[other]):
            return name
    return days_off[day]


def _substitutions(calendar: holidays.HolidayBase) -> dict[dt.date, dt.date]:
    """Make-up workday -> the day off it substitutes, from the names of substituted days off."""
    label = str(calendar.tr(calendar.substituted_label)).split("%s")[0]
    pairs: dict[dt.date, dt.date] = {}
    for day, name in calendar.items():
        for part in str(name).split(";"):  # the library joins two names of one date with ;
            match = _ISO_DATE.search(part)
            if match and part.strip().startswith(label):
                pairs[dt.date(*map(int, match.groups()))] = day
    return pairs
