"""Cells that leave the project: no value taken from the data ever becomes a spreadsheet formula.

Every CSV and workbook the project writes goes through this module:

- :func:`write_csv` / :func:`csv_rows` / :func:`csv_bytes` (rows as dicts) and
  :func:`csv_writer_rows` (rows as lists) write CSV with a text cell that Excel would read as a
  formula (one starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return) prefixed by
  ``'``, the usual neutralisation (OWASP "CSV injection"); :func:`csv_untext` undoes it exactly
  (the project's readers use it, also for term CSV files);
- :func:`defuse_workbook` turns every formula cell of an openpyxl workbook back into plain text
  before it is saved: the project itself never writes a formula, so any formula cell came from data.
"""

from __future__ import annotations

import csv
import io
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, TextIO

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def control_character(text: str, allowed: str = "\t\n\r") -> str | None:
    """``U+0000 at position 3`` for the first control character of ``text`` (NUL, escape, a lone
    surrogate...) that is not in ``allowed``; None when there is none."""
    for i, ch in enumerate(text):
        if ch not in allowed and unicodedata.category(ch) in ("Cc", "Cs"):
            return f"U+{ord(ch):04X} at position {i + 1}"
    return None


def _formula_like(text: str) -> bool:
    """Starts like a formula, after any ``'`` already in front (so that the prefix round-trips)."""
    return text.lstrip("'").startswith(FORMULA_STARTS)


def csv_text(value: object) -> object:
    """``value`` as a CSV cell: a text that starts like a formula gets a leading ``'``.

    A text that already starts with ``'`` before a formula start gets one more, so that
    :func:`csv_untext` gives back exactly the value written (``'=x`` -> ``''=x`` -> ``'=x``).
    """
    if isinstance(value, str) and _formula_like(value):
        return "'" + value
    return value


def csv_untext(value: str) -> str:
    """The value :func:`csv_text` was given (for reading back the project's own CSV files)."""
    if value.startswith("'") and _formula_like(value[1:]):
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


def csv_writer_rows(out: TextIO, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    """Header and positional rows to ``out`` (``\\n`` line ends), every cell through :func:`csv_text`."""
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([csv_text(h) for h in header])
    for row in rows:
        writer.writerow([csv_text(v) for v in row])


def defuse_workbook(workbook: Any) -> Any:
    """Every formula cell of an openpyxl ``workbook`` becomes a text cell with the same characters.

    openpyxl stores any text starting with ``=`` as a formula (``data_type == "f"``); turned into
    a string cell it is written as text, which Excel shows as typed and never evaluates.
    """
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    cell.data_type = "s"
    return workbook
