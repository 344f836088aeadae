"""Request ids, JSON log lines and Prometheus figures, through a small ASGI app in-process."""

from __future__ import annotations

import asyncio
import io
import json
import logging
from types import SimpleNamespace

import httpx
from fastapi import FastAPI

from docgen.service.logs import RequestIdMiddleware, configure
from docgen.service.metrics import Metrics, MetricsMiddleware, is_loopback


def make_app():
    app = FastAPI()
    state = SimpleNamespace(pool=None, store=None)
    metrics = Metrics(state)

    @app.get("/items/{item}")
    async def item(item: str):
        logging.getLogger("docgen.test").info("looking at %s", item)
        return {"item": item}

    app.add_middleware(MetricsMiddleware, metrics=metrics)
    app.add_middleware(RequestIdMiddleware)
    return app, metrics, state


async def fetch(app, *requests):
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        return [await client.get(path, headers=headers) for path, headers in requests]


def test_request_id_is_echoed_or_made_and_every_log_line_is_json_with_it():
    app, _, _ = make_app()
    stream = io.StringIO()
    configure(stream=stream)
    try:
        given, made, hostile = asyncio.run(
            fetch(
                app,
                ("/items/a", {"X-Request-ID": "abc-123"}),
                ("/items/b", {}),
                ("/items/c", {"X-Request-ID": "x" * 500}),
            )
        )
    finally:
        for name in ("docgen", "uvicorn", "uvicorn.error"):
            logging.getLogger(name).handlers[:] = []
            logging.getLogger(name).propagate = True
        logging.getLogger("uvicorn.access").disabled = False
    assert given.headers["x-request-id"] == "abc-123"
    assert len(made.headers["x-request-id"]) == 32
    assert hostile.headers["x-request-id"] != "x" * 500  # not echoed: a fresh one
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    by_id = {}
    for line in lines:
        by_id.setdefault(line["request_id"], []).append(line)
    own = by_id["abc-123"]
    assert [entry["message"] for entry in own] == ["looking at a", "GET /items/a 200"]
    access = own[1]
    assert access["event"] == "request" and access["route"] == "/items/{item}" and access["status"] == 200
    assert access["duration_ms"] >= 0 and access["level"] == "info" and access["time"].endswith("+00:00")
    assert len(by_id) == 3


def test_metrics_count_requests_by_route_template_and_status():
    app, metrics, state = make_app()
    asyncio.run(fetch(app, ("/items/a", {}), ("/items/b", {}), ("/nowhere/1", {}), ("/nowhere/2", {})))
    text = metrics.render()[0].decode()
    assert 'docgen_http_requests_total{method="GET",route="/items/{item}",status="200"} 2.0' in text
    assert 'docgen_http_requests_total{method="GET",route="<unmatched>",status="404"} 2.0' in text
    assert 'docgen_http_request_duration_seconds_count{method="GET",route="/items/{item}"} 2.0' in text
    # pool and store figures are read from their counters at scrape time
    state.pool = SimpleNamespace(
        queued=3,
        running=2,
        pids=[1, 2],
        replaced=1,
        counts={"ok": 5, "invalid": 0, "error": 0, "timeout": 1, "lost": 0, "rejected": 4},
    )
    state.store = SimpleNamespace(counts={"hit": 7, "miss": 2})
    text = metrics.render()[0].decode()
    for line in (
        "docgen_render_queue_depth 3.0",
        "docgen_render_running 2.0",
        "docgen_render_workers 2.0",
        'docgen_renders_total{result="rejected"} 4.0',
        'docgen_renders_total{result="timeout"} 1.0',
        'docgen_store_lookups_total{result="hit"} 7.0',
        "docgen_render_workers_replaced_total 1.0",
    ):
        assert line in text


def test_loopback_addresses():
    assert is_loopback("127.0.0.1") and is_loopback("::1") and is_loopback("127.8.9.10")
    assert not is_loopback("10.0.0.1") and not is_loopback(None) and not is_loopback("example.org")


def test_uvicorns_coloured_copy_of_a_message_stays_out_of_the_json_line():
    """uvicorn logs its start with extra={"color_message": …} holding terminal colour codes."""
    stream = io.StringIO()
    configure(stream=stream)
    try:
        logging.getLogger("uvicorn.error").info(
            "Started server process [%d]", 42, extra={"color_message": "Started server process [\x1b[36m%d\x1b[0m]"}
        )
    finally:
        for name in ("docgen", "uvicorn", "uvicorn.error"):
            logging.getLogger(name).handlers[:] = []
            logging.getLogger(name).propagate = True
        logging.getLogger("uvicorn.access").disabled = False
    line = json.loads(stream.getvalue())
    assert line["message"] == "Started server process [42]" and line["logger"] == "uvicorn.error"
    assert "color_message" not in line and "\\u001b" not in stream.getvalue()
