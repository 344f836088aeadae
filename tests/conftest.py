"""Fixtures every test may request; the helpers themselves live in tests/testkit.py."""

from __future__ import annotations

import pytest
from testkit import require, require_tool_path


@pytest.fixture
def require_tool():
    """Fixture: ``require_tool("pdffonts")`` returns the tool's path or skips/fails."""
    return require_tool_path


@pytest.fixture(name="require")
def require_fixture():
    """Fixture: ``require(ok, "what")`` skips/fails when ``ok`` is false."""
    return require


# --------------------------------------------------------------------------- processes
# Every process the suite starts carries DOCGEN_TEST_SESSION in its environment (inherited by
# subprocesses and their forked workers). ``spawn`` starts a process in its own session and
# kills its whole process group when the test ends, whatever happened; at the end of the run,
# any docgen process still alive that carries the tag or descends from this pytest process (a
# `docgen batch`, its workers, a uvicorn serving docgen), or a fork of pytest itself (an
# in-process pool's worker), fails the run (issue 14).

import contextlib as _contextlib  # noqa: E402
import secrets as _secrets  # noqa: E402
import signal as _signal  # noqa: E402
import subprocess as _subprocess  # noqa: E402
import time as _time  # noqa: E402
from pathlib import Path as _Path  # noqa: E402

SESSION_TAG = "DOCGEN_TEST_SESSION"
os.environ.setdefault(SESSION_TAG, f"{os.getpid()}-{_secrets.token_hex(6)}")
_TAG = f"{SESSION_TAG}={os.environ[SESSION_TAG]}".encode()
_MP_HELPERS = (b"multiprocessing.resource_tracker", b"multiprocessing.forkserver")


def _proc_stat(pid: int) -> tuple[str, int] | None:
    """(state, parent pid) of a process, None when it is gone."""
    try:
        stat = _Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = stat.rsplit(")", 1)[1].split()
    return fields[0], int(fields[1])


def leftover_processes() -> dict[int, str]:
    """Live processes started by this test run (pid → command line), pytest itself excluded."""
    me = os.getpid()
    try:
        my_cmdline = _Path(f"/proc/{me}/cmdline").read_bytes()
    except OSError:
        my_cmdline = b""
    parents: dict[int, int] = {}
    found: dict[int, str] = {}
    entries = [int(e.name) for e in _Path("/proc").iterdir() if e.name.isdigit()]
    for pid in entries:
        stat = _proc_stat(pid)
        if stat is None or stat[0] in ("Z", "X"):
            continue
        parents[pid] = stat[1]
    for pid in parents:
        if pid == me:
            continue
        try:
            cmdline = _Path(f"/proc/{pid}/cmdline").read_bytes()
            environ = _Path(f"/proc/{pid}/environ").read_bytes()
        except OSError:
            continue
        ancestor, descends = parents.get(pid), False
        for _ in range(64):
            if ancestor is None or ancestor <= 1:
                break
            if ancestor == me:
                descends = True
                break
            ancestor = parents.get(ancestor)
        if any(helper in cmdline for helper in _MP_HELPERS):
            continue  # multiprocessing's own helpers: they exit with this process
        tagged = _TAG in environ.split(b"\0")
        if ((tagged or descends) and b"docgen" in cmdline) or (descends and cmdline == my_cmdline):
            found[pid] = cmdline.replace(b"\0", b" ").decode("utf-8", "replace").strip()
    return found


def kill_group(proc: _subprocess.Popen) -> None:
    """SIGKILL the process group of ``proc`` (started with start_new_session=True) and reap it."""
    with _contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, _signal.SIGKILL)
    with _contextlib.suppress(_subprocess.TimeoutExpired):
        proc.wait(timeout=30)


@pytest.fixture
def spawn():
    """Fixture: ``spawn(args, **popen)`` = subprocess.Popen in a new session; every process
    group it started is killed when the test ends (pass or fail)."""
    started: list[_subprocess.Popen] = []

    def start(args, **popen):
        popen.setdefault("start_new_session", True)
        proc = _subprocess.Popen(args, **popen)
        started.append(proc)
        return proc

    yield start
    for proc in started:
        kill_group(proc)
        for stream in (proc.stdout, proc.stderr, proc.stdin):
            if stream is not None:
                stream.close()


def pytest_sessionfinish(session, exitstatus):
    """Fail the run if any process it started is still alive (after a short grace period)."""
    deadline = _time.monotonic() + 10
    left = leftover_processes()
    while left and _time.monotonic() < deadline:
        _time.sleep(0.2)
        left = leftover_processes()
    if not left:
        return
    for pid in left:
        with _contextlib.suppress(OSError):
            os.kill(pid, _signal.SIGKILL)
    lines = "\n".join(f"  {pid}: {cmd[:200]}" for pid, cmd in sorted(left.items()))
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    message = f"FAILED: the test run left {len(left)} process(es) behind (now killed):\n{lines}"
    if reporter is not None:
        reporter.write_line(message, red=True)
    else:
        print(message)
    session.exitstatus = pytest.ExitCode.TESTS_FAILED
