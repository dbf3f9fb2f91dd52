"""Writing the compliance report (records contract, ``REPORT``): the CSV files, summary.json and
compliance.xlsx, a workbook an appraisal can use (三个纳入): a summary sheet per leader (verdict and
the figures behind it), the requirement detail, the flags, the feedback ledger with deadlines and
the three rates, with native charts (weekly coverage, confirmed share, rates). Chinese by default.

Every CSV goes through :func:`data.cells.write_csv`, the workbook through
:func:`data.cells.defuse_workbook`: no cell taken from the data is ever a formula.
"""

from __future__ import annotations

import datetime as dt
import io
import json
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import openpyxl
from openpyxl.chart import BarChart, LineChart, Reference
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.worksheet.worksheet import Worksheet

from data.cells import defuse_workbook, write_csv
from solver.evidence.report import (
    COMPLIANCE_COLUMNS,
    FEEDBACK_COLUMNS,
    FLAG_COLUMNS,
    LEADER_COLUMNS,
    RATE_COLUMNS,
    ComplianceReport,
)
from solver.evidence.requirements import REQUIREMENTS
from solver.evidence.verdict import VERDICT_NAMES

FILES = ("compliance.csv", "leaders.csv", "flags.csv", "feedback.csv", "feedback_rates.csv", "summary.json", "compliance.xlsx")

HEADERS = {
    "zh": {
        "leader_id": "工号", "leader_name": "姓名", "tier": "层级", "verdict": "结论", "held": "已开展",
        "confirmed": "已确认", "confirmed_share": "面对面走访确认比例", "flags": "疑点标记数",
        "items_owned": "承办诉求数", "response_rate": "响应率", "resolution_rate": "解决率",
        "satisfaction_rate": "满意率", "requirement": "要求", "required": "应达到", "planned": "计划",
        "excused": "免于计入", "met": "是否满足", "detail": "说明（缺什么、为什么）", "record_id": "走访记录编号",
        "flag": "标记", "item_id": "诉求编号", "raised_at": "提出时间", "unit_id": "联系对象",
        "category": "类别", "text": "诉求内容", "owner": "责任人", "responded_at": "答复时间",
        "resolved_at": "办结时间", "rating": "评价", "reopened": "重新办理次数", "anonymous": "匿名",
        "respond_by": "答复期限", "resolve_by": "办结期限", "state": "状态", "escalated": "督办",
        "items": "诉求数", "response_due": "应答复", "responded_on_time": "按时答复",
        "resolution_due": "应办结", "resolved_on_time": "按时办结", "rated": "已评价",
        "satisfied": "满意和基本满意", "overdue": "逾期", "week": "周次",
        "leaders_planned": "计划有走访的领导", "leaders_held": "已开展走访的领导",
        "req_weekly_contact": "每周接触（已开展/应达到）", "req_linked_unit": "联系对象", "req_lecture": "思政课",
        "req_seven_visits": "七进", "req_frontline_share": "一线时间（分钟）",
        "uid": "计划编号", "status": "开展情况", "start": "开始", "end": "结束", "visit_kind": "七进类别",
        "target_id": "走访对象", "attendees": "学生人数", "evidence": "学生确认", "reason": "未开展原因",
        "recorded_at": "记录时间", "note": "备注",
    },
    "en": {},
}
MARKS = {"zh": {"unmet": "未满足", "na": "—"}, "en": {"unmet": "unmet", "na": "-"}}
SHEETS = {
    "zh": {"summary": "汇总", "requirements": "要求明细", "flags": "疑点标记", "ledger": "诉求台账",
           "rates": "办理率", "weeks": "每周覆盖", "visits": "走访明细", "charts": "图表"},
    "en": {"summary": "summary", "requirements": "requirements", "flags": "flags", "ledger": "feedback",
           "rates": "rates", "weeks": "weekly coverage", "visits": "visits", "charts": "charts"},
}
VALUES = {
    "zh": {
        "requirement": {"weekly_contact": "每周接触", "linked_unit": "联系对象", "lecture": "思政课",
                        "seven_visits": "七进", "frontline_share": "一线时间（分钟）"},
        "flag": {"held_while_away": "外出期间记录走访", "overlap": "走访时间重叠", "travel_impossible": "校区间来不及",
                 "recorded_before_end": "结束前即记录", "disputed": "学生否认", "wrong_unit_confirmation": "非走访对象确认",
                 "checkin_outside_visit": "走访时间外签到", "late_record": "超过 7 天补记"},
        "state": {"open": "待答复", "answered": "已答复", "resolved": "已办结", "reopened": "重新办理",
                  "overdue": "逾期", "escalated": "督办"},
        "category": {"study": "学业", "ideology": "思想", "mental": "心理", "life": "生活", "employment": "就业",
                     "safety": "安全", "other": "其他"},
        "rating": {"satisfied": "满意", "basically": "基本满意", "unsatisfied": "不满意"},
        "tier": {"school": "校领导", "department": "机关部处", "college": "院系", "student_affairs": "学生工作部门"},
        "bool": {"true": "是", "false": "否"},
        "status": {"held": "已开展", "not_held": "未开展"},
        "evidence": {"confirmed": "已确认", "self_reported": "仅本人填报", "disputed": "被否认"},
        "visit_kind": {"classroom": "进课堂", "class": "进班级", "dorm": "进宿舍", "canteen": "进食堂",
                       "society": "进社团", "lecture": "进讲座", "online": "进网络"},
        "owner": {"TOTAL": "合计"},
    },
    "en": {},
}
CHART_TITLES = {
    "zh": {"weeks": "每周面对面走访：计划、已开展、已确认", "share": "各领导面对面走访确认比例", "rates": "诉求办理：响应率、解决率、满意率",
           "count": "次数", "share_axis": "比例"},
    "en": {"weeks": "Face-to-face visits per week: planned, held, confirmed", "share": "Confirmed share of held face-to-face visits",
           "rates": "Feedback: response, resolution and satisfaction rates", "count": "visits", "share_axis": "share"},
}
_BOLD = Font(bold=True)
_HEAD_FILL = PatternFill("solid", fgColor="DDEBF7")
_VERDICT_FILL = {"compliant": "C6EFCE", "partly": "FFEB9C", "non_compliant": "FFC7CE"}
_PERCENT_COLUMNS = {"confirmed_share", "response_rate", "resolution_rate", "satisfaction_rate"}


