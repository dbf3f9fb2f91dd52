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


class TokenCreate(Input):
    name: str = Field(min_length=1, max_length=200)
    role: Literal["admin", "office", "reader"]


class TokenOut(BaseModel):
    token_id: str
    name: str
    role: Literal["admin", "office", "reader"]
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
