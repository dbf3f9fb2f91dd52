"""Universities as tenants, on the real PostgreSQL (own schema per test; SQLite where it says so):
two universities with the same term and leader ids kept apart, the province's summaries, tokens
bound to a university, and the migration of a single-university database.
"""

from __future__ import annotations

import datetime as dt
import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from alembic import command
from conftest import write_csvs
from evidence_service_support import held
from fastapi.testclient import TestClient
from page_support import csrf_of, sign_in
from service_support import (
    ADMIN,
    TERM_ID,
    bearer,
    postgres_schema,
    settings,
    term_tables,
    wait_job,
    zip_bytes,
)
from sqlalchemy import text

from api.service import create_app
from api.service.auth import hash_token
from api.service.plans import plan_columns
from api.service.storage.db import alembic_config, make_engine
from data.reader import read_problem
from solver.solve import SolveOptions, solve

PREVIOUS_HEAD = "0015"  # the last revision before universities


@pytest.fixture
def pg_url() -> Iterator[str]:
    with postgres_schema() as url:
        yield url


@pytest.fixture
def client(pg_url: str, tmp_path: Path) -> Iterator[TestClient]:
    with TestClient(create_app(settings(tmp_path, database_url=pg_url))) as c:
        yield c


def university(c: TestClient, university_id: str, name: str) -> None:
    r = c.post("/api/universities", json={"university_id": university_id, "name": name}, headers=bearer())
    assert r.status_code == 201, r.text


def token(c: TestClient, role: str, university_id: str | None = None) -> dict[str, str]:
    body: dict[str, Any] = {"name": f"{role} {university_id}", "role": role}
    if university_id:
        body["university_id"] = university_id
    r = c.post("/api/tokens", json=body, headers=bearer())
    assert r.status_code == 201, r.text
    return bearer(r.json()["token"])


def publish(c: TestClient, who: dict[str, str], leader_name: str) -> tuple[str, str]:
    """Upload the small term (its L001 renamed), solve, publish: (job id, plan id)."""
    tables = term_tables()
    tables["leaders"][1][1] = leader_name
    r = c.post("/api/terms", files={"file": ("term.zip", zip_bytes(tables), "application/zip")}, headers=who)
    assert r.status_code == 201 and r.json()["term_id"] == TERM_ID, r.text
    job = wait_job(c.get, c.post(f"/api/terms/{TERM_ID}/solve", json={"time_limit_s": 3}, headers=who).json()["job_id"], headers=who)
    assert job["status"] == "done", job
    assert c.post(f"/api/plans/{job['plan_id']}/publish", headers=who).status_code == 200
    return job["job_id"], job["plan_id"]


@pytest.fixture
def two(client: TestClient) -> dict[str, Any]:
    """Universities A and B, each with the same term id and leader ids, planned and published."""
    university(client, "uni-a", "甲大学")
    university(client, "uni-b", "乙大学")
    a, b = token(client, "office", "uni-a"), token(client, "office", "uni-b")
    job_a, plan_a = publish(client, a, "甲书记")
    job_b, plan_b = publish(client, b, "乙书记")
    return {"a": a, "b": b, "job_a": job_a, "plan_a": plan_a, "job_b": job_b, "plan_b": plan_b}


