"""The one way the service renders: `render_bytes`, through the output store and the render pool."""

from __future__ import annotations

from typing import Any

FORMATS = ("pdf", "docx", "xlsx", "zip")
MEDIA = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "zip": "application/zip",
    "ofd": "application/ofd",  # GB/T 33190 (files/packet.ofd)
}


async def render_bytes(app_state: Any, source_bytes: bytes, filename: str, fmt: str) -> bytes:
    """The file `fmt` of a checked submission (`source_bytes`: its YAML/JSON text in UTF-8).

    Every render of the service goes through here: from the output store when these bytes,
    this name, these templates and this docgen version were rendered before, else in a warm pool
    worker (then stored). Full queue → 429 with Retry-After; past the time limit → 504 (the
    worker is replaced); stopping → 503.
    """
    from docgen.service.renderpool import PoolError
    from docgen.service.work import render_submission

    pool, templates = app_state.pool, str(app_state.settings.templates)
    try:
        return await app_state.store.get_or_render(
            source_bytes, filename, fmt, lambda: pool.call(render_submission, source_bytes, filename, fmt, templates)
        )
    except PoolError as exc:
        raise pool_problem(exc, pool.timeout, "生成") from None


def pool_problem(exc: Exception, timeout: float, task: str) -> Exception:
    """The answer to a failed pool call (`task`: 生成 or 检查): 429 with Retry-After when the queue is
    full, 504 past the time limit, 503 while stopping or when the worker died, else a logged 500."""
    from docgen.service.problems import Problem, log
    from docgen.service.renderpool import PoolClosed, QueueFull, RemoteError, RenderTimeout, WorkerLost

    if isinstance(exc, QueueFull):
        retry = str(exc.retry_after)
        return Problem(429, f"{task}任务排队已满，请 {retry} 秒后重试。", headers={"Retry-After": retry})
    if isinstance(exc, RenderTimeout):
        return Problem(504, f"{task}超过 {timeout:g} 秒的时限，已终止；请稍后重试或联系管理员。")
    if isinstance(exc, PoolClosed | WorkerLost):
        return Problem(503, f"{exc}。", headers={"Retry-After": "5"})
    if isinstance(exc, RemoteError):
        log.error("%s failed in a worker: %s\n%s", task, exc, exc.remote_traceback)
    return Problem(500, f"{task}失败，已记录日志；请稍后重试或联系管理员。")


def backend_alive(app_state: Any) -> bool:
    """Whether renders can run (for /readyz): the pool is started and has live workers."""
    pool = getattr(app_state, "pool", None)
    return pool is not None and pool.alive()
