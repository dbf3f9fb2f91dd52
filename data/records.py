"""Parsing each row of each table into the records of :mod:`solver.problem`.

Every cell of every row is checked, and every problem is reported with its file, row and
column; a row with a problem yields no record. References between files are checked later
(:mod:`data.checks`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any, TypeVar, cast

from data.cells import control_character
from data.problems import Findings
from data.specs import (
    ABSENCE_KIND_CHOICES,
    COURSE_KIND_CHOICES,
    HOLIDAY_KIND_CHOICES,
    TIER_CHOICES,
    UNIT_KIND_CHOICES,
    VENUE_KIND_CHOICES,
    VISIT_KIND_CHOICES,
    WINDOW_KIND_CHOICES,
    SpecError,
    normalize,
    parse_bool,
    parse_choice,
    parse_date,
    parse_int,
    parse_moment,
    parse_share,
    parse_time,
    parse_time_range,
    parse_timezone,
    parse_weekday,
    parse_weekday_spec,
    split_ids,
)
from data.tables import Row, Source, Table
from data.timecells import Meeting, parse_period_spec, parse_time_cell, parse_week_spec, split_rooms
from solver.problem import (
    DINNER,
    LUNCH,
    Absence,
    Activity,
    Campus,
    CourseSection,
    HistoryLink,
    Holiday,
    Leader,
    Period,
    ProblemError,
    Term,
    TimetableEntry,
    Travel,
    Unit,
    Venue,
    Window,
    hhmm,
)

T = TypeVar("T")
D = TypeVar("D")
MAX_WEEKS = 60  # Term accepts 1..60 weeks
WEEKDAY_ZH = "一二三四五六日"


UNSAFE_ID_CHARACTERS = "/\\?#%"


def _ident(text: str) -> str:
    return text


def _id(text: str) -> str:
    """An id as written; it must be usable in a URL path (feeds, pages): no ``/ \\ ? # %``,
    no whitespace, no control character."""
    bad = sorted({ch for ch in text if ch in UNSAFE_ID_CHARACTERS or ch.isspace() or control_character(ch, "")})
    if bad:
        shown = " ".join(repr(ch)[1:-1] if ch.isprintable() and not ch.isspace() else f"U+{ord(ch):04X}" for ch in bad)
        raise SpecError(
            f"编号“{text}”含有不能用于网址的字符（{shown}）；编号只能使用字母、数字、汉字和 - _ . 等符号，不含空格和 / \\ ? # %",
            f"the id {text!r} holds characters that cannot be used in a URL ({shown}); use letters, digits, "
            "Chinese characters and - _ . (no spaces, no / \\ ? # %)",
        )
    return text


_end_time = partial(parse_time, allow_24=True)


class Cells:
    """Typed access to the cells of one row; problems go to ``out`` with their location."""

    def __init__(self, table: Table, row: Row, out: Findings) -> None:
        self.table = table
        self.row = row
        self.out = out
        self.ok = True

    def text(self, column: str) -> str:
        return self.row.cells.get(column, "")

    def has(self, column: str) -> bool:
        return bool(self.text(column))

    def fail(self, column: str | None, zh: str, en: str) -> None:
        self.ok = False
        where = self.table.header(column) if column else None
        self.out.problem(self.table.label, self.row.number, where, zh, en)

    def req(self, column: str, parse: Callable[[str], T]) -> T | None:
        """A required cell; blank is a problem (unless the whole column is missing: reported)."""
        text = self.text(column)
        if text:
            return self._parse(column, text, parse)
        self.ok = False
        if column not in self.table.missing:
            zh_name = self.table.spec.column(column).zh
            self.fail(column, f"“{zh_name}”不能为空", f"{column} must not be blank")
        return None

    def opt(self, column: str, parse: Callable[[str], T], default: D) -> T | D:
        """An optional cell; blank gives ``default``."""
        text = self.text(column)
        if not text:
            return default
        value = self._parse(column, text, parse)
        return default if value is None else value

    def _parse(self, column: str, text: str, parse: Callable[[str], T]) -> T | None:
        try:
            return parse(text)
        except SpecError as error:
            self.fail(column, error.zh, error.en)
        except ValueError as error:
            self.fail(column, f"“{text}”无效：{error}", f"invalid value {text!r}: {error}")
        return None

    def order(self, start: int | dt.datetime | None, end: int | dt.datetime | None) -> None:
        """Report at ``end`` when it is not after ``start`` (clock minutes or datetimes)."""
        if start is None or end is None:
            return
        if isinstance(start, int) and isinstance(end, int):
            shown, after = [hhmm(start), hhmm(end)], end > start
        elif isinstance(start, dt.datetime) and isinstance(end, dt.datetime):
            shown, after = [f"{x:%Y-%m-%d %H:%M}" for x in (start, end)], end > start
        else:
            return
        if not after:
            self.fail(
                "end",
                f"结束时间 {shown[1]} 不晚于开始时间 {shown[0]}",
                f"end {shown[1]} is not after start {shown[0]}",
            )

    def build(self, factory: Callable[..., T], **fields: Any) -> T | None:
        """The record, if every cell was fine; the record's own checks become problems too."""
        if not self.ok:
            return None
        try:
            return factory(**fields)
        except ProblemError as error:
            for message in error.problems:
                self.fail(None, f"数据不一致：{message}", message)
        return None


