"""Confirmations of a visit: by the visited unit's link (``unit``) or by the office after asking
(``callback``). A confirmation given before the leader has recorded the visit is kept by the visit's
uid and counts for its record once there is one."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from api.service.auth import Principal, audit
from api.service.evidence import records
from api.service.evidence.visits import Visit, forbidden, require_office
from api.service.schemas import ConfirmationIn
from api.service.storage.models import Confirmation
from solver.evidence.evidence import units_of_target


def confirm(session: Session, visit: Visit, body: ConfirmationIn, now: dt.datetime, who: Principal) -> Confirmation:
    if who.role == "unit":
        if who.subject_id not in units_of_target(visit.published.problem, visit.event.target_id):
            raise forbidden(
                "这次走访不是到您的单位（班级、宿舍或社团）；只能确认到本单位的走访",
                "this visit was not to your unit (class, dorm or society); you can confirm only visits to your unit",
            )
        source, by = "unit", who.subject_id
    else:
        require_office(who)
        source, by = "callback", (body.by or who.name).strip() or who.name
    record = records.current(session, visit.term_id, visit.event.uid)
    row = Confirmation(
        term_id=visit.term_id, record_id=record.record_id if record else None, uid=visit.event.uid, source=source,
        result=body.result, by=by, at=now, note=body.note.strip(), created_by=who.name,
    )  # fmt: skip
    session.add(row)
    session.flush()
    audit(session, who, f"confirmation.{source}", visit.event.uid,
          {"term_id": visit.term_id, "record_id": row.record_id, "result": body.result, "confirmation_id": row.id})  # fmt: skip
    return row
