"""Fixtures of the service tests: every API test runs on SQLite and on a real PostgreSQL."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from docgen.app import create_app
from docgen.service import Settings, accounts
from service.service_helpers import PostgresCluster, Server


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresCluster]:
    cluster = PostgresCluster()
    try:
        yield cluster.start()
    finally:
        cluster.stop()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest) -> str:
    """ "" for the embedded SQLite (in --data), else a fresh database on the throwaway cluster."""
    if request.param == "sqlite":
        return ""
    return request.getfixturevalue("postgres").create_database()


@dataclass
class Api:
    """An in-process app with tokens for two units and the province, and a test client."""

    client: TestClient
    app: object
    data: Path
    tokens: dict[str, str]
    token_ids: dict[str, int]

    def auth(self, who: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[who]}"}


@pytest.fixture
def api(tmp_path: Path, database_url: str) -> Iterator[Api]:
    yield from make_api(tmp_path, database_url, check_workers=0)


@pytest.fixture
def api_check_pool(tmp_path: Path) -> Iterator[Api]:
    """The in-process app with one check worker (what `docgen serve` runs), up before the first request."""
    yield from make_api(tmp_path, "", check_workers=1)


def make_api(tmp_path: Path, database_url: str, **settings: object) -> Iterator[Api]:
    data = tmp_path / "var"
    settings.setdefault("saves_per_minute", 0)  # these tests save far more often than a clerk; test_trust tests the cap
    # Cold workers: most of these tests never render, so the pool need not load the fonts first.
    # Checks in a thread (check_workers=0) unless a test asks for the check pool, which serve starts.
    app = create_app(Settings(data=data, database_url=database_url, workers=1, render_warm=False, **settings))  # type: ignore[arg-type]
    db = app.state.db
    tokens, ids = {}, {}
    for who, unit, province in (
        ("guangzhou", "guangzhou", False),
        ("shenzhen", "shenzhen", False),
        ("province", None, True),
        ("revoked", "guangzhou", False),
    ):
        row, secret = db.write_sync(lambda s, u=unit, p=province, n=who: accounts.create_token(s, u, p, n))
        tokens[who], ids[who] = secret, row.id
    db.write_sync(lambda s: accounts.revoke_token(s, ids["revoked"]))
    with TestClient(app, base_url="http://127.0.0.1") as client:
        deadline = time.monotonic() + 60  # the lifespan starts the render pool in the background
        pools = [p for p in (app.state.pool, app.state.check_pool) if p is not None]
        while not all(p.alive() for p in pools) and time.monotonic() < deadline:
            time.sleep(0.05)
        yield Api(client, app, data, tokens, ids)
    db.dispose()


@pytest.fixture
def server_factory(request: pytest.FixtureRequest) -> Iterator:
    """start(data, database) → a running `docgen serve`; every process is killed by the finalizer."""
    started: list[Server] = []

    def start(data: Path, database: str = "", extra: tuple[str, ...] = ()) -> Server:
        server = Server(data, database, extra)
        started.append(server)
        return server.start()

    yield start
    for server in started:
        server.kill()
