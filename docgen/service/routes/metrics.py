"""Prometheus metrics: anyone on the machine itself, else the province."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from docgen.service.auth import current_principal
from docgen.service.metrics import is_loopback
from docgen.service.problems import Problem

router = APIRouter(tags=["运行状态"])


@router.get(
    "/metrics",
    summary="Prometheus 指标",
    response_class=Response,
    description="按路由和状态码计的请求数、延迟直方图、生成队列长度、按结果计的生成次数、文件缓存命中。"
    "本机（127.0.0.1、::1）访问无需凭据，其他地址仅限省局。",
)
async def metrics(request: Request) -> Response:
    if not is_loopback(request.client.host if request.client else None):
        principal = await current_principal(request)
        if not principal.is_province:
            raise Problem(403, "指标仅限本机或省局账号访问。")
    body, media = request.app.state.metrics.render()
    return Response(body, media_type=media)
