"""Imports flow api -> calendars/data -> solver, never back; the solver core stays pure."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FORBIDDEN = {
    "solver": {"api", "data", "calendars", "pandas", "fastapi", "icalendar", "openpyxl", "sqlalchemy"},
    "data": {"api", "calendars", "fastapi", "icalendar"},
    "calendars": {"api", "data", "pandas", "fastapi"},
}


def imported_roots(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    roots = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            roots.add(node.module.split(".")[0])
    return roots


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_package_imports_only_downstream(package):
    offenders = {
        str(path.relative_to(ROOT)): sorted(imported_roots(path) & FORBIDDEN[package])
        for path in (ROOT / package).rglob("*.py")
    }
    assert {k: v for k, v in offenders.items() if v} == {}


def test_cp_sat_objects_stay_inside_the_solver():
    users = [
        str(path.relative_to(ROOT))
        for package in ("api", "data", "calendars")
        for path in (ROOT / package).rglob("*.py")
        if "ortools" in imported_roots(path)
    ]
    assert users == []
