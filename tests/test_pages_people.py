"""The leader's, the unit's and the student's pages through the TestClient: personal links and
their sessions, each role kept to its own visits and items, CSRF, expiry, and the accessibility
check of each page; and the guided demo of ``serve --demo``."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from evidence_service_support import at, link, publish, set_clock, unit_visits
from fastapi.testclient import TestClient
from page_support import accessibility_problems, csrf_of
from service_support import bearer, settings, term_tables

from api.service import create_app

HTML = {"Accept": "text/html"}


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """The small term published; L001's first unit visit is under way (the clock is 5 minutes in)."""
    app = create_app(settings(tmp_path_factory.mktemp("people")))
    with TestClient(app) as api:
        plan_id = publish(api, term_tables())
        visit = unit_visits(api, plan_id)[0]
        set_clock(api, at(visit, 5))
        yield {"app": app, "api": api, "plan_id": plan_id, "visit": visit}


def browser(world: dict[str, Any], role: str, subject_id: str) -> TestClient:
    """A new browser that opened the subject's personal link."""
    client = TestClient(world["app"])
    r = client.get(f"/{role[0]}/{link(world['api'], role, subject_id)}", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == ("/leader" if role == "leader" else "/unit")
    return client


# personal links ---------------------------------------------------------------------------------
def test_a_link_becomes_a_session_and_the_token_leaves_the_address(world: dict[str, Any]) -> None:
    client = TestClient(world["app"])
    token = link(world["api"], "leader", "L001")
    r = client.get(f"/l/{token}", follow_redirects=False)
    assert r.status_code == 303 and token not in r.headers["location"] and "HttpOnly" in r.headers["set-cookie"]
    page = client.get("/leader")
    assert page.status_code == 200 and token not in page.text


def test_the_apis_link_url_opens_the_page_in_a_browser_and_json_elsewhere(world: dict[str, Any]) -> None:
    url = world["api"].post("/api/leaders/L002/link", headers=bearer()).json()["url"]
    path = url.split("testserver", 1)[1]
    client = TestClient(world["app"])
    assert client.get(path, headers=HTML, follow_redirects=False).headers["location"] == "/leader"
    assert client.get(path).headers["content-type"].startswith("application/json")


def test_an_unknown_link_is_explained_and_a_rotated_link_ends_its_sessions(world: dict[str, Any]) -> None:
    r = TestClient(world["app"]).get("/l/not-a-real-token", headers=HTML)
    assert r.status_code == 404 and "无效或已更换" in r.text
    leader = browser(world, "leader", "L001")
    link(world["api"], "leader", "L001")  # the office rotates it
    r = leader.get("/leader", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/signed-out?who=leader"


def test_leader_pages_need_a_leader_session(world: dict[str, Any]) -> None:
    unit = browser(world, "unit", world["visit"]["target_id"])
    assert unit.get("/leader", follow_redirects=False).status_code == 303
    assert TestClient(world["app"]).get("/unit", follow_redirects=False).status_code == 303


# a leader -----------------------------------------------------------------------------------------
def test_the_leader_sees_this_weeks_visit_with_time_place_and_what_to_prepare(world: dict[str, Any]) -> None:
    page = browser(world, "leader", "L001").get("/leader").text
    visit = world["visit"]
    assert visit["title"] in page and visit["start"][11:16] in page and "准备" in page
    assert f'/leader/visits/{visit["uid"]}/checkin' in page  # under way: the check-in code is offered


def test_recording_a_visit_with_an_item_adds_a_version_and_the_item(world: dict[str, Any]) -> None:
    leader, uid = browser(world, "leader", "L001"), world["visit"]["uid"]
    form = leader.get(f"/leader/visits/{uid}")
    r = leader.post(f"/leader/visits/{uid}", data={
        "csrf": csrf_of(form.text), "status": "held", "start": world["visit"]["start"][11:16],
        "end": world["visit"]["end"][11:16], "attendees": "25", "category": ["study", "life", "other"],
        "text": ["自习室座位不够", "", ""],
    })  # fmt: skip
    assert r.status_code == 200 and "已保存" in r.text
    items = leader.get("/leader/items").text
    assert "自习室座位不够" in items


def test_a_visit_recorded_as_not_held_without_a_reason_is_refused_in_words(world: dict[str, Any]) -> None:
    leader, uid = browser(world, "leader", "L001"), world["visit"]["uid"]
    form = leader.get(f"/leader/visits/{uid}")
    r = leader.post(f"/leader/visits/{uid}", data={"csrf": csrf_of(form.text), "status": "not_held", "reason": ""})
    assert r.status_code == 422 and 'role="alert"' in r.text and "reason" in r.text


def test_another_leader_cannot_open_or_record_this_visit(world: dict[str, Any]) -> None:
    other, uid = browser(world, "leader", "L002"), world["visit"]["uid"]
    assert other.get(f"/leader/visits/{uid}").status_code == 403
    csrf = csrf_of(other.get("/leader").text)
    assert other.post(f"/leader/visits/{uid}", data={"csrf": csrf, "status": "held", "start": "08:00", "end": "09:00"}).status_code == 403


def test_a_leader_form_without_its_csrf_token_is_refused(world: dict[str, Any]) -> None:
    leader = browser(world, "leader", "L001")
    r = leader.post(f"/leader/visits/{world['visit']['uid']}", data={"status": "held"})
    assert r.status_code == 403 and "安全校验未通过" in r.text


def test_the_check_in_page_shows_a_qr_code_that_reloads_itself(world: dict[str, Any]) -> None:
    leader = browser(world, "leader", "L001")
    page = leader.get(f"/leader/visits/{world['visit']['uid']}/checkin").text
    assert "<svg" in page and "data-refresh=" in page and "/static/site.js" in page
    fragment = leader.get(f"/leader/visits/{world['visit']['uid']}/checkin/code").text
    assert "<svg" in fragment and "data-final" not in fragment


def test_answering_and_resolving_an_item(world: dict[str, Any]) -> None:
    leader = browser(world, "leader", "L001")
    page = leader.get("/leader/items").text
    item = re.search(r'action="/leader/items/([^"]+)"', page)
    assert item, page
    r = leader.post(f"/leader/items/{item.group(1)}", data={"csrf": csrf_of(page), "answer": "已协调增加座位", "resolved": "1"})
    assert r.status_code == 200 and "已协调增加座位" in r.text


# students -----------------------------------------------------------------------------------------


def test_students_check_in_once_each_and_an_expired_code_says_so(world: dict[str, Any]) -> None:
    api, visit = world["api"], world["visit"]
    token = link(api, "leader", "L001")
    code = api.post(f"/api/visits/{visit['uid']}/checkin-code", headers={"Authorization": f"Bearer {token}"}).json()
    path = code["url"].split("testserver", 1)[1]
    first, second = TestClient(world["app"]), TestClient(world["app"])
    page = first.get(path)
    assert page.status_code == 200 and visit["title"] in page.text
    assert first.post(path + "/page", data={"csrf": csrf_of(page.text), "student_no": "20240001"}).status_code == 201
    again = first.post(path + "/page", data={"csrf": csrf_of(page.text), "student_no": "20240001"})
    assert again.status_code == 200 and "您已签到过" in again.text
    page2 = second.get(path)
    done = second.post(path + "/page", data={"csrf": csrf_of(page2.text)})
    assert done.status_code == 201 and "本次已签到 2 人" in done.text
    set_clock(api, at(visit, 5 + 2))  # two minutes later: the code has expired
    try:
        late = TestClient(world["app"]).get(path)
        assert late.status_code == 410 and "签到码已过期" in late.text
    finally:
        set_clock(api, at(visit, 5))
    assert TestClient(world["app"]).get("/checkin/unknown-code").status_code == 404


# a unit ---------------------------------------------------------------------------------------------
def test_the_unit_confirms_raises_anonymously_and_rates(world: dict[str, Any]) -> None:
    unit, visit = browser(world, "unit", world["visit"]["target_id"]), world["visit"]
    page = unit.get("/unit").text
    assert visit["title"] in page
    r = unit.post(f"/unit/visits/{visit['uid']}/confirmation", data={"csrf": csrf_of(page), "result": "confirmed"})
    assert r.status_code == 200 and "谢谢" in r.text
    r = unit.post("/unit/items", data={"csrf": csrf_of(page), "category": "life", "text": "宿舍热水时间太短", "anonymous": "1"})
    assert r.status_code == 200 and "宿舍热水时间太短" in r.text
    leader = browser(world, "leader", visit["leader_id"])
    items = leader.get("/leader/items").text
    item_id = re.findall(r'id="i-([^"]+)"', items)[-1]
    leader.post(f"/leader/items/{item_id}", data={"csrf": csrf_of(items), "answer": "已延长热水供应"})
    page = unit.get("/unit").text
    assert f"/unit/items/{item_id}/rating" in page
    r = unit.post(f"/unit/items/{item_id}/rating", data={"csrf": csrf_of(page), "rating": "satisfied"})
    assert r.status_code == 200 and "满意" in r.text


def test_a_unit_cannot_confirm_another_units_visit(world: dict[str, Any]) -> None:
    others = [e for e in unit_visits(world["api"], world["plan_id"]) if e["target_id"] != world["visit"]["target_id"]]
    if not others:
        pytest.skip("the small term has one visited unit only")
    unit = browser(world, "unit", world["visit"]["target_id"])
    csrf = csrf_of(unit.get("/unit").text)
    r = unit.post(f"/unit/visits/{others[0]['uid']}/confirmation", data={"csrf": csrf, "result": "confirmed"})
    assert r.status_code == 403


# accessibility ------------------------------------------------------------------------------------
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_leader_unit_and_student_page_passes_the_accessibility_check(world: dict[str, Any], lang: str) -> None:
    leader, unit, uid = browser(world, "leader", "L001"), browser(world, "unit", world["visit"]["target_id"]), world["visit"]["uid"]
    pages = {
        "leader": leader.get("/leader", params={"lang": lang}).text,
        "record": leader.get(f"/leader/visits/{uid}", params={"lang": lang}).text,
        "checkin": leader.get(f"/leader/visits/{uid}/checkin", params={"lang": lang}).text,
        "items": leader.get("/leader/items", params={"lang": lang}).text,
        "subscribed": leader.post("/leader/subscribe", data={"csrf": csrf_of(leader.get("/leader").text)}).text,
        "unit": unit.get("/unit", params={"lang": lang}).text,
        "signed-out": TestClient(world["app"]).get("/signed-out", params={"lang": lang}).text,
    }
    token = link(world["api"], "leader", "L001")
    code = world["api"].post(f"/api/visits/{uid}/checkin-code", headers={"Authorization": f"Bearer {token}"}).json()
    pages["student"] = TestClient(world["app"]).get(code["url"].split("testserver", 1)[1], params={"lang": lang}).text
    for name, html in pages.items():
        assert accessibility_problems(html) == [], name


# the guided demo ------------------------------------------------------------------------------------
def test_serve_demo_opens_on_a_start_page_that_signs_the_office_in_and_links_a_leader_and_a_unit(tmp_path: Path) -> None:
    from api.service.demo import publish_demo

    app = create_app(settings(tmp_path))
    with TestClient(app) as client:
        assert publish_demo(app.state.service, "http://testserver", lambda _: None) is not None
        start = client.get("/").text
        assert "演示" in start and accessibility_problems(start) == []
        leader_url = re.search(r'href="(/l/[^"]+)"', start)
        unit_url = re.search(r'href="(/u/[^"]+)"', start)
        assert leader_url and unit_url
        r = client.post("/demo/signin", data={"csrf": csrf_of(start)})
        assert r.status_code == 200 and "学期与数据" in r.text
        assert TestClient(app).get(leader_url.group(1)).status_code == 200
        assert TestClient(app).get(unit_url.group(1)).status_code == 200


def test_one_click_sign_in_exists_only_in_demo_mode(tmp_path: Path) -> None:
    with TestClient(create_app(settings(tmp_path))) as client:
        start = client.get("/").text
        assert "/demo/signin" not in start
        assert client.post("/demo/signin", data={"csrf": csrf_of(client.get("/office/signin").text)}).status_code == 404