# term -----------------------------------------------------------------------------------------
def parse_term(table: Table | None, out: Findings) -> Term | None:
    if table is None:
        return None
    if len(table.rows) != 1:
        _term_row_count(table, out)
        if not table.rows:
            return None
    c = Cells(table, table.rows[0], out)
    weeks = c.req("weeks", partial(parse_int, minimum=1))
    if weeks is not None and weeks > MAX_WEEKS:
        c.fail("weeks", f"教学周数 {weeks} 太多（最多 {MAX_WEEKS}）", f"{weeks} weeks is too many")
    start_date = c.req("start_date", parse_date)
    _check_monday(c, start_date)
    day_start = c.opt("day_start", parse_time, 8 * 60)
    day_end = c.opt("day_end", _end_time, 21 * 60 + 30)
    if day_end <= day_start:
        c.fail("day_end", "每日最晚结束时间应晚于最早开始时间", "day_end must be after day_start")
    return c.build(
        Term,
        term_id=c.req("term_id", _id),
        start_date=start_date,
        weeks=weeks,
        name=c.text("name"),
        contact_weeks=c.opt("contact_weeks", _weeks(weeks or MAX_WEEKS), frozenset()),
        timezone=c.opt("timezone", parse_timezone, "Asia/Shanghai"),
        day_start=day_start,
        day_end=day_end,
        buffer_minutes=c.opt("buffer_minutes", partial(parse_int, minimum=0), 10),
        lunch=c.opt("lunch", parse_time_range, LUNCH),
        dinner=c.opt("dinner", parse_time_range, DINNER),
        respond_days=c.opt("respond_days", partial(parse_int, minimum=1), 2),
        resolve_days=c.opt("resolve_days", partial(parse_int, minimum=1), 7),
        checkin_min=c.opt("checkin_min", partial(parse_int, minimum=1), 3),
        confirm_share=c.opt("confirm_share", parse_share, 0.8),
    )


def _term_row_count(table: Table, out: Findings) -> None:
    if not table.rows:
        out.problem(
            table.label, None, None,
            "学期表没有数据：需要正好一行（学期编号、开学日期、教学周数）",
            "no term given: the file needs exactly one row (term_id, start_date, weeks)",
        )  # fmt: skip
    else:
        out.problem(
            table.label, table.rows[1].number, None,
            f"学期表只能有一行，现有 {len(table.rows)} 行；请每个学期单独准备数据",
            f"the term file must have exactly one row, not {len(table.rows)}; one term per data set",
        )  # fmt: skip


