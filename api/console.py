"""What the command line shows a person: summaries, tables and live solve progress (rich)."""

from __future__ import annotations

import datetime as dt
import time
from collections import Counter
from pathlib import Path
from types import TracebackType
from zoneinfo import ZoneInfo

from rich.console import Console
from rich.live import Live
from rich.table import Table
from rich.text import Text

from solver.diagnose import Diagnosis
from solver.problem import Problem
from solver.replan import Replan

TIER_NAMES = {
    "zh": {"school": "校领导", "department": "机关部处", "college": "院系", "student_affairs": "学生工作部门"},
    "en": {"school": "school", "department": "department", "college": "college", "student_affairs": "student affairs"},
}
UNIT_NAMES = {
    "zh": {"class": "班级", "dorm": "宿舍", "society": "社团"},
    "en": {"class": "classes", "dorm": "dorms", "society": "societies"},
}
WORDS = {
    "zh": {
        "warning": "警告",
        "invalid": "输入数据有 {n} 个问题，请修改后重试。",
        "leaders": "领导干部", "units": "联系对象", "campuses": "校区", "weeks": "教学周",
        "teaching_days": "上课日", "holidays": "节假日", "makeup": "调休上班",
        "leader": "领导", "busy": "忙碌小时", "free": "每周空闲小时(最少/平均)",
        "risks": "可能无法完成每周联系的情况", "no_risks": "未发现无法完成每周联系的周次。",
        "plan_written": "计划已写入 {out}",
        "summary": "领导 {leaders} 人，对象 {units} 个，安排 {events} 次，未满足要求 {unmet} 项；目标值 {objective:g}，下界 {bound:g}，差距 {gap:.2%}，用时 {seconds:.1f} 秒 ({status})",
        "unmet": "未满足的要求",
        "verify": "共 {events} 个事件：{hard} 处违反硬性规则，{soft} 处提示。",
        "demo": "示范大学数据：{path}",
        "progress": "求解中 {elapsed:.1f}s  当前最优 {objective}  下界 {bound:g}  差距 {gap}",
        "reading": "读取 {path} …（时限从现在起算）",
    },
    "en": {
        "warning": "warning",
        "invalid": "The input has {n} problem(s); fix them and try again.",
        "leaders": "Leaders", "units": "Units", "campuses": "Campuses", "weeks": "Teaching weeks",
        "teaching_days": "teaching days", "holidays": "Holidays", "makeup": "Make-up workdays",
        "leader": "Leader", "busy": "busy hours", "free": "free hours per week (min/avg)",
        "risks": "Weekly contact that looks impossible", "no_risks": "No week found in which weekly contact looks impossible.",
        "plan_written": "Plan written to {out}",
        "summary": "{leaders} leaders, {units} units, {events} events, {unmet} unmet requirements; objective {objective:g}, bound {bound:g}, gap {gap:.2%}, {seconds:.1f} s ({status})",
        "unmet": "Unmet requirements",
        "verify": "{events} events: {hard} hard-rule violation(s), {soft} note(s).",
        "demo": "Demo university: {path}",
        "progress": "solving {elapsed:.1f}s  best {objective}  bound {bound:g}  gap {gap}",
        "reading": "reading {path} … (the time limit counts from now)",
    },
}


def reading(path: object, lang: str) -> str:
    return _w(lang)["reading"].format(path=path)


def _w(lang: str) -> dict[str, str]:
    return WORDS.get(lang, WORDS["zh"])


def warning_word(lang: str) -> str:
    return _w(lang)["warning"]


def invalid_input(n: int, lang: str) -> str:
    return _w(lang)["invalid"].format(n=n)


def verify_line(events: int, hard: int, soft: int, lang: str) -> str:
    return _w(lang)["verify"].format(events=events, hard=hard, soft=soft)


def demo_intro(path: Path, lang: str) -> str:
    return _w(lang)["demo"].format(path=path)


def print_check(console: Console, problem: Problem, diag: Diagnosis, lang: str) -> None:
    w = _w(lang)
    tiers = Counter(x.tier for x in problem.leaders)
    kinds = Counter(u.kind for u in problem.units)
    t = problem.term
    console.print(f"[bold]{t.name or t.term_id}[/]  {t.start_date} .. {t.end_date}")
    console.print(f"{w['weeks']}: {t.weeks} ({w['teaching_days']} {diag.teaching_days})")
    console.print(f"{w['leaders']}: {len(problem.leaders)}  " + ", ".join(
        f"{TIER_NAMES[lang if lang in TIER_NAMES else 'zh'][k]} {tiers[k]}" for k in TIER_NAMES["zh"] if tiers[k]))
    console.print(f"{w['units']}: {len(problem.units)}  " + ", ".join(
        f"{UNIT_NAMES[lang if lang in UNIT_NAMES else 'zh'][k]} {kinds[k]}" for k in UNIT_NAMES["zh"] if kinds[k]))
    console.print(f"{w['campuses']}: " + ", ".join(f"{c.name} ({c.campus_id})" for c in problem.campuses))
    if diag.holidays:
        console.print(f"{w['holidays']}: " + ", ".join(f"{d} {n}" for d, n in diag.holidays))
    if diag.makeup_days:
        console.print(f"{w['makeup']}: " + ", ".join(f"{d} → {r}" for d, r in diag.makeup_days))
    table = Table(title=w["leader"])
    for col in ("id", w["leader"], w["busy"], w["free"]):
        table.add_column(col)
    names = {x.leader_id: x.name for x in problem.leaders}
    for h in diag.hours:
        free = h.free_hours_per_week
        table.add_row(h.leader_id, names[h.leader_id], f"{h.busy_hours:g}",
                      f"{min(free):g} / {sum(free) / len(free):.1f}" if free else "-")
    console.print(table)
    if diag.risks:
        console.print(f"[bold red]{w['risks']}[/]")
        for r in diag.risks:
            console.print(f"  {r.leader_id} {names[r.leader_id]}: {r.reason}", markup=False, highlight=False)
    else:
        console.print(w["no_risks"])


