"""Reading and writing the records of the records contract (``RECORDS``): ``visits``,
``confirmations`` and ``feedback``, as a folder of CSV files or one .xlsx workbook.

The reading rules of the term data apply unchanged (encodings, English or Chinese headers, every
problem at once as ``file:row:column``); every record is also checked against the term data and the
plan: an unknown leader, target, uid or record_id, the uid of another leader's event, a held visit
without times or a visit not held without a reason are input problems (:class:`InputError`).

Not to be confused with :mod:`data.records`, the rows of the *term data*.
"""

from __future__ import annotations

import datetime as dt
import io
import tempfile
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from zoneinfo import ZoneInfo

from data.cells import csv_bytes, write_csv
from data.evidence_report import compliance_xlsx, write_compliance
from data.headers import RECORD_TABLES, TableSpec
from data.problems import Findings, InputError, InputProblem
from data.records import Cells
from data.specs import (
    VISIT_KIND_CHOICES,
    SpecError,
    normalize,
    parse_bool,
    parse_choice,
    parse_int,
    parse_moment,
)
from data.tables import Source, Table, load
from data.xls import is_xls
from solver.evidence.records import Confirmation, FeedbackItem, RecordSet, VisitRecord
from solver.problem import Problem, Unit
from solver.result import Plan

__all__ = [
    "RecordsRead", "compliance_xlsx", "read_records", "read_records_bytes", "records_zip",
    "write_compliance", "write_records",
]  # fmt: skip
MAX_UNZIPPED = 64 * 1024 * 1024  # bytes an uploaded records zip may unpack to
MAX_MEMBERS = 20  # files in an uploaded zip
MOMENT = "%Y-%m-%d %H:%M"


def _choices(table: dict[str, tuple[str, ...]]) -> dict[str, str]:
    spelled = {normalize(code): code for code in table}
    for code, spellings in table.items():
        spelled.update({normalize(s): code for s in spellings})
    return spelled


STATUS_CHOICES = _choices({"held": ("已开展", "开展", "已走访", "是"), "not_held": ("未开展", "未走访", "取消", "否", "not held")})
SOURCE_CHOICES = _choices({"unit": ("联系对象确认", "对象确认", "单位确认", "联系对象"), "checkin": ("学生签到", "签到"), "callback": ("回访", "电话回访")})
RESULT_CHOICES = _choices({"confirmed": ("确认", "属实", "已确认", "是"), "denied": ("否认", "不属实", "未开展", "否")})
CATEGORY_CHOICES = _choices({
    "study": ("学业",), "ideology": ("思想",), "mental": ("心理",), "life": ("生活",),
    "employment": ("就业",), "safety": ("安全",), "other": ("其他", "其它"),
})  # fmt: skip
RATING_CHOICES = _choices({"satisfied": ("满意",), "basically": ("基本满意",), "unsatisfied": ("不满意",)})


@dataclass(frozen=True)
class RecordsRead:
    records: RecordSet
    warnings: tuple[InputProblem, ...]
    source: Path


# cells ------------------------------------------------------------------------------------------
def _choice(choices: dict[str, str], zh: str, en: str) -> Callable[[str], str]:
    return partial(parse_choice, choices=choices, what_zh=zh, what_en=en)


def _moment_parser(zone: ZoneInfo, *, date_means_end: bool, need_time: bool) -> Callable[[str], dt.datetime]:
    """``YYYY-MM-DD HH:MM`` as an aware moment; a date alone is refused (``need_time``) or means
    23:59 of that day (``date_means_end``: "answered on 10-12") or its start."""

    def parse(text: str) -> dt.datetime:
        moment, date_only = parse_moment(text)
        if date_only and need_time:
            raise SpecError(
                f"“{text}”缺少时刻；应写成 YYYY-MM-DD HH:MM，例如 2026-10-12 19:30",
                f"{text!r} has no time of day; write YYYY-MM-DD HH:MM, e.g. 2026-10-12 19:30",
            )
        if date_only and date_means_end:
            moment += dt.timedelta(hours=23, minutes=59)
        return moment.replace(tzinfo=zone)

    return parse


def _text(text: str) -> str:
    return text


def _warn(c: Cells, column: str, zh: str, en: str) -> None:
    """A warning at a cell: the record is kept (the rules flag what needs a look)."""
    c.out.warning(c.table.label, c.row.number, c.table.header(column), zh, en)