def write_compliance(report: ComplianceReport, out_dir: str | Path, lang: str = "zh") -> Path:
    """Every REPORT file of the records contract in ``out_dir``."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    write_csv(out / "compliance.csv", COMPLIANCE_COLUMNS, report.compliance_rows())
    write_csv(out / "leaders.csv", LEADER_COLUMNS, report.leader_rows())
    write_csv(out / "flags.csv", FLAG_COLUMNS, report.flag_rows())
    write_csv(out / "feedback.csv", FEEDBACK_COLUMNS, report.feedback_rows())
    write_csv(out / "feedback_rates.csv", RATE_COLUMNS, report.rate_rows())
    (out / "summary.json").write_text(
        json.dumps(report.summary(), ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
    (out / "compliance.xlsx").write_bytes(compliance_xlsx(report, lang))
    return out


# the workbook ------------------------------------------------------------------------------------
def _header(column: str, lang: str) -> str:
    return HEADERS["zh"].get(column, column) if lang == "zh" else column


def _shown(column: str, value: Any, lang: str) -> Any:
    """A cell as a person reads it: codes in words (Chinese), rates as numbers."""
    if column in _PERCENT_COLUMNS:
        return None if value == "" else value
    if lang != "zh":
        return value
    words = VALUES["zh"]
    if column == "verdict":
        return VERDICT_NAMES["zh"].get(str(value), value)
    if column in ("met", "anonymous", "escalated"):
        return words["bool"].get(str(value), value)
    table = words.get(column)
    return table.get(str(value), value) if isinstance(table, dict) else value


def _sheet(wb: openpyxl.Workbook, title: str, columns: tuple[str, ...], rows: list[dict[str, Any]], lang: str) -> Worksheet:
    ws = wb.create_sheet(title)
    ws.append([_header(c, lang) for c in columns])
    for row in rows:
        ws.append([_shown(c, row.get(c, ""), lang) for c in columns])
    for index, column in enumerate(columns, start=1):
        cell = ws.cell(row=1, column=index)
        cell.font, cell.fill = _BOLD, _HEAD_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        letter = cell.column_letter
        width = max([len(str(_header(column, lang)))] + [len(str(r.get(column, ""))) for r in rows[:200]])
        ws.column_dimensions[letter].width = min(60, max(8, width + 2))
        if column in _PERCENT_COLUMNS:
            for (c,) in ws.iter_rows(min_row=2, min_col=index, max_col=index):
                c.number_format = "0.0%"
    ws.freeze_panes = "C2" if columns[:2] == ("leader_id", "leader_name") else "B2"
    ws.auto_filter.ref = ws.dimensions
    return ws


def _color_verdicts(ws: Worksheet, report: ComplianceReport) -> None:
    column = LEADER_COLUMNS.index("verdict") + 1
    for row, leader in enumerate(report.leaders, start=2):
        ws.cell(row=row, column=column).fill = PatternFill("solid", fgColor=_VERDICT_FILL[leader.verdict])


SUMMARY_COLUMNS = (*LEADER_COLUMNS, *(f"req_{r}" for r in REQUIREMENTS))
VISIT_COLUMNS = (
    "record_id", "leader_id", "leader_name", "status", "start", "end", "visit_kind", "target_id",
    "evidence", "flags", "reason",
)  # fmt: skip (the sheet has a row per record: what an auditor needs, no more)


def _visit_rows(report: ComplianceReport) -> list[dict[str, Any]]:
    """Every record with its evidence and flags: what an auditor checks visit by visit."""
    zone = ZoneInfo(report.timezone)
    flags: dict[str, list[str]] = {}
    for f in report.flags:
        flags.setdefault(f.record_id, []).append(f.flag)

    def moment(m: dt.datetime | None) -> str:
        return m.astimezone(zone).strftime("%Y-%m-%d %H:%M") if m else ""

    return [
        {"record_id": v.record_id, "leader_id": v.leader_id, "leader_name": report.names.get(v.leader_id, ""),
         "status": v.status, "start": moment(v.start), "end": moment(v.end),
         "visit_kind": v.visit_kind or "", "target_id": v.target_id or "",
         "evidence": report.evidence.get(v.record_id, ""), "flags": "; ".join(flags.get(v.record_id, [])),
         "reason": v.reason}
        for v in report.visits
    ]


def _summary_rows(report: ComplianceReport, lang: str) -> list[dict[str, Any]]:
    """leaders.csv with, per requirement, what was held of what was required (the figures behind
    the verdict)."""
    marks = MARKS[lang]
    cells: dict[str, dict[str, str]] = {}
    for r in report.requirements:
        text = marks["na"] if not r.required else f"{r.held}/{r.required}" + ("" if r.met else f" {marks['unmet']}")
        cells.setdefault(r.leader_id, {})[f"req_{r.requirement}"] = text
    return [{**row, **cells.get(str(row["leader_id"]), {})} for row in report.leader_rows()]


def compliance_xlsx(report: ComplianceReport, lang: str = "zh") -> bytes:
    """compliance.xlsx as bytes (Chinese by default)."""
    lang = "en" if lang == "en" else "zh"
    names = SHEETS[lang]
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    summary = _sheet(wb, names["summary"], SUMMARY_COLUMNS, _summary_rows(report, lang), lang)
    _color_verdicts(summary, report)
    _sheet(wb, names["requirements"], COMPLIANCE_COLUMNS, report.compliance_rows(), lang)
    _sheet(wb, names["flags"], ("record_id", "leader_id", "leader_name", "flag", "detail"),
           [{**row, "leader_name": report.names.get(str(row["leader_id"]), "")} for row in report.flag_rows()], lang)
    _sheet(wb, names["ledger"], FEEDBACK_COLUMNS, report.feedback_rows(), lang)
    rates = _sheet(wb, names["rates"], RATE_COLUMNS, report.rate_rows(), lang)
    _sheet(wb, names["visits"], VISIT_COLUMNS, _visit_rows(report), lang)
    week_columns = ("week", "planned", "held", "confirmed", "leaders_planned", "leaders_held")
    weeks = _sheet(wb, names["weeks"], week_columns, [w.__dict__ for w in report.weeks], lang)
    _charts(wb.create_sheet(names["charts"]), summary, weeks, rates, report, lang)
    defuse_workbook(wb)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _charts(ws: Worksheet, summary: Worksheet, weeks: Worksheet, rates: Worksheet, report: ComplianceReport, lang: str) -> None:
    titles = CHART_TITLES[lang]
    coverage = LineChart()
    coverage.title, coverage.y_axis.title, coverage.height, coverage.width = titles["weeks"], titles["count"], 8, 24
    n = len(report.weeks)
    coverage.add_data(Reference(weeks, min_col=2, max_col=4, min_row=1, max_row=n + 1), titles_from_data=True)
    coverage.set_categories(Reference(weeks, min_col=1, min_row=2, max_row=n + 1))
    ws.add_chart(coverage, "A1")
    share = BarChart()
    share.type, share.title, share.height, share.width = "bar", titles["share"], max(8, len(report.leaders) * 0.45), 24
    column = LEADER_COLUMNS.index("confirmed_share") + 1
    leaders = len(report.leaders)
    share.add_data(Reference(summary, min_col=column, min_row=1, max_row=leaders + 1), titles_from_data=True)
    share.set_categories(Reference(summary, min_col=2, min_row=2, max_row=leaders + 1))
    share.y_axis.title, share.y_axis.number_format = titles["share_axis"], "0%"
    share.y_axis.scaling.min, share.y_axis.scaling.max = 0, 1
    ws.add_chart(share, "A18")
    chart = BarChart()
    chart.title, chart.height, chart.width = titles["rates"], 8, 24
    owners = len(report.rates)
    for name in ("response_rate", "resolution_rate", "satisfaction_rate"):
        col = RATE_COLUMNS.index(name) + 1
        chart.add_data(Reference(rates, min_col=col, min_row=1, max_row=owners + 1), titles_from_data=True)
    chart.set_categories(Reference(rates, min_col=1, min_row=2, max_row=owners + 1))
    chart.y_axis.number_format, chart.y_axis.scaling.min, chart.y_axis.scaling.max = "0%", 0, 1
    ws.add_chart(chart, "P1")
