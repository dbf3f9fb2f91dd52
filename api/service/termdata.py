"""Term data as the service keeps it: uploads checked and stored as they came, change rows applied.

An upload is an .xlsx workbook, an old .xls workbook, or a .zip of the contract's CSV files. It is validated by
``data.reader.read_problem`` exactly as the command line does (written to a temporary folder), and
stored byte for byte. A change (``POST /api/terms/{id}/changes``) is applied to the tables of the
data the published plan was made from; the result is written as CSV files, read back through the
same reader (so that validation is identical), and stored as a zip of those CSV files.
"""

from __future__ import annotations

import io
import tempfile
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from api.service.errors import ApiError
from data.archive import Budget, ExpansionError, Limits, copy_entry, open_zip
from data.cells import csv_rows
from data.headers import TABLE_BY_STEM, column_for, stem_for
from data.holidays_cn import china_holidays
from data.problems import Findings, InputError, InputProblem
from data.reader import ReadResult, read_problem
from data.tables import load
from data.xls import is_xls, looks_like_html
from solver.problem import Problem

XLSX_MARKER = "xl/workbook.xml"
CHANGE_TABLES = ("absences", "timetable", "holidays")
Problem5 = tuple[str, int | None, str | None, str, str]


@dataclass(frozen=True)
class Checked:
    """Validated term data: the problem, its warnings, and the bytes to store."""

    result: ReadResult
    media: str  # xlsx | xls | zip
    content: bytes
    filename: str

    @property
    def problem(self) -> Problem:
        return self.result.problem


def _p(p: InputProblem) -> Problem5:
    return (p.file, p.row, p.column, p.zh, p.en)


def input_error(exc: InputError, zh: str = "数据有误，请按下列问题逐条修改后重新上传",
                en: str = "the data has problems; fix each one listed and upload again") -> ApiError:
    return ApiError(
        422, "invalid_data", f"{zh}（共 {len(exc.problems)} 处）", f"{en} ({len(exc.problems)} found)",
        problems=[_p(p) for p in exc.problems], warnings=[_p(w) for w in exc.warnings],
    )  # fmt: skip


def as_limits(limits: Limits | int) -> Limits:
    """``Limits``; a bare number is the expanded-size limit (the default entry count)."""
    return limits if isinstance(limits, Limits) else Limits(max_expanded_bytes=limits)


def expansion_error(exc: ExpansionError) -> ApiError:
    """413: the upload expands past the limit (found while it was being read)."""
    p = exc.problems[0]
    return ApiError(413, "too_large", f"{p.file}：{p.zh}", f"{p.file}: {p.en}", problems=[_p(p)])


def warnings_of(result: ReadResult) -> list[Problem5]:
    return [_p(w) for w in result.warnings]


# uploads -----------------------------------------------------------------------------------------
def media_of(content: bytes, filename: str) -> str:
    """``xlsx``, ``xls`` or ``zip``; anything else is refused with a message that says what to send."""
    if is_xls(content[:8]):
        return "xls"
    if content[:4] != b"PK\x03\x04":
        if filename.casefold().endswith(".xls") and looks_like_html(content[:2048]):
            raise ApiError(
                415, "unsupported_file",
                f"“{filename}”其实是网页（HTML 表格，很多教务系统这样导出），不是 Excel 工作簿；"
                "请用 Excel 打开后另存为 .xlsx 或 .xls 再上传",
                f"{filename!r} is really a web page (an HTML table, as many academic-affairs systems "
                "export it), not an Excel workbook; open it in Excel, save it as .xlsx or .xls and upload that",
            )  # fmt: skip
        raise ApiError(
            415, "unsupported_file",
            f"文件“{filename}”不是 .xlsx/.xls 工作簿，也不是 CSV 文件的 .zip 压缩包；请上传其中之一",
            f"{filename!r} is neither an .xlsx or .xls workbook nor a .zip of CSV files; upload one of those",
        )  # fmt: skip
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            names = archive.namelist()
    except (zipfile.BadZipFile, ValueError) as exc:
        raise ApiError(
            422, "damaged_file",
            "压缩文件已损坏，无法打开；请重新导出后上传",
            f"the file is damaged and cannot be opened ({exc}); export it again and upload that",
        ) from None  # fmt: skip
    return "xlsx" if XLSX_MARKER in names else "zip"