class _Reader:
    """Parses and checks the rows of one RECORDS source against the term data and the plan."""

    def __init__(self, problem: Problem, plan: Plan, tables: dict[str, Table | None], out: Findings):
        self.problem = problem
        self.plan = plan
        self.tables = tables
        self.out = out
        zone = ZoneInfo(problem.term.timezone)
        self.at = _moment_parser(zone, date_means_end=False, need_time=True)
        self.day_start = _moment_parser(zone, date_means_end=False, need_time=False)
        self.day_end = _moment_parser(zone, date_means_end=True, need_time=False)
        self.events = {e.uid: e for e in plan.events}
        self.leaders = {x.leader_id for x in problem.leaders}
        self.units = {u.unit_id: u for u in problem.units}
        self.record_rows: dict[str, int] = {}
        self.records: dict[str, VisitRecord] = {}

    def rows(self, stem: str) -> list[Cells]:
        table = self.tables.get(stem)
        return [Cells(table, row, self.out) for row in table.rows] if table else []

    # visits ----------------------------------------------------------------------------------------
    def visits(self) -> list[VisitRecord]:
        out = []
        uid_rows: dict[str, int] = {}
        for c in self.rows("visits"):
            record_id = c.req("record_id", _text)
            if record_id is not None and record_id in self.record_rows:
                c.fail("record_id", f"记录编号 {record_id} 与第 {self.record_rows[record_id]} 行重复", f"record_id {record_id} repeats row {self.record_rows[record_id]}")
            uid = c.text("uid") or None
            if uid is not None and uid in uid_rows:
                _warn(c, "uid", f"计划安排 {uid} 已在第 {uid_rows[uid]} 行记录过；两条记录都计入（如为更正，请删去旧的一行）", f"the planned event {uid} is already recorded in row {uid_rows[uid]}; both records count (delete the old row if this corrects it)")
            record = self._visit(c, record_id, uid)
            if record_id is not None:
                self.record_rows.setdefault(record_id, c.row.number)
            if uid is not None:
                uid_rows.setdefault(uid, c.row.number)
            if record is not None:
                out.append(record)
                self.records[record.record_id] = record
        return out

    def _visit(self, c: Cells, record_id: str | None, uid: str | None) -> VisitRecord | None:
        leader_id = c.req("leader_id", _text)
        status = c.req("status", _choice(STATUS_CHOICES, "开展情况", "status"))
        start = c.opt("start", self.at, None)
        end = c.opt("end", self.at, None)
        kind = c.opt("visit_kind", _choice(VISIT_KIND_CHOICES, "七进类别", "visit kind"), None)
        target = c.text("target_id") or None
        self._check_leader(c, leader_id, uid)
        self._check_target(c, uid, kind, target)
        if status == "held":
            for column, value in (("start", start), ("end", end)):
                if value is None and not c.has(column):
                    c.fail(column, "已开展的走访须填写实际开始和结束时间", "a held visit needs its actual start and end")
            c.order(start, end)
        if status == "not_held" and not c.has("reason"):
            c.fail("reason", "未开展的走访须写明原因（如 临时会议、学生考试周）", "a visit not held needs a reason (e.g. an urgent meeting, exam week)")
        return c.build(
            VisitRecord, record_id=record_id, uid=uid, leader_id=leader_id, status=status,
            start=start if status == "held" else None, end=end if status == "held" else None,
            visit_kind=kind, target_id=target,
            attendees=c.opt("attendees", partial(parse_int, minimum=0), None),
            reason=c.text("reason"), recorded_at=c.req("recorded_at", self.day_end), note=c.text("note"),
        )

    def _check_leader(self, c: Cells, leader_id: str | None, uid: str | None) -> None:
        if leader_id is not None and leader_id not in self.leaders:
            c.fail("leader_id", f"未知的领导工号 {leader_id}（leaders 表中没有）", f"unknown leader {leader_id} (not in leaders)")
        if uid is None:
            return
        event = self.events.get(uid)
        if event is None:
            c.fail("uid", f"计划中没有安排 {uid}（请核对 events.csv 的 uid；计划外走访请留空）", f"no planned event {uid} in the plan (check events.csv; leave blank for an unplanned visit)")
        elif event.status != "planned":
            c.fail("uid", f"安排 {uid} 在计划中已取消；如确实开展，请作为计划外走访记录（计划编号留空）", f"the event {uid} is cancelled in the plan; record it as an unplanned visit (blank uid)")
        elif leader_id is not None and leader_id != event.leader_id:
            c.fail("leader_id", f"安排 {uid} 是领导 {event.leader_id} 的，不是 {leader_id} 的", f"the event {uid} belongs to leader {event.leader_id}, not {leader_id}")

    def _check_target(self, c: Cells, uid: str | None, kind: str | None, target: str | None) -> None:
        if uid is None:
            if kind is None and not c.has("visit_kind"):
                c.fail("visit_kind", "计划外走访须填写七进类别", "an unplanned visit needs its visit_kind")
            if target is None:
                c.fail("target_id", "计划外走访须填写走访对象编号", "an unplanned visit needs its target_id")
        if target is None:
            return
        try:
            item = self.problem.target(target)
        except KeyError:
            c.fail("target_id", f"未知的走访对象 {target}（联系对象、场所、活动、教学班中都没有）", f"unknown target {target} (no unit, venue, activity or section)")
            return
        kind = kind or (self.events[uid].visit_kind if uid in self.events else None)
        if isinstance(item, Unit) and kind in ("class", "dorm", "society") and item.kind != kind:
            c.fail("target_id", f"{target} 是{item.kind}，与七进类别 {kind} 不符", f"{target} is a {item.kind}, not a {kind}")

    # confirmations -----------------------------------------------------------------------------------
    def confirmations(self) -> list[Confirmation]:
        out = []
        for c in self.rows("confirmations"):
            record_id = c.req("record_id", _text)
            if record_id is not None and record_id not in self.record_rows:
                c.fail("record_id", f"走访记录中没有编号 {record_id}", f"no visit record {record_id} in visits")
            source = c.req("source", _choice(SOURCE_CHOICES, "确认方式", "source"))
            by = c.req("by", _text)
            if source == "unit" and by is not None and by not in self.units:
                _warn(c, "by", f"未知的联系对象 {by}：联系对象确认应填写确认单位的编号；此确认不计并标记", f"unknown unit {by}: a unit confirmation names the confirming unit_id; it does not count and is flagged")
            at = c.req("at", self.at if source == "checkin" else self.day_end)  # a check-in needs its minute
            item = c.build(
                Confirmation, record_id=record_id, source=source,
                result=c.req("result", _choice(RESULT_CHOICES, "确认结果", "result")),
                by=by, at=at, note=c.text("note"),
            )
            if item is not None:
                out.append(item)
        return out

    # feedback ----------------------------------------------------------------------------------------
    def feedback(self) -> list[FeedbackItem]:
        out = []
        seen: dict[str, int] = {}
        for c in self.rows("feedback"):
            item_id = c.req("item_id", _text)
            if item_id is not None and item_id in seen:
                c.fail("item_id", f"诉求编号 {item_id} 与第 {seen[item_id]} 行重复", f"item_id {item_id} repeats row {seen[item_id]}")
            if item_id is not None:
                seen.setdefault(item_id, c.row.number)
            record_id = c.text("record_id") or None
            if record_id is not None and record_id not in self.record_rows:
                c.fail("record_id", f"走访记录中没有编号 {record_id}", f"no visit record {record_id} in visits")
            unit_id = c.text("unit_id") or None
            if unit_id is not None and unit_id not in self.units:
                _warn(c, "unit_id", f"未知的联系对象 {unit_id}（units 表中没有）", f"unknown unit {unit_id} (not in units)")
            raised = c.req("raised_at", self.day_start)
            responded = c.opt("responded_at", self.day_end, None)
            resolved = c.opt("resolved_at", self.day_end, None)
            for column, moment in (("responded_at", responded), ("resolved_at", resolved)):
                if raised is not None and moment is not None and moment < raised:
                    c.fail(column, f"{moment:%Y-%m-%d %H:%M} 早于提出时间 {raised:%Y-%m-%d %H:%M}", f"{moment:%Y-%m-%d %H:%M} is before raised_at {raised:%Y-%m-%d %H:%M}")
            if c.has("rating") and not c.has("resolved_at") and not c.has("responded_at"):
                _warn(c, "rating", "诉求尚无答复时间却已有评价；请补填答复时间", "the item is rated but has no answer time; fill in responded_at")
            item = c.build(
                FeedbackItem, item_id=item_id, raised_at=raised, record_id=record_id, unit_id=unit_id,
                category=c.req("category", _choice(CATEGORY_CHOICES, "诉求类别", "category")),
                text=c.req("text", _text), owner=c.req("owner", _text),
                responded_at=responded, resolved_at=resolved,
                rating=c.opt("rating", _choice(RATING_CHOICES, "评价", "rating"), None),
                reopened=c.opt("reopened", partial(parse_int, minimum=0), 0),
                anonymous=c.opt("anonymous", parse_bool, False),
            )
            if item is not None:
                out.append(item)
        return out