def _check_monday(c: Cells, start_date: dt.date | None) -> None:
    if start_date is None or start_date.isoweekday() == 1:
        return
    monday = start_date - dt.timedelta(days=start_date.isoweekday() - 1)
    c.fail(
        "start_date",
        f"开学日期 {start_date} 是星期{WEEKDAY_ZH[start_date.isoweekday() - 1]}，应为第 1 周的周一"
        f"（如 {monday}）",
        f"start_date {start_date} is a {start_date:%A}, not the Monday of week 1 (e.g. {monday})",
    )


def _weeks(weeks: int) -> Callable[[str], frozenset[int]]:
    return partial(parse_week_spec, weeks=weeks)


# one parser per row of each other file --------------------------------------------------------
def _period(c: Cells, weeks: int) -> Period | None:
    start = c.req("start", parse_time)
    end = c.req("end", _end_time)
    c.order(start, end)
    week_set = c.opt("weeks", _weeks(weeks), None)
    return c.build(
        Period,
        period=c.req("period", partial(parse_int, minimum=1)),
        start=start,
        end=end,
        campus=c.text("campus") or None,
        weeks=week_set or None,
    )


def _holiday(c: Cells, weeks: int) -> Holiday | None:
    kind = c.req("kind", _choice(HOLIDAY_KIND_CHOICES, "节假日类型", "holiday kind"))
    follows_date = c.opt("follows_date", parse_date, None)
    follows_weekday = c.opt("follows_weekday", parse_weekday, None)
    if kind == "workday" and c.has("follows_date") == c.has("follows_weekday"):
        c.fail(
            "follows_date",
            "调休上班日须且只须填写一项：执行日期（follows_date）或执行星期（follows_weekday）",
            "a make-up workday needs exactly one of follows_date or follows_weekday",
        )
    if kind == "holiday" and (c.has("follows_date") or c.has("follows_weekday")):
        c.out.warning(
            c.table.label, c.row.number, c.table.header("follows_date"),
            "放假日不执行其他日期的课表，已忽略执行日期/执行星期",
            "a holiday runs no timetable; follows_date/follows_weekday ignored",
        )  # fmt: skip
        follows_date = follows_weekday = None
    name = c.text("name") or ("调休上班" if kind == "workday" else "放假")
    return c.build(
        Holiday,
        date=c.req("date", parse_date),
        name=name,
        kind=kind,
        follows_date=follows_date,
        follows_weekday=follows_weekday,
    )


def _campus(c: Cells, weeks: int) -> Campus | None:
    campus_id = c.req("campus_id", _id)
    return c.build(Campus, campus_id=campus_id, name=c.text("name") or campus_id)


def _travel(c: Cells, weeks: int) -> Travel | None:
    return c.build(
        Travel,
        from_campus=c.req("from_campus", _id),
        to_campus=c.req("to_campus", _id),
        minutes=c.req("minutes", partial(parse_int, minimum=0)),
    )


def _leader(c: Cells, weeks: int) -> Leader | None:
    tier = c.req("tier", _choice(TIER_CHOICES, "层级", "tier"))
    default = Leader.defaults_for(tier or "college")
    return c.build(
        Leader,
        leader_id=c.req("leader_id", _id),
        name=c.req("name", _ident),
        tier=tier,
        campus=c.req("campus", _id),
        title=c.text("title"),
        college=c.text("college"),
        email=c.text("email"),
        contact_every_weeks=c.opt(
            "contact_every_weeks", partial(parse_int, minimum=1), default["contact_every_weeks"]
        ),
        link=c.opt("link", parse_bool, default["link"]),
        lecture=c.opt("lecture", parse_bool, default["lecture"]),
        seven_visits=c.opt("seven_visits", parse_bool, default["seven_visits"]),
        frontline_share=c.opt("frontline_share", parse_share, default["frontline_share"]),
    )


def _unit(c: Cells, weeks: int) -> Unit | None:
    return c.build(
        Unit,
        unit_id=c.req("unit_id", _id),
        kind=c.req("kind", _choice(UNIT_KIND_CHOICES, "联系对象类型", "unit kind")),
        name=c.req("name", _ident),
        campus=c.req("campus", _id),
        location=c.text("location"),
        college=c.text("college"),
        size=c.opt("size", partial(parse_int, minimum=0), None),
        max_leaders=c.opt("max_leaders", partial(parse_int, minimum=0), 1),
    )


