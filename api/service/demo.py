"""``frontline serve --demo``: the bundled demo university with its plan and its records.

Uploads the demo data, publishes the bundled demo plan (``data/demo/plan``, the first-fit plan,
the same on every machine) and imports the demo records (``data/demo/records``: every planned
visit recorded, confirmations, check-ins and feedback with a case of every flag and verdict), so
that records, check-ins, feedback and compliance are served at once. Prints the admin token, a
leader's feed URL and the personal links (a leader's and a visited unit's) the walk in the README
uses. Run again on the same database, it keeps what is there and hands out fresh links. The start page
(``/``) then leads an office member through the demo (``state.demo``).
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from api.service import actions, feeds, plans
from api.service.auth import Principal, issue_token
from api.service.evidence import imports, links, visits
from api.service.state import ServiceState
from api.service.storage import tenancy
from api.service.storage.db import session_scope
from api.service.storage.models import DEFAULT_UNIVERSITY, PlanVersion, Term, VisitRecord
from data import DEMO_DIR
from data.plan_io import read_plan
from solver.evidence.evidence import units_of_target

DEMO = Principal("", "demo", "admin", university_id=DEFAULT_UNIVERSITY)
DEMO_LEADER = "L01"


def _zip(folder: Path) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(folder.glob("*.csv")):
            archive.write(path, path.name)
    return buffer.getvalue()


def demo_zip() -> bytes:
    return _zip(DEMO_DIR)


def publish_demo(state: ServiceState, base_url: str, say: Callable[[str], None] = print) -> str | None:
    """Upload the demo, publish its bundled plan, import its records; returns the plan id."""
    with session_scope(state.sessions) as session:
        tenancy.bind(session, DEFAULT_UNIVERSITY)  # the demo is the single university
        term, dataset, checked = actions.upload_term(session, state.settings, demo_zip(), "demo.zip", DEMO.name)
        term_id, published = term.term_id, term.published_plan_id
        if published is None:
            plan = replace(read_plan(DEMO_DIR / "plan"), timezone=checked.problem.term.timezone)
            row = PlanVersion(term_id=term_id, dataset_id=dataset.id, state="draft", **plans.plan_columns(plan, checked.problem))
            session.add(row)
            session.flush()
            actions.publish_plan(session, row, DEMO)
            published = row.id
    state.feeds.invalidate()
    with session_scope(state.sessions) as session:
        tenancy.bind(session, DEFAULT_UNIVERSITY)  # the demo is the single university
        have = session.scalar(select(func.count()).select_from(VisitRecord).where(VisitRecord.term_id == term_id)) or 0
        target = visits.published_of_term(state, session, term_id)
        if target is None:
            say("frontline demo: 没有发布的计划 / no published plan")
            return None
        if not have:
            content = _zip(DEMO_DIR / "records")
            read = imports.read(target, "demo-records.zip", content, state.settings.max_unzipped_bytes)
            imports.store(session, target, "demo-records.zip", content, read.records, DEMO)
    with session_scope(state.sessions) as session:
        tenancy.bind(session, DEFAULT_UNIVERSITY)  # the demo is the single university
        if state.settings.admin_token is not None:
            admin = "(FRONTLINE_ADMIN_TOKEN)"
        elif state.new_admin_token:
            admin = state.new_admin_token
        else:  # the generated one was printed at an earlier start: hand out a new one
            _, admin = issue_token(session, "admin (serve --demo)", "admin", DEMO)
        _, feed = feeds.issue(session, "leader", DEMO_LEADER, DEMO, rotate=True)
        _, leader, _ = links.issue(session, "leader", DEMO_LEADER, DEMO)
        unit_id = _first_unit(target, DEMO_LEADER)
        _, unit, _ = links.issue(session, "unit", unit_id, DEMO)
        count = len(session.scalars(select(Term)).all())
        state.demo = _guide(session, target, admin, leader, unit_id, unit)
    state.feeds.invalidate()
    url, webcal = feeds.urls(state.settings.feed_base_url or base_url, feed)
    base = state.settings.feed_base_url or base_url
    say(
        f"frontline demo: 已发布 / published plan {published} of term {term_id} with its records ({count} term(s) in the database)\n"
        f"  管理员令牌 / admin token: {admin}\n"
        f"  {DEMO_LEADER} 的日历订阅 / feed of {DEMO_LEADER}: {url}\n"
        f"                              {webcal}\n"
        f"  {DEMO_LEADER} 的个人链接 / personal link of {DEMO_LEADER}: {links.url(base, leader)}\n"
        f"      LEADER_TOKEN={leader}\n"
        f"  {unit_id} 的个人链接 / personal link of unit {unit_id}: {links.url(base, unit)}\n"
        f"      UNIT_TOKEN={unit}\n"
        f"  API: {base_url}/docs\n"
        f"  >>> 在浏览器中打开 / open in a browser: {base_url}/  (演示导览 / the guided demo)"
    )
    return published


def _guide(session: Session, published: visits.Published, admin: str, leader: str, unit_id: str, unit: str) -> dict[str, str]:
    """What the start page shows in demo mode: a one-click sign-in as the demo office (its own
    office token) and the demo leader's and unit's personal links."""
    office, _ = issue_token(session, "office (serve --demo)", "office", DEMO)
    return {
        "office_token_id": office.id, "admin_token": "" if admin.startswith("(") else admin,
        "leader_name": published.problem.leader(DEMO_LEADER).name, "leader_url": f"/l/{leader}",
        "unit_name": published.problem.unit(unit_id).name, "unit_url": f"/u/{unit}",
    }  # fmt: skip


def _first_unit(published: visits.Published, leader_id: str) -> str:
    """The unit of the leader's first visit to a unit (the one the README walk confirms)."""
    for event in sorted(visits.of_leader(published, leader_id, None), key=lambda e: e.start):
        units = units_of_target(published.problem, event.target_id)
        if len(units) == 1:
            return next(iter(units))
    return published.problem.units[0].unit_id
