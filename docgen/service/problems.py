"""Problem documents (RFC 9457, application/problem+json) with a Chinese `detail` for every error."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

log = logging.getLogger("docgen.service")
MEDIA = "application/problem+json"

TITLES = {
    400: "请求有误",
    401: "需要登录或有效令牌",
    403: "无权访问",
    404: "未找到",
    405: "不支持该方法",
    408: "请求超时",
    409: "状态冲突",
    412: "版本已变",
    413: "请求内容过大",
    415: "不支持的内容类型",
    422: "内容有误",
    429: "请求过多",
    500: "服务器内部错误",
    503: "服务暂不可用",
    504: "生成超时",
}
_DEFAULT_DETAIL = {
    404: "没有这个地址或资源。",
    405: "该地址不支持此请求方法。",
    401: "请提供有效的令牌（Authorization: Bearer …）。",
}


# What each status means for the API's operations (the OpenAPI document lists them per operation).
_MEANING = {
    304: "与 If-None-Match 中的 ETag 相同，未改变",
    400: "请求有误（参数、请求头或请求体无法读取）",
    401: "没有或无效的凭据",
    403: "无权访问（单位账号调用省局接口，或缺少 CSRF 令牌）",
    404: "没有该征集表、单位或填报（其他单位的填报同样返回 404）；征集表定义有误时附 problems，逐条写明文件、行号和问题",
    408: "请求内容未在时限内传完",
    409: "状态冲突（如已报送的填报不能再修改）",
    412: "前提条件不成立：最新版本已不是 If-Match / base_version 所指的版本",
    413: "请求内容超过上限，或本单位存储已满",
    415: "不支持的内容类型",
    422: "内容有误（附检查报告 report），或文件中的填报单位不是本单位",
    429: "请求过多（生成队列已满或保存过于频繁），见 Retry-After",
    503: "服务暂不可用",
    504: "生成超时",
}
PROBLEM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "RFC 9457 问题文档，detail 为中文说明",
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
    },
    "required": ["status", "detail"],
}


def problems_for(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses` for these problem answers (401 is added to every operation by the app)."""
    out: dict[int | str, dict[str, Any]] = {}
    for status in statuses:
        if status == 304:
            out[status] = {"description": _MEANING[status]}
        else:
            out[status] = {"description": _MEANING[status], "content": {MEDIA: {"schema": PROBLEM_SCHEMA}}}
    return out


class Problem(Exception):
    """Raise anywhere in a request to answer a problem document."""

    def __init__(self, status: int, detail: str, *, headers: dict[str, str] | None = None, **extra: Any):
        super().__init__(detail)
        self.status, self.detail, self.headers, self.extra = status, detail, headers or {}, extra


def problem_response(status: int, detail: str, headers: dict[str, str] | None = None, **extra: Any) -> JSONResponse:
    body = {"type": "about:blank", "title": TITLES.get(status, "错误"), "status": status, "detail": detail, **extra}
    return JSONResponse(body, status_code=status, media_type=MEDIA, headers=headers)


def install(app: FastAPI) -> None:
    """Turn every exception into a problem document; an unexpected one is logged, never shown as a traceback."""

    @app.exception_handler(Problem)
    async def _problem(request: Request, exc: Problem) -> JSONResponse:
        return problem_response(exc.status, exc.detail, exc.headers, **exc.extra)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        detail = (
            exc.detail
            if isinstance(exc.detail, str) and _is_chinese(exc.detail)
            else _DEFAULT_DETAIL.get(exc.status_code, TITLES.get(exc.status_code, "请求有误"))
        )
        return problem_response(exc.status_code, detail, dict(exc.headers or {}))

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        where = "；".join(_where(e) for e in exc.errors()[:10])
        return problem_response(400, f"请求参数有误：{where}。", errors=[_plain(e) for e in exc.errors()[:10]])

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unexpected error on %s %s", request.method, request.url.path)
        return problem_response(500, "服务器内部错误，已记录日志；请稍后重试或联系管理员。")


def _is_chinese(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


_KINDS = {
    "missing": "缺少",
    "int_parsing": "应为整数",
    "enum": "取值不在允许范围内",
    "literal_error": "取值不在允许范围内",
    "json_invalid": "不是有效的 JSON",
    "model_attributes_type": "应为 JSON 对象",
    "dict_type": "应为 JSON 对象",
    "string_type": "应为文本",
    "string_too_short": "不能为空",
    "string_too_long": "过长",
    "greater_than_equal": "数值过小",
    "less_than_equal": "数值过大",
}
_PLACES = {"query": "查询参数", "path": "路径参数", "body": "请求体", "header": "请求头"}


def _where(err: dict[str, Any]) -> str:
    loc = [str(p) for p in err.get("loc", ())]
    place = _PLACES.get(loc[0], loc[0]) if loc else ""
    name = ".".join(loc[1:])
    return f"{place} {name} {_KINDS.get(err.get('type', ''), '不正确')}".strip()


def _plain(err: dict[str, Any]) -> dict[str, Any]:
    return {"loc": [str(p) for p in err.get("loc", ())], "type": err.get("type", "")}
