"""Week, period and meeting-time spellings, as people and academic-affairs systems write them.

One lexer and one small grammar serve three kinds of cell:

- :func:`parse_week_spec` reads a ``weeks`` cell (``1-16周``, ``{第15-17周|单周}``, ``单 [1-16周]``,
  ``2-3周,6-7周,15-17周(单)``, ...);
- :func:`parse_period_spec` reads a ``periods`` cell (``第3-4节``, ``[030405节]``, ``0607``, ...);
- :func:`parse_time_cell` reads a combined 上课时间 cell: one or more meetings, each naming its
  weekday, periods (or ``HH:MM-HH:MM``) and weeks in any order (``星期一第6-7节{1-16周}``,
  ``[1-16单周]星期三[5-6节]``, ``4,6-18(周)[030405节]``), separated by ``;``, a line break or ``,``.

The text is NFKC-folded first (full-width digits, brackets and punctuation read like ASCII), dashes
and ``至``/``到``/``~`` become ``-``. Brackets only group; a bracketed note that names no time
(``【调】``, ``(停)``) is a marker and is ignored. The lexer turns the rest into tokens; number lists
(``4,6-18``) take the marks that follow them (``周``, ``节``, ``单``/``双``) and a ``第`` before them, and
so become a *weeks* or *periods* part. A parity mark applies to the item it follows (``15-17周(单)``),
or, written before a list, to the whole list (``单 [1-16周]``). Merged period codes list two digits
per period: ``0607`` is periods 6 to 7, ``030405`` periods 3 to 5; a bare number of three or more digits
is never a period number.

A ``,`` inside a time cell may separate items of a week list or two meetings. That is settled by
structure: the cell is split into the fewest meetings such that each meeting names a weekday or
periods (or times), at most one of each, and its week items stand together.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from data.specs import SpecError, normalize

MAX_CELL = 2000  # characters of one time cell; a timetable cell longer than this is not a timetable
MAX_PIECES = 24  # comma-separated pieces one meeting may span (keeps splitting linear in the cell)

_DASHES = str.maketrans({c: "-" for c in "‐‑‒–—―−~〜"})
_RANGE_WORDS = re.compile(r"至|到")
_TIME_WORDS = re.compile(r"\d|周|节|单|双|全|星期|礼拜|[一二三四五六日天七]|odd|even|all|week|period")
_GROUP = re.compile(r"[(\[{<【]([^()\[\]{}<>【】]*)[)\]}>】]")
_BRACKETS = re.compile(r"[()\[\]{}<>【】]")
_TOKEN = re.compile(
    r"""
     (?P<ws>[^\S\n]+)
    |(?P<times>(?P<h1>\d{1,2}):(?P<m1>\d{2})\s*-\s*(?P<h2>\d{1,2}):(?P<m2>\d{2}))
    |(?P<nums>\d+(?:\s*-\s*\d+)?(?:\s*[,、]\s*\d+(?:\s*-\s*\d+)?)*)
    |(?P<weekday>(?:星期|礼拜)(?P<day>[一二三四五六日天七1-7]))
    |(?P<zhou>周|weeks?\b)
    |(?P<par>[单双全]周?|odd\b|even\b|all\b)
    |(?P<cnday>[一二三四五六日天七])
    |(?P<di>第)
    |(?P<jie>节次?|periods?\b)
    |(?P<bar>\|)
    |(?P<comma>[,、])
    |(?P<semi>[;\n])
    """,
    re.VERBOSE,
)
_DAY_NUMBERS = {**dict(zip("一二三四五六日", range(1, 8), strict=True)), "天": 7, "七": 7}
_DAY_NUMBERS.update({str(n): n for n in range(1, 8)})
_PARITY = {"单": 1, "odd": 1, "双": 0, "even": 0, "全": -1, "all": -1}  # -1: every week

WEEK_EXAMPLES_ZH = "1-16、1-16周、第1-17周、{1-16周}、{第15-17周|单周}、1-16(周)、4,6-18(周)、[1-16单周]、1-15周(单)、单 [1-16周]、2-3周,6-7周,15-17周(单)、第3周"
WEEK_EXAMPLES_EN = "1-16, 1-16周, 第1-17周, {第15-17周|单周} (odd), 1-16(周), 4,6-18(周), [1-16单周], 1-15周(单), 单 [1-16周], 2-16 even, 2-3周,6-7周,15-17周(单)"
PERIOD_EXAMPLES_ZH = "3、3-4、第3-4节、第1,2节、第9,10,11节、(1-2节)、[1-2节]、0102、[0102节]、[030405节]（=第3-5节）"
PERIOD_EXAMPLES_EN = "3, 3-4, 第3-4节, 第1,2节, 第9,10,11节, (1-2节), [1-2节], 0102, [0102节], [030405节] (= periods 3 to 5)"
TIME_EXAMPLES_ZH = (
    "星期、节次、周次三部分顺序不限，可有空格：星期写 周一、星期一、一、1-7、周日/星期日/日/天；"
    "节次写 第1-2节、第1,2节、第9,10,11节、(1-2节)、[1-2节]、1-2节、0102、[0102节]、[030405节]、第3节，"
    "或 14:00-16:00；周次写 1-16周、第1-17周、{第1-17周}、{1-16周}、{第15-17周|单周}、{第14-16周|双周}、"
    "1-16(周)、4,6-18(周)、[1-16周]、[1-16单周]、[1-12双周]、1-16单周、单 [1-16周]、10-12周(双)、"
    "2-3周,6-7周,15-17周(单)、11周；多次上课用 ;、换行或逗号分隔。"
    "例：星期一第6-7节{1-16周}（正方）、1-16(周)星期一[01-02节]（强智）、[1-16单周]星期三[5-6节]（青果）、"
    "周一第1,2节{第1-16周};周三第3,4节{第1-16周|单周}"
)  # fmt: skip
TIME_EXAMPLES_EN = (
    "weekday, periods and weeks in any order, with or without spaces: weekday 周一, 星期一, 一, 1-7, "
    "周日/星期日/日/天; periods 第1-2节, 第1,2节, 第9,10,11节, (1-2节), [1-2节], 1-2节, 0102, [0102节], "
    "[030405节], 第3节, or 14:00-16:00; weeks 1-16周, 第1-17周, {第1-17周}, {第15-17周|单周}, "
    "{第14-16周|双周}, 1-16(周), 4,6-18(周), [1-16周], [1-16单周], [1-12双周], 1-16单周, 单 [1-16周], "
    "10-12周(双), 2-3周,6-7周,15-17周(单), 11周; several meetings separated by ;, a line break or a comma. "
    "E.g. 星期一第6-7节{1-16周} (ZFsoft), 1-16(周)星期一[01-02节] (Qiangzhi), [1-16单周]星期三[5-6节] "
    "(Kingosoft), 周一第1,2节{第1-16周};周三第3,4节{第1-16周|单周}"
)  # fmt: skip


class NamedError(SpecError):
    """A problem whose message already names the week or period item at fault."""


class OutOfTerm(NamedError):
    """A week the term does not have: readable, but not in this term."""


@dataclass(frozen=True)
class Meeting:
    """One meeting of a time cell; a part the cell does not name is None."""

    text: str  # the meeting as written (folded), for messages
    weekday: int | None = None
    periods: tuple[int, int] | None = None
    times: tuple[int, int] | None = None  # clock minutes start, end
    weeks: frozenset[int] | None = None


# lexing -------------------------------------------------------------------------------------
@dataclass
class _Token:
    kind: str
    text: str
    start: int
    end: int
    value: Any = None


def _fold(text: str) -> str:
    """NFKC, case-folded; ranges unified; markers dropped; brackets become spaces."""
    folded = _RANGE_WORDS.sub("-", normalize(text).translate(_DASHES))
    folded = folded.replace("\r\n", "\n").replace("\r", "\n")
    folded = _GROUP.sub(lambda m: m[0] if _TIME_WORDS.search(m[1]) else " ", folded)
    return _BRACKETS.sub(" ", folded)


def _tokens(text: str) -> list[_Token]:
    out: list[_Token] = []
    position = 0
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None:
            end = position + 1
            while end < len(text) and _TOKEN.match(text, end) is None:
                end += 1
            out.append(_Token("unknown", text[position:end], position, end))
            position = end
            continue
        kind = match.lastgroup or "unknown"
        token = _Token(kind, match[0], match.start(), match.end())
        if kind == "zhou" and match[0] == "周":
            token = _weekday_or_zhou(text, token, out)
        elif kind == "weekday":
            token.value = _DAY_NUMBERS[match["day"]]
        elif kind == "cnday":
            token.kind, token.value = "weekday", _DAY_NUMBERS[match[0]]
        elif kind == "times":
            token.value = _clock(match)
        elif kind == "par":
            token.value = _PARITY[match[0].rstrip("周")]
        if token.kind != "ws":
            out.append(token)
        position = token.end
    return out


def _weekday_or_zhou(text: str, token: _Token, before: list[_Token]) -> _Token:
    """``周`` after a number list marks weeks (``1-16周``); otherwise ``周一``/``周1`` is a weekday."""
    follows_list = bool(before) and before[-1].kind in ("nums", "par")
    day = text[token.end : token.end + 1]
    if not follows_list and day in _DAY_NUMBERS:
        return _Token("weekday", text[token.start : token.end + 1], token.start, token.end + 1, _DAY_NUMBERS[day])
    return token


def _clock(match: re.Match[str]) -> tuple[int, int]:
    hours = (int(match["h1"]), int(match["h2"]))
    minutes = (int(match["m1"]), int(match["m2"]))
    if not all(0 <= h <= 24 for h in hours) or not all(0 <= m <= 59 for m in minutes):
        raise SpecError(f"时间“{match[0]}”无效", f"invalid time {match[0]!r}")
    start, end = hours[0] * 60 + minutes[0], hours[1] * 60 + minutes[1]
    if not 0 <= start < end <= 24 * 60:
        raise SpecError(f"时间“{match[0]}”的结束不晚于开始", f"time {match[0]!r} ends before it starts")
    return start, end


# parts --------------------------------------------------------------------------------------
@dataclass
class _Item:
    first: str
    last: str | None
    parity: int | None = None  # 1 odd, 0 even, -1 every week, None: not given


@dataclass
class _Group:
    """A number list with the marks around it (``第``, ``周``, ``节``, parity)."""

    start: int
    end: int = 0
    items: list[_Item] = field(default_factory=list)
    di: bool = False
    zhou: bool = False
    jie: bool = False
    parities: set[int] = field(default_factory=set)


@dataclass
class _Part:
    kind: str  # weekday | periods | times | weeks | comma | semi
    start: int
    end: int
    value: Any = None


def _items(nums: str) -> list[_Item]:
    items = []
    for piece in re.split(r"[,、]", re.sub(r"\s+", "", nums)):
        first, _, last = piece.partition("-")
        items.append(_Item(first, last or None))
    return items


def _parts(text: str, bare: str, weeks: int) -> list[_Part]:
    """The parts of folded ``text``; ``bare`` says what an unmarked number list is:
    ``weeks``, ``periods`` or ``cell`` (a time cell: decided by its shape, see :func:`_bare`)."""
    tokens = _tokens(text)
    parts: list[_Part] = []
    i = 0
    while i < len(tokens):
        token = tokens[i]
        if token.kind in ("nums", "di") or (token.kind == "par" and _starts_list(tokens, i + 1)):
            group, i = _group(tokens, i)
            parts.append(_classify(group, text, bare, weeks))
            continue
        if token.kind == "par":  # a parity alone: every odd (even) week of the term
            group, i = _lone_parity(tokens, i)
            parts.append(_Part("weeks", group.start, group.end, _week_set(group, text, weeks)))
            continue
        if token.kind in ("weekday", "times", "comma", "semi"):
            parts.append(_Part(token.kind, token.start, token.end, token.value))
        elif token.kind == "unknown":
            raise SpecError(f"无法识别“{token.text}”", f"cannot read {token.text!r}")
        elif token.kind == "bar":
            raise SpecError("“|”只能写在周次后面，如 {第1-16周|单周}", "| may only follow weeks, as in {第1-16周|单周}")
        else:  # a 周 or 节 that belongs to no number
            raise SpecError(f"“{token.text}”前面缺少数字", f"{token.text!r} follows no number")
        i += 1
    return parts


def _starts_list(tokens: list[_Token], i: int) -> bool:
    return i < len(tokens) and tokens[i].kind in ("nums", "di")


def _group(tokens: list[_Token], i: int) -> tuple[_Group, int]:
    group = _Group(tokens[i].start)
    prefix: int | None = None
    if tokens[i].kind == "par":
        prefix = tokens[i].value
        i += 1
    if tokens[i].kind == "di":
        group.di = True
        i += 1
    if i >= len(tokens) or tokens[i].kind != "nums":
        raise SpecError("“第”后面缺少数字", "第 is not followed by a number")
    group.items = _items(tokens[i].text)
    group.end = tokens[i].end
    i += 1
    if prefix is not None:
        group.parities.add(prefix)
        for item in group.items:
            item.parity = prefix
    while i < len(tokens) and not group.jie and tokens[i].kind in ("zhou", "jie", "par", "bar"):
        token = tokens[i]
        if token.kind == "bar":  # ZFsoft's {第1-16周|单周}: only a parity may follow
            if i + 1 >= len(tokens) or tokens[i + 1].kind != "par":
                raise SpecError("“|”后面应写 单周 或 双周", "| must be followed by 单周 or 双周 (odd or even)")
            i += 1
            continue
        if token.kind == "par":
            if group.items[-1].parity not in (None, token.value):
                raise SpecError(f"“{token.text}”与前面的单双周矛盾", f"{token.text!r} contradicts the parity before it")
            group.items[-1].parity = token.value
            group.parities.add(token.value)
        else:
            setattr(group, token.kind, True)
        group.end = token.end
        i += 1
    return group, i


def _lone_parity(tokens: list[_Token], i: int) -> tuple[_Group, int]:
    group = _Group(tokens[i].start, tokens[i].end, [_Item("", None, tokens[i].value)])
    group.parities.add(tokens[i].value)
    i += 1
    while i < len(tokens) and tokens[i].kind in ("par", "zhou"):
        if tokens[i].kind == "par" and tokens[i].value not in group.parities:
            raise SpecError("同时写了单周和双周", "says both odd and even weeks")
        group.end = tokens[i].end
        i += 1
    return group, i


def _classify(group: _Group, text: str, bare: str, weeks: int) -> _Part:
    written = text[group.start : group.end].strip()
    if group.jie and (group.zhou or group.parities):
        raise SpecError(f"“{written}”同时写了节次和周次", f"{written!r} mixes periods and weeks")
    kind = "periods" if group.jie else "weeks" if group.zhou or group.parities else _bare(group, written, bare)
    if kind == "periods":
        return _Part("periods", group.start, group.end, _period_range(group, written))
    if kind == "weekday":
        return _Part("weekday", group.start, group.end, int(group.items[0].first))
    return _Part("weeks", group.start, group.end, _week_set(group, written, weeks))


def _bare(group: _Group, written: str, bare: str) -> str:
    """What an unmarked number list is: the column's kind; in a time cell, by its shape."""
    if bare != "cell":
        return bare
    single = group.items[0] if len(group.items) == 1 and group.items[0].last is None else None
    if single is not None and not group.di and len(single.first) >= 3:
        return "periods"  # a merged code: 0102, 030405
    if single is not None and not group.di and single.first in _DAY_NUMBERS:
        return "weekday"
    raise SpecError(
        f"无法判断“{written}”是周次还是节次：请写成 {written}周 或 {written}节",
        f"cannot tell whether {written!r} are weeks or periods: write {written}周 or {written}节",
    )


