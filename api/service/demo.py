"""``frontline serve --demo``: upload the bundled demo university, solve it, publish it, print the
admin token and a leader's feed URL, and set up the start page's guided demo (``state.demo``)."""

from __future__ import annotations

import io
import time
import zipfile
from collections.abc import Callable

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.service import actions, feeds
from api.service.evidence import links
from api.service.auth import Principal, issue_token
from api.service.state import ServiceState
from api.service.storage.db import session_scope
from api.service.storage.models import Job, PlanVersion, Term
from data import DEMO_DIR

DEMO = Principal("", "demo", "admin")


def demo_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(DEMO_DIR.glob("*.csv")):
            archive.write(path, path.name)
    return buffer.getvalue()


def publish_demo(state: ServiceState, base_url: str, say: Callable[[str], None] = print, time_limit: float = 30.0) -> str | None:
    """Upload, solve and publish the demo (unless it is already published); returns the plan id."""
    content = demo_zip()
    with session_scope(state.sessions) as session:
        term, dataset, checked = actions.upload_term(session, state.settings, content, "demo.zip", DEMO.name)
        term_id, published = term.term_id, term.published_plan_id
        leader_id = checked.problem.leaders[0].leader_id
        if published is None:
            job = Job(term_id=term_id, kind="solve", dataset_id=dataset.id, time_limit_s=time_limit, created_by=DEMO.name)
            session.add(job)
            session.flush()
            job_id = job.id
    if published is None:
        say(f"frontline demo: 求解示范大学 {term_id}（{time_limit:g} 秒）/ solving the demo university ...")
        state.runner.submit(job_id)
        while True:
            time.sleep(0.5)
            with state.sessions() as session:
                job = session.get_one(Job, job_id)
                if job.status not in ("queued", "running"):
                    break
        if job.status != "done" or job.plan_id is None:
            say(f"frontline demo: 求解失败 / the solve failed: {job.status} {job.error or ''}")
            return None
        with session_scope(state.sessions) as session:
            plan = session.get_one(PlanVersion, job.plan_id)
            actions.publish_plan(session, plan, DEMO)
            published = plan.id
        state.feeds.invalidate()
    with session_scope(state.sessions) as session:
        if state.settings.admin_token is not None:
            admin = "(FRONTLINE_ADMIN_TOKEN)"
        elif state.new_admin_token:
            admin = state.new_admin_token
        else:  # the generated one was printed at an earlier start: hand out a new one
            _, admin = issue_token(session, "admin (serve --demo)", "admin", DEMO)
        _, token = feeds.issue(session, "leader", leader_id, DEMO, rotate=True)
        count = len(session.scalars(select(Term)).all())
        state.demo = _demo_guide(state, session, base_url, published, admin)
    state.feeds.invalidate()
    url, webcal = feeds.urls(state.settings.feed_base_url or base_url, token)
    say(
        f"frontline demo: 已发布 / published plan {published} of term {term_id} ({count} term(s) in the database)\n"
        f"  管理员令牌 / admin token: {admin}\n"
        f"  {leader_id} 的日历订阅 / feed of {leader_id}: {url}\n"
        f"                              {webcal}\n"
        f"  API: {base_url}/docs\n"
        f"  >>> 在浏览器中打开 / open in a browser: {base_url}/  (演示导览 / the guided demo)"
    )
    return published


def _demo_guide(state: ServiceState, session: Session, base_url: str, plan_id: str, admin: str) -> dict[str, str]:
    """What the start page shows in demo mode: a one-click office sign-in (a demo office token), and
    the personal links of the first leader and of a unit that leader visits."""
    office, _ = issue_token(session, "office (serve --demo)", "office", DEMO)
    plan = state.plan(plan_id)
    problem = state.problem(session.get_one(PlanVersion, plan_id).dataset_id)
    units = {u.unit_id: u for u in problem.units}
    event = next((e for e in plan.events if e.status == "planned" and e.target_id in units), plan.events[0])
    leader = problem.leader(event.leader_id)
    _, leader_token, _ = links.issue(session, "leader", leader.leader_id, DEMO)
    guide = {
        "office_token_id": office.id, "admin_token": admin if not admin.startswith("(") else "",
        "leader_name": leader.name, "leader_url": f"/l/{leader_token}",
    }  # fmt: skip
    if event.target_id in units:
        _, unit_token, _ = links.issue(session, "unit", event.target_id, DEMO)
        guide.update(unit_name=units[event.target_id].name, unit_url=f"/u/{unit_token}")
    return guide
