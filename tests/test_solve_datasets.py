"""The demo and generated S and M universities plan with no unmet requirement except those the
data makes impossible, every plan passes the verifier, and deterministic solves are reproducible
byte for byte through the command line."""

import filecmp
from pathlib import Path

import pytest

from api.cli import app
from data import DEMO_DIR
from data.generate import generate
from data.reader import read_problem
from solver.solve import SolveOptions, solve
from solver.verify import verify


def solved(path, seconds):
    problem = read_problem(path).problem
    plan = solve(problem, SolveOptions(time_limit=seconds))
    assert [v.format() for v in verify(problem, plan)] == []
    return problem, plan


def test_the_demo_leaves_only_its_deliberate_impossibility_unmet():
    _, plan = solved(DEMO_DIR, 15)
    unmet = [(r.leader_id, r.requirement) for r in plan.unmet]
    assert unmet == [("L06", "weekly_contact")]
    (row,) = plan.unmet
    assert "第9-10周" in row.detail and "中央党校" in row.detail


@pytest.mark.parametrize(("size", "seconds"), [("S", 10), ("M", 20)])
def test_generated_universities_meet_every_requirement(tmp_path, size, seconds):
    generate(size, 1, tmp_path)
    _, plan = solved(tmp_path, seconds)
    assert [(r.leader_id, r.requirement, r.detail) for r in plan.unmet] == []


def test_deterministic_solves_write_identical_files(tmp_path):
    from typer.testing import CliRunner

    generate("S", 2, tmp_path / "data")
    runner = CliRunner()
    for name in ("a", "b"):
        result = runner.invoke(app, ["solve", str(tmp_path / "data"), "--out", str(tmp_path / name),
                                     "--deterministic", "--time-limit", "5", "--seed", "4"])
        assert result.exit_code == 0, result.output
    a, b = Path(tmp_path / "a"), Path(tmp_path / "b")
    files = sorted(p.relative_to(a) for p in a.rglob("*") if p.is_file())
    assert files and all(filecmp.cmp(a / f, b / f, shallow=False) for f in files if f.name != "summary.json")
