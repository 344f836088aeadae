"""Renders, the store, /metrics and batch jobs through the API, in-process (ASGI) with a real worker pool."""

from __future__ import annotations

import asyncio
import io
import time
from pathlib import Path

import httpx
import openpyxl
import pytest

from docgen.app import create_app
from docgen.registry import Options, render_file
from docgen.service import Settings
from docgen.service.accounts import create_token

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "data" / "submissions" / "2024"
YAML = {"Content-Type": "application/yaml"}


def token(app, unit: str | None = None) -> str:
    return app.state.db.write_sync(lambda s: create_token(s, unit, unit is None, "test")[1])


def bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


async def serve(app, body, client_addr=("127.0.0.1", 50000)):
    """Run the app's lifespan (the pool starts and stops) around body(client, app)."""
    async with app.router.lifespan_context(app):
        await app.state.pool.ready()  # the lifespan starts it in the background
        transport = httpx.ASGITransport(app=app, client=client_addr)
        async with httpx.AsyncClient(transport=transport, base_url="http://test", timeout=120) as client:
            return await body(client, app)


def unique(name: str, tag: str) -> bytes:
    return (EXAMPLES / name).read_bytes() + f"\n# {tag}\n".encode()


def _apps(tmp_path, database_url):
    apps = []

    def make(**kw):
        settings = Settings(data=tmp_path / f"data{len(apps)}", database_url=database_url, **kw)
        app = create_app(settings)
        apps.append(app)
        return app

    yield make
    for app in apps:
        pool = app.state.pool
        assert not pool.alive()  # the lifespan stopped it
        assert all(not Path(f"/proc/{pid}").exists() for pid in [pool.zygote_pid, *pool.pids])
        assert list(pool.scratch.iterdir()) == []  # WeasyPrint's font copies were removed


@pytest.fixture
def make_app(tmp_path):
    """Apps on SQLite: what these tests check does not touch the database."""
    yield from _apps(tmp_path, "")


@pytest.fixture
def make_db_app(tmp_path, database_url):
    """Apps on SQLite and on PostgreSQL."""
    yield from _apps(tmp_path, database_url)


@pytest.mark.slow
def test_a_second_render_is_served_from_the_store_and_matches_the_cli(make_app, tmp_path):
    app = make_app(workers=2)
    province = token(app)

    async def body(client, app):
        data = (EXAMPLES / "guangzhou.yaml").read_bytes()
        first = await client.post("/api/v1/render?format=pdf", content=data, headers={**YAML, **bearer(province)})
        renders = app.state.pool.counts["ok"]
        start = time.perf_counter()
        second = await client.post("/api/v1/render?format=pdf", content=data, headers={**YAML, **bearer(province)})
        took = time.perf_counter() - start
        metrics = (await client.get("/metrics")).text
        return first, second, renders, app.state.pool.counts["ok"], took, metrics

    first, second, before, after, _, metrics = asyncio.run(serve(app, body))
    assert first.status_code == second.status_code == 200
    assert first.headers["content-type"] == "application/pdf"
    assert first.content == second.content
    assert before == after == 1  # the second cost no rendering (and no checking: same bytes, same result)
    assert app.state.store.counts["hit"] == 1 and app.state.store.counts["miss"] == 1
    assert 'docgen_store_lookups_total{result="hit"} 1.0' in metrics
    assert 'docgen_renders_total{result="ok"} 1.0' in metrics
    assert 'docgen_http_requests_total{method="POST",route="/api/v1/render",status="200"} 2.0' in metrics
    # the same bytes `docgen render` writes for a file of that name (a bare body is named submission.yaml)
    copy = tmp_path / "submission.yaml"
    copy.write_bytes((EXAMPLES / "guangzhou.yaml").read_bytes())
    assert first.content == render_file(copy, Options(formats=("pdf",))).outputs["pdf"]


def test_a_full_queue_answers_429_with_retry_after_and_the_rest_render(make_app):
    app = make_app(workers=2, render_queue=1, render_warm=False)
    names = sorted(p.name for p in EXAMPLES.glob("*.yaml"))[:6]
    # six units at once, each its own credential (one credential alone is held to its own line first)
    tokens = {n: token(app, n.removesuffix(".yaml")) for n in names}

    async def body(client, app):
        replies = await asyncio.gather(
            *(
                client.post("/api/v1/render?format=docx", content=unique(n, "q"), headers={**YAML, **bearer(tokens[n])})
                for n in names
            )
        )
        ready = await client.get("/readyz")
        return replies, ready

    replies, ready = asyncio.run(serve(app, body))
    statuses = sorted(r.status_code for r in replies)
    assert statuses == [200, 200, 200, 429, 429, 429]  # 2 running + 1 waiting, the rest refused
    for r in replies:
        if r.status_code == 429:
            assert int(r.headers["retry-after"]) >= 1
            assert r.headers["content-type"] == "application/problem+json"
            assert "重试" in r.json()["detail"]
    assert ready.status_code == 200 and app.state.pool.counts["rejected"] == 3