def test_two_universities_with_the_same_ids_are_kept_apart(client: TestClient, two: dict[str, Any]) -> None:
    a, b = two["a"], two["b"]
    assert client.get(f"/api/terms/{TERM_ID}", headers=a).json()["published_plan_id"] == two["plan_a"]
    assert client.get(f"/api/terms/{TERM_ID}", headers=b).json()["published_plan_id"] == two["plan_b"]
    assert [t["term_id"] for t in client.get("/api/terms", headers=a).json()] == [TERM_ID]
    for path in (f"/api/plans/{two['plan_b']}", f"/api/jobs/{two['job_b']}", f"/api/plans/{two['plan_b']}/report.csv"):
        r = client.get(path, headers=a)  # another university's: as if it did not exist
        assert r.status_code == 404 and r.json()["code"] == "not_found", (path, r.text)
    assert client.delete(f"/api/jobs/{two['job_b']}", headers=a).status_code == 404
    assert client.post(f"/api/plans/{two['plan_b']}/publish", headers=a).status_code == 404
    # feeds: each L001 is its own university's leader
    feed_a = client.get(client.get("/api/leaders/L001/feed", headers=a).json()["url"]).text
    feed_b = client.get(client.get("/api/leaders/L001/feed", headers=b).json()["url"]).text
    assert "甲书记" in feed_a and "乙书记" not in feed_a and "乙书记" in feed_b and "甲书记" not in feed_b
    # compliance: each judged on its own plan and records
    visit = _first_unit_visit(client, two["plan_a"], a)
    client.app.state.service.clock = lambda: dt.datetime.fromisoformat(visit["end"]) + dt.timedelta(minutes=30)  # type: ignore[attr-defined]
    assert client.put(f"/api/visits/{visit['uid']}/record", json=held(visit), headers=a).status_code in (200, 201)
    held_a = client.get(f"/api/terms/{TERM_ID}/compliance", headers=a).json()
    held_b = client.get(f"/api/terms/{TERM_ID}/compliance", headers=b).json()
    assert held_a["plan_id"] == two["plan_a"] and held_b["plan_id"] == two["plan_b"]
    assert held_a["summary"]["held"] == 1 and held_b["summary"]["held"] == 0
    # the audit log of an office shows its own university only
    targets = {e["detail"].get("job_id") for e in client.get("/api/audit?limit=1000", headers=a).json()}
    assert two["job_a"] in targets and two["job_b"] not in targets


def _first_unit_visit(c: TestClient, plan_id: str, who: dict[str, str]) -> dict[str, Any]:
    events = c.get(f"/api/plans/{plan_id}", headers=who).json()["events"]
    return sorted((e for e in events if e["leader_id"] == "L001" and e["target_id"] in ("C001", "D001", "S001")), key=lambda e: e["start"])[0]


def test_a_province_token_sees_summaries_only(client: TestClient, two: dict[str, Any]) -> None:
    province = token(client, "province")
    r = client.get("/api/province/summary", headers=province)
    assert r.status_code == 200, r.text
    by_id = {u["university_id"]: u for u in r.json()["universities"]}
    assert {"uni-a", "uni-b", "default"} <= set(by_id)
    for uni in ("uni-a", "uni-b"):
        (term,) = by_id[uni]["terms"]
        assert term["term_id"] == TERM_ID and term["status"] == "published"
        assert term["leaders"] == 3 and term["compliant"] + term["partly"] + term["non_compliant"] == 3
        assert set(term) >= {"confirmed_share", "response_rate", "resolution_rate", "satisfaction_rate", "overdue"}
    assert by_id["default"]["terms"] == []
    assert "L001" not in r.text and "书记" not in r.text  # no person, let alone a student
    workbook = client.get("/api/province/summary.xlsx", headers=province)
    assert workbook.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(workbook.content)).worksheets[0]
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert rows[0][:5] == ["高校编号", "高校名称", "学期编号", "学期名称", "状态"]
    assert {(r[0], r[2], r[4]) for r in rows[1:]} >= {("uni-a", TERM_ID, "已发布"), ("uni-b", TERM_ID, "已发布")}
    for path in ("/api/terms", f"/api/plans/{two['plan_a']}", f"/api/jobs/{two['job_a']}", "/api/tokens", "/api/audit"):
        assert client.get(path, headers=province).status_code == 403, path
    assert client.get("/api/province/summary", headers=two["a"]).status_code == 403  # an office is no province


def _raw(who: dict[str, str]) -> str:
    return who["Authorization"].removeprefix("Bearer ")


def test_an_office_signed_in_to_the_pages_sees_its_own_university_only(client: TestClient, two: dict[str, Any]) -> None:
    sign_in(client, _raw(two["a"]))
    term = client.get(f"/office/terms/{TERM_ID}")
    assert term.status_code == 200 and two["plan_a"] in term.text and two["plan_b"] not in term.text
    for path in (f"/office/plans/{two['plan_a']}", f"/office/plans/{two['plan_a']}/review", f"/office/jobs/{two['job_a']}"):
        assert client.get(path).status_code == 200, path
    for path in (f"/office/plans/{two['plan_b']}", f"/office/plans/{two['plan_b']}/review", f"/office/jobs/{two['job_b']}"):
        r = client.get(path)  # another university's: a 404 page, as if it did not exist
        assert r.status_code == 404 and "text/html" in r.headers["content-type"], path
    assert client.get("/office/terms/no-such-term").status_code == 404


