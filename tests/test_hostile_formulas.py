"""Issue 11, class 3: no value taken from the data becomes a spreadsheet formula. CSVs carry a
formula-looking text with a leading ``'`` (and read back as written); workbooks hold it as text."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import openpyxl
import pytest
from conftest import base_tables, write_csvs
from typer.testing import CliRunner

from api.cli import app
from api.service.plans import events_csv, report_csv, report_xlsx
from data.cells import csv_bytes, csv_text, csv_untext, defuse_workbook
from data.plan_io import read_plan
from data.reader import read_problem
from data.template import write_template

HOSTILE_NAME = '=HYPERLINK("http://evil.example/x","点我")'
HOSTILE_ID = "=L001+1"  # safe in a URL, still a formula to Excel


@pytest.mark.parametrize(
    "value", ["=1+2", "+1", "-1", "@SUM(A1)", "\tx", "\rx", "'=1", "''=1", "'plain", "plain", "", "-"]
)
def test_csv_cells_round_trip_and_never_start_like_a_formula(value: str) -> None:
    written = csv_text(value)
    assert isinstance(written, str)
    assert not written.startswith(("=", "+", "-", "@", "\t", "\r"))
    assert csv_untext(written) == value


def test_csv_bytes_neutralise_every_cell() -> None:
    text = csv_bytes(("a", "b"), [{"a": "=cmd|' /C calc'!A0", "b": 3}]).decode()
    assert list(csv.reader(io.StringIO(text))) == [["a", "b"], ["'=cmd|' /C calc'!A0", "3"]]


def _no_formula_cells(content: bytes) -> list[str]:
    workbook = openpyxl.load_workbook(io.BytesIO(content))
    values = []
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"{sheet.title}!{cell.coordinate} is a formula: {cell.value!r}"
                values.append(str(cell.value))
    return values


def test_report_xlsx_holds_formula_looking_ids_and_details_as_text() -> None:
    report = [
        {"leader_id": HOSTILE_NAME, "requirement": "contact", "required": "1", "achieved": "0",
         "met": False, "detail": "=1+1"},
        {"leader_id": "@evil", "requirement": "contact", "required": "1", "achieved": "1", "met": True, "detail": "-2"},
    ]  # fmt: skip
    for lang in ("zh", "en"):
        values = _no_formula_cells(report_xlsx(report, lang))
        assert HOSTILE_NAME in values and "=1+1" in values and "@evil" in values


def test_defused_workbook_cells_are_text_after_saving(tmp_path: Path) -> None:
    workbook = openpyxl.Workbook()
    workbook.active["A1"] = "=SUM(1,2)"
    defuse_workbook(workbook).save(tmp_path / "x.xlsx")
    assert _no_formula_cells((tmp_path / "x.xlsx").read_bytes()) == ["=SUM(1,2)"]


def test_template_has_no_formula_cells(tmp_path: Path) -> None:
    write_template(tmp_path / "t.xlsx")
    _no_formula_cells((tmp_path / "t.xlsx").read_bytes())


def _hostile_term(folder: Path) -> Path:
    tables = base_tables()
    for rows in tables.values():
        for row in rows[1:]:
            for i, cell in enumerate(row):
                if cell == "L001":
                    row[i] = HOSTILE_ID
    tables["leaders"][1][1] = HOSTILE_NAME
    return write_csvs(folder, tables)


def test_cli_plan_files_neutralise_formulas_and_read_back(tmp_path: Path) -> None:
    data = _hostile_term(tmp_path / "data")
    problem = read_problem(data).problem
    assert any(x.leader_id == HOSTILE_ID and x.name == HOSTILE_NAME for x in problem.leaders)
    out = tmp_path / "plan"
    result = CliRunner().invoke(app, ["solve", str(data), "--out", str(out), "--time-limit", "5", "--quiet", "--workers", "1"])
    assert result.exit_code == 0, result.output
    for name in ("assignments.csv", "events.csv", "report.csv"):
        with (out / name).open(encoding="utf-8", newline="") as f:
            for row in csv.reader(f):
                for cell in row:
                    assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), (name, cell)
    assert f"'{HOSTILE_ID}" in (out / "report.csv").read_text(encoding="utf-8")
    plan = read_plan(out)
    assert HOSTILE_ID in {r.leader_id for r in plan.report}
    replanned = CliRunner().invoke(app, ["replan", str(data), "--previous", str(out), "--out", str(tmp_path / "plan2"), "--quiet", "--time-limit", "5"])
    assert replanned.exit_code == 0, replanned.output
    assert HOSTILE_ID in {r.leader_id for r in read_plan(tmp_path / "plan2").report}
    assert HOSTILE_ID in {e.leader_id for e in plan.events}
    # the service's exports of the same plan
    events = [{**e.__dict__, "start": e.start.isoformat(), "end": e.end.isoformat(), "date": e.start.date().isoformat()}
              for e in plan.events]  # fmt: skip
    assert f"'{HOSTILE_ID}".encode() in events_csv(events)
    report = [r.__dict__ for r in plan.report]
    assert f"'{HOSTILE_ID}".encode() in report_csv(report)
    assert HOSTILE_ID in _no_formula_cells(report_xlsx(report))
