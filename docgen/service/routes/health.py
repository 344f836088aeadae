"""Liveness and readiness."""

from __future__ import annotations

import anyio.to_thread
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from docgen.service.rendering import backend_alive

router = APIRouter(tags=["运行状态"])


@router.get("/healthz", summary="存活检查", description='进程在服务时返回 200 `{"status":"ok"}`。')
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/readyz", summary="就绪检查", description="数据库可访问且生成进程正常时返回 200，否则 503（附原因）。")
async def readyz(request: Request) -> JSONResponse:
    problems = []
    try:
        if not await anyio.to_thread.run_sync(request.app.state.db.ping):
            problems.append("数据库无应答")
    except Exception:  # noqa: BLE001 - any database failure means "not ready"
        problems.append("数据库无法连接")
    if not backend_alive(request.app.state):
        problems.append("生成进程不可用")
    if problems:
        return JSONResponse({"status": "unavailable", "problems": problems}, status_code=503)
    return JSONResponse({"status": "ready"})
