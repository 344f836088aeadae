"""Logging in and out: Chinese pages, session cookie flags, CSRF on forms and API calls, throttling, audit."""

from __future__ import annotations

import re

import httpx
import pytest
from sqlalchemy import select

from docgen.service.db import Database
from docgen.service.models import AuditEvent
from docgen.service.settings import sqlite_url
from web.conftest import PASSWORD

pytestmark = pytest.mark.slow  # a real server and Chromium


def login_form(client: httpx.Client) -> str:
    r = client.get("/")
    assert r.status_code == 200 and "登录" in r.text
    return re.search(r'name="csrf_token" value="([^"]+)"', r.text).group(1)


def log_in(client: httpx.Client, name: str, password: str) -> httpx.Response:
    return client.post("/login", data={"name": name, "password": password, "csrf_token": login_form(client)})


def page_csrf(html: str) -> str:
    return re.search(r'name="csrf-token" content="([^"]+)"', html).group(1)


def audit(server) -> list[tuple[str, str]]:
    db = Database(sqlite_url(server.data))
    try:
        return db.read_sync(
            lambda s: [(e.actor, e.action) for e in s.scalars(select(AuditEvent).order_by(AuditEvent.id))]
        )
    finally:
        db.dispose()


def test_session_cookie_csrf_and_logout(server):
    with httpx.Client(base_url=server.url) as c:
        r = log_in(c, "sz-clerk", PASSWORD)
        assert r.status_code == 303 and r.headers["location"] == "/filing/2024"
        cookie = next(v for k, v in r.headers.multi_items() if k == "set-cookie" and v.startswith("docgen_session="))
        assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Max-Age=36000" in cookie
        page = c.get("/filing/2024")
        assert page.status_code == 200 and "深圳市市场监督管理局" in page.text
        csp = page.headers["content-security-policy"]
        assert "default-src 'self'" in csp and "script-src 'self'" in csp
        token = page_csrf(page.text)
        body = {"form": 2024, "unit": "深圳市市场监督管理局（知识产权局）"}
        # the API takes the session cookie: reads freely, changes only with the page's CSRF token
        assert c.post("/api/v1/validate", json=body).status_code == 403
        assert c.post("/api/v1/validate", json=body, headers={"X-CSRF-Token": "forged"}).status_code == 403
        assert c.post("/api/v1/validate", json=body, headers={"X-CSRF-Token": token}).status_code == 200
        assert c.get("/api/v1/filings/2024/shenzhen").status_code in (200, 404)
        assert c.get("/api/v1/filings/2024/guangzhou").status_code == 404  # another unit: as if absent
        # a logout without the token does nothing; with it the session is gone on the server
        c.post("/logout", data={"csrf_token": "forged"})
        assert c.get("/filing/2024").status_code == 200
        r = c.post("/logout", data={"csrf_token": token})
        assert r.status_code == 303
        stolen = cookie.split(";", 1)[0].split("=", 1)[1]
    with httpx.Client(base_url=server.url, cookies={"docgen_session": stolen}) as c:
        assert c.get("/filing/2024").headers.get("location", "").startswith("/")
        r = c.get("/api/v1/filings/2024/shenzhen")
        assert r.status_code == 401 and "重新登录" in r.json()["detail"]
    assert ("user:sz-clerk", "login") in audit(server)


def test_wrong_password_and_throttling(server):
    with httpx.Client(base_url=server.url) as c:
        r = c.post("/login", data={"name": "fs-clerk", "password": PASSWORD})  # no CSRF token
        assert r.status_code == 403 and "页面已过期" in r.text
        for _ in range(4):
            r = log_in(c, "fs-clerk", "wrong-password")
            assert r.status_code == 200 and "用户名或密码不正确" in r.text and "docgen_session" not in r.cookies
        r = log_in(c, "fs-clerk", "wrong-password")
        assert r.status_code == 429 and "登录失败次数过多" in r.text and int(r.headers["retry-after"]) > 0
        r = log_in(c, "fs-clerk", PASSWORD)  # even the right password waits now
        assert r.status_code == 429
        assert "docgen_session" not in r.cookies
    events = audit(server)
    assert events.count(("user:fs-clerk", "login-failed")) == 5
    assert ("user:fs-clerk", "login") not in events


def test_login_page_in_the_browser(pages):
    page = pages.new()
    page.goto("/")
    assert page.locator("html").get_attribute("lang") == "zh-CN"
    page.keyboard.press("Tab")  # the skip link first, then the fields, by keyboard alone
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "name"
    page.keyboard.type("gz-clerk")
    page.keyboard.press("Tab")
    page.keyboard.type("not-the-password")
    page.keyboard.press("Enter")
    page.get_by_role("alert").get_by_text("用户名或密码不正确").wait_for()
    pages.shot(page, "wrong-password")
    pages.login(page, "gz-clerk")
    assert page.url.endswith("/filing/2024")
    page.get_by_role("button", name="退出登录").click()
    page.get_by_role("button", name="登录").wait_for()


def test_login_keeps_where_the_clerk_was_going_and_says_whom_to_ask(pages):
    """?next= is honoured (a path of this site only), focus returns to the password after a wrong one,
    the page says whom to ask for a forgotten password, and the header names the unit, not its login."""
    page = pages.new()
    page.goto("/province/2024/shenzhen")  # a bookmarked filing, no session yet
    assert "/?next=/province/2024/shenzhen" in page.url
    assert "省局账号管理员" in page.locator("#forgot").inner_text()
    page.get_by_label("用户名").fill("province")
    page.get_by_label("密码").fill("not-the-password")
    page.get_by_role("button", name="登录").click()
    page.get_by_role("alert").get_by_text("用户名或密码不正确").wait_for()
    assert page.evaluate("document.activeElement.id") == "password"
    assert page.get_by_label("用户名").input_value() == "province"
    page.keyboard.type(PASSWORD)  # the clerk just types the password again
    page.keyboard.press("Enter")
    page.wait_for_url("**/province/2024/shenzhen")
    assert "深圳市市场监督管理局" in page.locator("main").inner_text()
    assert page.locator("header .who").inner_text().startswith("省局")

    clerk = pages.new()
    clerk.goto("/?next=//evil.example/steal")  # another host is never a destination
    pages.login(clerk, "gz-clerk")
    assert clerk.url.endswith("/filing/2024")
    who = clerk.locator("header .who").inner_text()
    assert who.startswith("广州市市场监督管理局（知识产权局）") and "gz-clerk" in who
    pages.shot(clerk, "header")


def test_next_is_a_path_of_this_site_only(server):
    with httpx.Client(base_url=server.url) as c:
        for evil in ("//evil.example/x", "https://evil.example/", "/\\evil.example", "javascript:alert(1)"):
            r = c.get("/", params={"next": evil})
            assert 'name="next"' not in r.text, evil
        r = c.get("/", params={"next": "/filing/2024"})
        assert 'name="next" value="/filing/2024"' in r.text
        token = re.search(r'name="csrf_token" value="([^"]+)"', r.text).group(1)
        r = c.post(
            "/login", data={"name": "sz-clerk", "password": PASSWORD, "csrf_token": token, "next": "//evil.example"}
        )
        assert r.status_code == 303 and r.headers["location"] == "/filing/2024"
