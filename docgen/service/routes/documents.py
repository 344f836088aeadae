"""Check and render a submission sent in the request, without saving it."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from docgen.service.accounts import Principal
from docgen.service.auth import current_principal
from docgen.service.routes.common import (
    REPORT_SCHEMA,
    SUBMISSION_BODY,
    check,
    file_response,
    media_for,
    render_name,
    render_upload,
)
from docgen.service.uploads import read_upload

router = APIRouter(prefix="/api/v1", tags=["检查与生成"])


@router.post(
    "/validate",
    summary="检查填报文件",
    description="一次列出所有错误和警告，与命令行 `docgen validate` 完全一致。有错误时也返回 200，`valid` 为 false。",
    openapi_extra=SUBMISSION_BODY,
    responses={200: {"description": "检查报告", "content": {"application/json": {"schema": REPORT_SCHEMA}}}},
)
async def validate(request: Request, _: Principal = Depends(current_principal)) -> dict:
    upload = await read_upload(request)
    return (await check(request, upload, report_only=True)).report


@router.post(
    "/render",
    summary="生成文件",
    description="生成 PDF 文件包、DOCX 或 XLSX 表格；`zip` 内含三者。填报有错误时返回 422，附检查报告。",
    openapi_extra=SUBMISSION_BODY,
    response_class=Response,
    responses={200: {"description": "生成的文件"}, 422: {"description": "填报有错误（problem+json，含 report）"}},
)
async def render(
    request: Request,
    format: Literal["pdf", "docx", "xlsx", "zip"] = Query("pdf", description="输出格式：pdf、docx、xlsx 或 zip"),
    _: Principal = Depends(current_principal),
) -> Response:
    upload = await read_upload(request)
    name = render_name(upload)
    content = await render_upload(request, upload, name, format)
    return file_response(content, media_for(format), f"{name.rsplit('.', 1)[0]}.{format}")