# periods ------------------------------------------------------------------------------------
def _period_range(group: _Group, written: str) -> tuple[int, int]:
    spans = [_period_item(item, written) for item in group.items]
    for (_, last), (first, _) in zip(spans, spans[1:], strict=False):
        if first != last + 1:
            raise NamedError(
                f"节次“{written}”不连续；不连续的节次请分成两次上课（用 ; 分隔）",
                f"periods {written!r} are not consecutive; write separate meetings (separated by ;)",
            )
    return spans[0][0], spans[-1][1]


def _period_item(item: _Item, written: str) -> tuple[int, int]:
    if item.last is None and len(item.first) >= 3:
        return _merged_code(item.first, written)
    if len(item.first) > 2 or (item.last is not None and len(item.last) > 2):
        raise NamedError(
            f"无法识别节次“{written}”；{PERIOD_EXAMPLES_ZH}", f"cannot read periods {written!r}; write e.g. {PERIOD_EXAMPLES_EN}"
        )
    first = int(item.first)
    last = int(item.last) if item.last is not None else first
    if first < 1:
        raise NamedError(f"节次“{written}”：节次从 1 开始", f"periods {written!r}: periods start at 1")
    if last < first:
        raise NamedError(
            f"节次“{written}”起止颠倒：应写成 {last}-{first}", f"periods {written!r} are reversed: write {last}-{first}"
        )
    return first, last


