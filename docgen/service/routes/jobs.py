"""Province batch jobs: start one for a year, follow it, fetch what it made, start it again."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import FileResponse, JSONResponse
from pydantic import BaseModel, Field

from docgen.service.accounts import Principal
from docgen.service.auth import province_principal
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
    year: int = Field(description="征集表年度，如 2024", ge=2000, le=2100)


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
    description="对该年度所有已报送（submitted）的填报（各取最新版本）生成各单位文件包、汇总表和归档卷。"
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
    job = await request.app.state.jobs.create(body.year, principal.actor)
    url = _status_url(request, job.id)
    return JSONResponse({"id": job.id, "status_url": url}, status_code=202, headers={"Location": url})


@router.get(
    "/jobs/{job_id}",
    name="job_status",
    summary="批量任务状态",
    description="`status`：queued 排队、running 进行中、done 完成、failed 失败（`reason` 说明原因）。",
    responses={200: {"content": {"application/json": {"schema": JOB_SCHEMA}}}},
)
async def job_status(job_id: str, request: Request, _: Principal = PROVINCE) -> dict:
    return (await _job(request, job_id)).as_json()


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