def test_a_full_check_queue_answers_429_with_retry_after_and_the_rest_are_checked(make_app):
    app = make_app(workers=1, render_warm=False, check_workers=1, check_queue=1)
    unit = token(app, "shenzhen")

    async def body(client, app):
        await app.state.check_pool.ready()  # until then checks run in a thread, with no queue to fill
        data = [unique("shenzhen.yaml", f"c{i}") for i in range(8)]  # the largest example, each bytes new
        replies = await asyncio.gather(
            *(client.post("/api/v1/validate", content=d, headers={**YAML, **bearer(unit)}) for d in data)
        )
        return replies, app.state.check_pool.counts["rejected"]

    replies, rejected = asyncio.run(serve(app, body))
    statuses = [r.status_code for r in replies]
    assert set(statuses) == {200, 429} and statuses.count(200) >= 2, statuses  # 1 checking + 1 waiting
    assert rejected == statuses.count(429)
    for r in replies:
        if r.status_code == 429:
            assert int(r.headers["retry-after"]) >= 1
            assert r.headers["content-type"] == "application/problem+json"
            assert "检查任务排队已满" in r.json()["detail"]
        else:
            assert r.json()["valid"] is True and r.json()["errors"] == 0


def test_a_render_past_its_time_limit_answers_504_and_its_worker_is_replaced(make_app):
    app = make_app(workers=1, render_timeout=0.2)  # any real PDF takes longer than 0.2 s
    province = token(app)

    async def body(client, app):
        before = app.state.pool.pids
        slow = await client.post(
            "/api/v1/render?format=pdf", content=unique("shenzhen.yaml", "slow"), headers={**YAML, **bearer(province)}
        )
        for _ in range(100):
            if app.state.pool.pids and app.state.pool.pids != before:
                break
            await asyncio.sleep(0.05)
        after = app.state.pool.pids
        ready = await client.get("/readyz")
        metrics = (await client.get("/metrics")).text
        return slow, before, after, ready, metrics

    slow, before, after, ready, metrics = asyncio.run(serve(app, body))
    assert slow.status_code == 504 and "时限" in slow.json()["detail"]
    assert len(after) == 1 and after != before and not Path(f"/proc/{before[0]}").exists()
    assert ready.status_code == 200
    assert 'docgen_renders_total{result="timeout"} 1.0' in metrics
    assert "docgen_render_workers_replaced_total 1.0" in metrics


def test_metrics_are_for_loopback_or_the_province(make_app):
    app = make_app(workers=1, render_warm=False)
    province, unit = token(app), token(app, "guangzhou")

    async def body(client, app):
        return [(await client.get("/metrics", headers=h)).status_code for h in ({}, bearer(unit), bearer(province))]

    assert asyncio.run(serve(app, body)) == [200, 200, 200]
    assert asyncio.run(serve(app, body, client_addr=("192.0.2.7", 40000))) == [401, 403, 200]


def submit(client, app, unit: str, data: bytes, name: str = "f.yaml", media: str = "application/yaml"):
    secret = token(app, unit)

    async def go():
        saved = await client.put(
            f"/api/v1/filings/2024/{unit}", content=data, headers={"Content-Type": media, **bearer(secret)}
        )
        assert saved.status_code == 200, saved.text
        sent = await client.post(f"/api/v1/filings/2024/{unit}/submit", headers=bearer(secret))
        assert sent.status_code == 200, sent.text

    return go()


async def wait_job(client, url: str, headers: dict, until=("done", "failed"), timeout: float = 300) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = (await client.get(url, headers=headers)).json()
        if job["status"] in until:
            return job
        await asyncio.sleep(0.3)
    raise AssertionError(f"job still {job}")


