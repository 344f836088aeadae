"""A bounded pool of warm render worker processes, forked from one zygote that has the fonts loaded.

The server never forks itself (it has threads; a fork could copy a held lock). Instead it starts
one clean *zygote* process (``python -c …zygote_main``) that imports WeasyPrint and loads the CJK
fonts once (``docgen.writers.pdf.warmup.warm_up``, what ``docgen batch`` does before forking its workers),
then forks a worker whenever the pool asks. Each worker talks to the server over its own Unix
socket pair, handed to the server with SCM_RIGHTS, so a killed or crashed worker is seen at once
as end-of-file, busy or idle.

Lifetimes: the zygote and every worker carry PR_SET_PDEATHSIG (SIGKILL), and the zygote also
exits, killing its workers, when the server's end of its control socket closes; processes that
workers fork (a batch job's own process pool) get the same signal through an at-fork hook. So
nothing outlives the server, even after ``kill -9``.

    pool = RenderPool(workers=2, queue_limit=8, timeout=60)
    await pool.start()
    pdf = await pool.call(render_submission, data, "guangzhou.yaml", "pdf")  # QueueFull, RenderTimeout, …
    await pool.close(grace=10)
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import ctypes
import logging
import math
import os
import pickle
import shutil
import signal
import socket
import struct
import subprocess
import sys
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from types import EllipsisType
from typing import Any

from docgen.io.paths import TEMPLATES_DIR

log = logging.getLogger("docgen.renderpool")
_HEADER = struct.Struct(">Q")
PR_SET_PDEATHSIG = 1
DEFAULT_TIMEOUT = 60.0


class PoolError(Exception):
    """Base of what a pool call can raise besides the function's own InvalidInput."""


class QueueFull(PoolError):
    """Every worker is busy and the queue is at its bound: answer 429 with Retry-After."""

    def __init__(self, retry_after: int):
        super().__init__(f"渲染队列已满，请 {retry_after} 秒后重试")
        self.retry_after = retry_after


class RenderTimeout(PoolError):
    """The call ran past its time limit; its worker was killed and replaced (answer 504)."""


class WorkerLost(PoolError):
    """The worker died during the call (killed from outside, out of memory, a crash in C code)."""


class PoolClosed(PoolError):
    """The pool is shutting down or was never started (answer 503)."""


class RemoteError(PoolError):
    """The function raised in the worker; carries the remote type name and traceback text."""

    def __init__(self, type_name: str, message: str, remote_traceback: str = ""):
        super().__init__(f"{type_name}: {message}")
        self.type_name, self.message, self.remote_traceback = type_name, message, remote_traceback


# --------------------------------------------------------------------------- process plumbing


def set_parent_death_signal(sig: int = signal.SIGKILL) -> None:
    """Ask Linux to send `sig` to this process when its parent exits (no-op elsewhere)."""
    if not sys.platform.startswith("linux"):
        return
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, int(sig), 0, 0, 0)


def _send(sock: socket.socket, obj: Any) -> None:
    data = pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
    sock.sendall(_HEADER.pack(len(data)) + data)


def _recv_exact(sock: socket.socket, n: int) -> bytes:
    buf = bytearray()
    while len(buf) < n:
        chunk = sock.recv(min(n - len(buf), 1 << 20))
        if not chunk:
            raise EOFError
        buf += chunk
    return bytes(buf)


def _recv(sock: socket.socket) -> Any:
    (n,) = _HEADER.unpack(_recv_exact(sock, _HEADER.size))
    return pickle.loads(_recv_exact(sock, n))


