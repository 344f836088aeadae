"""What a running service is configured with: data folder, database URL, limits."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from docgen.io.paths import TEMPLATES_DIR

DEFAULT_DATA = Path("var")
MAX_BODY = 5 * 1024 * 1024  # the contract's default body limit (5 MB)
RENDER_TIMEOUT = 60.0  # seconds, the contract's default per-render limit
BODY_TIMEOUT = 60.0  # seconds a request body may take to arrive (5 MB at 1 Mbit/s is 42 s)
SAVES_PER_MINUTE = 60  # versions a unit may save per minute (an explicit save is a click, not a keystroke)
DRAFTS_PER_MINUTE = 240  # autosaves of the working draft per unit per minute
UNIT_QUOTA = 1024 * 1024 * 1024  # bytes of versions one unit may store (200 versions at the 5 MB body limit)


def sqlite_url(data: Path) -> str:
    return f"sqlite:///{(Path(data) / 'docgen.sqlite3').resolve()}"


def normalise_url(url: str) -> str:
    """`postgresql://…` means psycopg 3 (SQLAlchemy would otherwise pick psycopg2)."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


@dataclass(frozen=True)
class Settings:
    """Everything `create_app` needs; built by `docgen serve` or by tests."""

    data: Path = DEFAULT_DATA
    database_url: str = ""  # empty: SQLite file in `data` (the CLI reads --database / DOCGEN_DATABASE_URL)
    workers: int = field(default_factory=lambda: os.cpu_count() or 1)
    max_body: int = MAX_BODY
    render_timeout: float = RENDER_TIMEOUT
    templates: Path = TEMPLATES_DIR
    render_queue: int | None = None  # renders that may wait for a worker; None: 4 per worker; past it 429
    scheduler: str | None = None  # Dask scheduler address for batch jobs (as `docgen batch --scheduler`)
    # Validation runs in its own pool of worker processes, so concurrent checks use every core instead of
    # queueing behind one interpreter lock; None: one per core, 0: in a thread of the server process.
    check_workers: int | None = None
    check_queue: int | None = None  # checks that may wait for a check worker; None: 32 per worker; past it 429
    render_warm: bool = True  # workers fork from a zygote with WeasyPrint and the fonts loaded (tests may skip it)
    shutdown_grace: float = 10.0  # seconds running renders may finish after SIGTERM before they are abandoned
    body_timeout: float = BODY_TIMEOUT
    saves_per_minute: int = SAVES_PER_MINUTE  # 0: no limit
    drafts_per_minute: int = DRAFTS_PER_MINUTE
    unit_quota: int = UNIT_QUOTA
    batch_workers: int = 1  # batch jobs run in a pool of their own, so a batch never holds a clerk's render worker

    @property
    def url(self) -> str:
        return normalise_url(self.database_url or sqlite_url(self.data))