def _report_missing(source: Source, tables: dict[str, Table | None], out: Findings) -> None:
    for spec in RECORD_TABLES:
        if spec.required and spec.stem not in tables:
            where_zh, where_en = ("工作表", "sheet") if source.workbook else ("文件", "file")
            out.problem(
                source.label(spec.stem), None, None,
                f"缺少必需的{where_zh} {spec.stem}（{'/'.join(spec.zh_names)}）",
                f"the required {where_en} {spec.stem} is missing",
            )  # fmt: skip


def read_records(path: str | Path, problem: Problem, plan: Plan) -> RecordsRead:
    """Read RECORDS (a folder of CSV files or an .xlsx workbook); raise InputError with every problem."""
    source_path = Path(path)
    out = Findings()
    source, tables = load(source_path, out, RECORD_TABLES)
    if out.problems and not tables:
        raise InputError(out.problems, out.warnings)
    _report_missing(source, tables, out)
    reader = _Reader(problem, plan, tables, out)
    visits = reader.visits()
    confirmations = reader.confirmations()
    feedback = reader.feedback()
    _warn_outside_term(problem, visits, tables, out)
    order = {spec.stem: n for n, spec in enumerate(RECORD_TABLES)}
    labels = {t.label: order[stem] for stem, t in tables.items() if t is not None}

    def ordered(found: list[InputProblem]) -> list[InputProblem]:
        return sorted(found, key=lambda p: (labels.get(p.file, -1), p.row or 0))

    if out.problems:
        raise InputError(ordered(out.problems), ordered(out.warnings))
    records = RecordSet(tuple(visits), tuple(confirmations), tuple(feedback))
    return RecordsRead(records, tuple(ordered(out.warnings)), source_path)


