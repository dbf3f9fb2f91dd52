"""term.csv's settings of the records contract: respond_days, resolve_days, checkin_min,
confirm_share (defaults, Chinese headers, located problems)."""

from __future__ import annotations

from pathlib import Path

from conftest import Tables, read_errors, where, write_csvs

from data.reader import read_problem
from solver.evidence.records import EvidenceSettings


def with_term(tables: Tables, **cells: str) -> Tables:
    header, row = tables["term"]
    tables["term"] = [header + list(cells), row + list(cells.values())]
    return tables


def test_defaults_when_the_columns_are_absent(tmp_path: Path, tables: Tables) -> None:
    term = read_problem(write_csvs(tmp_path, tables)).problem.term
    assert EvidenceSettings.of(term) == EvidenceSettings(2, 7, 3, 0.8)


def test_the_settings_are_read(tmp_path: Path, tables: Tables) -> None:
    with_term(tables, respond_days="3", resolve_days="10", checkin_min="5", confirm_share="60%")
    term = read_problem(write_csvs(tmp_path, tables)).problem.term
    assert EvidenceSettings.of(term) == EvidenceSettings(3, 10, 5, 0.6)


def test_chinese_headers(tmp_path: Path, tables: Tables) -> None:
    header, row = tables["term"]
    tables["term"] = [header + ["响应时限", "办结时限", "签到确认人数", "确认比例"], row + ["1", "5", "2", "0.9"]]
    term = read_problem(write_csvs(tmp_path, tables)).problem.term
    assert (term.respond_days, term.resolve_days, term.checkin_min, term.confirm_share) == (1, 5, 2, 0.9)


def test_bad_settings_are_located(tmp_path: Path, tables: Tables) -> None:
    with_term(tables, respond_days="0", resolve_days="soon", checkin_min="-1", confirm_share="1.5")
    found = where(read_errors(write_csvs(tmp_path, tables)).problems)
    assert {("term.csv", 2, c) for c in ("respond_days", "resolve_days", "checkin_min", "confirm_share")} <= found
