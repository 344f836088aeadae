"""Content-addressed output store under --data: the same source, templates, version and format render once.

Key = SHA-256 over (SHA-256 of the source bytes, the source's file name, the templates-and-forms
hash, the docgen version, the format). The file name is part of the key because the PDF packet
embeds the source under that name. Files live at ``DATA/store/ab/<key>.<fmt>``, written atomically
(temporary name, fsync, rename), so a crash never leaves half a file under a key. Concurrent
requests for one key wait for one render (single flight).
"""

from __future__ import annotations

import asyncio
import collections
import os
from collections.abc import Awaitable, Callable
from pathlib import Path

from docgen import __version__
from docgen.batch.manifest import sha256_bytes, tree_hash
from docgen.io.atomic import write_bytes
from docgen.io.paths import DATA_DIR, TEMPLATES_DIR


class OutputStore:
    """Rendered outputs by content key, with hit/miss counters for /metrics."""

    def __init__(self, data_dir: Path, templates: Path = TEMPLATES_DIR, forms: Path = DATA_DIR / "forms"):
        self.root = Path(data_dir) / "store"
        self.root.mkdir(parents=True, exist_ok=True)
        # Hashed once at start: templates and forms are read-only while the server runs.
        self.inputs_hash = tree_hash(Path(templates), Path(forms))
        self.counts: collections.Counter[str] = collections.Counter()  # hit, miss
        self._inflight: dict[str, asyncio.Future[bytes]] = {}

    def key(self, source: bytes, filename: str, fmt: str) -> str:
        parts = [sha256_bytes(source), Path(filename).name, self.inputs_hash, __version__, fmt]
        return sha256_bytes("\0".join(parts).encode("utf-8"))

    def path(self, key: str, fmt: str) -> Path:
        return self.root / key[:2] / f"{key}.{fmt}"

    def lookup(self, source: bytes, filename: str, fmt: str, count_miss: bool = True) -> Path | None:
        """The stored file for these inputs, or None (counts a hit, and a miss unless the caller renders next
        through get_or_render, which counts it)."""
        path = self.path(self.key(source, filename, fmt), fmt)
        if path.is_file():
            self.counts["hit"] += 1
            return path
        if count_miss:
            self.counts["miss"] += 1
        return None

    def put(self, source: bytes, filename: str, fmt: str, data: bytes) -> Path:
        return write_bytes(self.path(self.key(source, filename, fmt), fmt), data)

    async def get_or_render(
        self, source: bytes, filename: str, fmt: str, render: Callable[[], Awaitable[bytes]]
    ) -> bytes:
        """The stored bytes, else `render()` once (shared by concurrent callers) and store them."""
        key = self.key(source, filename, fmt)
        path = self.path(key, fmt)
        if key in self._inflight:
            self.counts["hit"] += 1
            return await asyncio.shield(self._inflight[key])
        # Registered before the first await, so concurrent callers find it.
        future: asyncio.Future[bytes] = asyncio.get_running_loop().create_future()
        self._inflight[key] = future
        try:
            try:
                data = await asyncio.to_thread(path.read_bytes)
                self.counts["hit"] += 1
            except FileNotFoundError:
                self.counts["miss"] += 1
                data = await render()
                await asyncio.to_thread(write_bytes, path, data)
            future.set_result(data)
            return data
        except BaseException as exc:
            future.set_exception(exc)
            future.exception()  # retrieved: no "never retrieved" warning when nobody else waited
            raise
        finally:
            del self._inflight[key]

    def size(self) -> tuple[int, int]:
        """(files, bytes) in the store."""
        files = total = 0
        for dirpath, _, names in os.walk(self.root):
            for name in names:
                if not name.startswith("."):
                    files += 1
                    total += os.path.getsize(os.path.join(dirpath, name))
        return files, total
