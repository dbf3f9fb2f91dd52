"""Names of the evidence side's codes as the pages show them, in Chinese and English."""

from __future__ import annotations

CATEGORIES = {
    "study": ("学业", "study"), "ideology": ("思想", "ideas and values"), "mental": ("心理", "mental health"),
    "life": ("生活", "daily life"), "employment": ("就业", "jobs"), "safety": ("安全", "safety"), "other": ("其他", "other"),
}  # fmt: skip
ITEM_STATES = {
    "open": ("待答复", "open"), "answered": ("已答复", "answered"), "resolved": ("已解决", "resolved"),
    "reopened": ("重新办理", "reopened"), "overdue": ("已超期", "overdue"), "escalated": ("已督办", "escalated"),
}  # fmt: skip
RATINGS = {"satisfied": ("满意", "satisfied"), "basically": ("基本满意", "basically satisfied"), "unsatisfied": ("不满意", "unsatisfied")}
EVIDENCE = {"confirmed": ("已确认", "confirmed"), "self_reported": ("仅本人记录", "self-reported"), "disputed": ("有异议", "disputed")}
LABELS = {"categories": CATEGORIES, "item_states": ITEM_STATES, "ratings": RATINGS, "evidence_names": EVIDENCE}
