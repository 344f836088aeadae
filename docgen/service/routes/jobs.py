"""Province batch jobs: start one for a form, follow it, fetch what it made, start it again."""

from __future__ import annotations

import asyncio

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import FileResponse, JSONResponse
from pydantic import BaseModel, Field

from docgen.service.accounts import Principal, known_units
from docgen.service.auth import province_principal
from docgen.service.forms import lookup, served
from docgen.service.problems import Problem

router = APIRouter(prefix="/api/v1", tags=["批量生成"])
PROVINCE = Depends(province_principal)

MEDIA = {
    ".pdf": "application/pdf",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".json": "application/json",
}
JOB_SCHEMA = {
    "type": "object",
    "properties": {
        "id": {"type": "string"},
        "status": {"type": "string", "enum": ["queued", "running", "done", "failed"]},
        "phase": {
            "type": "string",
            "enum": ["queued", "units", "summary", "done", "failed"],
            "description": "运行中的阶段：units 生成各单位文件包，summary 生成汇总表和归档卷",
        },
        "units": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {"unit": {"type": "string"}, "name": {"type": "string"}, "version": {"type": "integer"}},
            },
            "description": "纳入本次批处理的填报（单位及所用版本）",
        },
        "left_out": {
            "type": "array",
            "items": {"type": "object", "properties": {"unit": {"type": "string"}, "name": {"type": "string"}}},
            "description": "未纳入的单位（批处理开始时尚未报送）",
        },
        "done": {"type": "integer", "description": "已处理的单位数"},
        "total": {"type": "integer", "description": "单位总数"},
        "files": {
            "type": "array",
            "items": {"type": "string"},
            "description": "生成的文件（汇总表.xlsx、归档卷.pdf 等）",
        },
        "errors": {"type": "array", "items": {"type": "string"}, "description": "未能生成的单位及原因（中文）"},
        "reason": {"type": ["string", "null"], "description": "任务失败的原因"},
    },
}


class BatchRequest(BaseModel):
    form: int | str | None = Field(None, description="征集表编号：征集表文件的文件名，如 2024、2025-fuwu-jigou")
    year: int | str | None = Field(None, description="同 form（原写法：征集表年度，如 2024）")

    def form_id(self) -> str:
        value = self.form if self.form is not None else self.year
        if value is None or isinstance(value, bool):
            raise Problem(400, '请求体应写明征集表编号，例如 {"form": "2024"}。')
        text = str(value).strip() if isinstance(value, str) else str(value) if abs(value) < 10**6 else ""
        if not text or len(text) > 100:
            raise Problem(400, "征集表编号应为征集表文件的文件名，例如 2024 或 2025-fuwu-jigou。")
        return text


def _status_url(request: Request, job_id: str) -> str:
    return str(request.url_for("job_status", job_id=job_id).path)


async def _job(request: Request, job_id: str):
    job = await request.app.state.jobs.get(job_id) if len(job_id) <= 64 else None
    if job is None:
        raise Problem(404, "没有这个批量任务。")
    return job


@router.post(
    "/batches",
    summary="启动批量生成",
    status_code=202,
    description="对该征集表（form，如 2024；原写法 year）所有已报送（submitted）的填报（各取最新版本）生成各单位文件包、汇总表和归档卷。"
    "立即返回 202 和任务地址；用 `GET status_url` 查看进度。",
    responses={
        202: {
            "description": "任务已创建",
            "content": {
                "application/json": {
                    "schema": {
                        "type": "object",
                        "properties": {"id": {"type": "string"}, "status_url": {"type": "string"}},
                    }
                }
            },
        }
    },
)
async def start_batch(body: BatchRequest, request: Request, principal: Principal = PROVINCE) -> JSONResponse:
    form_id = body.form_id()
    form = served(form_id)  # 404 for no such form, and with its problems for a broken one
    job = await request.app.state.jobs.create(form_id, form.year, principal.actor)
    url = _status_url(request, job.id)
    return JSONResponse({"id": job.id, "status_url": url}, status_code=202, headers={"Location": url})


