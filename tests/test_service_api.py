"""TestClient tests of the frontline service: every route, every error answer."""

from __future__ import annotations

import datetime as dt
import email.utils
import importlib.util
import io
import logging
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from fastapi.testclient import TestClient
from service_support import (
    ADMIN,
    TERM_ID,
    bearer,
    settings,
    term_tables,
    wait_job,
    xlsx_bytes,
    zip_bytes,
)

from api.service import create_app
from api.service.redaction import RedactFeedTokens, redact
from calendars.feeds import read_feed
from data.plan_io import EVENT_COLUMNS, REPORT_COLUMNS

HAS_REPLAN = importlib.util.find_spec("solver.replan") is not None
needs_replan = pytest.mark.skipif(not HAS_REPLAN, reason="solver/replan.py (the lead's re-plan) is not there yet")
EN = {"Accept-Language": "en"}


def upload(client: TestClient, content: bytes, name: str = "term.zip", headers: dict[str, str] | None = None) -> Any:
    return client.post("/api/terms", files={"file": (name, content, "application/octet-stream")}, headers=headers or bearer())


def solve(client: TestClient, term_id: str = TERM_ID, limit: float = 3) -> dict[str, Any]:
    r = client.post(f"/api/terms/{term_id}/solve", json={"time_limit_s": limit}, headers=bearer())
    assert r.status_code == 202, r.text
    job = wait_job(client.get, r.json()["job_id"])
    assert job["status"] == "done", job
    return job


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    with TestClient(create_app(settings(tmp_path))) as c:
        yield c


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[TestClient, str]]:
    """A service with the small term uploaded, solved and published: (client, plan_id)."""
    tmp = tmp_path_factory.mktemp("published")
    with TestClient(create_app(settings(tmp))) as c:
        assert upload(c, zip_bytes(term_tables())).status_code == 201
        plan_id = solve(c)["plan_id"]
        assert c.post(f"/api/plans/{plan_id}/publish", headers=bearer()).status_code == 200
        yield c, plan_id


def office_token(client: TestClient, role: str = "office") -> str:
    r = client.post("/api/tokens", json={"name": f"{role} clerk", "role": role}, headers=bearer())
    assert r.status_code == 201, r.text
    return str(r.json()["token"])


# access ------------------------------------------------------------------------------------------
def test_missing_token_is_401_with_a_message_that_says_what_to_send(client: TestClient) -> None:
    r = client.get("/api/terms")
    assert r.status_code == 401
    assert r.headers["www-authenticate"] == "Bearer"
    assert "Authorization: Bearer" in r.json()["detail"]
    assert "缺少访问令牌" in r.json()["detail"]  # Chinese by default


def test_wrong_token_is_401_in_english_when_asked(client: TestClient) -> None:
    r = client.get("/api/terms", headers={**bearer("nope"), **EN})
    assert r.status_code == 401
    assert r.json()["detail"] == "the token is not valid or has been revoked"
    assert client.get("/api/terms?lang=en", headers=bearer("nope")).json()["code"] == "unauthorized"
    basic = client.get("/api/terms", headers={"Authorization": "Basic YWRtaW46YWRtaW4="})
    assert basic.status_code == 401


def test_roles_reader_reads_office_writes_admin_manages_tokens(client: TestClient) -> None:
    reader, office = office_token(client, "reader"), office_token(client, "office")
    assert client.get("/api/terms", headers=bearer(reader)).status_code == 200
    r = upload(client, zip_bytes(term_tables()), headers=bearer(reader))
    assert r.status_code == 403 and "office" in r.json()["detail"]
    assert upload(client, zip_bytes(term_tables()), headers=bearer(office)).status_code == 201
    r = client.post("/api/tokens", json={"name": "x", "role": "admin"}, headers={**bearer(office), **EN})
    assert r.status_code == 403
    assert r.json()["detail"] == "this token's role is office; the operation needs admin or higher"


