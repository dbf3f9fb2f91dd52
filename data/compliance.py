"""The compliance workbook an office files for "三个纳入": a summary per leader (one column per
requirement) and the report rows in full, written with pandas."""

from __future__ import annotations

import io
from collections.abc import Iterable, Mapping
from typing import Any

import pandas as pd

from data.cells import defuse_workbook

REQUIREMENTS = ("weekly_contact", "linked_unit", "lecture", "seven_visits", "frontline_share")
WORDS = {
    "zh": {
        "summary": "汇总", "detail": "明细", "leader_id": "工号", "unmet": "未满足项数",
        "weekly_contact": "每周接触", "linked_unit": "联系对象", "lecture": "思政课", "seven_visits": "七进",
        "frontline_share": "一线时间", "requirement": "要求", "required": "应达到", "achieved": "实际",
        "met": "是否满足", "reason": "原因", "yes": "满足", "no": "未满足", "na": "—",
    },
    "en": {
        "summary": "summary", "detail": "detail", "leader_id": "leader_id", "unmet": "unmet",
        "weekly_contact": "weekly contact", "linked_unit": "linked unit", "lecture": "lecture",
        "seven_visits": "seven visits", "frontline_share": "frontline share", "requirement": "requirement",
        "required": "required", "achieved": "achieved", "met": "met", "reason": "reason",
        "yes": "met", "no": "unmet", "na": "-",
    },
}


def compliance_workbook(report: Iterable[Mapping[str, Any]], lang: str = "zh") -> bytes:
    """Report rows (``leader_id, requirement, required, achieved, met, detail``) as an .xlsx."""
    w = WORDS["en" if lang == "en" else "zh"]
    rows = pd.DataFrame(list(report), columns=["leader_id", "requirement", "required", "achieved", "met", "detail"])
    rows["met"] = rows["met"].map(_truthy)
    applies = rows["required"].astype(str).str.strip().isin(["", "0", "0.0", "0.00"]).map(lambda x: not x)
    cell = rows["achieved"].astype(str) + "/" + rows["required"].astype(str)
    rows["cell"] = cell.where(applies, w["na"]).where(~(applies & ~rows["met"]), cell + " " + w["no"])
    summary = rows.pivot_table(index="leader_id", columns="requirement", values="cell", aggfunc="first")
    summary = summary.reindex(columns=[r for r in REQUIREMENTS if r in summary.columns])
    summary[w["unmet"]] = rows[~rows["met"]].groupby("leader_id").size().reindex(summary.index, fill_value=0)
    summary = summary.rename(columns={r: w[r] for r in REQUIREMENTS}).rename_axis(w["leader_id"])
    detail = rows.drop(columns="cell").assign(
        met=rows["met"].map({True: w["yes"], False: w["no"]}),
        requirement=rows["requirement"].map(lambda r: w.get(r, r)),
    ).rename(columns={
        "leader_id": w["leader_id"], "requirement": w["requirement"], "required": w["required"],
        "achieved": w["achieved"], "met": w["met"], "detail": w["reason"],
    })
    out = io.BytesIO()
    with pd.ExcelWriter(out, engine="openpyxl") as writer:
        summary.to_excel(writer, sheet_name=w["summary"])
        detail.to_excel(writer, sheet_name=w["detail"], index=False)
        defuse_workbook(writer.book)
        for sheet in writer.book.worksheets:
            sheet.freeze_panes = "B2"
            for column in sheet.columns:
                width = max(len(str(c.value or "")) for c in column)
                sheet.column_dimensions[column[0].column_letter].width = min(80, max(10, width + 2))
    return out.getvalue()


def _truthy(value: object) -> bool:
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() in ("true", "1", "yes", "是")
