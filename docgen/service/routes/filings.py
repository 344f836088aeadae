"""A unit's filing: latest version, save, versions, submit, return, its files; the province's list per form.

Filings are addressed by form id (a form file's stem): `/api/v1/filings/2024/guangzhou` as before, and
`/api/v1/filings/2025-fuwu-jigou/guangzhou` for a province's own form (docgen.service.forms)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal, TypeVar

from fastapi import APIRouter, Body, Depends, Path, Query, Request
from fastapi.responses import JSONResponse, Response
from sqlalchemy.exc import IntegrityError

from docgen.service import filings as store
from docgen.service.accounts import Principal
from docgen.service.auth import current_principal, province_principal
from docgen.service.forms import form_value, served, words
from docgen.service.models import FilingDraft
from docgen.service.problems import Problem, problems_for
from docgen.service.reports import Checked
from docgen.service.routes.common import (
    REPORT_SCHEMA,
    SUBMISSION_BODY,
    check,
    file_response,
    media_for,
    render_name,
    render_upload,
)
from docgen.service.uploads import MEDIA_KIND, Upload, read_upload

T = TypeVar("T")

router = APIRouter(prefix="/api/v1/filings", tags=["填报"])

FormId = Path(
    ...,
    min_length=1,
    max_length=100,
    description="征集表编号：征集表文件的文件名，如 2024（年度）、2025-fuwu-jigou（省局自己的征集表）",
)
Unit = Path(..., max_length=64, description="单位编号，如 guangzhou、protection-center")
FILES = {"packet.pdf": "pdf", "form.docx": "docx", "form.xlsx": "xlsx", "packet.ofd": "ofd"}


def form_units(form_id: str) -> list[tuple[str, str]]:
    """The units of the form, in published order; 404 if there is no such form (with its problems if it is broken)."""
    return [(u.id, u.name) for u in served(form_id).units]


def readable(principal: Principal, form_id: str, unit: str) -> None:
    """404 for a unit that is not the caller's (its existence is not revealed) or not in the form."""
    units = dict(form_units(form_id))
    if unit not in units or not principal.may_read(unit):
        raise Problem(404, f"没有{words(form_id)}中单位“{unit}”的填报。")


def writable(principal: Principal, form_id: str, unit: str) -> None:
    readable(principal, form_id, unit)
    if principal.unit_id != unit:
        raise Problem(403, "只有该单位的账号可以修改或报送本单位的填报。")


def _named(form_id: str) -> dict[str, Any]:
    """The form an answer is about: its id and its year."""
    return {"form": form_id, "year": served(form_id).year}


@router.get(
    "/{form_id}",
    summary="全省填报情况（省局）",
    description="按征集表公布的单位顺序，每个单位一行：状态（none 未填报、draft 草稿、submitted 已报送、"
    "returned 已退回）、最新版本号、更新时间、各表合计（万元）。",
)
async def list_filings(request: Request, form_id: str = FormId, _: Principal = Depends(province_principal)) -> dict:
    units = form_units(form_id)
    rows = await request.app.state.db.read(lambda s: store.listing(s, form_id, units))
    return {**_named(form_id), "filings": rows}


def expectation(request: Request, base_version: int | None = None) -> store.Expect:
    """The request's precondition: If-Match / If-None-Match (RFC 9110) and/or base_version."""

    def tags(name: str) -> tuple[str, ...] | None:
        header = request.headers.get(name)
        if header is None:
            return None
        return tuple(t.strip() for t in header.split(",") if t.strip())[:20]

    return store.Expect(tags("if-match"), tags("if-none-match"), base_version)


BaseVersion = Query(
    None,
    ge=0,
    le=10**9,
    description="所依据的版本号（0 表示尚无版本）：最新版本已不是它时返回 412，不保存。与 If-Match 请求头作用相同；"
    "都不带时直接保存为新版本（供脚本使用）。",
)


