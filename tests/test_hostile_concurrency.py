"""Issue 11, class 5: read-modify-writes of term state are atomic on SQLite and PostgreSQL. Real
threads, each with its own session, against the real database: concurrent publishes (of different
drafts, or of one draft) give one success and 409s and leave exactly one published plan; concurrent
first uploads of a term create it once; two admins revoking each other leave one admin."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker
from test_service_postgres import database_url  # noqa: F401 - the SQLite/PostgreSQL fixture

from api.service import actions
from api.service.auth import SYSTEM, Principal, hash_token
from api.service.errors import ApiError
from api.service.routes.admin import revoke_token
from api.service.storage import tenancy
from api.service.storage.db import make_engine, migrate
from api.service.storage.models import DEFAULT_UNIVERSITY, ApiToken, Dataset, PlanVersion, Term

THREADS = 6


@pytest.fixture
def sessions(database_url: str) -> Iterator[sessionmaker[Session]]:  # noqa: F811
    """Sessions like a request's of the single university: bound to the default one."""
    engine = make_engine(database_url)
    migrate(engine)
    yield sessionmaker(engine, expire_on_commit=False, info={tenancy.KEY: DEFAULT_UNIVERSITY})
    engine.dispose()


def _term_with_drafts(sessions: sessionmaker[Session], drafts: int) -> list[str]:
    with sessions() as s:
        s.add(Term(term_id="T1", name="term"))
        s.flush()
        d = Dataset(term_id="T1", kind="upload", filename="t.zip", media="zip", content=b"x")
        s.add(d)
        s.flush()
        plans = [PlanVersion(term_id="T1", dataset_id=d.id) for _ in range(drafts)]
        s.add_all(plans)
        s.commit()
        return [p.id for p in plans]


def _race(sessions: sessionmaker[Session], work: list[Callable[[Session], Any]]) -> list[str]:
    """Run each ``work(session)`` in its own thread, all released at once; return each outcome:
    ``ok``, or the status of the ApiError; anything else fails the test."""
    barrier = threading.Barrier(len(work))
    outcomes: list[str] = []
    failures: list[BaseException] = []

    def run(job: Callable[[Session], Any]) -> None:
        with sessions() as session:
            try:
                session.scalars(select(Term)).all()  # a read first, as the authentication does
                barrier.wait()
                job(session)
                session.commit()
                outcomes.append("ok")
            except ApiError as exc:
                session.rollback()
                outcomes.append(str(exc.status))
            except BaseException as exc:  # noqa: BLE001 - reported below
                session.rollback()
                failures.append(exc)

    threads = [threading.Thread(target=run, args=(job,)) for job in work]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not failures, failures
    return sorted(outcomes)


def _published(sessions: sessionmaker[Session]) -> tuple[list[str], str | None]:
    with sessions() as s:
        published = list(s.scalars(select(PlanVersion.id).where(PlanVersion.state == "published")))
        return published, s.get_one(Term, (DEFAULT_UNIVERSITY, "T1")).published_plan_id


def _publish(plan_id: str) -> Callable[[Session], Any]:
    return lambda s: actions.publish_plan(s, s.get_one(PlanVersion, plan_id), SYSTEM)


def test_concurrent_publishes_of_different_drafts_publish_exactly_one(sessions: sessionmaker[Session]) -> None:
    drafts = _term_with_drafts(sessions, THREADS)
    outcomes = _race(sessions, [_publish(p) for p in drafts])
    assert outcomes == ["409"] * (THREADS - 1) + ["ok"]
    published, pointer = _published(sessions)
    assert len(published) == 1 and published == [pointer]


def test_concurrent_publishes_of_one_draft_publish_it_once(sessions: sessionmaker[Session]) -> None:
    [draft] = _term_with_drafts(sessions, 1)
    outcomes = _race(sessions, [_publish(draft)] * THREADS)
    assert outcomes == ["409"] * (THREADS - 1) + ["ok"]
    assert _published(sessions) == ([draft], draft)


