"""RECORDS in and REPORT out: reading (located problems, Chinese headers, encodings, workbooks,
uploads), writing the records back, the report files and the workbook (no formula from data,
native charts), and the CLI on the bundled demo."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from pathlib import Path

import openpyxl
import pytest
from evidence_support import confirmation, plan_of, visit
from factories import leader, tiny
from typer.testing import CliRunner

from api.cli import app
from data import DEMO_DIR
from data.evidence_files import (
    compliance_xlsx,
    read_records,
    read_records_bytes,
    records_zip,
    write_compliance,
    write_records,
)
from data.evidence_report import FILES
from data.plan_io import read_plan
from data.problems import InputError
from data.reader import read_problem
from data.template import write_records_template
from solver.evidence.flags import FLAGS
from solver.evidence.records import FEEDBACK_STATES, RecordSet
from solver.evidence.report import compliance
from solver.evidence.verdict import VERDICTS

PLAN_DIR = DEMO_DIR / "plan"
RECORDS_DIR = DEMO_DIR / "records"
runner = CliRunner()


@pytest.fixture(scope="module")
def demo():
    problem = read_problem(DEMO_DIR).problem
    return problem, read_plan(PLAN_DIR)


def write(folder: Path, name: str, rows: list[list[str]], encoding: str = "utf-8") -> None:
    folder.mkdir(parents=True, exist_ok=True)
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    (folder / name).write_bytes(out.getvalue().encode(encoding))


VISIT_HEADER = ["record_id", "uid", "leader_id", "status", "start", "end", "visit_kind", "target_id", "attendees", "reason", "recorded_at", "note"]


def problems_of(folder: Path, demo) -> list[str]:
    with pytest.raises(InputError) as caught:
        read_records(folder, *demo)
    return [p.format("en") for p in caught.value.problems]


# reading ------------------------------------------------------------------------------------------
def test_the_demo_records_read_without_problems(demo) -> None:
    read = read_records(RECORDS_DIR, *demo)
    assert len(read.records.visits) > 1000 and read.records.confirmations and len(read.records.feedback) >= 14
    assert read.warnings == ()


def test_every_bad_visit_is_located(tmp_path: Path, demo) -> None:
    problem, plan = demo
    e = next(x for x in plan.events if x.leader_id == "L01")
    rows = [
        VISIT_HEADER,
        ["R1", "", "LX", "held", "2026-09-08 19:00", "2026-09-08 20:00", "dorm", "D01", "", "", "2026-09-08 21:00", ""],
        ["R2", e.uid, "L02", "held", "2026-09-08 19:00", "2026-09-08 20:00", "", "", "", "", "2026-09-08 21:00", ""],
        ["R3", "nope@frontline", "L01", "not_held", "", "", "", "", "", "", "2026-09-08 21:00", ""],
        ["R4", "", "L01", "held", "", "", "dorm", "NOWHERE", "", "", "2026-09-08 21:00", ""],
        ["R5", "", "L01", "held", "2026-09-08 20:00", "2026-09-08 19:00", "dorm", "D01", "-3", "", "2026-09-08 21:00", ""],
        ["R5", "", "L01", "maybe", "2026-09-08", "2026-09-08 20:00", "dorm", "D01", "", "", "yesterday", ""],
    ]
    write(tmp_path, "visits.csv", rows)
    found = problems_of(tmp_path, demo)
    expect = [
        "visits.csv:2:leader_id:", "visits.csv:3:leader_id:", "visits.csv:4:uid:", "visits.csv:4:reason:",
        "visits.csv:5:start:", "visits.csv:5:target_id:", "visits.csv:6:end:", "visits.csv:6:attendees:",
        "visits.csv:7:record_id:", "visits.csv:7:status:", "visits.csv:7:start:", "visits.csv:7:recorded_at:",
    ]
    for where in expect:
        assert any(p.startswith(where) for p in found), (where, found)


def test_bad_confirmations_and_feedback_are_located(tmp_path: Path, demo) -> None:
    problem, plan = demo
    write(tmp_path, "visits.csv", [VISIT_HEADER, ["R1", "", "L01", "held", "2026-09-08 19:00", "2026-09-08 20:00", "dorm", "D01", "", "", "2026-09-08 21:00", ""]])
    write(tmp_path, "confirmations.csv", [
        ["record_id", "source", "result", "by", "at"],
        ["R9", "unit", "confirmed", "D01", "2026-09-08 21:00"],
        ["R1", "letter", "confirmed", "D01", "2026-09-08 21:00"],
        ["R1", "unit", "confirmed", "NOUNIT", "2026-09-08 21:00"],
    ])
    write(tmp_path, "feedback.csv", [
        ["item_id", "raised_at", "record_id", "unit_id", "category", "text", "owner", "responded_at", "rating"],
        ["F1", "2026-09-08 20:00", "R7", "", "weather", "x", "L01", "2026-09-07 10:00", "great"],
    ])
    found = problems_of(tmp_path, demo)
    for where in ("confirmations.csv:2:record_id:", "confirmations.csv:3:source:",
                  "feedback.csv:2:record_id:", "feedback.csv:2:category:", "feedback.csv:2:responded_at:", "feedback.csv:2:rating:"):
        assert any(p.startswith(where) for p in found), (where, found)
    assert not any(p.startswith("confirmations.csv:4:") for p in found)  # another unit: flagged, not refused


def test_doubtful_but_readable_rows_are_warnings(tmp_path: Path, demo) -> None:
    problem, plan = demo
    e = next(x for x in plan.events if x.leader_id == "L01")
    when = e.start.strftime("%Y-%m-%d %H:%M"), e.end.strftime("%Y-%m-%d %H:%M")
    write(tmp_path, "visits.csv", [VISIT_HEADER, ["R1", e.uid, "L01", "held", *when, "", "", "", "", "2026-12-01 10:00", ""],
                                   ["R2", e.uid, "L01", "held", *when, "", "", "", "", "2026-12-01 10:00", ""]])
    write(tmp_path, "confirmations.csv", [["record_id", "source", "result", "by", "at"], ["R1", "unit", "confirmed", "NOUNIT", "2026-12-01 10:00"]])
    write(tmp_path, "feedback.csv", [["item_id", "raised_at", "unit_id", "category", "text", "owner", "rating"],
                                     ["F1", "2026-10-08 20:00", "NOUNIT", "life", "热水", "后勤管理处", "满意"]])
    read = read_records(tmp_path, problem, plan)
    assert {(w.file, w.row, w.column) for w in read.warnings} == {
        ("visits.csv", 3, "uid"), ("confirmations.csv", 2, "by"), ("feedback.csv", 2, "unit_id"), ("feedback.csv", 2, "rating"),
    }
    report = compliance(problem, plan, read.records)
    assert ("R1", "wrong_unit_confirmation") in {(f.record_id, f.flag) for f in report.flags}


def test_a_missing_visits_file_and_column_are_problems(tmp_path: Path, demo) -> None:
    write(tmp_path, "confirmations.csv", [["record_id", "source", "result", "by", "at"]])
    assert any("visits" in p for p in problems_of(tmp_path, demo))
    write(tmp_path / "b", "visits.csv", [VISIT_HEADER[:-2]])
    assert any(p.startswith("visits.csv:1:recorded_at:") for p in problems_of(tmp_path / "b", demo))


def test_chinese_headers_and_gbk(tmp_path: Path, demo) -> None:
    header = ["记录编号", "计划编号", "工号", "开展情况", "开始时间", "结束时间", "七进类别", "走访对象编号", "学生人数", "未开展原因", "记录时间"]
    write(tmp_path, "走访记录.csv", [header, ["R1", "", "L01", "已开展", "2026-09-08 19:00", "2026-09-08 20:00", "进宿舍", "D01", "12", "", "2026-09-08 21:00"]], "gb18030")
    write(tmp_path, "学生确认.csv", [["记录编号", "确认方式", "确认结果", "确认人", "确认时间"], ["R1", "联系对象确认", "属实", "D01", "2026-09-08 21:00"]], "gb18030")
    records = read_records(tmp_path, *demo).records
    assert (records.visits[0].status, records.visits[0].visit_kind, records.confirmations[0].source) == ("held", "dorm", "unit")


def test_the_records_template_reads_back_and_takes_rows(tmp_path: Path, demo) -> None:
    path = tmp_path / "records.xlsx"
    write_records_template(path)
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["走访记录", "学生确认", "学生诉求台账"]
    sheet = wb["走访记录"]
    assert sheet.cell(2, 1).value.startswith("说明: ")  # one line of help per column
    assert all(sheet.cell(2, c).value for c in range(1, sheet.max_column + 1))
    assert read_records(path, *demo).records == RecordSet()
    sheet.append(["R1", "", "L01", "已开展", "2026-09-08 19:00", "2026-09-08 20:00", "dorm", "D01", 12, "", "2026-09-08 21:00"])
    wb.save(path)
    assert read_records(path, *demo).records.visits[0].attendees == 12


def test_records_written_read_back_the_same(tmp_path: Path, demo) -> None:
    records = read_records(RECORDS_DIR, *demo).records
    write_records(records, tmp_path, demo[0].term.timezone)
    assert read_records(tmp_path, *demo).records == records


def test_an_uploaded_zip_gives_the_same_report(demo) -> None:
    problem, plan = demo
    records = read_records(RECORDS_DIR, *demo).records
    again = read_records_bytes("records.zip", records_zip(records, problem.term.timezone), problem, plan).records
    assert compliance(problem, plan, again).leader_rows() == compliance(problem, plan, records).leader_rows()


def test_an_uploaded_zip_may_not_unpack_beyond_the_limit(demo) -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("visits.csv", "record_id\n" + "R\n" * 200_000)
    with pytest.raises(InputError) as caught:
        read_records_bytes("big.zip", out.getvalue(), *demo, max_unzipped=100_000)
    assert "100000" in caught.value.problems[0].en


def test_an_upload_that_is_no_workbook_or_zip_is_refused(demo) -> None:
    with pytest.raises(InputError):
        read_records_bytes("x.pdf", b"%PDF-1.4", *demo)


# writing the report ----------------------------------------------------------------------------------
EVIL = '=HYPERLINK("http://x","y")'


def test_no_cell_from_the_data_becomes_a_formula(tmp_path: Path) -> None:
    problem = tiny(weeks=1, leaders=(leader("L1", tier="department", contact_every_weeks=1, name=EVIL),))
    records = RecordSet((visit(note=EVIL),), (confirmation(),), ())
    report = compliance(problem, plan_of(), records)
    write_compliance(report, tmp_path)
    wb = openpyxl.load_workbook(tmp_path / "compliance.xlsx")
    cells = [c for ws in wb.worksheets for row in ws.iter_rows() for c in row]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    assert any(c.value == EVIL for c in cells)
    text = (tmp_path / "leaders.csv").read_text(encoding="utf-8")
    assert "'" + EVIL.replace('"', '""') in text


def test_the_workbook_has_every_sheet_and_native_charts(demo) -> None:
    problem, plan = demo
    report = compliance(problem, plan, read_records(RECORDS_DIR, *demo).records)
    wb = openpyxl.load_workbook(io.BytesIO(compliance_xlsx(report)))
    assert wb.sheetnames == ["汇总", "要求明细", "疑点标记", "诉求台账", "办理率", "走访明细", "每周覆盖", "图表"]
    assert wb["汇总"].cell(1, 4).value == "结论" and wb["汇总"].cell(2, 4).value in ("达标", "基本达标", "未达标")
    charts = openpyxl.load_workbook(io.BytesIO(compliance_xlsx(report)))["图表"]
    assert len(charts._charts) == 3  # noqa: SLF001 - openpyxl keeps a sheet's charts there
    english = openpyxl.load_workbook(io.BytesIO(compliance_xlsx(report, "en")))
    assert english.sheetnames[0] == "summary" and english["summary"].cell(1, 1).value == "leader_id"


# the CLI -------------------------------------------------------------------------------------------------
def test_the_cli_writes_every_report_file_for_the_demo(tmp_path: Path) -> None:
    out = tmp_path / "report"
    result = runner.invoke(app, ["compliance", str(DEMO_DIR), "--plan", str(PLAN_DIR), "--records", str(RECORDS_DIR), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == sorted(FILES)
    flags = {row["flag"] for row in csv.DictReader((out / "flags.csv").open(encoding="utf-8"))}
    verdicts = {row["verdict"] for row in csv.DictReader((out / "leaders.csv").open(encoding="utf-8"))}
    states = {row["state"] for row in csv.DictReader((out / "feedback.csv").open(encoding="utf-8"))}
    assert flags == set(FLAGS) and verdicts == set(VERDICTS) and states == set(FEEDBACK_STATES)
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["as_of"] == "2027-01-10T23:59:00+08:00" and summary["leaders"] == 40
    assert {"held", "confirmed", "flags", "response_rate", "resolution_rate", "satisfaction_rate", *VERDICTS} <= set(summary)
    excused = [r for r in csv.DictReader((out / "compliance.csv").open(encoding="utf-8")) if r["excused"] != "0"]
    assert excused and excused[0]["leader_id"] == "L06"  # the Central Party School, weeks 9-10
    assert "达标" in result.output


def test_the_cli_exits_2_on_bad_records_with_located_problems(tmp_path: Path) -> None:
    write(tmp_path, "visits.csv", [VISIT_HEADER, ["R1", "", "LX", "held", "", "", "dorm", "D01", "", "", "2026-09-08 21:00", ""]])
    result = runner.invoke(app, ["compliance", str(DEMO_DIR), "--plan", str(PLAN_DIR), "--records", str(tmp_path), "--out", str(tmp_path / "r"), "--lang", "en"])
    assert result.exit_code == 2
    assert "visits.csv:2:leader_id: unknown leader LX" in result.output and "visits.csv:2:start:" in result.output
    assert not (tmp_path / "r").exists()


def test_the_cli_reads_as_of_and_refuses_a_bad_one(tmp_path: Path) -> None:
    args = ["compliance", str(DEMO_DIR), "--plan", str(PLAN_DIR), "--records", str(RECORDS_DIR), "--out", str(tmp_path)]
    assert runner.invoke(app, [*args, "--as-of", "someday"]).exit_code == 2
    assert runner.invoke(app, [*args, "--as-of", "2026-10-31", "--lang", "en"]).exit_code == 0
    assert json.loads((tmp_path / "summary.json").read_text())["as_of"] == "2026-10-31T23:59:00+08:00"


def test_the_cli_writes_the_records_template(tmp_path: Path) -> None:
    result = runner.invoke(app, ["template", "--records", str(tmp_path / "r.xlsx")])
    assert result.exit_code == 0 and openpyxl.load_workbook(tmp_path / "r.xlsx").sheetnames[0] == "走访记录"
    assert runner.invoke(app, ["template"]).exit_code == 2


def test_the_bundled_demo_plan_and_records_are_regenerated_ones(demo) -> None:
    """After an intended change of the first-fit plan: ``python -m data.evidence_gen``."""
    from data.evidence_gen import demo_records, first_fit_plan

    problem, bundled = demo
    plan = first_fit_plan(problem)
    assert [(e.uid, e.start) for e in plan.events] == [(e.uid, e.start) for e in bundled.events]
    assert read_records(RECORDS_DIR, *demo).records == demo_records(problem, bundled)


def test_a_check_in_needs_its_minute_a_callback_may_give_a_date(tmp_path: Path, demo) -> None:
    write(tmp_path, "visits.csv", [VISIT_HEADER, ["R1", "", "L01", "held", "2026-09-08 19:00", "2026-09-08 20:00", "dorm", "D01", "", "", "2026-09-08 21:00", ""]])
    write(tmp_path, "confirmations.csv", [["record_id", "source", "result", "by", "at"],
                                          ["R1", "callback", "confirmed", "组织部 刘芳", "2026-09-10"],
                                          ["R1", "checkin", "confirmed", "k1", "2026-09-08"]])
    found = problems_of(tmp_path, demo)
    assert [p.split(": ")[0] for p in found] == ["confirmations.csv:3:at"]
