"""The spellings of academic-affairs exports: periods, weeks and the combined 上课时间 cell."""

from __future__ import annotations

import itertools

import pytest

from data.specs import SpecError
from data.timecells import Meeting, parse_period_spec, parse_time_cell, parse_week_spec

WEEKS = 18
ALL_16 = frozenset(range(1, 17))
ODD_1_15 = frozenset(range(1, 16, 2))


def only(cell: str) -> Meeting:
    """The one meeting of a cell."""
    (meeting,) = parse_time_cell(cell, WEEKS)
    return meeting


def parts(meeting: Meeting) -> tuple[object, ...]:
    return (meeting.weekday, meeting.periods, meeting.times, meeting.weeks)


# periods ------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ("第1-2节", (1, 2)),
        ("第1,2节", (1, 2)),
        ("第9,10,11节", (9, 11)),  # a consecutive list
        ("(1-2节)", (1, 2)),
        ("[1-2节]", (1, 2)),
        ("1-2节", (1, 2)),
        ("0102", (1, 2)),  # merged two-digit codes
        ("[0102节]", (1, 2)),
        ("[030405节]", (3, 5)),
        ("0607", (6, 7)),  # never period 607
        ("1011", (10, 11)),
        ("第3节", (3, 3)),
        ("[01-02节]", (1, 2)),
        ("（３－４节）", (3, 4)),  # full width
    ],
)
def test_period_spellings(spec: str, expected: tuple[int, int]) -> None:
    assert parse_period_spec(spec) == expected


@pytest.mark.parametrize("spec", ["607", "0103", "0201", "1,3", "第1-2周", "3-4节(单)", "0000", "12345"])
def test_unreadable_periods_are_errors_that_show_the_spellings(spec: str) -> None:
    with pytest.raises(SpecError) as caught:
        parse_period_spec(spec)
    assert spec in caught.value.zh and spec in caught.value.en


# weeks --------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ("1-16周", ALL_16),
        ("第1-17周", frozenset(range(1, 18))),
        ("{第1-17周}", frozenset(range(1, 18))),
        ("{1-16周}", ALL_16),
        ("{第15-17周|单周}", frozenset({15, 17})),
        ("{第14-16周|双周}", frozenset({14, 16})),
        ("1-16(周)", ALL_16),
        ("4,6-18(周)", frozenset({4, *range(6, 19)})),
        ("[1-16周]", ALL_16),
        ("[1-16单周]", ODD_1_15),
        ("[1-12双周]", frozenset(range(2, 13, 2))),
        ("1-16单周", ODD_1_15),
        ("单 [1-16周]", ODD_1_15),
        ("单[1-16周]", ODD_1_15),
        ("10-12周(双)", frozenset({10, 12})),
        ("2-3周,6-7周,15-17周(单)", frozenset({2, 3, 6, 7, 15, 17})),  # the mark: last item only
        ("11周", frozenset({11})),
        ("1-3,5单,8", frozenset({1, 2, 3, 5, 8})),
        ("1-8\n10-16", frozenset(range(1, 17)) - {9}),
    ],
)
def test_week_spellings(spec: str, expected: frozenset[int]) -> None:
    assert parse_week_spec(spec, WEEKS) == expected


@pytest.mark.parametrize("spec", ["1-16节", "星期一", "{第15-17周|单周|双周}", "1-16周(单)(双)", "第", "{第2-16周|2周}", "|单周"])
def test_not_a_week_spec(spec: str) -> None:
    with pytest.raises(SpecError):
        parse_week_spec(spec, WEEKS)


# weekdays, parts in any order ---------------------------------------------------------------
@pytest.mark.parametrize(
    ("weekday", "expected"),
    [("周一", 1), ("星期一", 1), ("一", 1), ("1", 1), ("周1", 1), ("星期三", 3), ("三", 3), ("5", 5),
     ("7", 7), ("星期日", 7), ("周日", 7), ("日", 7), ("天", 7), ("星期天", 7), ("礼拜二", 2)],
)  # fmt: skip
def test_weekday_spellings_in_a_time_cell(weekday: str, expected: int) -> None:
    assert only(f"{weekday}第3-4节{{1-16周}}").weekday == expected
    assert only(f"{weekday} [3-4节] 1-16周").weekday == expected