def _worker_loop(sock: socket.socket) -> None:
    """Run (fn, args) calls until the server's end closes; never raises out of a call."""
    from docgen.models.diagnostics import InvalidInput

    while True:
        try:
            fn, args, kwargs = _recv(sock)
        except (EOFError, OSError):
            return
        try:
            reply: tuple = ("ok", fn(*args, **kwargs))
        except InvalidInput as exc:
            reply = ("invalid", exc.diagnostics)
        except BaseException as exc:  # noqa: BLE001 - reported to the caller, the worker lives on
            reply = ("error", type(exc).__name__, str(exc), traceback.format_exc())
        try:
            _send(sock, reply)
        except (pickle.PicklingError, TypeError, AttributeError) as exc:
            _send(sock, ("error", type(exc).__name__, f"结果无法传回：{exc}", ""))
        except OSError:
            return


def _child_after_fork() -> None:
    # A worker's own children (a batch job's process pool) die with the worker.
    set_parent_death_signal()


def zygote_main() -> None:
    """Entry point of the zygote process: warm up, then fork a worker per request on fd argv[1]."""
    control = socket.socket(fileno=int(sys.argv[1]))
    templates, warm, preload = Path(sys.argv[2]), sys.argv[3] == "1", sys.argv[4] if len(sys.argv) > 4 else ""
    server_pid = os.getppid()
    set_parent_death_signal()
    if os.getppid() != server_pid:  # the server died before the signal was armed
        os._exit(0)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C goes to the whole group; the server decides
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # the kernel reaps dead workers: no zombies
    children: set[int] = set()
    try:
        _zygote_serve(control, templates, warm, preload, children)
    except (BrokenPipeError, ConnectionError, KeyboardInterrupt):
        pass  # the server went away: the finally clause winds down
    finally:
        for pid in children:
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)
    # sys.exit, not os._exit: the atexit hook removes WeasyPrint's folder of font copies (docgen.writers.pdf.engine).
    sys.exit(0)


def _zygote_serve(control: socket.socket, templates: Path, warm: bool, preload: str, children: set[int]) -> None:
    """Warm up, say ready, then fork one worker per "fork" command until the control socket closes."""
    if warm:
        from docgen.writers.pdf.warmup import warm_up

        warm_up(templates)
    if preload:  # "module:function", called once so that every forked worker starts with its imports and caches
        import importlib

        module, _, function = preload.partition(":")
        getattr(importlib.import_module(module), function)()
    _send(control, ("ready", os.getpid()))
    while True:
        try:
            command = _recv(control)
        except (EOFError, OSError):
            break
        if command != "fork":
            break
        parent_end, child_end = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        zygote_pid = os.getpid()
        pid = os.fork()
        if pid == 0:
            try:
                control.close()
                parent_end.close()
                signal.signal(signal.SIGCHLD, signal.SIG_DFL)  # workers wait for their own children
                set_parent_death_signal()
                if os.getppid() != zygote_pid:
                    os._exit(0)
                os.register_at_fork(after_in_child=_child_after_fork)
                _worker_loop(child_end)
            finally:
                os._exit(0)
        child_end.close()
        children.add(pid)
        socket.send_fds(control, [_HEADER.pack(pid)], [parent_end.fileno()])
        parent_end.close()


# --------------------------------------------------------------------------- the pool (server side)


@dataclass
class _Call:
    fn: Callable[..., Any]
    args: tuple
    kwargs: dict
    future: asyncio.Future
    timeout: float | None
    queued_at: float = field(default_factory=time.monotonic)
    timer: asyncio.TimerHandle | None = None


@dataclass
class _Worker:
    pid: int
    reader: asyncio.StreamReader
    writer: asyncio.StreamWriter
    call: _Call | None = None
    task: asyncio.Task | None = None
    killed: str = ""  # why the pool killed it ("timeout", "close")


