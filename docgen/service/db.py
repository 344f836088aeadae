"""Engines, sessions and migrations: SQLite (WAL, synchronous=FULL, foreign keys) or PostgreSQL (psycopg 3)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import anyio.to_thread
from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from docgen.service.settings import Settings

T = TypeVar("T")
MIGRATIONS = Path(__file__).parent / "migrations"


def _sqlite_engine(url: str, immediate: bool) -> Engine:
    engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

    @event.listens_for(engine, "connect")
    def _connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # we issue BEGIN ourselves (below): pysqlite's own is too late
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        # FULL: the WAL is fsynced at every commit. NORMAL would only fsync at checkpoints, so an
        # acknowledged save could vanish on power loss; the contract says a 200 is durable.
        cur.execute("PRAGMA synchronous=FULL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA busy_timeout=30000")
        cur.close()

    @event.listens_for(engine, "begin")
    def _begin(conn: Any) -> None:
        # Writers take the write lock up front: a deferred transaction that reads, then writes,
        # can fail with SQLITE_BUSY at once when another writer got there first.
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


class Database:
    """Read and write transactions run in worker threads, so the event loop never waits on the disk."""

    def __init__(self, url: str):
        self.url = url
        self.is_sqlite = url.startswith("sqlite")
        if self.is_sqlite:
            Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
            self.read_engine = _sqlite_engine(url, immediate=False)
            self.write_engine = _sqlite_engine(url, immediate=True)
        else:
            self.read_engine = self.write_engine = create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20)
        self._read = sessionmaker(self.read_engine, expire_on_commit=False)
        self._write = sessionmaker(self.write_engine, expire_on_commit=False)

    @classmethod
    def from_settings(cls, settings: Settings) -> Database:
        return cls(settings.url)

    def read_sync(self, fn: Callable[[Session], T]) -> T:
        with self._read() as session, session.begin():
            return fn(session)

    def write_sync(self, fn: Callable[[Session], T]) -> T:
        """Run `fn` in one transaction; when this returns, the commit is on disk."""
        with self._write() as session, session.begin():
            return fn(session)

    async def read(self, fn: Callable[[Session], T]) -> T:
        return await anyio.to_thread.run_sync(self.read_sync, fn)

    async def write(self, fn: Callable[[Session], T]) -> T:
        return await anyio.to_thread.run_sync(self.write_sync, fn)

    def ping(self) -> bool:
        with self.read_engine.connect() as conn:
            return conn.execute(text("SELECT 1")).scalar() == 1

    def migrate(self) -> None:
        """Bring the schema to the newest revision (Alembic's Python API, not its CLI)."""
        from alembic import command
        from alembic.config import Config

        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS))
        with self.write_engine.connect() as conn:
            # SQLite: a batch migration copies a table and drops the old one, and DROP TABLE first deletes
            # its rows (cascading to a filing's draft, refused for its versions). Foreign keys are off while
            # migrations run (the pragma acts only outside a transaction) and checked before the last commit.
            raw = conn.connection.driver_connection if self.is_sqlite else None
            if raw is not None:
                raw.execute("PRAGMA foreign_keys=OFF")
            try:
                config.attributes["connection"] = conn
                command.upgrade(config, "head")
                if raw is not None and conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall():
                    raise RuntimeError("数据库迁移后外键不一致，已回滚最后一步；请联系管理员")
                conn.commit()
            finally:
                if raw is not None:
                    if conn.in_transaction():
                        conn.rollback()
                    raw.execute("PRAGMA foreign_keys=ON")  # the pooled connection is used again

    def dispose(self) -> None:
        self.read_engine.dispose()
        if self.write_engine is not self.read_engine:
            self.write_engine.dispose()