def _timetable(c: Cells, weeks: int) -> list[TimetableEntry] | None:
    """One entry per meeting: a row gives weekday/periods/weeks, or a ``time`` cell of meetings."""
    if c.has("time"):
        return _meetings(c, weeks)
    if not c.has("weekday"):
        c.ok = False
        if "weekday" not in c.table.missing:
            c.fail("weekday", "需填写星期（或上课时间）", "give weekday (or time)")
    periods, start, end = _periods_or_times(c)
    entry = c.build(
        TimetableEntry,
        owner_id=c.req("owner_id", _id),
        weekday=c.opt("weekday", parse_weekday, None),
        weeks=c.opt("weeks", _weeks(weeks), frozenset()),
        periods=periods,
        start=start,
        end=end,
        title=c.text("title"),
        campus=c.text("campus") or None,
        location=c.text("location"),
    )
    return None if entry is None else [entry]


def _meetings(c: Cells, weeks: int) -> list[TimetableEntry] | None:
    """The meetings of the ``time`` cell; a part it leaves out comes from the row's own column."""
    meetings = c.req("time", partial(parse_time_cell, weeks=weeks))
    owner_id = c.req("owner_id", _id)
    row = _RowTime(
        c.opt("weekday", parse_weekday, None),
        c.opt("weeks", _weeks(weeks), None),
        _row_span(c),
    )
    if meetings is None:
        return None
    rooms = _rooms(c, len(meetings))
    entries = []
    for meeting, room in zip(meetings, rooms, strict=True):
        weekday, span, week_set = _meeting_parts(c, meeting, row)
        entries.append(c.build(
            TimetableEntry,
            owner_id=owner_id,
            weekday=weekday,
            weeks=week_set,
            periods=span[1] if span and span[0] == "periods" else None,
            start=span[1][0] if span and span[0] == "times" else None,
            end=span[1][1] if span and span[0] == "times" else None,
            title=c.text("title"),
            campus=c.text("campus") or None,
            location=room,
        ))  # fmt: skip
    return None if not c.ok else [e for e in entries if e is not None]


@dataclass(frozen=True)
class _RowTime:
    """What the row's own weekday/weeks/periods (or start+end) columns say, if anything."""

    weekday: int | None
    weeks: frozenset[int] | None
    span: tuple[str, tuple[int, int]] | None  # ("periods", (3, 4)) or ("times", (840, 960))


def _row_span(c: Cells) -> tuple[str, tuple[int, int]] | None:
    periods = c.opt("periods", parse_period_spec, None)
    start = c.opt("start", parse_time, None)
    end = c.opt("end", _end_time, None)
    if periods is not None:
        return ("periods", periods)
    if start is not None and end is not None:
        c.order(start, end)
        return ("times", (start, end))
    return None


def _meeting_parts(
    c: Cells, meeting: Meeting, row: _RowTime
) -> tuple[int | None, tuple[str, tuple[int, int]] | None, frozenset[int]]:
    """Weekday, period span and weeks of one meeting, completed from the row's columns."""
    cell_span = (
        ("periods", meeting.periods) if meeting.periods
        else ("times", meeting.times) if meeting.times else None
    )  # fmt: skip
    parts = (
        ("weekday", "星期", "a weekday", meeting.weekday, row.weekday, "星期一"),
        ("periods", "节次", "periods", cell_span, row.span, "第1-2节"),
        ("weeks", "周次", "weeks", meeting.weeks, row.weeks, None),
    )
    chosen: list[Any] = []
    for column, zh, en, in_cell, in_row, example in parts:
        if in_cell is not None and in_row is not None and in_cell != in_row:
            row_zh, row_en = _column_names(column, in_row, zh)
            c.fail(
                "time",
                f"上课时间“{meeting.text}”的{zh}与{row_zh}列不一致；请只在一处填写",
                f"the time {meeting.text!r} gives other {en} than the {row_en} column; give them in one place",
            )  # fmt: skip
        elif in_cell is None and in_row is None and example is not None:
            c.fail(
                "time",
                f"上课时间“{meeting.text}”没有{zh}：请在上课时间中写出{zh}（如 {example}），或填写{zh}列",
                f"the time {meeting.text!r} names no {en}: write it (e.g. {example}) or fill in the {column} column",
            )  # fmt: skip
        chosen.append(in_cell if in_cell is not None else in_row)
    weekday, span, week_set = chosen
    return weekday, span, week_set or frozenset()


