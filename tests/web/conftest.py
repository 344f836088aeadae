"""Web app tests: a real uvicorn on 127.0.0.1 and Debian's Chromium driven by Playwright.

Every page a test opens fails the test on a JavaScript console error, an uncaught exception or a
request to any host but the app's; its screenshot is saved under build/screenshots/.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "build" / "screenshots"
CHROMIUM = os.environ.get("DOCGEN_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    # no host but loopback resolves: a request elsewhere fails in the browser itself (and
    # is recorded below), without routing every request through Python
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
]
PASSWORD = "correct-horse-9"
USERS = {  # name → unit id (None: the province)
    "gz-clerk": "guangzhou",
    "sz-clerk": "shenzhen",
    "fs-clerk": "foshan",
    "province": None,
}
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def _need(what: str, ok: bool) -> None:
    """In CI a missing tool fails the test (setup installs it); elsewhere the test is skipped."""
    if ok:
        return
    message = f"{what} is missing: run scripts/setup.sh"
    if IN_CI:
        pytest.fail(message)
    pytest.skip(message)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Server:
    url: str
    data: Path
    proc: subprocess.Popen
    log: Path
    tokens: dict[str, str] = field(default_factory=dict)  # unit id or "province" → API token

    def api(self, who: str) -> httpx.Client:
        """An API client with a Bearer token (for setting a scene; the browser uses its session)."""
        return httpx.Client(base_url=self.url, timeout=300, headers={"Authorization": f"Bearer {self.tokens[who]}"})

    @property
    def origin(self) -> str:
        return self.url


def seed_users(data: Path) -> dict[str, str]:
    """The USERS, and an API token per unit of theirs and for the province."""
    from docgen.service.accounts import add_user, create_token
    from docgen.service.db import Database
    from docgen.service.settings import sqlite_url

    db = Database(sqlite_url(data))
    db.migrate()

    def add(session) -> dict[str, str]:
        tokens = {}
        for name, unit in USERS.items():
            add_user(session, name, PASSWORD, unit, unit is None)
            tokens[unit or "province"] = create_token(session, unit, unit is None, name=f"test {name}")[1]
        return tokens

    tokens = db.write_sync(add)
    db.dispose()
    return tokens


def start_server(data: Path) -> Server:
    data.mkdir(parents=True, exist_ok=True)
    tokens = seed_users(data)
    port = free_port()
    log = data / "server.log"
    cmd = [sys.executable, "-m", "docgen", "serve", "--host", "127.0.0.1", "--port", str(port), "--data", str(data)]
    proc = subprocess.Popen([*cmd, "--workers", "1"], cwd=ROOT, stdout=log.open("wb"), stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the server exited with {proc.returncode}:\n{log.read_text(errors='replace')}")
        try:
            if httpx.get(url + "/healthz", timeout=1).status_code == 200:
                return Server(url, data, proc, log, tokens)
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    proc.kill()
    raise RuntimeError(f"the server did not answer within 60 s:\n{log.read_text(errors='replace')}")


def stop_server(server: Server) -> None:
    server.proc.terminate()
    try:
        server.proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        server.proc.kill()
        server.proc.wait()


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Server:
    """A fresh service (own data folder, users from USERS) per test module."""
    s = start_server(tmp_path_factory.mktemp("web") / "data")
    yield s
    stop_server(s)


@pytest.fixture(scope="module")
def browser():
    """Chromium under Playwright's sync API, per module: while it lives, its event loop counts as running in
    this thread, so a session-long browser made every later asyncio.run() on the same worker fail."""
    _need(f"Chromium ({CHROMIUM})", shutil.which(CHROMIUM) is not None or Path(CHROMIUM).exists())
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # pragma: no cover - a test dependency
        _need("the playwright Python package", False)
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield b
        b.close()


@dataclass
class Watch:
    """What went wrong on a page: console errors, page errors, requests to other hosts."""

    origin: str
    console: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    foreign: list[str] = field(default_factory=list)
    expected: list[re.Pattern] = field(default_factory=list)  # console errors a test causes on purpose

    def problems(self) -> list[str]:
        return (
            [f"console error: {m}" for m in self.console if not any(p.search(m) for p in self.expected)]
            + [f"page error: {m}" for m in self.errors]
            + [f"request to another host: {u}" for u in self.foreign]
        )


def _allowed(url: str, origin: str) -> bool:
    parts = urlsplit(url)
    if parts.scheme in ("data", "blob", "about"):
        return True
    return f"{parts.scheme}://{parts.netloc}" == origin


def _shot_name(nodeid: str, label: str) -> str:
    name = re.sub(r"[^\w.-]+", "_", nodeid.split("::", 1)[-1]).strip("_")
    return f"{name}{'-' + label if label else ''}.png"


class Pages:
    """Opens watched pages (one browser context each, like separate people) and saves screenshots."""

    def __init__(self, browser, server: Server, nodeid: str):
        self.browser, self.server, self.nodeid = browser, server, nodeid
        self.opened: list[tuple[object, Watch]] = []
        self.shots = 0

    def new(self, **context_args):
        context = self.browser.new_context(
            **{
                "base_url": self.server.url,
                "locale": "zh-CN",
                "accept_downloads": True,
                "viewport": {"width": 1280, "height": 900},
                **context_args,  # a test may ask for a phone's viewport
            }
        )
        watch = Watch(self.server.url)

        context.on("request", lambda r: None if _allowed(r.url, watch.origin) else watch.foreign.append(r.url))
        page = context.new_page()
        page.set_default_timeout(15_000)
        page.on("console", lambda m: watch.console.append(f"{m.text} ({m.location})") if m.type == "error" else None)
        page.on("pageerror", lambda e: watch.errors.append(str(e)))
        self.opened.append((page, watch))
        return page

    def expect_console(self, page, pattern: str) -> None:
        """Console errors matching ``pattern`` are this test's doing (the browser's own line for a request
        that failed while the test had taken the page offline); every other one still fails the test."""
        next(w for p, w in self.opened if p is page).expected.append(re.compile(pattern))

    def shot(self, page, label: str = "", full_page: bool = True) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        self.shots += 1
        path = SCREENSHOTS / _shot_name(self.nodeid, label or str(self.shots))
        page.screenshot(path=str(path), full_page=full_page)
        return path

    def login(self, page, name: str, password: str = PASSWORD) -> None:
        page.goto("/")
        page.get_by_label("用户名").fill(name)
        page.get_by_label("密码").fill(password)
        page.get_by_role("button", name="登录").click()
        page.wait_for_load_state()

    def close(self) -> list[str]:
        problems = []
        for page, watch in self.opened:
            try:
                if not page.is_closed():
                    self.shot(page, "end")
            except Exception:  # noqa: BLE001 - a screenshot must not hide the real failure
                pass
            problems += watch.problems()
            page.context.close()
        return problems


@pytest.fixture
def pages(browser, server, request):
    """``pages.new()`` opens a watched page; at the end every page is screenshotted and checked."""
    p = Pages(browser, server, request.node.nodeid)
    yield p
    problems = p.close()
    if problems:
        pytest.fail("\n".join(problems))
