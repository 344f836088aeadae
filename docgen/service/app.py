"""The FastAPI application: `create_app(settings)` wires the database, authentication, limits and routes."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from docgen import __version__
from docgen.service import problems, runtime
from docgen.service.auth import bearer
from docgen.service.db import Database
from docgen.service.limits import BodyLimit
from docgen.service.routes import documents, filings, health
from docgen.service.settings import Settings

DESCRIPTION = """\
docgen 填报服务：各单位在线填报知识产权项目需求（粤市监知促〔2023〕233号 附件1），
检查结果与命令行 `docgen validate` 一致，生成符合 GB/T 9704-2012 的 DOCX、XLSX 和 PDF 文件包；
省局查看全省 23 个单位的填报情况、退回修改。

认证：请求头 `Authorization: Bearer 令牌`（令牌由 `docgen token create` 生成），或网页登录后的会话。
单位账号只能访问本单位的填报（访问其他单位返回 404）；省局专用接口对单位账号返回 403；
没有或无效的凭据返回 401。所有错误以 `application/problem+json` 返回，`detail` 为中文说明。
"""


def create_app(settings: Settings) -> FastAPI:
    """A ready application: the schema is migrated before this returns."""
    db = Database.from_settings(settings)
    db.migrate()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await runtime.start(app)
        try:
            yield
        finally:
            await runtime.stop(app)
            db.dispose()

    app = FastAPI(
        title="docgen 填报服务",
        version=__version__,
        description=DESCRIPTION,
        docs_url="/docs",
        redoc_url=None,
        lifespan=lifespan,
        openapi_tags=[
            {"name": "填报", "description": "单位保存、报送；省局查看、退回"},
            {"name": "检查与生成", "description": "不保存，只检查或生成"},
            {"name": "批量生成", "description": "省局：各单位文件包、汇总表、归档卷"},
            {"name": "运行状态", "description": "健康与就绪检查"},
        ],
    )
    app.state.settings = settings
    app.state.db = db
    app.state.authenticators = [bearer]  # the web app appends its session-cookie authenticator
    problems.install(app)
    app.include_router(health.router)
    app.include_router(documents.router)
    app.include_router(filings.router)
    from docgen.web import install as install_web  # the pages for clerks and the province

    install_web(app)
    app.add_middleware(BodyLimit, limit=settings.max_body)
    runtime.install(app, settings)  # render pool, output store, batch jobs, /metrics, request ids and JSON logs
    return app
