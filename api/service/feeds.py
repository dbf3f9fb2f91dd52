"""Calendar feeds over HTTP: secret per-subscriber URLs, cached bodies, ETag/Last-Modified/304.

A feed URL is ``/feeds/<token>.ics``; the token (256 random bits) is the only credential, so it
is stored hashed, compared in constant time and redacted from the access log. A leader's (or
unit's) feed serves the most recently published plan whose data names that leader (or unit); an
office feed serves its term's published plan. A token whose subject has no published plan yet
gets a valid empty calendar, so that a subscription made early keeps working.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import hashlib
import hmac
import re
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import icalendar
from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from api.service.auth import Principal, audit, hash_token, new_token
from api.service.storage import tenancy
from api.service.storage.models import FeedToken, PlanVersion, RosterEntry, Term, utcnow
from calendars.feeds import PRODID, leader_feed, office_feed, unit_feed
from solver.problem import Problem
from solver.result import Plan

MEDIA_TYPE = "text/calendar; charset=utf-8"


def active_token(session: Session, kind: str, subject_id: str) -> FeedToken | None:
    return session.scalars(
        select(FeedToken).where(
            FeedToken.kind == kind, FeedToken.subject_id == subject_id, FeedToken.revoked_at.is_(None)
        )
    ).first()


def issue(session: Session, kind: str, subject_id: str, by: Principal, *, rotate: bool) -> tuple[FeedToken, str]:
    """A new token for the subject; the old one (if any) stops working at once."""
    revoked = session.execute(
        update(FeedToken)
        .where(FeedToken.kind == kind, FeedToken.subject_id == subject_id, FeedToken.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )
    token = new_token()
    row = FeedToken(kind=kind, subject_id=subject_id, token_hash=hash_token(token), created_by=by.name)
    session.add(row)
    session.flush()
    audit(session, by, "feed.rotate" if rotate else "feed.issue", f"{kind}:{subject_id}",
          {"revoked": int(getattr(revoked, "rowcount", 0) or 0)})  # fmt: skip
    return row, token


def lookup(session: Session, token: str) -> FeedToken | None:
    if not token or len(token) > 200:
        return None
    digest = hash_token(token)
    row = session.scalars(
        select(FeedToken).where(FeedToken.token_hash == digest, FeedToken.revoked_at.is_(None))
    ).first()
    if row is None or not hmac.compare_digest(row.token_hash, digest):
        return None
    return row


def urls(base_url: str, token: str) -> tuple[str, str]:
    """(https-or-http URL, webcal URL) of a feed token."""
    base = base_url.rstrip("/")
    url = f"{base}/feeds/{token}.ics"
    return url, re.sub(r"^https?://", "webcal://", url)


def published_plan_of(session: Session, kind: str, subject_id: str) -> tuple[str | None, str | None, dt.datetime | None]:
    """(plan_id, dataset_id, published_at) of the plan that serves a subject: for ``office`` the
    term's published plan, for a ``leader`` or ``unit`` the latest published plan whose data names it."""
    if kind == "office":
        row = session.execute(
            select(PlanVersion.id, PlanVersion.dataset_id, PlanVersion.published_at)
            .join(Term, Term.published_plan_id == PlanVersion.id)
            .where(Term.term_id == subject_id)
        ).first()
    else:
        row = session.execute(
            select(PlanVersion.id, PlanVersion.dataset_id, PlanVersion.published_at)
            .join(RosterEntry, RosterEntry.dataset_id == PlanVersion.dataset_id)
            .where(PlanVersion.state == "published", RosterEntry.kind == kind, RosterEntry.member_id == subject_id)
            .order_by(PlanVersion.published_at.desc())
            .limit(1)
        ).first()
    return (row[0], row[1], row[2]) if row else (None, None, None)


# rendering ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Rendered:
    body: bytes
    etag: str  # strong, quoted
    last_modified: dt.datetime  # UTC, whole seconds

    @property
    def last_modified_http(self) -> str:
        return email.utils.format_datetime(self.last_modified, usegmt=True)


class _LRU:
    def __init__(self, size: int) -> None:
        self.size = size
        self.items: OrderedDict[Any, Any] = OrderedDict()
        self.lock = threading.Lock()

    def peek(self, key: Any) -> Any:
        with self.lock:
            return self.items.get(key)

    def get(self, key: Any, make: Callable[[], Any]) -> Any:
        with self.lock:
            if key in self.items:
                self.items.move_to_end(key)
                return self.items[key]
        value = make()
        with self.lock:
            self.items[key] = value
            while len(self.items) > self.size:
                self.items.popitem(last=False)
        return value


@dataclass(frozen=True)
class _Subject:
    """What a feed token resolves to: its subject and the published plan that serves it."""

    kind: str
    subject_id: str
    created_at: dt.datetime
    plan_id: str | None
    dataset_id: str | None
    published_at: dt.datetime | None