def test_tokens_list_and_revoke(client: TestClient) -> None:
    token = office_token(client)
    listed = client.get("/api/tokens", headers=bearer()).json()
    assert {t["role"] for t in listed} == {"admin", "office"}
    assert all("token" not in t and "token_hash" not in t for t in listed)
    office_id = next(t["token_id"] for t in listed if t["role"] == "office")
    r = client.delete(f"/api/tokens/{office_id}", headers=bearer())
    assert r.status_code == 200 and r.json()["revoked_at"]
    assert client.get("/api/terms", headers=bearer(token)).status_code == 401
    assert client.delete("/api/tokens/unknown", headers=bearer()).status_code == 404
    assert client.post("/api/tokens", json={"name": "", "role": "office"}, headers=bearer()).status_code == 422
    assert client.post("/api/tokens", json={"name": "x", "role": "root"}, headers=bearer()).status_code == 422


def test_generated_admin_token_is_stored_hashed_and_works(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with TestClient(create_app(settings(tmp_path, admin_token=None))) as c:
        token = c.app.state.service.new_admin_token  # type: ignore[attr-defined]
        assert token and len(token) >= 43
        assert token in capsys.readouterr().out  # printed once
        assert c.get("/api/terms", headers=bearer(token)).status_code == 200
        db = (tmp_path / "frontline.db").read_bytes()
        assert token.encode() not in db
    with TestClient(create_app(settings(tmp_path, admin_token=None))) as c:
        assert c.app.state.service.new_admin_token is None  # type: ignore[attr-defined]
        assert token not in capsys.readouterr().out
        assert c.get("/api/terms", headers=bearer(token)).status_code == 200


def test_health_needs_no_token(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}


# upload ------------------------------------------------------------------------------------------
def test_upload_zip_gives_term_summary_and_warnings(client: TestClient) -> None:
    r = upload(client, zip_bytes(term_tables()))
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["term_id"] == TERM_ID
    assert body["summary"]["leaders"] == 3 and body["summary"]["units"] == 3 and body["summary"]["weeks"] == 4
    # no holidays given: the official ones, estimated for 2027 (not yet published): a warning
    assert [w["file"] for w in body["warnings"]] == ["holidays.csv"]
    assert body["warnings"][0]["message"].startswith("2027 年")


def test_upload_xlsx_and_a_zip_with_a_folder_inside(client: TestClient, tmp_path: Path) -> None:
    r = upload(client, xlsx_bytes(term_tables(), tmp_path), "学期数据.xlsx")
    assert r.status_code == 201, r.text
    r = upload(client, zip_bytes(term_tables(), folder="export/"), "export.zip")
    assert r.status_code == 201, r.text
    detail = client.get(f"/api/terms/{TERM_ID}", headers=bearer()).json()
    assert [d["media"] for d in detail["datasets"]] == ["xlsx", "zip"]  # every upload is kept
    assert detail["current_dataset_id"] == detail["datasets"][-1]["dataset_id"]


def test_upload_with_extra_file_warns(client: TestClient) -> None:
    tables = term_tables()
    tables["notes"] = [["a"], ["b"]]
    body = upload(client, zip_bytes(tables), headers={**bearer(), **EN}).json()
    assert any(w["file"] == "notes.csv" and "ignored" in w["message"] for w in body["warnings"])


def test_invalid_data_is_422_with_every_problem_located(client: TestClient) -> None:
    tables = term_tables()
    tables["leaders"][2][4] = "NOWHERE"  # L002 on an unknown campus
    tables["units"][1][1] = "classroom"  # unknown kind
    r = upload(client, zip_bytes(tables))
    assert r.status_code == 422
    body = r.json()
    assert body["code"] == "invalid_data"
    where = {(p["file"], p["row"], p["column"]) for p in body["problems"]}
    assert ("leaders.csv", 3, "campus") in where
    assert ("units.csv", 2, "kind") in where
    assert all(p["message"] for p in body["problems"])
    en = upload(client, zip_bytes(tables), headers={**bearer(), **EN}).json()
    assert "fix each one" in en["detail"]
    assert client.get("/api/terms", headers=bearer()).json() == []  # nothing stored


def test_wrong_file_types_are_415_with_what_to_send(client: TestClient) -> None:
    r = upload(client, b"term_id,name\n", "term.csv")
    assert r.status_code == 415 and ".xlsx" in r.json()["detail"] and ".zip" in r.json()["detail"]
    r = upload(client, b"<html><table></table></html>", "export.xls", headers={**bearer(), **EN})
    assert r.status_code == 415 and "web page" in r.json()["detail"]  # .xls workbooks: test_service_exports.py


def test_zip_without_term_csv_is_422(client: TestClient) -> None:
    tables = term_tables()
    del tables["term"]
    r = upload(client, zip_bytes(tables), headers={**bearer(), **EN})
    assert r.status_code == 422
    assert r.json()["code"] == "missing_term" and "term.csv" in r.json()["detail"]


def test_damaged_and_empty_uploads_are_422(client: TestClient) -> None:
    assert upload(client, b"PK\x03\x04 this is not a zip").json()["code"] == "damaged_file"
    assert upload(client, b"").status_code == 422


def test_missing_file_field_is_422(client: TestClient) -> None:
    r = client.post("/api/terms", data={"other": "x"}, headers={**bearer(), **EN})
    assert r.status_code == 422
    assert r.json()["problems"][0]["column"] == "body.file"


def test_oversized_upload_is_413(tmp_path: Path) -> None:
    with TestClient(create_app(settings(tmp_path, max_upload_bytes=10_000))) as c:
        big = zip_bytes(term_tables()) + b"\0" * 200_000
        r = upload(c, big)
        assert r.status_code == 413
        assert "上限" in r.json()["detail"]
        # just over the limit (inside the slack of the early check): refused by the route
        r = upload(c, b"PK\x03\x04" + b"\0" * 10_001)
        assert r.status_code == 413


# terms -------------------------------------------------------------------------------------------
def test_terms_list_detail_and_unknown(client: TestClient) -> None:
    upload(client, zip_bytes(term_tables()))
    terms = client.get("/api/terms", headers=bearer()).json()
    assert [t["term_id"] for t in terms] == [TERM_ID]
    assert terms[0]["summary"]["leaders"] == 3
    detail = client.get(f"/api/terms/{TERM_ID}", headers=bearer()).json()
    assert detail["plans"] == [] and detail["jobs"] == [] and detail["published_plan_id"] is None
    r = client.get("/api/terms/nope", headers={**bearer(), **EN})
    assert r.status_code == 404 and r.json()["detail"] == "no term 'nope'; check the id"


# solve, jobs -------------------------------------------------------------------------------------
def test_solve_errors(client: TestClient) -> None:
    assert client.post("/api/terms/nope/solve", headers=bearer()).status_code == 404
    upload(client, zip_bytes(term_tables()))
    for body in ({"time_limit_s": -1}, {"time_limit_s": 10_000}, {"time_limit_s": "soon"}, {"unknown": 1}):
        r = client.post(f"/api/terms/{TERM_ID}/solve", json=body, headers=bearer())
        assert r.status_code == 422, body
        assert r.json()["problems"]
    r = client.post(
        f"/api/terms/{TERM_ID}/solve", content=b"{not json", headers={**bearer(), **EN, "Content-Type": "application/json"}
    )
    assert r.status_code == 422
    assert "not valid JSON" in r.json()["detail"]
    r = client.post(
        f"/api/terms/{TERM_ID}/solve", content=b"\xff\xfe{", headers={**bearer(), "Content-Type": "application/json"}
    )
    assert r.status_code == 422 and r.json()["code"] == "invalid_request"


def test_solve_runs_as_a_job_with_progress_and_a_draft_plan(client: TestClient) -> None:
    upload(client, zip_bytes(term_tables()))
    r = client.post(f"/api/terms/{TERM_ID}/solve", headers=bearer())  # no body: default limit
    assert r.status_code == 202
    job = wait_job(client.get, r.json()["job_id"])
    assert job["status"] == "done" and job["error"] is None and job["kind"] == "solve"
    progress = job["progress"]
    assert progress["objective"] is not None and progress["bound"] is not None
    assert progress["gap"] is not None and progress["elapsed_s"] is not None
    plan = client.get(f"/api/plans/{job['plan_id']}", headers=bearer()).json()
    assert plan["state"] == "draft" and plan["base_plan_id"] is None and plan["job_id"] == job["job_id"]
    assert plan["events"] and plan["report"] and plan["assignments"]
    assert plan["summary"]["events"] == plan["event_count"] == len(plan["events"])
    assert {e["leader_id"] for e in plan["events"]} == {"L001", "L002", "L003"}
    detail = client.get(f"/api/terms/{TERM_ID}", headers=bearer()).json()
    assert [p["plan_id"] for p in detail["plans"]] == [plan["plan_id"]]


def test_jobs_unknown_and_cancel_after_done(client: TestClient) -> None:
    assert client.get("/api/jobs/nope", headers=bearer()).status_code == 404
    assert client.delete("/api/jobs/nope", headers=bearer()).status_code == 404
    upload(client, zip_bytes(term_tables()))
    job = solve(client)
    r = client.delete(f"/api/jobs/{job['job_id']}", headers={**bearer(), **EN})
    assert r.status_code == 409 and "already ended (done)" in r.json()["detail"]


def test_cancel_a_running_solve(tmp_path: Path) -> None:
    import zipfile

    from data import DEMO_DIR

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path in sorted(DEMO_DIR.glob("*.csv")):
            archive.write(path, path.name)
    with TestClient(create_app(settings(tmp_path, solver_workers=1))) as c:
        term_id = upload(c, buffer.getvalue(), "demo.zip").json()["term_id"]
        job_id = c.post(f"/api/terms/{term_id}/solve", json={"time_limit_s": 30}, headers=bearer()).json()["job_id"]
        deadline = time.monotonic() + 30
        while c.get(f"/api/jobs/{job_id}", headers=bearer()).json()["status"] == "queued":
            assert time.monotonic() < deadline
            time.sleep(0.05)
        assert c.app.state.service.runner.status(job_id) == "running"  # type: ignore[attr-defined]
        r = c.delete(f"/api/jobs/{job_id}", headers=bearer())
        assert r.status_code == 200 and r.json()["status"] == "cancelled"
        deadline = time.monotonic() + 10
        while c.app.state.service.runner.status(job_id) is not None:  # type: ignore[attr-defined]
            assert time.monotonic() < deadline, "the solver process did not stop"
            time.sleep(0.05)
        job = c.get(f"/api/jobs/{job_id}", headers=bearer()).json()
        assert job["status"] == "cancelled" and job["plan_id"] is None
        assert c.get(f"/api/terms/{term_id}", headers=bearer()).json()["plans"] == []


def test_a_restart_marks_interrupted_jobs_failed(tmp_path: Path) -> None:
    from api.service.storage.db import make_engine, make_sessions
    from api.service.storage.models import Job

    with TestClient(create_app(settings(tmp_path))) as c:
        upload(c, zip_bytes(term_tables()))
        job = solve(c)
    engine = make_engine(f"sqlite:///{tmp_path / 'frontline.db'}")
    with make_sessions(engine)() as session:
        dataset_id = session.get_one(Job, job["job_id"]).dataset_id
        session.add(Job(id="a" * 32, university_id="default", term_id=TERM_ID, kind="solve", status="running", dataset_id=dataset_id, time_limit_s=5))
        session.add(Job(id="b" * 32, university_id="default", term_id=TERM_ID, kind="solve", status="queued", dataset_id=dataset_id, time_limit_s=5))
        session.commit()
    engine.dispose()
    with TestClient(create_app(settings(tmp_path))) as c:
        for ident in ("a" * 32, "b" * 32):
            body = c.get(f"/api/jobs/{ident}", headers=bearer()).json()
            assert body["status"] == "failed" and "restart" in body["error"]
        assert c.get(f"/api/jobs/{job['job_id']}", headers=bearer()).json()["status"] == "done"  # kept


# plans -------------------------------------------------------------------------------------------
def test_plan_files(published: tuple[TestClient, str]) -> None:
    client, plan_id = published
    r = client.get(f"/api/plans/{plan_id}/events.csv", headers=bearer())
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    lines = r.text.splitlines()
    assert lines[0] == ",".join(EVENT_COLUMNS)
    assert len(lines) - 1 == len(client.get(f"/api/plans/{plan_id}", headers=bearer()).json()["events"])
    r = client.get(f"/api/plans/{plan_id}/report.csv", headers=bearer())
    assert r.text.splitlines()[0] == ",".join(REPORT_COLUMNS)
    assert len(r.text.splitlines()) == 1 + 3 * 5
    r = client.get(f"/api/plans/{plan_id}/report.xlsx", headers=bearer())
    book = openpyxl.load_workbook(io.BytesIO(r.content))
    assert book.sheetnames == ["汇总", "明细"]  # a row per leader; every report row
    assert book["汇总"].max_row == 1 + 3 and book["明细"].max_row == 1 + 3 * 5
    assert [c.value for c in book["明细"][1]] == ["工号", "要求", "应达到", "实际", "是否满足", "原因"]
    changes = client.get(f"/api/plans/{plan_id}/changes", headers=bearer()).json()
    assert changes == {"plan_id": plan_id, "base_plan_id": None, "changes": []}


@pytest.mark.parametrize("suffix", ["", "/events.csv", "/report.csv", "/report.xlsx", "/changes"])
def test_unknown_plan_is_404(published: tuple[TestClient, str], suffix: str) -> None:
    client, _ = published
    r = client.get(f"/api/plans/nope{suffix}", headers=bearer())
    assert r.status_code == 404 and r.json()["code"] == "not_found"
    assert client.post("/api/plans/nope/publish", headers=bearer()).status_code == 404


def test_publish_rules(published: tuple[TestClient, str]) -> None:
    client, plan_id = published
    r = client.post(f"/api/plans/{plan_id}/publish", headers=bearer())  # again: 409, nothing changes
    assert r.status_code == 409 and r.json()["code"] == "conflict"
    fresh = solve(client)["plan_id"]  # solved from scratch, not from the published plan
    r = client.post(f"/api/plans/{fresh}/publish", headers={**bearer(), **EN})
    assert r.status_code == 409
    assert plan_id in r.json()["detail"] and "/changes" in r.json()["detail"]
    assert client.get(f"/api/terms/{TERM_ID}", headers=bearer()).json()["published_plan_id"] == plan_id


# changes -----------------------------------------------------------------------------------------
def test_changes_need_a_published_plan(client: TestClient) -> None:
    assert client.post("/api/terms/nope/changes", json={}, headers=bearer()).status_code == 404
    upload(client, zip_bytes(term_tables()))
    r = client.post(f"/api/terms/{TERM_ID}/changes", json={}, headers=bearer())
    assert r.status_code == 409 and "发布" in r.json()["detail"]


def test_invalid_change_rows_are_422_naming_the_row(published: tuple[TestClient, str]) -> None:
    client, _ = published
    url = f"/api/terms/{TERM_ID}/changes"
    bad_date = {"absences": [{"owner_id": "L001", "start": "2027-03-02", "end": "2027-03-02", "kind": "travel"},
                             {"owner_id": "L001", "start": "2027-13-40", "end": "2027-03-02", "kind": "travel"}]}  # fmt: skip
    r = client.post(url, json=bad_date, headers=bearer())
    assert r.status_code == 422, r.text
    assert {(p["file"], p["column"]) for p in r.json()["problems"]} == {("changes.absences[1]", "start")}
    r = client.post(url, json={"absences": [{"owner_id": "NOBODY", "start": "2027-03-02", "end": "2027-03-02"}]}, headers=bearer())
    assert r.status_code == 422 and r.json()["problems"][0]["file"] == "changes.absences[0]"
    r = client.post(url, json={"timetable": [{"owner": "L001"}]}, headers={**bearer(), **EN})
    assert r.status_code == 422 and "has no column 'owner'" in r.json()["problems"][0]["message"]
    r = client.post(url, json={"remove": [{"table": "absences", "match": {"owner_id": "L999"}}]}, headers=bearer())
    assert r.status_code == 422 and r.json()["problems"][0]["file"] == "remove[0]"
    r = client.post(url, json={"remove": [{"table": "leaders", "match": {"leader_id": "L001"}}]}, headers=bearer())
    assert r.status_code == 422
    r = client.post(url, json={"absences": "L001 away"}, headers=bearer())
    assert r.status_code == 422
    r = client.post(url, json={"now": "tomorrow"}, headers=bearer())
    assert r.status_code == 422
    detail = client.get(f"/api/terms/{TERM_ID}", headers=bearer()).json()
    assert all(d["kind"] == "upload" for d in detail["datasets"])  # nothing stored


@needs_replan
def test_change_replans_publish_and_second_change_conflicts(tmp_path: Path) -> None:
    with TestClient(create_app(settings(tmp_path))) as c:
        upload(c, zip_bytes(term_tables()))
        first = solve(c)["plan_id"]
        c.post(f"/api/plans/{first}/publish", headers=bearer())
        events = c.get(f"/api/plans/{first}", headers=bearer()).json()["events"]
        target = next(e for e in events if e["leader_id"] == "L001" and e["week"] == 2)
        change = {
            "absences": [{"owner_id": "L001", "start": target["date"], "end": target["date"], "kind": "meeting", "note": "临时会议"}],
            "remove": [{"table": "absences", "match": {"owner_id": "L001", "note": "北京"}}],
            "now": "2027-02-01T00:00:00",
        }
        r = c.post(f"/api/terms/{TERM_ID}/changes", json=change, headers=bearer())
        assert r.status_code == 202, r.text
        job_id = r.json()["job_id"]
        again = c.post(f"/api/terms/{TERM_ID}/changes", json=change, headers={**bearer(), **EN})
        assert again.status_code == 409
        assert again.json()["job_id"] == job_id and job_id in again.json()["detail"]
        job = wait_job(c.get, job_id)
        assert job["status"] == "done", job
        draft = c.get(f"/api/plans/{job['plan_id']}", headers=bearer()).json()
        assert draft["base_plan_id"] == first and draft["state"] == "draft"
        changes = c.get(f"/api/plans/{draft['plan_id']}/changes", headers=bearer()).json()
        by_uid = {ch["uid"]: ch for ch in changes["changes"]}
        assert by_uid[target["uid"]]["change"] in ("moved", "cancelled")
        assert r.status_code == 202
        assert c.post(f"/api/plans/{draft['plan_id']}/publish", headers=bearer()).json()["state"] == "published"
        old = c.get(f"/api/plans/{first}", headers=bearer()).json()
        assert old["state"] == "superseded"
        r = c.post(f"/api/plans/{first}/publish", headers=bearer())
        assert r.status_code == 409  # the superseded plan is not based on the published one
        stored = c.get(f"/api/terms/{TERM_ID}", headers=bearer()).json()["datasets"]
        assert [d["kind"] for d in stored] == ["upload", "change"] and stored[1]["parent_id"] == stored[0]["dataset_id"]
        actions = [a["action"] for a in c.get("/api/audit", headers=bearer()).json()]
        assert {"term.upload", "job.solve", "plan.publish", "term.change"} <= set(actions)


@needs_replan
def test_holiday_change_keeps_the_official_holidays(tmp_path: Path) -> None:
    tables = term_tables()
    tables["term"][1][3] = "6"  # to 2027-04-11: 清明节 (official, no holidays table given) is in it
    with TestClient(create_app(settings(tmp_path))) as c:
        upload(c, zip_bytes(tables))
        plan_id = solve(c)["plan_id"]
        c.post(f"/api/plans/{plan_id}/publish", headers=bearer())
        change = {"holidays": [{"date": "2027-03-03", "name": "校庆", "kind": "holiday"}], "now": "2027-02-01T00:00:00+08:00"}
        r = c.post(f"/api/terms/{TERM_ID}/changes", json=change, headers=bearer())
        assert r.status_code == 202, r.text
        assert wait_job(c.get, r.json()["job_id"])["status"] == "done"
        service = c.app.state.service  # type: ignore[attr-defined]
        dataset_id = c.get(f"/api/terms/{TERM_ID}", headers=bearer()).json()["datasets"][-1]["dataset_id"]
        days = {h.date for h in service.problem(dataset_id).holidays}
        assert dt.date(2027, 3, 3) in days
        assert dt.date(2027, 4, 5) in days  # the official ones are still there


# feeds -------------------------------------------------------------------------------------------
def test_feed_urls_are_shown_once_and_rotate(published: tuple[TestClient, str]) -> None:
    client, _ = published
    assert client.get("/api/leaders/NOBODY/feed", headers=bearer()).status_code == 404
    assert client.post("/api/leaders/NOBODY/feed/rotate", headers=bearer()).status_code == 404
    first = client.get("/api/leaders/L002/feed", headers=bearer()).json()
    assert first["url"].startswith("http://testserver/feeds/") and first["url"].endswith(".ics")
    assert first["webcal_url"] == first["url"].replace("http://", "webcal://")
    token = first["url"].rsplit("/", 1)[1].removesuffix(".ics")
    assert len(token) >= 43  # 256 bits, URL-safe base64
    again = client.get("/api/leaders/L002/feed", headers={**bearer(), **EN}).json()
    assert again["url"] is None and "rotate" in again["message"]
    assert client.get(first["url"]).status_code == 200
    rotated = client.post("/api/leaders/L002/feed/rotate", headers=bearer()).json()
    assert rotated["url"] != first["url"]
    assert client.get(first["url"]).status_code == 404  # the old URL stops working
    assert client.get(rotated["url"]).status_code == 200


def test_feed_serves_the_published_plan_with_cache_headers(published: tuple[TestClient, str]) -> None:
    client, plan_id = published
    url = client.post("/api/leaders/L001/feed/rotate", headers=bearer()).json()["url"]
    r = client.get(url)
    assert r.status_code == 200
    assert r.headers["content-type"] == "text/calendar; charset=utf-8"
    assert r.headers["cache-control"] == "private"
    etag, modified = r.headers["etag"], r.headers["last-modified"]
    assert etag.startswith('"') and not etag.startswith("W/")
    plan = client.get(f"/api/plans/{plan_id}", headers=bearer()).json()
    mine = sorted(e["uid"] for e in plan["events"] if e["leader_id"] == "L001")
    assert sorted(e.uid for e in read_feed(r.content)) == mine
    assert client.get(url, headers={"If-None-Match": etag}).status_code == 304
    assert client.get(url, headers={"If-None-Match": f'"other", W/{etag}'}).status_code == 304
    assert client.get(url, headers={"If-None-Match": '"other"'}).status_code == 200
    assert client.get(url, headers={"If-Modified-Since": modified}).status_code == 304
    earlier = email.utils.format_datetime(email.utils.parsedate_to_datetime(modified) - dt.timedelta(days=1), usegmt=True)
    assert client.get(url, headers={"If-Modified-Since": earlier}).status_code == 200
    assert client.get(url, headers={"If-Modified-Since": "yesterday"}).status_code == 200
    not_modified = client.get(url, headers={"If-None-Match": etag})
    assert not_modified.headers["etag"] == etag and not_modified.content == b""
    head = client.head(url)
    assert head.status_code == 200 and head.headers["etag"] == etag
    english = client.get(url + "?lang=en")
    assert english.status_code == 200 and english.headers["etag"] != etag


def test_unit_and_office_feeds(published: tuple[TestClient, str]) -> None:
    client, plan_id = published
    unit = client.get("/api/units/D001/feed", headers=bearer()).json()
    assert client.get(unit["url"]).status_code == 200
    assert client.get("/api/units/NOPE/feed", headers=bearer()).status_code == 404
    office = client.post(f"/api/terms/{TERM_ID}/feed/rotate", headers=bearer()).json()
    body = client.get(office["url"]).content
    plan = client.get(f"/api/plans/{plan_id}", headers=bearer()).json()
    assert len(read_feed(body)) == len(plan["events"])
    assert client.get("/api/terms/nope/feed", headers=bearer()).status_code == 404
    assert client.post("/api/units/D001/feed/rotate", headers=bearer()).json()["url"] != unit["url"]


def test_unknown_feed_token_is_404(client: TestClient) -> None:
    r = client.get("/feeds/not-a-token.ics")
    assert r.status_code == 404 and r.json()["code"] == "not_found"
    assert client.get("/feeds/" + "x" * 500 + ".ics").status_code == 404


def test_feed_before_anything_is_published_is_an_empty_calendar(client: TestClient) -> None:
    upload(client, zip_bytes(term_tables()))
    url = client.get("/api/leaders/L001/feed", headers=bearer()).json()["url"]
    r = client.get(url)
    assert r.status_code == 200 and read_feed(r.content) == []
    assert client.get(url, headers={"If-None-Match": r.headers["etag"]}).status_code == 304


def test_feed_tokens_are_stored_hashed(published: tuple[TestClient, str]) -> None:
    client, _ = published
    url = client.post("/api/leaders/L003/feed/rotate", headers=bearer()).json()["url"]
    token = url.rsplit("/", 1)[1].removesuffix(".ics")
    service = client.app.state.service  # type: ignore[attr-defined]
    from sqlalchemy import text

    with service.engine.connect() as conn:
        stored = [row[0] for row in conn.execute(text("select token_hash from feed_tokens"))]
    assert token not in stored and all(len(h) == 64 for h in stored)


def test_access_log_filter_redacts_feed_tokens() -> None:
    record = logging.LogRecord(
        "uvicorn.access", logging.INFO, __file__, 1, '%s - "%s %s HTTP/%s" %d',
        ("127.0.0.1:5000", "GET", "/feeds/SECRETtoken123.ics?lang=en", "1.1", 200), None,
    )  # fmt: skip
    assert RedactFeedTokens().filter(record)
    assert "SECRET" not in record.getMessage() and "/feeds/<redacted>" in record.getMessage()
    assert redact("GET /feeds/abc.ics") == "GET /feeds/<redacted>"


def test_log_filter_is_installed_on_start(client: TestClient) -> None:
    assert any(isinstance(f, RedactFeedTokens) for f in logging.getLogger("uvicorn.access").filters)


def test_audit_log(published: tuple[TestClient, str]) -> None:
    client, plan_id = published
    entries = client.get("/api/audit?limit=500", headers=bearer()).json()
    assert entries[0]["id"] > entries[-1]["id"]  # newest first
    publish = [e for e in entries if e["action"] == "plan.publish" and e["target"] == plan_id]
    assert publish and publish[0]["actor"].startswith("admin")
    assert client.get(f"/api/audit?target={plan_id}", headers=bearer()).json()[0]["target"] == plan_id
    assert client.get("/api/audit?limit=0", headers=bearer()).status_code == 422


def test_unknown_path_and_method_answer_in_the_error_shape(client: TestClient) -> None:
    r = client.get("/api/nothing", headers=EN)
    assert r.status_code == 404 and r.json()["detail"].startswith("no such path")
    r = client.put("/api/terms", headers=bearer())
    assert r.status_code == 405 and r.json()["code"] == "http_405"
    assert client.get("/api/terms?lang=fr", headers=bearer()).status_code == 422


def test_admin_token_from_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from api.service import Settings

    monkeypatch.setenv("FRONTLINE_ADMIN_TOKEN", "from-the-environment-" + "x" * 30)
    monkeypatch.setenv("FRONTLINE_DATABASE_URL", f"sqlite:///{tmp_path / 'env.db'}")
    with TestClient(create_app(Settings())) as c:
        assert c.get("/api/terms", headers=bearer("from-the-environment-" + "x" * 30)).status_code == 200
        assert c.get("/api/terms", headers=bearer(ADMIN)).status_code == 401
    assert (tmp_path / "env.db").exists()