def test_a_leaders_link_opens_the_page_of_its_own_university(client: TestClient, two: dict[str, Any]) -> None:
    url = client.post("/api/leaders/L001/link", headers=two["b"]).json()["url"]
    page = client.get(f"/l/{url.rsplit('/', 1)[1]}")  # follows to /leader
    assert page.status_code == 200 and "乙书记" in page.text and "甲书记" not in page.text


def test_a_province_token_cannot_sign_in_to_the_office_pages(client: TestClient, two: dict[str, Any]) -> None:
    province = _raw(token(client, "province"))
    form = client.get("/office/signin")
    r = client.post("/office/signin", data={"csrf": csrf_of(form.text), "token": province, "next": "/office"}, follow_redirects=False)
    assert r.status_code == 403 and "/api/province/summary" in r.text
    assert client.get("/office", follow_redirects=False).status_code == 303  # no session was made


def test_tokens_name_an_existing_university_and_only_the_admin_adds_universities(client: TestClient) -> None:
    university(client, "uni-a", "甲大学")
    r = client.post("/api/tokens", json={"name": "x", "role": "office", "university_id": "nope"}, headers=bearer())
    assert r.status_code == 404
    r = client.post("/api/tokens", json={"name": "p", "role": "province", "university_id": "uni-a"}, headers=bearer())
    assert r.status_code == 422 and r.json()["problems"][0]["column"] == "body.university_id"
    assert client.post("/api/universities", json={"university_id": "uni-a", "name": "again"}, headers=bearer()).status_code == 409
    assert client.post("/api/universities", json={"university_id": "bad id!", "name": "x"}, headers=bearer()).status_code == 422
    office = token(client, "office", "uni-a")
    assert client.post("/api/universities", json={"university_id": "uni-c", "name": "x"}, headers=office).status_code == 403
    assert client.get("/api/terms", headers={**bearer(), "X-University-Id": "nope"}).status_code == 404
    assert client.get("/api/terms", headers={**bearer(), "X-University-Id": "uni-a"}).json() == []


# the migration -----------------------------------------------------------------------------------
@pytest.fixture(params=["sqlite", "postgresql"])
def any_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'single.db'}"
        return
    with postgres_schema() as url:
        yield url


OFFICE = "office-token-of-the-single-university-0123456789abcdef"
FEED = "feed-token-of-leader-L001-in-the-single-university-0123456789"
PAGE = "page-session-of-the-single-university-office-0123456789abcdef"


