"""An empty input workbook: every sheet of the data contract, its header, and an explanation row.

Row 1 holds the headers (Chinese with ``lang="zh"``, the contract's English names with
``lang="en"``); row 2 is the *explanation row*: one line per column saying what goes there,
the first cell starting with ``说明:`` (``Note:`` in English). The reader skips any row whose first
cell starts with ``说明:``/``说明：``/``Note:``, so the row may stay; data go from row 3. Sheet names are
the Chinese names of the contract (``领导干部``, ...) or the file stems (``leaders``, ...).
"""

from __future__ import annotations

from pathlib import Path

import openpyxl
from openpyxl.comments import Comment
from openpyxl.styles import Font, PatternFill

from data.cells import defuse_workbook
from data.headers import RECORD_TABLES, TABLES, Column, TableSpec

EXPLANATION_PREFIX = {"zh": "说明: ", "en": "Note: "}
_REQUIRED_MARK = {"zh": "【必填】", "en": "[required] "}
_HEADER_FONT = Font(bold=True)
_REQUIRED_FILL = PatternFill("solid", fgColor="FFF2CC")
_NOTE_FONT = Font(italic=True, color="808080")


def write_template(path: str | Path, lang: str = "zh", tables: tuple[TableSpec, ...] = TABLES) -> None:
    """Write an empty .xlsx with every sheet, its header row and an explanation row."""
    if lang not in EXPLANATION_PREFIX:
        raise ValueError(f"lang must be 'zh' or 'en', not {lang!r}")
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for spec in tables:
        _write_sheet(workbook, spec, lang)
    defuse_workbook(workbook).save(Path(path))


def write_records_template(path: str | Path, lang: str = "zh") -> None:
    """An empty records workbook (走访记录, 学生确认, 学生诉求台账) for typing in paper forms."""
    write_template(path, lang, RECORD_TABLES)


def _write_sheet(workbook: openpyxl.Workbook, spec: TableSpec, lang: str) -> None:
    sheet = workbook.create_sheet(spec.zh_name if lang == "zh" else spec.stem)
    sheet.append([column.zh if lang == "zh" else column.name for column in spec.columns])
    notes = [_explanation(column, lang) for column in spec.columns]
    notes[0] = EXPLANATION_PREFIX[lang] + notes[0]
    sheet.append(notes)
    for index, column in enumerate(spec.columns, start=1):
        header = sheet.cell(row=1, column=index)
        header.font = _HEADER_FONT
        if column.required:
            header.fill = _REQUIRED_FILL
        header.comment = _comment(column, notes[index - 1], lang)
        sheet.cell(row=2, column=index).font = _NOTE_FONT
        letter = header.column_letter
        sheet.column_dimensions[letter].width = max(12, min(40, len(notes[index - 1]) + 2))
    sheet.freeze_panes = "A3"


def _comment(column: Column, note: str, lang: str) -> Comment:
    """The header's comment: the column's names, its explanation and, where given, examples."""
    lines = [f"{column.name} / {column.zh}", note]
    if column.examples:
        lines.append("例如（各教务系统的写法）：" if lang == "zh" else "Examples (as each system writes it):")
        lines.extend(column.examples)
    comment = Comment("\n".join(lines), "frontline")
    comment.width, comment.height = 360, 40 + 20 * len(lines)
    return comment


def _explanation(column: Column, lang: str) -> str:
    text = column.help_zh if lang == "zh" else column.help_en
    return (_REQUIRED_MARK[lang] if column.required else "") + text