@contextmanager
def materialized(content: bytes, media: str, filename: str, limits: Limits | int) -> Iterator[Path]:
    """The stored data as a path ``read_problem`` reads: a workbook file or a folder of CSVs."""
    limits = as_limits(limits)
    with tempfile.TemporaryDirectory(prefix="frontline-") as tmp:
        root = Path(tmp)
        if media in ("xlsx", "xls"):
            suffixes = (".xlsx", ".xlsm") if media == "xlsx" else (".xls",)
            name = PurePosixPath(filename.replace("\\", "/")).name or f"term.{media}"
            if not name.casefold().endswith(suffixes):
                name = f"{Path(name).stem or 'term'}.{media}"
            path = root / name
            path.write_bytes(content)
            yield path
        else:
            folder = root / "data"
            folder.mkdir()
            _extract_csvs(content, folder, limits)
            yield folder


def _extract_csvs(content: bytes, folder: Path, limits: Limits | int) -> None:
    """The zip's CSV files into ``folder``, inflated in chunks and counted against ``limits``
    (declared sizes are not trusted); 413 as soon as the total passes the limit."""
    limits = as_limits(limits)
    try:
        archive = open_zip(io.BytesIO(content), "upload.zip", limits)
    except zipfile.BadZipFile as exc:
        raise ApiError(422, "damaged_file", "压缩文件已损坏，无法打开", f"the zip is damaged ({exc})") from None
    except ExpansionError as exc:
        raise expansion_error(exc) from None
    budget = Budget("upload.zip", limits)
    with archive:
        members = [
            m for m in archive.infolist()
            if not m.is_dir() and m.filename.casefold().endswith(".csv")
            and not any(part in ("__MACOSX",) or part.startswith("._") for part in m.filename.split("/"))
        ]  # fmt: skip
        seen: dict[str, str] = {}
        for member in members:
            name = PurePosixPath(member.filename.replace("\\", "/")).name
            if name.casefold() in seen:
                raise ApiError(
                    422, "duplicate_file",
                    f"压缩包中有两个同名文件 {name}（{seen[name.casefold()]} 与 {member.filename}）；请只保留一个",
                    f"the zip holds two files named {name} ({seen[name.casefold()]} and {member.filename}); keep one",
                )  # fmt: skip
            seen[name.casefold()] = member.filename
            try:
                with (folder / name).open("wb") as target:
                    copy_entry(archive, member, target.write, budget)
            except ExpansionError as exc:
                raise expansion_error(exc) from None
            except (zipfile.BadZipFile, NotImplementedError, RuntimeError, EOFError, zlib.error) as exc:
                raise ApiError(
                    422, "damaged_file", f"无法读取压缩包中的 {member.filename}（已加密或已损坏）",
                    f"cannot read {member.filename} in the zip (encrypted or damaged): {exc}",
                ) from None  # fmt: skip
    stems = {stem_for(Path(n).stem) for n in seen}
    if "term" not in stems:
        listed = ", ".join(sorted(PurePosixPath(v).name for v in seen.values())) or "—"
        raise ApiError(
            422, "missing_term",
            f"压缩包中没有 term.csv（学期表）；压缩包应包含数据约定中的 CSV 文件（现有：{listed}）",
            f"the zip has no term.csv; it must hold the data contract's CSV files (found: {listed})",
        )  # fmt: skip


def check_upload(content: bytes, filename: str, limits: Limits | int) -> Checked:
    """Validate an upload; raise :class:`ApiError` (415/422) with every problem found."""
    limits = as_limits(limits)
    media = media_of(content, filename)
    with materialized(content, media, filename, limits) as path:
        try:
            result = read_problem(path, limits)
        except ExpansionError as exc:
            raise expansion_error(exc) from None
        except InputError as exc:
            raise input_error(exc) from None
    return Checked(result, media, content, filename)


def read_stored(content: bytes, media: str, filename: str, limits: Limits | int) -> ReadResult:
    """Read stored data back (it was valid when stored)."""
    limits = as_limits(limits)
    with materialized(content, media, filename, limits) as path:
        return read_problem(path, limits)


def summary(problem: Problem) -> dict[str, Any]:
    term = problem.term
    return {
        "term_id": term.term_id, "name": term.name, "start_date": term.start_date.isoformat(),
        "weeks": term.weeks, "leaders": len(problem.leaders), "units": len(problem.units),
        "campuses": len(problem.campuses), "venues": len(problem.venues),
        "courses": len(problem.courses), "activities": len(problem.activities),
        "timetable": len(problem.timetable), "absences": len(problem.absences),
        "holidays": len(problem.holidays),
    }  # fmt: skip


# changes -----------------------------------------------------------------------------------------
def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _official_holiday_rows(problem: Problem) -> list[dict[str, str]]:
    days, _ = china_holidays(problem.term.start_date, problem.term.end_date)
    return [
        {
            "date": h.date.isoformat(), "name": h.name, "kind": h.kind,
            "follows_date": h.follows_date.isoformat() if h.follows_date else "",
            "follows_weekday": str(h.follows_weekday or ""),
        }
        for h in days
    ]  # fmt: skip


