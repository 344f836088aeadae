"""What several routes share: the OpenAPI description of a submission body, checking, answering files."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import anyio.to_thread
from fastapi import Request
from fastapi.responses import Response

from docgen.models.diagnostics import InvalidInput
from docgen.service.problems import Problem
from docgen.service.rendering import MEDIA, pool_problem, render_bytes
from docgen.service.renderpool import PoolClosed, PoolError, WorkerLost
from docgen.service.reports import Checked, check_report, check_upload, diagnostic_json, report
from docgen.service.uploads import Upload

SUBMISSION_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "description": "填报文件：YAML 或 JSON 正文，或 multipart/form-data 的 file 字段"
        "（.yaml、.yml、.json、.xlsx）。",
        "content": {
            "application/yaml": {"schema": {"type": "string"}},
            "application/json": {"schema": {"type": "object"}},
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "properties": {
                        "file": {"type": "string", "format": "binary", "description": "填报文件或填好的征集表（.xlsx）"}
                    },
                    "required": ["file"],
                }
            },
        },
    }
}

REPORT_SCHEMA = {
    "type": "object",
    "description": "检查报告：与 docgen validate 相同的问题、代码和中文说明；工作簿另给单元格（如 表一!F7）。",
    "properties": {
        "valid": {"type": "boolean"},
        "errors": {"type": "integer"},
        "warnings": {"type": "integer"},
        "diagnostics": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "severity": {"type": "string", "enum": ["error", "warning"]},
                    "code": {"type": "string"},
                    "line": {"type": ["integer", "null"]},
                    "path": {"type": "string"},
                    "cell": {"type": ["string", "null"]},
                    "message": {"type": "string"},
                    "hint": {"type": "string"},
                },
            },
        },
    },
}


async def check(request: Request, upload: Upload, *, models: bool = False, report_only: bool = False) -> Checked:
    """Check an upload: in a check worker when the pool is up (every core, no interpreter lock shared
    with the server), else in a thread. `models`: keep the parsed submission (the preview needs it);
    `report_only`: nothing but the Report (/validate)."""
    pool = getattr(request.app.state, "check_pool", None)
    if models or pool is None or not pool.alive():
        return await anyio.to_thread.run_sync(check_upload, upload, report_only)
    try:
        return await pool.call(check_report, upload, report_only)
    except (PoolClosed, WorkerLost):  # the worker died or the pool is stopping: the same check, here
        return await anyio.to_thread.run_sync(check_upload, upload, report_only)
    except PoolError as exc:
        raise pool_problem(exc, pool.timeout, "检查") from None


def render_name(upload: Upload, stem: str | None = None) -> str:
    """The name a submission renders under: its own (or the unit's) stem, .yaml for an imported workbook."""
    base = stem or upload.filename.rsplit(".", 1)[0]
    return base + (".json" if upload.kind == "json" else ".yaml")


async def render_checked(request: Request, checked: Checked, name: str, fmt: str) -> bytes:
    """Render a checked upload; 422 with its Report when it has errors."""
    if not checked.valid or checked.text is None:
        raise Problem(422, f"填报有 {checked.report['errors']} 个错误，未生成文件；请先修改。", report=checked.report)
    try:
        return await render_bytes(request.app.state, checked.text.encode("utf-8"), name, fmt)
    except InvalidInput as exc:  # checked above; kept so a stricter renderer still answers a Report
        found = report([diagnostic_json(d) for d in exc.diagnostics])
        raise Problem(422, "填报有错误，未生成文件；请先修改。", report=found) from None


async def render_upload(request: Request, upload: Upload, name: str, fmt: str) -> bytes:
    """The file `fmt` of an upload: straight from the output store when these exact bytes were rendered
    under this name before (same bytes, templates and version: same checks, same output), else check, then render."""
    if upload.kind != "xlsx":
        path = request.app.state.store.lookup(upload.content, name, fmt, count_miss=False)
        if path is not None:
            return await anyio.to_thread.run_sync(path.read_bytes)
    checked = await check(request, upload)
    principal = getattr(request.state, "principal", None)
    async with request.app.state.render_share.slot(principal.actor if principal is not None else "anonymous"):
        return await render_checked(request, checked, name, fmt)


def file_response(content: bytes, media_type: str, filename: str, etag: str | None = None) -> Response:
    headers = {"Content-Disposition": f"attachment; filename*=UTF-8''{quote(filename)}"}
    if etag:
        headers["ETag"] = f'"{etag}"'
    return Response(content, media_type=media_type, headers=headers)


def media_for(fmt: str) -> str:
    return MEDIA[fmt]