def _column_names(column: str, in_row: Any, zh: str) -> tuple[str, str]:
    """The row's column(s) a meeting part was compared with, for messages."""
    if column == "periods" and in_row[0] == "times":
        return "开始/结束时间", "start/end"
    return zh, column


def _rooms(c: Cells, count: int) -> list[str]:
    """One room per meeting: the rooms listed in the same order, or one room for all."""
    text = c.text("location")
    rooms = split_rooms(text)
    if count == 1:
        return [text]
    if len(rooms) <= 1:
        return [text] * count
    if len(rooms) == count:
        return rooms
    c.fail(
        "location",
        f"地点“{text}”列出了 {len(rooms)} 个教室，但上课时间有 {count} 次上课；"
        "请按上课时间的顺序逐一列出各次的教室（用 ; 分隔），或只写一个教室",
        f"location {text!r} lists {len(rooms)} rooms but the time has {count} meetings; "
        "list one room per meeting in the same order (separated by ;), or one room for all",
    )  # fmt: skip
    return [text] * count


def _periods_or_times(c: Cells) -> tuple[tuple[int, int] | None, int | None, int | None]:
    periods = c.opt("periods", parse_period_spec, None)
    start = c.opt("start", parse_time, None)
    end = c.opt("end", _end_time, None)
    if c.has("periods") and (c.has("start") or c.has("end")):
        c.fail(
            "periods",
            "请只填节次，或只填开始时间和结束时间，不要都填",
            "give either periods or start and end, not both",
        )
    elif not c.has("periods"):
        for column in ("start", "end"):
            if not c.has(column):
                c.fail(
                    column if c.has("start") or c.has("end") else "periods",
                    "需填写节次，或开始时间和结束时间",
                    "give periods, or start and end",
                )
                break
        c.order(start, end)
    return periods, start, end


def _absence(c: Cells, weeks: int) -> Absence | None:
    start = c.req("start", parse_moment)
    end = c.req("end", parse_moment)
    start_at = start[0] if start else None
    end_at = None
    if end is not None:  # a date alone is inclusive: the absence lasts until the next midnight
        end_at = end[0] + dt.timedelta(days=1) if end[1] else end[0]
    c.order(start_at, end_at)
    return c.build(
        Absence,
        owner_id=c.req("owner_id", _id),
        start=start_at,
        end=end_at,
        kind=c.opt("kind", _choice(ABSENCE_KIND_CHOICES, "类型", "absence kind"), "other"),
        note=c.text("note"),
    )


def _window(c: Cells, weeks: int) -> Window | None:
    start = c.req("start", parse_time)
    end = c.req("end", _end_time)
    c.order(start, end)
    return c.build(
        Window,
        target=c.req("target", window_target),
        weekdays=c.req("weekday", parse_weekday_spec),
        start=start,
        end=end,
        weeks=c.opt("weeks", _weeks(weeks), frozenset()),
    )


def window_target(text: str) -> str:
    """A window target: a kind (also spelled in Chinese, e.g. 宿舍) or an id as written."""
    return WINDOW_KIND_CHOICES.get(normalize(text), text)


def _venue(c: Cells, weeks: int) -> Venue | None:
    kind = c.req("kind", _choice(VENUE_KIND_CHOICES, "场所类型", "venue kind"))
    if kind in ("canteen", "community") and not c.has("campus"):
        c.fail("campus", "食堂和学生社区须填写校区", "a canteen or a community centre needs a campus")
    return c.build(
        Venue,
        venue_id=c.req("venue_id", _id),
        kind=kind,
        name=c.req("name", _ident),
        campus=c.text("campus") or None,
        location=c.text("location"),
        capacity=c.opt("capacity", partial(parse_int, minimum=1), 1),
    )