class RenderPool:
    """`workers` warm processes, at most `queue_limit` calls waiting; see the module docstring."""

    def __init__(
        self,
        workers: int | None = None,
        *,
        queue_limit: int | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        templates: Path = TEMPLATES_DIR,
        warm: bool = True,
        scratch: Path | None = None,
        preload: str = "",
    ):
        self.size = max(1, workers or len(os.sched_getaffinity(0)))
        self.queue_limit = self.size * 4 if queue_limit is None else max(0, queue_limit)
        self.timeout = timeout
        self.templates, self.warm, self.preload = Path(templates), warm, preload
        # The workers' TMPDIR (WeasyPrint copies the fonts there, ≈125 MB): emptied at every start, so
        # what a killed server left behind does not pile up.
        self.scratch = Path(scratch) if scratch else None
        self.counts: collections.Counter[str] = collections.Counter()  # ok, invalid, error, timeout, lost, rejected
        self.replaced = 0
        self._workers: dict[int, _Worker] = {}
        self._idle: collections.deque[_Worker] = collections.deque()
        self._waiting: collections.deque[_Call] = collections.deque()
        self._zygote: subprocess.Popen | None = None
        self._control: socket.socket | None = None
        self._fork_lock = asyncio.Lock()
        self._spawning = 0
        self._closing = False
        self._started = False
        self._booting: asyncio.Task | None = None
        self._zygote_ready = False
        self._replacing_zygote = False
        self.zygotes_replaced = 0
        self._durations: collections.deque[float] = collections.deque(maxlen=50)

    # ---- state for /readyz and /metrics

    @property
    def queued(self) -> int:
        return len(self._waiting)

    @property
    def running(self) -> int:
        return sum(1 for w in self._workers.values() if w.call is not None)

    @property
    def pids(self) -> list[int]:
        return sorted(self._workers)

    @property
    def zygote_pid(self) -> int | None:
        return self._zygote.pid if self._zygote else None

    def alive(self) -> bool:
        """Started, warm, not closing, the zygote running and at least one worker up."""
        return (
            self._started
            and not self._closing
            and self._zygote is not None
            and self._zygote.poll() is None
            and bool(self._workers)
        )

    def retry_after(self) -> int:
        """Seconds until a slot is likely free: mean call time × calls ahead / workers, at least 1."""
        mean = sum(self._durations) / len(self._durations) if self._durations else 1.0
        return max(1, math.ceil(mean * (len(self._waiting) + 1) / self.size))

    # ---- life cycle

    async def start(self, wait: bool = True) -> None:
        """Start the zygote and fork `size` workers once it is warm (a few seconds).

        With wait=False this returns at once and the workers come up in the background (the server
        answers /healthz meanwhile; /readyz says 503 and calls wait in the queue until then)."""
        if self._zygote is not None:
            if wait:
                await self.ready()
            return
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        cmd = [
            sys.executable,
            "-c",
            "from docgen.service.renderpool import zygote_main; zygote_main()",
            str(theirs.fileno()),
            str(self.templates),
            "1" if self.warm else "0",
            self.preload,
        ]
        env = dict(os.environ)
        if self.scratch is not None:
            shutil.rmtree(self.scratch, ignore_errors=True)
            self.scratch.mkdir(parents=True, exist_ok=True)
            env["TMPDIR"] = str(self.scratch)
        # Started from the event loop's thread: PDEATHSIG fires when the *thread* that forked exits.
        self._zygote = subprocess.Popen(cmd, pass_fds=[theirs.fileno()], stdin=subprocess.DEVNULL, env=env)
        theirs.close()
        self._control = ours
        self._started = True
        self._booting = asyncio.get_running_loop().create_task(self._boot())
        if wait:
            await self.ready()

    async def ready(self) -> None:
        """Wait until the first workers are up; PoolClosed if the zygote could not start."""
        if self._booting is not None:
            await asyncio.shield(self._booting)
        if not self._workers:
            raise PoolClosed("渲染进程未能启动")

    async def _boot(self) -> None:
        assert self._control is not None
        try:
            hello = await asyncio.to_thread(_recv, self._control)
        except (EOFError, OSError):
            hello = None
        self._zygote_ready = bool(hello and hello[0] == "ready")
        if not self._zygote_ready:
            self._closing = True
            self._fail_waiting(PoolClosed("渲染进程未能启动"))
            return
        await asyncio.gather(*(self._spawn() for _ in range(self.size - len(self._workers))))

    async def _replace_zygote(self) -> None:
        """The zygote died (its workers die with it): start a new one and fork a full set again."""
        if self._closing or self._replacing_zygote:
            return
        self._replacing_zygote = True
        try:
            log.error("render zygote exited; starting a new one", extra={"event": "zygote-lost"})
            await self._stop_zygote()
            await asyncio.sleep(0.5)  # no busy loop if it cannot start at all
            if self._closing:
                return
            self._zygote, self._zygote_ready, self._booting = None, False, None
            self.zygotes_replaced += 1
            await self.start(wait=False)
            if self._booting is not None:
                await self._booting
        finally:
            self._replacing_zygote = False

    def _fail_waiting(self, exc: PoolError) -> None:
        while self._waiting:
            call = self._waiting.popleft()
            if not call.future.done():
                call.future.set_exception(exc)

    async def _spawn(self) -> None:
        """Fork one worker from the zygote and start reading its replies."""
        if self._closing or self._control is None:
            return
        self._spawning += 1
        try:
            async with self._fork_lock:
                control = self._control

                def fork() -> tuple[int, int]:
                    _send(control, "fork")
                    msg, fds, _, _ = socket.recv_fds(control, _HEADER.size, 1)
                    if not msg or not fds:
                        raise EOFError
                    return _HEADER.unpack(msg)[0], fds[0]

                try:
                    pid, fd = await asyncio.to_thread(fork)
                except (EOFError, OSError, struct.error):
                    # the zygote is gone: alive() says so (/readyz 503) until a new one is up
                    asyncio.get_running_loop().create_task(self._replace_zygote())
                    return
            sock = socket.socket(fileno=fd)
            sock.setblocking(False)
            reader, writer = await asyncio.open_unix_connection(sock=sock)
            worker = _Worker(pid, reader, writer)
            if self._closing:
                writer.close()
                with contextlib.suppress(OSError):
                    os.kill(pid, signal.SIGKILL)
                return
            self._workers[pid] = worker
            worker.task = asyncio.get_running_loop().create_task(self._read_replies(worker))
            self._idle.append(worker)
            self._dispatch()
        finally:
            self._spawning -= 1

    async def close(self, grace: float = 10.0) -> None:
        """Refuse new calls, let running ones finish for up to `grace` seconds, then kill what is left."""
        if self._closing:
            return
        self._closing = True
        self._fail_waiting(PoolClosed("服务正在停止，请稍后重试"))
        if self._booting is not None and not self._booting.done():
            self._booting.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._booting
        deadline = time.monotonic() + grace
        while self.running and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        for worker in list(self._workers.values()):
            worker.killed = "close"
            with contextlib.suppress(OSError):
                os.kill(worker.pid, signal.SIGKILL)
        for worker in list(self._workers.values()):
            if worker.task:
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await asyncio.wait_for(worker.task, 2)
        await self._stop_zygote()

    async def _stop_zygote(self) -> None:
        if self._control is not None:
            self._control.close()  # the zygote reads EOF, kills its workers and exits
            self._control = None
        if self._zygote is not None:
            if not self._zygote_ready:  # still warming up: it has no workers yet, nothing to wind down
                self._zygote.kill()
            try:
                await asyncio.to_thread(self._zygote.wait, 5)
            except subprocess.TimeoutExpired:
                self._zygote.kill()
                await asyncio.to_thread(self._zygote.wait)

    # ---- calls

    async def call(
        self,
        fn: Callable[..., Any],
        *args: Any,
        timeout: float | EllipsisType | None = ...,
        wait: bool = False,
        **kwargs: Any,
    ) -> Any:
        """Run fn(*args, **kwargs) in a worker and return its result.

        Raises QueueFull (unless `wait`: internal jobs wait their turn beyond the bound), RenderTimeout
        past `timeout` seconds (default: the pool's; None for no limit), WorkerLost, PoolClosed,
        RemoteError, or the InvalidInput the function raised."""
        if self._closing or not self._started:
            raise PoolClosed("服务正在停止，请稍后重试" if self._closing else "渲染进程尚未启动")
        if not wait and not self._idle and len(self._waiting) >= self.queue_limit:
            self.counts["rejected"] += 1
            raise QueueFull(self.retry_after())
        loop = asyncio.get_running_loop()
        call = _Call(
            fn, args, kwargs, loop.create_future(), self.timeout if isinstance(timeout, EllipsisType) else timeout
        )
        self._waiting.append(call)
        self._dispatch()
        status, *payload = await asyncio.shield(call.future)
        if status == "ok":
            return payload[0]
        from docgen.models.diagnostics import InvalidInput

        if status == "invalid":
            raise InvalidInput(payload[0])
        raise RemoteError(*payload)

    def _dispatch(self) -> None:
        while self._waiting and self._idle:
            call = self._waiting.popleft()
            if call.future.done():
                continue
            worker = self._idle.popleft()
            if worker.pid not in self._workers:
                self._waiting.appendleft(call)
                continue
            worker.call = call
            try:
                data = pickle.dumps((call.fn, call.args, call.kwargs), protocol=pickle.HIGHEST_PROTOCOL)
            except Exception as exc:  # noqa: BLE001 - the caller's mistake, not the worker's
                worker.call = None
                self._idle.appendleft(worker)
                call.future.set_exception(RemoteError(type(exc).__name__, f"参数无法传给渲染进程：{exc}"))
                continue
            worker.writer.write(_HEADER.pack(len(data)) + data)
            if call.timeout is not None:
                call.timer = asyncio.get_running_loop().call_later(call.timeout, self._on_timeout, worker, call)

    def _on_timeout(self, worker: _Worker, call: _Call) -> None:
        if worker.call is not call:
            return
        self.counts["timeout"] += 1
        if not call.future.done():
            call.future.set_exception(RenderTimeout(f"渲染超过 {call.timeout:g} 秒的时限，已终止"))
        worker.killed = "timeout"
        with contextlib.suppress(OSError):
            os.kill(worker.pid, signal.SIGKILL)  # the reader sees EOF and replaces it

    async def _read_replies(self, worker: _Worker) -> None:
        try:
            while True:
                header = await worker.reader.readexactly(_HEADER.size)
                reply = pickle.loads(await worker.reader.readexactly(_HEADER.unpack(header)[0]))
                call, worker.call = worker.call, None
                if call is not None:
                    if call.timer:
                        call.timer.cancel()
                    self._durations.append(time.monotonic() - call.queued_at)
                    self.counts[{"ok": "ok", "invalid": "invalid"}.get(reply[0], "error")] += 1
                    if not call.future.done():
                        call.future.set_result(reply)
                if self._closing:
                    continue
                self._idle.append(worker)
                self._dispatch()
        except (asyncio.IncompleteReadError, ConnectionError, OSError, pickle.UnpicklingError, EOFError):
            pass
        finally:
            self._lost(worker)

    def _lost(self, worker: _Worker) -> None:
        """A worker's socket closed: fail its call, drop it, fork a replacement."""
        self._workers.pop(worker.pid, None)
        with contextlib.suppress(ValueError):
            self._idle.remove(worker)
        worker.writer.close()
        call, worker.call = worker.call, None
        if call is not None:
            if call.timer:
                call.timer.cancel()
            if not call.future.done():
                self.counts["lost"] += 1
                call.future.set_exception(
                    WorkerLost("渲染进程意外退出，请重试")
                    if worker.killed != "close"
                    else PoolClosed("服务正在停止，渲染已放弃")
                )
        with contextlib.suppress(OSError):
            os.kill(worker.pid, signal.SIGKILL)  # it may have closed its socket and still run
        if not self._closing:
            self.replaced += 1
            if len(self._workers) + self._spawning < self.size:
                asyncio.get_running_loop().create_task(self._spawn())
