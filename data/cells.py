"""Cells that leave the project: no value taken from the data ever becomes a spreadsheet formula.

Every CSV and workbook the project writes goes through this module:

- :func:`write_csv` / :func:`csv_rows` write CSV with a text cell that Excel would read as a formula
  (one starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return) prefixed by ``'``, the
  usual neutralisation (OWASP "CSV injection");
- :func:`defuse_workbook` turns every formula cell of an openpyxl workbook back into plain text
  before it is saved: the project itself never writes a formula, so any formula cell came from data.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, TextIO

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_text(value: object) -> object:
    """``value`` as a CSV cell: a text that starts like a formula gets a leading ``'``."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_untext(value: str) -> str:
    """The value :func:`csv_text` was given (for reading back the project's own CSV files)."""
    if value.startswith("'") and value[1:2] and value[1:].startswith(FORMULA_STARTS):
        return value[1:]
    return value


def csv_rows(
    out: TextIO, columns: Sequence[str], rows: Iterable[Mapping[str, Any]], *, extrasaction: str = "ignore"
) -> None:
    """Header and rows to ``out`` (``\\n`` line ends), every cell through :func:`csv_text`."""
    writer = csv.DictWriter(out, fieldnames=list(columns), lineterminator="\n", extrasaction=extrasaction)  # type: ignore[arg-type]
    writer.writeheader()
    for row in rows:
        writer.writerow({k: csv_text(v) for k, v in row.items()})


def write_csv(path: str | Path, columns: Sequence[str], rows: Iterable[Mapping[str, Any]]) -> Path:
    """A UTF-8 CSV file (no BOM) of ``rows``; see :func:`csv_rows`."""
    path = Path(path)
    with path.open("w", encoding="utf-8", newline="") as f:
        csv_rows(f, columns, rows, extrasaction="raise")
    return path


def csv_bytes(columns: Sequence[str], rows: Iterable[Mapping[str, Any]]) -> bytes:
    out = io.StringIO()
    csv_rows(out, columns, rows)
    return out.getvalue().encode("utf-8")


def defuse_workbook(workbook: Any) -> Any:
    """Every formula cell of an openpyxl ``workbook`` becomes a text cell with the same characters."""
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    cell.data_type = "s"
    return workbook
