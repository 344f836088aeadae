"""The database layer: SQLite pragmas that make a 200 durable, migrations at start, concurrent saves."""

from __future__ import annotations

import asyncio

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from docgen.app import create_app
from docgen.service import Settings
from docgen.service.models import FilingVersion
from service.api_helpers import EXAMPLES, YAML


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_sqlite_is_wal_with_full_sync_and_foreign_keys(api) -> None:
    db = api.app.state.db
    for engine in (db.read_engine, db.write_engine):
        with engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL: fsync at every commit
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    assert (api.data / "docgen.sqlite3").exists()


def test_a_version_needs_its_filing(api) -> None:
    def orphan(session) -> None:
        session.add(
            FilingVersion(
                filing_id=12345,
                number=1,
                created_by="x",
                filename="x.yaml",
                media_type="application/yaml",
                size=0,
                sha256="0" * 64,
                content=b"",
                report={},
            )
        )

    with pytest.raises(IntegrityError):
        api.app.state.db.write_sync(orphan)


def test_migrations_run_at_start_and_again_harmlessly(api, database_url) -> None:
    url = database_url
    again = create_app(Settings(data=api.data, database_url=url))
    try:
        head = again.state.db.read_sync(
            lambda s: s.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
        )
        assert len(head) == 1 and head[0]  # one head, whatever number later revisions reach
    finally:
        again.state.db.dispose()


def test_concurrent_saves_of_one_filing_get_distinct_versions(api) -> None:
    body = (EXAMPLES / "guangzhou.yaml").read_bytes()

    async def run() -> list[httpx.Response]:
        transport = httpx.ASGITransport(app=api.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as client:
            return await asyncio.gather(
                *[
                    client.put(
                        "/api/v1/filings/2024/guangzhou",
                        content=body + f"# {i}\n".encode(),
                        headers={**YAML, **api.auth("guangzhou")},
                    )
                    for i in range(8)
                ]
            )

    answers = asyncio.run(run())
    assert [r.status_code for r in answers] == [200] * 8, [r.text for r in answers]
    assert sorted(r.json()["version"] for r in answers) == list(range(1, 9))
    listed = api.client.get("/api/v1/filings/2024/guangzhou/versions", headers=api.auth("guangzhou")).json()["versions"]
    by_number = {r.json()["version"]: r.json()["sha256"] for r in answers}
    assert {v["number"]: v["sha256"] for v in listed} == by_number
