"""The synthetic university generator: determinism, sizes, references, timetable density."""

from __future__ import annotations

import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from term_files import (
    CONTRACT,
    class_densities,
    headers,
    read_folder,
    reference_problems,
    weeks_without_a_day_at_school,
)

from data.generate import SIZES, generate

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module", params=["S", "M"])
def generated(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    out = tmp_path_factory.mktemp(f"gen_{request.param}")
    generate(request.param, 11, out)
    return request.param, out, read_folder(out)


def file_bytes(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def test_same_seed_gives_identical_bytes(tmp_path: Path) -> None:
    generate("S", 5, tmp_path / "a")
    generate("S", 5, tmp_path / "b")
    assert file_bytes(tmp_path / "a") == file_bytes(tmp_path / "b")


def test_identical_across_processes_with_other_hash_seeds(tmp_path: Path) -> None:
    generate("S", 5, tmp_path / "here")
    code = f"from pathlib import Path; from data.generate import generate; generate('S', 5, Path({str(tmp_path / 'there')!r}))"
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, check=True)
    assert file_bytes(tmp_path / "here") == file_bytes(tmp_path / "there")


def test_different_seed_gives_different_files(tmp_path: Path) -> None:
    generate("S", 5, tmp_path / "a")
    generate("S", 6, tmp_path / "b")
    a, b = file_bytes(tmp_path / "a"), file_bytes(tmp_path / "b")
    assert a.keys() == b.keys()
    assert a["leaders.csv"] != b["leaders.csv"]
    assert a["timetable.csv"] != b["timetable.csv"]


def test_unknown_size_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="unknown size"):
        generate("XXL", 1, tmp_path)


def test_every_contract_file_with_its_columns(generated) -> None:
    _, out, _ = generated
    assert sorted(p.stem for p in out.glob("*.csv")) == sorted(CONTRACT)
    for stem, columns in CONTRACT.items():
        assert tuple(headers(out, stem)) == columns, stem


def test_counts_match_the_size(generated) -> None:
    size, _, files = generated
    spec = SIZES[size]
    assert len(files["leaders"]) == spec.leaders
    assert len(files["units"]) == spec.units
    assert len(files["campuses"]) == spec.campuses
    assert 18 <= int(files["term"][0]["weeks"]) <= 20


def test_tier_mix(generated) -> None:
    size, _, files = generated
    n = SIZES[size].leaders
    tiers = Counter(r["tier"] for r in files["leaders"])
    assert 6 <= tiers["school"] <= 15
    assert abs(tiers["department"] - 0.30 * n) <= 0.05 * n + 1
    assert abs(tiers["student_affairs"] - 0.12 * n) <= 0.05 * n + 1
    assert tiers["college"] >= 0.3 * n
    assert sum(tiers.values()) == n


def test_unit_mix_and_society_windows(generated) -> None:
    size, _, files = generated
    n = SIZES[size].units
    kinds = Counter(r["kind"] for r in files["units"])
    assert abs(kinds["class"] - 0.65 * n) <= 0.02 * n
    assert abs(kinds["dorm"] - 0.20 * n) <= 0.02 * n
    assert abs(kinds["society"] - 0.15 * n) <= 0.02 * n
    with_window = {r["target"] for r in files["windows"]}
    assert {r["unit_id"] for r in files["units"] if r["kind"] == "society"} <= with_window
    assert len({r["name"] for r in files["units"]}) == n, "unit names are unique"


def test_venues_sections_activities(generated) -> None:
    _, _, files = generated
    canteen_campuses = {r["campus"] for r in files["venues"] if r["kind"] == "canteen"}
    assert canteen_campuses == {r["campus_id"] for r in files["campuses"]}
    assert [r["kind"] for r in files["venues"]].count("online") == 1
    school = sum(r["tier"] == "school" for r in files["leaders"])
    assert len(files["courses"]) >= 2 * school
    assert {r["kind"] for r in files["courses"]} == {"theory", "situation_policy"}
    lecture_seats = sum(int(r["max_leaders"]) for r in files["activities"] if r["visit_kind"] == "lecture")
    assert lecture_seats >= school
    assert len(files["activities"]) >= 15


def test_absences_and_holidays(generated) -> None:
    _, _, files = generated
    leaders = {r["leader_id"] for r in files["leaders"]}
    away = {r["owner_id"] for r in files["absences"] if r["owner_id"] in leaders}
    assert len(away) >= 0.1 * len(leaders)
    holidays = {r["date"]: r for r in files["holidays"]}
    assert holidays["2026-10-01"]["kind"] == "holiday"
    assert holidays["2026-09-20"]["follows_date"] == "2026-10-06"
    assert holidays["2026-10-10"]["follows_date"] == "2026-10-07"


def test_every_referenced_id_exists(generated) -> None:
    _, _, files = generated
    assert reference_problems(files) == []


def test_class_timetables_are_40_to_60_percent_busy(generated) -> None:
    _, _, files = generated
    densities = class_densities(files)
    outside = {c: round(d, 3) for c, d in densities.items() if not 0.40 <= d <= 0.60}
    assert not outside


@pytest.mark.parametrize("size", ["S", "M"])
def test_the_reader_reads_generated_data_without_problems(size: str, tmp_path: Path) -> None:
    from data.reader import read_problem

    generate(size, 3, tmp_path)
    result = read_problem(tmp_path)
    assert result.warnings == ()
    assert len(result.problem.leaders) == SIZES[size].leaders
    assert len(result.problem.units) == SIZES[size].units
    lecturers = [x for x in result.problem.leaders if x.lecture]
    assert len(result.problem.courses) >= 2 * len(lecturers)


def test_every_leader_has_a_day_at_school_in_every_contact_week(tmp_path: Path) -> None:
    from data.reader import read_problem

    generate("M", 4, tmp_path)
    problem = read_problem(tmp_path).problem
    blocked = {x.leader_id for x in problem.leaders if weeks_without_a_day_at_school(problem, x.leader_id)}
    assert blocked == set()