MISS = object()


class FeedCache:
    """Feed tokens resolved and feeds rendered, in memory.

    A plan's feeds never change once stored, so rendered bodies are cached by (plan, subject,
    language). What a token resolves to (its subject and the plan that serves it) changes only
    when a token is issued or rotated or a plan is published: those call :meth:`invalidate`,
    which bumps a generation number, so that a warm feed request touches no database at all.
    (One server process holds the cache; the service runs as one process by design.)
    """

    MAX_TOKENS = 100_000

    def __init__(
        self, sessions: sessionmaker[Session], problem_of: Callable[[str], Problem], plan_of: Callable[[str], Plan]
    ) -> None:  # fmt: skip
        self.sessions = sessions
        self.problem_of = problem_of  # dataset id -> Problem
        self.plan_of = plan_of  # plan id -> Plan
        self.feeds = _LRU(4096)
        self.generation = 0
        self._tokens: dict[str, tuple[int, _Subject | None]] = {}
        self._lock = threading.Lock()

    def invalidate(self) -> None:
        with self._lock:
            self.generation += 1
            self._tokens.clear()

    def cached(self, token: str, lang: str) -> Rendered | None | object:
        """The feed for ``token`` if everything is cached (None: no such token); else ``MISS``."""
        entry = self._tokens.get(hash_token(token))
        if entry is None or entry[0] != self.generation:
            return MISS
        subject = entry[1]
        if subject is None:
            return None
        rendered = self.feeds.peek(self._key(subject, lang))
        return MISS if rendered is None else rendered

    def render(self, token: str, lang: str) -> Rendered | None:
        """The feed for ``token`` (None: no such token); reads the database; blocking."""
        generation = self.generation
        with self.sessions() as session:
            row = lookup(session, token)
            subject = None
            if row is not None:
                tenancy.bind(session, row.university_id)  # the token names its university
                subject = _Subject(row.kind, row.subject_id, row.created_at, *published_plan_of(session, row.kind, row.subject_id))
        with self._lock:
            if generation == self.generation:
                if len(self._tokens) >= self.MAX_TOKENS:
                    self._tokens.clear()
                self._tokens[hash_token(token)] = (generation, subject)
        if subject is None:
            return None
        rendered: Rendered = self.feeds.get(self._key(subject, lang), lambda: self._render(subject, lang))
        return rendered

    @staticmethod
    def _key(subject: _Subject, lang: str) -> tuple[str, ...]:
        if subject.plan_id is None:
            return ("empty", subject.kind, subject.subject_id, lang)
        return (subject.plan_id, subject.kind, subject.subject_id, lang)

    def _render(self, subject: _Subject, lang: str) -> Rendered:
        if subject.plan_id is None or subject.dataset_id is None or subject.published_at is None:
            return _empty(subject.created_at, lang)
        problem = self.problem_of(subject.dataset_id)
        plan = self.plan_of(subject.plan_id)
        if subject.kind == "leader":
            body = leader_feed(plan, problem, subject.subject_id, lang=lang)
        elif subject.kind == "unit":
            body = unit_feed(plan, problem, subject.subject_id, lang=lang)
        else:
            body = office_feed(plan, problem, lang=lang)
        return _rendered(body, subject.published_at)


def _rendered(body: bytes, modified: dt.datetime) -> Rendered:
    etag = '"' + hashlib.sha256(body).hexdigest()[:40] + '"'
    return Rendered(body, etag, modified.astimezone(dt.UTC).replace(microsecond=0))


def _empty(created_at: dt.datetime, lang: str) -> Rendered:
    calendar = icalendar.Calendar()
    calendar.add("PRODID", PRODID)
    calendar.add("VERSION", "2.0")
    calendar.add("CALSCALE", "GREGORIAN")
    title = "frontline" if lang == "en" else "深入基层联系学生"
    calendar.add("NAME", title)
    calendar.add("X-WR-CALNAME", title)
    return _rendered(calendar.to_ical(), created_at)


def not_modified(rendered: Rendered, if_none_match: str | None, if_modified_since: str | None) -> bool:
    """RFC 9110 §13.1: If-None-Match (weak comparison) wins over If-Modified-Since."""
    if if_none_match is not None:
        tags = [t.strip() for t in if_none_match.split(",")]
        return "*" in tags or any(t.removeprefix("W/") == rendered.etag for t in tags)
    if if_modified_since:
        try:
            since = email.utils.parsedate_to_datetime(if_modified_since)
        except (TypeError, ValueError, IndexError):
            return False
        if since.tzinfo is None:
            since = since.replace(tzinfo=dt.UTC)
        if since > dt.datetime.now(dt.UTC):
            return False  # RFC 9110 §13.1.3: a date later than the server's current time is ignored
        return rendered.last_modified <= since
    return False
