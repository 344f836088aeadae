"""Killed renders leave nothing behind (issue 14): no process, nothing in the temporary folder.

Each test points TMPDIR at an empty folder of its own, starts a real `docgen batch` or
`docgen render` (``spawn``: its process group is killed at the end whatever happens), kills the
batch, one of its workers or the render with SIGKILL or SIGTERM once PDF work is under way,
and then finds no process of it alive and the folder still empty (WeasyPrint used to copy
≈125 MB of fonts into a weasyprint-* folder there per process; docgen.writers.pdf.fontmap registers
the installed files instead, and docgen.batch.workers makes workers die with their parent).
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from docgen.io.paths import DATA_DIR

EXAMPLES = DATA_DIR / "submissions" / "2024"
pytestmark = pytest.mark.slow  # whole batches and renders in subprocesses
SIGNALS = [pytest.param(signal.SIGKILL, id="SIGKILL"), pytest.param(signal.SIGTERM, id="SIGTERM")]


def children(pid: int) -> list[int]:
    """Live child processes of ``pid`` (from /proc; zombies excluded)."""
    kids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid and fields[0] not in ("Z", "X"):
                kids.append(int(entry.name))
    return kids


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state not in ("Z", "X")


def wait_gone(pids: list[int], seconds: float = 30) -> list[int]:
    """The pids still alive after waiting up to ``seconds`` for them to exit."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and any(alive(p) for p in pids):
        time.sleep(0.1)
    return [p for p in pids if alive(p)]


def uses_fonts(pid: int) -> bool:
    """Whether the process has mapped a CJK font file (WeasyPrint has loaded the fonts)."""
    try:
        maps = Path(f"/proc/{pid}/maps").read_text()
    except OSError:
        return False
    return any(name in maps for name in (".otf", ".ttf", ".ttc"))


def wait_until(check, seconds: float = 180) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.05)
    return False


@pytest.fixture
def tmpdir_env(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    folder = tmp_path / "tmpdir"
    folder.mkdir()
    return folder, dict(os.environ, TMPDIR=str(folder))


def start_batch(tmp_path: Path, spawn, env: dict[str, str]):
    folder = tmp_path / "in"
    folder.mkdir()
    for path in sorted(EXAMPLES.glob("*.yaml"))[:6]:
        shutil.copy(path, folder / path.name)
    out = tmp_path / "out"
    proc = spawn(
        [sys.executable, "-m", "docgen", "batch", str(folder), "-o", str(out), "-j", "2"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    assert wait_until(
        lambda: (
            (len(children(proc.pid)) >= 2 and all(uses_fonts(p) for p in children(proc.pid))) or proc.poll() is not None
        )
    ), "the batch never started its workers"
    workers = children(proc.pid)
    assert proc.poll() is None and workers, "the batch ended before it could be killed"
    return proc, workers


@pytest.mark.parametrize("sig", SIGNALS)
def test_killed_batch_takes_its_workers_and_leaves_tmpdir_empty(sig, tmp_path: Path, spawn, tmpdir_env) -> None:
    tmpdir, env = tmpdir_env
    proc, workers = start_batch(tmp_path, spawn, env)
    os.kill(proc.pid, sig)  # the batch alone, as an operator or a supervisor would: not its group
    proc.communicate(timeout=120)
    assert wait_gone(workers) == [], f"workers outlived their batch: {workers}"
    assert sorted(os.listdir(tmpdir)) == []


@pytest.mark.parametrize("sig", SIGNALS)
def test_killed_worker_is_reported_and_leaves_tmpdir_empty(sig, tmp_path: Path, spawn, tmpdir_env) -> None:
    tmpdir, env = tmpdir_env
    proc, workers = start_batch(tmp_path, spawn, env)
    os.kill(workers[0], sig)
    output, _ = proc.communicate(timeout=300)
    assert proc.returncode == 1 and "工作进程异常退出" in output.decode("utf-8", "replace")
    assert wait_gone(workers) == []
    assert sorted(os.listdir(tmpdir)) == []


@pytest.mark.parametrize("sig", SIGNALS)
def test_killed_render_leaves_tmpdir_empty(sig, tmp_path: Path, spawn, tmpdir_env) -> None:
    tmpdir, env = tmpdir_env
    proc = spawn(
        [sys.executable, "-m", "docgen", "render", str(EXAMPLES / "shenzhen.yaml"), "-o", str(tmp_path / "out")],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    assert wait_until(lambda: uses_fonts(proc.pid) or proc.poll() is not None)
    os.kill(proc.pid, sig)
    proc.wait(timeout=60)
    assert sorted(os.listdir(tmpdir)) == []
    assert not list((tmp_path / "out").glob(".*.part")) if (tmp_path / "out").exists() else True


def test_worker_initializer_exits_when_the_parent_is_gone() -> None:
    """die_with_parent: a worker whose parent is already gone exits at once (the prctl race)."""
    code = (
        "import os, sys; from docgen.batch.workers import die_with_parent; die_with_parent(os.getppid() + 10**7); "
        "sys.exit(0)"
    )
    result = subprocess.run([sys.executable, "-c", code], timeout=60)
    assert result.returncode == 1