def _merged_code(code: str, written: str) -> tuple[int, int]:
    """``0607`` -> (6, 7), ``030405`` -> (3, 5): two digits per period, consecutive."""
    numbers = [int(code[i : i + 2]) for i in range(0, len(code), 2)]
    consecutive = numbers == list(range(numbers[0], numbers[0] + len(numbers)))
    if len(code) % 2 or not consecutive or numbers[0] < 1:
        raise NamedError(
            f"节次“{written}”：合并节次代码每节两位数字、且须连续，如 0102（第1-2节）、030405（第3-5节）；"
            f"也可写成 第3-4节",
            f"periods {written!r}: a merged period code lists each period in two digits, consecutively, "
            "e.g. 0102 (periods 1-2) or 030405 (periods 3-5); or write 3-4",
        )
    return numbers[0], numbers[-1]


# weeks --------------------------------------------------------------------------------------
def _week_set(group: _Group, written: str, weeks: int) -> frozenset[int]:
    chosen: set[int] = set()
    for item in group.items:
        first = int(item.first) if item.first else 1
        last = int(item.last) if item.last is not None else (first if item.first else weeks)
        _check_week_range(first, last, written, weeks)
        span = {w for w in range(first, last + 1) if item.parity in (None, -1) or w % 2 == item.parity}
        if not span:
            raise NamedError(f"周次“{written}”不含任何周", f"week spec {written!r} names no week")
        chosen |= span
    return frozenset(chosen)


