"""Real parts for the service tests: a throwaway PostgreSQL cluster and `docgen serve` processes."""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import pytest
from testkit import run_docgen

ROOT = Path(__file__).resolve().parents[2]
DOCGEN = [sys.executable, "-m", "docgen"]


def must_have(ok: bool, what: str) -> None:
    """The project's CI rule (tests/conftest.py): missing setup → fail under CI=true, skip locally."""
    if ok:
        return
    if os.environ.get("CI", "").strip().lower() in ("true", "1"):
        pytest.fail(f"{what} is missing: scripts/setup.sh installs it (CI=true: must not skip)", pytrace=False)
    pytest.skip(f"{what} is missing: scripts/setup.sh installs it")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PostgresCluster:
    """initdb + pg_ctl in a temporary folder (as user postgres when run as root), removed by stop()."""

    def __init__(self) -> None:
        bins = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
        must_have(bool(bins), "PostgreSQL (Debian package postgresql: /usr/lib/postgresql/*/bin/initdb)")
        self.bin = Path(bins[-1]).parent
        self.root = Path(tempfile.mkdtemp(prefix="docgen-pg-"))
        self.data = self.root / "data"
        self.port = free_port()
        self.as_postgres: list[str] = []
        if os.geteuid() == 0:  # initdb refuses to run as root
            pw = pwd.getpwnam("postgres")
            os.chown(self.root, pw.pw_uid, pw.pw_gid)
            self.as_postgres = ["runuser", "-u", "postgres", "--"]
        self.started = False
        self._count = 0

    def _run(self, *args: str) -> subprocess.CompletedProcess:
        return subprocess.run([*self.as_postgres, *args], capture_output=True, text=True, timeout=120)

    def start(self) -> PostgresCluster:
        r = self._run(
            str(self.bin / "initdb"),
            "-D",
            str(self.data),
            "-U",
            "postgres",
            "-A",
            "trust",
            "-E",
            "UTF8",
            "--no-locale",
            "--no-sync",
            "--no-instructions",
        )
        if r.returncode:
            raise RuntimeError(f"initdb failed: {r.stderr}")
        opts = f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c max_connections=200"
        r = self._run(
            str(self.bin / "pg_ctl"),
            "-D",
            str(self.data),
            "-l",
            str(self.root / "log"),
            "-w",
            "-t",
            "60",
            "-o",
            opts,
            "start",
        )
        self.started = r.returncode == 0
        if not self.started:
            log = (self.root / "log").read_text(errors="replace") if (self.root / "log").exists() else ""
            raise RuntimeError(f"pg_ctl start failed: {r.stderr}\n{log}")
        return self

    def url(self, dbname: str = "postgres") -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{dbname}"

    def create_database(self) -> str:
        import psycopg

        self._count += 1
        name = f"docgen_test_{os.getpid()}_{self._count}"
        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def stop(self) -> None:
        if self.started:
            self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "-w", "stop")
            self.started = False
        shutil.rmtree(self.root, ignore_errors=True)


class Server:
    """`docgen serve` as a real uvicorn process on 127.0.0.1 and a free port."""

    def __init__(self, data: Path, database: str = "", extra: tuple[str, ...] = ()) -> None:
        self.data, self.database, self.extra = data, database, extra
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen | None = None
        self.log = data.parent / f"serve-{self.port}.log"

    def start(self, timeout: float = 90) -> Server:
        env = {**os.environ, "DOCGEN_DATABASE_URL": self.database}
        cmd = [*DOCGEN, "serve", "--port", str(self.port), "--data", str(self.data), "--workers", "1", *self.extra]
        self.logfile = self.log.open("ab")
        self.proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=self.logfile, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"docgen serve exited with {self.proc.returncode}:\n{self.output()}")
            try:
                # ready, not just alive: the render workers warm up in the background after the start
                if httpx.get(self.base + "/readyz", timeout=2).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        self.kill()
        raise RuntimeError(f"docgen serve did not answer in {timeout} s:\n{self.output()}")

    def output(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def signal(self, sig: int) -> None:
        assert self.proc is not None
        self.proc.send_signal(sig)

    def wait(self, timeout: float = 60) -> int:
        assert self.proc is not None
        return self.proc.wait(timeout)

    def kill(self) -> None:
        """The finalizer: SIGKILL if still running, and reap."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(30)
        if getattr(self, "logfile", None):
            self.logfile.close()


def docgen_cli(*args: str, data: Path, database: str = "", stdin: str | None = None) -> subprocess.CompletedProcess:
    """`docgen ARGS --data DATA` (the account and token commands), run in this process, as a finished process."""
    return run_docgen(*args, "--data", data, cwd=ROOT, env={"DOCGEN_DATABASE_URL": database}, input=stdin)
