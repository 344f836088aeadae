"""An unknown address: a browser gets a Chinese page with a link home, the API keeps its problem documents."""

from __future__ import annotations

import httpx
import pytest

from web.conftest import PASSWORD
from web.test_login import log_in

pytestmark = pytest.mark.slow  # a real server and Chromium

BROWSER = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}  # as Chromium sends


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/nonexistent", 404),
        ("/filing/abc", 404),
        ("/province/abc/guangzhou", 404),
        ("/filing/2024/x", 404),
        ("/login", 405),  # a form's POST address, opened (bookmarked) in the browser
        ("/logout", 405),
    ],
)
def test_a_browser_gets_a_chinese_page_with_a_link_home(server, path: str, status: int) -> None:
    with httpx.Client(base_url=server.url) as c:
        r = c.get(path, headers=BROWSER)
    assert r.status_code == status
    assert r.headers["content-type"].startswith("text/html")
    assert "<h1>未找到</h1>" in r.text and "没有这个页面" in r.text
    assert '<a href="/">返回首页</a>' in r.text  # not logged in: home is the login page
    assert "Content-Security-Policy" in r.headers  # the pages' own headers, as every page has
    assert '"status"' not in r.text and "about:blank" not in r.text


def test_a_logged_in_clerk_is_sent_home_to_the_filing(server) -> None:
    with httpx.Client(base_url=server.url) as c:
        assert log_in(c, "gz-clerk", PASSWORD).status_code == 303
        r = c.get("/nonexistent", headers=BROWSER)
    assert r.status_code == 404 and '<a href="/filing/2024">返回首页</a>' in r.text
    assert "退出登录" in r.text  # the header is the logged-in one


@pytest.mark.parametrize(
    ("path", "headers", "status"),
    [
        ("/nonexistent", {}, 404),  # httpx's Accept: */*: a program, not a page
        ("/nonexistent", {"Accept": "application/json"}, 404),
        ("/api/v1/nonexistent", BROWSER, 404),  # the API answers JSON whoever asks
        ("/api/v1/filings/abc/guangzhou", BROWSER, 404),  # a form id no form has (was a year that is no number: 400)
        ("/filing/abc", {"Accept": "application/json"}, 404),
    ],
)
def test_programs_and_the_api_keep_the_problem_document(server, path: str, headers: dict, status: int) -> None:
    with httpx.Client(base_url=server.url, headers={"Authorization": f"Bearer {server.tokens['guangzhou']}"}) as c:
        r = c.get(path, headers=headers)
    assert r.status_code == status
    assert r.headers["content-type"] == "application/problem+json"
    body = r.json()
    assert body["status"] == status and any("\u4e00" <= ch <= "\u9fff" for ch in body["detail"])


def test_the_page_in_chromium(pages) -> None:
    page = pages.new()
    pages.login(page, "gz-clerk")
    reply = page.goto("/filing/abc")
    assert reply is not None and reply.status == 404
    assert page.get_by_role("heading", level=1).inner_text() == "未找到"
    assert "gz-clerk" in page.locator("header").inner_text()
    pages.shot(page, "not-found")
    page.get_by_role("link", name="返回首页").click()
    page.wait_for_url("**/filing/2024")
    # Chromium logs the document's own 404 status as a console error: that 404 is the point here
    watch = pages.opened[-1][1]
    watch.console[:] = [m for m in watch.console if not ("status of 404" in m and "/filing/abc'" in m)]