@pytest.mark.parametrize("order", list(itertools.permutations(["星期三", "[030405节]", "{第1-15周|单周}"])))
@pytest.mark.parametrize("gap", ["", " ", "  "])
def test_the_three_parts_in_any_order_with_or_without_spaces(order: tuple[str, ...], gap: str) -> None:
    assert parts(only(gap.join(order))) == (3, (3, 5), None, ODD_1_15)


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("星期一第6-7节{1-16周}", (1, (6, 7), None, ALL_16)),  # ZFsoft (new)
        ("周一第1,2节{第1-16周}", (1, (1, 2), None, ALL_16)),  # ZFsoft (old)
        ("周二第3,4节{第1-15周|单周}", (2, (3, 4), None, ODD_1_15)),
        ("1-16(周)星期一[01-02节]", (1, (1, 2), None, ALL_16)),  # Qiangzhi
        ("4,6-18(周)星期三[030405节]", (3, (3, 5), None, frozenset({4, *range(6, 19)}))),
        ("[1-16单周]星期三[5-6节]", (3, (5, 6), None, ODD_1_15)),  # Kingosoft
        ("星期五 第9,10,11节 2-3周,6-7周,15-17周(单)", (5, (9, 11), None, frozenset({2, 3, 6, 7, 15, 17}))),  # URP
        ("1-16周 星期四 0304", (4, (3, 4), None, ALL_16)),
        ("单 [1-16周] 星期二 (1-2节)", (2, (1, 2), None, ODD_1_15)),
        ("星期二 10-12周(双) 第3节", (2, (3, 3), None, frozenset({10, 12}))),
        ("星期一第1-2节", (1, (1, 2), None, None)),  # no weeks: every week
        ("星期四 14:00-16:00 1-16周", (4, None, (840, 960), ALL_16)),
        ("【调】星期二第3-4节{第2-8周}", (2, (3, 4), None, frozenset(range(2, 9)))),  # a marker
        ("星期二第3-4节{第2-8周}(停)", (2, (3, 4), None, frozenset(range(2, 9)))),
        ("１－１６周　星期一　第１－２节", (1, (1, 2), None, ALL_16)),  # full width
        ("星期一第1~2节{1—16周}", (1, (1, 2), None, ALL_16)),
        ("4,6-18(周)[030405节]", (None, (3, 5), None, frozenset({4, *range(6, 19)}))),  # weekday elsewhere
        ("1-4,6-17周星期一6-7节", (1, (6, 7), None, frozenset({1, 2, 3, 4, *range(6, 18)}))),
        ("12-15周星期五8-9节", (5, (8, 9), None, frozenset({12, 13, 14, 15}))),
        ("一[5-6节]", (1, (5, 6), None, None)),
        ("六[13节]", (6, (13, 13), None, None)),
    ],
)
def test_one_meeting_in_each_system_spelling(cell: str, expected: tuple[object, ...]) -> None:
    assert parts(only(cell)) == expected


# several meetings -----------------------------------------------------------------------------
MONDAY = (1, (1, 2), None, ALL_16)
WEDNESDAY = (3, (3, 4), None, ODD_1_15)


@pytest.mark.parametrize("separator", [";", "；", ",", "，", "\n", "\r\n", " ; ", ",\n", "、"])
def test_meetings_separated_in_every_way(separator: str) -> None:
    cell = f"星期一第1-2节{{1-16周}}{separator}星期三第3-4节{{1-15周|单周}}"
    assert [parts(m) for m in parse_time_cell(cell, WEEKS)] == [MONDAY, WEDNESDAY]


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        # the commas belong to the week list: one meeting
        ("星期五第9,10,11节{2-3周,6-7周,15-17周(单)}", [(5, (9, 11), None, frozenset({2, 3, 6, 7, 15, 17}))]),
        ("2-3周,6-7周,15-17周(单) 星期五 第9-11节", [(5, (9, 11), None, frozenset({2, 3, 6, 7, 15, 17}))]),
        ("4,6-18(周)星期三[030405节]", [(3, (3, 5), None, frozenset({4, *range(6, 19)}))]),
        # the same commas, then a comma that starts a second meeting (it has its own weekday)
        ("星期一第1-2节 2-3周,6-7周,星期三第3-4节 15-17周",
         [(1, (1, 2), None, frozenset({2, 3, 6, 7})), (3, (3, 4), None, frozenset({15, 16, 17}))]),
        ("1-8周 星期一 第1-2节, 10-16周 星期三 第3-4节",
         [(1, (1, 2), None, frozenset(range(1, 9))), (3, (3, 4), None, frozenset(range(10, 17)))]),
        ("4,6-18(周)星期三[030405节],1-16(周)星期五[0102节]",
         [(3, (3, 5), None, frozenset({4, *range(6, 19)})), (5, (1, 2), None, ALL_16)]),
        # a comma between the parts of one meeting
        ("星期一,第1-2节,1-16周", [MONDAY]),
    ],
)  # fmt: skip
def test_a_comma_is_read_by_structure(cell: str, expected: list[tuple[object, ...]]) -> None:
    assert [parts(m) for m in parse_time_cell(cell, WEEKS)] == expected


def test_each_meeting_keeps_its_text_for_messages() -> None:
    first, second = parse_time_cell("星期一第1-2节{1-16周};星期三 [3-4节]", WEEKS)
    assert (first.text, second.text) == ("星期一第1-2节 1-16周", "星期三 3-4节")


# what cannot be read ------------------------------------------------------------------------
@pytest.mark.parametrize(
    "cell",
    [
        "星期八第1-2节",  # no such weekday
        "1-16周",  # neither weekday nor periods
        "星期一 星期二 第1-2节",  # two weekdays in one meeting
        "星期一 第1-2节 第5-6节",  # two period ranges
        "1-2 星期一",  # weeks or periods?
        "星期一第1-2节{第1-16周|单双}",
        "星期一 第1-2节 1-8周 星期三",
        "Monday 1-2",
        "【调】",
        "星期一 0103",  # a merged code that is not consecutive
    ],
)
def test_unreadable_cells_quote_the_cell_and_show_every_spelling(cell: str) -> None:
    with pytest.raises(SpecError) as caught:
        parse_time_cell(cell, WEEKS)
    zh, en = caught.value.zh, caught.value.en
    assert f"“{cell}”" in zh and repr(cell) in en
    for example in ("星期一", "第9,10,11节", "[030405节]", "0102", "{第15-17周|单周}", "单 [1-16周]", "4,6-18(周)", "2-3周,6-7周,15-17周(单)", "11周"):
        assert example in zh and example in en


def test_a_week_the_term_does_not_have_is_an_error_not_a_drop() -> None:
    with pytest.raises(SpecError) as caught:
        parse_time_cell("星期一第1-2节{1-20周}", WEEKS)
    assert "“星期一第1-2节{1-20周}”" in caught.value.zh and "18" in caught.value.zh


def test_an_overlong_cell_is_refused() -> None:
    with pytest.raises(SpecError, match="2000"):
        parse_time_cell("星期一第1-2节;" * 300, WEEKS)