def _check_week_range(first: int, last: int, written: str, weeks: int) -> None:
    if first < 1:
        raise NamedError(f"周次“{written}”：周次从第 1 周开始", f"week spec {written!r}: weeks start at 1")
    if last < first:
        raise NamedError(
            f"周次“{written}”起止颠倒：应写成 {last}-{first}", f"week spec {written!r} is reversed: write {last}-{first}"
        )
    if last > weeks:
        raise OutOfTerm(
            f"周次“{written}”超出本学期的 {weeks} 个教学周", f"week spec {written!r} goes beyond the term's {weeks} weeks"
        )


@lru_cache(maxsize=4096)  # pure; term files repeat the same few spellings
def parse_week_spec(text: str, weeks: int) -> frozenset[int]:
    """Weeks named by a week spec; blank = ``frozenset()`` (every week of the term).

    ``weeks`` is the term's number of weeks: a week beyond it is an error. Items may be separated
    by ``,``, ``、`` or ``;``; a parity mark applies to the item it follows.
    """
    folded = _fold(text).strip()
    if not folded:
        return frozenset()
    try:
        parts = _parts(re.sub(r"[;\n]", ",", folded), "weeks", weeks)
    except SpecError as error:
        raise _week_error(text, error) from None
    result: set[int] = set()
    for part in parts:
        if part.kind == "weeks":
            result |= part.value
        elif part.kind != "comma":
            raise _week_error(text, SpecError(f"“{folded[part.start:part.end]}”不是周次", "not a week"))
    if not result:
        raise SpecError(f"周次“{text}”不含任何周；应写成 {WEEK_EXAMPLES_ZH}", f"week spec {text!r} names no week")
    return frozenset(result)


