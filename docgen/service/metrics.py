"""Prometheus metrics: requests by route and status, latency histograms, render queue, renders, store hits.

One ``Metrics`` per app (its own registry, so tests can run several apps in one process). Request
figures are recorded by ``MetricsMiddleware``; the pool's and the store's figures are read from
their counters at scrape time (no double bookkeeping).
"""

from __future__ import annotations

import ipaddress
import time
from collections.abc import Iterable
from typing import Any

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.registry import Collector

UNMATCHED = "<unmatched>"  # any path no route matched: one label, whatever bots probe
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60)
RENDER_RESULTS = ("ok", "invalid", "error", "timeout", "lost", "rejected")


class _PoolAndStore(Collector):
    def __init__(self, state: Any):
        self.state = state

    def collect(self) -> Iterable[Any]:
        pool = getattr(self.state, "pool", None)
        store = getattr(self.state, "store", None)
        queue = GaugeMetricFamily("docgen_render_queue_depth", "Renders waiting for a free worker")
        running = GaugeMetricFamily("docgen_render_running", "Renders running in a worker now")
        workers = GaugeMetricFamily("docgen_render_workers", "Render worker processes alive")
        renders = CounterMetricFamily("docgen_renders", "Renders by result (rejected: queue full)", labels=["result"])
        replaced = CounterMetricFamily("docgen_render_workers_replaced", "Workers replaced after a timeout or crash")
        if pool is not None:
            queue.add_metric([], pool.queued)
            running.add_metric([], pool.running)
            workers.add_metric([], len(pool.pids))
            for result in RENDER_RESULTS:
                renders.add_metric([result], pool.counts[result])
            replaced.add_metric([], pool.replaced)
        yield from (queue, running, workers, renders, replaced)
        checks = getattr(self.state, "check_pool", None)
        check_queue = GaugeMetricFamily("docgen_check_queue_depth", "Checks waiting for a free check worker")
        check_workers = GaugeMetricFamily("docgen_check_workers", "Check worker processes alive")
        if checks is not None:
            check_queue.add_metric([], checks.queued)
            check_workers.add_metric([], len(checks.pids))
        yield from (check_queue, check_workers)
        cache = CounterMetricFamily("docgen_store_lookups", "Output store lookups by result", labels=["result"])
        if store is not None:
            for result in ("hit", "miss"):
                cache.add_metric([result], store.counts[result])
        yield cache


class Metrics:
    """The app's registry and request instruments."""

    def __init__(self, state: Any):
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "docgen_http_requests",
            "HTTP requests by route, method and status",
            ["route", "method", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "docgen_http_request_duration_seconds",
            "HTTP request latency by route",
            ["route", "method"],
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.registry.register(_PoolAndStore(state))

    def render(self) -> tuple[bytes, str]:
        return generate_latest(self.registry), CONTENT_TYPE_LATEST


def is_loopback(host: str | None) -> bool:
    """Whether a client address is the machine itself (127.0.0.0/8, ::1, or the in-process test client)."""
    if not host:
        return False
    try:
        return ipaddress.ip_address(host.split("%")[0]).is_loopback
    except ValueError:
        return host in ("localhost", "testclient")


class MetricsMiddleware:
    """ASGI middleware: count and time every HTTP request under its route template."""

    def __init__(self, app: Any, metrics: Metrics):
        self.app, self.metrics = app, metrics

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        status = 500
        start = time.perf_counter()

        async def send_status(message: dict) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_status)
        finally:
            route = getattr(scope.get("route"), "path", None) or UNMATCHED
            method = scope.get("method", "")
            self.metrics.requests.labels(route, method, str(status)).inc()
            self.metrics.latency.labels(route, method).observe(time.perf_counter() - start)
