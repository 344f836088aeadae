"""A unit's filing: latest version, save, versions, submit, return, its files; the province's list per year."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Body, Depends, Path, Request
from fastapi.responses import Response
from sqlalchemy.exc import IntegrityError

from docgen.service import filings as store
from docgen.service.accounts import Principal
from docgen.service.auth import current_principal, province_principal
from docgen.service.problems import Problem
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

router = APIRouter(prefix="/api/v1/filings", tags=["填报"])

Year = Path(..., ge=2000, le=2100, description="征集表年度，如 2024")
Unit = Path(..., max_length=64, description="单位编号，如 guangzhou、protection-center")
FILES = {"packet.pdf": "pdf", "form.docx": "docx", "form.xlsx": "xlsx"}


def form_units(year: int) -> list[tuple[str, str]]:
    """The units of the year's published form, in published order; 404 if there is no such form."""
    from docgen.models.form import available_years, load_form

    if year not in available_years():
        raise Problem(404, f"没有 {year} 年度的征集表。")
    return [(u.id, u.name) for u in load_form(year).units]


def readable(principal: Principal, year: int, unit: str) -> None:
    """404 for a unit that is not the caller's (its existence is not revealed) or not in the form."""
    units = dict(form_units(year))
    if unit not in units or not principal.may_read(unit):
        raise Problem(404, f"没有 {year} 年度单位“{unit}”的填报。")


def writable(principal: Principal, year: int, unit: str) -> None:
    readable(principal, year, unit)
    if principal.unit_id != unit:
        raise Problem(403, "只有该单位的账号可以修改或报送本单位的填报。")


@router.get(
    "/{year}",
    summary="全省填报情况（省局）",
    description="按征集表公布的单位顺序，每个单位一行：状态（none 未填报、draft 草稿、submitted 已报送、"
    "returned 已退回）、最新版本号、更新时间、各表合计（万元）。",
)
async def list_filings(request: Request, year: int = Year, _: Principal = Depends(province_principal)) -> dict:
    units = form_units(year)
    rows = await request.app.state.db.read(lambda s: store.listing(s, year, units))
    return {"year": year, "filings": rows}


@router.get(
    "/{year}/{unit}", summary="最新版本", description="该单位最新保存的版本：版本号、状态、填报内容和检查报告。"
)
async def get_latest(
    request: Request, year: int = Year, unit: str = Unit, principal: Principal = Depends(current_principal)
) -> dict:
    readable(principal, year, unit)

    def read(session: Any) -> dict:
        filing, row = store.latest(session, year, unit)
        return {
            "year": year,
            "unit": unit,
            **store.describe(filing, row),
            "sha256": row.sha256,
            "filename": row.filename,
            "submission": row.submission,
            "report": row.report,
        }

    return await request.app.state.db.read(read)


@router.put(
    "/{year}/{unit}",
    summary="保存新版本",
    description="保存为新版本（草稿可以有错误）；返回版本号和检查报告。已报送的填报返回 409。"
    "返回 200 即已可靠写入数据库。",
    openapi_extra=SUBMISSION_BODY,
    responses={
        200: {
            "description": "已保存",
            "content": {
                "application/json": {
                    "schema": {
                        "type": "object",
                        "properties": {"version": {"type": "integer"}, "report": REPORT_SCHEMA},
                    }
                }
            },
        }
    },
)
async def save(
    request: Request, year: int = Year, unit: str = Unit, principal: Principal = Depends(current_principal)
) -> dict:
    writable(principal, year, unit)
    upload = await read_upload(request, default_stem=unit)
    checked = await check(request, upload)
    _same_unit(checked.data, year, unit)
    for attempt in range(3):
        try:
            row = await request.app.state.db.write(lambda s: store.save(s, year, unit, upload, checked, principal))
            break
        except IntegrityError:  # two first saves at once (PostgreSQL): the loser retries on the row that now exists
            if attempt == 2:
                raise Problem(409, "同时有其他保存请求，请重试。") from None
    return {"version": row.number, "status": "draft", "sha256": row.sha256, "report": checked.report}


