"""Issue 11, class 7: the weaker points. Strict request numbers, positive finite CLI time limits,
If-Modified-Since in the future ignored, a full 405 Allow, a bounded job queue (429 + Retry-After),
the last admin token kept, ``replan --previous`` of another term refused, and solver workers that
end with a killed server."""

from __future__ import annotations

import email.utils
import io
import os
import signal
import subprocess
import sys
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from conftest import base_tables, write_csvs
from fastapi.testclient import TestClient
from service_support import ADMIN, TERM_ID, bearer, settings, term_tables, wait_job, zip_bytes
from typer.testing import CliRunner

from api.cli import app as cli
from api.service import create_app
from data.generate import generate


class HeldRunner:
    """Keeps every job queued (a busy solver), so that the queue fills up."""

    def submit(self, job_id: str) -> None: ...
    def cancel(self, job_id: str) -> bool:
        return True
    def status(self, job_id: str) -> str | None:
        return "queued"
    def shutdown(self) -> None: ...


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    with TestClient(create_app(settings(tmp_path))) as c:
        assert c.post("/api/terms", files={"file": ("t.zip", zip_bytes(term_tables()), "application/zip")}, headers=bearer()).status_code == 201
        yield c


@pytest.mark.parametrize("body", ['{"time_limit_s": true}', '{"time_limit_s": NaN}', '{"time_limit_s": Infinity}', '{"time_limit_s": "x"}'])
def test_time_limit_must_be_a_real_number(client: TestClient, body: str) -> None:
    r = client.post(f"/api/terms/{TERM_ID}/solve", content=body, headers={**bearer(), "Content-Type": "application/json"})
    assert r.status_code == 422, r.text
    assert r.json()["problems"][0]["column"] == "body.time_limit_s"


@pytest.mark.parametrize("value", ["0", "-1", "nan", "inf", "-inf"])
@pytest.mark.parametrize("command", ["solve", "replan"])
def test_cli_refuses_a_time_limit_that_is_not_positive_and_finite(tmp_path: Path, value: str, command: str) -> None:
    data = write_csvs(tmp_path / "d", base_tables())
    extra = ["--previous", str(tmp_path)] if command == "replan" else []
    result = CliRunner().invoke(cli, [command, str(data), "--out", str(tmp_path / "o"), "--time-limit", value, *extra], env={"COLUMNS": "250"})
    assert result.exit_code == 2
    assert "--time-limit" in result.output and "positive finite" in result.output


def test_replan_refuses_a_previous_plan_of_another_term(tmp_path: Path) -> None:
    first = write_csvs(tmp_path / "a", base_tables())
    done = CliRunner().invoke(cli, ["solve", str(first), "--out", str(tmp_path / "plan"), "--time-limit", "5", "--quiet", "--workers", "1"])
    assert done.exit_code == 0, done.output
    other = base_tables()
    other["term"][1][0] = "2099-1"
    second = write_csvs(tmp_path / "b", other)
    result = CliRunner().invoke(cli, ["replan", str(second), "--previous", str(tmp_path / "plan"), "--out", str(tmp_path / "o"), "--lang", "en"])
    assert result.exit_code == 2
    assert "2099-1" in result.output and "--previous" in result.output
    assert not (tmp_path / "o").exists()


def test_405_lists_every_method_of_the_path(client: TestClient) -> None:
    r = client.put("/api/terms", headers=bearer())
    assert r.status_code == 405
    assert {m.strip() for m in r.headers["allow"].split(",")} == {"GET", "POST"}
    r = client.patch("/api/tokens/x", headers=bearer())
    assert r.status_code == 405 and r.headers["allow"] == "DELETE"


def test_the_job_queue_is_bounded_with_retry_after(tmp_path: Path) -> None:
    app = create_app(settings(tmp_path, max_queued_jobs=2, queue_retry_after_s=7), runner_factory=lambda s, sessions: HeldRunner())
    with TestClient(app) as c:
        assert c.post("/api/terms", files={"file": ("t.zip", zip_bytes(term_tables()), "application/zip")}, headers=bearer()).status_code == 201
        for _ in range(2):
            assert c.post(f"/api/terms/{TERM_ID}/solve", headers=bearer()).status_code == 202
        r = c.post(f"/api/terms/{TERM_ID}/solve", headers=bearer())
        assert r.status_code == 429 and r.headers["retry-after"] == "7"
        assert r.json()["code"] == "queue_full"


