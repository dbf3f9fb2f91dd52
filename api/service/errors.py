"""Errors as the service answers them: one JSON shape (:class:`schemas.ErrorOut`), a message that
says what to fix, in Chinese by default and in English on ``?lang=en`` or ``Accept-Language: en``."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import IntegrityError, OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException

from api.service.schemas import ErrorOut, ProblemOut

log = logging.getLogger("frontline.service")


def request_lang(request: Request) -> str:
    """``en`` when asked for by ``?lang=en`` or a leading ``Accept-Language: en``; else ``zh``."""
    query = request.query_params.get("lang")
    if query:
        return "en" if query.strip().lower().startswith("en") else "zh"
    header = request.headers.get("accept-language", "")
    best, best_q = "zh", -1.0
    for item in header.split(","):
        tag, _, params = item.strip().partition(";")
        q = 1.0
        if params.strip().startswith("q="):
            try:
                q = float(params.strip()[2:])
            except ValueError:
                q = 0.0
        tag = tag.strip().lower()
        if tag.startswith(("en", "zh")) and q > best_q:
            best, best_q = tag[:2], q
    return best


class ApiError(Exception):
    """A 4xx answer with a bilingual message (and problems, when the input is at fault)."""

    def __init__(
        self,
        status: int,
        code: str,
        zh: str,
        en: str,
        *,
        problems: Iterable[tuple[str, int | None, str | None, str, str]] = (),
        warnings: Iterable[tuple[str, int | None, str | None, str, str]] = (),
        job_id: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(en)
        self.status = status
        self.code = code
        self.zh = zh
        self.en = en
        self.problems = tuple(problems)
        self.warnings = tuple(warnings)
        self.job_id = job_id
        self.headers = headers

    def body(self, lang: str) -> ErrorOut:
        def out(items: Sequence[tuple[str, int | None, str | None, str, str]]) -> list[ProblemOut]:
            return [
                ProblemOut(file=f, row=r, column=c, message=en if lang == "en" else zh)
                for f, r, c, zh, en in items
            ]

        return ErrorOut(
            detail=self.en if lang == "en" else self.zh,
            code=self.code,
            problems=out(self.problems),
            warnings=out(self.warnings),
            job_id=self.job_id,
        )


def not_found(what_zh: str, what_en: str, ident: str) -> ApiError:
    shown = ident if len(ident) <= 80 else ident[:77] + "..."
    return ApiError(
        404, "not_found",
        f"找不到{what_zh}“{shown}”；请检查编号",
        f"no {what_en} {shown!r}; check the id",
    )  # fmt: skip


# request validation ------------------------------------------------------------------------------
_ZH_BY_TYPE = {
    "missing": "缺少此项",
    "json_invalid": "请求体不是有效的 JSON",
    "model_attributes_type": "应为 JSON 对象",
    "dict_type": "应为 JSON 对象",
    "list_type": "应为列表",
    "float_parsing": "应为数字",
    "float_type": "应为数字",
    "int_parsing": "应为整数",
    "greater_than": "数值太小",
    "greater_than_equal": "数值太小",
    "less_than_equal": "数值太大",
    "datetime_parsing": "应为 ISO 8601 日期时间，如 2026-10-19T08:00:00+08:00",
    "datetime_from_date_parsing": "应为 ISO 8601 日期时间，如 2026-10-19T08:00:00+08:00",
    "string_type": "应为文本",
    "string_too_long": "文本太长",
    "string_pattern_mismatch": "格式不对",
    "literal_error": "取值不在允许的范围内",
    "extra_forbidden": "不认识的字段",
    "value_error": "取值无效",
}


def _validation_problems(exc: RequestValidationError) -> list[tuple[str, int | None, str | None, str, str]]:
    out: list[tuple[str, int | None, str | None, str, str]] = []
    for error in exc.errors():
        loc = [str(part) for part in error.get("loc", ())]
        where = ".".join(loc) or "request"
        kind = str(error.get("type", ""))
        en = str(error.get("msg", "invalid"))
        ctx: dict[str, Any] = error.get("ctx") or {}
        if kind == "json_invalid":
            en = f"the body is not valid JSON ({ctx.get('error', 'syntax error')}); send a JSON object"
        zh = _ZH_BY_TYPE.get(kind, "取值无效")
        if ctx and kind not in ("json_invalid",):
            limit = ", ".join(f"{k}={v}" for k, v in ctx.items() if k != "error")
            if limit:
                zh = f"{zh}（{limit}）"
        out.append(("request", None, where, f"{where}: {zh}", f"{where}: {en}"))
    return out


def install(app: FastAPI) -> None:
    """Every error in the one JSON shape; an unexpected one is logged and answered 500."""

    @app.exception_handler(ApiError)
    async def _api_error(request: Request, exc: ApiError) -> JSONResponse:
        body = exc.body(request_lang(request)).model_dump()
        return JSONResponse(body, status_code=exc.status, headers=exc.headers)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        problems = _validation_problems(exc)
        error = ApiError(
            422, "invalid_request",
            "请求无效：" + "；".join(p[3] for p in problems),
            "invalid request: " + "; ".join(p[4] for p in problems),
            problems=problems,
        )  # fmt: skip
        return JSONResponse(error.body(request_lang(request)).model_dump(), status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        if exc.status_code == 400:  # a body that could not be parsed at all: say which format
            multipart = "multipart" in request.headers.get("content-type", "")
            zh, en = _HTTP_TEXT[400] if multipart else (
                "请求体不是有效的 JSON（UTF-8）；请发送 JSON 对象", "the body is not valid JSON (UTF-8); send a JSON object"
            )  # fmt: skip
            error = ApiError(422, "invalid_request", zh, en, problems=[("request", None, "body", zh, en)])
            return JSONResponse(error.body(request_lang(request)).model_dump(), status_code=422)
        zh, en = _HTTP_TEXT.get(exc.status_code, ("请求无效", str(exc.detail)))
        headers = dict(exc.headers or {})
        if exc.status_code == 405:  # every method the path takes, not only the first route's
            from api.service.endpoints import allowed_methods

            headers["Allow"] = ", ".join(allowed_methods(request.app, request.url.path)) or headers.get("Allow", "")
        error = ApiError(exc.status_code, f"http_{exc.status_code}", zh, en, headers=headers)
        return JSONResponse(error.body(request_lang(request)).model_dump(), status_code=exc.status_code, headers=headers)

    @app.exception_handler(IntegrityError)
    async def _integrity(request: Request, exc: IntegrityError) -> JSONResponse:
        # A database guard (a unique index) caught what a concurrent request did first.
        log.warning("integrity error on %s %s: %s", request.method, _redacted_path(request.url.path), exc.orig)
        error = ApiError(
            409, "conflict", "与同时进行的另一操作冲突；请刷新后重试", "conflicts with a concurrent change; reload and try again"
        )  # fmt: skip
        return JSONResponse(error.body(request_lang(request)).model_dump(), status_code=409)

    @app.exception_handler(OperationalError)
    async def _busy(request: Request, exc: OperationalError) -> JSONResponse:
        if "locked" not in str(exc.orig).lower() and "deadlock" not in str(exc.orig).lower():
            return await _unexpected(request, exc)
        error = ApiError(
            503, "busy", "数据库繁忙；请稍后重试", "the database is busy; retry shortly", headers={"Retry-After": "5"}
        )  # fmt: skip
        return JSONResponse(error.body(request_lang(request)).model_dump(), status_code=503, headers=error.headers)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unexpected error on %s %s", request.method, _redacted_path(request.url.path))
        error = ApiError(500, "internal_error", "服务器内部错误，已记录；请联系管理员", "internal error (logged); contact the administrator")
        return JSONResponse(error.body(request_lang(request)).model_dump(), status_code=500)


_HTTP_TEXT = {
    400: ("请求体格式错误；上传文件请用 multipart/form-data，字段名为 file",
          "malformed request body; upload files as multipart/form-data in the field 'file'"),
    404: ("没有这个地址；接口列表见 /docs", "no such path; see /docs for the routes"),
    405: ("此地址不支持该请求方法；见 /docs", "method not allowed on this path; see /docs"),
}


def _redacted_path(path: str) -> str:
    from api.service.redaction import redact

    return redact(path)
