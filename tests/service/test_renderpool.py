"""The render pool: warm workers, a bounded queue, time limits, replacement, and nothing left behind."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from docgen.models.diagnostics import InvalidInput
from docgen.registry import Options, render_file
from docgen.service.renderpool import PoolClosed, QueueFull, RemoteError, RenderPool, RenderTimeout, WorkerLost
from docgen.service.work import render_submission

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "data" / "submissions" / "2024" / "guangzhou.yaml"


def process_gone(pid: int) -> bool:
    """No such process, or a zombie nobody has reaped yet (it runs no more)."""
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] in ("Z", "X")
    except FileNotFoundError:
        return True


def wait_until(predicate, timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return predicate()


async def wait_for_async(predicate, timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        await asyncio.sleep(0.05)
    return predicate()


def run(coro_fn, **pool_kwargs):
    """Start a pool, run coro_fn(pool), close it, and check that every process it made is gone."""

    async def main():
        pool = RenderPool(**pool_kwargs)
        await pool.start()
        seen = {pool.zygote_pid, *pool.pids}
        try:
            return await coro_fn(pool, seen)
        finally:
            seen.update(pool.pids)
            await pool.close(grace=2)
            assert wait_until(lambda: all(process_gone(p) for p in seen), 5), "pool processes left behind"

    return asyncio.run(main())


def test_warm_pool_renders_the_same_bytes_as_the_library():
    data = EXAMPLE.read_bytes()

    async def body(pool, seen):
        pdf, docx = await asyncio.gather(
            pool.call(render_submission, data, EXAMPLE.name, "pdf", str(ROOT / "templates")),
            pool.call(render_submission, data, EXAMPLE.name, "docx", str(ROOT / "templates")),
        )
        return pdf, docx

    pdf, docx = run(body, workers=2)
    expected = render_file(EXAMPLE, Options(formats=("pdf", "docx"))).outputs
    assert pdf == expected["pdf"]
    assert docx == expected["docx"]


def test_concurrency_is_bounded_and_a_full_queue_is_refused():
    async def body(pool, seen):
        peak = 0
        calls = [asyncio.ensure_future(pool.call(time.sleep, 0.6)) for _ in range(4)]  # 2 run, 2 wait
        await asyncio.sleep(0.1)
        assert (pool.running, pool.queued) == (2, 2)
        with pytest.raises(QueueFull) as info:
            await pool.call(time.sleep, 0.1)
        assert info.value.retry_after >= 1
        assert "渲染队列已满" in str(info.value)
        start = time.monotonic()
        while not all(c.done() for c in calls):
            peak = max(peak, pool.running)
            await asyncio.sleep(0.02)
        await asyncio.gather(*calls)
        assert peak <= 2
        assert time.monotonic() - start >= 0.9  # the last two waited for a free worker
        assert pool.counts["rejected"] == 1 and pool.counts["ok"] == 4
        # internal callers (batch jobs) may wait beyond the bound
        more = [pool.call(os.getpid, wait=True) for _ in range(6)]
        assert set(await asyncio.gather(*more)) <= set(pool.pids)

    run(body, workers=2, queue_limit=2, warm=False)


def test_a_call_past_its_time_limit_is_killed_and_its_worker_replaced():
    async def body(pool, seen):
        before = set(pool.pids)
        start = time.monotonic()
        with pytest.raises(RenderTimeout):
            await pool.call(time.sleep, 30)
        assert time.monotonic() - start < 5
        assert await wait_for_async(lambda: len(pool.pids) == 2 and set(pool.pids) != before)
        killed = before - set(pool.pids)
        assert len(killed) == 1 and wait_until(lambda: process_gone(killed.pop()))
        assert pool.counts["timeout"] == 1 and pool.replaced == 1
        # the replacement works, and a per-call limit overrides the pool's
        assert await pool.call(os.getpid) in pool.pids
        assert await pool.call(time.sleep, 0.5, timeout=5) is None
        assert pool.alive()

    run(body, workers=2, timeout=0.3, warm=False)


def test_a_worker_killed_from_outside_is_detected_and_replaced():
    async def body(pool, seen):
        idle = pool.pids[0]
        os.kill(idle, signal.SIGKILL)
        assert await wait_for_async(lambda: idle not in pool.pids and len(pool.pids) == 2)
        seen.update(pool.pids)
        # now one that is busy: its caller learns at once
        busy = asyncio.ensure_future(pool.call(time.sleep, 20))
        await asyncio.sleep(0.2)
        victim = next(w.pid for w in pool._workers.values() if w.call is not None)
        os.kill(victim, signal.SIGKILL)
        with pytest.raises(WorkerLost):
            await asyncio.wait_for(busy, 5)
        assert await wait_for_async(lambda: victim not in pool.pids and len(pool.pids) == 2)
        seen.update(pool.pids)
        assert pool.replaced == 2 and pool.counts["lost"] == 1
        assert await pool.call(os.getpid) in pool.pids

    run(body, workers=2, warm=False)


def test_a_killed_zygote_takes_its_workers_along_and_a_new_one_is_started():
    async def body(pool, seen):
        old_zygote, old_workers = pool.zygote_pid, set(pool.pids)
        os.kill(old_zygote, signal.SIGKILL)
        assert wait_until(lambda: all(process_gone(p) for p in old_workers), 5)  # PDEATHSIG
        assert await wait_for_async(lambda: pool.zygotes_replaced == 1 and len(pool.pids) == 2 and pool.alive(), 20)
        assert pool.zygote_pid != old_zygote and not set(pool.pids) & old_workers
        seen.update({pool.zygote_pid, *pool.pids})
        assert await pool.call(os.getpid) in pool.pids

    run(body, workers=2, warm=False)


def test_errors_come_back_as_exceptions_and_the_worker_lives_on():
    async def body(pool, seen):
        pids = set(pool.pids)
        with pytest.raises(RemoteError) as info:
            await pool.call(int, "not a number")
        assert info.value.type_name == "ValueError" and "Traceback" in info.value.remote_traceback
        with pytest.raises(InvalidInput) as bad:
            await pool.call(render_submission, b"unit: [unclosed\n", "bad.yaml", "pdf", str(ROOT / "templates"))
        assert bad.value.diagnostics[0].file == "bad.yaml" and bad.value.diagnostics[0].line >= 1
        assert set(pool.pids) == pids and pool.counts["error"] == 1 and pool.counts["invalid"] == 1

    run(body, workers=1, warm=False)


def test_close_finishes_running_calls_within_the_grace_and_abandons_the_rest():
    async def main():
        pool = RenderPool(workers=2, warm=False)
        await pool.start()
        procs = {pool.zygote_pid, *pool.pids}
        quick = asyncio.ensure_future(pool.call(time.sleep, 0.3))
        slow = asyncio.ensure_future(pool.call(time.sleep, 30))
        waiting = asyncio.ensure_future(pool.call(time.sleep, 0.1))
        await asyncio.sleep(0.1)
        start = time.monotonic()
        await pool.close(grace=1.0)
        assert time.monotonic() - start < 5
        assert await quick is None  # finished within the grace
        with pytest.raises(PoolClosed):
            await slow  # abandoned
        with pytest.raises(PoolClosed):
            await waiting  # never started
        with pytest.raises(PoolClosed):
            await pool.call(os.getpid)
        assert not pool.alive()
        assert wait_until(lambda: all(process_gone(p) for p in procs), 5)

    asyncio.run(main())


def test_nothing_outlives_a_server_killed_with_sigkill(tmp_path):
    script = tmp_path / "server.py"
    script.write_text(
        textwrap.dedent("""
        import asyncio, os, sys, time
        from docgen.service.renderpool import RenderPool

        async def main():
            pool = RenderPool(workers=2, warm=False)
            await pool.start()
            busy = asyncio.ensure_future(pool.call(time.sleep, 60))  # one worker is mid-render
            await asyncio.sleep(0.3)
            print(pool.zygote_pid, *pool.pids, flush=True)
            await asyncio.sleep(60)

        asyncio.run(main())
    """)
    )
    proc = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, text=True, cwd=ROOT)
    try:
        pids = [int(p) for p in proc.stdout.readline().split()]
        assert len(pids) == 3 and not any(process_gone(p) for p in pids)
        proc.kill()
        proc.wait(5)
        assert wait_until(lambda: all(process_gone(p) for p in pids), 5), "workers outlived the server"
    finally:
        proc.kill()
        proc.wait()
        for pid in locals().get("pids", []):
            if not process_gone(pid):
                os.kill(pid, signal.SIGKILL)
