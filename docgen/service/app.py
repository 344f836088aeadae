"""The service's FastAPI application: `create_service(settings)` wires the database, authentication, limits
and the API's routes; docgen.app puts the web app on it (the service never imports the web app)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from docgen import __version__
from docgen.service import problems, runtime
from docgen.service.auth import bearer
from docgen.service.db import Database
from docgen.service.limits import BodyLimit, ClientShare, PerMinute
from docgen.service.routes import accounts, documents, filings, health
from docgen.service.settings import Settings
from docgen.service.transport import StrictTransport

DESCRIPTION = """\
docgen 填报服务：各单位在线填报知识产权项目需求（粤市监知促〔2023〕233号 附件1），
检查结果与命令行 `docgen validate` 一致，生成符合 GB/T 9704-2012 的 DOCX、XLSX 和 PDF 文件包；
省局查看全省 23 个单位的填报情况、退回修改。

认证：请求头 `Authorization: Bearer 令牌`（令牌由 `docgen token create` 生成），或网页登录后的会话。
单位账号只能访问本单位的填报（访问其他单位返回 404）；省局专用接口对单位账号返回 403；
没有或无效的凭据返回 401。所有错误以 `application/problem+json` 返回，`detail` 为中文说明。
"""


def create_service(settings: Settings) -> FastAPI:
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
        docs_url=None,  # the web app serves /docs with Swagger UI's files from this machine (docgen.web.docs)
        redoc_url=None,
        lifespan=lifespan,
        openapi_tags=[
            {"name": "填报", "description": "单位保存、报送；省局查看、退回"},
            {"name": "检查与生成", "description": "不保存，只检查或生成"},
            {"name": "批量生成", "description": "省局：各单位文件包、汇总表、归档卷"},
            {"name": "账号", "description": "省局：重设单位账号的密码"},
            {"name": "运行状态", "description": "健康与就绪检查"},
        ],
    )
    app.state.settings = settings
    app.state.db = db
    app.state.authenticators = [bearer]  # docgen.app's web app appends its session-cookie authenticator
    problems.install(app)
    app.include_router(health.router)
    app.include_router(documents.router)
    app.include_router(filings.router)
    app.include_router(accounts.router)
    app.state.save_rates = {
        "save": PerMinute(settings.saves_per_minute),
        "draft": PerMinute(settings.drafts_per_minute),
    }
    # one credential's renders take at most all workers but one (a clerk's preview and download still run
    # together on a bigger machine); the rest of its renders wait in its own line
    app.state.render_share = ClientShare(max(1, settings.workers - 1), waiting=4)
    app.add_middleware(BodyLimit, limit=settings.max_body, timeout=settings.body_timeout)
    app.add_middleware(StrictTransport)
    runtime.install(app, settings)  # render pool, output store, batch jobs, /metrics, request ids and JSON logs
    app.openapi = lambda: openapi_document(app)  # type: ignore[method-assign]
    return app


def openapi_document(app: FastAPI) -> dict:
    """FastAPI's document, plus what it cannot know: the submission's schema for YAML and JSON bodies,
    and the 401 every authenticated operation may answer."""
    if app.openapi_schema:
        return app.openapi_schema
    from fastapi.openapi.utils import get_openapi

    from docgen.authoring.schema import submission_schema
    from docgen.service.problems import problems_for

    doc = get_openapi(
        title=app.title, version=app.version, description=app.description, routes=app.routes, tags=app.openapi_tags
    )
    schema = submission_schema()
    schema.pop("$schema", None)
    schema.pop("$id", None)
    doc.setdefault("components", {}).setdefault("schemas", {})["Submission"] = schema
    ref = {"$ref": "#/components/schemas/Submission"}
    for path, item in doc.get("paths", {}).items():
        if not path.startswith("/api/v1/"):
            continue
        for method, operation in item.items():
            content = operation.get("requestBody", {}).get("content", {})
            if "application/yaml" in content:  # a submission body (SUBMISSION_BODY): YAML is JSON's superset
                content["application/yaml"]["schema"] = content["application/json"]["schema"] = ref
            answers = operation.setdefault("responses", {})
            if "HTTPValidationError" in str(answers.get("422", "")):  # FastAPI's own; ours is a 400 problem
                del answers["422"]
            for status, answer in problems_for(*_problem_statuses(path, method, bool(content))).items():
                answers.setdefault(str(status), answer)
    for name in ("HTTPValidationError", "ValidationError"):
        doc["components"]["schemas"].pop(name, None)
    app.openapi_schema = doc
    return doc


def _problem_statuses(path: str, method: str, body: bool) -> list[int]:
    """The problem answers an operation can give, from what it is (the rules the routes follow)."""
    out = [400, 401]
    if body:
        out += [408, 413, 415, 422]
    province_only = path.startswith(("/api/v1/batches", "/api/v1/jobs", "/api/v1/accounts"))
    if province_only or path == "/api/v1/filings/{form_id}" or path.endswith(("/return", "/submit")) or method == "put":
        out.append(403)
    if "{" in path:
        out.append(404)
    if method in ("put", "post") and "/filings/" in path:
        out.append(409)
    if path == "/api/v1/batches":
        out.append(404)  # the body names no form, or a broken one
    unit_files = "/files/" in path and not path.startswith("/api/v1/jobs")
    checked = path in ("/api/v1/validate", "/api/v1/render", "/api/v1/preview", "/api/v1/import") or method == "put"
    if unit_files or path.endswith("/submit"):
        out.append(422)
    if checked or unit_files:
        out += [429, 503, 504]  # the check or render queue is full / stopping / past its time limit
    return sorted(set(out))
