"""The web pages through the TestClient: sign-in and sessions, roles, CSRF, 404s, languages, and an
accessibility check of every office page (the leader, unit and check-in pages: test_pages_people.py)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from page_support import accessibility_problems, csrf_of, sign_in
from service_support import ADMIN, TERM_ID, bearer, settings, term_tables, wait_job, zip_bytes
from test_service_postgres import database_url  # noqa: F401 - the SQLite and PostgreSQL fixture

from api.service import create_app

HTML = {"Accept": "text/html"}


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    with TestClient(create_app(settings(tmp_path))) as c:
        yield c


@pytest.fixture(scope="module")
def office(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """A signed-in office with the small term uploaded through the page, solved and published."""
    tmp = tmp_path_factory.mktemp("pages")
    with TestClient(create_app(settings(tmp))) as c:
        csrf = sign_in(c)
        r = c.post("/office/terms", data={"csrf": csrf}, files={"file": ("term.zip", zip_bytes(term_tables()))})
        assert r.status_code == 200 and "通过检查" in r.text
        r = c.post(f"/office/terms/{TERM_ID}/solve", data={"csrf": csrf, "time_limit_s": "3"}, follow_redirects=False)
        job_id = r.headers["location"].rsplit("/", 1)[1]
        job = wait_job(c.get, job_id)
        plan_id = job["plan_id"]
        review = c.get(f"/office/plans/{plan_id}/review")
        r = c.post(f"/office/plans/{plan_id}/publish", data={"csrf": csrf_of(review.text)})
        assert r.status_code == 200 and "已发布" in r.text
        yield {"client": c, "csrf": csrf, "job_id": job_id, "plan_id": plan_id}


def office_pages(o: dict[str, Any]) -> list[str]:
    plan = f"/office/plans/{o['plan_id']}"
    return [
        "/", "/office/signin", "/office", f"/office/terms/{TERM_ID}", f"/office/jobs/{o['job_id']}",
        plan, f"{plan}?view=day&date=2027-03-02", f"{plan}?view=unmet", f"{plan}/review",
        f"/office/terms/{TERM_ID}/change",
    ]  # fmt: skip


# sign-in and sessions ----------------------------------------------------------------------------
def test_office_pages_send_a_visitor_without_a_session_to_the_sign_in_page(client: TestClient) -> None:
    r = client.get("/office", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/office/signin?next=/office"


def test_signing_in_sets_an_httponly_samesite_session_cookie_and_signing_out_ends_it(client: TestClient) -> None:
    form = client.get("/office/signin")
    r = client.post("/office/signin", data={"csrf": csrf_of(form.text), "token": ADMIN, "next": "/office"}, follow_redirects=False)
    cookie = r.headers["set-cookie"]
    assert r.status_code == 303 and "fl_session=" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie
    assert ADMIN not in cookie
    page = client.get("/office")
    assert page.status_code == 200
    client.post("/signout", data={"csrf": csrf_of(page.text)})
    assert client.get("/office", follow_redirects=False).status_code == 303


def test_a_wrong_token_is_refused_in_words_on_the_sign_in_page(client: TestClient) -> None:
    form = client.get("/office/signin")
    r = client.post("/office/signin", data={"csrf": csrf_of(form.text), "token": "wrong", "next": "/office"})
    assert r.status_code == 401 and "访问令牌无效" in r.text and 'role="alert"' in r.text


def test_sign_in_never_follows_a_next_address_off_the_site(client: TestClient) -> None:
    form = client.get("/office/signin")
    r = client.post("/office/signin", data={"csrf": csrf_of(form.text), "token": ADMIN, "next": "//evil.example/x"}, follow_redirects=False)
    assert r.headers["location"] == "/office"


def test_a_revoked_token_ends_its_sessions(client: TestClient) -> None:
    token = client.post("/api/tokens", json={"name": "clerk", "role": "office"}, headers=bearer()).json()
    sign_in(client, token["token"])
    assert client.get("/office").status_code == 200
    client.delete(f"/api/tokens/{token['token_id']}", headers=bearer())
    assert client.get("/office", follow_redirects=False).status_code == 303


def test_a_reader_sees_the_pages_but_may_not_upload(client: TestClient) -> None:
    token = client.post("/api/tokens", json={"name": "auditor", "role": "reader"}, headers=bearer()).json()["token"]
    csrf = sign_in(client, token)
    r = client.post("/office/terms", data={"csrf": csrf}, files={"file": ("term.zip", zip_bytes(term_tables()))})
    assert r.status_code == 403 and "需要 office" in r.text


# CSRF ---------------------------------------------------------------------------------------------
def test_a_form_without_the_sessions_csrf_token_is_refused(client: TestClient) -> None:
    csrf = sign_in(client)
    for data in ({}, {"csrf": "forged"}, {"csrf": csrf[:-1]}):
        r = client.post("/office/terms", data=data, files={"file": ("term.zip", zip_bytes(term_tables()))})
        assert r.status_code == 403 and "安全校验未通过" in r.text
    assert client.get("/api/terms", headers=bearer()).json() == []


def test_the_sign_in_form_needs_its_csrf_cookie(client: TestClient) -> None:
    r = client.post("/office/signin", data={"csrf": "made-up", "token": ADMIN})
    assert r.status_code == 403


# the pages -----------------------------------------------------------------------------------------
def test_an_upload_with_problems_lists_each_by_file_row_and_column(client: TestClient) -> None:
    csrf = sign_in(client)
    tables = term_tables()
    tables["leaders"][1][3] = "nonsense-tier"
    r = client.post("/office/terms", data={"csrf": csrf}, files={"file": ("term.zip", zip_bytes(tables))})
    assert r.status_code == 422
    rows = re.findall(r"<tr><td>([^<]*)</td><td>([^<]*)</td><td>([^<]*)</td><td>([^<]*)</td></tr>", r.text)
    assert any(f == "leaders.csv" and row == "2" and column == "tier" for f, row, column, _ in rows), rows


def test_a_file_that_is_not_term_data_is_explained(client: TestClient) -> None:
    csrf = sign_in(client)
    r = client.post("/office/terms", data={"csrf": csrf}, files={"file": ("notes.txt", b"hello")}, headers={"Accept-Language": "en"})
    assert r.status_code == 415 and "is neither an .xlsx" in r.text and "nor a .zip of CSV files" in r.text


def test_the_progress_fragment_ends_polling_when_the_job_is_done(office: dict[str, Any]) -> None:
    r = office["client"].get(f"/office/jobs/{office['job_id']}/progress")
    assert 'data-final="1"' in r.text and "<svg" in r.text and "review" in r.text


def test_the_plan_week_grid_filters_by_tier_and_visit_kind(office: dict[str, Any]) -> None:
    c, plan = office["client"], office["plan_id"]
    everything = c.get(f"/office/plans/{plan}?view=week&week=1").text
    nobody = c.get(f"/office/plans/{plan}?view=week&week=1&tier=student_affairs&kind=online").text
    count = lambda html: int(re.search(r"(\d+) 项走访符合筛选", html).group(1))  # noqa: E731
    assert count(everything) > 0 and count(nobody) < count(everything)


def test_a_change_with_an_unknown_leader_comes_back_with_the_problem_on_the_form(office: dict[str, Any]) -> None:
    c = office["client"]
    r = c.post(f"/office/terms/{TERM_ID}/change", data={
        "csrf": office["csrf"], "what": "trip", "owner_id": "NOBODY", "start": "2027-03-20", "kind": "travel",
    })  # fmt: skip
    assert r.status_code == 422 and "NOBODY" in r.text and 'role="alert"' in r.text


def test_unknown_pages_and_ids_answer_404_as_a_page(office: dict[str, Any]) -> None:
    c = office["client"]
    for path in ("/office/plans/nope", "/office/jobs/nope", "/office/terms/nope", "/no-such-page"):
        r = c.get(path, headers=HTML)
        assert r.status_code == 404 and r.headers["content-type"].startswith("text/html"), path
    assert c.get("/api/nothing").headers["content-type"].startswith("application/json")


def test_pages_switch_to_english_and_remember_it(office: dict[str, Any]) -> None:
    c = office["client"]
    r = c.get("/office?lang=en")
    assert '<html lang="en">' in r.text and "Terms and data" in r.text
    assert '<html lang="en">' in c.get("/office").text
    assert '<html lang="zh-CN">' in c.get("/office?lang=zh").text


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_office_page_passes_the_accessibility_check(office: dict[str, Any], lang: str) -> None:
    try:
        for path in office_pages(office):
            html = office["client"].get(path, params={"lang": lang}).text
            assert accessibility_problems(html) == [], path
    finally:
        office["client"].get("/office?lang=zh")  # the language is remembered: back to the default


def test_pages_load_nothing_from_outside_and_stay_small(office: dict[str, Any]) -> None:
    c = office["client"]
    css, js = c.get("/static/site.css"), c.get("/static/site.js")
    assert css.status_code == js.status_code == 200
    for path in office_pages(office):
        html = c.get(path).text
        assert len(html.encode()) + len(css.content) + len(js.content) < 200 * 1024, path
        assert not re.search(r"""(src|href)=["'](https?:)?//""", html), path


