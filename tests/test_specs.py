"""The spec-string and cell parsers of data/specs.py, one spelling per case."""

from __future__ import annotations

import datetime as dt

import pytest

from data.specs import (
    SpecError,
    parse_bool,
    parse_date,
    parse_int,
    parse_moment,
    parse_share,
    parse_time,
    parse_timezone,
    parse_weekday,
    parse_weekday_spec,
    split_ids,
)
from data.timecells import parse_period_spec, parse_week_spec

ALL_16 = frozenset(range(1, 17))
ODD_1_15 = frozenset({1, 3, 5, 7, 9, 11, 13, 15})  # hand-checked: eight odd weeks
EVEN_2_16 = frozenset({2, 4, 6, 8, 10, 12, 14, 16})  # hand-checked: eight even weeks


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ("1-16", ALL_16),
        ("1-16周", ALL_16),
        ("1-16(周)", ALL_16),  # 强智
        ("1~16", ALL_16),
        ("1—16", ALL_16),
        ("1至16周", ALL_16),
        ("１－１６周", ALL_16),  # full width
        ("1-15单", ODD_1_15),
        ("1-15周(单)", ODD_1_15),  # 正方
        ("1-15周（单）", ODD_1_15),  # full-width brackets
        ("1-15单(周)", ODD_1_15),  # 强智
        ("1-16单周", ODD_1_15),  # 青果: week 16 is even, so it drops out
        ("1-15 odd", ODD_1_15),
        ("2-16(双)", EVEN_2_16),
        ("1-16双周", EVEN_2_16),
        ("2-16 even", EVEN_2_16),
        ("1-8,10-16", ALL_16 - {9}),
        ("1-8，10-16", ALL_16 - {9}),
        ("1-8、10-16", ALL_16 - {9}),
        ("1-8;10-16", ALL_16 - {9}),
        ("第3周", frozenset({3})),
        ("第4周", frozenset({4})),
        ("3", frozenset({3})),
        ("1-3,5单,8", frozenset({1, 2, 3, 5, 8})),
        ("1-16周(全)", ALL_16),
    ],
)
def test_week_spec_spellings(spec: str, expected: frozenset[int]) -> None:
    assert parse_week_spec(spec, weeks=18) == expected


def test_blank_week_spec_means_every_week() -> None:
    assert parse_week_spec("", weeks=18) == frozenset()
    assert parse_week_spec("  ", weeks=18) == frozenset()


def test_odd_and_even_alone_cover_the_term() -> None:
    assert parse_week_spec("单", weeks=6) == {1, 3, 5}
    assert parse_week_spec("双周", weeks=6) == {2, 4, 6}
    assert parse_week_spec("odd", weeks=5) == {1, 3, 5}


@pytest.mark.parametrize("spec", ["1-x", "17-3", "1-20", "0-3", "第19周", "2单", "单双", "abc"])
def test_bad_week_specs_are_errors(spec: str) -> None:
    with pytest.raises(SpecError) as caught:
        parse_week_spec(spec, weeks=18)
    assert caught.value.zh and caught.value.en
    assert isinstance(caught.value, ValueError)


def test_reversed_week_range_says_how_to_fix_it() -> None:
    with pytest.raises(SpecError, match="3-17"):
        parse_week_spec("17-3", weeks=18)


def test_week_beyond_the_term_names_the_term_length() -> None:
    with pytest.raises(SpecError) as caught:
        parse_week_spec("1-20", weeks=18)
    assert "18" in caught.value.zh and "18" in caught.value.en


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ("3", (3, 3)),
        ("3-4", (3, 4)),
        ("第3-4节", (3, 4)),
        ("01-02", (1, 2)),
        ("3-4节", (3, 4)),
        ("第3节", (3, 3)),
        ("１０－１２", (10, 12)),
        ("第1,2节", (1, 2)),
        ("11~12", (11, 12)),
    ],
)
def test_period_spec_spellings(spec: str, expected: tuple[int, int]) -> None:
    assert parse_period_spec(spec) == expected


@pytest.mark.parametrize("spec", ["4-3", "0", "x", "1,3", "3-", ""])
def test_bad_period_specs_are_errors(spec: str) -> None:
    with pytest.raises(SpecError):
        parse_period_spec(spec)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1", 1), ("7", 7), ("一", 1), ("三", 3), ("日", 7), ("天", 7), ("周一", 1),
        ("周日", 7), ("星期一", 1), ("星期天", 7), ("礼拜五", 5), ("Mon", 1), ("monday", 1),
        ("TUE", 2), ("Thurs", 4), ("Sunday", 7), ("７", 7), (" 周三 ", 3),
    ],
)  # fmt: skip
def test_weekday_spellings(text: str, expected: int) -> None:
    assert parse_weekday(text) == expected


