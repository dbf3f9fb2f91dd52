"""Parsers for the spec strings and cell values of the data contract.

Week and period specs are read by :mod:`data.timecells` (one grammar with the combined 上课时间
cell). Pure functions: each takes the text of one cell and returns the parsed value, or raises
:class:`SpecError` (a ``ValueError``) whose message says in Chinese and English what is wrong and
how to write it. Full-width characters are folded with NFKC first, so ``１－１６周（单）`` reads
like ``1-16周(单)``.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
import zoneinfo
from collections.abc import Mapping
from functools import lru_cache

# Dash-like characters that people (and academic-affairs exports) use in ranges.
_DASHES = str.maketrans({c: "-" for c in "‐‑‒–—―−~〜"})
_RANGE_WORDS = re.compile(r"至|到")
_LIST_SEPARATORS = re.compile(r"[,、;]")  # NFKC already turned ， and ； into , and ;


class SpecError(ValueError):
    """A cell that does not parse; ``zh`` and ``en`` say what is wrong and what to write."""

    def __init__(self, zh: str, en: str):
        self.zh = zh
        self.en = en
        super().__init__(f"{zh} / {en}")


def normalize(text: object) -> str:
    """NFKC-folded, stripped, case-folded text; zero-width characters and BOMs removed."""
    folded = unicodedata.normalize("NFKC", str(text))
    folded = folded.replace("\ufeff", "").replace("\u200b", "")
    return folded.strip().casefold()


def _ranged(text: str) -> str:
    """Unify the ways of writing a range (``1~16``, ``1—16``, ``1至16``) to ``1-16``."""
    return _RANGE_WORDS.sub("-", text.translate(_DASHES))


# weekdays -------------------------------------------------------------------------------------
_WEEKDAY_WORDS = {
    **dict(zip("一二三四五六", range(1, 7), strict=True)),
    "日": 7, "天": 7, "七": 7,
    "mon": 1, "monday": 1, "tue": 2, "tues": 2, "tuesday": 2, "wed": 3, "wednesday": 3,
    "thu": 4, "thur": 4, "thurs": 4, "thursday": 4, "fri": 5, "friday": 5,
    "sat": 6, "saturday": 6, "sun": 7, "sunday": 7,
}  # fmt: skip
_WEEKDAY_GROUPS = {
    "每天": range(1, 8), "每日": range(1, 8), "全周": range(1, 8), "daily": range(1, 8),
    "工作日": range(1, 6), "weekdays": range(1, 6), "周末": range(6, 8), "weekend": range(6, 8),
}  # fmt: skip


@lru_cache(maxsize=4096)  # pure; term files repeat the same few spellings
def parse_weekday(text: str) -> int:
    """``1``..``7`` (Monday = 1), ``一``..``日``/``天``, ``周一``, ``星期一``, ``礼拜一``, ``Mon``."""
    word = re.sub(r"^(星期|礼拜|周)", "", normalize(text)).rstrip(".")
    if word.isdigit() and 1 <= int(word) <= 7:
        return int(word)
    if word in _WEEKDAY_WORDS:
        return _WEEKDAY_WORDS[word]
    raise SpecError(
        f"无法识别星期“{text}”；应写成 1-7（周一=1）、一..日、周一 或 星期一",
        f"cannot read weekday {text!r}; write 1..7 (Monday = 1), Mon..Sun or 周一",
    )


def parse_weekday_spec(text: str) -> frozenset[int]:
    """Weekdays of a window: ``1-5``, ``1,3,5``, ``周一至周五``, ``一-五``, ``工作日``."""
    spec = normalize(text)
    if spec in _WEEKDAY_GROUPS:
        return frozenset(_WEEKDAY_GROUPS[spec])
    days: set[int] = set()
    for item in _LIST_SEPARATORS.split(_ranged(spec)):
        if item.strip():
            days |= _weekday_item(item.strip(), text)
    if not days:
        raise SpecError("星期为空；应写成 1-5、1,3,5 或 周一至周五", "no weekday; write e.g. 1-5")
    return frozenset(days)


def _weekday_item(item: str, text: str) -> set[int]:
    if "-" not in item:
        return {parse_weekday(item)}
    first_text, last_text = item.split("-", 1)
    first, last = parse_weekday(first_text), parse_weekday(last_text)
    if last < first:
        raise SpecError(
            f"星期范围“{text}”起止颠倒；应从周一往后写，例如 1-5",
            f"weekday range {text!r} is reversed; write e.g. 1-5",
        )
    return set(range(first, last + 1))


# clock times, dates, datetimes ----------------------------------------------------------------
_TIME = re.compile(r"(\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?")
_DATE = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?")


@lru_cache(maxsize=4096)  # pure; term files repeat the same few spellings
def parse_time(text: str, *, allow_24: bool = False) -> int:
    """``HH:MM`` (also ``H:MM``, ``HH:MM:SS``) as minutes after midnight.

    ``24:00`` is accepted only where ``allow_24`` (an end time).
    """
    match = _TIME.fullmatch(normalize(text))
    hours, minutes = (int(match[1]), int(match[2])) if match else (-1, -1)
    if hours == 24 and minutes == 0 and allow_24:
        return 24 * 60
    if not (0 <= hours <= 23 and 0 <= minutes <= 59):
        late = "（24:00 只能作结束时间）" if hours == 24 and minutes == 0 else ""
        raise SpecError(
            f"时间“{text}”无效{late}；应写成 HH:MM，例如 08:00 或 19:30",
            f"invalid time {text!r}; write HH:MM between 00:00 and 23:59"
            + (" (24:00 only as an end)" if late else ""),
        )
    return hours * 60 + minutes


def parse_time_range(text: str) -> tuple[int, int]:
    """``HH:MM-HH:MM`` (also with ``～``, ``~``, ``至`` or ``—``) as (start, end) minutes."""
    parts = re.split(r"\s*(?:-|~|～|至|—|–)\s*", normalize(text), maxsplit=1)
    if len(parts) != 2:
        raise SpecError(
            f"时段“{text}”无效；应写成 HH:MM-HH:MM，例如 12:00-13:30",
            f"invalid time range {text!r}; write HH:MM-HH:MM, e.g. 12:00-13:30",
        )
    start, end = parse_time(parts[0]), parse_time(parts[1], allow_24=True)
    if end <= start:
        raise SpecError(
            f"时段“{text}”的结束时间应晚于开始时间", f"time range {text!r} ends before it starts"
        )
    return start, end


def parse_date(text: str) -> dt.date:
    """``YYYY-MM-DD`` (also ``YYYY/MM/DD``, ``YYYY.MM.DD``, ``YYYY年M月D日``)."""
    match = _DATE.fullmatch(normalize(text))
    try:
        if match:
            return dt.date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        pass
    raise SpecError(
        f"日期“{text}”无效；应写成 YYYY-MM-DD，例如 2026-09-07",
        f"invalid date {text!r}; write YYYY-MM-DD, e.g. 2026-09-07",
    )


def parse_moment(text: str) -> tuple[dt.datetime, bool]:
    """A date (``YYYY-MM-DD``) or a datetime (``YYYY-MM-DD HH:MM``).

    Returns the datetime (00:00 for a date) and whether only a date was given.
    """
    cleaned = normalize(text).replace("t", " ")
    date_part, _, time_part = cleaned.partition(" ")
    try:
        day = parse_date(date_part)
        minutes = parse_time(time_part.strip()) if time_part.strip() else None
    except SpecError:
        raise SpecError(
            f"时间“{text}”无效；应写成 YYYY-MM-DD（整天）或 YYYY-MM-DD HH:MM",
            f"invalid date/time {text!r}; write YYYY-MM-DD (whole day) or YYYY-MM-DD HH:MM",
        ) from None
    start = dt.datetime.combine(day, dt.time())
    if minutes is None:
        return start, True
    return start + dt.timedelta(minutes=minutes), False


# plain values ---------------------------------------------------------------------------------
_TRUE = {"true", "1", "yes", "y", "是", "t", "√", "✓", "对"}
_FALSE = {"false", "0", "no", "n", "否", "f", "×", "✗", "错"}


def parse_bool(text: str) -> bool:
    """true/false, 1/0, yes/no, 是/否, Y/N."""
    value = normalize(text)
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise SpecError(
        f"“{text}”不是是/否值；应写成 是/否、true/false、1/0 或 Y/N",
        f"{text!r} is not a yes/no value; write true/false, yes/no, 1/0 or Y/N",
    )


def parse_int(text: str, minimum: int | None = None) -> int:
    """A whole number (``10``, also ``10.0`` as spreadsheets write it), at least ``minimum``."""
    value = normalize(text)
    if not re.fullmatch(r"[+-]?\d+(?:\.0*)?", value):
        raise SpecError(f"“{text}”不是整数", f"{text!r} is not a whole number")
    number = int(float(value)) if "." in value else int(value)
    if minimum is not None and number < minimum:
        raise SpecError(
            f"“{text}”太小：至少应为 {minimum}", f"{text!r} is too small: at least {minimum}"
        )
    return number


def parse_share(text: str) -> float:
    """A share between 0 and 1: ``0.5`` or ``50%``."""
    value = normalize(text)
    try:
        share = float(value[:-1]) / 100 if value.endswith("%") else float(value)
    except ValueError:
        share = math.nan
    if not 0.0 <= share <= 1.0:  # also rejects NaN
        raise SpecError(
            f"比例“{text}”无效；应为 0 到 1 之间的小数（如 0.5）或百分数（如 50%）",
            f"invalid share {text!r}; write a number from 0 to 1 (e.g. 0.5) or a percentage",
        )
    return share


def parse_timezone(text: str) -> str:
    """An IANA time zone name such as ``Asia/Shanghai``."""
    name = unicodedata.normalize("NFKC", text).strip()
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise SpecError(
            f"未知时区“{text}”；应为 IANA 时区名，例如 Asia/Shanghai",
            f"unknown time zone {text!r}; use an IANA name such as Asia/Shanghai",
        ) from None
    return name


def parse_choice(text: str, choices: Mapping[str, str], what_zh: str, what_en: str) -> str:
    """One of a fixed set of codes; ``choices`` maps every accepted spelling to its code."""
    value = normalize(text)
    if value in choices:
        return choices[value]
    codes = sorted(set(choices.values()))
    raise SpecError(
        f"未知的{what_zh}“{text}”；可选：{'、'.join(codes)}",
        f"unknown {what_en} {text!r}; choose one of {', '.join(codes)}",
    )


def split_ids(text: str) -> tuple[str, ...]:
    """Ids separated by ``;`` (also ``；``, ``,``, ``，``, ``、``), blanks dropped."""
    folded = unicodedata.normalize("NFKC", text)
    return tuple(part.strip() for part in re.split(r"[;,、]", folded) if part.strip())


# accepted spellings of the contract's codes ---------------------------------------------------
def _choices(table: dict[str, tuple[str, ...]]) -> dict[str, str]:
    spelled = {normalize(code): code for code in table}
    for code, spellings in table.items():
        spelled.update({normalize(s): code for s in spellings})
    return spelled


TIER_CHOICES = _choices(
    {
        "school": ("校领导", "校领导班子成员", "学校领导"),
        "department": ("机关部处", "机关", "部处"),
        "college": ("院系", "学院"),
        "student_affairs": ("学生工作部门", "学工部门", "学工"),
    }
)
UNIT_KIND_CHOICES = _choices({"class": ("班级",), "dorm": ("宿舍",), "society": ("社团",)})
VENUE_KIND_CHOICES = _choices(
    {"canteen": ("食堂",), "online": ("网络", "线上"),
     "community": ("一站式学生社区", "学生社区", "学生事务服务中心", "社区")}
)  # fmt: skip
ABSENCE_KIND_CHOICES = _choices(
    {"travel": ("出差",), "meeting": ("会议", "开会"), "leave": ("请假", "休假"),
     "other": ("其他", "其它")}
)  # fmt: skip
HOLIDAY_KIND_CHOICES = _choices(
    {"holiday": ("放假", "假日", "节假日", "休息"), "workday": ("调休", "补班", "上班", "调休上班")}
)
VISIT_KIND_CHOICES = _choices(
    {
        "classroom": ("进课堂", "课堂"),
        "class": ("进班级", "班级"),
        "dorm": ("进宿舍", "宿舍"),
        "canteen": ("进食堂", "食堂"),
        "society": ("进社团", "社团"),
        "lecture": ("进讲座", "讲座"),
        "online": ("进网络", "网络"),
    }
)
COURSE_KIND_CHOICES = _choices(
    {
        "theory": ("思想政治理论课", "思政课", "思政理论课"),
        "situation_policy": ("形势与政策", "形势与政策课", "形势政策", "形势政策课"),
    }
)
WINDOW_KIND_CHOICES = _choices(
    {"class": ("班级",), "dorm": ("宿舍",), "society": ("社团",), "canteen": ("食堂",),
     "online": ("网络", "线上"), "community": ("一站式学生社区", "学生社区", "学生事务服务中心")}
)  # fmt: skip