def _activity(c: Cells, weeks: int) -> Activity | None:
    visit_kind = c.req("visit_kind", _choice(VISIT_KIND_CHOICES, "七进类别", "visit kind"))
    if visit_kind not in (None, "online") and not c.has("campus"):
        c.fail("campus", "线下活动须填写校区", "a face-to-face activity needs a campus")
    start = c.req("start", parse_time)
    end = c.req("end", _end_time)
    c.order(start, end)
    return c.build(
        Activity,
        activity_id=c.req("activity_id", _id),
        visit_kind=visit_kind,
        name=c.req("name", _ident),
        date=c.req("date", parse_date),
        start=start,
        end=end,
        campus=c.text("campus") or None,
        location=c.text("location"),
        format=c.text("format"),
        unit_id=c.text("unit_id") or None,
        max_leaders=c.opt("max_leaders", partial(parse_int, minimum=1), 1),
    )


def _course(c: Cells, weeks: int) -> CourseSection | None:
    return c.build(
        CourseSection,
        section_id=c.req("section_id", _id),
        course=c.req("course", _ident),
        kind=c.req("kind", _choice(COURSE_KIND_CHOICES, "课程类型", "course kind")),
        weekday=c.req("weekday", parse_weekday),
        periods=c.req("periods", parse_period_spec),
        weeks=c.opt("weeks", _weeks(weeks), frozenset()),
        campus=c.req("campus", _id),
        location=c.text("location"),
        class_ids=c.opt("class_ids", split_ids, ()),
    )


def _history(c: Cells, weeks: int) -> HistoryLink | None:
    return c.build(
        HistoryLink, leader_id=c.req("leader_id", _id), unit_id=c.req("unit_id", _id)
    )


def _choice(choices: dict[str, str], what_zh: str, what_en: str) -> Callable[[str], str]:
    return partial(parse_choice, choices=choices, what_zh=what_zh, what_en=what_en)


ROW_PARSERS: dict[str, Callable[[Cells, int], Any]] = {
    "periods": _period,
    "holidays": _holiday,
    "campuses": _campus,
    "travel": _travel,
    "leaders": _leader,
    "units": _unit,
    "timetable": _timetable,
    "absences": _absence,
    "windows": _window,
    "venues": _venue,
    "activities": _activity,
    "courses": _course,
    "history": _history,
}


# all tables -----------------------------------------------------------------------------------
@dataclass
class Parsed:
    """The records read, each with its spreadsheet row number."""

    source: Source
    tables: dict[str, Table | None]
    term: Term | None = None
    records: dict[str, list[tuple[Any, int]]] = field(default_factory=dict)

    def table(self, stem: str) -> Table | None:
        return self.tables.get(stem)

    def label(self, stem: str) -> str:
        table = self.tables.get(stem)
        return table.label if table else self.source.label(stem)

    def rows(self, stem: str) -> list[tuple[Any, int]]:
        return self.records.get(stem, [])

    def items(self, stem: str) -> list[Any]:
        return [item for item, _ in self.rows(stem)]


def parse_all(source: Source, tables: dict[str, Table | None], out: Findings) -> Parsed:
    parsed = Parsed(source, tables)
    parsed.term = parse_term(tables.get("term"), out)
    weeks = parsed.term.weeks if parsed.term else MAX_WEEKS
    for stem, parse_row in ROW_PARSERS.items():
        table = tables.get(stem)
        rows = table.rows if table else []
        records: list[tuple[Any, int]] = []
        parsed.records[stem] = records
        for row in rows:
            record = parse_row(Cells(cast(Table, table), row, out), weeks)
            for item in record if isinstance(record, list) else [record]:
                if item is not None:
                    records.append((item, row.number))
    return parsed
