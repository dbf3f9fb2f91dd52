"""Storage tests, run on SQLite and on PostgreSQL (same code, same migrations).

PostgreSQL: ``FRONTLINE_TEST_POSTGRES_URL`` or ``postgresql+psycopg://postgres@127.0.0.1:5432/test``;
each test runs in a fresh schema that is dropped afterwards. When no PostgreSQL answers, its
half of the tests is skipped with the reason (shown by ``pytest -ra``), never silently.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from factories import tiny
from fastapi.testclient import TestClient
from service_support import (
    TERM_ID,
    bearer,
    postgres_schema,
    settings,
    term_tables,
    wait_job,
    zip_bytes,
)
from sqlalchemy import inspect

from api.service import create_app
from api.service.plans import plan_columns, plan_from_columns
from api.service.storage.db import alembic_config, include_name, make_engine, make_sessions, migrate
from api.service.storage.models import Base, Dataset, Job, PlanVersion, Term
from calendars.feeds import read_feed
from solver.solve import SolveOptions, solve

TABLES = {
    "api_tokens", "terms", "datasets", "roster", "plans", "jobs", "feed_tokens", "audit_log", "access_links",
    "visit_records", "record_versions", "checkin_codes", "checkins", "confirmations", "feedback_items",
    "feedback_events", "record_imports", "service_secrets",
}


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'storage.db'}"
        return
    with postgres_schema() as url:
        yield url


def test_migrations_create_the_models_schema_and_go_back(database_url: str) -> None:
    engine = make_engine(database_url)
    migrate(engine)
    migrate(engine)  # applied on every start: idempotent
    with engine.connect() as conn:
        assert set(inspect(conn).get_table_names()) >= TABLES
        opts = {"compare_type": True, "include_name": include_name}
        assert compare_metadata(MigrationContext.configure(conn, opts=opts), Base.metadata) == []
    command.downgrade(alembic_config(engine), "base")
    with engine.connect() as conn:
        assert not TABLES & set(inspect(conn).get_table_names())
        assert not [t for t in inspect(conn).get_table_names() if t.startswith("procrastinate")]
    migrate(engine)
    engine.dispose()


def test_plan_round_trip_and_stored_bytes(database_url: str) -> None:
    problem = tiny()
    plan = solve(problem, SolveOptions(time_limit=5, workers=1))
    engine = make_engine(database_url)
    migrate(engine)
    sessions = make_sessions(engine)
    content = bytes(range(256)) * 40  # any bytes, kept exactly
    stamp = dt.datetime(2026, 9, 7, 8, 30, 15, 123456, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    with sessions() as session:
        session.add(Term(university_id="default", term_id="T", name="测试学期", created_at=stamp))
        session.flush()
        d = Dataset(university_id="default", term_id="T", kind="upload", filename="学期.xlsx", media="xlsx", content=content)
        session.add(d)
        session.flush()
        p = PlanVersion(university_id="default", term_id="T", dataset_id=d.id, **plan_columns(plan, problem))
        session.add(p)
        session.commit()
        plan_id, dataset_id = p.id, d.id
    with sessions() as session:
        p = session.get_one(PlanVersion, plan_id)
        back = plan_from_columns(p.term_id, p.timezone, p.stats, p.assignments, p.events, p.report, p.warnings)
        assert back == plan
        assert session.get_one(Dataset, dataset_id).content == content
        term = session.get_one(Term, ("default", "T"))
        assert term.created_at == stamp and term.created_at.tzinfo is not None
    engine.dispose()


def test_service_on_the_database_survives_a_restart(database_url: str, tmp_path: Path) -> None:
    config = settings(tmp_path, database_url=database_url)
    with TestClient(create_app(config)) as c:
        r = c.post("/api/terms", files={"file": ("term.zip", zip_bytes(term_tables()), "application/zip")}, headers=bearer())
        assert r.status_code == 201, r.text
        job = wait_job(c.get, c.post(f"/api/terms/{TERM_ID}/solve", json={"time_limit_s": 3}, headers=bearer()).json()["job_id"])
        assert job["status"] == "done", job  # the solver process wrote its progress and plan here
        plan_id = job["plan_id"]
        assert c.post(f"/api/plans/{plan_id}/publish", headers=bearer()).status_code == 200
        url = c.get("/api/leaders/L001/feed", headers=bearer()).json()["url"]
        body = c.get(url).content
        dataset_id = job_dataset = c.get(f"/api/plans/{plan_id}", headers=bearer()).json()["dataset_id"]
    engine = make_engine(database_url)
    with make_sessions(engine)() as session:  # a job the server was running when it stopped
        session.add(Job(id="c" * 32, university_id="default", term_id=TERM_ID, kind="solve", status="running", dataset_id=job_dataset, time_limit_s=5))
        session.commit()
    engine.dispose()
    with TestClient(create_app(config)) as c:
        assert c.get(f"/api/jobs/{'c' * 32}", headers=bearer()).json()["status"] == "failed"
        term = c.get(f"/api/terms/{TERM_ID}", headers=bearer()).json()
        assert term["published_plan_id"] == plan_id and term["datasets"][0]["dataset_id"] == dataset_id
        assert c.get(url).content == body  # the subscription still works, same calendar
        assert read_feed(body)
        actions = {a["action"] for a in c.get("/api/audit", headers=bearer()).json()}
        assert {"token.create", "term.upload", "job.solve", "plan.publish", "feed.issue"} <= actions


def test_evidence_storage_on_the_database(database_url: str, tmp_path: Path) -> None:
    """Links, record versions, check-ins (one per student), confirmations, feedback and the report."""
    from evidence_service_support import at, held, link, publish, set_clock, unit_visit

    with TestClient(create_app(settings(tmp_path, database_url=database_url))) as c:
        plan_id = publish(c, term_tables())
        leader, event = link(c, "leader", "L001"), unit_visit(c, plan_id)
        unit = link(c, "unit", event["target_id"])
        set_clock(c, at(event, 5))
        code = c.post(f"/api/visits/{event['uid']}/checkin-code", headers=bearer(leader)).json()["code"]
        answers = [c.post(f"/checkin/{code}", json={"student_no": n}).status_code for n in ("S1", "S2", "S3", "S1")]
        assert answers == [201, 201, 201, 200]
        set_clock(c, at(event, 30, "end"))
        for attendees in (10, 20):
            r = c.put(f"/api/visits/{event['uid']}/record", json=held(event, attendees=attendees, raised=[{"category": "life", "text": "热水"}]), headers=bearer(leader))
            assert r.status_code == 200, r.text
        assert r.json()["version"] == 2 and r.json()["evidence"] == "confirmed"
        assert len(c.get(f"/api/visits/{event['uid']}/record/history", headers=bearer(leader)).json()["versions"]) == 2
        assert c.post(f"/api/visits/{event['uid']}/confirmation", json={"result": "confirmed"}, headers=bearer(unit)).status_code == 201
        item = r.json()["items"][0]["item_id"]
        assert c.patch(f"/api/feedback/{item}", json={"answer": "已修好", "resolved": True}, headers=bearer(leader)).json()["state"] == "resolved"
        report = c.get(f"/api/terms/{TERM_ID}/compliance", headers=bearer()).json()
        row = next(x for x in report["leaders"] if x["leader_id"] == "L001")
        assert row["held"] == 1 and row["confirmed"] == 1 and report["summary"]["items"] == 2
        zipped = c.get(f"/api/terms/{TERM_ID}/records.zip", headers=bearer())
        r = c.post(f"/api/terms/{TERM_ID}/records", files={"file": ("records.zip", zipped.content, "application/zip")}, headers=bearer())
        assert r.status_code == 201 and set(r.json()["counts"]) == {"visits_kept", "confirmations_kept", "items_kept"}, r.json()
