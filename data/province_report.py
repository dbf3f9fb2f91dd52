"""The provincial workbook (省级汇总): one row per university and term, counts and shares only."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence
from typing import Any

import openpyxl
from openpyxl.styles import Font

from data.cells import defuse_workbook

HEADERS = {
    "university_id": ("高校编号", "university"), "university_name": ("高校名称", "university name"),
    "term_id": ("学期编号", "term"), "term_name": ("学期名称", "term name"), "status": ("状态", "status"),
    "published_at": ("发布时间 (UTC)", "published at (UTC)"), "leaders": ("领导人数", "leaders"), "events": ("安排次数", "events"),
    "unmet": ("未满足要求", "unmet requirements"), "as_of": ("统计截至 (UTC)", "as of (UTC)"), "compliant": ("达标", "compliant"),
    "partly": ("基本达标", "partly"), "non_compliant": ("未达标", "non-compliant"), "held": ("已开展走访", "held visits"),
    "confirmed": ("已确认", "confirmed"), "confirmed_share": ("确认比例", "confirmed share"),
    "response_rate": ("响应率", "response rate"), "resolution_rate": ("解决率", "resolution rate"),
    "satisfaction_rate": ("满意率", "satisfaction rate"), "items": ("诉求件数", "items"), "overdue": ("逾期", "overdue"),
    "escalated": ("督办", "escalated"), "flags": ("疑点", "flags"),
}  # fmt: skip
STATUS = {
    "none": ("未上传", "no term"), "uploaded": ("已上传", "uploaded"), "planned": ("已排程", "planned"),
    "published": ("已发布", "published"),
}  # fmt: skip
PERCENT = ("confirmed_share", "response_rate", "resolution_rate", "satisfaction_rate")


def province_xlsx(columns: Sequence[str], rows: Sequence[dict[str, Any]], lang: str = "zh") -> bytes:
    """The workbook: the summary sheet (one row per university and term) and a status count."""
    en = lang == "en"
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Province" if en else "省级汇总"
    sheet.append([HEADERS[c][1 if en else 0] for c in columns])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append([_cell(c, row.get(c), en) for c in columns])
    for index, column in enumerate(columns, start=1):
        if column in PERCENT:
            for (cell,) in sheet.iter_rows(min_row=2, min_col=index, max_col=index):
                cell.number_format = "0.0%"
    sheet.freeze_panes = "C2"
    counts = workbook.create_sheet("Status" if en else "状态统计")
    counts.append(["status" if en else "状态", "terms" if en else "学期数"])
    for key, names in STATUS.items():
        counts.append([names[1 if en else 0], sum(1 for r in rows if r.get("status") == key)])
    buffer = io.BytesIO()
    defuse_workbook(workbook).save(buffer)
    return buffer.getvalue()


def _cell(column: str, value: Any, en: bool) -> Any:
    if column == "status" and value in STATUS:
        return STATUS[value][1 if en else 0]
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).replace(tzinfo=None)
    return value
