"""The evidence side of the service (TestClient, SQLite): personal links and role isolation,
visit records and their versions, check-ins, confirmations, the feedback loop."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from evidence_service_support import (
    at,
    held,
    link,
    linked_unit_visit,
    publish,
    set_clock,
    unit_visit,
)
from fastapi.testclient import TestClient
from service_support import TERM_ID, bearer, settings, term_tables
from sqlalchemy import create_engine, text

from api.service import create_app

EN = {"Accept-Language": "en"}


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """A published term with links for L001, L003, C001, D001 and S001."""
    tmp = tmp_path_factory.mktemp("evidence")
    with TestClient(create_app(settings(tmp))) as c:
        plan_id = publish(c, term_tables())
        tokens = {s: link(c, "leader", s) for s in ("L001", "L003")} | {s: link(c, "unit", s) for s in ("C001", "D001", "S001")}
        yield {"client": c, "plan_id": plan_id, "tokens": tokens, "db": tmp / "frontline.db"}


def auth(world: dict[str, Any], who: str) -> dict[str, str]:
    return bearer(world["tokens"][who])


def after(client: TestClient, event: dict[str, Any], minutes: int = 30) -> None:
    set_clock(client, at(event, minutes, "end"))


def visiting_unit(event: dict[str, Any]) -> str:
    return str(event["target_id"])


def other_unit(event: dict[str, Any]) -> str:
    return next(u for u in ("C001", "D001", "S001") if u != event["target_id"])


# links and roles ---------------------------------------------------------------------------------
def test_a_link_is_shown_once_rotating_it_revokes_the_old_one_and_only_its_hash_is_kept(tmp_path: Path) -> None:
    with TestClient(create_app(settings(tmp_path))) as c:
        publish(c, term_tables())
        first = c.post("/api/leaders/L002/link", headers=bearer()).json()
        assert first["url"].endswith("/me/" + first["token"]) and len(first["token"]) >= 43 and not first["rotated"]
        assert c.get("/api/me", headers=bearer(first["token"])).json()["subject_id"] == "L002"
        assert c.get(f"/me/{first['token']}").status_code == 200
        second = c.post("/api/leaders/L002/link", headers=bearer()).json()
        assert second["rotated"] and second["token"] != first["token"]
        assert c.get("/api/me", headers=bearer(first["token"])).status_code == 401
        assert c.get("/api/me", headers=bearer(second["token"])).json()["role"] == "leader"
        assert c.post("/api/units/NOPE/link", headers=bearer()).status_code == 404
    engine = create_engine(f"sqlite:///{tmp_path / 'frontline.db'}")
    with engine.connect() as conn:
        dump = "\n".join(str(row) for table in ("access_links", "audit_log") for row in conn.execute(text(f"select * from {table}")))
    engine.dispose()
    assert first["token"] not in dump and second["token"] not in dump


def test_leader_and_unit_links_never_reach_office_routes(world: dict[str, Any]) -> None:
    c = world["client"]
    for who in ("L001", "C001"):
        h = auth(world, who)
        assert c.get("/api/terms", headers=h).status_code == 403
        assert c.get(f"/api/plans/{world['plan_id']}", headers=h).status_code == 403
        assert c.post(f"/api/terms/{TERM_ID}/solve", json={}, headers=h).status_code == 403
        assert c.post("/api/leaders/L001/link", headers=h).status_code == 403
        assert c.get("/api/audit", headers=h).status_code == 403
        assert c.get("/api/tokens", headers=h).status_code == 403


def test_me_visits_lists_a_leaders_own_visits_and_a_units_visits_to_it(world: dict[str, Any]) -> None:
    c = world["client"]
    mine = c.get("/api/me/visits", headers=auth(world, "L001")).json()
    assert mine["plan_id"] == world["plan_id"] and mine["visits"]
    assert {v["visit"]["leader_id"] for v in mine["visits"]} == {"L001"}
    week = mine["visits"][0]["visit"]["week"]
    weekly = c.get(f"/api/me/visits?week={week}", headers=auth(world, "L001")).json()["visits"]
    assert weekly and {v["visit"]["week"] for v in weekly} == {week}
    unit = c.get("/api/me/visits", headers=auth(world, "D001")).json()["visits"]
    assert all(v["visit"]["target_id"] == "D001" for v in unit)
    assert c.get("/api/me/visits", headers=bearer()).status_code == 403  # the office reads plans


# records -----------------------------------------------------------------------------------------
def test_a_change_of_a_record_adds_a_version_and_the_history_keeps_every_one(world: dict[str, Any]) -> None:
    c = world["client"]
    event = unit_visit(c, world["plan_id"], 0)
    after(c, event)
    h = auth(world, "L001")
    first = c.put(f"/api/visits/{event['uid']}/record", json=held(event, attendees=12, note="初次记录"), headers=h)
    assert first.status_code == 200, first.text
    assert first.json()["version"] == 1 and first.json()["evidence"] == "self_reported"
    second = c.put(f"/api/visits/{event['uid']}/record", json=held(event, attendees=35), headers=h).json()
    assert second["record_id"] == first.json()["record_id"] and second["version"] == 2
    history = c.get(f"/api/visits/{event['uid']}/record/history", headers=h).json()
    assert [(v["version"], v["attendees"]) for v in history["versions"]] == [(1, 12), (2, 35)]
    assert history["versions"][0]["note"] == "初次记录"
    assert c.get(f"/api/visits/{event['uid']}/record/history", headers=auth(world, "L003")).status_code == 403
    mine = c.get("/api/me/visits", headers=h).json()["visits"]
    shown = next(v for v in mine if v["visit"]["uid"] == event["uid"])
    assert shown["record"]["version"] == 2 and shown["evidence"] == "self_reported"


def test_a_leader_cannot_record_another_leaders_visit_but_the_office_can(world: dict[str, Any]) -> None:
    c = world["client"]
    event = unit_visit(c, world["plan_id"], 1)
    after(c, event)
    r = c.put(f"/api/visits/{event['uid']}/record", json=held(event), headers=auth(world, "L003"))
    assert r.status_code == 403 and "L001" in r.json()["detail"]
    assert c.put(f"/api/visits/{event['uid']}/record", json=held(event), headers=auth(world, "C001")).status_code == 403
    r = c.put(f"/api/visits/{event['uid']}/record", json=held(event), headers=bearer())
    assert r.status_code == 200, r.text


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"status": "held"}, "body.start"),
        ({"status": "held", "start": "2027-03-01T10:00:00", "end": "2027-03-01T09:00:00"}, "body.end"),
        ({"status": "not_held", "reason": "  "}, "body.reason"),
    ],
)
def test_a_record_without_times_with_its_end_before_its_start_or_not_held_without_reason_is_422(
    world: dict[str, Any], body: dict[str, Any], field: str
) -> None:
    c = world["client"]
    event = unit_visit(c, world["plan_id"])
    after(c, event)
    r = c.put(f"/api/visits/{event['uid']}/record", json=body, headers=auth(world, "L001") | EN)
    assert r.status_code == 422, r.text
    assert field in {p["column"] for p in r.json()["problems"]}


def test_a_visit_that_has_not_started_cannot_be_recorded(world: dict[str, Any]) -> None:
    c = world["client"]
    event = unit_visit(c, world["plan_id"])
    set_clock(c, at(event, -60))
    r = c.put(f"/api/visits/{event['uid']}/record", json=held(event), headers=auth(world, "L001"))
    assert r.status_code == 422 and "开始之前" in r.json()["detail"]


def test_an_unplanned_visit_is_recorded_with_201_and_unknown_targets_are_422(world: dict[str, Any]) -> None:
    c = world["client"]
    set_clock(c, dt.datetime(2027, 3, 10, 12, tzinfo=dt.UTC))
    body = {"status": "held", "start": "2027-03-10T12:00:00", "end": "2027-03-10T12:40:00", "visit_kind": "canteen",
            "target_id": "V01", "attendees": 8, "raised": [{"category": "life", "text": "食堂晚餐品种少"}]}  # fmt: skip
    r = c.post("/api/records", json=body, headers=auth(world, "L003"))
    assert r.status_code == 201, r.text
    assert r.json()["version"] == 1 and len(r.json()["items"]) == 1 and r.json()["items"][0]["respond_by"]
    r = c.post("/api/records", json={**body, "target_id": "NOWHERE"}, headers=auth(world, "L003"))
    assert r.status_code == 422 and "body.target_id" in {p["column"] for p in r.json()["problems"]}
    assert c.post("/api/records", json={**body, "leader_id": "L001"}, headers=auth(world, "L003")).status_code == 403
    assert c.post("/api/records", json=body, headers=auth(world, "C001")).status_code == 403


# check-in ----------------------------------------------------------------------------------------
def test_checkin_codes_are_given_during_the_visit_to_its_leader_and_expire(world: dict[str, Any]) -> None:
    c = world["client"]
    event = unit_visit(c, world["plan_id"])
    uid = event["uid"]
    set_clock(c, at(event, -60))
    assert c.post(f"/api/visits/{uid}/checkin-code", headers=auth(world, "L001")).status_code == 409  # before the visit
    set_clock(c, at(event, 10))
    assert c.post(f"/api/visits/{uid}/checkin-code", headers=auth(world, "L003")).status_code == 403
    assert c.post(f"/api/visits/{uid}/checkin-code", headers=auth(world, "C001")).status_code == 403
    r = c.post(f"/api/visits/{uid}/checkin-code", headers=auth(world, "L001"))
    assert r.status_code == 200, r.text
    code = r.json()
    assert code["url"].endswith("/checkin/" + code["code"]) and code["svg"].startswith("<svg")
    assert dt.datetime.fromisoformat(code["expires_at"]) == at(event, 10) + dt.timedelta(seconds=60)
    assert c.post("/checkin/not-a-code", json={"student_no": "2023001"}).status_code == 404
    set_clock(c, at(event, 10) + dt.timedelta(seconds=61))
    assert c.post(f"/checkin/{code['code']}", json={"student_no": "2023001"}).status_code == 410


def test_a_checkin_after_the_visit_window_is_refused_even_with_a_live_code(world: dict[str, Any]) -> None:
    c = world["client"]
    event = unit_visit(c, world["plan_id"], 1, "L003")
    service = c.app.state.service  # type: ignore[attr-defined]
    service.settings.checkin_code_seconds = 3600
    try:
        set_clock(c, at(event, 14, "end"))  # the last minute codes are handed out: 15 minutes after the end
        code = c.post(f"/api/visits/{event['uid']}/checkin-code", headers=auth(world, "L003")).json()["code"]
        assert c.post(f"/checkin/{code}", json={"student_no": "A1"}).status_code == 201
        set_clock(c, at(event, 16, "end"))  # the code lives on, the visit's window has closed
        assert c.post(f"/checkin/{code}", json={"student_no": "A2"}).status_code == 410
        assert c.post(f"/api/visits/{event['uid']}/checkin-code", headers=auth(world, "L003")).status_code == 409
    finally:
        service.settings.checkin_code_seconds = 60


def test_a_visit_takes_at_most_the_configured_number_of_checkins(world: dict[str, Any]) -> None:
    c = world["client"]
    event = unit_visit(c, world["plan_id"], 2, "L003")
    service = c.app.state.service  # type: ignore[attr-defined]
    service.settings.max_checkins_per_visit = 2
    try:
        set_clock(c, at(event, 5))
        code = c.post(f"/api/visits/{event['uid']}/checkin-code", headers=auth(world, "L003")).json()["code"]
        assert [c.post(f"/checkin/{code}", json={"student_no": n}).status_code for n in ("B1", "B2", "B3")] == [201, 201, 409]
    finally:
        service.settings.max_checkins_per_visit = 3000


def test_the_same_student_checking_in_twice_is_counted_once_and_three_confirm_the_visit(world: dict[str, Any]) -> None:
    c = world["client"]
    event = unit_visit(c, world["plan_id"], 2)
    leader = event["leader_id"]
    uid = event["uid"]
    set_clock(c, at(event, 5))
    code = c.post(f"/api/visits/{uid}/checkin-code", headers=auth(world, leader)).json()["code"]
    first = c.post(f"/checkin/{code}", json={"student_no": "2023 0042"})
    assert first.status_code == 201 and first.json() == {**first.json(), "counted": True}
    again = c.post(f"/checkin/{code}", json={"student_no": "20230042"})  # the same student, typed without the space
    assert again.status_code == 200 and not again.json()["counted"]
    base = again.json()["checkins"]
    c.cookies.clear()  # a student without a number: the device (its cookie) counts
    one = c.post(f"/checkin/{code}")
    assert one.status_code == 201 and "frontline_device" in one.cookies
    assert c.post(f"/checkin/{code}").status_code == 200
    c.cookies.clear()
    assert c.post(f"/checkin/{code}", json={"student_no": "20230043"}).json()["checkins"] == base + 2
    set_clock(c, at(event, 30, "end"))
    r = c.put(f"/api/visits/{uid}/record", json=held(event), headers=auth(world, leader))
    assert r.json()["evidence"] == "confirmed", r.text
    engine = create_engine(f"sqlite:///{world['db']}")
    with engine.connect() as conn:
        stored = " ".join(str(row) for table in ("checkins", "audit_log") for row in conn.execute(text(f"select * from {table}")))
    engine.dispose()
    assert "20230042" not in stored and "2023 0042" not in stored and code not in stored


# confirmation ------------------------------------------------------------------------------------
def test_the_visited_unit_confirms_another_unit_cannot_and_a_denial_disputes(world: dict[str, Any]) -> None:
    c = world["client"]
    event = unit_visit(c, world["plan_id"], 0, "L003")
    uid = event["uid"]
    after(c, event)
    assert c.put(f"/api/visits/{uid}/record", json=held(event), headers=auth(world, "L003")).status_code == 200
    r = c.post(f"/api/visits/{uid}/confirmation", json={"result": "confirmed"}, headers=auth(world, other_unit(event)))
    assert r.status_code == 403
    assert c.post(f"/api/visits/{uid}/confirmation", json={"result": "confirmed"}, headers=auth(world, "L003")).status_code == 403
    r = c.post(f"/api/visits/{uid}/confirmation", json={"result": "confirmed", "note": "班长确认"}, headers=auth(world, visiting_unit(event)))
    assert r.status_code == 201, r.text
    assert r.json()["source"] == "unit" and r.json()["evidence"] == "confirmed"
    r = c.post(f"/api/visits/{uid}/confirmation", json={"result": "denied", "by": "回访员王老师"}, headers=bearer())
    assert r.status_code == 201 and r.json()["source"] == "callback" and r.json()["by"] == "回访员王老师"
    assert r.json()["evidence"] == "disputed"


# feedback ----------------------------------------------------------------------------------------
def test_feedback_is_answered_by_its_owner_rated_by_its_unit_and_unsatisfied_reopens_it(world: dict[str, Any]) -> None:
    c = world["client"]
    event = linked_unit_visit(c, world["plan_id"])  # the item's owner is the unit's linked leader
    after(c, event)
    unit = visiting_unit(event)
    r = c.post("/api/feedback", json={"category": "study", "text": "希望增加自习室开放时间"}, headers=auth(world, unit))
    assert r.status_code == 201, r.text
    item = r.json()
    assert item["respond_by"] < item["resolve_by"]
    owned = c.get("/api/feedback", headers=auth(world, "L001")).json()
    listed = {i["item_id"]: i for i in owned}
    assert item["item_id"] in listed and listed[item["item_id"]]["owner"] == "L001"  # the unit's linked leader
    assert item["item_id"] not in {i["item_id"] for i in c.get("/api/feedback", headers=auth(world, "L003")).json()}
    assert c.get(f"/api/feedback/{item['item_id']}", headers=auth(world, "L003")).status_code == 404
    assert c.patch(f"/api/feedback/{item['item_id']}", json={"answer": "x"}, headers=auth(world, "L003")).status_code == 404
    assert c.patch(f"/api/feedback/{item['item_id']}", json={"owner": "L003"}, headers=auth(world, "L001")).status_code == 403
    r = c.patch(f"/api/feedback/{item['item_id']}", json={"answer": "图书馆自习室延长至22:30"}, headers=auth(world, "L001"))
    assert r.status_code == 200 and r.json()["state"] == "answered"
    r = c.patch(f"/api/feedback/{item['item_id']}", json={"resolved": True}, headers=auth(world, "L001"))
    assert r.json()["state"] == "resolved"
    assert c.post(f"/api/feedback/{item['item_id']}/rating", json={"rating": "satisfied"}, headers=auth(world, other_unit(event))).status_code == 404
    r = c.post(f"/api/feedback/{item['item_id']}/rating", json={"rating": "unsatisfied"}, headers=auth(world, unit))
    assert r.status_code == 201 and r.json()["state"] == "reopened" and r.json()["reopened"] == 1
    r = c.patch(f"/api/feedback/{item['item_id']}", json={"owner": "保卫处"}, headers=bearer())
    assert r.json()["owner"] == "保卫处"
    states = {i["item_id"]: i["state"] for i in c.get("/api/feedback?state=reopened", headers=bearer()).json()}
    assert states.get(item["item_id"]) == "reopened"


def test_an_anonymous_item_never_shows_its_origin_to_its_owner(world: dict[str, Any]) -> None:
    c = world["client"]
    event = unit_visit(c, world["plan_id"])
    after(c, event)
    raised = {"category": "mental", "text": "宿舍矛盾，希望匿名处理", "anonymous": True}
    r = c.put(f"/api/visits/{event['uid']}/record", json=held(event, raised=[raised]), headers=auth(world, "L001"))
    item_id = r.json()["items"][0]["item_id"]
    mine = next(i for i in c.get("/api/feedback", headers=auth(world, "L001")).json() if i["item_id"] == item_id)
    assert mine["anonymous"] and mine["unit_id"] is None and mine["record_id"] is None
    office = c.get(f"/api/feedback/{item_id}", headers=bearer()).json()
    assert office["unit_id"] == event["target_id"] and office["record_id"] == r.json()["record_id"]
    unit = c.get(f"/api/feedback/{item_id}", headers=auth(world, visiting_unit(event))).json()
    assert unit["unit_id"] == event["target_id"]


# the report --------------------------------------------------------------------------------------
def test_the_compliance_report_shows_what_was_recorded_confirmed_disputed_and_raised(world: dict[str, Any]) -> None:
    c = world["client"]
    for who in ("L001", "C001"):
        assert c.get(f"/api/terms/{TERM_ID}/compliance", headers=auth(world, who)).status_code == 403
    r = c.get(f"/api/terms/{TERM_ID}/compliance", headers=bearer())
    assert r.status_code == 200, r.text
    report = r.json()
    leaders = {x["leader_id"]: x for x in report["leaders"]}
    assert set(leaders) == {"L001", "L002", "L003"}
    assert leaders["L001"]["held"] >= 3 and leaders["L001"]["confirmed"] >= 1
    flags = {f["flag"] for f in c.get(f"/api/terms/{TERM_ID}/flags", headers=bearer()).json()}
    assert "disputed" in flags
    assert report["summary"]["items"] == len(report["feedback"]) >= 2
    assert any(row["owner"] == "TOTAL" for row in report["rates"])
    early = c.get(f"/api/terms/{TERM_ID}/compliance?as_of=2027-03-01T00:00:00", headers=bearer()).json()
    assert early["as_of"].startswith("2027-03-01T00:00:00")
    assert c.get(f"/api/terms/{TERM_ID}/compliance?as_of=yesterday", headers=bearer()).status_code == 422


# import and export -------------------------------------------------------------------------------
def _zip(files: dict[str, str]) -> bytes:
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, body in files.items():
            archive.writestr(name, body.encode("utf-8"))
    return buffer.getvalue()


def test_bulk_import_adds_typed_records_and_refuses_bad_ones_with_located_problems(world: dict[str, Any]) -> None:
    c = world["client"]
    good = _zip({
        "visits.csv": "record_id,uid,leader_id,status,start,end,visit_kind,target_id,attendees,reason,recorded_at,note\n"
                      "PAPER-1,,L002,held,2027-03-03 12:00,2027-03-03 12:45,canteen,V01,15,,2027-03-03 18:00,纸质登记\n",
        "confirmations.csv": "record_id,source,result,by,at,note\nPAPER-1,callback,confirmed,王老师,2027-03-04 09:00,电话回访\n",
        "feedback.csv": "item_id,raised_at,record_id,unit_id,category,text,owner\nPF-1,2027-03-03 12:30,PAPER-1,,life,食堂排队时间长,后勤处\n",
    })  # fmt: skip
    files = {"file": ("records.zip", good, "application/zip")}
    assert c.post(f"/api/terms/{TERM_ID}/records", files=files, headers=auth(world, "L001")).status_code == 403
    r = c.post(f"/api/terms/{TERM_ID}/records", files=files, headers=bearer())
    assert r.status_code == 201, r.text
    assert r.json()["counts"] == {"visits_added": 1, "confirmations_added": 1, "items_added": 1}
    again = c.post(f"/api/terms/{TERM_ID}/records", files=files, headers=bearer()).json()["counts"]
    assert again == {"visits_kept": 1, "confirmations_kept": 1, "items_kept": 1}  # nothing twice
    bad = _zip({
        "visits.csv": "record_id,uid,leader_id,status,start,end,visit_kind,target_id,attendees,reason,recorded_at,note\n"
                      "PAPER-2,,L999,maybe,2027-03-03 12:00,2027-03-03 12:45,canteen,V01,15,,2027-03-03 18:00,\n",
    })  # fmt: skip
    r = c.post(f"/api/terms/{TERM_ID}/records", files={"file": ("records.zip", bad, "application/zip")}, headers=bearer() | EN)
    assert r.status_code == 422, r.text
    located = {(p["file"], p["row"], p["column"]) for p in r.json()["problems"]}
    assert ("visits.csv", 2, "leader_id") in located and ("visits.csv", 2, "status") in located
    imported = [a for a in c.get("/api/audit", headers=bearer()).json() if a["action"] == "records.import"]
    assert len(imported) == 2 and {a["detail"]["filename"] for a in imported} == {"records.zip"}


def test_records_zip_through_the_cli_gives_the_same_report_as_the_service(world: dict[str, Any], tmp_path: Path) -> None:
    import csv
    import io
    import json
    import zipfile

    from conftest import write_csvs
    from typer.testing import CliRunner

    from api.cli import app as cli
    from data.plan_io import write_plan

    c = world["client"]
    r = c.get(f"/api/terms/{TERM_ID}/records.zip", headers=bearer())
    assert r.status_code == 200 and r.headers["content-type"] == "application/zip"
    zipfile.ZipFile(io.BytesIO(r.content)).extractall(tmp_path / "records")
    state = c.app.state.service  # type: ignore[attr-defined]
    plan = c.get(f"/api/plans/{world['plan_id']}", headers=bearer()).json()
    write_plan(state.plan(world["plan_id"]), state.problem(plan["dataset_id"]), tmp_path / "plan")
    data = write_csvs(tmp_path / "data", term_tables())
    result = CliRunner().invoke(cli, ["compliance", str(data), "--plan", str(tmp_path / "plan"), "--records",
                                      str(tmp_path / "records"), "--out", str(tmp_path / "report")])  # fmt: skip
    assert result.exit_code == 0, result.output
    live = c.get(f"/api/terms/{TERM_ID}/compliance", headers=bearer()).json()

    def rows(name: str) -> list[dict[str, str]]:
        with (tmp_path / "report" / name).open(encoding="utf-8-sig") as f:
            return list(csv.DictReader(f))

    def text(rows_: list[dict[str, Any]]) -> list[dict[str, str]]:
        return [{k: "" if v is None else str(v) for k, v in row.items()} for row in rows_]

    assert live["leaders"] and text(live["leaders"]) == rows("leaders.csv")
    assert text(live["requirements"]) == rows("compliance.csv")
    assert text(live["flags"]) == rows("flags.csv")
    assert len(live["feedback"]) == len(rows("feedback.csv"))
    offline = json.loads((tmp_path / "report" / "summary.json").read_text(encoding="utf-8"))
    assert {k: offline[k] for k in ("held", "confirmed", "flags", "items")} == {k: live["summary"][k] for k in ("held", "confirmed", "flags", "items")}


def test_the_compliance_workbook_downloads_with_no_formula_from_data(world: dict[str, Any]) -> None:
    import io

    import openpyxl

    c = world["client"]
    r = c.get(f"/api/terms/{TERM_ID}/compliance.xlsx", headers=bearer())
    assert r.status_code == 200, r.text
    book = openpyxl.load_workbook(io.BytesIO(r.content))
    assert len(book.sheetnames) >= 4
    assert c.get(f"/api/terms/{TERM_ID}/compliance.xlsx", headers=auth(world, "L001")).status_code == 403


# what happened feeds the next re-plan ------------------------------------------------------------
def test_a_change_after_a_lecture_recorded_not_held_replaces_it_moving_nothing_else(tmp_path: Path) -> None:
    from evidence_service_support import events
    from service_support import wait_job

    tables = term_tables()
    tables["term"][1][3], tables["courses"][1][5] = "8", "1-8"
    trip = ["L001", "2027-03-29", "2027-04-25", "travel", "出访"]  # the first plan's lecture falls in weeks 1-4
    tables["absences"].append(trip)
    with TestClient(create_app(settings(tmp_path))) as c:
        plan_id = publish(c, tables)
        before = {e["uid"]: e for e in events(c, plan_id)}
        lecture = min((e for e in before.values() if e["visit_kind"] == "classroom"), key=lambda e: e["start"])
        set_clock(c, at(lecture, 60, "end"))
        body = {"status": "not_held", "reason": "临时参加省委会议"}
        record = c.put(f"/api/visits/{lecture['uid']}/record", json=body, headers=bearer()).json()
        change = {"now": at(lecture, 60, "end").isoformat(),  # the trip is called off: weeks 5-8 have time again
                  "remove": [{"table": "absences", "match": {"owner_id": "L001", "start": trip[1]}}]}
        r = c.post(f"/api/terms/{TERM_ID}/changes", json=change, headers=bearer())
        assert r.status_code == 202, r.text
        job = wait_job(c.get, r.json()["job_id"])
        assert job["status"] == "done", job
        changes = c.get(f"/api/plans/{job['plan_id']}/changes", headers=bearer()).json()["changes"]
        by_uid = {x["uid"]: x for x in changes}
        assert by_uid[lecture["uid"]]["change"] == "cancelled"
        assert record["record_id"] in by_uid[lecture["uid"]]["reason"]
        added = [x for x in changes if x["change"] == "added"]
        after_ = {e["uid"]: e for e in events(c, job["plan_id"])}
        assert any(after_[x["uid"]]["visit_kind"] == "classroom" and after_[x["uid"]]["leader_id"] == lecture["leader_id"] for x in added)
        moved = [x for x in changes if x["change"] == "moved"]
        assert not moved, moved  # nothing else had to move


def test_tokens_and_codes_in_paths_never_reach_a_log_and_every_route_is_in_the_schema(world: dict[str, Any]) -> None:
    from api.service.redaction import redact

    assert redact('"GET /me/abcDEF123 HTTP/1.1" 200') == '"GET /me/<redacted> HTTP/1.1" 200'
    assert redact("POST /checkin/Zx9-_q HTTP/1.1") == "POST /checkin/<redacted> HTTP/1.1"
    assert redact("GET /api/me/visits?week=2") == "GET /api/me/visits?week=2"
    paths = world["client"].get("/openapi.json").json()["paths"]
    assert {
        "/api/leaders/{leader_id}/link", "/api/units/{unit_id}/link", "/api/me", "/api/me/visits", "/me/{token}",
        "/api/visits/{uid}/record", "/api/visits/{uid}/record/history", "/api/records", "/api/visits/{uid}/checkin-code",
        "/checkin/{code}", "/api/visits/{uid}/confirmation", "/api/feedback", "/api/feedback/{item_id}",
        "/api/feedback/{item_id}/rating", "/api/terms/{term_id}/records", "/api/terms/{term_id}/records.zip",
        "/api/terms/{term_id}/compliance", "/api/terms/{term_id}/compliance.xlsx", "/api/terms/{term_id}/flags",
    } <= set(paths)