def _same_unit(data: Any, year: int, unit: str) -> None:
    """A filing may not hold another unit's submission (a draft may have any other error)."""
    if not isinstance(data, dict) or not isinstance(data.get("unit"), str):
        return
    from docgen.models.form import load_form, squash

    form = load_form(year)
    named = next((u for u in form.units if squash(u.name) == squash(data["unit"])), None)
    if named is not None and named.id != unit:
        raise Problem(422, f"文件中的填报单位是“{named.name}”，不是本单位（{unit}）；请检查是否选错了文件。")


@router.get(
    "/{year}/{unit}/versions", summary="历史版本", description="保存过的每一个版本：版本号、时间、保存者、SHA-256。"
)
async def list_versions(
    request: Request, year: int = Year, unit: str = Unit, principal: Principal = Depends(current_principal)
) -> dict:
    readable(principal, year, unit)
    rows = await request.app.state.db.read(lambda s: store.versions(s, year, unit))
    return {"year": year, "unit": unit, "versions": rows}


@router.get(
    "/{year}/{unit}/versions/{n}",
    summary="某一版本的原始文件",
    response_class=Response,
    description="该版本保存时的原样字节（YAML、JSON 或 XLSX）。",
)
async def get_version(
    request: Request,
    year: int = Year,
    unit: str = Unit,
    n: int = Path(..., ge=1, le=10**9, description="版本号"),
    principal: Principal = Depends(current_principal),
) -> Response:
    readable(principal, year, unit)

    def read(session: Any) -> tuple[bytes, str, str, str]:
        filing = store.find(session, year, unit)
        row = store.version(session, filing, n) if filing else None
        if row is None:
            raise Problem(404, f"没有第 {n} 版。")
        return row.content, row.media_type, row.filename, row.sha256

    content, media, filename, sha = await request.app.state.db.read(read)
    return file_response(content, media, filename, etag=sha)


@router.post(
    "/{year}/{unit}/submit",
    summary="报送",
    description="最新版本没有错误时报送（状态 submitted），否则返回 422 和检查报告。",
)
async def submit(
    request: Request, year: int = Year, unit: str = Unit, principal: Principal = Depends(current_principal)
) -> dict:
    writable(principal, year, unit)
    filing, row = await request.app.state.db.write(lambda s: store.submit(s, year, unit, principal))
    return {
        "year": year,
        "unit": unit,
        "status": filing.status,
        "version": row.number,
        "submitted_at": store.iso(filing.submitted_at),
    }


@router.post(
    "/{year}/{unit}/return",
    summary="退回修改（省局）",
    description="把已报送的填报退回给单位修改，须写明原因；单位随后可以再次保存。",
)
async def return_filing(
    request: Request,
    year: int = Year,
    unit: str = Unit,
    body: dict = Body(..., examples=[{"reason": "表（一）经费安排与项目合计不符，请核对。"}]),
    principal: Principal = Depends(province_principal),
) -> dict:
    readable(principal, year, unit)
    reason = body.get("reason") if isinstance(body, dict) else None
    if not isinstance(reason, str) or not reason.strip():
        raise Problem(422, "请在 reason 中写明退回原因。")
    if len(reason) > 2000:
        raise Problem(422, "退回原因不超过 2000 字。")
    filing = await request.app.state.db.write(lambda s: store.return_(s, year, unit, reason.strip(), principal))
    return {
        "year": year,
        "unit": unit,
        "status": filing.status,
        "version": filing.latest,
        "reason": filing.return_reason,
    }


@router.get(
    "/{year}/{unit}/files/{name}",
    summary="最新版本的文件",
    response_class=Response,
    description="packet.pdf（PDF 文件包）、form.docx 或 form.xlsx；同一内容只生成一次。",
)
async def get_file(
    request: Request,
    year: int = Year,
    unit: str = Unit,
    name: Literal["packet.pdf", "form.docx", "form.xlsx"] = Path(..., description="文件名"),
    principal: Principal = Depends(current_principal),
) -> Response:
    readable(principal, year, unit)

    def read(session: Any) -> tuple[Upload, int]:
        _, row = store.latest(session, year, unit, content=True)
        return Upload(row.content, row.filename, MEDIA_KIND[row.media_type]), row.number

    upload, number = await request.app.state.db.read(read)
    fmt = FILES[name]
    content = await render_upload(request, upload, render_name(upload, unit), fmt)
    return file_response(content, media_for(fmt), f"{unit}-{year}-v{number}.{name.rsplit('.', 1)[1]}")