@pytest.mark.parametrize("text", ["0", "8", "周", "星期八", "Funday", ""])
def test_bad_weekdays_are_errors(text: str) -> None:
    with pytest.raises(SpecError):
        parse_weekday(text)


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ("1-5", {1, 2, 3, 4, 5}),
        ("1,3,5", {1, 3, 5}),
        ("周一至周五", {1, 2, 3, 4, 5}),
        ("一-五", {1, 2, 3, 4, 5}),
        ("1-4,7", {1, 2, 3, 4, 7}),
        ("周六、周日", {6, 7}),
        ("Mon-Fri", {1, 2, 3, 4, 5}),
        ("3", {3}),
        ("工作日", {1, 2, 3, 4, 5}),
        ("每天", set(range(1, 8))),
    ],
)
def test_weekday_spec_spellings(spec: str, expected: set[int]) -> None:
    assert parse_weekday_spec(spec) == expected


@pytest.mark.parametrize("spec", ["5-1", "", "1-8", "周一至"])
def test_bad_weekday_specs_are_errors(spec: str) -> None:
    with pytest.raises(SpecError):
        parse_weekday_spec(spec)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("08:00", 480), ("8:00", 480), ("08:00:00", 480), ("21:30", 1290), ("0:05", 5),
     ("１９：３０", 1170)],
)  # fmt: skip
def test_time_spellings(text: str, expected: int) -> None:
    assert parse_time(text) == expected


def test_24_00_only_as_an_end() -> None:
    assert parse_time("24:00", allow_24=True) == 24 * 60
    with pytest.raises(SpecError, match="24:00"):
        parse_time("24:00")


@pytest.mark.parametrize("text", ["25:00", "12:60", "8", "8:0", "noon", "24:30"])
def test_bad_times_are_errors(text: str) -> None:
    with pytest.raises(SpecError):
        parse_time(text, allow_24=True)


@pytest.mark.parametrize(
    "text", ["2026-09-07", "2026/09/07", "2026/9/7", "2026.9.7", "2026年9月7日", "2026-9-7"]
)
def test_date_spellings(text: str) -> None:
    assert parse_date(text) == dt.date(2026, 9, 7)


@pytest.mark.parametrize("text", ["2026-02-30", "09/07/2026", "2026-13-01", "yesterday"])
def test_bad_dates_are_errors(text: str) -> None:
    with pytest.raises(SpecError):
        parse_date(text)


def test_moment_tells_a_date_from_a_datetime() -> None:
    assert parse_moment("2026-10-19") == (dt.datetime(2026, 10, 19), True)
    assert parse_moment("2026-10-19 14:30") == (dt.datetime(2026, 10, 19, 14, 30), False)
    assert parse_moment("2026/10/19T14:30:00") == (dt.datetime(2026, 10, 19, 14, 30), False)
    with pytest.raises(SpecError):
        parse_moment("2026-10-19 25:00")


@pytest.mark.parametrize(
    ("text", "expected"),
    [("true", True), ("TRUE", True), ("1", True), ("yes", True), ("是", True), ("Y", True),
     ("false", False), ("0", False), ("No", False), ("否", False), ("n", False)],
)  # fmt: skip
def test_boolean_spellings(text: str, expected: bool) -> None:
    assert parse_bool(text) is expected


def test_bad_boolean_is_an_error() -> None:
    with pytest.raises(SpecError):
        parse_bool("maybe")


def test_numbers_and_shares() -> None:
    assert parse_int("10") == 10
    assert parse_int("10.0") == 10  # as a spreadsheet may write it
    with pytest.raises(SpecError):
        parse_int("1.5")
    with pytest.raises(SpecError):
        parse_int("0", minimum=1)
    assert parse_share("0.5") == 0.5
    assert parse_share("60%") == pytest.approx(0.6)
    for bad in ("1.5", "-0.1", "nan", "half"):
        with pytest.raises(SpecError):
            parse_share(bad)


def test_timezone_must_be_an_iana_name() -> None:
    assert parse_timezone("Asia/Shanghai") == "Asia/Shanghai"
    for bad in ("Beijing", "Asia/Beijing", "../etc/passwd"):
        with pytest.raises(SpecError):
            parse_timezone(bad)


def test_class_ids_split_on_any_separator() -> None:
    assert split_ids("C1;C2；C3, C4，C5、C6;") == ("C1", "C2", "C3", "C4", "C5", "C6")
