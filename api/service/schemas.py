"""Request and response bodies (pydantic): what the OpenAPI schema at /docs shows."""

from __future__ import annotations

import datetime as dt
import math
from typing import Any, Literal, get_args, get_origin

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from data.cells import control_character

Cell = str | int | float | None
ChangeTable = Literal["absences", "timetable", "holidays"]


def reject_control_characters(value: Any) -> Any:
    """A request's text may hold line breaks and tabs, but no NUL or other control character."""
    if isinstance(value, str):
        problem = control_character(value)
        if problem:
            raise ValueError(f"control character {problem} is not allowed")
    elif isinstance(value, dict):
        for k, v in value.items():
            reject_control_characters(k)
            reject_control_characters(v)
    elif isinstance(value, list | tuple):
        for v in value:
            reject_control_characters(v)
    return value


def _admits_bool(annotation: Any) -> bool:
    """Whether a field of this type may be ``true``/``false`` (``bool``, ``bool | None``,
    ``Literal[True]``, ``Any``...)."""
    if annotation is bool or annotation is Any:
        return True
    if get_origin(annotation) is Literal:
        return any(isinstance(a, bool) for a in get_args(annotation))
    return any(_admits_bool(a) for a in get_args(annotation))


class Input(BaseModel):
    """Base of every request body (422 for each of these): unknown fields; control characters in
    any text; ``true``/``false`` where the field is not a boolean (``time_limit_s: true`` is not 1);
    NaN and infinities where a number is expected."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)

    @field_validator("*", mode="before")
    @classmethod
    def _strict_input(cls, value: Any, info: ValidationInfo) -> Any:
        if isinstance(value, bool) and info.field_name is not None:
            field = cls.model_fields.get(info.field_name)
            if field is not None and not _admits_bool(field.annotation):
                raise ValueError("expected a number or text, not true/false")
        if isinstance(value, float) and not math.isfinite(value):
            raise ValueError("expected a finite number")
        return reject_control_characters(value)


class ProblemOut(BaseModel):
    file: str
    row: int | None = None
    column: str | None = None
    message: str


class ErrorOut(BaseModel):
    detail: str = Field(description="what went wrong and what to fix / 出了什么问题、如何修改")
    code: str
    problems: list[ProblemOut] = Field(default_factory=list)
    warnings: list[ProblemOut] = Field(default_factory=list)
    job_id: str | None = Field(default=None, description="the running job a 409 is about")


class Health(BaseModel):
    status: Literal["ok"] = "ok"


# terms -------------------------------------------------------------------------------------------
class TermSummary(BaseModel):
    term_id: str
    name: str
    start_date: dt.date
    weeks: int
    leaders: int
    units: int
    campuses: int
    venues: int
    courses: int
    activities: int
    timetable: int
    absences: int
    holidays: int


class UploadOut(BaseModel):
    term_id: str
    dataset_id: str
    summary: TermSummary
    warnings: list[ProblemOut]


class DatasetOut(BaseModel):
    dataset_id: str
    kind: Literal["upload", "change"]
    parent_id: str | None
    filename: str
    media: str
    created_at: dt.datetime
    created_by: str


class PlanBrief(BaseModel):
    plan_id: str
    term_id: str
    dataset_id: str
    base_plan_id: str | None
    job_id: str | None
    state: Literal["draft", "published", "superseded"]
    created_at: dt.datetime
    published_at: dt.datetime | None
    event_count: int
    unmet_count: int


class TermOut(BaseModel):
    term_id: str
    name: str
    created_at: dt.datetime
    updated_at: dt.datetime
    current_dataset_id: str | None
    published_plan_id: str | None
    summary: TermSummary | None


class JobProgress(BaseModel):
    elapsed_s: float | None = None
    objective: float | None = None
    bound: float | None = None
    gap: float | None = None


class JobOut(BaseModel):
    job_id: str
    term_id: str
    kind: Literal["solve", "replan"]
    status: Literal["queued", "running", "done", "failed", "cancelled"]
    progress: JobProgress
    plan_id: str | None
    error: str | None
    time_limit_s: float
    created_at: dt.datetime
    started_at: dt.datetime | None
    finished_at: dt.datetime | None
    attempts: int = Field(default=0, description="how many times a worker took the job up / 运行次数")
    worker: str | None = Field(default=None, description="the queue worker that runs (ran) it / 运行它的工作进程")


class TermDetail(TermOut):
    datasets: list[DatasetOut]
    plans: list[PlanBrief]
    jobs: list[JobOut]


class SolveIn(Input):
    time_limit_s: float | None = Field(default=None, gt=0, description="seconds; default from the settings")


class JobCreated(BaseModel):
    job_id: str
    status: Literal["queued", "running", "done", "failed", "cancelled"]


# plans -------------------------------------------------------------------------------------------
class AssignmentOut(BaseModel):
    leader_id: str
    leader_name: str
    unit_id: str
    unit_kind: str
    unit_name: str


class EventOut(BaseModel):
    uid: str
    leader_id: str
    week: int
    date: dt.date
    start: dt.datetime
    end: dt.datetime
    visit_kind: str
    target_id: str
    title: str
    campus: str
    location: str
    face_to_face: bool
    sequence: int
    status: Literal["planned", "cancelled"]


class ReportOut(BaseModel):
    leader_id: str
    requirement: str
    required: str
    achieved: str
    met: bool
    detail: str


class PlanOut(PlanBrief):
    summary: dict[str, Any]
    assignments: list[AssignmentOut]
    events: list[EventOut]
    report: list[ReportOut]
    warnings: list[str]


class ChangeOut(BaseModel):
    uid: str
    leader_id: str
    change: Literal["kept", "moved", "cancelled", "added"]
    old_start: dt.datetime | None
    new_start: dt.datetime | None
    reason: str


class PlanChanges(BaseModel):
    plan_id: str
    base_plan_id: str | None
    changes: list[ChangeOut]


class RemoveRow(Input):
    table: ChangeTable
    match: dict[str, Cell] = Field(
        min_length=1, description="cells that identify the row(s) to remove, in the contract's columns"
    )


class ChangeRequest(Input):
    """Rows in the data contract's columns, added to (or removed from) the published plan's data."""

    absences: list[dict[str, Cell]] = Field(default_factory=list)
    timetable: list[dict[str, Cell]] = Field(default_factory=list)
    holidays: list[dict[str, Cell]] = Field(default_factory=list)
    remove: list[RemoveRow] = Field(default_factory=list)
    now: dt.datetime | None = Field(default=None, description="events starting before this stay as they were; default: now")
    time_limit_s: float | None = Field(default=None, gt=0)


# feeds and tokens --------------------------------------------------------------------------------
class FeedOut(BaseModel):
    kind: Literal["leader", "unit", "office"]
    subject_id: str
    url: str | None = Field(description="the subscription URL (https when the service is configured with an https base URL)")
    webcal_url: str | None
    created_at: dt.datetime
    message: str


UNIVERSITY_ID = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$"


class TokenCreate(Input):
    name: str = Field(min_length=1, max_length=200)
    role: Literal["admin", "office", "reader", "province"]
    university_id: str | None = Field(
        default=None, max_length=64,
        description="office / reader: the university the token is bound to (default: the one the admin acts in); "
        "admin / province: none / 办公室与只读令牌所属的高校",
    )  # fmt: skip


class UniversityCreate(Input):
    university_id: str = Field(pattern=UNIVERSITY_ID, description="e.g. sdu, 10422 / 高校编号（字母、数字、.-_）")
    name: str = Field(min_length=1, max_length=400)


class UniversityOut(BaseModel):
    university_id: str
    name: str
    created_at: dt.datetime
    created_by: str


class TokenOut(BaseModel):
    token_id: str
    name: str
    role: Literal["admin", "office", "reader", "province"]
    university_id: str | None = None
    created_at: dt.datetime
    created_by: str
    revoked_at: dt.datetime | None


class TokenCreated(TokenOut):
    token: str = Field(description="shown once; keep it secret / 只显示一次，请妥善保管")


class AuditOut(BaseModel):
    id: int
    at: dt.datetime
    actor: str
    role: str
    action: str
    target: str
    detail: dict[str, Any]


# evidence: links, visits, records, check-ins, confirmations, feedback, compliance -----------------
VisitKind = Literal["classroom", "class", "dorm", "canteen", "society", "lecture", "online"]
RecordStatus = Literal["held", "not_held"]
FeedbackCategory = Literal["study", "ideology", "mental", "life", "employment", "safety", "other"]
EvidenceKind = Literal["confirmed", "self_reported", "disputed"]
Rating = Literal["satisfied", "basically", "unsatisfied"]


class LinkOut(BaseModel):
    role: Literal["leader", "unit"]
    subject_id: str
    name: str
    url: str = Field(description="the personal link; opens the holder's visits of this week")
    token: str = Field(description="shown once; works as Authorization: Bearer <token> / 只显示一次")
    created_at: dt.datetime
    rotated: bool = Field(description="an earlier link was revoked by this one")


class MeOut(BaseModel):
    role: str
    subject_id: str | None
    name: str
    term_id: str | None = Field(description="the term of the published plan that serves this link")
    plan_id: str | None


class RaisedIn(Input):
    category: FeedbackCategory
    text: str = Field(min_length=1, max_length=2000)
    anonymous: bool = False


class RecordIn(Input):
    status: RecordStatus
    start: dt.datetime | None = Field(default=None, description="what actually happened (held); naive = the term's time zone")
    end: dt.datetime | None = None
    attendees: int | None = Field(default=None, ge=0, le=100_000)
    reason: str = Field(default="", max_length=1000, description="why not held (required for not_held)")
    note: str = Field(default="", max_length=2000)
    raised: list[RaisedIn] = Field(default_factory=list, max_length=50, description="what students raised at the visit")


class UnplannedIn(RecordIn):
    visit_kind: VisitKind
    target_id: str = Field(min_length=1, max_length=200)
    leader_id: str | None = Field(default=None, max_length=200, description="the office names the leader; a leader link records its own")
    term_id: str | None = Field(default=None, max_length=200, description="default: the term of the leader's published plan")


class FeedbackCreated(BaseModel):
    item_id: str
    respond_by: dt.datetime
    resolve_by: dt.datetime


class RecordState(BaseModel):
    """One version of a visit record: what the leader (or the office) said happened."""

    version: int
    status: RecordStatus
    start: dt.datetime | None
    end: dt.datetime | None
    attendees: int | None
    reason: str
    note: str
    recorded_at: dt.datetime
    recorded_by: str


class RecordOut(RecordState):
    record_id: str
    term_id: str
    uid: str | None
    leader_id: str
    visit_kind: str
    target_id: str
    evidence: EvidenceKind | None


class RecordSaved(BaseModel):
    record_id: str
    version: int
    evidence: EvidenceKind | None
    items: list[FeedbackCreated] = Field(default_factory=list, description="the items raised with this record")


class RecordVersionOut(RecordState):
    source: str


class RecordHistory(BaseModel):
    record_id: str
    uid: str | None
    leader_id: str
    versions: list[RecordVersionOut]


class VisitOut(BaseModel):
    visit: EventOut
    record: RecordOut | None
    evidence: EvidenceKind | None
    checkins: int = Field(description="distinct students (or devices) checked in")


class MyVisits(BaseModel):
    role: str
    subject_id: str
    term_id: str | None
    plan_id: str | None
    week: int | None
    visits: list[VisitOut]


class CheckinCodeOut(BaseModel):
    code: str
    url: str = Field(description="what the QR code holds / 二维码内容")
    svg: str = Field(description="the QR code as SVG")
    expires_at: dt.datetime


class CheckinIn(Input):
    student_no: str | None = Field(default=None, min_length=1, max_length=64, description="学号; only a salted hash is kept")
    device: str | None = Field(default=None, min_length=8, max_length=200, description="a device key, when no student number is given")


class CheckinOut(BaseModel):
    counted: bool = Field(description="false: this student (or device) had checked in already; counted once")
    checkins: int = Field(description="distinct check-ins at this visit")
    message: str


class ConfirmationIn(Input):
    result: Literal["confirmed", "denied"]
    note: str = Field(default="", max_length=2000)
    by: str | None = Field(default=None, max_length=200, description="callback: the office member who asked (default: the token's name)")


class ConfirmationOut(BaseModel):
    confirmation_id: int
    uid: str
    record_id: str | None
    source: Literal["unit", "callback"]
    result: Literal["confirmed", "denied"]
    by: str
    at: dt.datetime
    evidence: EvidenceKind | None


class FeedbackIn(Input):
    category: FeedbackCategory
    text: str = Field(min_length=1, max_length=2000)
    anonymous: bool = False
    uid: str | None = Field(default=None, max_length=200, description="a leader: the visit where it was raised")
    record_id: str | None = Field(default=None, max_length=200, description="or the visit's record")
    unit_id: str | None = Field(default=None, max_length=200, description="the unit it concerns (a unit link: itself)")
    owner: str | None = Field(default=None, max_length=200, description="a leader_id or a department; default: the leader")
    term_id: str | None = Field(default=None, max_length=200)


class FeedbackOut(BaseModel):
    item_id: str
    term_id: str
    raised_at: dt.datetime
    record_id: str | None = Field(description="hidden from the owner of an anonymous item")
    unit_id: str | None = Field(description="hidden from the owner of an anonymous item")
    category: FeedbackCategory
    text: str
    owner: str
    anonymous: bool
    responded_at: dt.datetime | None
    resolved_at: dt.datetime | None
    answer: str
    rating: Rating | None
    reopened: int
    state: str
    respond_by: dt.datetime
    resolve_by: dt.datetime


class FeedbackPatch(Input):
    owner: str | None = Field(default=None, min_length=1, max_length=200, description="office: hand the item to another owner")
    state: Literal["resolved", "reopened"] | None = Field(default=None, description="office: resolved, or reopened (the owner must act again)")
    answer: str | None = Field(default=None, min_length=1, max_length=4000, description="the owner: the answer to the students")
    resolved: bool | None = Field(default=None, description="the owner: resolved with the answer given")


class RatingIn(Input):
    rating: Rating


class ImportOut(BaseModel):
    import_id: str
    term_id: str
    counts: dict[str, int]


class ComplianceOut(BaseModel):
    term_id: str
    plan_id: str
    as_of: dt.datetime
    summary: dict[str, Any]
    leaders: list[dict[str, Any]]
    requirements: list[dict[str, Any]]
    flags: list[dict[str, Any]]
    feedback: list[dict[str, Any]]
    rates: list[dict[str, Any]]


class ProvinceTerm(BaseModel):
    """One term of one university, in counts only (no names, no student-level detail)."""

    term_id: str
    term_name: str
    status: Literal["uploaded", "planned", "published"]
    published_at: dt.datetime | None = None
    leaders: int | None = None
    events: int | None = None
    unmet: int | None = Field(default=None, description="requirements the published plan cannot meet")
    as_of: dt.datetime | None = Field(default=None, description="the records are judged as of this moment")
    compliant: int | None = None
    partly: int | None = None
    non_compliant: int | None = None
    held: int | None = None
    confirmed: int | None = None
    confirmed_share: float | None = None
    response_rate: float | None = None
    resolution_rate: float | None = None
    satisfaction_rate: float | None = None
    items: int | None = None
    overdue: int | None = None
    escalated: int | None = None
    flags: int | None = None


class ProvinceUniversity(BaseModel):
    university_id: str
    name: str
    terms: list[ProvinceTerm]


class ProvinceSummary(BaseModel):
    universities: list[ProvinceUniversity]
