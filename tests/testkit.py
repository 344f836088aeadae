"""Shared test helpers, a module of their own (a second conftest, tests/service/conftest.py, would shadow them).

Project rule: a test that needs a tool or font that scripts/setup.sh installs must FAIL, not
skip, when CI=true and it is missing (a green CI must not hide a missing install step);
locally it may skip.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

TEST_DATA = Path(__file__).resolve().parent / "data"
"""Files the tests compare against, kept in the repository (tests/data/README.md)."""
SEED = TEST_DATA / "seed" / "000_b2f1f102a4e38847.txt"
"""The public notice 粤市监知促〔2023〕233号 as published (plain text)."""


def in_ci() -> bool:
    """True when running under CI (CI=true)."""
    return os.environ.get("CI", "").strip().lower() in ("true", "1")


def require(ok: bool, what: str) -> None:
    """Skip (locally) or fail (CI=true) unless ``ok``; ``what`` names the missing thing."""
    if ok:
        return
    message = f"{what} is missing: scripts/setup.sh installs it"
    if in_ci():
        pytest.fail(f"{message} (CI=true: must not skip)", pytrace=False)
    pytest.skip(message)


def require_tool_path(name: str) -> str:
    """The path of command ``name``; skip/fail as require() when it is not on PATH."""
    path = shutil.which(name)
    require(path is not None, f"tool {name!r}")
    return path


# --------------------------------------------------------------------------- processes
# Every process the suite starts carries DOCGEN_TEST_SESSION in its environment (inherited by
# subprocesses and their forked workers). ``spawn`` starts a process in its own session and
# kills its whole process group when the test ends, whatever happened; at the end of the run,
# any docgen process still alive that carries the tag or descends from this pytest process (a
# `docgen batch`, its workers, a uvicorn serving docgen), or a fork of pytest itself (an
# in-process pool's worker), fails the run (issue 14).

import contextlib as _contextlib  # noqa: E402
import os as _os  # noqa: E402
import secrets as _secrets  # noqa: E402
import signal as _signal  # noqa: E402
import subprocess as _subprocess  # noqa: E402
from pathlib import Path as _Path  # noqa: E402

SESSION_TAG = "DOCGEN_TEST_SESSION"
_os.environ.setdefault(SESSION_TAG, f"{_os.getpid()}-{_secrets.token_hex(6)}")
if _os.environ.get("PYTEST_XDIST_WORKER"):
    # Each test worker (pytest-xdist) tags its own processes: a worker that finishes first must not
    # take another worker's running servers (or its PostgreSQL) for leftovers of its own.
    _os.environ[SESSION_TAG] += "-" + _os.environ["PYTEST_XDIST_WORKER"]
_TAG = f"{SESSION_TAG}={_os.environ[SESSION_TAG]}".encode()
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
    me = _os.getpid()
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
        _os.killpg(proc.pid, _signal.SIGKILL)
    with _contextlib.suppress(_subprocess.TimeoutExpired):
        proc.wait(timeout=30)


# --------------------------------------------------------------------------- the CLI in this process

import traceback as _traceback  # noqa: E402


class CliTimeout(Exception):
    """An in-process CLI call ran past its time limit (a hang, where a subprocess would have been killed)."""


def _too_long(signum: int, frame: object) -> None:
    raise CliTimeout


def run_docgen(
    *args: object,
    cwd: Path | None = None,
    env: dict[str, str] | None = None,
    input: str | None = None,
    timeout: float = 300,
) -> _subprocess.CompletedProcess[str]:
    """``docgen ARGS`` run in this process, answered as ``subprocess.run(..., capture_output=True, text=True)``.

    The same code as ``python -m docgen`` (typer's CliRunner calls the app's own main, with its Chinese
    usage errors and exit codes) without a new interpreter's imports and fonts. For what only a separate
    process shows (signals, the terminal's encoding, DOCGEN_DATA read at import), tests start one.
    ``env`` holds variables to set (None unsets); an exception that escaped the CLI is printed as Python
    would print it, so a test that looks for "Traceback" still sees it. Past ``timeout`` seconds a SIGALRM
    stops the call and the test fails, as ``subprocess.run(timeout=…)`` would (tests run in the main thread).
    """
    from typer.testing import CliRunner

    from docgen.cli import app

    argv = [str(a) for a in args]
    here = _os.getcwd()
    if cwd is not None:
        _os.chdir(cwd)
    previous = _signal.signal(_signal.SIGALRM, _too_long)
    _signal.setitimer(_signal.ITIMER_REAL, timeout)
    try:
        result = CliRunner().invoke(app, argv, input=input, env=env, prog_name="docgen")
    finally:
        _signal.setitimer(_signal.ITIMER_REAL, 0)
        _signal.signal(_signal.SIGALRM, previous)
        _os.chdir(here)
    if isinstance(result.exception, CliTimeout):
        raise _subprocess.TimeoutExpired(["docgen", *argv], timeout)
    stderr, code = result.stderr, result.exit_code
    if result.exc_info is not None and not isinstance(result.exc_info[1], SystemExit):
        stderr += "".join(_traceback.format_exception(*result.exc_info))
        code = 1
    return _subprocess.CompletedProcess(["docgen", *argv], code, result.stdout, stderr)


# --------------------------------------------------------------------------- built once per run
# Some outputs are read by tests in several modules, which pytest-xdist spreads over its workers:
# the first worker to ask builds them under an flock, the others wait for it and read them.

import fcntl as _fcntl  # noqa: E402
import tempfile as _tempfile  # noqa: E402
from collections.abc import Callable as _Callable  # noqa: E402

_os.environ.setdefault("DOCGEN_TEST_RUN", _secrets.token_hex(6))  # set by the controller, inherited by workers
RUN_FOLDER = _Path(_tempfile.gettempdir()) / f"docgen-test-run-{_os.environ['DOCGEN_TEST_RUN']}"
"""A folder every test worker of this run shares; the run removes it at its end (tests/conftest.py)."""


def built_once(name: str, build: _Callable[[_Path], None]) -> _Path:
    """The folder ``RUN_FOLDER/name``, filled by ``build(folder)`` once in this run, whichever worker asks first."""
    folder = RUN_FOLDER / name
    RUN_FOLDER.mkdir(parents=True, exist_ok=True)
    with (RUN_FOLDER / f"{name}.lock").open("w") as lock:
        _fcntl.flock(lock, _fcntl.LOCK_EX)  # released when the file closes, also if build raises
        if not (folder / ".done").exists():
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir()
            build(folder)
            (folder / ".done").touch()
    return folder


# --------------------------------------------------------------------------- LibreOffice, the second reader


def libreoffice(sources: list[_Path], target: str, outdir: _Path) -> list[_Path]:
    """Convert ``sources`` to ``target`` (``pdf``, ``xlsx:…``, ``csv:…``) with LibreOffice headless in one
    start, under a private profile and HOME (parallel runs must not clash); the files it wrote for them."""
    exe = require_tool_path("soffice")
    outdir.mkdir(parents=True, exist_ok=True)
    with _tempfile.TemporaryDirectory(prefix="lo-profile-") as profile:
        proc = _subprocess.run(
            [
                exe,
                f"-env:UserInstallation={_Path(profile).as_uri()}",
                "--headless",
                "--norestore",
                "--convert-to",
                target,
                "--outdir",
                str(outdir),
                *map(str, sources),
            ],
            capture_output=True,
            text=True,
            timeout=300,
            env={**_os.environ, "HOME": profile},
        )
    assert proc.returncode == 0, proc.stderr
    produced = sorted(p for src in sources for p in outdir.glob(src.stem + "*") if p != src)
    assert produced, f"LibreOffice produced nothing: {proc.stdout} {proc.stderr}"
    return produced
