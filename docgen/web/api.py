"""The web app's two API additions: the packet previewed as HTML, and a file read into the page's JSON."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import anyio.to_thread
from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse

from docgen.service.accounts import Principal
from docgen.service.auth import current_principal
from docgen.service.problems import Problem
from docgen.service.rendering import packet_pages
from docgen.service.renderpool import PoolError, RemoteError
from docgen.service.routes.common import REPORT_SCHEMA, SUBMISSION_BODY, check, render_name
from docgen.service.uploads import read_upload
from docgen.web.preview import packet_preview, preview_view

router = APIRouter(prefix="/api/v1", tags=["检查与生成"])
log = logging.getLogger(__name__)

# The preview is shown in a sandboxed frame: it may use its own <style> and nothing else.
PREVIEW_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; sandbox"


@router.post(
    "/preview",
    summary="预览文件包（HTML）",
    response_class=HTMLResponse,
    openapi_extra=SUBMISSION_BODY,
    description="用与 PDF 文件包相同的文档视图和 HTML 模板生成网页预览（不分页、不嵌入字体）。"
    "填报有错误时返回 422，附检查报告。",
    responses={
        200: {"description": "预览网页", "content": {"text/html": {}}},
        422: {"description": "填报有错误（problem+json，含 report）"},
    },
)
async def preview(request: Request, principal: Principal = Depends(current_principal)) -> HTMLResponse:
    upload = await read_upload(request, default_stem=principal.unit_id or "submission")
    checked = await check(request, upload, models=True)
    if not checked.valid or checked.result is None or checked.result.submission is None:
        raise Problem(422, f"填报有 {checked.report['errors']} 个错误，无法预览；请先修改。", report=checked.report)
    name = render_name(upload, principal.unit_id)
    view = await anyio.to_thread.run_sync(preview_view, checked, name)
    pages = await _table_pages(request.app.state, view, principal.actor)
    html = await anyio.to_thread.run_sync(packet_preview, view, request.app.state.settings.templates, pages)
    return HTMLResponse(
        html,
        headers={
            "Content-Security-Policy": PREVIEW_CSP,
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "no-store",
        },
    )


PAGES_WAIT = 5.0
"""Seconds a preview waits for its 目录's page numbers. They come from laying the tables out as the PDF
does (0.2 s for Guangzhou's 6 pages, 1.2 s for Shenzhen's 16, once per content: then from the store);
a packet of a hundred pages takes longer, and its preview should not: it shows the label instead, the
layout goes on, and the next preview of the same content has the numbers."""

_laying_out: set[asyncio.Future[Any]] = set()  # layouts a preview stopped waiting for, held until they end


async def _table_pages(app_state: Any, view: Any, actor: str) -> list[int] | None:
    """The PDF packet's page numbers for the preview's 目录, or None (busy, too slow, failed): a preview is
    never refused or held up for them."""
    task = asyncio.ensure_future(packet_pages(app_state, view, actor))
    _laying_out.add(task)
    task.add_done_callback(_layout_ended)
    try:
        return await asyncio.wait_for(asyncio.shield(task), PAGES_WAIT)
    except (TimeoutError, PoolError, Problem):
        return None


def _layout_ended(task: asyncio.Future[Any]) -> None:
    _laying_out.discard(task)
    exc = None if task.cancelled() else task.exception()  # retrieved either way: no "never retrieved" warning
    if isinstance(exc, RemoteError):
        log.error("the preview's page numbers failed in a worker: %s\n%s", exc, exc.remote_traceback)


@router.post(
    "/import",
    summary="读取填报文件为 JSON",
    description="读取 YAML、JSON 或填好的征集表（.xlsx，同 `docgen import`），返回检查报告和填报内容"
    "（JSON；无法读取时为 null），供网页载入。不保存。",
    openapi_extra=SUBMISSION_BODY,
    responses={
        200: {
            "description": "检查报告和填报内容",
            "content": {
                "application/json": {
                    "schema": {
                        "type": "object",
                        "properties": {"report": REPORT_SCHEMA, "submission": {"type": ["object", "null"]}},
                    }
                }
            },
        }
    },
)
async def import_file(request: Request, _: Principal = Depends(current_principal)) -> dict:
    upload = await read_upload(request)
    checked = await check(request, upload)
    data = checked.data if isinstance(checked.data, dict) else None
    return {"filename": upload.filename, "report": checked.report, "submission": data}