def single_university_database(url: str, tmp: Path) -> str:
    """A database at the revision before universities, with a term, its data, a published plan,
    a job, an office token, a feed, a visit record and an item: the plan id."""
    problem = read_problem(write_csvs(tmp / "term", term_tables())).problem
    plan = solve(problem, SolveOptions(time_limit=5, workers=1))
    columns = plan_columns(plan, problem)
    engine = make_engine(url)
    command.upgrade(alembic_config(engine), PREVIOUS_HEAD)
    now = dt.datetime(2026, 11, 1, tzinfo=dt.UTC).replace(tzinfo=None)
    term_id = problem.term.term_id
    rows: list[tuple[str, dict[str, Any]]] = [
        ("api_tokens", {"id": "t1", "name": "office", "role": "office", "token_hash": hash_token(OFFICE), "created_at": now, "created_by": "x"}),
        ("terms", {"term_id": term_id, "name": "一学期", "created_at": now, "updated_at": now, "current_dataset_id": "d1", "published_plan_id": "p1"}),
        ("datasets", {"id": "d1", "term_id": term_id, "kind": "upload", "filename": "t.zip", "media": "zip",
                      "content": zip_bytes(term_tables()), "summary": "{}", "warnings": "[]", "created_at": now, "created_by": "x"}),
        ("roster", {"dataset_id": "d1", "kind": "leader", "member_id": "L001", "name": "张书记"}),
        ("jobs", {"id": "j1", "term_id": term_id, "kind": "solve", "status": "done", "dataset_id": "d1", "time_limit_s": 5,
                  "lang": "zh", "plan_id": "p1", "created_at": now, "created_by": "x", "attempts": 1}),
        ("plans", {"id": "p1", "term_id": term_id, "dataset_id": "d1", "job_id": "j1", "state": "published", "timezone": plan.timezone,
                   **{k: json.dumps(v, ensure_ascii=False) for k, v in columns.items() if k != "timezone"},
                   "created_at": now, "published_at": now}),
        ("web_sessions", {"id": "w1", "token_hash": hash_token(PAGE), "kind": "office", "subject": "t1", "csrf": "c" * 32,
                          "created_at": now, "expires_at": dt.datetime.now(dt.UTC).replace(tzinfo=None) + dt.timedelta(hours=1)}),
        ("feed_tokens", {"id": "f1", "kind": "leader", "subject_id": "L001", "token_hash": hash_token(FEED), "created_at": now, "created_by": "x"}),
        ("audit_log", {"at": now, "actor": "office", "role": "office", "action": "term.upload", "target": term_id, "detail": "{}"}),
        ("visit_records", {"record_id": "R1", "term_id": term_id, "uid": plan.events[0].uid, "leader_id": "L001", "visit_kind": "",
                           "target_id": "", "version": 1, "created_at": now, "created_by": "x"}),
        ("record_versions", {"record_id": "R1", "version": 1, "status": "held", "attendees": 20, "reason": "", "note": "",
                             "recorded_at": now, "recorded_by": "x", "source": "service"}),
        ("feedback_items", {"item_id": "I1", "term_id": term_id, "raised_at": now, "category": "study", "text": "图书馆开放时间",
                            "owner": "L001", "anonymous": False, "raised_by_role": "office", "raised_by": "x", "answer": "", "reopened": 0}),
        ("feedback_events", {"item_id": "I1", "at": now, "actor_role": "office", "actor": "x", "kind": "raised", "detail": "{}"}),
    ]  # fmt: skip
    with engine.begin() as conn:
        for table, values in rows:
            names = ", ".join(values)
            conn.execute(text(f"INSERT INTO {table} ({names}) VALUES ({', '.join(':' + k for k in values)})"), values)
    engine.dispose()
    return "p1"


COUNTED = ("terms", "datasets", "roster", "plans", "jobs", "feed_tokens", "visit_records", "record_versions",
           "feedback_items", "feedback_events", "web_sessions", "api_tokens", "audit_log")  # fmt: skip


def counts(url: str) -> dict[str, int]:
    engine = make_engine(url)
    with engine.connect() as conn:
        found = {t: int(conn.execute(text(f"SELECT count(*) FROM {t}")).scalar() or 0) for t in COUNTED}
    engine.dispose()
    return found


def test_a_single_university_database_migrates_into_the_default_university(any_url: str, tmp_path: Path) -> None:
    plan_id = single_university_database(any_url, tmp_path)
    before = counts(any_url)
    with TestClient(create_app(settings(tmp_path, database_url=any_url, admin_token=ADMIN))) as c:  # migrates to head
        after = counts(any_url)
        assert {k: v for k, v in after.items() if k not in ("api_tokens", "audit_log")} == {
            k: v for k, v in before.items() if k not in ("api_tokens", "audit_log")
        }  # no row lost (the start adds the admin token and its audit line)
        office = bearer(OFFICE)
        term = c.get("/api/terms", headers=office).json()
        assert [t["published_plan_id"] for t in term] == [plan_id]  # the old office token still works
        assert c.get(f"/api/plans/{plan_id}", headers=office).json()["state"] == "published"
        feed = c.get(f"/feeds/{FEED}.ics")
        assert feed.status_code == 200 and b"BEGIN:VEVENT" in feed.content  # the old subscription still works
        items = c.get("/api/feedback", headers=office).json()
        assert [i["item_id"] for i in items] == ["I1"]
        assert c.get("/api/universities", headers=bearer()).json()[0]["university_id"] == "default"
        c.cookies.set("fl_session", PAGE)  # the office's browser session still works, in the default university
        assert c.get(f"/office/plans/{plan_id}").status_code == 200
    engine = make_engine(any_url)
    with engine.connect() as conn:
        for table in ("terms", "datasets", "roster", "plans", "jobs", "feed_tokens", "visit_records", "record_versions",
                      "feedback_items", "feedback_events", "web_sessions"):  # fmt: skip
            assert conn.execute(text(f"SELECT DISTINCT university_id FROM {table}")).scalars().all() == ["default"], table
        assert conn.execute(text("SELECT university_id FROM api_tokens WHERE id = 't1'")).scalar() == "default"
    engine.dispose()
