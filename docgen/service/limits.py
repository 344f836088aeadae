"""Request limits: the body's size and time, enforced while it streams in; saves per unit per minute."""

from __future__ import annotations

import asyncio
import collections
import contextlib
import time
from collections.abc import AsyncIterator
from typing import Any

from docgen.service.problems import Problem, problem_response


def too_large(limit: int) -> Problem:
    return Problem(413, f"请求内容超过上限 {limit / 1024 / 1024:g} MB；请拆分或压缩后再提交。")


def too_slow(seconds: float) -> Problem:
    return Problem(
        408, f"请求内容未能在 {seconds:g} 秒内传完，连接已关闭；请检查网络后重试。", headers={"connection": "close"}
    )


class BodyLimit:
    """ASGI middleware: 413 up front when Content-Length says too much, else stop reading at the limit;
    408 when the body has not all arrived `timeout` seconds after the request began (a trickling client
    would otherwise hold its connection, and a worker thread reading it, forever)."""

    def __init__(self, app: Any, limit: int, timeout: float | None = None):
        self.app, self.limit, self.timeout = app, limit, timeout

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None:
            try:
                size = int(declared)
            except ValueError:
                size = -1
            if size > self.limit or size < 0:
                problem = too_large(self.limit) if size > self.limit else Problem(400, "Content-Length 请求头无效。")
                await problem_response(problem.status, problem.detail, {"connection": "close"})(scope, receive, send)
                return
        seen = 0
        limit, timeout = self.limit, self.timeout
        deadline = None if timeout is None else time.monotonic() + timeout
        complete = False

        async def limited() -> dict:
            nonlocal seen, complete
            if complete or deadline is None:
                message = await receive()
            else:
                try:
                    message = await asyncio.wait_for(receive(), max(deadline - time.monotonic(), 0.001))
                except TimeoutError:
                    raise too_slow(timeout or 0) from None
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise too_large(limit)
                complete = not message.get("more_body", False)
            return message

        await self.app(scope, limited, send)


class PerMinute:
    """At most `limit` events per key in any 60 seconds (one process's memory: the service runs one)."""

    def __init__(self, limit: int):
        self.limit = limit
        self._seen: dict[str, collections.deque[float]] = collections.defaultdict(collections.deque)

    def hit(self, key: str) -> int:
        """Count an event; 0 when allowed, else the seconds until the oldest one leaves the window."""
        if self.limit <= 0:
            return 0
        now = time.monotonic()
        seen = self._seen[key]
        while seen and seen[0] <= now - 60:
            seen.popleft()
        if len(seen) >= self.limit:
            return max(int(seen[0] + 60 - now + 0.999), 1)
        seen.append(now)
        return 0


class ClientShare:
    """At most `per_client` renders of one credential in the render pool at once; its further renders wait in
    their own line (at most `waiting` of them, past that 429), so one client's slow or repeated renders can
    never take every worker and the queue from everyone else."""

    def __init__(self, per_client: int, waiting: int):
        self.per_client, self.waiting = max(1, per_client), max(0, waiting)
        self._slots: dict[str, asyncio.Semaphore] = {}
        self._users: collections.Counter[str] = collections.Counter()

    @contextlib.asynccontextmanager
    async def slot(self, key: str) -> AsyncIterator[None]:
        if self._users[key] >= self.per_client + self.waiting:
            raise Problem(429, "您同时提交的生成请求过多，请等前面的完成后再试。", headers={"Retry-After": "5"})
        self._users[key] += 1
        semaphore = self._slots.setdefault(key, asyncio.Semaphore(self.per_client))
        try:
            async with semaphore:
                yield
        finally:
            self._users[key] -= 1
            if not self._users[key]:
                del self._users[key]
                self._slots.pop(key, None)