def test_the_database_refuses_a_second_published_plan(sessions: sessionmaker[Session]) -> None:
    from sqlalchemy.exc import IntegrityError

    first, second = _term_with_drafts(sessions, 2)
    with sessions() as s:
        s.get_one(PlanVersion, first).state = "published"
        s.commit()
        s.get_one(PlanVersion, second).state = "published"
        with pytest.raises(IntegrityError):
            s.commit()


def test_concurrent_first_uploads_create_the_term_once(sessions: sessionmaker[Session]) -> None:
    outcomes = _race(sessions, [lambda s: actions.lock_term(s, "NEW", "新学期")] * THREADS)
    assert outcomes == ["ok"] * THREADS
    with sessions() as s:
        assert s.scalar(select(func.count()).select_from(Term).where(Term.term_id == "NEW")) == 1


def test_two_admins_revoking_each_other_leave_one(sessions: sessionmaker[Session]) -> None:
    with sessions() as s:
        a = ApiToken(name="a", role="admin", token_hash=hash_token("a"))
        b = ApiToken(name="b", role="admin", token_hash=hash_token("b"))
        s.add_all([a, b])
        s.commit()
        ids = {"a": a.id, "b": b.id}
    work = [
        lambda s: revoke_token(ids["b"], s, Principal(ids["a"], "a", "admin")),
        lambda s: revoke_token(ids["a"], s, Principal(ids["b"], "b", "admin")),
    ]
    assert _race(sessions, work) == ["409", "ok"]
    with sessions() as s:
        active = s.scalars(select(ApiToken).where(ApiToken.role == "admin", ApiToken.revoked_at.is_(None))).all()
        assert len(active) == 1


def test_the_last_admin_cannot_revoke_itself(sessions: sessionmaker[Session]) -> None:
    with sessions() as s:
        only = ApiToken(name="only", role="admin", token_hash=hash_token("only"))
        s.add(only)
        s.commit()
        with pytest.raises(ApiError) as caught:
            revoke_token(only.id, s, Principal(only.id, "only", "admin"))
        assert caught.value.status == 409 and caught.value.code == "last_admin"


def test_five_drafts_published_at_once_over_http(database_url: str, tmp_path) -> None:  # noqa: F811
    """The issue's example, against a real uvicorn: five drafts, five simultaneous publishes."""
    import httpx
    import uvicorn
    from service_support import TERM_ID, bearer, settings, term_tables, wait_job, zip_bytes
    from test_hostile_bodies import free_port

    from api.service import create_app

    port = free_port()
    server = uvicorn.Server(uvicorn.Config(
        create_app(settings(tmp_path, database_url=database_url)), host="127.0.0.1", port=port, log_level="warning",
    ))  # fmt: skip
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{port}"
    try:
        while not server.started:
            assert thread.is_alive()
            threading.Event().wait(0.02)
        with httpx.Client(base_url=base, headers=bearer(), timeout=60) as api:
            assert api.post("/api/terms", files={"file": ("t.zip", zip_bytes(term_tables()), "application/zip")}).status_code == 201
            jobs = [api.post(f"/api/terms/{TERM_ID}/solve", json={"time_limit_s": 2}).json()["job_id"] for _ in range(5)]
            drafts = [wait_job(api.get, j)["plan_id"] for j in jobs]
        barrier = threading.Barrier(len(drafts))
        statuses: list[int] = []

        def publish(plan_id: str) -> None:
            with httpx.Client(base_url=base, headers=bearer(), timeout=60) as client:
                barrier.wait()
                statuses.append(client.post(f"/api/plans/{plan_id}/publish").status_code)

        threads = [threading.Thread(target=publish, args=(p,)) for p in drafts]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=120)
        assert sorted(statuses) == [200] + [409] * 4
        with httpx.Client(base_url=base, headers=bearer(), timeout=60) as api:
            term = api.get(f"/api/terms/{TERM_ID}").json()
        published = [p["plan_id"] for p in term["plans"] if p["state"] == "published"]
        assert published == [term["published_plan_id"]]
    finally:
        server.should_exit = True
        thread.join(timeout=30)
