"""The service's routes: thin functions over the modules of ``api.service``."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Query

from api.service.schemas import ErrorOut

_DESCRIPTIONS = {
    400: "bad request / 请求有误",
    401: "missing or invalid token / 缺少或无效的令牌",
    403: "the token's role does not allow this / 权限不足",
    404: "unknown id / 编号不存在",
    409: "conflicts with the current state / 与当前状态冲突",
    413: "upload or request body too large, or the upload expands past the limits / 上传文件或请求体过大，或解压后超过上限",
    415: "unsupported file type / 不支持的文件类型",
    422: "invalid request or data, with every problem / 请求或数据有误，逐条列出",
    429: "too many jobs queued; retry after Retry-After seconds / 排队任务过多，请稍后重试",
    503: "busy; retry after Retry-After seconds / 服务繁忙，请稍后重试",
}


def errors(*codes: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI entries for error answers, all in the one :class:`ErrorOut` shape."""
    return {code: {"model": ErrorOut, "description": _DESCRIPTIONS[code]} for code in codes}


def lang_param(
    lang: Annotated[str | None, Query(pattern="^(zh|en)$", description="消息语言 / message language")] = None,
) -> str | None:
    """Declares ``?lang=`` in the schema; the value is read by ``errors.request_lang``."""
    return lang
