"""Benchmark: write every iCalendar feed of a synthetic plan of N events.

    python benchmarks/feeds_write.py            # 7,000 events
    python benchmarks/feeds_write.py 20000 --full-baseline

Prints, for ``calendars.feeds.write_feeds``: the plan's events, the feeds written, the seconds
and the throughput, counted as events written into feeds per second (write_feeds writes each
event three times: its leader's feed, the feeds of the units it concerns, the office feed).

The peer, timed in the same run on the same events, is the naive way of writing them with plain
``icalendar`` objects: one ``icalendar.Calendar`` per leader, one ``icalendar.Event`` per event,
``to_ical()`` per calendar. With ``--full-baseline`` the naive way also writes the unit and
office feeds, i.e. the same files as write_feeds (over a second per 1,000 events).
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import tempfile
import time
from collections.abc import Iterable
from pathlib import Path
from zoneinfo import ZoneInfo

import icalendar

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from calendars import feeds, text  # noqa: E402
from solver.problem import (  # noqa: E402
    Activity,
    Campus,
    CourseSection,
    Leader,
    Period,
    Problem,
    Term,
    Travel,
    Unit,
    Venue,
)
from solver.result import Event, Plan, SolveStats  # noqa: E402

ZONE = ZoneInfo("Asia/Shanghai")
KINDS = ("class", "dorm", "society", "canteen", "online", "lecture", "classroom")


def synthetic(n_events: int, n_leaders: int = 100, n_units: int = 600) -> tuple[Plan, Problem]:
    """A valid problem and a plan of ``n_events`` events spread over leaders, units, venues,
    activities and course sections, over an 18-week term."""
    campuses = (Campus("c1", "长清湖校区"), Campus("c2", "千佛山校区"), Campus("c3", "舜耕校区"))
    tiers = ("school", "student_affairs", "college")
    leaders = tuple(
        Leader(f"L{i:03}", f"领导{i:03}", tiers[i % 3], f"c{i % 3 + 1}", title="副院长")
        for i in range(n_leaders)
    )
    unit_kinds = ("class", "dorm", "society")
    units = tuple(
        Unit(
            f"U{i:04}",
            unit_kinds[i % 3],
            f"单位{i:04}",
            f"c{i % 3 + 1}",
            f"{i % 40 + 1}号楼{i % 7 + 1}0{i % 9 + 1}",
            "信息科学与工程学院",
            30 + i % 40,
        )
        for i in range(n_units)
    )
    venues = (
        Venue("V1", "canteen", "第一餐厅", "c1", "第一餐厅二楼"),
        Venue("V2", "online", "网上交流平台"),
    )
    term = Term("2026-2027-1", dt.date(2026, 9, 7), 18, name="2026-2027学年第一学期")
    activities = tuple(
        Activity(
            f"A{i}",
            "lecture",
            f"报告会{i}",
            term.start_date + dt.timedelta(days=7 * i + 2),
            19 * 60,
            20 * 60 + 30,
            "c1",
            "大学生活动中心报告厅",
            format="形势报告",
            unit_id=units[i * 3].unit_id,
        )
        for i in range(18)
    )
    courses = tuple(
        CourseSection(
            f"S{i}",
            "形势与政策",
            "situation_policy",
            i % 5 + 1,
            (1, 2),
            frozenset(),
            "c2",
            f"3号教学楼1{i:02}",
            class_ids=tuple(units[j].unit_id for j in range(i * 9, i * 9 + 9, 3)),
        )
        for i in range(40)
    )
    problem = Problem(
        term=term,
        periods=(Period(1, 8 * 60, 8 * 60 + 45), Period(2, 8 * 60 + 55, 9 * 60 + 40)),
        campuses=campuses,
        travel=(Travel("c1", "c2", 40), Travel("c1", "c3", 30), Travel("c2", "c3", 20)),
        leaders=leaders,
        units=units,
        venues=venues,
        activities=activities,
        courses=courses,
    )
    events = []
    for i in range(n_events):
        kind = KINDS[i % len(KINDS)]
        if kind in ("class", "dorm", "society"):
            target = units[(i * 7) % n_units]
            target_id, name, campus, where = target.unit_id, target.name, target.campus, ""
            where = target.location
        elif kind == "canteen":
            target_id, name, campus, where = "V1", "第一餐厅", "c1", "第一餐厅二楼"
        elif kind == "online":
            target_id, name, campus, where = "V2", "网上交流平台", "", "网上交流平台"
        elif kind == "lecture":
            activity = activities[i % len(activities)]
            target_id, name, campus, where = activity.activity_id, activity.name, "c1", "报告厅"
        else:
            section = courses[i % len(courses)]
            target_id, name, campus, where = section.section_id, section.course, "c2", "3号楼"
        week = i % 18 + 1
        start = dt.datetime.combine(
            term.start_date + dt.timedelta(days=7 * (week - 1) + i % 5),
            dt.time(8 + i % 12, 15 * (i % 4)),
            tzinfo=ZONE,
        )
        cancelled = i % 23 == 0
        events.append(
            Event(
                f"ev-{i:06}",
                leaders[i % n_leaders].leader_id,
                week,
                start,
                start + dt.timedelta(minutes=45),
                kind,
                target_id,
                name,
                campus,
                where,
                kind != "online",
                sequence=1 if cancelled else 0,
                status="cancelled" if cancelled else "planned",
                modified=start - dt.timedelta(days=3) if cancelled else None,
                description="带去本学期学生资助政策材料。" if i % 5 == 0 else "",
            )
        )
    plan = Plan(
        term_id=term.term_id,
        timezone="Asia/Shanghai",
        assignments=(),
        events=tuple(events),
        report=(),
        stats=SolveStats("FEASIBLE", 0.0, 0.0, 0.0),
    )
    return plan, problem


# the peer: plain icalendar objects ---------------------------------------------------------------
def naive_calendar(
    plan: Plan,
    look: text.Lookup,
    vtimezone: icalendar.Timezone,
    title: str,
    events: Iterable[Event],
    *,
    with_leader: bool,
) -> bytes:
    """One feed the naive way: a Calendar, an Event per plan event, ``to_ical()``; the lookup
    tables and the VTIMEZONE are built once per plan, not per feed."""
    zone = ZoneInfo(plan.timezone)
    calendar = icalendar.Calendar()
    calendar.add("PRODID", feeds.PRODID)
    calendar.add("VERSION", "2.0")
    calendar.add("NAME", title)
    calendar.add("X-WR-TIMEZONE", plan.timezone)
    calendar.add_component(vtimezone)
    for event in sorted(events, key=lambda e: (e.start, e.uid)):
        vevent = icalendar.Event()
        summary = text.summary(event, look, "zh", with_leader=with_leader)
        vevent.add("UID", event.uid)
        vevent.add("DTSTAMP", dt.datetime(2026, 9, 7, tzinfo=dt.UTC))
        vevent.add("SEQUENCE", event.sequence)
        vevent.add("DTSTART", event.start.astimezone(zone))
        vevent.add("DTEND", event.end.astimezone(zone))
        vevent.add("STATUS", feeds.STATUS_TO_ICAL[event.status])
        vevent.add("SUMMARY", summary)
        vevent.add("LOCATION", text.place(event, look, "zh"))
        vevent.add("DESCRIPTION", text.description(event, look, "zh", with_leader=with_leader))
        vevent.add("CATEGORIES", [text.kind_name("zh", event.visit_kind)])
        if not with_leader and event.status != "cancelled":
            alarm = icalendar.Alarm()
            alarm.add("ACTION", "DISPLAY")
            alarm.add("TRIGGER", dt.timedelta(minutes=-30))
            alarm.add("DESCRIPTION", summary)
            vevent.add_component(alarm)
        calendar.add_component(vevent)
    return calendar.to_ical()


def naive_feeds(plan: Plan, problem: Problem, out: Path, *, units_and_office: bool) -> int:
    """Write naive feeds; the number of events written into them."""
    out.mkdir(parents=True, exist_ok=True)
    look = text.Lookup(problem)
    term = problem.term
    vtimezone = icalendar.Timezone.from_tzid(
        plan.timezone, first_date=term.start_date, last_date=term.end_date
    )
    by_unit: dict[str, list[Event]] = {}
    for event in plan.events:
        for unit_id in look.units_of(event.target_id):
            by_unit.setdefault(unit_id, []).append(event)
    written = 0
    for leader in problem.leaders:
        events = plan.events_of(leader.leader_id)
        data = naive_calendar(plan, look, vtimezone, leader.name, events, with_leader=False)
        (out / f"{leader.leader_id}.ics").write_bytes(data)
        written += len(events)
    if units_and_office:
        for unit in problem.units:
            unit_events = by_unit.get(unit.unit_id, [])
            data = naive_calendar(plan, look, vtimezone, unit.name, unit_events, with_leader=True)
            (out / f"unit-{unit.unit_id}.ics").write_bytes(data)
            written += len(unit_events)
        data = naive_calendar(plan, look, vtimezone, "office", plan.events, with_leader=True)
        (out / "office.ics").write_bytes(data)
        written += len(plan.events)
    return written


def report(label: str, events: int, files: int, written: int, seconds: float) -> None:
    print(
        f"{label:<44} events={events:>7,}  feeds={files:>5,}  seconds={seconds:7.3f}  "
        f"events/s={written / seconds:>10,.0f}  (events written into feeds: {written:,})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("events", nargs="?", type=int, default=7000)
    parser.add_argument(
        "--full-baseline",
        action="store_true",
        help="also write the unit and office feeds the naive way (slow)",
    )
    args = parser.parse_args()
    plan, problem = synthetic(args.events)
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        feeds.write_feeds(plan, problem, Path(tmp) / "fast")
        seconds = time.perf_counter() - started
        root = Path(tmp) / "fast" / "calendars"
        files = len(list(root.rglob("*.ics")))
        written = sum(p.read_bytes().count(b"BEGIN:VEVENT") for p in root.rglob("*.ics"))
        report("write_feeds (leaders, units, office)", len(plan.events), files, written, seconds)

        started = time.perf_counter()
        written = naive_feeds(plan, problem, Path(tmp) / "naive", units_and_office=False)
        seconds = time.perf_counter() - started
        leaders = len(problem.leaders)
        report(
            "icalendar objects, one Calendar per leader",
            len(plan.events),
            leaders,
            written,
            seconds,
        )

        if args.full_baseline:
            started = time.perf_counter()
            written = naive_feeds(plan, problem, Path(tmp) / "naive-all", units_and_office=True)
            seconds = time.perf_counter() - started
            files = leaders + len(problem.units) + 1
            report(
                "icalendar objects, leaders, units, office",
                len(plan.events),
                files,
                written,
                seconds,
            )


if __name__ == "__main__":
    main()
