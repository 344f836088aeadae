"""The render side of a running service: pool, store, jobs, metrics and logs, started and stopped with the app.

``install(app, settings)`` adds the middlewares and routes; ``start(app)`` (lifespan start-up)
starts the worker pool and marks jobs cut off by the previous process as failed; ``stop(app)``
(lifespan shut-down, after uvicorn stopped accepting on SIGTERM) lets running renders finish for
``settings.shutdown_grace`` seconds, abandons the rest cleanly and records how each job ended.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any

from fastapi import FastAPI

from docgen.service import forms
from docgen.service.jobs import JobRunner
from docgen.service.logs import RequestIdMiddleware
from docgen.service.metrics import Metrics, MetricsMiddleware
from docgen.service.renderpool import RenderPool
from docgen.service.store import OutputStore

log = logging.getLogger("docgen.service")


def install(app: FastAPI, settings: Any) -> None:
    """Routes and middlewares (call after the app's own middlewares: these wrap them, outermost last)."""
    from docgen.service.routes import jobs, metrics

    state = app.state
    state.pool = _pool(settings)
    state.check_pool = _check_pool(settings)
    state.store = OutputStore(settings.data, templates=settings.templates)
    state.batch_pool = _batch_pool(settings)
    state.jobs = JobRunner(state.db, state.batch_pool, settings.data, settings.templates, scheduler=settings.scheduler)
    state.metrics = Metrics(state)
    app.include_router(jobs.router)
    app.include_router(metrics.router)
    app.add_middleware(MetricsMiddleware, metrics=state.metrics)
    app.add_middleware(RequestIdMiddleware)


def _pool(settings: Any) -> RenderPool:
    return RenderPool(
        settings.workers,
        queue_limit=settings.render_queue,
        timeout=settings.render_timeout,
        templates=settings.templates,
        warm=settings.render_warm,
        scratch=Path(settings.data) / "tmp",
    )


def _batch_pool(settings: Any) -> RenderPool:
    """Batch jobs' own worker(s): a batch of 23 units runs for minutes, and in the render pool it would hold
    a worker a clerk's render needs; here concurrent batches wait for each other instead."""
    return RenderPool(
        getattr(settings, "batch_workers", 1),
        queue_limit=8,
        timeout=settings.render_timeout,
        templates=settings.templates,
        warm=False,
        scratch=Path(settings.data) / "tmp-batch",
    )


def _check_pool(settings: Any) -> RenderPool | None:
    """The validators' pool: light workers (no fonts), each forked with the checker imported and warm."""
    n = settings.check_workers if settings.check_workers is not None else len(os.sched_getaffinity(0))
    if n <= 0:
        return None
    return RenderPool(
        n,
        queue_limit=settings.check_queue if settings.check_queue is not None else 32 * n,
        timeout=settings.render_timeout,
        templates=settings.templates,
        warm=False,
        preload="docgen.service.reports:warm_checker",
    )


async def start(app: FastAPI) -> None:
    state = app.state
    if state.pool.zygote_pid is not None:  # a second lifespan of the same app: a fresh pool
        state.pool = _pool(state.settings)
        state.batch_pool = state.jobs.pool = _batch_pool(state.settings)
    if state.check_pool is not None and state.check_pool.zygote_pid is not None:
        state.check_pool = _check_pool(state.settings)
    await state.pool.start(wait=False)  # warm-up runs in the background; /readyz answers 503 until it is done
    await state.batch_pool.start(wait=False)
    if state.check_pool is not None:
        await state.check_pool.start(wait=False)  # until it is up, checks run in a thread (routes.common.check)
    forms.watch()  # every broken form in the log with its problems; the good ones are served
    recovered = await state.jobs.recover()
    log.info(
        "render pool ready",
        extra={
            "event": "pool-ready",
            "workers": state.pool.pids,
            "queue_limit": state.pool.queue_limit,
            "jobs_recovered": recovered,
        },
    )


async def stop(app: FastAPI) -> None:
    state = app.state
    log.info(
        "stopping: finishing running renders",
        extra={"event": "stopping", "running": state.pool.running, "queued": state.pool.queued},
    )
    state.jobs.stopping()
    await state.pool.close(grace=getattr(state.settings, "shutdown_grace", 10.0))
    await state.batch_pool.close(grace=getattr(state.settings, "shutdown_grace", 10.0))
    if state.check_pool is not None:
        await state.check_pool.close(grace=getattr(state.settings, "shutdown_grace", 10.0))
    await state.jobs.stop()
    log.info("render pool stopped", extra={"event": "pool-stopped", "renders": dict(state.pool.counts)})
