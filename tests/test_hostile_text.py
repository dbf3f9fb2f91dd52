"""Issue 11, class 4 (and the text points of class 7): NUL and other control characters are
refused at the boundary with their location, never a 500 on SQLite or PostgreSQL; ids must be
usable in a URL; UTF-16 without a BOM is named as such; repeated warnings are summarised."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import base_tables, csv_text, read_errors, where, write_csvs, write_xlsx
from fastapi.testclient import TestClient
from service_support import bearer, settings, term_tables, zip_bytes
from test_service_postgres import database_url  # noqa: F401 - the SQLite/PostgreSQL fixture

from api.service import create_app
from data.reader import read_problem


def test_nul_in_a_csv_cell_is_a_located_problem(tmp_path: Path) -> None:
    tables = base_tables()
    tables["leaders"][1][1] = "张\x00书记"
    error = read_errors(write_csvs(tmp_path / "d", tables))
    assert ("leaders.csv", 2, "name") in where(error.problems)
    assert any("U+0000" in p.en for p in error.problems)


def test_control_character_in_an_xlsx_cell_is_a_located_problem(tmp_path: Path) -> None:
    tables = base_tables()
    tables["leaders"][2][2] = "部长_x001B_"  # how Excel stores an ESC typed into a cell
    error = read_errors(write_xlsx(tmp_path / "term.xlsx", tables))
    assert ("term.xlsx[leaders]", 3, "title") in where(error.problems)
    assert any("U+001B" in p.en for p in error.problems)


def test_an_escaped_underscore_in_xlsx_stays_text(tmp_path: Path) -> None:
    tables = base_tables()
    tables["leaders"][1][1] = "张_x005F_x0041_"
    problem = read_problem(write_xlsx(tmp_path / "term.xlsx", tables)).problem
    assert problem.leaders[0].name == "张_x0041_"


@pytest.mark.parametrize("bad", ["L/001", "L 001", "L?1", "L#1", "L%1", "L\\1", "L\x1b1"])
def test_ids_that_cannot_be_used_in_a_url_are_located_problems(tmp_path: Path, bad: str) -> None:
    tables = base_tables()
    for rows in tables.values():
        for row in rows[1:]:
            row[:] = [bad if c == "L001" else c for c in row]
    error = read_errors(write_csvs(tmp_path / "d", tables))
    assert ("leaders.csv", 2, "leader_id") in where(error.problems)


def test_utf16_without_bom_is_named_an_unsupported_encoding(tmp_path: Path) -> None:
    folder = write_csvs(tmp_path / "d", base_tables())
    (folder / "leaders.csv").write_bytes(csv_text(base_tables()["leaders"]).encode("utf-16-le"))
    error = read_errors(folder)
    [problem] = [p for p in error.problems if p.file == "leaders.csv"]
    assert "UTF-16" in problem.en and "BOM" in problem.en and problem.row is None


def test_utf16_with_bom_is_read(tmp_path: Path) -> None:
    folder = write_csvs(tmp_path / "d", base_tables())
    (folder / "leaders.csv").write_bytes(csv_text(base_tables()["leaders"]).encode("utf-16"))
    assert len(read_problem(folder).problem.leaders) == 3


def test_repeated_warnings_are_summarised(tmp_path: Path) -> None:
    folder = write_csvs(tmp_path / "d", base_tables())
    for i in range(300):
        (folder / f"stray{i:03d}.csv").write_text("a\n1\n", encoding="utf-8")
    warnings = [w for w in read_problem(folder).warnings if "ignored" in w.en]
    assert len(warnings) == 11
    assert "290 more" in warnings[-1].en


@pytest.fixture
def client(database_url: str, tmp_path: Path) -> Iterator[TestClient]:  # noqa: F811
    with TestClient(create_app(settings(tmp_path, database_url=database_url)), raise_server_exceptions=False) as c:
        yield c


def test_service_answers_422_never_500_for_nul_anywhere(client: TestClient) -> None:
    tables = term_tables()
    tables["leaders"][1][1] = "张\x00书记"
    r = client.post("/api/terms", files={"file": ("t.zip", zip_bytes(tables), "application/zip")}, headers=bearer())
    assert r.status_code == 422, r.text
    assert {"file": "leaders.csv", "row": 2, "column": "name"}.items() <= r.json()["problems"][0].items()
    r = client.post("/api/tokens", json={"name": "a\x00b", "role": "reader"}, headers=bearer())
    assert r.status_code == 422 and r.json()["problems"][0]["column"] == "body.name"
    for path in ("/api/terms/a%00b", "/api/plans/a%00b", "/api/jobs/a%00b", "/api/leaders/a%00b/feed"):
        r = client.get(path, headers=bearer())
        assert r.status_code == 422, (path, r.status_code)
        assert r.json()["problems"][0]["column"] == "path"
    r = client.delete("/api/tokens/a%00b", headers=bearer())
    assert r.status_code == 422
    r = client.get("/api/audit", params={"target": "\x00"}, headers=bearer())
    assert r.status_code == 422 and r.json()["problems"][0]["column"] == "query.target"


def test_service_refuses_a_filename_with_control_characters(client: TestClient) -> None:
    body = (
        b'--b\r\nContent-Disposition: form-data; name="file"; filename="t\x01.zip"\r\n'
        b"Content-Type: application/zip\r\n\r\n" + zip_bytes(term_tables()) + b"\r\n--b--\r\n"
    )  # written by hand: an HTTP client would escape the control character
    r = client.post("/api/terms", content=body, headers={**bearer(), "Content-Type": "multipart/form-data; boundary=b"})
    assert r.status_code == 422, r.text
    assert r.json()["problems"][0]["column"] == "file"


