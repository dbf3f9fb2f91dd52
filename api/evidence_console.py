"""What ``frontline compliance`` prints: a short summary of the report."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

from rich.console import Console

from solver.evidence.report import ComplianceReport
from solver.evidence.verdict import VERDICT_NAMES, VERDICTS

WORDS = {
    "zh": {
        "written": "考核报告已写入 {out}",
        "line": "截至 {as_of}：{leaders} 位领导，{verdicts}；已开展走访 {held} 次，经学生确认 {confirmed} 次；疑点标记 {flags} 条",
        "rates": "学生诉求 {items} 件：响应率 {response}，解决率 {resolution}，满意率 {satisfaction}",
        "flags": "疑点标记：{kinds}",
        "none": "—",
    },
    "en": {
        "written": "Compliance report written to {out}",
        "line": "As of {as_of}: {leaders} leaders, {verdicts}; {held} visits held, {confirmed} confirmed by students; {flags} flag(s)",
        "rates": "{items} student item(s): response rate {response}, resolution rate {resolution}, satisfaction rate {satisfaction}",
        "flags": "Flags: {kinds}",
        "none": "-",
    },
}


def parse_as_of(text: str | None, timezone: str) -> dt.datetime | None:
    """``--as-of``: a date (its end, 23:59) or an ISO date-time; read in the term's time zone."""
    if text is None:
        return None
    cleaned = text.strip().replace(" ", "T", 1)
    try:
        if len(cleaned) == 10:
            moment = dt.datetime.combine(dt.date.fromisoformat(cleaned), dt.time(23, 59))
        else:
            moment = dt.datetime.fromisoformat(cleaned)
    except ValueError:
        raise ValueError(
            f"--as-of: {text!r} 不是日期或日期时间，例如 2026-11-30 或 2026-11-30T18:00 / "
            "not a date or date-time, e.g. 2026-11-30 or 2026-11-30T18:00"
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=ZoneInfo(timezone))


def _pct(value: object, lang: str) -> str:
    return f"{value:.1%}" if isinstance(value, float) else WORDS[lang]["none"]


def print_compliance(console: Console, report: ComplianceReport, out_dir: Path, lang: str) -> None:
    lang = "en" if lang == "en" else "zh"
    w = WORDS[lang]
    s = report.summary()
    sep = "，" if lang == "zh" else ", "
    verdicts = sep.join(f"{VERDICT_NAMES[lang][v]} {s[v]}" for v in VERDICTS)
    console.print(w["written"].format(out=out_dir), markup=False, highlight=False)
    console.print(w["line"].format(
        as_of=report.as_of.strftime("%Y-%m-%d %H:%M"), leaders=s["leaders"], verdicts=verdicts,
        held=s["held"], confirmed=s["confirmed"], flags=s["flags"],
    ), markup=False, highlight=False)  # fmt: skip
    kinds = s["flags_by_kind"]
    if isinstance(kinds, dict) and kinds:
        console.print(w["flags"].format(kinds=sep.join(f"{k} {n}" for k, n in kinds.items())), markup=False, highlight=False)
    console.print(w["rates"].format(
        items=s["items"], response=_pct(s["response_rate"], lang), resolution=_pct(s["resolution_rate"], lang),
        satisfaction=_pct(s["satisfaction_rate"], lang),
    ), markup=False, highlight=False)  # fmt: skip
