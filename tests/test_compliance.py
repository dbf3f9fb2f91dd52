"""The compliance workbook: one row per leader, one column per requirement, every report row."""

import io

import openpyxl

from data.compliance import compliance_workbook

REPORT = [
    {"leader_id": "L1", "requirement": "weekly_contact", "required": "17", "achieved": "15", "met": False,
     "detail": "第9-10周: 出差: 中央党校"},
    {"leader_id": "L1", "requirement": "lecture", "required": "1", "achieved": "1", "met": True, "detail": ""},
    {"leader_id": "L2", "requirement": "weekly_contact", "required": "9", "achieved": "9", "met": "true", "detail": ""},
    {"leader_id": "L2", "requirement": "lecture", "required": "0", "achieved": "0", "met": "true", "detail": ""},
]


def sheets(data: bytes) -> dict[str, list[tuple]]:
    book = openpyxl.load_workbook(io.BytesIO(data))
    return {s.title: [tuple(r) for r in s.iter_rows(values_only=True)] for s in book.worksheets}


def test_summary_has_a_row_per_leader_and_counts_unmet_requirements():
    summary = sheets(compliance_workbook(REPORT))["汇总"]
    assert summary[0] == ("工号", "每周接触", "思政课", "未满足项数")
    assert summary[1] == ("L1", "15/17 未满足", "1/1", 1)
    assert summary[2] == ("L2", "9/9", "—", 0)


def test_detail_keeps_every_row_and_reason_in_english_too():
    detail = sheets(compliance_workbook(REPORT, lang="en"))["detail"]
    assert len(detail) == 1 + len(REPORT)
    assert detail[1] == ("L1", "weekly contact", "17", "15", "unmet", "第9-10周: 出差: 中央党校")
