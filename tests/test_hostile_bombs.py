"""Issue 11, class 1: decompression is bounded while reading. Real bombs (1 GiB inflated) are built
here; a child process reads each one with a 32 MB limit and reports its peak memory
(``resource.getrusage``): the bomb is refused (413) or its unneeded sheet skipped, and the peak
stays far below what inflating it would take."""

from __future__ import annotations

import io
import json
import struct
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from service_support import bearer, settings, term_tables, xlsx_bytes, zip_bytes

from api.service import create_app
from data.archive import Limits
from data.problems import InputError
from data.reader import read_problem

GIB = 1 << 30
CHUNK = b" " * (1 << 20)
LIMIT = 32 * 1024 * 1024
PEAK_MB = 100  # far below 1 GiB, well above the reader's own working set


def _stream(archive: zipfile.ZipFile, name: str, head: bytes = b"", tail: bytes = b"", size: int = GIB) -> None:
    info = zipfile.ZipInfo(name)
    info.compress_type = zipfile.ZIP_DEFLATED  # the archive's level (1)
    with archive.open(info, "w") as entry:
        entry.write(head)
        for _ in range(size // len(CHUNK)):
            entry.write(CHUNK)
        entry.write(tail)


def _csv_bomb(size_field: int | None = None) -> bytes:
    """The small valid term, plus a leaders.csv that inflates to 1 GiB; ``size_field`` makes the
    entry lie about its size (declared in both headers)."""
    tables = term_tables()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        source = zipfile.ZipFile(io.BytesIO(zip_bytes(tables)))
        for name in source.namelist():
            if name != "leaders.csv":
                archive.writestr(name, source.read(name))
        _stream(archive, "leaders.csv", b"leader_id,name,title,tier,campus\n")
    content = bytearray(buffer.getvalue())
    if size_field is not None:
        for signature, offset in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
            at = -1
            while (at := content.find(signature, at + 1)) >= 0:
                name_len = struct.unpack_from("<H", content, at + (26 if offset == 22 else 28))[0]
                start = at + (30 if offset == 22 else 46)
                if content[start : start + name_len] == b"leaders.csv":
                    struct.pack_into("<I", content, at + offset, size_field)
    return bytes(content)


def _xlsx_bomb(tmp: Path, sheet: str) -> bytes:
    """The small valid term as a workbook; the part of ``sheet`` (a sheet of the workbook, or a
    new one named so) replaced by a worksheet that inflates to 1 GiB."""
    tables = term_tables()
    if sheet not in tables:
        tables[sheet] = [["x"], ["y"]]
    original = zipfile.ZipFile(io.BytesIO(xlsx_bytes(tables, tmp)))
    part = f"xl/worksheets/sheet{list(tables).index(sheet) + 1}.xml"
    assert part in original.namelist()
    head = b'<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        for name in original.namelist():
            if name == part:
                _stream(archive, name, head, b"</sheetData></worksheet>")
            else:
                archive.writestr(name, original.read(name))
    return buffer.getvalue()


CHILD = """
import json, resource, sys
from pathlib import Path
from api.service import termdata
from api.service.errors import ApiError
from data.archive import Limits
content = Path(sys.argv[1]).read_bytes()
name = sys.argv[2]
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
try:
    checked = termdata.check_upload(content, name, Limits(int(sys.argv[3]), 1000))
    outcome = {"status": 201, "warnings": [w[0] for w in termdata.warnings_of(checked.result)]}
except ApiError as exc:
    outcome = {"status": exc.status, "code": exc.code}
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({**outcome, "grew_mb": (after - before) / 1024}))
"""


def _read_in_child(tmp: Path, content: bytes, name: str, limit: int = LIMIT) -> dict:
    path = tmp / f"upload-{name}"
    path.write_bytes(content)
    done = subprocess.run(
        [sys.executable, "-c", CHILD, str(path), name, str(limit)], capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def tmp(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("bombs")


def test_zip_bomb_is_refused_while_inflating_with_bounded_memory(tmp: Path) -> None:
    bomb = _csv_bomb()
    assert len(bomb) < 10 * 1024 * 1024
    outcome = _read_in_child(tmp, bomb, "bomb.zip")
    assert (outcome["status"], outcome["code"]) == (413, "too_large")
    assert outcome["grew_mb"] < PEAK_MB


def test_zip_entry_lying_about_its_size_is_refused_with_bounded_memory(tmp: Path) -> None:
    outcome = _read_in_child(tmp, _csv_bomb(size_field=1000), "liar.zip")
    assert outcome["status"] in (413, 422)
    assert outcome["grew_mb"] < PEAK_MB


def test_xlsx_bomb_in_a_contract_sheet_is_refused_with_bounded_memory(tmp: Path) -> None:
    outcome = _read_in_child(tmp, _xlsx_bomb(tmp, "leaders"), "bomb.xlsx")
    assert (outcome["status"], outcome["code"]) == (413, "too_large")
    assert outcome["grew_mb"] < PEAK_MB


def test_xlsx_sheet_outside_the_contract_is_never_inflated(tmp: Path) -> None:
    # 1 GiB in a sheet the contract does not know: read fine within a 32 MB limit, only a warning
    outcome = _read_in_child(tmp, _xlsx_bomb(tmp, "Junk"), "junk.xlsx")
    assert outcome["status"] == 201
    assert "junk.xlsx[Junk]" in outcome["warnings"]
    assert outcome["grew_mb"] < PEAK_MB


def test_cli_reader_refuses_a_workbook_bomb_with_a_located_message(tmp: Path) -> None:
    path = tmp / "term.xlsx"
    path.write_bytes(_xlsx_bomb(tmp, "leaders"))
    with pytest.raises(InputError) as caught:
        read_problem(path, Limits(max_expanded_bytes=LIMIT))
    [problem] = caught.value.problems
    assert problem.file == "term.xlsx" and "limit" in problem.en


def test_service_answers_413_for_a_zip_bomb(tmp_path: Path) -> None:
    with TestClient(create_app(settings(tmp_path, max_unzipped_bytes=LIMIT))) as client:
        r = client.post("/api/terms", files={"file": ("bomb.zip", _csv_bomb(), "application/zip")}, headers=bearer())
    assert r.status_code == 413, r.text
    assert r.json()["code"] == "too_large"


def test_zip_with_too_many_entries_is_refused_before_reading(tmp_path: Path) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for i in range(1001):
            archive.writestr(f"junk{i}.csv", "")
    with TestClient(create_app(settings(tmp_path))) as client:
        r = client.post("/api/terms", files={"file": ("many.zip", buffer.getvalue(), "application/zip")}, headers=bearer())
    assert r.status_code == 413, r.text
    assert "1001" in r.json()["detail"]


def test_cells_are_counted_while_reading(tmp_path: Path) -> None:
    tables = term_tables()
    tables["timetable"] += [list(tables["timetable"][1])] * 400  # about 4,000 cells
    folder = tmp_path / "d"
    folder.mkdir()
    for name, data in ((n, zipfile.ZipFile(io.BytesIO(zip_bytes(tables))).read(n)) for n in zipfile.ZipFile(io.BytesIO(zip_bytes(tables))).namelist()):
        (folder / name).write_bytes(data)
    with pytest.raises(InputError) as caught:
        read_problem(folder, Limits(max_cells=2000))
    [problem] = caught.value.problems
    assert problem.file == "timetable.csv" and "2000 cells" in problem.en
    with TestClient(create_app(settings(tmp_path, max_cells=2000))) as client:
        r = client.post("/api/terms", files={"file": ("t.zip", zip_bytes(tables), "application/zip")}, headers=bearer())
    assert r.status_code == 413 and "2000" in r.json()["detail"]