def apply_changes(
    problem: Problem, content: bytes, media: str, filename: str, request: dict[str, Any],
    limits: Limits | int,
) -> Checked:
    """The base data (read into ``problem``) with the change rows applied, validated, as a zip of CSV files.

    ``request`` is a :class:`schemas.ChangeRequest` as a dict. Problems in the change rows are
    reported as ``changes.<table>[i]`` (or ``remove[i]``) with the column, so that the office
    knows which submitted row to fix.
    """
    limits = as_limits(limits)
    problems: list[Problem5] = []
    with materialized(content, media, filename, limits) as path:
        _, loaded = load(path, Findings(), limits=limits)
    tables: dict[str, list[dict[str, str]]] = {
        stem: [dict(row.cells) for row in table.rows] for stem, table in loaded.items() if table is not None
    }
    for stem in CHANGE_TABLES:  # an absent (or empty) optional table: start from nothing
        tables.setdefault(stem, [])
    if request.get("holidays") and not tables["holidays"]:
        # An absent holidays table means "the official holidays"; keep them when adding rows.
        tables["holidays"] = _official_holiday_rows(problem)
    for i, remove in enumerate(request.get("remove") or []):
        stem = remove["table"]
        match, bad = _columns(stem, remove["match"], f"remove[{i}]")
        problems.extend(bad)
        if bad:
            continue
        kept = [row for row in tables[stem] if any(row.get(k, "") != v for k, v in match.items())]
        if len(kept) == len(tables[stem]):
            shown = ", ".join(f"{k}={v}" for k, v in match.items())
            problems.append((
                f"remove[{i}]", None, None,
                f"{stem} 中没有符合 {shown} 的行；请核对要删除的行",
                f"no row of {stem} matches {shown}; check the row to remove",
            ))  # fmt: skip
        tables[stem] = kept
    appended: dict[str, int] = {}  # stem -> spreadsheet row of the first appended row
    for stem in CHANGE_TABLES:
        rows = request.get(stem) or []
        appended[stem] = len(tables[stem]) + 2
        for i, raw in enumerate(rows):
            cells, bad = _columns(stem, raw, f"changes.{stem}[{i}]")
            problems.extend(bad)
            tables[stem].append(cells)
    if problems:
        raise ApiError(
            422, "invalid_change", f"变更有误（共 {len(problems)} 处）；请修改后重新提交",
            f"the change has problems ({len(problems)} found); fix them and submit again", problems=problems,
        )  # fmt: skip
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for stem, rows in tables.items():
            if not rows and not TABLE_BY_STEM[stem].required and stem in CHANGE_TABLES:
                continue
            archive.writestr(f"{stem}.csv", _csv_text(stem, rows))
    zipped = buffer.getvalue()
    with materialized(zipped, "zip", "changed.zip", limits) as folder:
        try:
            result = read_problem(folder, limits)
        except ExpansionError as exc:
            raise expansion_error(exc) from None
        except InputError as exc:
            raise ApiError(
                422, "invalid_change",
                f"变更后的数据有误（共 {len(exc.problems)} 处）；请修改后重新提交",
                f"the changed data has problems ({len(exc.problems)} found); fix them and submit again",
                problems=[_relabel(p, appended, request) for p in exc.problems],
            ) from None  # fmt: skip
    return Checked(result, "zip", zipped, f"{problem.term.term_id}-changed.zip")


def _columns(stem: str, raw: dict[str, Any], label: str) -> tuple[dict[str, str], list[Problem5]]:
    cells: dict[str, str] = {}
    bad: list[Problem5] = []
    for key, value in raw.items():
        column = column_for(stem, key)
        if column is None:
            known = ", ".join(c.name for c in TABLE_BY_STEM[stem].columns)
            bad.append((
                label, None, str(key),
                f"{stem} 没有“{key}”这一列；可用的列：{known}",
                f"{stem} has no column {key!r}; the columns are: {known}",
            ))  # fmt: skip
        else:
            cells[column] = _cell(value)
    return cells, bad


def _relabel(p: InputProblem, appended: dict[str, int], request: dict[str, Any]) -> Problem5:
    stem = Path(p.file).stem
    first = appended.get(stem)
    if first is not None and p.row is not None and p.row >= first:
        index = p.row - first
        if index < len(request.get(stem) or []):
            return (f"changes.{stem}[{index}]", None, p.column, p.zh, p.en)
    return _p(p)


def _csv_text(stem: str, rows: list[dict[str, str]]) -> str:
    columns = [c.name for c in TABLE_BY_STEM[stem].columns]
    out = io.StringIO()
    csv_rows(out, columns, ({c: row.get(c, "") for c in columns} for row in rows))
    return out.getvalue()