@router.get(
    "/{form_id}/{unit}",
    summary="最新版本",
    description="该单位最新保存的版本：版本号、状态、填报内容和检查报告。响应头 ETag 标识该版本及其状态，"
    "保存（PUT）或报送时放在 If-Match 中，可避免覆盖别处的修改。",
    responses=problems_for(304, 404),
)
async def get_latest(
    request: Request, form_id: str = FormId, unit: str = Unit, principal: Principal = Depends(current_principal)
) -> Response:
    readable(principal, form_id, unit)

    def read(session: Any) -> tuple[dict, str | None]:
        filing, row = store.latest(session, form_id, unit)
        draft = session.get(FilingDraft, filing.id)
        body = {
            **_named(form_id),
            "unit": unit,
            **store.describe(filing, row),
            "sha256": row.sha256,
            "filename": row.filename,
            "submission": row.submission,
            "report": row.report,
            "draft": (
                {"base_version": draft.base_version, "updated_at": store.iso(draft.updated_at), "sha256": draft.sha256}
                if draft is not None
                else None
            ),
        }
        return body, store.etag(filing)

    body, tag = await request.app.state.db.read(read)
    headers = {"ETag": tag, "Cache-Control": "no-cache"} if tag else {}
    if tag and tag in (request.headers.get("if-none-match") or "").replace(" ", "").split(","):
        return Response(status_code=304, headers=headers)
    return JSONResponse(body, headers=headers)


@router.put(
    "/{form_id}/{unit}",
    summary="保存新版本",
    description="明确保存（或上传文件）为新版本（草稿可以有错误）；返回版本号和检查报告。内容与最新版本逐字节相同时"
    "不产生新版本（created 为 false）。带 If-Match 或 base_version 时，最新版本已变则返回 412；已报送的填报返回 409。"
    "已退回的填报保存后仍为“已退回”，直到再次报送。返回 200 即已可靠写入数据库。",
    openapi_extra=SUBMISSION_BODY,
    responses={
        200: {
            "description": "已保存",
            "headers": {"ETag": {"description": "新版本的 ETag", "schema": {"type": "string"}}},
            "content": {
                "application/json": {
                    "schema": {
                        "type": "object",
                        "properties": {
                            "version": {"type": "integer"},
                            "created": {"type": "boolean"},
                            "status": {"type": "string"},
                            "sha256": {"type": "string"},
                            "report": REPORT_SCHEMA,
                        },
                    }
                }
            },
        },
        **problems_for(400, 403, 404, 409, 412, 413, 415, 422, 429),
    },
)
async def save(
    request: Request,
    form_id: str = FormId,
    unit: str = Unit,
    base_version: int | None = BaseVersion,
    principal: Principal = Depends(current_principal),
) -> Response:
    expect, upload, checked = await _incoming(request, form_id, unit, principal, base_version, "save")
    quota = request.app.state.settings.unit_quota or None
    row, created, tag = await _write_filing(
        request, lambda s: store.save(s, form_id, unit, upload, checked, principal, expect, quota)
    )
    body = {
        "version": row.number,
        "created": created,
        "status": tag.strip('"').split("-", 1)[1],
        "sha256": row.sha256,
        "report": checked.report if created else row.report,
    }
    return JSONResponse(body, headers={"ETag": tag})


@router.put(
    "/{form_id}/{unit}/draft",
    summary="自动保存（工作草稿）",
    description="网页输入时的自动保存：覆盖该填报唯一的工作草稿，不产生新版本、不改变状态。"
    "带 If-Match 或 base_version 时，最新版本已变（别处保存过）则返回 412。",
    openapi_extra=SUBMISSION_BODY,
    responses=problems_for(400, 403, 404, 409, 412, 413, 415, 422, 429),
)
async def save_draft(
    request: Request,
    form_id: str = FormId,
    unit: str = Unit,
    base_version: int | None = BaseVersion,
    principal: Principal = Depends(current_principal),
) -> dict:
    expect, upload, checked = await _incoming(request, form_id, unit, principal, base_version, "draft")
    draft = await _write_filing(
        request, lambda s: store.save_draft(s, form_id, unit, upload, checked, principal, expect)
    )
    return {**_named(form_id), "unit": unit, **store.draft_info(draft)}


