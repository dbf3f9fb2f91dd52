"""Calendar feeds: RFC 5545/7986 structure, stable bytes, round trip, folding, strict parsing.

Golden reference files live in ``tests/golden/``. After an intended change of the output,
regenerate them with ``FRONTLINE_REGEN_GOLDEN=1 python -m pytest tests/test_calendars.py`` and
review the diff before committing.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import re
from dataclasses import replace
from pathlib import Path
from zoneinfo import ZoneInfo

import icalendar
import pytest
from icalendar.parser.string import _foldline

from calendars import feeds, ics, text
from calendars.feeds import (
    FeedEvent,
    events_of_unit,
    leader_feed,
    office_feed,
    read_feed,
    unit_feed,
    write_feeds,
)
from solver.problem import (
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
from solver.result import Event, Plan, SolveStats

GOLDEN = Path(__file__).parent / "golden"
SHANGHAI = ZoneInfo("Asia/Shanghai")
UTC = dt.UTC


# fixture ----------------------------------------------------------------------------------------
def make_problem() -> Problem:
    return Problem(
        term=Term("2026-2027-1", dt.date(2026, 9, 7), 18, name="2026-2027学年第一学期"),
        periods=(Period(1, 8 * 60, 8 * 60 + 45), Period(2, 8 * 60 + 55, 9 * 60 + 40)),
        campuses=(Campus("c1", "长清湖校区"), Campus("c2", "千佛山校区")),
        travel=(Travel("c1", "c2", 40),),
        leaders=(
            Leader("L1", "张三", "school", "c1", title="党委书记", link=True, lecture=True),
            Leader("L2", "李四", "student_affairs", "c2", title="学生工作部部长"),
        ),
        units=(
            Unit("U1", "class", "计算机2301班", "c1", "1号教学楼201", "信息科学与工程学院", 42),
            Unit("U2", "dorm", "学生公寓3号楼", "c1", "学生公寓3号楼", size=600),
        ),
        venues=(Venue("V1", "canteen", "第一餐厅", "c2", "第一餐厅二楼", capacity=2),),
        activities=(
            Activity(
                "A1",
                "lecture",
                "新生入学教育报告会",
                dt.date(2026, 9, 16),
                19 * 60,
                20 * 60 + 30,
                "c1",
                "大学生活动中心报告厅",
                format="形势报告",
            ),
        ),
        courses=(
            CourseSection(
                "S1",
                "形势与政策",
                "situation_policy",
                4,
                (1, 2),
                frozenset(),
                "c1",
                "3号教学楼105",
                class_ids=("U1",),
            ),
        ),
    )


def at(day: int, hour: int, minute: int = 0, month: int = 9) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, minute, tzinfo=SHANGHAI)


def make_events() -> tuple[Event, ...]:
    edited = dt.datetime(2026, 9, 1, 2, 30, tzinfo=UTC)
    return (
        Event(
            "ev-class-1",
            "L1",
            1,
            at(8, 14),
            at(8, 14, 45),
            "class",
            "U1",
            "进班级",
            "c1",
            "1号教学楼201",
            True,
            modified=edited,
        ),
        Event(
            "ev-dorm-1",
            "L1",
            1,
            at(9, 19, 30),
            at(9, 20, 30),
            "dorm",
            "U2",
            "进宿舍",
            "c1",
            "学生公寓3号楼",
            True,
        ),
        Event(
            "ev-canteen-2",
            "L1",
            2,
            at(14, 11, 30),
            at(14, 12, 15),
            "canteen",
            "V1",
            "进食堂",
            "c2",
            "第一餐厅二楼",
            True,
            sequence=1,
            status="cancelled",
            modified=dt.datetime(2026, 9, 10, 16, 0, tzinfo=SHANGHAI),
        ),
        # Given in UTC on purpose: the feed must still say 15:00 Asia/Shanghai.
        Event(
            "ev-class-2",
            "L2",
            2,
            dt.datetime(2026, 9, 15, 7, 0, tzinfo=UTC),
            dt.datetime(2026, 9, 15, 7, 45, tzinfo=UTC),
            "class",
            "U1",
            "进班级",
            "c1",
            "1号教学楼201",
            True,
            description="带去本学期学生资助政策材料。",
        ),
        Event(
            "ev-lecture-2",
            "L2",
            2,
            at(16, 19),
            at(16, 20, 30),
            "lecture",
            "A1",
            "新生入学教育报告会",
            "c1",
            "大学生活动中心报告厅",
            True,
        ),
        Event(
            "ev-classroom-2",
            "L1",
            2,
            at(17, 8),
            at(17, 9, 40),
            "classroom",
            "S1",
            "形势与政策",
            "c1",
            "3号教学楼105",
            True,
        ),
    )


def make_plan(events: tuple[Event, ...] | None = None, timezone: str = "Asia/Shanghai") -> Plan:
    return Plan(
        term_id="2026-2027-1",
        timezone=timezone,
        assignments=(),
        events=make_events() if events is None else events,
        report=(),
        stats=SolveStats("OPTIMAL", 0.0, 0.0, 0.1),
    )


@pytest.fixture
def problem() -> Problem:
    return make_problem()


@pytest.fixture
def plan() -> Plan:
    return make_plan()


def all_feeds(plan: Plan, problem: Problem) -> dict[str, bytes]:
    return {
        "leader_L1": leader_feed(plan, problem, "L1"),
        "leader_L2": leader_feed(plan, problem, "L2"),
        "unit_U1": unit_feed(plan, problem, "U1"),
        "unit_U2": unit_feed(plan, problem, "U2"),
        "office": office_feed(plan, problem),
    }


def unfolded(data: bytes) -> list[str]:
    return data.decode("utf-8").replace("\r\n ", "").split("\r\n")


def blocks(data: bytes, name: str) -> list[list[str]]:
    """The unfolded own properties of every ``name`` component (not those of its subcomponents),
    with ``BEGIN:X`` lines of its direct subcomponents."""
    found: list[list[str]] = []
    current: list[str] | None = None
    depth = 0
    for line in unfolded(data):
        if current is None:
            if line == f"BEGIN:{name}":
                current, depth = [], 0
            continue
        if line.startswith("BEGIN:"):
            depth += 1
            if depth == 1:
                current.append(line)
        elif line.startswith("END:"):
            depth -= 1
            if depth < 0:
                found.append(current)
                current = None
        elif depth == 0:
            current.append(line)
    return found


def prop(lines: list[str], name: str) -> list[str]:
    return [line for line in lines if re.match(rf"{name}[;:]", line)]


def value(lines: list[str], name: str) -> str:
    """The value of the one ``name`` property, TEXT escapes resolved."""
    (line,) = prop(lines, name)
    escaped = line.split(":", 1)[1]
    return re.sub(r"\\([\\;,nN])", lambda m: "\n" if m[1] in "nN" else m[1], escaped)


def calendar_lines(data: bytes) -> list[str]:
    """Properties of the VCALENDAR itself, outside every subcomponent."""
    depth, own = 0, []
    for line in unfolded(data):
        if line.startswith("BEGIN:"):
            depth += 1
        elif line.startswith("END:"):
            depth -= 1
        elif depth == 1:
            own.append(line)
    return own


def plan_view(events: tuple[Event, ...]) -> set[tuple[str, dt.datetime, dt.datetime, str, int]]:
    return {(e.uid, e.start, e.end, e.status, e.sequence) for e in events}


def feed_view(data: bytes) -> set[tuple[str, dt.datetime, dt.datetime, str, int]]:
    return {(f.uid, f.start, f.end, f.status, f.sequence) for f in read_feed(data)}


# golden files and determinism -------------------------------------------------------------------
@pytest.mark.parametrize("name", ["leader_L1", "unit_U1", "office"])
def test_feed_matches_golden_reference_byte_for_byte(plan, problem, name):
    data = all_feeds(plan, problem)[name]
    path = GOLDEN / f"{name}.ics"
    if os.environ.get("FRONTLINE_REGEN_GOLDEN") == "1":
        path.parent.mkdir(exist_ok=True)
        path.write_bytes(data)
    assert path.exists(), f"{path} missing: run with FRONTLINE_REGEN_GOLDEN=1"
    assert data == path.read_bytes()


def test_same_plan_gives_byte_identical_feeds_whatever_the_event_order():
    first = all_feeds(make_plan(), make_problem())
    shuffled = make_plan(tuple(reversed(make_events())))
    assert all_feeds(make_plan(), make_problem()) == first
    assert all_feeds(shuffled, make_problem()) == first


def test_events_are_sorted_by_start_then_uid(problem):
    twin = Event(
        "ev-aaa",
        "L1",
        1,
        at(8, 14),
        at(8, 14, 45),
        "class",
        "U1",
        "进班级",
        "c1",
        "1号教学楼201",
        True,
    )
    uids = [f.uid for f in read_feed(leader_feed(make_plan((*make_events(), twin)), problem, "L1"))]
    assert uids == ["ev-aaa", "ev-class-1", "ev-dorm-1", "ev-canteen-2", "ev-classroom-2"]


def test_dtstamp_and_last_modified_are_the_events_change_in_utc_else_term_start(plan, problem):
    events = {value(b, "UID"): b for b in blocks(office_feed(plan, problem), "VEVENT")}
    assert value(events["ev-class-1"], "DTSTAMP") == "20260901T023000Z"
    assert value(events["ev-canteen-2"], "DTSTAMP") == "20260910T080000Z"
    assert value(events["ev-canteen-2"], "LAST-MODIFIED") == "20260910T080000Z"
    assert value(events["ev-dorm-1"], "DTSTAMP") == "20260907T000000Z"
    assert value(events["ev-dorm-1"], "LAST-MODIFIED") == "20260907T000000Z"


# round trip and selection ------------------------------------------------------------------------
@pytest.mark.parametrize("leader_id", ["L1", "L2"])
def test_read_feed_of_leader_feed_gives_exactly_the_leaders_plan_events(plan, problem, leader_id):
    assert feed_view(leader_feed(plan, problem, leader_id)) == plan_view(plan.events_of(leader_id))


def test_read_feed_returns_frozen_feed_events_with_aware_times(plan, problem):
    (first, *_) = read_feed(leader_feed(plan, problem, "L2"))
    assert first == FeedEvent("ev-class-2", at(15, 15), at(15, 15, 45), "planned", 0)
    assert first.start.utcoffset() == dt.timedelta(hours=8)
    with pytest.raises(AttributeError):
        first.uid = "x"  # type: ignore[misc]


def test_unit_feed_holds_visits_to_the_unit_and_course_sections_it_attends(plan, problem):
    assert [e.uid for e in events_of_unit(plan, problem, "U1")] == [
        "ev-class-1",
        "ev-class-2",
        "ev-classroom-2",
    ]
    assert feed_view(unit_feed(plan, problem, "U1")) == plan_view(
        events_of_unit(plan, problem, "U1")
    )
    assert {f.uid for f in read_feed(unit_feed(plan, problem, "U2"))} == {"ev-dorm-1"}


def test_office_feed_holds_every_event_of_the_plan(plan, problem):
    assert feed_view(office_feed(plan, problem)) == plan_view(plan.events)


def test_cancelled_event_stays_in_feed_with_status_cancelled_and_its_sequence(plan, problem):
    (vevent,) = [
        b
        for b in blocks(leader_feed(plan, problem, "L1"), "VEVENT")
        if value(b, "UID") == "ev-canteen-2"
    ]
    assert value(vevent, "STATUS") == "CANCELLED"
    assert value(vevent, "SEQUENCE") == "1"
    assert value(vevent, "TRANSP") == "TRANSPARENT"
    assert value(vevent, "SUMMARY").startswith("【已取消】")
    assert "BEGIN:VALARM" not in vevent  # no reminder for a visit that will not happen
    others = [b for b in blocks(leader_feed(plan, problem, "L1"), "VEVENT") if b is not vevent]
    assert {value(b, "STATUS") for b in others} >= {"CONFIRMED"}


# RFC structure ---------------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["leader_L1", "leader_L2", "unit_U1", "unit_U2", "office"])
def test_lines_end_in_crlf_and_fold_at_75_octets_on_character_boundaries(plan, problem, name):
    data = all_feeds(plan, problem)[name]
    assert data.endswith(b"\r\n")
    assert b"\n" not in data.replace(b"\r\n", b"")
    assert b"\r" not in data.replace(b"\r\n", b"")
    lines = data.split(b"\r\n")[:-1]
    for line in lines:
        assert len(line) <= 75, line
        line.decode("utf-8")  # raises if a multi-byte sequence was split by folding
    folded = [line for line in lines if line.startswith(b" ")]
    assert any(max(line) >= 0x80 for line in folded), "fixture should exercise folding of Chinese"


@pytest.mark.parametrize("name", ["leader_L1", "unit_U1", "office"])
def test_one_vtimezone_and_every_event_time_carries_its_tzid(plan, problem, name):
    data = all_feeds(plan, problem)[name]
    (vtimezone,) = blocks(data, "VTIMEZONE")
    assert value(vtimezone, "TZID") == "Asia/Shanghai"
    for vevent in blocks(data, "VEVENT"):
        for line in prop(vevent, "DTSTART") + prop(vevent, "DTEND"):
            assert re.fullmatch(r"DT(START|END);TZID=Asia/Shanghai:\d{8}T\d{6}", line), line
    assert value(calendar_lines(data), "X-WR-TIMEZONE") == "Asia/Shanghai"


def test_shanghai_vtimezone_is_one_standard_component_at_plus_eight_without_rrule(plan, problem):
    data = leader_feed(plan, problem, "L1")
    (vtimezone,) = blocks(data, "VTIMEZONE")
    assert blocks(data, "DAYLIGHT") == []
    (standard,) = blocks(data, "STANDARD")
    assert value(standard, "TZOFFSETFROM") == value(standard, "TZOFFSETTO") == "+0800"
    assert prop(standard, "RRULE") == []
    assert value(standard, "DTSTART") <= "20260907T000000"
    assert prop(vtimezone, "COMMENT") == []


def test_vtimezone_follows_the_plans_zone_including_daylight_saving(problem):
    data = leader_feed(make_plan(timezone="Europe/Berlin"), problem, "L1")
    (vtimezone,) = blocks(data, "VTIMEZONE")
    assert value(vtimezone, "TZID") == "Europe/Berlin"
    assert blocks(data, "STANDARD") and blocks(data, "DAYLIGHT")
    first = blocks(data, "VEVENT")[0]
    assert value(first, "DTSTART;TZID=Europe/Berlin") == "20260908T080000"  # 14:00 in Shanghai
    assert feed_view(data) == plan_view(make_plan().events_of("L1"))


@pytest.mark.parametrize("name", ["leader_L1", "unit_U1", "office"])
def test_calendar_properties_and_no_calendar_uid_or_method(plan, problem, name):
    own = calendar_lines(all_feeds(plan, problem)[name])
    assert prop(own, "UID") == []
    assert prop(own, "METHOD") == []
    assert value(own, "PRODID") == "-//frontline//frontline//ZH"
    assert value(own, "VERSION") == "2.0"
    assert value(own, "CALSCALE") == "GREGORIAN"
    assert prop(own, "REFRESH-INTERVAL") == ["REFRESH-INTERVAL;VALUE=DURATION:PT1H"]
    assert value(own, "X-PUBLISHED-TTL") == "PT1H"
    assert value(own, "NAME") == value(own, "X-WR-CALNAME")


def test_calendar_names_say_whose_plan_it_is(plan, problem):
    def name(data: bytes) -> str:
        return value(calendar_lines(data), "X-WR-CALNAME")

    assert name(leader_feed(plan, problem, "L1")) == "张三 · 联系学生安排"
    assert name(unit_feed(plan, problem, "U1")) == "计算机2301班 · 领导联系安排"
    assert name(office_feed(plan, problem)) == "全校领导联系学生安排"


# content ---------------------------------------------------------------------------------------
def leader_events(plan: Plan, problem: Problem, **options) -> dict[str, list[str]]:
    data = leader_feed(plan, problem, "L1", **options)
    return {value(b, "UID"): b for b in blocks(data, "VEVENT")}


def test_leader_event_says_what_where_and_what_to_prepare_in_chinese(plan, problem):
    dorm, klass = (
        leader_events(plan, problem)["ev-dorm-1"],
        leader_events(plan, problem)["ev-class-1"],
    )
    assert value(dorm, "SUMMARY") == "进宿舍 · 长清湖校区学生公寓3号楼"
    assert value(dorm, "LOCATION") == "长清湖校区学生公寓3号楼"
    assert value(dorm, "CATEGORIES") == "进宿舍"
    assert value(klass, "SUMMARY") == "进班级 · 计算机2301班 · 长清湖校区1号教学楼201"
    assert value(klass, "DESCRIPTION").split("\n") == [
        "联系对象：计算机2301班（班级，42人，信息科学与工程学院）",
        "形式：进班级，面对面",
        "准备：了解班级学风与学生困难，准备与学生座谈。",
    ]


def test_event_description_appends_the_plans_note(plan, problem):
    data = leader_feed(plan, problem, "L2")
    (klass,) = [b for b in blocks(data, "VEVENT") if value(b, "UID") == "ev-class-2"]
    assert value(klass, "DESCRIPTION").endswith("备注：带去本学期学生资助政策材料。")


def test_activity_event_names_the_activity_and_its_format(plan, problem):
    data = leader_feed(plan, problem, "L2")
    (talk,) = [b for b in blocks(data, "VEVENT") if value(b, "UID") == "ev-lecture-2"]
    assert value(talk, "SUMMARY") == "进讲座 · 新生入学教育报告会 · 长清湖校区大学生活动中心报告厅"
    assert value(talk, "DESCRIPTION").startswith(
        "活动：新生入学教育报告会（形势报告）\n形式：进讲座"
    )


def test_classroom_event_names_the_course_and_its_classes(plan, problem):
    (lesson,) = [
        b
        for b in blocks(leader_feed(plan, problem, "L1"), "VEVENT")
        if value(b, "UID") == "ev-classroom-2"
    ]
    assert value(lesson, "SUMMARY") == "进课堂 · 形势与政策 · 长清湖校区3号教学楼105"
    assert value(lesson, "DESCRIPTION").split("\n")[:2] == [
        "课程：形势与政策（形势与政策课，教学班 S1）",
        "听课班级：计算机2301班",
    ]


def test_unit_feed_holds_activities_that_name_the_unit(plan):
    base = make_problem()
    (talk,) = base.activities
    problem = Problem(
        term=base.term,
        periods=base.periods,
        campuses=base.campuses,
        travel=base.travel,
        leaders=base.leaders,
        units=base.units,
        venues=base.venues,
        courses=base.courses,
        activities=(replace(talk, unit_id="U1"),),
    )
    assert "ev-lecture-2" in {f.uid for f in read_feed(unit_feed(plan, problem, "U1"))}
    data = leader_feed(plan, problem, "L2")
    (talk_event,) = [b for b in blocks(data, "VEVENT") if value(b, "UID") == "ev-lecture-2"]
    assert "\n联系对象：计算机2301班" in value(talk_event, "DESCRIPTION")


def test_leader_feed_has_a_display_alarm_30_minutes_before_by_default(plan, problem):
    alarms = blocks(leader_feed(plan, problem, "L1"), "VALARM")
    assert len(alarms) == 3  # the cancelled visit has none
    for alarm in alarms:
        assert value(alarm, "ACTION") == "DISPLAY"
        assert value(alarm, "TRIGGER") == "-PT30M"
        assert value(alarm, "DESCRIPTION").startswith("提醒：进")
    assert "BEGIN:VALARM" in blocks(leader_feed(plan, problem, "L1"), "VEVENT")[0]


def test_alarm_minutes_is_configurable_and_none_means_no_alarm(plan, problem):
    alarms = blocks(leader_feed(plan, problem, "L1", alarm_minutes=90), "VALARM")
    assert {value(a, "TRIGGER") for a in alarms} == {"-PT1H30M"}
    assert blocks(leader_feed(plan, problem, "L1", alarm_minutes=None), "VALARM") == []


@pytest.mark.parametrize("feed", ["unit", "office"])
def test_unit_and_office_feeds_name_the_leader_and_have_no_alarm(plan, problem, feed):
    data = unit_feed(plan, problem, "U1") if feed == "unit" else office_feed(plan, problem)
    assert blocks(data, "VALARM") == []
    summaries = {value(b, "UID"): value(b, "SUMMARY") for b in blocks(data, "VEVENT")}
    assert summaries["ev-class-1"] == "张三 · 进班级 · 计算机2301班 · 长清湖校区1号教学楼201"
    assert summaries["ev-class-2"].startswith("李四 · 进班级 · ")
    descriptions = [value(b, "DESCRIPTION") for b in blocks(data, "VEVENT")]
    assert all(d.startswith("领导：") for d in descriptions)


def test_english_feed_uses_english_labels(plan, problem):
    data = leader_feed(plan, problem, "L1", lang="en")
    events = {value(b, "UID"): b for b in blocks(data, "VEVENT")}
    assert value(events["ev-dorm-1"], "SUMMARY") == "Dorm visit · 长清湖校区, 学生公寓3号楼"
    assert value(events["ev-dorm-1"], "CATEGORIES") == "Dorm visit"
    assert "Format: Class visit, face to face" in value(events["ev-class-1"], "DESCRIPTION")
    assert value(calendar_lines(data), "NAME") == "张三 · Student contact plan"
    assert feed_view(data) == feed_view(leader_feed(plan, problem, "L1"))


def test_unknown_language_leader_or_unit_is_refused(plan, problem):
    with pytest.raises(ValueError, match="language"):
        office_feed(plan, problem, lang="fr")
    with pytest.raises(KeyError):
        leader_feed(plan, problem, "nobody")
    with pytest.raises(KeyError):
        unit_feed(plan, problem, "L1")


def test_read_feed_refuses_floating_times():
    data = (
        b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\nBEGIN:VEVENT\r\nUID:f\r\n"
        b"DTSTAMP:20260901T000000Z\r\nDTSTART:20260908T140000\r\nDTEND:20260908T150000\r\n"
        b"END:VEVENT\r\nEND:VCALENDAR\r\n"
    )
    with pytest.raises(ValueError, match="time zone"):
        read_feed(data)


# files -----------------------------------------------------------------------------------------
def test_write_feeds_writes_a_feed_per_leader_and_unit_and_the_office_feed(plan, problem, tmp_path):
    write_feeds(plan, problem, tmp_path)
    root = tmp_path / "calendars"
    assert sorted(p.relative_to(root).as_posix() for p in root.rglob("*.ics")) == [
        "L1.ics",
        "L2.ics",
        "office.ics",
        "units/U1.ics",
        "units/U2.ics",
    ]
    assert (root / "L1.ics").read_bytes() == leader_feed(plan, problem, "L1")
    assert (root / "units" / "U1.ics").read_bytes() == unit_feed(plan, problem, "U1")
    assert (root / "office.ics").read_bytes() == office_feed(plan, problem)


def test_write_feeds_refuses_an_id_that_would_escape_the_folder(plan, tmp_path):
    problem = make_problem()
    bad = Problem(
        term=problem.term,
        periods=problem.periods,
        campuses=problem.campuses,
        travel=problem.travel,
        units=problem.units,
        leaders=(Leader("../evil", "王五", "college", "c1"),),
    )
    with pytest.raises(ValueError, match="file name"):
        write_feeds(make_plan(()), bad, tmp_path)


# an independent, strict parser ----------------------------------------------------------------
@pytest.mark.parametrize("name", ["leader_L1", "leader_L2", "unit_U1", "unit_U2", "office"])
def test_strict_ical_parser_reads_every_feed_with_the_same_events(plan, problem, name):
    calendar_stream = pytest.importorskip("ical.calendar_stream", reason="pip install ical")
    data = all_feeds(plan, problem)[name]
    calendar = calendar_stream.IcsCalendarStream.calendar_from_ics(data.decode("utf-8"))
    seen = {(e.uid, e.dtstart, e.dtend, str(e.status.value), e.sequence) for e in calendar.events}
    status = {"planned": "CONFIRMED", "cancelled": "CANCELLED"}
    expected = {(f.uid, f.start, f.end, status[f.status], f.sequence) for f in read_feed(data)}
    assert seen == expected
    assert [tz.tz_id for tz in calendar.timezones] == ["Asia/Shanghai"]
    assert all(e.dtstart.utcoffset() == dt.timedelta(hours=8) for e in calendar.events)


# the fast serialiser against icalendar itself ----------------------------------------------------
# The feeds are written line by line by ``calendars.ics``; they must stay byte for byte what the
# icalendar objects they were first built with give. The reference below is that first version.
def reference_feed(
    plan: Plan,
    problem: Problem,
    title: str,
    events: tuple[Event, ...],
    lang: str,
    *,
    with_leader: bool,
    alarm: int | None,
) -> bytes:
    look = text.Lookup(problem)
    zone = ZoneInfo(plan.timezone)
    calendar = icalendar.Calendar()
    calendar.add("PRODID", feeds.PRODID)
    calendar.add("VERSION", "2.0")
    calendar.add("CALSCALE", "GREGORIAN")
    calendar.add("NAME", title)
    calendar.add("X-WR-CALNAME", title)
    calendar.add("X-WR-TIMEZONE", plan.timezone)
    calendar.add("REFRESH-INTERVAL", feeds.REFRESH, parameters={"VALUE": "DURATION"})
    calendar.add("X-PUBLISHED-TTL", "PT1H")
    first, last = feeds._date_range(plan, problem)
    vtimezone = feeds._vtimezone(plan.timezone, first, last)
    calendar.add_component(icalendar.Timezone.from_ical(vtimezone))
    for event in sorted(events, key=lambda e: (e.start, e.uid)):
        stamp = feeds._stamp(event, problem, zone)
        summary = text.summary(event, look, lang, with_leader=with_leader)
        vevent = icalendar.Event()
        vevent.add("UID", event.uid)
        vevent.add("DTSTAMP", stamp)
        vevent.add("LAST-MODIFIED", stamp)
        vevent.add("SEQUENCE", event.sequence)
        vevent.add("DTSTART", feeds._local(event.start, zone, event.uid))
        vevent.add("DTEND", feeds._local(event.end, zone, event.uid))
        vevent.add("STATUS", feeds.STATUS_TO_ICAL[event.status])
        vevent.add("SUMMARY", summary)
        if where := text.place(event, look, lang):
            vevent.add("LOCATION", where)
        vevent.add("DESCRIPTION", text.description(event, look, lang, with_leader=with_leader))
        vevent.add("CATEGORIES", [text.kind_name(lang, event.visit_kind)])
        if event.status == "cancelled":
            vevent.add("TRANSP", "TRANSPARENT")
        elif alarm is not None:
            valarm = icalendar.Alarm()
            valarm.add("ACTION", "DISPLAY")
            valarm.add("TRIGGER", dt.timedelta(minutes=-alarm))
            valarm.add("DESCRIPTION", text.word(lang, "reminder", summary=summary))
            vevent.add_component(valarm)
        calendar.add_component(vevent)
    return calendar.to_ical()


def reference_feeds(
    plan: Plan, problem: Problem, lang: str = "zh", alarm: int | None = 30
) -> dict[str, bytes]:
    look = text.Lookup(problem)
    found = {}
    for leader in problem.leaders:
        title = text.word(lang, "leader_calendar", name=leader.name)
        events = plan.events_of(leader.leader_id)
        found[f"leader_{leader.leader_id}"] = reference_feed(
            plan, problem, title, events, lang, with_leader=False, alarm=alarm
        )
    for unit in problem.units:
        title = text.word(lang, "unit_calendar", name=unit.name)
        events = tuple(e for e in plan.events if look.concerns_unit(e.target_id, unit.unit_id))
        found[f"unit_{unit.unit_id}"] = reference_feed(
            plan, problem, title, events, lang, with_leader=True, alarm=None
        )
    title = text.word(lang, "office_calendar")
    found["office"] = reference_feed(
        plan, problem, title, plan.events, lang, with_leader=True, alarm=None
    )
    return found


def feeds_of(plan: Plan, problem: Problem, lang: str = "zh", alarm: int | None = 30):
    found = {
        f"leader_{x.leader_id}": leader_feed(
            plan, problem, x.leader_id, alarm_minutes=alarm, lang=lang
        )
        for x in problem.leaders
    }
    for unit in problem.units:
        found[f"unit_{unit.unit_id}"] = unit_feed(plan, problem, unit.unit_id, lang=lang)
    found["office"] = office_feed(plan, problem, lang=lang)
    return found


HOSTILE = [
    "",
    "a,b;c\\d",
    "line one\nline two\r\nline three\rfour",
    "literal \\N and \\n and \\\\N",
    "^caret^^ and \\^ escapes",
    "逗号，分号；反斜杠\\" * 9,
    "x" * 73 + "\\" + "y" * 80,
    "x" * 72 + "\\\\" + "y" * 80,
    "x" * 74 + "^" + "z" * 3,
    "😀" * 40 + "é" * 41 + "联" * 30,
    "a" + "é" * 37 + "\\,,;;" * 20,
    "tab\tand trailing spaces   ",
]


def hostile_strings() -> list[str]:
    rng = random.Random(5545)
    alphabet = "ab ,;:\\^\n\r\tNé联😀\"'"
    generated = ["".join(rng.choices(alphabet, k=rng.randrange(0, 400))) for _ in range(300)]
    return HOSTILE + generated


def test_text_lines_match_icalendar_escaping_and_folding():
    for value in hostile_strings():
        for name in ("SUMMARY", "DESCRIPTION", "UID", "LOCATION"):
            event = icalendar.Event()
            event.add(name, value)
            assert ics.text_line(name, value) == event.content_line(name, event[name]).to_ical()


def test_fold_matches_icalendar_on_every_cut_position():
    for value in hostile_strings():
        line = value.replace("\n", " ").replace("\r", " ")
        for head in ("", "X", "DESCRIPTION:", "x" * 70):
            assert ics.fold(head + line) == _foldline(head + line).encode("utf-8")


def test_verbatim_calendar_names_match_icalendar():
    for value in hostile_strings():
        calendar = icalendar.Calendar()
        calendar.add("NAME", value)
        if "\n" in value:
            with pytest.raises(AssertionError):
                calendar.content_line("NAME", calendar["NAME"])
            with pytest.raises(AssertionError):
                ics.raw_line("VCALENDAR", "NAME", value)
        else:
            expected = calendar.content_line("NAME", calendar["NAME"]).to_ical()
            assert ics.raw_line("VCALENDAR", "NAME", value) == expected


@pytest.mark.parametrize(
    "zone",
    [SHANGHAI, UTC, ZoneInfo("UTC"), ZoneInfo("Europe/Berlin"), ZoneInfo("America/New_York")],
)
@pytest.mark.parametrize("name", ["DTSTART", "DTEND", "DTSTAMP", "LAST-MODIFIED"])
def test_datetime_lines_match_icalendar(zone, name):
    for moment in (
        dt.datetime(2026, 3, 29, 1, 59, 59, 999, tzinfo=zone),
        dt.datetime(2026, 10, 25, 2, 30, tzinfo=zone),
        dt.datetime(999, 1, 2, 3, 4, 5, tzinfo=zone),
        dt.datetime(2026, 9, 8, 14, 0, tzinfo=SHANGHAI).astimezone(zone),
    ):
        event = icalendar.Event()
        event.add(name, moment)
        expected = event.content_line(name, event[name]).to_ical()
        assert ics.datetime_line("VEVENT", name, moment) == expected


def hostile_problem() -> Problem:
    base = make_problem()
    leader, other = base.leaders
    unit, dorm = base.units
    (venue,) = base.venues
    (talk,) = base.activities
    (section,) = base.courses
    return replace(
        base,
        campuses=(Campus("c1", "长清湖校区, A;B\\C"), Campus("c2", "千佛山校区")),
        leaders=(replace(leader, name="张三, Jr.; \\N" + "长" * 30), other),
        units=(replace(unit, name="计算机2301班;\\,", college="信息,学院"), dorm),
        venues=(replace(venue, name="第一餐厅^二楼"),),
        activities=(replace(talk, unit_id="U1", format="报告;会"),),
        courses=(replace(section, class_ids=("U1", "U2", "U1")),),
    )


def hostile_events() -> tuple[Event, ...]:
    events = list(make_events())
    events[1] = replace(events[1], description="第一行\n第二行\\N, a;b " + "备" * 40)
    events[4] = replace(events[4], location="报告厅\\" * 25, sequence=12)
    events.append(replace(events[0], uid="ev,odd;uid\\", target_id="nowhere", title="自定,义"))
    events.append(replace(events[3], uid="ev-no-campus", campus="", location=""))
    return tuple(events)


@pytest.mark.parametrize("timezone", ["Asia/Shanghai", "Europe/Berlin", "UTC"])
@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("alarm", [30, None, 0, 90, 1440])
def test_feeds_are_byte_identical_to_the_icalendar_objects_version(timezone, lang, alarm):
    problem = hostile_problem()
    for plan in (make_plan(timezone=timezone), make_plan(hostile_events(), timezone=timezone)):
        assert feeds_of(plan, problem, lang, alarm) == reference_feeds(plan, problem, lang, alarm)


def test_write_feeds_writes_the_icalendar_objects_version_of_every_feed(tmp_path):
    problem, plan = hostile_problem(), make_plan(hostile_events())
    write_feeds(plan, problem, tmp_path)
    root = tmp_path / "calendars"
    written = {f"leader_{p.stem}": p.read_bytes() for p in root.glob("*.ics") if p.stem != "office"}
    written |= {f"unit_{p.stem}": p.read_bytes() for p in (root / "units").glob("*.ics")}
    written["office"] = (root / "office.ics").read_bytes()
    assert written == reference_feeds(plan, problem)


def test_units_of_a_target_are_exactly_those_it_concerns():
    problem = hostile_problem()
    look = text.Lookup(problem)
    unit_ids = [u.unit_id for u in problem.units] + ["nobody", "V1", "A1", "S1"]
    for target_id in ["U1", "U2", "V1", "A1", "S1", "nowhere", ""]:
        concerned = [u for u in unit_ids if look.concerns_unit(target_id, u)]
        assert sorted(u for u in look.units_of(target_id) if u in unit_ids) == sorted(concerned)
        assert len(set(look.units_of(target_id))) == len(look.units_of(target_id))
