"""A real `docgen serve` on 127.0.0.1: a batch job survives kill -9, SIGTERM exits 0, nothing is left behind."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import httpx
import pytest

from docgen.service import Settings, accounts
from docgen.service.db import Database
from service.service_helpers import Server

pytestmark = pytest.mark.slow  # real servers killed and restarted around a batch job

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "data" / "submissions" / "2024"
UNITS = ("guangzhou", "heyuan", "shanwei")  # small units: what is tested is the job, not the layout


def descendants(pid: int) -> set[int]:
    parents: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as fh:
                    parents[int(entry)] = int(fh.read().rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue
    found, frontier = set(), [pid]
    while frontier:
        p = frontier.pop()
        for child, parent in parents.items():
            if parent == p and child not in found:
                found.add(child)
                frontier.append(child)
    return found


def gone(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] in ("Z", "X")
    except FileNotFoundError:
        return True


def wait_for(predicate, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.fixture
def servers():
    """start(data, database) → a running server; every process it or its pool made is killed at the end."""
    started: list[tuple[Server, set[int]]] = []

    def start(data: Path, database: str) -> Server:
        server = Server(data, database).start()
        started.append((server, set()))
        return server

    yield start
    for server, _ in started:
        pids = descendants(server.proc.pid) if server.proc and server.proc.poll() is None else set()
        server.kill()
        for pid in pids:
            if not gone(pid):
                os.kill(pid, signal.SIGKILL)


def test_a_batch_job_cut_off_by_kill_9_is_marked_failed_and_completes_when_restarted(tmp_path, database_url, servers):
    data = tmp_path / "var"
    db = Database(Settings(data=data, database_url=database_url).url)
    db.migrate()
    tokens = {unit: db.write_sync(lambda s, u=unit: accounts.create_token(s, u, False, u)[1]) for unit in UNITS}
    province = {"Authorization": "Bearer " + db.write_sync(lambda s: accounts.create_token(s, None, True, "p")[1])}
    db.dispose()

    server = servers(data, database_url)
    wait_for(lambda: httpx.get(server.base + "/readyz", timeout=5).status_code == 200, 60, "readyz")
    with httpx.Client(base_url=server.base, timeout=60) as client:
        for unit in UNITS:
            auth = {"Authorization": f"Bearer {tokens[unit]}"}
            r = client.put(
                f"/api/v1/filings/2024/{unit}",
                content=(EXAMPLES / f"{unit}.yaml").read_bytes(),
                headers={"Content-Type": "application/yaml", **auth},
            )
            assert r.status_code == 200, r.text
            assert client.post(f"/api/v1/filings/2024/{unit}/submit", headers=auth).status_code == 200
        started = client.post("/api/v1/batches", json={"year": 2024}, headers=province)
        assert started.status_code == 202, started.text
        url = started.json()["status_url"]
        # cut it off once the first unit is finished and the rest is still to do
        job = wait_for(lambda: (j := client.get(url, headers=province).json())["done"] >= 1 and j, 240, "progress")
        assert job["status"] == "running" and job["total"] == len(UNITS)
    pool_processes = descendants(server.proc.pid)
    assert len(pool_processes) >= 2  # the zygote and its worker (and the batch's own processes)
    server.proc.send_signal(signal.SIGKILL)
    server.proc.wait(30)
    wait_for(lambda: all(gone(p) for p in pool_processes), 10, "the pool to die with the server")

    server = servers(data, database_url)
    wait_for(lambda: httpx.get(server.base + "/readyz", timeout=5).status_code == 200, 60, "readyz after restart")
    with httpx.Client(base_url=server.base, timeout=60) as client:
        job = client.get(url, headers=province).json()
        assert job["status"] == "failed" and "中断" in job["reason"] and "restart" in job["reason"]
        again = client.post(f"{url}/restart", headers=province)
        assert again.status_code == 202 and again.json()["status_url"] == url
        job = wait_for(
            lambda: (j := client.get(url, headers=province).json())["status"] in ("done", "failed") and j,
            300,
            "the restarted job",
        )
        assert job["status"] == "done", job
        assert job["done"] == job["total"] == len(UNITS) and job["errors"] == [] and job["attempts"] == 2
        for name in ("guangzhou.pdf", "heyuan.pdf", "shanwei.pdf", "汇总表.xlsx", "归档卷.pdf"):
            assert name in job["files"]
        volume = client.get(f"{url}/files/归档卷.pdf", headers=province)
        assert volume.status_code == 200 and volume.content.startswith(b"%PDF")
        import io

        from pypdf import PdfReader

        outline = [item.title for item in PdfReader(io.BytesIO(volume.content)).outline if hasattr(item, "title")]
        assert sum(any(city in title for title in outline) for city in ("广州", "河源", "汕尾")) == 3
        log_lines = server.output()
    # SIGTERM: stop accepting, wind the pool down, exit 0, leave nothing behind
    pool_processes = descendants(server.proc.pid)
    server.signal(signal.SIGTERM)
    assert server.wait(60) == 0
    assert all(gone(p) for p in pool_processes)
    assert not any((data / "tmp").iterdir())  # the font copies of the clean stop were removed
    assert '"event": "job-recovered"' in log_lines