async def _incoming(
    request: Request, form_id: str, unit: str, principal: Principal, base_version: int | None, what: str
) -> tuple[store.Expect, Upload, Checked]:
    """A save's or autosave's body: allowed, within the unit's rate, read, checked, the unit's own, to this form."""
    writable(principal, form_id, unit)
    expect = expectation(request, base_version)
    _rate(request, what, unit)
    upload = await read_upload(request, default_stem=unit)
    checked = await check(request, upload)
    _same_unit(checked.data, form_id, unit)
    _same_form(checked.data, form_id)
    return expect, upload, checked


async def _write_filing(request: Request, write: Callable[[Any], T]) -> T:
    for attempt in range(3):
        try:
            return await request.app.state.db.write(write)
        except IntegrityError:  # two first saves at once (PostgreSQL): the loser retries on the row that now exists
            if attempt == 2:
                raise Problem(409, "同时有其他保存请求，请重试。") from None
    raise AssertionError("unreachable")


@router.get(
    "/{form_id}/{unit}/draft",
    summary="自动保存的工作草稿",
    description="最近一次自动保存的内容、它所依据的版本号（base_version）和检查报告；没有时返回 404。",
    responses=problems_for(404),
)
async def get_draft(
    request: Request, form_id: str = FormId, unit: str = Unit, principal: Principal = Depends(current_principal)
) -> dict:
    readable(principal, form_id, unit)
    draft = await request.app.state.db.read(lambda s: store.draft_of(s, form_id, unit))
    return {**_named(form_id), "unit": unit, **store.draft_info(draft)}


def _rate(request: Request, what: str, unit: str) -> None:
    """429 past the saves (or autosaves) one unit may make per minute."""
    wait = request.app.state.save_rates[what].hit(unit)
    if wait:
        raise Problem(
            429,
            f"本单位一分钟内保存次数过多，请 {wait} 秒后再试。",
            headers={"Retry-After": str(wait)},
        )


def _same_unit(data: Any, form_id: str, unit: str) -> None:
    """A filing holds its own unit's submission only: every unit the data names (under `unit` or a Chinese key,
    compared as validate and the batch compare them) must be the account's; a draft may leave it blank."""
    from docgen.check.units import named_units, unit_named

    form = served(form_id)
    own = form.unit(unit)
    for value in named_units(data):
        if value is None or (isinstance(value, str) and not value.strip()):
            continue
        named = unit_named(form, value) if isinstance(value, str) else None
        if named is None or named.id != unit:
            shown = named.name if named is not None else str(value).strip()[:60]
            raise Problem(
                422,
                f"文件中的填报单位是“{shown}”，不是本单位（{own.name if own else unit}）；"
                "只能保存本单位的填报，请检查是否选错了文件。",
            )


def _same_form(data: Any, form_id: str) -> None:
    """A filing holds a submission to its own form: one naming another form (form: 2025 under 2024's filing)
    would be checked, rendered and collected as that form; a draft may leave `form` out."""
    from docgen.check.aliases import form_id_named

    named = form_id_named(data)
    if named is not None and named != form_id:
        raise Problem(
            422,
            f"文件填报的是{words(named)}，不是{words(form_id)}；请检查是否选错了文件，"
            f"或把 form 改为 {form_value(form_id)}。",
        )


@router.get(
    "/{form_id}/{unit}/versions",
    summary="历史版本",
    description="保存过的版本（从旧到新，分页）：版本号、时间、保存者、SHA-256、大小、有无错误。"
    '下一页见响应头 Link（rel="next"）。',
    responses=problems_for(400, 404),
)
async def list_versions(
    request: Request,
    form_id: str = FormId,
    unit: str = Unit,
    page: int = Query(1, ge=1, le=10**6, description="页码，从 1 开始"),
    per_page: int = Query(100, ge=1, le=500, description="每页条数（最多 500）"),
    principal: Principal = Depends(current_principal),
) -> Response:
    readable(principal, form_id, unit)
    rows, total = await request.app.state.db.read(
        lambda s: store.versions(s, form_id, unit, (page - 1) * per_page, per_page)
    )
    headers = {}
    if page * per_page < total:
        headers["Link"] = f'<{request.url.path}?page={page + 1}&per_page={per_page}>; rel="next"'
    body = {**_named(form_id), "unit": unit, "total": total, "page": page, "per_page": per_page, "versions": rows}
    return JSONResponse(body, headers=headers)


