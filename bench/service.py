"""Benchmark `docgen serve` on 127.0.0.1 (not a test; bounded loops, stops by itself).

    .venv/bin/python bench/service.py            # writes build/bench/service.md and prints it

Starts a real server on a free loopback port with a fresh --data folder, then measures:
validate p50/p95 at 20 concurrent clients, render throughput per core (fresh inputs, so no store
hits), latency of a stored file, memory per render worker, and behaviour at 4× overload (only
200/429/503 may come back; a 500 or a dropped connection is counted and fails the run).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((ROOT / "data" / "submissions" / "2024").glob("*.yaml"))
OUT = ROOT / "build" / "bench"
PYTHON = str(ROOT / ".venv" / "bin" / "python")
sys.path.insert(0, str(ROOT))


def serve_command() -> list[str]:
    return [PYTHON, "-m", "docgen", "serve"]


def province_token(data: Path) -> str:
    from docgen.service import Settings, accounts
    from docgen.service.db import Database

    db = Database(Settings(data=data).url)
    db.migrate()
    try:
        return db.write_sync(lambda s: accounts.create_token(s, None, True, "bench")[1])
    finally:
        db.dispose()


TARGETS = {"validate_p95_ms": 150.0, "stored_p95_ms": 50.0}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, max(0, round(q * (len(values) - 1))))]


def process_tree(root: int) -> dict[int, int]:
    """pid → parent pid for `root` and all its descendants."""
    parents: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as fh:
                    parents[int(entry)] = int(fh.read().rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue
    tree, frontier = {root: parents.get(root, 0)}, [root]
    while frontier:
        pid = frontier.pop()
        for child, parent in parents.items():
            if parent == pid and child not in tree:
                tree[child] = parent
                frontier.append(child)
    return tree


def cmdline(pid: int) -> bytes:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as fh:
            return fh.read()
    except OSError:
        return b""


def memory_kb(pid: int) -> tuple[int, int]:
    """(RSS, PSS) in kB: PSS shares the pages forked workers have in common with the zygote fairly."""
    rss = pss = 0
    try:
        with open(f"/proc/{pid}/smaps_rollup") as fh:
            for line in fh:
                if line.startswith("Rss:"):
                    rss = int(line.split()[1])
                elif line.startswith("Pss:"):
                    pss = int(line.split()[1])
    except OSError:
        pass
    return rss, pss


class Server:
    """`docgen serve` in a subprocess on a free loopback port; stopped with SIGTERM, then SIGKILL."""

    def __init__(self, data: Path, workers: int, check_workers: int | None = None):
        self.data, self.workers, self.port = data, workers, free_port()
        self.check_workers = workers if check_workers is None else check_workers
        self.base = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen | None = None

    def __enter__(self) -> Server:
        self.log = open(self.data / "server.log", "wb")
        self.proc = subprocess.Popen(
            [
                *serve_command(),
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--data",
                str(self.data),
                "--workers",
                str(self.workers),
                "--check-workers",
                str(self.check_workers),
            ],
            cwd=ROOT,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise SystemExit(f"docgen serve exited with {self.proc.returncode}; see {self.data / 'server.log'}")
            try:
                if httpx.get(self.base + "/readyz", timeout=2).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.3)
        raise SystemExit("docgen serve did not become ready in 120 s")

    def __exit__(self, *exc: object) -> None:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.returncode = self.proc.wait(30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.returncode = self.proc.wait()
        self.log.close()


async def timed(client: httpx.AsyncClient, method: str, url: str, **kw) -> tuple[float, int | str]:
    start = time.perf_counter()
    try:
        r = await client.request(method, url, **kw)
        status: int | str = r.status_code
    except httpx.HTTPError as exc:
        status = type(exc).__name__  # a dropped connection or a timeout
    return time.perf_counter() - start, status


async def clients(n: int, per_client: int, make_request) -> list[tuple[float, int | str]]:
    """n concurrent clients, each making per_client requests in turn (a bounded loop)."""
    limits = httpx.Limits(max_connections=n, max_keepalive_connections=n)
    async with httpx.AsyncClient(limits=limits, timeout=120) as client:

        async def one(i: int) -> list[tuple[float, int | str]]:
            return [await make_request(client, i, k) for k in range(per_client)]

        return [r for rs in await asyncio.gather(*(one(i) for i in range(n))) for r in rs]


async def raw_clients(
    base: str, token: str, n: int, per_client: int, bodies: list[bytes]
) -> list[tuple[float, int | str]]:
    """n concurrent keep-alive HTTP/1.1 connections POSTing /api/v1/validate, each per_client times in turn.

    A load generator as light as wrk's: a few lines of asyncio streams, so that on the 2-core machine
    the clients do not take the CPU the server is measured on (httpx's client costs about as much per
    request as the server's own work; its figures are reported beside these)."""
    host, port = base.removeprefix("http://").split(":")

    async def one(i: int) -> list[tuple[float, int | str]]:
        reader, writer = await asyncio.open_connection(host, int(port))
        out: list[tuple[float, int | str]] = []
        try:
            for k in range(per_client):
                body = bodies[(i + k) % len(bodies)]
                head = (
                    f"POST /api/v1/validate HTTP/1.1\r\nHost: {host}:{port}\r\nAuthorization: Bearer {token}\r\n"
                    f"Content-Type: application/yaml\r\nContent-Length: {len(body)}\r\n\r\n"
                ).encode()
                start = time.perf_counter()
                writer.write(head + body)
                await writer.drain()
                status_line = await reader.readline()
                length = 0
                while (line := await reader.readline()) not in (b"\r\n", b""):
                    name, _, value = line.decode("latin-1").partition(":")
                    if name.strip().lower() == "content-length":
                        length = int(value)
                await reader.readexactly(length)
                parts = status_line.split()
                out.append((time.perf_counter() - start, int(parts[1]) if len(parts) > 1 else "no status"))
        except (OSError, asyncio.IncompleteReadError) as exc:
            out.append((0.0, type(exc).__name__))
        finally:
            writer.close()
        return out

    return [r for rs in await asyncio.gather(*(one(i) for i in range(n))) for r in rs]


async def check_workers_up(base: str, want: int, timeout: float = 60) -> int:
    """Wait until /metrics shows `want` check workers (the server answers in a thread before that)."""
    deadline = time.monotonic() + timeout
    alive = 0
    async with httpx.AsyncClient(timeout=5) as client:
        while time.monotonic() < deadline:
            for line in (await client.get(base + "/metrics")).text.splitlines():
                if line.startswith("docgen_check_workers "):
                    alive = int(float(line.split()[1]))
            if alive >= want:
                break
            await asyncio.sleep(0.2)
    return alive


def unique(path: Path, tag: str) -> bytes:
    """The example with a trailing comment: same content, new bytes, so the store cannot answer."""
    return path.read_bytes() + f"\n# bench {tag}\n".encode()


async def run(server: Server, token: str, quick: bool) -> dict[str, object]:
    auth = {"Authorization": f"Bearer {token}"}
    yaml_auth = {**auth, "Content-Type": "application/yaml"}
    base = server.base
    results: dict[str, object] = {}
    body = EXAMPLES[0].read_bytes()

    results["check_workers"] = await check_workers_up(base, server.check_workers)
    # warm the validator path once
    await clients(1, 3, lambda c, i, k: timed(c, "POST", base + "/api/v1/validate", content=body, headers=yaml_auth))
    one = await clients(
        1,
        20,
        lambda c, i, k: timed(
            c, "POST", base + "/api/v1/validate", content=EXAMPLES[k % len(EXAMPLES)].read_bytes(), headers=yaml_auth
        ),
    )
    results["validate_one"] = {"p50_ms": pct([t for t, _ in one], 0.5) * 1000}
    per = 5 if quick else 20
    lat = await clients(
        20,
        per,
        lambda c, i, k: timed(
            c,
            "POST",
            base + "/api/v1/validate",
            content=EXAMPLES[(i + k) % len(EXAMPLES)].read_bytes(),
            headers=yaml_auth,
        ),
    )
    ok = [t for t, s in lat if s == 200]
    results["validate_httpx"] = {
        "requests": len(lat),
        "statuses": dict(Counter(s for _, s in lat)),
        "p50_ms": pct(ok, 0.5) * 1000,
        "p95_ms": pct(ok, 0.95) * 1000,
    }
    bodies = [p.read_bytes() for p in EXAMPLES]
    lat = await raw_clients(base, token, 20, per, bodies)
    ok = [t for t, s in lat if s == 200]
    results["validate"] = {
        "clients": 20,
        "requests": len(lat),
        "statuses": dict(Counter(s for _, s in lat)),
        "p50_ms": pct(ok, 0.5) * 1000,
        "p95_ms": pct(ok, 0.95) * 1000,
    }

    # render throughput: as many clients as workers, fresh inputs (no store hits)
    n = len(EXAMPLES) if not quick else 6
    start = time.perf_counter()
    lat = await clients(
        server.workers,
        n // server.workers,
        lambda c, i, k: timed(
            c,
            "POST",
            base + "/api/v1/render?format=pdf",
            headers=yaml_auth,
            content=unique(EXAMPLES[(i * 100 + k) % len(EXAMPLES)], f"tp-{i}-{k}-{time.time_ns()}"),
        ),
    )
    wall = time.perf_counter() - start
    done = sum(1 for _, s in lat if s == 200)
    results["render"] = {
        "renders": done,
        "wall_s": wall,
        "per_s": done / wall,
        "per_s_per_core": done / wall / server.workers,
        "p50_s": pct([t for t, _ in lat], 0.5),
        "statuses": dict(Counter(s for _, s in lat)),
    }

    # memory of the workers right after rendering (the zygote's children)
    tree = process_tree(server.proc.pid)  # type: ignore[union-attr]
    children = [p for p, parent in tree.items() if parent == server.proc.pid]  # type: ignore[union-attr]
    checkers = [p for p in children if b"warm_checker" in cmdline(p)]  # the check pool's zygote
    zygotes = [p for p in children if p not in checkers]
    workers = [p for p, parent in tree.items() if parent in zygotes]
    check_workers = [p for p, parent in tree.items() if parent in checkers]
    mem = {p: memory_kb(p) for p in workers}
    check_mem = [memory_kb(p) for p in check_workers]
    results["memory"] = {
        "workers": len(workers),
        "server_rss_mb": memory_kb(server.proc.pid)[0] / 1024,  # type: ignore[union-attr]
        "zygote_rss_mb": sum(memory_kb(p)[0] for p in zygotes) / 1024,
        "worker_rss_mb": statistics.mean(m[0] for m in mem.values()) / 1024 if mem else 0,
        "worker_pss_mb": statistics.mean(m[1] for m in mem.values()) / 1024 if mem else 0,
        "check_workers": len(check_workers),
        "check_zygote_rss_mb": sum(memory_kb(p)[0] for p in checkers) / 1024,
        "check_worker_rss_mb": statistics.mean(m[0] for m in check_mem) / 1024 if check_mem else 0,
        "check_worker_pss_mb": statistics.mean(m[1] for m in check_mem) / 1024 if check_mem else 0,
    }

    # a stored file: the same request again is served from the store
    again = EXAMPLES[1].read_bytes()
    await clients(
        1, 1, lambda c, i, k: timed(c, "POST", base + "/api/v1/render?format=pdf", content=again, headers=yaml_auth)
    )
    lat = await clients(
        1,
        20 if quick else 50,
        lambda c, i, k: timed(c, "POST", base + "/api/v1/render?format=pdf", content=again, headers=yaml_auth),
    )
    results["stored"] = {
        "requests": len(lat),
        "p50_ms": pct([t for t, _ in lat], 0.5) * 1000,
        "p95_ms": pct([t for t, _ in lat], 0.95) * 1000,
        "statuses": dict(Counter(s for _, s in lat)),
    }

    # 4× overload: four times as many concurrent renders as workers + queue can hold, fresh inputs
    capacity = server.workers * 5  # workers + the default queue bound (4 per worker)
    lat = await clients(
        4 * capacity,
        2,
        lambda c, i, k: timed(
            c,
            "POST",
            base + "/api/v1/render?format=docx",
            headers=yaml_auth,
            content=unique(EXAMPLES[i % len(EXAMPLES)], f"ov-{i}-{k}-{time.time_ns()}"),
        ),
    )
    statuses = Counter(s for _, s in lat)
    results["overload"] = {
        "clients": 4 * capacity,
        "requests": len(lat),
        "statuses": dict(statuses),
        "bad": sum(v for s, v in statuses.items() if s not in (200, 429, 503)),
    }
    health = httpx.get(base + "/healthz", timeout=5)
    results["overload"]["healthy_after"] = health.status_code == 200  # type: ignore[index]
    metrics = httpx.get(base + "/metrics", timeout=5).text
    results["metrics"] = [
        line for line in metrics.splitlines() if line.startswith(("docgen_renders_total", "docgen_store_lookups_total"))
    ]
    return results


def report(r: dict, workers: int, exit_code: int) -> str:
    v, rd, st, mem, ov = r["validate"], r["render"], r["stored"], r["memory"], r["overload"]
    load = os.getloadavg()[0]
    lines = [
        f"docgen serve bench — {time.strftime('%Y-%m-%d %H:%M')}, {os.cpu_count()} cores, --workers {workers}, "
        f"{r['check_workers']} check workers, "
        f"load average {load:.1f} at the end",
        "",
        "| measure | figure | target |",
        "|---|---|---|",
        f"| validate, 20 concurrent keep-alive clients ({v['requests']} requests, statuses {v['statuses']}) | "
        f"p50 {v['p50_ms']:.0f} ms, p95 {v['p95_ms']:.0f} ms | p95 ≤ {TARGETS['validate_p95_ms']:.0f} ms |",
        f"| validate, 20 concurrent httpx clients in one process ({r['validate_httpx']['requests']} requests) | "
        f"p50 {r['validate_httpx']['p50_ms']:.0f} ms, p95 {r['validate_httpx']['p95_ms']:.0f} ms | |",
        f"| validate, one client alone | p50 {r['validate_one']['p50_ms']:.0f} ms | |",
        f"| render PDF, fresh inputs ({rd['renders']} renders, {workers} clients) | {rd['per_s']:.2f}/s, "
        f"{rd['per_s_per_core']:.2f}/s per core, p50 {rd['p50_s']:.2f} s | |",
        f"| stored file (same render again, {st['requests']} requests) | "
        f"p50 {st['p50_ms']:.1f} ms, p95 {st['p95_ms']:.1f} ms | ≤ {TARGETS['stored_p95_ms']:.0f} ms |",
        f"| memory | worker RSS {mem['worker_rss_mb']:.0f} MB (PSS {mem['worker_pss_mb']:.0f} MB) × {mem['workers']}, "
        f"zygote {mem['zygote_rss_mb']:.0f} MB, server {mem['server_rss_mb']:.0f} MB; check worker RSS "
        f"{mem['check_worker_rss_mb']:.0f} MB (PSS {mem['check_worker_pss_mb']:.0f} MB) × {mem['check_workers']}, "
        f"check zygote {mem['check_zygote_rss_mb']:.0f} MB | |",
        f"| 4× overload ({ov['clients']} clients, {ov['requests']} renders) | {ov['statuses']}; other: {ov['bad']};"
        f" healthy after: {ov['healthy_after']} | only 200/429/503 |",
        f"| SIGTERM | exit code {exit_code} | 0 |",
        "",
        "```",
        *r["metrics"],
        "```",
    ]
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--workers", type=int, default=len(os.sched_getaffinity(0)))
    parser.add_argument(
        "--check-workers", type=int, default=None, help="docgen serve --check-workers (default: --workers)"
    )
    parser.add_argument("--quick", action="store_true", help="fewer requests (a smoke run)")
    args = parser.parse_args()
    data = Path(tempfile.mkdtemp(prefix="docgen-bench-"))
    try:
        token = province_token(data)
        server = Server(data, args.workers, args.check_workers)
        with server:
            results = asyncio.run(run(server, token, args.quick))
        text = report(results, args.workers, server.returncode)
    finally:
        shutil.rmtree(data, ignore_errors=True)
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "service.md").write_text(text, encoding="utf-8")
    print(text)
    ok = (
        results["validate"]["p95_ms"] <= TARGETS["validate_p95_ms"]
        and results["stored"]["p95_ms"]  # type: ignore[index]
        <= TARGETS["stored_p95_ms"]
        and results["overload"]["bad"] == 0
        and server.returncode == 0
    )  # type: ignore[index]
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
