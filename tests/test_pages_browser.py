"""The whole walk in a real headless Chromium (Debian's ``chromium``, driven by Playwright) against
a real server (uvicorn): the office uploads the demo, solves, watches the progress, publishes; a
leader on a phone-sized screen opens their link and shows the check-in code during the visit; two
students check in; after it the leader records the visit with an item; the leader answers the item; the unit confirms and rates; the
office dashboard shows the confirmed visit and the item's state. A screenshot of every page goes to
a folder of the test run (printed at the end; never committed).

Without Chromium the test is skipped (and says so); CI sets FRONTLINE_REQUIRE_BROWSER=1, where a
missing browser fails it instead.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from service_support import ADMIN, settings

from api.service import create_app
from api.service.demo import demo_zip

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]  # fmt: skip
PHONE = {"width": 360, "height": 740}
DESK = {"width": 1280, "height": 900}

try:
    from playwright.sync_api import Browser, Page, expect, sync_playwright
except ImportError:  # pragma: no cover - the test extra installs it
    sync_playwright = None  # type: ignore[assignment]

_missing = sync_playwright is None or not os.path.exists(CHROMIUM)
if _missing and os.environ.get("FRONTLINE_REQUIRE_BROWSER"):
    raise RuntimeError(f"the browser tests need Playwright and Chromium at {CHROMIUM} (FRONTLINE_REQUIRE_BROWSER is set)")
pytestmark = pytest.mark.skipif(_missing, reason=f"no Chromium at {CHROMIUM} or no playwright: apt-get install chromium; pip install playwright")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Any]]:
    port = free_port()
    app = create_app(settings(tmp_path_factory.mktemp("browser"), default_time_limit_s=8.0))
    srv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not srv.started:
        assert time.monotonic() < deadline and thread.is_alive(), "uvicorn did not start"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}", app
    finally:
        srv.should_exit = True
        thread.join(timeout=30)


@pytest.fixture(scope="module")
def chromium() -> Iterator[Browser]:
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("screenshots")
    print(f"\nscreenshots: {folder}")
    return folder


README_SHOTS = {
    "23-start-demo": "start", "03-term": "office-term", "05-progress-done": "office-solve", "06-review": "office-review",
    "07-plan-week": "office-plan", "12-unit-sheet": "office-unit-sheet", "21-compliance": "office-compliance",
    "13-leader-week": "leader-week", "15-leader-checkin-code": "leader-checkin", "16-student-1": "student-checkin",
    "19-unit": "unit",
}  # fmt: skip


def snap(page: Page, shots: Path, name: str) -> None:
    """A screenshot of the page; and the page, as the browser got it, is under 200 KB.

    With FRONTLINE_README_SHOTS=docs/screenshots the README's pictures are written there too (the
    visible part of the page, reduced to a small palette)."""
    page.screenshot(path=str(shots / f"{name}.png"), full_page=True)
    readme = os.environ.get("FRONTLINE_README_SHOTS")
    if readme and name in README_SHOTS:
        target = Path(readme) / f"{README_SHOTS[name]}.png"
        page.screenshot(path=str(target))
        from PIL import Image  # only to make the README's pictures small

        Image.open(target).convert("RGB").quantize(colors=48).save(target, optimize=True)
    size = page.evaluate("performance.getEntriesByType('navigation')[0].decodedBodySize")
    assert size < 200 * 1024, f"{name}: the page is {size} bytes"


def test_the_whole_walk_in_a_browser(server: tuple[str, Any], chromium: Browser, shots: Path, tmp_path: Path) -> None:
    base, app = server
    demo = tmp_path / "demo.zip"
    demo.write_bytes(demo_zip())

    # the office: sign in, upload, solve, watch, publish -----------------------------------------
    office = chromium.new_context(viewport=DESK, base_url=base, locale="zh-CN").new_page()
    office.goto("/")
    snap(office, shots, "01-start")
    office.get_by_role("link", name="办公室登录").click()
    office.get_by_label("访问令牌").fill(ADMIN)
    snap(office, shots, "02-sign-in")
    office.get_by_role("button", name="登录").click()
    office.get_by_label("选择或拖入").set_input_files(str(demo))
    office.get_by_role("button", name="上传并检查").click()
    expect(office.get_by_text("数据已上传并通过检查")).to_be_visible()
    snap(office, shots, "03-term")
    office.get_by_label("时限（秒）").fill("8")
    office.get_by_role("button", name="开始求解").click()
    expect(office.locator("#job-status")).to_have_text(re.compile("排队中|求解中|已完成"))
    expect(office.locator("#elapsed")).not_to_have_text("—", timeout=30_000)  # the numbers come in by themselves
    snap(office, shots, "04-progress")
    expect(office.locator("#job-status")).to_have_text("已完成", timeout=60_000)
    assert office.locator("svg.chart path").count() >= 1  # the chart drew objective and bound
    snap(office, shots, "05-progress-done")
    office.get_by_role("link", name="核对计划并发布").click()
    snap(office, shots, "06-review")
    office.get_by_role("button", name="发布此计划").click()
    expect(office.get_by_text("已发布：领导与联系对象的日历订阅随之更新")).to_be_visible()
    snap(office, shots, "07-plan-week")
    office.get_by_role("link", name="未满足的要求").click()
    snap(office, shots, "08-plan-unmet")
    office.get_by_role("link", name="按日（每个校区）").click()
    snap(office, shots, "09-plan-day")

    # a leader's link, then the unit's sheet --------------------------------------------------
    state = app.state.service
    term_id = "2026-2027-1"
    published = _published(state, term_id)
    visit = next(e for e in sorted(published.plan.events, key=lambda e: e.start)
                 if e.status == "planned" and e.target_id in {u.unit_id for u in published.problem.units})  # fmt: skip
    during, after = visit.start + dt.timedelta(minutes=5), visit.end + dt.timedelta(minutes=5)
    state.clock = lambda: during.astimezone(dt.UTC)  # the visit is under way
    office.goto(f"/office/terms/{term_id}/links")
    snap(office, shots, "10-links")
    office.locator(f"form[action='/office/links/leader/{visit.leader_id}'] button").click()
    leader_url = office.get_by_label("链接").input_value()
    snap(office, shots, "11-leader-link")
    office.goto(f"/office/terms/{term_id}/links")
    office.locator(f"form[action='/office/links/unit/{visit.target_id}'] button").click()
    expect(office.get_by_role("heading", name="扫码确认领导来访")).to_be_visible()
    snap(office, shots, "12-unit-sheet")
    unit_url = _unit_url(state, visit.target_id, office)

    # the leader on a phone --------------------------------------------------------------------
    phone = chromium.new_context(viewport=PHONE, base_url=base, locale="zh-CN", is_mobile=True, has_touch=True)
    leader = phone.new_page()
    leader.goto(leader_url)
    assert "/me/" not in leader.url and "/l/" not in leader.url  # the token left the address
    expect(leader.get_by_role("heading", level=1)).to_be_visible()
    assert leader.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]  # nothing wider than the phone
    snap(leader, shots, "13-leader-week")
    leader.goto(f"/leader/visits/{visit.uid}/checkin")
    expect(leader.locator("#qr svg")).to_be_visible()
    snap(leader, shots, "15-leader-checkin-code")
    checkin_url = leader.locator("#checkin-url").get_attribute("href")
    assert checkin_url

    # two students ---------------------------------------------------------------------------------
    for number, student_no in enumerate(("20260001", "")):
        student = chromium.new_context(viewport=PHONE, base_url=base, locale="zh-CN").new_page()
        student.goto(checkin_url)
        if student_no:
            student.get_by_label("学号（可不填）").fill(student_no)
        snap(student, shots, f"16-student-{number + 1}")
        student.get_by_role("button", name="签到").click()
        expect(student.get_by_role("heading", name="签到成功")).to_be_visible()
        snap(student, shots, f"17-student-{number + 1}-done")
        student.context.close()
    expect(leader.locator("#checkins")).to_have_text("已签到 2 人", timeout=30_000)  # the page refreshed itself

    # after the visit, the leader records it, with what the students raised -------------------------
    state.clock = lambda: after.astimezone(dt.UTC)
    leader.goto("/leader")
    leader.locator(f"a[href='/leader/visits/{visit.uid}']").click()
    leader.get_by_label("参加学生人数").fill("28")
    leader.get_by_label("内容 1").fill("晚自习教室空调温度太低")
    snap(leader, shots, "14-leader-record")
    leader.get_by_role("button", name="保存记录").click()
    expect(leader.get_by_text("已保存")).to_be_visible()

    # the leader answers the item --------------------------------------------------------------------
    leader.goto("/leader/items")
    leader.get_by_label("答复学生").first.fill("已请后勤调高温度，本周内完成")
    leader.get_by_label("已解决").first.check()
    snap(leader, shots, "18-leader-items")
    leader.get_by_role("button", name="提交").first.click()
    expect(leader.get_by_text("已保存")).to_be_visible()

    # the unit confirms and rates --------------------------------------------------------------------
    unit = chromium.new_context(viewport=PHONE, base_url=base, locale="zh-CN", is_mobile=True).new_page()
    unit.goto(unit_url)
    snap(unit, shots, "19-unit")
    unit.get_by_role("button", name="确认来访").first.click()
    expect(unit.get_by_text("已提交，谢谢")).to_be_visible()
    unit.get_by_label("满意", exact=True).check()
    unit.get_by_role("button", name="提交评价").click()
    expect(unit.get_by_text("评价已提交")).to_be_visible()
    snap(unit, shots, "20-unit-rated")

    # the office dashboard -------------------------------------------------------------------------------
    office.goto(f"/office/terms/{term_id}/compliance")
    expect(office.locator("#confirmed")).to_have_text("1")
    expect(office.locator("[data-item]")).to_have_text("已解决")  # the item: answered, resolved, rated
    expect(office.get_by_text("没有疑点")).to_be_visible()  # checked in, recorded after the end, confirmed: nothing to look into
    snap(office, shots, "21-compliance")
    office.goto(f"/office/terms/{term_id}/change")
    snap(office, shots, "22-change")
    assert sorted(p.name for p in shots.iterdir())[:1] == ["01-start.png"]

    # frontline serve --demo: the start page leads through the demo ----------------------------------
    from api.service.demo import publish_demo

    assert publish_demo(state, base, lambda _: None) is not None  # already published: only the guide
    guest = chromium.new_context(viewport=DESK, base_url=base, locale="zh-CN").new_page()
    guest.goto("/")
    snap(guest, shots, "23-start-demo")
    guest.get_by_role("button", name="以演示办公室身份登录").click()
    expect(guest.get_by_role("heading", name="学期与数据")).to_be_visible()


def _published(state: Any, term_id: str) -> Any:
    from api.service.evidence import visits

    with state.sessions() as session:
        published = visits.published_of_term(state, session, term_id)
    assert published is not None
    return published


def _unit_url(state: Any, unit_id: str, office: Page) -> str:
    """The unit's link from the printed sheet's QR code: the sheet shows it only as the QR code, so
    the office issues it once more through the API (the same function) and the walk uses that."""
    from api.service.auth import DEFAULT_UNIVERSITY, Principal
    from api.service.evidence import links
    from api.service.storage import tenancy

    with state.sessions() as session:
        tenancy.bind(session, DEFAULT_UNIVERSITY)  # the demo's office acts in the default university
        _, token, _ = links.issue(session, "unit", unit_id, Principal("", "test", "admin", university_id=DEFAULT_UNIVERSITY))
        session.commit()
    return f"/u/{token}"