def test_personal_link_and_check_in_paths_are_redacted_from_logs() -> None:
    from api.service.redaction import redact

    line = 'GET /l/SECRET1 200; GET /u/SECRET2?lang=en 303; POST /checkin/SECRET3/page 201; GET /leader/items 200'
    assert redact(line) == "GET /l/<redacted> 200; GET /u/<redacted>?lang=en 303; POST /checkin/<redacted>/page 201; GET /leader/items 200"


def test_the_session_cookie_is_secure_on_https(tmp_path: Path) -> None:
    with TestClient(create_app(settings(tmp_path)), base_url="https://testserver") as c:
        form = c.get("/office/signin")
        r = c.post("/office/signin", data={"csrf": csrf_of(form.text), "token": ADMIN, "next": "/office"}, follow_redirects=False)
        assert "Secure" in r.headers["set-cookie"]


def test_a_personal_links_token_does_not_sign_in_to_the_office(office: dict[str, Any]) -> None:
    c = office["client"]
    token = c.post("/api/leaders/L001/link", headers=bearer()).json()["token"]
    fresh = TestClient(c.app)
    form = fresh.get("/office/signin")
    r = fresh.post("/office/signin", data={"csrf": csrf_of(form.text), "token": token, "next": "/office"})
    assert r.status_code == 401 and "个人链接" in r.text