@router.get(
    "/{form_id}/{unit}/versions/{n}",
    summary="某一版本的原始文件",
    response_class=Response,
    description="该版本保存时的原样字节（YAML、JSON 或 XLSX）。",
)
async def get_version(
    request: Request,
    form_id: str = FormId,
    unit: str = Unit,
    n: int = Path(..., ge=1, le=10**9, description="版本号"),
    principal: Principal = Depends(current_principal),
) -> Response:
    readable(principal, form_id, unit)

    def read(session: Any) -> tuple[bytes, str, str, str]:
        filing = store.find(session, form_id, unit)
        row = store.version(session, filing, n) if filing else None
        if row is None:
            raise Problem(404, f"没有第 {n} 版。")
        return row.content, row.media_type, row.filename, row.sha256

    content, media, filename, sha = await request.app.state.db.read(read)
    return file_response(content, media, filename, etag=sha)


@router.post(
    "/{form_id}/{unit}/submit",
    summary="报送",
    description="报送最新版本：没有错误时状态变为 submitted，否则返回 422 和检查报告。"
    "带 version（或 If-Match 请求头）时只报送该版本：最新版本已不是它（别处又保存过）则返回 412，不报送。",
    responses=problems_for(400, 403, 404, 409, 412, 422),
)
async def submit(
    request: Request,
    form_id: str = FormId,
    unit: str = Unit,
    version: int | None = Query(None, ge=1, le=10**9, description="核对过的版本号：只有它仍是最新版本时才报送"),
    principal: Principal = Depends(current_principal),
) -> Response:
    writable(principal, form_id, unit)
    expect = expectation(request, version)
    filing, row = await request.app.state.db.write(lambda s: store.submit(s, form_id, unit, principal, expect))
    body = {
        **_named(form_id),
        "unit": unit,
        "status": filing.status,
        "version": row.number,
        "submitted_at": store.iso(filing.submitted_at),
    }
    return JSONResponse(body, headers={"ETag": store.etag(filing) or ""})


@router.post(
    "/{form_id}/{unit}/return",
    summary="退回修改（省局）",
    description="把已报送的填报退回给单位修改，须写明原因；单位随后可以再次保存。",
)
async def return_filing(
    request: Request,
    form_id: str = FormId,
    unit: str = Unit,
    body: dict = Body(..., examples=[{"reason": "表（一）经费安排与项目合计不符，请核对。"}]),
    principal: Principal = Depends(province_principal),
) -> dict:
    readable(principal, form_id, unit)
    reason = body.get("reason") if isinstance(body, dict) else None
    if not isinstance(reason, str) or not reason.strip():
        raise Problem(422, "请在 reason 中写明退回原因。")
    if len(reason) > 2000:
        raise Problem(422, "退回原因不超过 2000 字。")
    filing = await request.app.state.db.write(lambda s: store.return_(s, form_id, unit, reason.strip(), principal))
    return {
        **_named(form_id),
        "unit": unit,
        "status": filing.status,
        "version": filing.latest,
        "reason": filing.return_reason,
    }


@router.get(
    "/{form_id}/{unit}/files/{name}",
    summary="最新版本的文件",
    response_class=Response,
    description="packet.pdf（PDF 文件包）、packet.ofd（同一文件包的 OFD 版式文件，GB/T 33190）、form.docx 或 form.xlsx；同一内容只生成一次。",
)
async def get_file(
    request: Request,
    form_id: str = FormId,
    unit: str = Unit,
    name: Literal["packet.pdf", "form.docx", "form.xlsx", "packet.ofd"] = Path(..., description="文件名"),
    principal: Principal = Depends(current_principal),
) -> Response:
    readable(principal, form_id, unit)

    def read(session: Any) -> tuple[Upload, int]:
        _, row = store.latest(session, form_id, unit, content=True)
        return Upload(row.content, row.filename, MEDIA_KIND[row.media_type]), row.number

    upload, number = await request.app.state.db.read(read)
    fmt = FILES[name]
    content = await render_upload(request, upload, render_name(upload, unit), fmt)
    return file_response(content, media_for(fmt), f"{unit}-{form_id}-v{number}.{name.rsplit('.', 1)[1]}")
