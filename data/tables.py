"""Loading the raw tables: a folder of CSV files or the sheets of one .xlsx (or old .xls) workbook.

Every cell becomes a stripped string (Excel date, time and number cells are written the way the
contract spells them: ``YYYY-MM-DD``, ``HH:MM``, ``3``). Headers are mapped to the contract's
column names (:mod:`data.headers`); the header is the first row that names a column, so up to
three title rows above it (``2026年校领导名单``) are skipped. Rows that are entirely blank are
skipped, and so is an *explanation row*: a row whose first cell starts with ``说明:`` / ``说明：``
or ``Note:`` (what the template writes under the header).
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import re
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import openpyxl
from openpyxl.utils.exceptions import InvalidFileException

from data.archive import DEFAULT_LIMITS, Budget, ExpansionError, Limits, bounded_workbook
from data.cells import control_character, csv_untext
from data.headers import TABLE_BY_STEM, TABLES, TableSpec, column_for, stem_for
from data.problems import Findings
from data.specs import normalize
from data.xls import XlsError, is_xls, xls_sheets

TITLE_ROWS = 3  # at most this many title rows may stand above the header
EXPLANATION_PREFIXES = ("说明:", "note:")  # compared after NFKC + casefold, so 说明： matches


@dataclass
class Row:
    number: int  # spreadsheet row number (header = 1)
    cells: dict[str, str]  # contract column name -> stripped text ("" when blank)


@dataclass
class Table:
    spec: TableSpec
    label: str  # file name used in messages: "leaders.csv" or "term.xlsx[领导干部]"
    headers: dict[str, str] = field(default_factory=dict)  # column name -> header as written
    missing: set[str] = field(default_factory=set)  # required columns not in the file
    rows: list[Row] = field(default_factory=list)

    @property
    def stem(self) -> str:
        return self.spec.stem

    def header(self, column: str) -> str:
        return self.headers.get(column, column)


@dataclass
class RawSheet:
    label: str
    records: list[tuple[int, list[str]]] | None  # (row number, cells); None: unreadable
    ragged_is_problem: bool  # CSV: a row longer than its header is a problem; xlsx: extra column


@dataclass
class Source:
    """Where the tables come from; names the files that are absent too."""

    path: Path
    workbook: bool

    def label(self, stem: str) -> str:
        return f"{self.path.name}[{stem}]" if self.workbook else f"{stem}.csv"


# loading --------------------------------------------------------------------------------------
def load(
    path: Path, out: Findings, tables: tuple[TableSpec, ...] = TABLES, limits: Limits = DEFAULT_LIMITS
) -> tuple[Source, dict[str, Table | None]]:
    """The tables found at ``path``; a stem maps to None when its file was empty (reported).
    ``tables``: the family of files to look for (the term data's by default).

    Raises :class:`data.archive.ExpansionError` as soon as what is read passes ``limits``.
    """
    if path.is_dir():
        source, sheets = Source(path, False), _folder_sheets(path, out, tables, limits)
    elif path.suffix.casefold() in (".xlsx", ".xlsm", ".xls") and path.is_file():
        reader = _xls_workbook_sheets if _is_xls_file(path) else _workbook_sheets
        if reader is _workbook_sheets and path.suffix.casefold() == ".xls":
            _report_renamed(path, out)
            return Source(path, True), {}
        source, sheets = Source(path, True), reader(path, out, tables, limits)
    else:
        _report_bad_path(path, out)
        return Source(path, False), {}
    return source, {stem: make_table(stem, raw, out) for stem, raw in sheets.items()}


def _report_bad_path(path: Path, out: Findings) -> None:
    if not path.exists():
        out.problem(str(path), None, None, "找不到此文件夹或文件", "no such folder or file")
    else:
        out.problem(
            path.name, None, None,
            "应为存放 CSV 文件的文件夹或一个 .xlsx/.xls 工作簿",
            "expected a folder of CSV files or one .xlsx or .xls workbook",
        )  # fmt: skip


def _is_xls_file(path: Path) -> bool:
    """An old Excel workbook by its content (an .xls renamed .xlsx still reads as .xls)."""
    with path.open("rb") as file:
        head = file.read(8)
    return is_xls(head) or (path.suffix.casefold() == ".xls" and not head.startswith(b"PK"))


def _report_renamed(path: Path, out: Findings) -> None:
    out.problem(
        path.name, None, None,
        f"此文件其实是 .xlsx 工作簿，只是扩展名写成了 .xls；请把文件名改为 {path.stem}.xlsx",
        f"this file is really an .xlsx workbook named .xls; rename it to {path.stem}.xlsx",
    )  # fmt: skip


def _folder_sheets(folder: Path, out: Findings, tables: tuple[TableSpec, ...], limits: Limits) -> dict[str, RawSheet]:
    sheets: dict[str, RawSheet] = {}
    budget = Budget(folder.name, limits)
    for file in sorted(folder.iterdir()):
        if not file.is_file() or file.suffix.casefold() != ".csv":
            continue
        budget.file = file.name
        stem = stem_for(file.stem, tables)
        if stem is not None:
            budget.take(file.stat().st_size)
        if stem is None:
            out.warning(
                file.name, None, None,
                "不是数据约定中的文件，已忽略", "not a file of the data contract; ignored",
            )  # fmt: skip
        elif _claim(sheets, stem, file.name, out):
            sheets[stem] = RawSheet(file.name, _csv_records(file, out, budget), True)
    return sheets


def _claim(sheets: dict[str, RawSheet], stem: str, name: str, out: Findings) -> bool:
    """True unless another file already supplies ``stem`` (which is reported)."""
    if stem not in sheets:
        return True
    out.problem(
        name, None, None,
        f"与 {sheets[stem].label} 是同一张表（{stem}）；请只保留一个",
        f"supplies the same table ({stem}) as {sheets[stem].label}; keep only one",
    )  # fmt: skip
    return False


def looks_like_bomless_utf16(data: bytes) -> bool:
    """Every other byte zero at the start: UTF-16 text without its byte-order mark."""
    head = data[:4096]
    if len(head) < 4 or data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return False
    even, odd = head[0::2], head[1::2]
    return even.count(0) > 0.4 * len(even) or odd.count(0) > 0.4 * len(odd)


def decode(data: bytes) -> str | None:
    """Text of a CSV file: UTF-16 (with BOM), UTF-8 (with or without BOM) or GB18030/GBK."""
    if looks_like_bomless_utf16(data):
        return None
    for encoding in _candidates(data):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return None


def _candidates(head: bytes) -> tuple[str, ...]:
    return ("utf-16",) if head.startswith((b"\xff\xfe", b"\xfe\xff")) else ("utf-8-sig", "gb18030")


def file_encoding(file: Path) -> str | None:
    """The encoding :func:`decode` would choose, found by decoding the file in chunks (the text
    itself is not kept: a large file is then read as a stream)."""
    with file.open("rb") as f:
        head = f.read(4096)
    if looks_like_bomless_utf16(head):
        return None
    for encoding in _candidates(head):
        decoder = codecs.getincrementaldecoder(encoding)()
        try:
            with file.open("rb") as f:
                while chunk := f.read(1 << 20):
                    decoder.decode(chunk)
            decoder.decode(b"", final=True)
            return encoding
        except UnicodeDecodeError:
            continue
    return None


def _csv_records(file: Path, out: Findings, budget: Budget) -> list[tuple[int, list[str]]] | None:
    with file.open("rb") as f:
        head = f.read(4096)
    if looks_like_bomless_utf16(head):
        out.problem(
            file.name, None, None,
            "文件是没有字节顺序标记（BOM）的 UTF-16 编码，无法可靠识别；请另存为 UTF-8 编码的 CSV",
            "the file is UTF-16 without a byte-order mark (BOM), an unsupported encoding; save it as CSV in UTF-8",
        )  # fmt: skip
        return None
    encoding = file_encoding(file)
    if encoding is None:
        out.problem(
            file.name, None, None,
            "无法识别文件编码；请另存为 UTF-8 或 GBK 编码的 CSV",
            "cannot tell the file's encoding; save it as CSV in UTF-8 or GBK",
        )  # fmt: skip
        return None
    try:
        with file.open(encoding=encoding, newline="") as text:
            delimiter = _delimiter(text.read(64 * 1024))
            text.seek(0)
            reader = budget.rows(csv.reader(text, delimiter=delimiter), file.name)
            return [(n, [csv_untext(clean(c)) for c in cells]) for n, cells in enumerate(reader, start=1)]
    except csv.Error as error:
        out.problem(
            file.name, None, None,
            f"CSV 格式错误：{error}", f"malformed CSV: {error}",
        )  # fmt: skip
        return None


def _delimiter(text: str) -> str:
    first = next((line for line in text.splitlines() if line.strip()), "")
    for candidate in ("\t", ";"):
        if candidate in first and "," not in first:
            return candidate
    return ","


def clean(text: str) -> str:
    """The cell stripped of whitespace, BOMs and zero-width spaces at either end."""
    return text.strip().strip("\ufeff\u200b").strip()


def _workbook_sheets(path: Path, out: Findings, tables: tuple[TableSpec, ...], limits: Limits) -> dict[str, RawSheet]:
    """The contract's sheets of a workbook, read through a bounded copy (see :mod:`data.archive`):
    what it expands to is counted while it is read, sheets outside the contract are never inflated."""
    with tempfile.TemporaryDirectory(prefix="frontline-xlsx-") as tmp:
        try:
            with bounded_workbook(path, lambda name: stem_for(name, tables) is not None, limits, Path(tmp)) as copy:
                workbook = openpyxl.load_workbook(copy, read_only=True, data_only=True, keep_links=False)
                try:
                    return _sheets_of(path, workbook, out, Budget(path.name, limits), tables)
                finally:
                    workbook.close()
        except ExpansionError:
            raise
        except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError, SyntaxError) as error:
            out.problem(
                path.name, None, None,
                f"无法打开工作簿：{error}", f"cannot open the workbook: {error}",
            )  # fmt: skip
            return {}


def _sheets_of(
    path: Path, workbook: object, out: Findings, budget: Budget, tables: tuple[TableSpec, ...]
) -> dict[str, RawSheet]:
    sheets: dict[str, RawSheet] = {}
    for sheet in workbook.worksheets:  # type: ignore[attr-defined]
        if stem := _sheet_stem(sheets, path, sheet.title, out, tables):
            sheet.reset_dimensions()  # a declared size is not trusted: no padding to it
            label = f"{path.name}[{sheet.title}]"
            records = [
                (n, cells) for n, row in enumerate(budget.rows(sheet.iter_rows(), label), 1)
                if any(cells := [cell_text(c) for c in row])
            ]
            sheets[stem] = RawSheet(label, records, False)
    return sheets


def _sheet_stem(
    sheets: dict[str, RawSheet], path: Path, title: str, out: Findings, tables: tuple[TableSpec, ...]
) -> str | None:
    """The table a sheet supplies; None (reported) when it is no table or a second one."""
    label = f"{path.name}[{title}]"
    stem = stem_for(title, tables)
    if stem is None:
        out.warning(
            label, None, None,
            "不是数据约定中的工作表，已忽略", "not a sheet of the data contract; ignored",
        )  # fmt: skip
        return None
    return stem if _claim(sheets, stem, label, out) else None


def _xls_workbook_sheets(path: Path, out: Findings, tables: tuple[TableSpec, ...], limits: Limits) -> dict[str, RawSheet]:
    """The sheets of an old .xls workbook, read by the same rules (see :mod:`data.xls`). An .xls
    is not compressed: its size on disk is counted against the limit before it is read."""
    budget = Budget(path.name, limits)
    budget.take(path.stat().st_size)
    sheets: dict[str, RawSheet] = {}
    try:
        for title, rows in xls_sheets(path):
            if stem := _sheet_stem(sheets, path, title, out, tables):
                label = f"{path.name}[{title}]"
                records = [(n, [cell_text(c) for c in row]) for n, row in enumerate(budget.rows(rows, label), 1)]
                sheets[stem] = RawSheet(f"{path.name}[{title}]", records, False)
    except XlsError as error:
        out.problem(path.name, None, None, error.zh, error.en)
        return {}
    return sheets


def cell_text(cell: object) -> str:
    """An Excel cell as the text the contract expects."""
    value = getattr(cell, "value", None)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        has_time = value.time() != dt.time() or "h" in str(getattr(cell, "number_format", ""))
        return _datetime_text(value, has_time)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dt.time):
        return _minutes_text(
            value.hour * 3600 + value.minute * 60 + value.second + value.microsecond / 1e6
        )
    if isinstance(value, dt.timedelta):
        return _minutes_text(value.total_seconds())
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, str):
        value = unescape_ooxml(value)
    return clean(str(value))


_OOXML_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")


def unescape_ooxml(text: str) -> str:
    """Excel writes a character XML cannot hold (a control character) as ``_xHHHH_`` and a literal
    ``_x`` as ``_x005F_x``; openpyxl leaves both as they are. The characters themselves, so that a
    NUL typed into a cell is seen (and reported) as one."""
    if "_x" not in text:
        return text
    return _OOXML_ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), text)


def _datetime_text(value: dt.datetime, has_time: bool) -> str:
    if value.date() <= dt.date(1900, 1, 1) and has_time:  # a time typed into a date-time cell
        return _minutes_text(value.hour * 3600 + value.minute * 60 + value.second)
    if not has_time:
        return value.date().isoformat()
    rounded = value + dt.timedelta(seconds=30)
    return rounded.strftime("%Y-%m-%d %H:%M")


def _minutes_text(seconds: float) -> str:
    minutes = round(seconds / 60)
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


# headers and rows -----------------------------------------------------------------------------
def make_table(stem: str, raw: RawSheet, out: Findings) -> Table | None:
    """Map the header row and collect the data rows; None (reported) when the file is empty."""
    spec = TABLE_BY_STEM[stem]
    if raw.records is None:
        return None
    records = [(n, cells) for n, cells in raw.records if any(cells)]
    if not records:
        _report_empty(spec, raw.label, out)
        return None
    table = Table(spec, raw.label)
    start = _header_index(stem, records)
    (header_row, header), data = records[start], records[start + 1 :]
    positions = _map_headers(table, header_row, header, data, out)
    for number, cells in data:
        if _is_explanation(cells):
            continue
        if raw.ragged_is_problem and len(cells) > len(header) and any(cells[len(header) :]):
            out.problem(
                raw.label, number, None,
                f"此行有 {len(cells)} 个单元格，但表头只有 {len(header)} 列；请检查多余的逗号或未加引号的单元格",
                f"this row has {len(cells)} cells but the header has {len(header)} columns; "
                "check for a stray comma or an unquoted cell",
            )  # fmt: skip
            continue
        values = {name: cells[i] if i < len(cells) else "" for name, i in positions.items()}
        _report_control_characters(table, number, values, out)
        table.rows.append(Row(number, values))
    return table


def _report_control_characters(table: Table, number: int, values: dict[str, str], out: Findings) -> None:
    """A cell holding NUL or another control character is a problem (the database and the
    calendars cannot hold it); the cell is kept without it so that later checks stay meaningful."""
    for name, value in values.items():
        problem = control_character(value)
        if problem:
            out.problem(
                table.label, number, table.header(name),
                f"含有不可见的控制字符（{problem}）；请删除后重新保存",
                f"holds an invisible control character ({problem}); delete it and save again",
            )  # fmt: skip
            values[name] = "".join(ch for ch in value if control_character(ch) is None)


def _header_index(stem: str, records: list[tuple[int, list[str]]]) -> int:
    """The header is the first row naming a column; title rows above it (Excel) are skipped."""
    for index, (_, cells) in enumerate(records[: TITLE_ROWS + 1]):
        if any(column_for(stem, text) for text in cells if text):
            return index
    return 0


def _report_empty(spec: TableSpec, label: str, out: Findings) -> None:
    if spec.required:
        out.problem(
            label, None, None,
            f"文件为空：{spec.zh_name}（{spec.stem}）是必需的，请填写表头和数据",
            f"the file is empty: {spec.stem} is required; give its header and data",
        )  # fmt: skip


def _is_explanation(cells: list[str]) -> bool:
    return bool(cells) and normalize(cells[0]).startswith(EXPLANATION_PREFIXES)


def _map_headers(
    table: Table,
    header_row: int,
    header: list[str],
    data: list[tuple[int, list[str]]],
    out: Findings,
) -> dict[str, int]:
    positions: dict[str, int] = {}
    extra: list[str] = []
    for index, text in enumerate(header):
        name = column_for(table.stem, text) if text else None
        if name is None:
            if text or any(index < len(cells) and cells[index] for _, cells in data):
                extra.append(text or f"#{index + 1}")
        elif name in positions:
            out.problem(
                table.label, header_row, text,
                f"与“{table.headers[name]}”是同一列（{name}）；请删去其中一列",
                f"the same column ({name}) as {table.headers[name]!r}; remove one of them",
            )  # fmt: skip
        else:
            positions[name] = index
            table.headers[name] = text
    _report_columns(table, header_row, extra, out)
    return positions


def _report_columns(table: Table, header_row: int, extra: list[str], out: Findings) -> None:
    if extra:
        shown = "、".join(extra)
        out.warning(
            table.label, header_row, None,
            f"以下列不在数据约定中，已忽略：{shown}",
            f"columns not in the data contract are ignored: {', '.join(extra)}",
        )  # fmt: skip
    for column in table.spec.columns:
        if column.required and column.name not in table.headers:
            table.missing.add(column.name)
            out.problem(
                table.label, header_row, column.name,
                f"缺少必需的列“{column.zh}”（{column.name}）",
                f"required column {column.name} ({column.zh}) is missing",
            )  # fmt: skip
    for group in table.spec.one_of:
        if not any(name in table.headers for name in group):
            table.missing.update(group)
            columns = [table.spec.column(name) for name in group]
            out.problem(
                table.label, header_row, group[0],
                "需要以下列之一：" + "、".join(f"“{c.zh}”（{c.name}）" for c in columns),
                "one of these columns is required: " + ", ".join(f"{c.name} ({c.zh})" for c in columns),
            )  # fmt: skip