def _week_error(text: str, error: SpecError) -> SpecError:
    if isinstance(error, NamedError):
        return error
    return SpecError(
        f"无法识别周次“{text}”（{error.zh}）；应写成 {WEEK_EXAMPLES_ZH}",
        f"cannot read week spec {text!r} ({error.en}); write e.g. {WEEK_EXAMPLES_EN}",
    )


@lru_cache(maxsize=4096)  # pure; term files repeat the same few spellings
def parse_period_spec(text: str) -> tuple[int, int]:
    """``3``, ``3-4``, ``第3-4节``, ``第9,10,11节``, ``[030405节]``, ``0607`` as ``(first, last)``."""
    folded = _fold(text).strip()
    try:
        parts = _parts(folded, "periods", 1)
    except NamedError:
        raise
    except SpecError:
        parts = []
    if len(parts) != 1 or parts[0].kind != "periods":
        raise SpecError(
            f"无法识别节次“{text}”；应写成 {PERIOD_EXAMPLES_ZH}", f"cannot read periods {text!r}; write e.g. {PERIOD_EXAMPLES_EN}"
        )
    return parts[0].value


# time cells ---------------------------------------------------------------------------------
@lru_cache(maxsize=4096)  # pure; a timetable repeats the same few cells
def parse_time_cell(text: str, weeks: int) -> tuple[Meeting, ...]:
    """The meetings of a combined 上课时间 cell, in the order written (blank: none)."""
    if len(text) > MAX_CELL:
        raise SpecError(
            f"上课时间太长（{len(text)} 个字符，最多 {MAX_CELL}）", f"the time cell is too long ({len(text)} characters, at most {MAX_CELL})"
        )
    folded = _fold(text)
    try:
        parts = _parts(folded, "cell", weeks)
        meetings = [m for chunk in _chunks(parts) for m in _meetings(chunk, folded)]
    except OutOfTerm as error:  # readable, but the term has no such week
        raise SpecError(f"上课时间“{text}”：{error.zh}", f"time {text!r}: {error.en}") from None
    except SpecError as error:
        raise SpecError(
            f"无法识别上课时间“{text}”：{error.zh}。{TIME_EXAMPLES_ZH}",
            f"cannot read the time {text!r}: {error.en}. Accepted: {TIME_EXAMPLES_EN}",
        ) from None
    if not meetings:
        raise SpecError(
            f"上课时间“{text}”中没有任何一次上课。{TIME_EXAMPLES_ZH}", f"the time {text!r} names no meeting. Accepted: {TIME_EXAMPLES_EN}"
        )
    return tuple(meetings)


