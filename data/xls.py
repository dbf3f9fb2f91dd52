"""Old Excel workbooks (.xls, BIFF): what many academic-affairs systems and older office PCs write.

:func:`xls_sheets` reads every sheet with xlrd into cells that :func:`data.tables.cell_text` turns
into text exactly as it does for .xlsx cells (dates, times and numbers typed by Excel come out as
``YYYY-MM-DD``, ``HH:MM`` and ``3``; the number format tells a date-time from a date). Reading is
bounded: the file may hold at most :data:`MAX_XLS_BYTES` bytes and its sheets at most
:data:`MAX_XLS_CELLS` cells in all; sheets are loaded one at a time.

Many systems also export a web page (an HTML table) under the name ``.xls``; that is recognised
and refused with a message that says how to save it as a real workbook.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import xlrd

MAX_XLS_BYTES = 16 * 1024 * 1024  # a term's data is well under 1 MB
MAX_XLS_CELLS = 1_000_000  # cells of all sheets together (measured: 650,000 cells take ~0.2 GB)
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # the compound-document header of every .xls


class XlsError(Exception):
    """The workbook cannot be read; ``zh`` and ``en`` say why and what to do."""

    def __init__(self, zh: str, en: str) -> None:
        self.zh = zh
        self.en = en
        super().__init__(en)


@dataclass(frozen=True)
class XlsCell:
    """A cell as :func:`data.tables.cell_text` reads it (like an openpyxl cell)."""

    value: Any
    number_format: str = ""


def is_xls(head: bytes) -> bool:
    """Whether the first bytes of a file are those of an old Excel workbook."""
    return head.startswith(OLE_MAGIC)


def looks_like_html(head: bytes) -> bool:
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return text.startswith((b"<", b"\xff\xfe<", b"\xfe\xff\x00<")) or b"<table" in text


def xls_sheets(path: Path) -> Iterator[tuple[str, list[list[XlsCell]]]]:
    """(sheet name, rows of cells) of each sheet, in workbook order; raises :class:`XlsError`."""
    size = path.stat().st_size
    if size > MAX_XLS_BYTES:
        raise XlsError(
            f"工作簿有 {size} 字节，超过上限 {MAX_XLS_BYTES} 字节；请只保留数据约定中的工作表",
            f"the workbook has {size} bytes, more than the limit of {MAX_XLS_BYTES}; keep only the contract's sheets",
        )
    book = _open(path.read_bytes())
    cells = 0
    with book:
        for index in range(book.nsheets):
            sheet = _sheet(book, index)
            cells += sheet.nrows * sheet.ncols
            if cells > MAX_XLS_CELLS:
                raise XlsError(
                    f"工作簿的单元格超过 {MAX_XLS_CELLS} 个；请只保留数据约定中的工作表和数据",
                    f"the workbook has more than {MAX_XLS_CELLS} cells; keep only the contract's sheets and data",
                )
            rows = [[_cell(book, sheet.cell(r, c)) for c in range(sheet.row_len(r))] for r in range(sheet.nrows)]
            book.unload_sheet(index)
            yield sheet.name, rows


def _open(content: bytes) -> xlrd.Book:
    if looks_like_html(content[:2048]):
        raise XlsError(
            "这个 .xls 文件其实是网页（HTML 表格，很多教务系统这样导出）；请用 Excel 打开后“另存为” .xlsx 工作簿",
            "this .xls file is really a web page (an HTML table, as many academic-affairs systems export it); "
            "open it in Excel and save it as an .xlsx workbook",
        )
    try:
        return xlrd.open_workbook(
            file_contents=content, formatting_info=True, on_demand=True, logfile=io.StringIO()
        )
    except Exception as error:  # noqa: BLE001 - xlrd raises many kinds on damaged or foreign files
        raise XlsError(
            f"无法打开工作簿：{error}；请用 Excel 打开后另存为 .xls 或 .xlsx",
            f"cannot open the workbook: {error}; open it in Excel and save it again",
        ) from None


def _sheet(book: xlrd.Book, index: int) -> Any:
    try:
        return book.sheet_by_index(index)
    except Exception as error:  # noqa: BLE001 - a damaged sheet record
        raise XlsError(
            f"无法读取第 {index + 1} 个工作表：{error}", f"cannot read sheet {index + 1}: {error}"
        ) from None


def _cell(book: xlrd.Book, cell: Any) -> XlsCell:
    kind, value = cell.ctype, cell.value
    if kind in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK):
        return XlsCell(None)
    if kind == xlrd.XL_CELL_BOOLEAN:
        return XlsCell(bool(value))
    if kind == xlrd.XL_CELL_ERROR:
        return XlsCell(xlrd.error_text_from_code.get(value, "#ERROR"))
    if kind == xlrd.XL_CELL_DATE:
        return XlsCell(_date_value(value, book.datemode), _number_format(book, cell))
    return XlsCell(value)


def _date_value(value: float, datemode: int) -> dt.date | dt.time | dt.datetime | float:
    try:
        year, month, day, hour, minute, second = xlrd.xldate_as_tuple(value, datemode)
    except xlrd.xldate.XLDateError:
        return value  # not a date Excel can show: keep the number
    if (year, month, day) == (0, 0, 0):
        return dt.time(hour, minute, second)
    return dt.datetime(year, month, day, hour, minute, second)  # cell_text tells a date by its format


def _number_format(book: xlrd.Book, cell: Any) -> str:
    try:
        return str(book.format_map[book.xf_list[cell.xf_index].format_key].format_str)
    except (IndexError, KeyError, AttributeError, TypeError):
        return ""