def _warn_outside_term(problem: Problem, visits: list[VisitRecord], tables: dict[str, Table | None], out: Findings) -> None:
    table = tables.get("visits")
    if table is None:
        return
    first, last = problem.term.start_date, problem.term.end_date
    rows = {c.cells.get("record_id", ""): c.number for c in table.rows}
    zone = ZoneInfo(problem.term.timezone)
    for r in visits:
        if r.start is not None and not first <= r.start.astimezone(zone).date() <= last:
            out.warning(
                table.label, rows.get(r.record_id), table.header("start"),
                f"走访日期 {r.start:%Y-%m-%d} 不在本学期（{first}..{last}）内，不计入任何周",
                f"the visit on {r.start:%Y-%m-%d} lies outside the term ({first}..{last}); it counts in no week",
            )  # fmt: skip


# uploads ----------------------------------------------------------------------------------------
def read_records_bytes(
    name: str, content: bytes, problem: Problem, plan: Plan, max_unzipped: int = MAX_UNZIPPED
) -> RecordsRead:
    """An uploaded records workbook (.xlsx) or .zip of the contract's CSV files; InputError as above.
    A zip may hold at most ``MAX_MEMBERS`` CSV files unpacking to at most ``max_unzipped`` bytes."""
    label = Path(name).name or "records"
    with tempfile.TemporaryDirectory(prefix="frontline-records-") as tmp:
        folder = Path(tmp)
        if is_xls(content[:8]):  # an old Excel workbook: read like .xlsx (bounded by data.xls)
            path = folder / (Path(label).stem + ".xls")
            path.write_bytes(content)
            return _relabelled(read_records(path, problem, plan), label)
        if content[:2] != b"PK":
            raise InputError([InputProblem(label, None, None, "应为 .xlsx（或 .xls）工作簿，或 CSV 文件的 .zip 压缩包", "expected an .xlsx (or .xls) workbook or a .zip of CSV files")])
        try:
            archive = zipfile.ZipFile(io.BytesIO(content))
        except zipfile.BadZipFile as exc:
            raise InputError([InputProblem(label, None, None, f"文件已损坏，无法打开：{exc}", f"the file is damaged: {exc}")]) from None
        with archive:
            if "xl/workbook.xml" in archive.namelist():
                path = folder / (Path(label).stem + ".xlsx")
                path.write_bytes(content)
                return _relabelled(read_records(path, problem, plan), label)
            _extract(archive, label, folder, max_unzipped)
        return read_records(folder, problem, plan)


def _relabelled(result: RecordsRead, label: str) -> RecordsRead:
    return RecordsRead(result.records, result.warnings, Path(label))


