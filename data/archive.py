"""Reading archives with a hard limit on what they expand to (zip and .xlsx: a workbook is a zip).

Nothing here trusts the sizes an archive declares: every entry is inflated in small chunks and
counted as it is, and the read stops with :class:`ExpansionError` as soon as the total passes the
limit, so that memory and disk stay bounded whatever the archive claims. The number of entries is
bounded too (a zip of 100,000 tiny files is refused before any is read).

For a workbook, :func:`bounded_workbook` copies the parts that reading needs into a new,
uncompressed workbook (counting as it goes) and leaves out the worksheets that are not part of the
data contract: those are never inflated. openpyxl then reads the copy in read-only mode.
"""

from __future__ import annotations

import io
import posixpath
import zipfile
from collections.abc import Callable, Iterable, Iterator, Sized
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, TypeVar

from data.problems import InputError, InputProblem

R = TypeVar("R", bound=Sized)
CHUNK = 64 * 1024
MB = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    """How far an input may expand: total bytes of everything read, and entries of one archive."""

    max_expanded_bytes: int = 200 * MB
    max_entries: int = 1000
    # Cells of all tables together (the XL university has 0.8 million): parsed text costs far
    # more memory than its bytes, so this bounds what reading holds.
    max_cells: int = 5_000_000


DEFAULT_LIMITS = Limits()


class ExpansionError(InputError):
    """The input expands past a limit (the service answers 413)."""

    def __init__(self, file: str, zh: str, en: str) -> None:
        super().__init__([InputProblem(file, None, None, zh, en)])


def _too_large(file: str, limit: int) -> ExpansionError:
    return ExpansionError(
        file,
        f"解压后超过上限 {limit} 字节（{limit / MB:.0f} MB）；请拆分或精简数据",
        f"expands to more than the limit of {limit} bytes ({limit / MB:.0f} MB); make it smaller",
    )


def _too_many(file: str, count: int, limit: int) -> ExpansionError:
    return ExpansionError(
        file,
        f"压缩包中有 {count} 个条目，超过上限 {limit} 个；请只放入数据约定中的文件",
        f"the archive holds {count} entries, more than the limit of {limit}; keep only the contract's files",
    )


class Budget:
    """Bytes that may still be expanded and cells that may still be read; ``take`` and
    ``take_cells`` raise as soon as a limit is passed."""

    def __init__(self, file: str, limits: Limits) -> None:
        self.file = file
        self.limit = limits.max_expanded_bytes
        self.used = 0
        self.max_cells = limits.max_cells
        self.cells = 0

    def take(self, n: int) -> None:
        self.used += n
        if self.used > self.limit:
            raise _too_large(self.file, self.limit)

    def take_cells(self, n: int, file: str) -> None:
        self.cells += n
        if self.cells > self.max_cells:
            raise ExpansionError(
                file,
                f"数据超过 {self.max_cells} 个单元格的上限；请拆分或精简数据",
                f"the data holds more than the limit of {self.max_cells} cells; make it smaller",
            )

    def rows(self, rows: Iterable[R], file: str) -> Iterator[R]:
        """``rows`` as they come, their cells counted."""
        for row in rows:
            self.take_cells(len(row), file)
            yield row


def open_zip(path: Path | BinaryIO, file: str, limits: Limits) -> zipfile.ZipFile:
    """A zip whose entry count is within the limit (``zipfile.BadZipFile`` when damaged)."""
    archive = zipfile.ZipFile(path)
    count = len(archive.infolist())
    if count > limits.max_entries:
        archive.close()
        raise _too_many(file, count, limits.max_entries)
    return archive


def copy_entry(archive: zipfile.ZipFile, name: str | zipfile.ZipInfo, out: Callable[[bytes], object], budget: Budget) -> None:
    """Inflate one entry into ``out`` chunk by chunk, counting every byte against ``budget``."""
    with archive.open(name) as source:
        while chunk := source.read(CHUNK):
            budget.take(len(chunk))
            out(chunk)


def read_entry(archive: zipfile.ZipFile, name: str | zipfile.ZipInfo, budget: Budget) -> bytes:
    parts: list[bytes] = []
    copy_entry(archive, name, parts.append, budget)
    return b"".join(parts)


# workbooks -----------------------------------------------------------------------------------------
STUB_SHEET = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    b'<dimension ref="A1"/><sheetData/></worksheet>'
)


def _sheet_targets(archive: zipfile.ZipFile, budget: Budget) -> list[tuple[str, str]]:
    """(sheet name, part path) of every worksheet, read from the (counted) workbook parts."""
    from openpyxl.packaging.manifest import Manifest
    from openpyxl.packaging.relationship import get_rels_path
    from openpyxl.reader.excel import _find_workbook_part
    from openpyxl.reader.workbook import WorkbookParser
    from openpyxl.xml.functions import fromstring

    small = zipfile.ZipFile(io.BytesIO(), "w")  # the few parts the parser needs, already counted
    manifest = read_entry(archive, "[Content_Types].xml", budget)
    workbook_part = _find_workbook_part(Manifest.from_tree(fromstring(manifest))).PartName.lstrip("/")
    for name in (workbook_part, get_rels_path(workbook_part)):
        if name in archive.namelist():
            small.writestr(name, read_entry(archive, name, budget))
    parser = WorkbookParser(small, workbook_part, keep_links=False)
    parser.parse()
    targets = []
    for sheet, rel in parser.find_sheets():
        if "worksheet" in (rel.Type or ""):
            targets.append((sheet.name, posixpath.normpath(rel.target).lstrip("/")))
    return targets


@contextmanager
def bounded_workbook(path: Path, wanted: Callable[[str], bool], limits: Limits, workdir: Path) -> Iterator[Path]:
    """A copy of the workbook at ``path`` holding only what reading needs, every byte counted.

    Worksheets whose name ``wanted`` refuses are replaced by an empty sheet (never inflated);
    everything else (the contract's sheets, shared strings, styles, the workbook itself) is copied
    uncompressed so that openpyxl does not inflate it a second time.
    """
    budget = Budget(path.name, limits)
    with open_zip(path, path.name, limits) as archive:
        targets = _sheet_targets(archive, budget)
        skipped = {part for name, part in targets if not wanted(name)}
        copy = workdir / path.name
        with zipfile.ZipFile(copy, "w", zipfile.ZIP_STORED) as out:
            seen: set[str] = set()
            for info in archive.infolist():
                if info.is_dir() or info.filename in seen:
                    continue
                seen.add(info.filename)
                if info.filename in skipped:
                    out.writestr(info.filename, STUB_SHEET)
                    continue
                with out.open(info.filename, "w", force_zip64=True) as target:
                    copy_entry(archive, info.filename, target.write, budget)
    yield copy