def _chunks(parts: list[_Part]) -> list[list[_Part]]:
    chunks: list[list[_Part]] = [[]]
    for part in parts:
        if part.kind == "semi":
            chunks.append([])
        else:
            chunks[-1].append(part)
    return [c for c in chunks if c]


def _meetings(chunk: list[_Part], folded: str) -> list[Meeting]:
    """Split at the commas that separate meetings: the fewest meetings that are each whole."""
    pieces: list[list[_Part]] = [[]]
    for part in chunk:
        if part.kind == "comma":
            pieces.append([])
        else:
            pieces[-1].append(part)
    best: list[list[list[_Part]] | None] = [[]] + [None] * len(pieces)
    for j in range(1, len(pieces) + 1):
        for i in range(max(0, j - MAX_PIECES), j):
            before = best[i]
            if before is None:
                continue
            segment = [p for piece in pieces[i:j] for p in piece]
            if segment and _why_not_a_meeting(segment):
                continue
            candidate = before + [segment] if segment else before
            current = best[j]
            if current is None or len(candidate) < len(current):
                best[j] = candidate
    found = best[-1]
    if found is None:
        whole = [p for p in chunk if p.kind != "comma"]
        written = re.sub(r"\s+", " ", folded[chunk[0].start : chunk[-1].end]).strip()
        reason = _why_not_a_meeting(whole) or ("逗号分隔的某一段不是完整的一次上课", "a piece between commas is not a whole meeting")
        raise SpecError(f"“{written}”{reason[0]}", f"{written!r} {reason[1]}")
    return [_meeting(segment, folded) for segment in found]


def _why_not_a_meeting(segment: list[_Part]) -> tuple[str, str] | None:
    kinds = [p.kind for p in segment]
    if kinds.count("weekday") > 1:
        return "写了不止一个星期；每次上课只能有一个星期，多次上课请用 ; 分隔", "names more than one weekday; separate meetings with ;"
    if kinds.count("periods") + kinds.count("times") > 1:
        return "写了不止一段节次；每次上课只能有一段节次，多次上课请用 ; 分隔", "names more than one period range; separate meetings with ;"
    weeks_at = [i for i, kind in enumerate(kinds) if kind == "weeks"]
    if weeks_at and weeks_at[-1] - weeks_at[0] + 1 != len(weeks_at):
        return "的周次分在了两处；请把周次写在一起", "gives its weeks in two places; write them together"
    if not {"weekday", "periods", "times"} & set(kinds):
        return "没有星期和节次", "names neither a weekday nor periods"
    return None


def _meeting(segment: list[_Part], folded: str) -> Meeting:
    weeks: set[int] = set()
    values: dict[str, Any] = {}
    for part in segment:
        if part.kind == "weeks":
            weeks |= part.value
        else:
            values[part.kind] = part.value
    return Meeting(
        re.sub(r"\s+", " ", folded[segment[0].start : segment[-1].end]).strip(),
        weekday=values.get("weekday"),
        periods=values.get("periods"),
        times=values.get("times"),
        weeks=frozenset(weeks) if weeks else None,
    )


_ROOM_SEPARATORS = re.compile(r"[;,；，、\n\r]+")


def split_rooms(text: str) -> list[str]:
    """The rooms of a location cell that lists one room per meeting (``A101;B202``)."""
    return [room.strip() for room in _ROOM_SEPARATORS.split(text) if room.strip()]