def _extract(archive: zipfile.ZipFile, label: str, folder: Path, max_unzipped: int) -> None:
    members = [m for m in archive.infolist() if not m.is_dir() and m.filename.casefold().endswith(".csv")
               and not Path(m.filename).name.startswith((".", "__MACOSX"))]
    problems = []
    if len(members) > MAX_MEMBERS:
        problems.append(InputProblem(label, None, None, f"压缩包中有 {len(members)} 个 CSV 文件，最多 {MAX_MEMBERS} 个", f"the zip holds {len(members)} CSV files, at most {MAX_MEMBERS}"))
    total = sum(m.file_size for m in members)
    if total > max_unzipped:
        problems.append(InputProblem(label, None, None, f"压缩包解压后共 {total} 字节，超过上限 {max_unzipped} 字节", f"the zip unpacks to {total} bytes, more than the limit of {max_unzipped}"))
    if problems:
        raise InputError(problems)
    written = 0
    for m in members:
        target = folder / Path(m.filename).name
        if target.exists():
            raise InputError([InputProblem(label, None, None, f"压缩包中有两个 {target.name}；请只保留一个", f"the zip holds two files named {target.name}; keep one")])
        with archive.open(m) as src, target.open("wb") as dst:
            while chunk := src.read(1 << 16):  # the declared size may lie: count what is unpacked
                written += len(chunk)
                if written > max_unzipped:
                    raise InputError([InputProblem(label, None, None, f"压缩包解压后超过上限 {max_unzipped} 字节", f"the zip unpacks to more than {max_unzipped} bytes")])
                dst.write(chunk)


# writing the records (records.zip) -------------------------------------------------------------------
def _m(moment: dt.datetime | None, zone: ZoneInfo | None) -> str:
    if moment is None:
        return ""
    return (moment.astimezone(zone) if zone else moment).strftime(MOMENT)


def _zone(timezone: str) -> ZoneInfo | None:
    """The term's zone; None (moments as they are) for a name that is no IANA zone, such as the
    ``UTC+08:00`` a plan read back from events.csv carries."""
    try:
        return ZoneInfo(timezone)
    except (ValueError, KeyError):  # ZoneInfoNotFoundError is a KeyError
        return None


def _columns(stem: str) -> tuple[str, ...]:
    spec: TableSpec = next(t for t in RECORD_TABLES if t.stem == stem)
    return tuple(c.name for c in spec.columns)


def record_rows(records: RecordSet, timezone: str) -> dict[str, tuple[tuple[str, ...], list[dict[str, object]]]]:
    """The contract's three files as (columns, rows), for writing to a folder or a zip."""
    zone = _zone(timezone)
    visits: list[dict[str, object]] = [
        {"record_id": r.record_id, "uid": r.uid or "", "leader_id": r.leader_id, "status": r.status,
         "start": _m(r.start, zone), "end": _m(r.end, zone), "visit_kind": r.visit_kind or "",
         "target_id": r.target_id or "", "attendees": "" if r.attendees is None else r.attendees,
         "reason": r.reason, "recorded_at": _m(r.recorded_at, zone), "note": r.note}
        for r in records.visits
    ]
    confirmations: list[dict[str, object]] = [
        {"record_id": c.record_id, "source": c.source, "result": c.result, "by": c.by, "at": _m(c.at, zone), "note": c.note}
        for c in records.confirmations
    ]
    feedback: list[dict[str, object]] = [
        {"item_id": f.item_id, "raised_at": _m(f.raised_at, zone), "record_id": f.record_id or "",
         "unit_id": f.unit_id or "", "category": f.category, "text": f.text, "owner": f.owner,
         "responded_at": _m(f.responded_at, zone), "resolved_at": _m(f.resolved_at, zone),
         "rating": f.rating or "", "reopened": f.reopened, "anonymous": "true" if f.anonymous else "false"}
        for f in records.feedback
    ]
    return {
        "visits": (_columns("visits"), visits),
        "confirmations": (_columns("confirmations"), confirmations),
        "feedback": (_columns("feedback"), feedback),
    }


def write_records(records: RecordSet, folder: str | Path, timezone: str = "Asia/Shanghai") -> Path:
    """The contract's CSV files (visits.csv, confirmations.csv, feedback.csv) in ``folder``."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    for stem, (columns, rows) in record_rows(records, timezone).items():
        write_csv(folder / f"{stem}.csv", columns, rows)
    return folder


def records_zip(records: RecordSet, timezone: str = "Asia/Shanghai") -> bytes:
    """records.zip: the same three CSV files."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for stem, (columns, rows) in record_rows(records, timezone).items():
            archive.writestr(f"{stem}.csv", csv_bytes(columns, rows))
    return out.getvalue()
