"""The one way the service renders: `render_bytes` (and a packet's page numbers, `packet_pages`), through the
output store and the render pool."""

from __future__ import annotations

import asyncio
from pathlib import Path
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


async def packet_pages(app_state: Any, view: Any, actor: str) -> list[int]:
    """The page each table of `view` (a views.form.DocumentView) starts on in its PDF packet: what the
    packet's 目录 prints, for the web preview.

    Each table starts a page, so each table's page count is kept on its own in the output store, keyed
    by that table's layout input (its HTML and the style sheet: a filing saved as YAML and the page's
    JSON of it share the entries, and an edit to one table lays out that table alone). Missing counts
    are laid out in render workers, within `actor`'s share of them, and stored. Raises the pool's
    errors (PoolError) and the share's 429 (Problem)."""
    from docgen.writers.pdf.packet import first_pages, table_layout_inputs, table_page_count

    templates = Path(app_state.settings.templates)
    inputs = await asyncio.to_thread(table_layout_inputs, view, templates)

    async def count(ti: int, material: bytes) -> int:
        async def lay_out() -> bytes:
            async with app_state.render_share.slot(actor):
                return str(await app_state.pool.call(table_page_count, view, ti, templates)).encode("ascii")

        return int(await app_state.store.get_or_render(material, "table", "pages", lay_out))

    return first_pages(list(await asyncio.gather(*(count(ti, m) for ti, m in enumerate(inputs)))))


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
