"""Student check-in at a visit: a short-lived code shown as a QR code, scanned by the students.

The visit's leader asks for a code during the visit (from ``checkin_margin_minutes`` before its
start to as long after its end); it is valid for ``checkin_code_seconds`` and kept only as a
SHA-256 hash. A check-in names a student number or a device key; only an HMAC-SHA256 of it with a
secret salt is stored (the salt comes from the settings, or is generated once and kept in the
database), so the same student or device at the same visit is counted once and nobody can read
a student number back.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import io
import secrets
from dataclasses import dataclass

import segno
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from api.service.auth import Principal, audit, hash_token
from api.service.errors import ApiError
from api.service.evidence.visits import Visit
from api.service.state import ServiceState
from api.service.storage.models import Checkin, CheckinCode, ServiceSecret

SALT_NAME = "checkin_salt"


@dataclass(frozen=True)
class Code:
    code: str
    url: str
    svg: str
    expires_at: dt.datetime


def window(state: ServiceState, visit: Visit) -> tuple[dt.datetime, dt.datetime]:
    margin = dt.timedelta(minutes=state.settings.checkin_margin_minutes)
    return visit.event.start - margin, visit.event.end + margin


def issue_code(state: ServiceState, session: Session, visit: Visit, base_url: str, who: Principal) -> Code:
    now = state.now()
    first, last = window(state, visit)
    if not first <= now <= last:
        zone = visit.published.zone
        shown = f"{first.astimezone(zone):%Y-%m-%d %H:%M}–{last.astimezone(zone):%H:%M}"
        raise ApiError(
            409, "not_during_visit",
            f"签到码只能在走访期间生成（{shown}）", f"check-in codes are handed out only during the visit ({shown})",
        )  # fmt: skip
    code = secrets.token_urlsafe(9)  # 72 random bits, 12 characters: quick to scan, not guessable in a minute
    expires = now + dt.timedelta(seconds=state.settings.checkin_code_seconds)
    row = CheckinCode(term_id=visit.term_id, uid=visit.event.uid, code_hash=hash_token(code), created_at=now,
                      expires_at=expires, created_by=who.name)  # fmt: skip
    session.add(row)
    session.flush()
    audit(session, who, "checkin.code", visit.event.uid, {"term_id": visit.term_id, "code_id": row.id, "expires_at": expires.isoformat()})
    url = f"{base_url.rstrip('/')}/checkin/{code}"
    buffer = io.BytesIO()
    segno.make(url, error="m").save(buffer, kind="svg", scale=4, border=2, xmldecl=False)
    return Code(code, url, buffer.getvalue().decode("utf-8"), expires.astimezone(visit.published.zone))


def salt(state: ServiceState, session: Session) -> bytes:
    configured = state.settings.checkin_salt
    if configured is not None:
        return configured.get_secret_value().encode("utf-8")
    cached = state.secrets.get(SALT_NAME)
    if cached is None:
        row = session.get(ServiceSecret, SALT_NAME)
        if row is None:
            try:
                with session.begin_nested():
                    session.add(ServiceSecret(name=SALT_NAME, value=secrets.token_hex(32)))
            except IntegrityError:
                pass  # another request made it first
            row = session.get_one(ServiceSecret, SALT_NAME)
        cached = state.secrets.setdefault(SALT_NAME, row.value)
    return cached.encode("utf-8")


def attendee_key(key_salt: bytes, student_no: str | None, device: str | None) -> str:
    """The opaque attendee key of the records contract: HMAC-SHA256 of the student number
    (upper case, no spaces) or of the device key."""
    subject = f"student:{''.join(student_no.split()).upper()}" if student_no else f"device:{device}"
    return hmac.new(key_salt, subject.encode("utf-8"), hashlib.sha256).hexdigest()


def lookup_code(session: Session, code: str) -> CheckinCode:
    row = None
    if code and len(code) <= 64:
        digest = hash_token(code)
        row = session.scalars(select(CheckinCode).where(CheckinCode.code_hash == digest)).first()
        if row is not None and not hmac.compare_digest(row.code_hash, digest):
            row = None
    if row is None:
        raise ApiError(404, "unknown_code", "没有这个签到码；请扫描现场显示的二维码", "no such check-in code; scan the QR code shown at the visit")
    return row


def expired() -> ApiError:
    return ApiError(410, "code_expired", "签到码已过期；请扫描现场刚刚刷新的二维码", "the check-in code has expired; scan the fresh QR code shown at the visit")


def check_in(state: ServiceState, session: Session, code: CheckinCode, visit: Visit, key: str) -> tuple[bool, int]:
    """Store the check-in (once per attendee); returns (counted now, distinct check-ins)."""
    now = state.now()
    first, last = window(state, visit)
    if now > code.expires_at or not first <= now <= last:
        raise expired()
    held = count(session, code.term_id, code.uid)
    if held >= state.settings.max_checkins_per_visit:
        limit = state.settings.max_checkins_per_visit
        raise ApiError(409, "too_many_checkins", f"这次走访的签到已达上限 {limit} 人", f"this visit has reached its limit of {limit} check-ins")
    counted = True
    try:
        with session.begin_nested():
            session.add(Checkin(term_id=code.term_id, uid=code.uid, code_id=code.id, attendee_key=key, at=now))
    except IntegrityError:
        counted = False
    return counted, held + 1 if counted else held


def count(session: Session, term_id: str, uid: str) -> int:
    return int(session.scalar(select(func.count()).select_from(Checkin).where(Checkin.term_id == term_id, Checkin.uid == uid)) or 0)