def print_summary(console: Console, summary: dict[str, object], out_dir: Path, lang: str) -> None:
    w = _w(lang)
    console.print(w["plan_written"].format(out=out_dir))
    console.print(w["summary"].format(
        leaders=summary["leaders"], units=summary["units"], events=summary["events"],
        unmet=summary["unmet"], objective=summary["objective"], bound=summary["bound"],
        gap=summary["gap"], seconds=summary["solve_seconds"], status=summary["status"],
    ), highlight=False)
    unmet = summary.get("unmet_requirements") or []
    if unmet:
        console.print(f"[bold]{w['unmet']}[/]")
        for row in unmet:  # type: ignore[attr-defined]
            console.print(f"  {row['leader_id']} {row['requirement']}: {row['detail']}", markup=False, highlight=False)


def parse_now(text: str | None, timezone: str) -> dt.datetime | None:
    """``--now``: an ISO date-time; without an offset it is read in the term's time zone."""
    if text is None:
        return None
    try:
        moment = dt.datetime.fromisoformat(text.strip().replace(" ", "T", 1))
    except ValueError:
        raise ValueError(f"--now: {text!r} 不是日期时间，例如 2026-10-21T12:00 / not a date-time, e.g. 2026-10-21T12:00") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=ZoneInfo(timezone))


CHANGE_WORDS = {
    "zh": {"kept": "不变", "moved": "调整", "cancelled": "取消", "added": "新增", "title": "变化(按领导)", "none": "没有任何安排需要改动。", "forced": "新数据使 {n} 个已发布安排无法进行；共调整 {moved} 个、取消 {cancelled} 个、新增 {added} 个。"},
    "en": {"kept": "kept", "moved": "moved", "cancelled": "cancelled", "added": "added", "title": "Changes by leader", "none": "Nothing needs to change.", "forced": "The new data makes {n} published event(s) impossible; {moved} moved, {cancelled} cancelled, {added} added."},
}


def print_changes(console: Console, outcome: Replan, problem: Problem, lang: str) -> None:
    """The re-plan's diff per leader: kept, moved, cancelled, added, with the reasons."""
    w = CHANGE_WORDS.get(lang, CHANGE_WORDS["zh"])
    names = {x.leader_id: x.name for x in problem.leaders}
    per: dict[str, Counter[str]] = {}
    for c in outcome.changes:
        per.setdefault(c.leader_id, Counter())[c.change] += 1
    changed = [lid for lid, n in per.items() if n["moved"] or n["cancelled"] or n["added"]]
    console.print(w["forced"].format(n=outcome.forced, moved=outcome.count("moved"),
                                     cancelled=outcome.count("cancelled"), added=outcome.count("added")))
    if not changed:
        console.print(w["none"])
        return
    table = Table(title=w["title"])
    for col in ("id", "", w["kept"], w["moved"], w["cancelled"], w["added"]):
        table.add_column(col)
    for lid in sorted(changed):
        n = per[lid]
        table.add_row(lid, names.get(lid, ""), str(n["kept"]), str(n["moved"]), str(n["cancelled"]), str(n["added"]))
    console.print(table)
    for c in outcome.changes:
        if c.change in ("moved", "cancelled"):
            old = c.old_start.strftime("%Y-%m-%d %H:%M") if c.old_start else ""
            new = c.new_start.strftime("%Y-%m-%d %H:%M") if c.new_start else "-"
            console.print(f"  {c.leader_id} {w[c.change]} {old} → {new}: {c.reason}", markup=False, highlight=False)


class Progress:
    """Live solve progress on the terminal (elapsed, best objective, bound, gap)."""

    def __init__(self, console: Console, quiet: bool, lang: str = "zh"):
        self.console = console
        self.quiet = quiet
        self.lang = lang
        self.live: Live | None = None
        self.last = 0.0

    def __enter__(self) -> Progress:
        if not self.quiet and self.console.is_terminal:
            self.live = Live(Text(""), console=self.console, transient=False, refresh_per_second=4)
            self.live.__enter__()
        return self

    def __exit__(self, et: type[BaseException] | None, ev: BaseException | None, tb: TracebackType | None) -> None:
        if self.live is not None:
            self.live.__exit__(et, ev, tb)

    def update(self, elapsed: float, objective: float | None, bound: float) -> None:
        if self.quiet:
            return
        now = time.monotonic()
        # On a terminal the line refreshes in place; in a log, one line every five seconds.
        if now - self.last < (0.2 if self.live is not None else 5.0):
            return
        self.last = now
        gap = "-" if objective is None else f"{abs(objective - bound) / max(1.0, abs(objective)):.2%}"
        best = "-" if objective is None else f"{objective:g}"
        line = _w(self.lang)["progress"].format(elapsed=elapsed, objective=best, bound=bound, gap=gap)
        if self.live is not None:
            self.live.update(Text(line))
        else:
            self.console.print(line, highlight=False)
