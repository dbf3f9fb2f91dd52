"""The service takes what academic-affairs systems export: .xls uploads and 上课时间 change rows."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import write_xls
from fastapi.testclient import TestClient
from service_support import TERM_ID, bearer, settings, term_tables, wait_job, zip_bytes

from api.service import create_app
from api.service.errors import ApiError
from api.service.termdata import apply_changes, check_upload
from data.xls import OLE_MAGIC

EN = {"Accept-Language": "en"}
MAX = 10 * 1024 * 1024


def upload(client: TestClient, content: bytes, name: str, headers: dict[str, str] | None = None) -> Any:
    return client.post("/api/terms", files={"file": (name, content, "application/vnd.ms-excel")}, headers=headers or bearer())


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    with TestClient(create_app(settings(tmp_path))) as c:
        yield c


def test_an_xls_upload_is_stored_as_it_came_and_solves(client: TestClient, tmp_path: Path) -> None:
    content = write_xls(tmp_path / "学期数据.xls", term_tables()).read_bytes()
    r = upload(client, content, "学期数据.xls")
    assert r.status_code == 201, r.text
    assert r.json()["summary"]["leaders"] == 3
    detail = client.get(f"/api/terms/{TERM_ID}", headers=bearer()).json()
    assert [d["media"] for d in detail["datasets"]] == ["xls"]
    r = client.post(f"/api/terms/{TERM_ID}/solve", json={"time_limit_s": 3}, headers=bearer())
    assert r.status_code == 202, r.text
    assert wait_job(client.get, r.json()["job_id"])["status"] == "done"  # read back from storage


def test_a_web_page_named_xls_is_415_with_what_to_do(client: TestClient) -> None:
    page = "<html><table><tr><td>星期一第1-2节</td></tr></table></html>".encode()
    r = upload(client, page, "课表.xls", headers={**bearer(), **EN})
    assert r.status_code == 415 and "web page" in r.json()["detail"] and ".xlsx" in r.json()["detail"]


def test_a_damaged_xls_is_422_naming_the_file(client: TestClient) -> None:
    r = upload(client, OLE_MAGIC + b"\0" * 600, "old.xls")
    assert r.status_code == 422
    assert [p["file"] for p in r.json()["problems"]] == ["old.xls"]


# change rows ---------------------------------------------------------------------------------
def base() -> tuple[Any, bytes]:
    content = zip_bytes(term_tables())
    return check_upload(content, "t.zip", MAX).problem, content


def test_change_rows_may_give_the_time_as_exported() -> None:
    problem, content = base()
    row = {"owner_id": "L003", "time": "星期一第1-2节{1-4周};星期三[030405节]{1-3单周}", "location": "教一101;教一102", "title": "形势与政策"}
    changed = apply_changes(problem, content, "zip", "t.zip", {"timetable": [row]}, MAX).problem
    added = [(e.weekday, e.periods, sorted(e.weeks), e.location) for e in changed.timetable if e.owner_id == "L003"]
    assert added == [(1, (1, 2), [1, 2, 3, 4], "教一101"), (3, (3, 5), [1, 3], "教一102")]


def test_an_unreadable_time_in_a_change_names_the_row_and_column() -> None:
    problem, content = base()
    rows = [{"owner_id": "L003", "time": "星期一第1-2节"}, {"owner_id": "L003", "time": "星期八 第1-2节"}]
    with pytest.raises(ApiError) as caught:
        apply_changes(problem, content, "zip", "t.zip", {"timetable": rows}, MAX)
    assert caught.value.status == 422
    ((where, _, column, zh, _),) = caught.value.problems
    assert (where, column) == ("changes.timetable[1]", "time") and "“星期八 第1-2节”" in zh
