"""What happened feeds the next re-plan: a planned visit recorded ``not_held`` no longer counts.

:func:`replan_after_records` re-plans with those events as cancelled facts (they count for nothing),
so that what they leave unmet (the lecture, a visit kind, a weekly contact if its week still has
time) is re-placed, moving nothing else; changes.csv names the record in ``reason``.
"""

from __future__ import annotations

import datetime as dt

from ..problem import Problem
from ..replan import Replan, replan
from ..result import Plan
from ..solve import Progress, SolveOptions
from .records import RecordSet

REASON = {
    "zh": "走访记录 {record_id}：{when} 的安排未开展（{reason}）",
    "en": "record {record_id}: the visit of {when} was not held ({reason})",
}


def not_held_reasons(records: RecordSet, plan: Plan, lang: str = "zh") -> dict[str, str]:
    """uid -> the reason for changes.csv, for each planned event of ``plan`` recorded as not held."""
    events = {e.uid: e for e in plan.events if e.status == "planned"}
    words = REASON["en" if lang == "en" else "zh"]
    held = {r.uid for r in records.visits if r.held and r.uid}  # a later record may say it happened
    out = {}
    for r in records.visits:
        if r.uid in held:
            continue
        event = events.get(r.uid or "")
        if r.status == "not_held" and event is not None:
            when = event.start.strftime("%Y-%m-%d %H:%M")  # the plan's own local time
            out[event.uid] = words.format(record_id=r.record_id, when=when, reason=r.reason)
    return out


def replan_after_records(
    problem: Problem,
    previous: Plan,
    records: RecordSet,
    now: dt.datetime | None = None,
    options: SolveOptions | None = None,
    progress: Progress | None = None,
) -> Replan:
    """The re-plan of :func:`solver.replan.replan` with the visits recorded as not held."""
    lang = options.lang if options else "zh"
    return replan(problem, previous, now, options, progress, not_held_reasons(records, previous, lang))