def test_the_last_admin_token_cannot_revoke_itself(client: TestClient) -> None:
    mine = next(t for t in client.get("/api/tokens", headers=bearer()).json() if t["role"] == "admin")
    r = client.delete(f"/api/tokens/{mine['token_id']}", headers=bearer())
    assert r.status_code == 409 and r.json()["code"] == "last_admin"
    other = client.post("/api/tokens", json={"name": "second admin", "role": "admin"}, headers=bearer()).json()
    r = client.delete(f"/api/tokens/{mine['token_id']}", headers=bearer(other["token"]))
    assert r.status_code == 200 and r.json()["revoked_at"]
    r = client.delete(f"/api/tokens/{other['token_id']}", headers=bearer(other["token"]))
    assert r.status_code == 409


def test_if_modified_since_in_the_future_is_ignored(client: TestClient) -> None:
    job = wait_job(client.get, client.post(f"/api/terms/{TERM_ID}/solve", json={"time_limit_s": 3}, headers=bearer()).json()["job_id"])
    assert client.post(f"/api/plans/{job['plan_id']}/publish", headers=bearer()).status_code == 200
    url = client.get("/api/leaders/L001/feed", headers=bearer()).json()["url"]
    path = httpx.URL(url).raw_path.decode()
    first = client.get(path)
    assert first.status_code == 200
    assert client.get(path, headers={"If-Modified-Since": first.headers["last-modified"]}).status_code == 304
    future = email.utils.format_datetime(email.utils.parsedate_to_datetime(first.headers["last-modified"]).replace(year=2100), usegmt=True)
    assert client.get(path, headers={"If-Modified-Since": future}).status_code == 200


SERVER = """
import sys, uvicorn
from api.service import create_app
from api.service.settings import Settings
settings = Settings(database_url=sys.argv[1], admin_token=sys.argv[2], solver_workers=1, max_time_limit_s=600)
uvicorn.run(create_app(settings), host="127.0.0.1", port=int(sys.argv[3]), log_level="warning")
"""


def _children(pid: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry))
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state not in ("Z", "X")  # a zombie has ended (nobody reaped it yet)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_solver_workers_end_when_the_server_is_killed(tmp_path: Path) -> None:
    from test_hostile_bodies import free_port

    generate("M", 1, tmp_path / "m")  # a solve that runs for a while
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for f in (tmp_path / "m").iterdir():
            archive.write(f, f.name)
    port = free_port()
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(Path(__file__).parents[1]), os.environ.get("PYTHONPATH", "")])}
    server = subprocess.Popen([sys.executable, "-c", SERVER, f"sqlite:///{tmp_path / 'db.sqlite'}", ADMIN, str(port)], env=env)
    workers: list[int] = []
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", headers=bearer(), timeout=60) as api:
            deadline = time.monotonic() + 30
            while True:
                try:
                    api.get("/healthz")
                    break
                except httpx.TransportError:
                    assert time.monotonic() < deadline and server.poll() is None, "the server did not start"
                    time.sleep(0.1)
            r = api.post("/api/terms", files={"file": ("m.zip", buffer.getvalue(), "application/zip")})
            assert r.status_code == 201, r.text
            term = r.json()["term_id"]
            assert api.post(f"/api/terms/{term}/solve", json={"time_limit_s": 300}).status_code == 202
            deadline = time.monotonic() + 60
            while not (workers := _children(server.pid)):
                assert time.monotonic() < deadline, "no worker process started"
                time.sleep(0.05)
        server.send_signal(signal.SIGKILL)
        server.wait(timeout=30)
        deadline = time.monotonic() + 15
        while any(_alive(w) for w in workers):
            assert time.monotonic() < deadline, f"worker(s) {workers} outlived the killed server"
            time.sleep(0.1)
    finally:
        if server.poll() is None:
            server.kill()
        for w in workers:  # never leave a solver behind, even when the test fails
            if _alive(w):
                os.kill(w, signal.SIGKILL)


def test_every_request_schema_is_strict_about_booleans_and_finite_numbers() -> None:
    from pydantic import ValidationError

    from api.service.schemas import Input

    class Body(Input):  # as another route would declare its body
        count: float
        flag: bool = False
        maybe: bool | None = None

    assert Body.model_validate({"count": 2, "flag": True, "maybe": False}).flag is True
    for bad in ({"count": True}, {"count": float("nan")}, {"count": float("inf")}, {"count": 1, "extra": 1}):
        with pytest.raises(ValidationError):
            Body.model_validate(bad)
