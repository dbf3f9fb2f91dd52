"""Personal access links: a leader's (role ``leader``) or a unit's (role ``unit``) bearer token.

The token (256 random bits) is shown once and kept as a SHA-256 hash; issuing again rotates it
(the old one stops working at once). The link URL ``/me/<token>`` opens the holder's visits of
the current week; the same token works as ``Authorization: Bearer <token>`` on ``/api/me`` and
the visit, check-in, confirmation and feedback routes.
"""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from api.service.auth import Principal, audit, hash_token, new_token
from api.service.errors import not_found
from api.service.storage.models import AccessLink, RosterEntry, utcnow

SUBJECT = {"leader": ("领导", "leader"), "unit": ("联系对象", "unit")}


def roster_name(session: Session, role: str, subject_id: str) -> str | None:
    """The subject's name in the latest data that names it; None when no data names it."""
    if "\x00" in subject_id or len(subject_id) > 200:
        return None
    row = session.scalars(
        select(RosterEntry).where(RosterEntry.kind == role, RosterEntry.member_id == subject_id)
        .order_by(RosterEntry.id.desc()).limit(1)
    ).first()  # fmt: skip
    return None if row is None else row.name


def issue(session: Session, role: str, subject_id: str, by: Principal) -> tuple[AccessLink, str, int]:
    """A new link for the subject (404 if no data names it); returns (row, token, revoked count)."""
    name = roster_name(session, role, subject_id)
    if name is None:
        raise not_found(*SUBJECT[role], subject_id)
    revoked = session.execute(
        update(AccessLink)
        .where(AccessLink.role == role, AccessLink.subject_id == subject_id, AccessLink.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )
    count = int(getattr(revoked, "rowcount", 0) or 0)
    token = new_token()
    row = AccessLink(role=role, subject_id=subject_id, name=f"{name} ({subject_id})", token_hash=hash_token(token), created_by=by.name)
    session.add(row)
    session.flush()
    audit(session, by, "link.rotate" if count else "link.issue", f"{role}:{subject_id}", {"revoked": count, "link_id": row.id})
    return row, token, count


def url(base_url: str, token: str) -> str:
    return f"{base_url.rstrip('/')}/me/{token}"
