"""The province's view: every university's terms, their status and compliance, in counts only.

For each university and term: the status (``uploaded``: data, no plan yet; ``planned``: a plan,
none published; ``published``), the published plan's size and unmet requirements, and the records
contract's compliance summary as of ``as_of`` (default now, at most the term's end; from
:func:`solver.evidence.report.compliance` over what the service holds): verdict counts, the share
of held face-to-face visits confirmed, the three feedback rates, overdue and escalated items. No
student-level detail, no names of people: counts and shares only.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from api.service.evidence import recordset, visits
from api.service.state import ServiceState
from api.service.storage import tenancy
from api.service.storage.models import PlanVersion, Term, University
from solver.evidence.report import term_end

COLUMNS = (
    "university_id", "university_name", "term_id", "term_name", "status", "published_at", "leaders", "events",
    "unmet", "as_of", "compliant", "partly", "non_compliant", "held", "confirmed", "confirmed_share",
    "response_rate", "resolution_rate", "satisfaction_rate", "items", "overdue", "escalated", "flags",
)  # fmt: skip


def summary(state: ServiceState, session: Session, as_of: dt.datetime | None, lang: str) -> list[dict[str, Any]]:
    """One row per term of every university (a university without terms: one row, no term)."""
    rows: list[dict[str, Any]] = []
    universities = session.scalars(select(University).order_by(University.university_id)).all()
    for university in universities:
        tenancy.bind(session, university.university_id)
        terms = session.scalars(select(Term).order_by(Term.created_at)).all()
        base = {"university_id": university.university_id, "university_name": university.name}
        if not terms:
            rows.append({**dict.fromkeys(COLUMNS), **base, "status": "none"})
        rows.extend({**dict.fromkeys(COLUMNS), **base, **_term(state, session, t, as_of, lang)} for t in terms)
    tenancy.bind(session, None)
    return rows


def _term(state: ServiceState, session: Session, term: Term, as_of: dt.datetime | None, lang: str) -> dict[str, Any]:
    row: dict[str, Any] = {"term_id": term.term_id, "term_name": term.name}
    if term.published_plan_id is None:
        plans = session.scalar(select(func.count()).select_from(PlanVersion).where(PlanVersion.term_id == term.term_id))
        row["status"] = "planned" if plans else "uploaded"
        return row
    published = visits.published_of_term(state, session, term.term_id)
    if published is None:  # pragma: no cover - a published id always names a plan
        return {**row, "status": "uploaded"}
    plan_row = session.get_one(PlanVersion, published.plan_id)
    size = plan_row.summary or {}
    moment = as_of or dt.datetime.now(dt.UTC)
    moment = min(moment, term_end(published.problem))
    compliance = recordset.report(session, published, moment, lang)
    report, total = compliance.summary(), compliance.total
    held, confirmed = int(report["held"]), int(report["confirmed"])  # type: ignore[call-overload]
    verdicts: dict[str, int] = report["verdicts"]  # type: ignore[assignment]
    return {
        **row, "status": "published", "published_at": plan_row.published_at,
        "leaders": report["leaders"], "events": size.get("events"), "unmet": size.get("unmet"),
        "as_of": moment, **verdicts, "held": held, "confirmed": confirmed,
        "confirmed_share": round(confirmed / held, 4) if held else None,
        "response_rate": report["response_rate"], "resolution_rate": report["resolution_rate"],
        "satisfaction_rate": report["satisfaction_rate"], "items": report["items"],
        "overdue": total.overdue, "escalated": total.escalated, "flags": report["flags"],
    }  # fmt: skip
