"""Issue 11, class 2: authentication and size limits act before the body is consumed, on every
route that takes a body, with or without Content-Length. Against a real uvicorn, over raw sockets:
the client announces (or starts streaming) a 300 MB body and the answer comes before it is sent."""

from __future__ import annotations

import json
import select
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import uvicorn
from service_support import ADMIN, TERM_ID, bearer, settings, term_tables, zip_bytes

from api.service import create_app

BIG = 300 * 1024 * 1024
UPLOAD_LIMIT = 1024 * 1024
BODY_LIMIT = 64 * 1024


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[int, str]]:
    tmp = Path(tmp_path_factory.mktemp("bodies"))
    port = free_port()
    app = create_app(settings(tmp, max_upload_bytes=UPLOAD_LIMIT, max_body_bytes=BODY_LIMIT))
    srv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not srv.started:
        assert time.monotonic() < deadline and thread.is_alive(), "uvicorn did not start"
        time.sleep(0.02)
    with httpx.Client(base_url=f"http://127.0.0.1:{port}", headers=bearer(), timeout=30) as api:
        r = api.post("/api/terms", files={"file": ("term.zip", zip_bytes(term_tables()), "application/zip")})
        assert r.status_code == 201, r.text
        reader = api.post("/api/tokens", json={"name": "reader", "role": "reader"}).json()["token"]
    try:
        yield port, reader
    finally:
        srv.should_exit = True
        thread.join(timeout=20)


def _connect(port: int, head: str) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", port), timeout=20)
    sock.sendall(head.encode("latin-1"))
    return sock


def _response(sock: socket.socket) -> tuple[int, dict[str, str], dict]:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        assert chunk, f"connection closed before an answer: {data!r}"
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])}
    while len(body) < int(headers.get("content-length", "0")):
        chunk = sock.recv(65536)
        if not chunk:
            break
        body += chunk
    return int(lines[0].split()[1]), headers, json.loads(body or b"{}")


def _head(method: str, path: str, content_type: str, token: str | None, length: int | None) -> str:
    lines = [f"{method} {path} HTTP/1.1", "Host: test", f"Content-Type: {content_type}"]
    lines.append(f"Content-Length: {length}" if length is not None else "Transfer-Encoding: chunked")
    if token:
        lines.append(f"Authorization: Bearer {token}")
    return "\r\n".join(lines) + "\r\n\r\n"


def _chunk(size: int) -> bytes:
    return f"{size:x}\r\n".encode() + b"{" * size + b"\r\n"


def _stream_until_answered(sock: socket.socket, total: int = BIG) -> int:
    """Send chunks until the server answers (or closes); return the bytes sent."""
    sent = 0
    piece = _chunk(64 * 1024)
    while sent < total:
        if select.select([sock], [], [], 0)[0]:
            return sent
        try:
            sock.sendall(piece)
        except (BrokenPipeError, ConnectionResetError):
            return sent
        sent += len(piece)
    return sent


MULTIPART = "multipart/form-data; boundary=xyz"
BODY_ROUTES = [
    ("POST", "/api/terms", MULTIPART),
    ("POST", f"/api/terms/{TERM_ID}/solve", "application/json"),
    ("POST", f"/api/terms/{TERM_ID}/changes", "application/json"),
    ("POST", "/api/tokens", "application/json"),
]


@pytest.mark.parametrize(("method", "path", "content_type"), BODY_ROUTES)
def test_no_token_gets_401_before_a_chunked_body_is_sent(server: tuple[int, str], method: str, path: str, content_type: str) -> None:
    port, _ = server
    with _connect(port, _head(method, path, content_type, None, None)) as sock:
        sock.sendall(_chunk(1024))  # the first KB of a 300 MB body; the rest never comes
        status, headers, body = _response(sock)
    assert status == 401 and body["code"] == "unauthorized"
    assert headers["www-authenticate"] == "Bearer"


@pytest.mark.parametrize(("method", "path", "content_type"), BODY_ROUTES)
def test_bad_token_gets_401_before_a_declared_body_is_sent(server: tuple[int, str], method: str, path: str, content_type: str) -> None:
    port, _ = server
    with _connect(port, _head(method, path, content_type, "not-a-token", BIG)) as sock:
        status, _, body = _response(sock)
    assert status == 401


def test_reader_gets_403_on_an_upload_before_its_body(server: tuple[int, str]) -> None:
    port, reader = server
    with _connect(port, _head("POST", "/api/terms", MULTIPART, reader, None)) as sock:
        sock.sendall(_chunk(1024))
        status, _, body = _response(sock)
    assert status == 403 and body["code"] == "forbidden"


def test_declared_oversized_upload_gets_413_before_its_body(server: tuple[int, str]) -> None:
    port, _ = server
    with _connect(port, _head("POST", "/api/terms", MULTIPART, ADMIN, BIG)) as sock:
        status, _, body = _response(sock)
    assert status == 413 and body["code"] == "too_large"


@pytest.mark.parametrize(("path", "content_type", "limit"), [
    ("/api/terms", MULTIPART, UPLOAD_LIMIT),
    (f"/api/terms/{TERM_ID}/changes", "application/json", BODY_LIMIT),
])  # fmt: skip
def test_chunked_body_gets_413_as_soon_as_it_passes_the_limit(server: tuple[int, str], path: str, content_type: str, limit: int) -> None:
    port, _ = server
    with _connect(port, _head("POST", path, content_type, ADMIN, None)) as sock:
        if content_type == MULTIPART:  # a well-formed start: one 300 MB file part
            part = b'--xyz\r\nContent-Disposition: form-data; name="file"; filename="t.zip"\r\n\r\n'
            sock.sendall(f"{len(part):x}\r\n".encode() + part + b"\r\n")
        else:
            sock.sendall(b"1\r\n[\r\n")  # a JSON array that never ends
        sent = _stream_until_answered(sock)
        status, _, body = _response(sock)
    assert status == 413 and body["code"] == "too_large"
    assert sent < 64 * 1024 * 1024  # answered long before 300 MB: the limit plus socket buffers


def test_declared_oversized_json_body_gets_413(server: tuple[int, str]) -> None:
    port, _ = server
    with _connect(port, _head("POST", f"/api/terms/{TERM_ID}/solve", "application/json", ADMIN, BODY_LIMIT + 1)) as sock:
        status, _, _ = _response(sock)
    assert status == 413


def test_control_characters_in_path_or_query_get_422(server: tuple[int, str]) -> None:
    port, _ = server
    with httpx.Client(base_url=f"http://127.0.0.1:{port}", headers=bearer(), timeout=30) as api:
        r = api.get("/api/terms/a%00b")
        assert r.status_code == 422 and r.json()["problems"][0]["column"] == "path"
        r = api.get("/api/audit", params={"target": "x\x01"})
        assert r.status_code == 422 and r.json()["problems"][0]["column"] == "query.target"
        assert api.get(f"/api/terms/{TERM_ID}").status_code == 200


def test_small_bodies_still_work(server: tuple[int, str]) -> None:
    port, _ = server
    with httpx.Client(base_url=f"http://127.0.0.1:{port}", headers=bearer(), timeout=30) as api:
        r = api.post("/api/tokens", json={"name": "ok", "role": "reader"})
        assert r.status_code == 201
        r = api.post("/api/terms", files={"file": ("term.zip", zip_bytes(term_tables()), "application/zip")})
        assert r.status_code == 201
