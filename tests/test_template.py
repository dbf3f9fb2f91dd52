"""The empty input workbook: every sheet and column, an explanation row, and a clean round trip."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
from conftest import Tables, excel_value, read_errors, where, write_csvs

from data.headers import TABLES, column_for, stem_for
from data.reader import read_problem
from data.template import write_template

REQUIRED = [spec.stem for spec in TABLES if spec.required]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_template_has_every_sheet_and_column(tmp_path: Path, lang: str) -> None:
    write_template(tmp_path / "t.xlsx", lang)
    workbook = openpyxl.load_workbook(tmp_path / "t.xlsx")
    assert [stem_for(title) for title in workbook.sheetnames] == [spec.stem for spec in TABLES]
    for spec, sheet in zip(TABLES, workbook.worksheets, strict=True):
        header = [cell.value for cell in sheet[1]]
        assert [column_for(spec.stem, h) for h in header] == [c.name for c in spec.columns]
        notes = [cell.value for cell in sheet[2]]
        assert all(notes) and len(notes) == len(header)


def test_zh_template_uses_chinese_names_and_an_explanation_prefix(tmp_path: Path) -> None:
    write_template(tmp_path / "t.xlsx")
    workbook = openpyxl.load_workbook(tmp_path / "t.xlsx")
    assert "领导干部" in workbook.sheetnames and "节次" in workbook.sheetnames
    assert workbook["领导干部"]["A1"].value == "工号"
    assert workbook["领导干部"]["A2"].value.startswith("说明: ")


def test_en_template_uses_the_contract_names(tmp_path: Path) -> None:
    write_template(tmp_path / "t.xlsx", lang="en")
    workbook = openpyxl.load_workbook(tmp_path / "t.xlsx")
    assert workbook.sheetnames[:2] == ["term", "periods"]
    assert workbook["leaders"]["A1"].value == "leader_id"
    assert workbook["leaders"]["A2"].value.startswith("Note: ")


def test_unknown_language_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        write_template(tmp_path / "t.xlsx", lang="fr")


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_empty_template_reads_back_as_missing_data_not_a_crash(tmp_path: Path, lang: str) -> None:
    write_template(tmp_path / "t.xlsx", lang)
    error = read_errors(tmp_path / "t.xlsx")
    assert {p.row for p in error.problems} == {None}
    assert len(error.problems) == len(REQUIRED)
    sheets = [p.file.split("[")[1].rstrip("]") for p in error.problems]
    assert [stem_for(s) for s in sheets] == REQUIRED
    assert not error.warnings


def test_filled_template_reads_like_the_csv_folder(tmp_path: Path, tables: Tables) -> None:
    write_template(tmp_path / "t.xlsx")
    workbook = openpyxl.load_workbook(tmp_path / "t.xlsx")
    for sheet in workbook.worksheets:
        stem = stem_for(sheet.title)
        assert stem is not None
        if stem not in tables:
            continue
        names = [column_for(stem, cell.value) for cell in sheet[1]]
        header, *rows = tables[stem]
        for row in rows:
            values = dict(zip(header, row, strict=True))
            sheet.append([excel_value(values.get(str(name), "")) for name in names])
    workbook.save(tmp_path / "t.xlsx")
    from_template = read_problem(tmp_path / "t.xlsx")
    from_csv = read_problem(write_csvs(tmp_path / "csv", tables))
    assert from_template.problem == from_csv.problem
    assert where(from_template.warnings) == {("t.xlsx[节假日]", None, None)}  # 2027 estimated


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_template_documents_the_time_column_with_examples(tmp_path: Path, lang: str) -> None:
    write_template(tmp_path / "t.xlsx", lang)
    sheet = openpyxl.load_workbook(tmp_path / "t.xlsx")["课表" if lang == "zh" else "timetable"]
    header = [cell.value for cell in sheet[1]]
    column = header.index("上课时间" if lang == "zh" else "time") + 1
    note = sheet.cell(row=2, column=column).value
    assert "星期一第6-7节{1-16周}" in note
    comment = sheet.cell(row=1, column=column).comment.text
    for example in ("星期一第6-7节{1-16周}", "1-16(周)星期一[01-02节]", "[1-16单周]星期三[5-6节]", "[030405节]"):
        assert example in comment
    location = sheet.cell(row=2, column=header.index("地点" if lang == "zh" else "location") + 1).value
    assert ";" in location  # one room per meeting, in the same order