def test_a_solve_can_be_cancelled_from_its_page(office: dict[str, Any]) -> None:
    c, csrf = office["client"], office["csrf"]
    r = c.post(f"/office/terms/{TERM_ID}/solve", data={"csrf": csrf, "time_limit_s": "30"}, follow_redirects=False)
    job = r.headers["location"]
    page = c.post(f"{job}/cancel", data={"csrf": csrf})
    assert page.status_code == 200 and "已取消" in page.text and "取消求解" not in page.text
    assert c.get(f"/api/jobs/{job.rsplit('/', 1)[1]}", headers=bearer()).json()["status"] == "cancelled"


def test_a_trip_entered_in_the_form_is_re_planned_and_reviewed_against_the_published_plan(office: dict[str, Any]) -> None:
    c, csrf = office["client"], office["csrf"]
    r = c.post(f"/office/terms/{TERM_ID}/change", data={
        "csrf": csrf, "what": "trip", "owner_id": "L001", "start": "2027-03-15", "end": "2027-03-19", "kind": "travel", "note": "出差",
    }, follow_redirects=False)  # fmt: skip
    assert r.status_code == 303 and r.headers["location"].startswith("/office/jobs/")
    job = wait_job(c.get, r.headers["location"].rsplit("/", 1)[1])
    assert job["status"] == "done", job
    review = c.get(f"/office/plans/{job['plan_id']}/review").text
    assert "与已发布计划相比" in review and "发布此计划" in review
    assert re.search(r"badge (moved|cancelled)", review)  # L001's visit that week had to go


def test_long_lists_come_in_pages_and_a_page_past_the_end_shows_the_last() -> None:
    from api.service.pages.web import paged

    rows, pager = paged(list(range(130)), 3, 60)
    assert rows == list(range(120, 130)) and pager == {"page": 3, "pages": 3, "total": 130, "size": 60}
    assert paged(list(range(130)), 99, 60)[1]["page"] == 3 and paged([], None, 60)[0] == []


def test_paged_office_views_accept_any_page_number(office: dict[str, Any]) -> None:
    c, plan = office["client"], office["plan_id"]
    for path in (f"/office/plans/{plan}?view=week&page=99", f"/office/plans/{plan}?view=unmet&page=0",
                 f"/office/terms/{TERM_ID}/links?page=5"):  # fmt: skip
        assert c.get(path).status_code == 200, path


def test_sessions_live_in_the_database_and_survive_a_restart(database_url: str, tmp_path: Path) -> None:  # noqa: F811
    """On SQLite and PostgreSQL: a session made by one server process is valid in the next one."""
    with TestClient(create_app(settings(tmp_path, database_url=database_url))) as first:
        sign_in(first)
        cookie = first.cookies.get("fl_session")
    assert cookie
    with TestClient(create_app(settings(tmp_path, database_url=database_url))) as second:
        second.cookies.set("fl_session", cookie)
        page = second.get("/office")
        assert page.status_code == 200 and "学期与数据" in page.text
        second.post("/signout", data={"csrf": csrf_of(page.text)})
        second.cookies.set("fl_session", cookie)
        assert second.get("/office", follow_redirects=False).status_code == 303