def _described(job) -> dict:
    """A job as the API shows it: the units it took and those it left out, by their Chinese names."""
    names = known_units()
    out = job.as_json()
    for item in out["units"]:
        item["name"] = names.get(item["unit"], item["unit"])
    taken = {unit for unit, _ in job.included()}
    found = lookup(job.form)  # a form broken since the job ran: its units are not known now
    form_units = found.form.units if found is not None and found.form is not None and found.ok else ()
    out["left_out"] = [{"unit": u.id, "name": u.name} for u in form_units if u.id not in taken]
    return out


@router.get(
    "/jobs",
    summary="最近的批量任务",
    description="最新的在前；`form`（或 `year`）只列该征集表的任务。刷新页面后，省局页面据此显示上一次批处理的结果。",
    responses={
        200: {
            "content": {
                "application/json": {
                    "schema": {"type": "object", "properties": {"jobs": {"type": "array", "items": JOB_SCHEMA}}}
                }
            }
        }
    },
)
async def list_jobs(
    request: Request,
    form: str | None = Query(None, min_length=1, max_length=100, description="征集表编号，如 2024、2025-fuwu-jigou"),
    year: str | None = Query(None, min_length=1, max_length=100, description="同 form（原写法：征集表年度）"),
    limit: int = Query(10, ge=1, le=100, description="最多列出几个任务"),
    _: Principal = PROVINCE,
) -> dict:
    jobs = await request.app.state.jobs.recent(form if form is not None else year, limit)
    return {"jobs": [_described(job) for job in jobs]}


@router.get(
    "/jobs/{job_id}",
    name="job_status",
    summary="批量任务状态",
    description="`status`：queued 排队、running 进行中、done 完成、failed 失败（`reason` 说明原因）。",
    responses={200: {"content": {"application/json": {"schema": JOB_SCHEMA}}}},
)
async def job_status(job_id: str, request: Request, _: Principal = PROVINCE) -> dict:
    return _described(await _job(request, job_id))


@router.post(
    "/jobs/{job_id}/restart",
    summary="重新启动失败的批量任务",
    status_code=202,
    description="对失败（包括服务重启时被中断）的任务，用原来的输入重新运行；已完成的单位不再重复生成。"
    "任务未失败时返回 409。",
)
async def restart_job(job_id: str, request: Request, _: Principal = PROVINCE) -> JSONResponse:
    job = await _job(request, job_id)
    restarted = await request.app.state.jobs.restart(job.id)
    if restarted is None:
        raise Problem(409, f"任务状态为 {job.status}，只有失败的任务可以重新启动。")
    url = _status_url(request, job.id)
    return JSONResponse({"id": job.id, "status_url": url}, status_code=202, headers={"Location": url})


@router.get(
    "/jobs/{job_id}/files.zip",
    summary="下载批量任务的全部文件（ZIP）",
    response_class=FileResponse,
    description="汇总表、归档卷在最上层，各单位的文件在“单位文件包/”下，以单位中文名称命名。任务完成后才有。",
)
async def job_bundle(job_id: str, request: Request, _: Principal = PROVINCE) -> FileResponse:
    job = await _job(request, job_id)
    path = await asyncio.to_thread(request.app.state.jobs.bundle, job, known_units())
    if path is None:
        raise Problem(409, f"任务状态为 {job.status}，完成后才能下载全部文件。")
    name = f"{job.year}年度" if job.form.isdigit() else job.form
    return FileResponse(path, media_type="application/zip", filename=f"{name}批处理文件.zip")


@router.get(
    "/jobs/{job_id}/files/{name}",
    summary="下载批量任务生成的文件",
    response_class=FileResponse,
    description="`name` 为任务 `files` 中列出的文件名，如 `汇总表.xlsx`、`归档卷.pdf`、`guangzhou.pdf`。",
)
async def job_file(job_id: str, name: str, request: Request, _: Principal = PROVINCE) -> FileResponse:
    job = await _job(request, job_id)
    path = request.app.state.jobs.file(job, name)
    if path is None:
        raise Problem(404, f"任务没有生成文件“{name[:100]}”。")
    return FileResponse(path, media_type=MEDIA.get(path.suffix, "application/octet-stream"), filename=name)
