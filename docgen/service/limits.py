"""The body limit, enforced while the body streams in (never after reading it all)."""

from __future__ import annotations

from typing import Any

from docgen.service.problems import Problem, problem_response


def too_large(limit: int) -> Problem:
    return Problem(413, f"请求内容超过上限 {limit / 1024 / 1024:g} MB；请拆分或压缩后再提交。")


class BodyLimit:
    """ASGI middleware: 413 up front when Content-Length says too much, else stop reading at the limit."""

    def __init__(self, app: Any, limit: int):
        self.app, self.limit = app, limit

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
        limit = self.limit

        async def limited() -> dict:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise too_large(limit)
            return message

        await self.app(scope, limited, send)
