"""HTTPS and the data on disk: HSTS when served over HTTPS, the data folder readable by its owner only."""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Any

HSTS = b"max-age=31536000"  # a year: browsers then never try plain HTTP for this host


class StrictTransport:
    """ASGI middleware: `Strict-Transport-Security` on every answer to a request that came over HTTPS
    (uvicorn's own TLS, or a trusted proxy's X-Forwarded-Proto: https with --forwarded-allow-ips)."""

    def __init__(self, app: Any):
        self.app = app

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope.get("scheme") != "https":
            await self.app(scope, receive, send)
            return

        async def with_hsts(message: dict) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", []), (b"strict-transport-security", HSTS)]}
            await send(message)

        await self.app(scope, receive, with_hsts)


def private_data(data: Path, umask: bool = False, sqlite: bool = True) -> None:
    """Create `--data` as 0700 and its database file as 0600 (password hashes, every filing); SQLite gives its
    -wal and -shm files the database file's mode. `umask`: also everything this process writes from now on
    (`docgen serve`: the output store, batch jobs); files an older version left readable by others are tightened."""
    if umask:
        os.umask(0o077)
    data = Path(data)
    data.mkdir(mode=0o700, parents=True, exist_ok=True)
    if data.stat().st_uid == os.geteuid():
        data.chmod(0o700)
    database = data / "docgen.sqlite3"
    if sqlite and not database.exists():
        os.close(os.open(database, os.O_CREAT | os.O_WRONLY, 0o600))
    for path in data.glob("docgen.sqlite3*"):
        mode = path.stat()
        if path.is_file() and mode.st_uid == os.geteuid() and mode.st_mode & (stat.S_IRWXG | stat.S_IRWXO):
            path.chmod(0o600)