@pytest.mark.slow
def test_a_batch_job_builds_every_submitted_filing_the_summary_and_the_archive(make_db_app):
    app = make_db_app(workers=2)
    province, unit = token(app), token(app, "guangzhou")

    async def body(client, app):
        await submit(client, app, "guangzhou", (EXAMPLES / "guangzhou.yaml").read_bytes())
        await submit(client, app, "shanwei", (EXAMPLES / "shanwei.yaml").read_bytes())
        # a draft is not part of the batch
        draft = await client.put(
            "/api/v1/filings/2024/foshan",
            content=(EXAMPLES / "foshan.yaml").read_bytes(),
            headers={**YAML, **bearer(token(app, "foshan"))},
        )
        assert draft.status_code == 200
        refused = await client.post("/api/v1/batches", json={"year": 2024}, headers=bearer(unit))
        started = await client.post("/api/v1/batches", json={"year": 2024}, headers=bearer(province))
        assert started.status_code == 202, started.text
        url = started.json()["status_url"]
        job = await wait_job(client, url, bearer(province))
        summary = await client.get(f"{url}/files/汇总表.xlsx", headers=bearer(province))
        volume = await client.get(f"{url}/files/归档卷.pdf", headers=bearer(province))
        missing = [
            (await client.get(f"{url}/files/{name}", headers=bearer(province))).status_code
            for name in ("foshan.pdf", "..%2F..%2Fdocgen.sqlite3", "manifest.json")
        ]
        unit_view = (await client.get(url, headers=bearer(unit))).status_code
        unknown = (await client.get("/api/v1/jobs/nope", headers=bearer(province))).status_code
        again = await client.post(f"{url}/restart", headers=bearer(province))
        # the unit's own packet: rendered once, then served from the store
        renders = app.state.pool.counts["ok"]
        packets = [
            await client.get("/api/v1/filings/2024/guangzhou/files/packet.pdf", headers=bearer(unit)) for _ in range(2)
        ]
        assert [p.status_code for p in packets] == [200, 200] and packets[0].content == packets[1].content
        assert app.state.pool.counts["ok"] == renders + 1
        return refused, started, job, summary, volume, missing, unit_view, unknown, again

    refused, started, job, summary, volume, missing, unit_view, unknown, again = asyncio.run(serve(app, body))
    assert refused.status_code == 403
    assert started.json()["status_url"] == f"/api/v1/jobs/{started.json()['id']}"
    assert job["status"] == "done" and job["done"] == job["total"] == 2 and job["errors"] == []
    for name in (
        "guangzhou.pdf",
        "guangzhou.docx",
        "guangzhou.xlsx",
        "shanwei.pdf",
        "汇总表.xlsx",
        "汇总表.pdf",
        "归档卷.pdf",
        "manifest.json",
    ):
        assert name in job["files"]
    assert not any(f.startswith("foshan") for f in job["files"])
    assert summary.status_code == 200 and volume.content.startswith(b"%PDF")
    sheet = openpyxl.load_workbook(io.BytesIO(summary.content)).worksheets[0]
    units = {str(c.value) for c in sheet["A"] if c.value}
    assert "广州市市场监督管理局" in units or any("广州" in u for u in units)
    assert any("汕尾" in u for u in units) and not any("佛山" in u for u in units)
    assert missing == [404, 404, 200]
    assert unit_view == 403 and unknown == 404
    assert again.status_code == 409  # only a failed job is started again


@pytest.mark.slow
def test_with_a_scheduler_a_batch_job_renders_on_the_dask_cluster(tmp_path):
    import distributed  # a test dependency: never skipped

    with distributed.LocalCluster(
        n_workers=1, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=None
    ) as cluster:
        app = create_app(Settings(data=tmp_path / "var", workers=1, scheduler=cluster.scheduler_address))
        province = token(app)

        async def body(client, app):
            await submit(client, app, "guangzhou", (EXAMPLES / "guangzhou.yaml").read_bytes())
            started = await client.post("/api/v1/batches", json={"year": 2024}, headers=bearer(province))
            return await wait_job(client, started.json()["status_url"], bearer(province))

        job = asyncio.run(serve(app, body))
        with distributed.Client(cluster) as client:
            prefixes = client.run_on_scheduler(lambda dask_scheduler: sorted(dask_scheduler.task_prefixes))
    assert job["status"] == "done" and job["done"] == job["total"] == 1, job
    assert "guangzhou.pdf" in job["files"] and "汇总表.xlsx" in job["files"]
    assert any(p.startswith("docgen") for p in prefixes), prefixes  # the unit was rendered by the cluster
