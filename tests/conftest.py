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
# ``spawn`` and the end-of-run check for leftover processes (helpers in testkit.py, issue 14).

import contextlib  # noqa: E402
import os  # noqa: E402
import shutil  # noqa: E402
import signal  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import threading  # noqa: E402
import time  # noqa: E402

from testkit import RUN_FOLDER, kill_group, leftover_processes  # noqa: E402


@pytest.fixture
def spawn():
    """Fixture: ``spawn(args, **popen)`` = subprocess.Popen in a new session; every process
    group it started is killed when the test ends (pass or fail)."""
    started: list[subprocess.Popen] = []

    def start(args, **popen):
        popen.setdefault("start_new_session", True)
        proc = subprocess.Popen(args, **popen)
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
    if not os.environ.get("PYTEST_XDIST_WORKER"):  # the run's controller (or the one process with -n0)
        shutil.rmtree(RUN_FOLDER, ignore_errors=True)
    deadline = time.monotonic() + 10
    left = leftover_processes()
    while left and time.monotonic() < deadline:
        time.sleep(0.2)
        left = leftover_processes()
    if not left:
        return
    for pid in left:
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGKILL)
    lines = "\n".join(f"  {pid}: {cmd[:200]}" for pid, cmd in sorted(left.items()))
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    message = f"FAILED: the test run left {len(left)} process(es) behind (now killed):\n{lines}"
    if reporter is not None:
        reporter.write_line(message, red=True)
    else:
        print(message)
    session.exitstatus = pytest.ExitCode.TESTS_FAILED


def _untraced_after_fork() -> None:
    """A forked child (a batch or render pool worker) ends with os._exit, so coverage never saves what it
    traced there: stop tracing it, which costs as much CPU again as the work it watches."""
    sys.settrace(None)
    threading.settrace(None)  # type: ignore[arg-type]


os.register_at_fork(after_in_child=_untraced_after_fork)


def pytest_xdist_auto_num_workers(config):
    """`-n auto`: one worker more than the cores (most tests wait on LibreOffice, a server or a worker
    process, so a spare worker keeps the cores busy); DOCGEN_TEST_WORKERS overrides."""
    wanted = os.environ.get("DOCGEN_TEST_WORKERS", "")
    return int(wanted) if wanted.isdigit() else len(os.sched_getaffinity(0)) + 1


def pytest_collection_modifyitems(config, items):
    """Modules holding slow or LibreOffice tests first (stable, so each module keeps its own order): the
    workers start on the long modules and finish on short ones, instead of one long module running alone
    at the end while the other cores idle."""
    long = {item.path for item in items if item.get_closest_marker("slow") or item.get_closest_marker("libreoffice")}
    items.sort(key=lambda item: item.path not in long)
