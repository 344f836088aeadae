"""Two sessions of one unit, a failed read, autosave and versions, a stale local copy (issue 21, the page):
the page says which version it is based on, and nothing anyone typed is overwritten unseen."""

from __future__ import annotations

from pathlib import Path

import pytest

pytestmark = pytest.mark.slow  # a real server and Chromium
ROOT = Path(__file__).resolve().parents[2]


def put_example(server, unit: str) -> None:
    with server.api(unit) as api:
        body = (ROOT / f"data/submissions/2024/{unit}.yaml").read_bytes()
        r = api.put(f"/api/v1/filings/2024/{unit}", content=body, headers={"Content-Type": "application/yaml"})
        assert r.status_code == 200, r.text


def latest(server, unit: str) -> dict:
    with server.api(unit) as api:
        return api.get(f"/api/v1/filings/2024/{unit}").json()


def versions(server, unit: str) -> int:
    with server.api(unit) as api:
        return len(api.get(f"/api/v1/filings/2024/{unit}/versions").json()["versions"])


def ready(page) -> None:
    page.wait_for_selector("#app[data-ready='1']", state="attached")


def settled(page) -> None:
    page.wait_for_selector("#app[data-pending='']", state="attached", timeout=20_000)
    page.wait_for_selector("#save-status[data-kind='ok']", state="attached")


def test_two_sessions_of_one_unit_never_overwrite_each_other(pages, server):
    put_example(server, "shenzhen")
    a, b = pages.new(), pages.new()  # two browsers: colleagues sharing the unit's account
    for page in (a, b):  # the refused writes are the point: the browser logs each 412
        pages.expect_console(page, r"status of 412")
    for page in (a, b):
        pages.login(page, "sz-clerk")
        ready(page)
    a.get_by_label("联系人", exact=True).fill("张三")
    a.get_by_role("button", name="保存（留下新版本）").click()
    a.locator("#save-status").get_by_text("已保存为第 2 版").wait_for()

    # B, still on version 1, types: its autosave is refused, and B is told, with both choices
    b.get_by_label("联系电话", exact=True).fill("0755-11112222")
    conflict = b.locator("#conflict")
    conflict.get_by_text("另一处已修改").wait_for()
    assert "第 2 版" in conflict.inner_text()
    pages.shot(b, "conflict", full_page=False)
    assert latest(server, "shenzhen")["submission"]["contact"]["name"] == "张三"  # A's edit stands
    assert versions(server, "shenzhen") == 2
    conflict.get_by_role("button", name="载入别处保存的版本（本页修改另存在本机）").click()
    b.locator("#save-status").get_by_text("已载入别处保存的第 2 版").wait_for()  # the page reads it again first
    assert b.get_by_label("联系人", exact=True).input_value() == "张三"
    assert b.locator("#conflict").is_hidden()

    # the other way: A keeps its page after B saved a version, knowingly, as a new version on top
    b.get_by_label("联系电话", exact=True).fill("0755-33334444")
    b.get_by_role("button", name="保存（留下新版本）").click()
    b.locator("#save-status").get_by_text("已保存为第 3 版").wait_for()
    a.get_by_label("联系人", exact=True).fill("张三丰")
    a.locator("#conflict").get_by_text("另一处已修改").wait_for()
    a.get_by_role("button", name="保留本页内容，保存为新版本").click()
    a.locator("#save-status").get_by_text("已保存为第 4 版").wait_for()
    assert latest(server, "shenzhen")["submission"]["contact"]["name"] == "张三丰"
    assert versions(server, "shenzhen") == 4

    # 报送 is bound to the version reviewed: B, still showing version 3, cannot submit version 4 unseen
    b.get_by_role("button", name="报送省局").click()
    b.get_by_role("dialog").get_by_role("button", name="确定报送").click()
    b.locator("#conflict").get_by_text("另一处已修改").wait_for()
    assert latest(server, "shenzhen")["status"] == "draft"


def test_a_failed_read_leaves_the_page_read_only_with_a_retry(pages, server):
    put_example(server, "foshan")
    page = pages.new()
    pages.expect_console(page, r"status of 503")
    writes = []
    page.on("request", lambda r: writes.append(r.url) if r.method in ("PUT", "POST") and "/filings/" in r.url else None)
    # the one read of the filing fails as during a restart (503); everything else is the real server
    page.route("**/api/v1/filings/2024/foshan", lambda route: route.fulfill(status=503, body="restarting"))
    pages.login(page, "fs-clerk")
    ready(page)
    box = page.locator("#load-failed")
    box.get_by_text("页面暂为只读").wait_for()
    assert page.get_by_label("联系人", exact=True).get_attribute("readonly") is not None
    page.wait_for_timeout(2500)  # longer than the autosave delay: nothing is written
    assert writes == []
    assert latest(server, "foshan")["submission"]["contact"]["name"] == "梁嘉欣"
    pages.shot(page, "read-failed", full_page=False)
    page.unroute("**/api/v1/filings/2024/foshan")
    box.get_by_role("button", name="重试").click()
    page.locator("#save-status").get_by_text("已从服务器载入第 1 版").wait_for()
    assert page.get_by_label("联系人", exact=True).input_value() == "梁嘉欣"
    assert page.get_by_label("联系人", exact=True).get_attribute("readonly") is None


def test_autosave_is_one_working_draft_and_versions_are_made_on_purpose(pages, server):
    put_example(server, "guangzhou")
    page = pages.new()
    drafts = []
    page.on(
        "request",
        lambda r: drafts.append(r.url) if r.method == "PUT" and r.url.split("?")[0].endswith("/draft") else None,
    )
    pages.login(page, "gz-clerk")
    ready(page)
    name = page.get_by_label("联系人", exact=True)
    for text in ("李", "李明", "李明远"):  # three pauses, three autosaves
        name.fill(text)
        settled(page)
    assert versions(server, "guangzhou") == 1  # autosave made no version
    assert len(drafts) >= 1
    with server.api("guangzhou") as api:
        draft = api.get("/api/v1/filings/2024/guangzhou/draft").json()
    assert draft["submission"]["contact"]["name"] == "李明远" and draft["base_version"] == 1
    page.reload()
    ready(page)
    assert name.input_value() == "李明远"  # the working draft comes back
    assert "工作草稿" in page.inner_text("#save-status")

    # an input method's composition is never autosaved half-way: only at its end
    before = len(drafts)
    name.click()
    name.dispatch_event("compositionstart")
    page.keyboard.insert_text("同志")
    page.wait_for_timeout(2500)
    assert len(drafts) == before, "autosaved in the middle of a composition"
    name.dispatch_event("compositionend")
    settled(page)
    assert len(drafts) == before + 1

    page.get_by_role("button", name="保存（留下新版本）").click()
    page.locator("#save-status").get_by_text("已保存为第 2 版").wait_for()
    page.get_by_role("button", name="保存（留下新版本）").click()  # the same bytes again: no version
    assert versions(server, "guangzhou") == 2


def test_an_untouched_page_offers_no_stale_copy_and_unsaved_edits_say_their_version(pages, server, browser):
    context = browser.new_context(base_url=server.url, locale="zh-CN")  # one browser profile throughout
    try:
        page = context.new_page()
        page.goto("/")
        page.get_by_label("用户名").fill("fs-clerk")
        page.get_by_label("密码").fill("correct-horse-9")
        page.get_by_role("button", name="登录").click()
        ready(page)
        page.close()  # opened and left untouched: pagehide keeps nothing
        with server.api("foshan") as api:  # a colleague saves a version meanwhile
            now = api.get("/api/v1/filings/2024/foshan").json()
            body = (ROOT / "data/submissions/2024/foshan.yaml").read_text().replace("梁嘉欣", "何志强")
            r = api.put(
                f"/api/v1/filings/2024/foshan?base_version={now['version']}",
                content=body.encode(),
                headers={"Content-Type": "application/yaml"},
            )
            assert r.status_code == 200, r.text
        page = context.new_page()
        page.goto("/filing/2024")
        ready(page)
        assert page.locator("#draft-offer").is_hidden()  # nothing stale is offered as newer
        assert page.get_by_label("联系人", exact=True).input_value() == "何志强"

        # an edit that could not reach the server, then a colleague's version: offered, saying its basis
        context.set_offline(True)
        page.get_by_label("联系电话", exact=True).fill("0757-00000000")
        page.locator("#save-status").get_by_text("已保存在本机").wait_for()
        base = page.evaluate("JSON.parse(localStorage.getItem('docgen:draft:2024:foshan')).base")
        page.close()
        context.set_offline(False)
        with server.api("foshan") as api:
            now = api.get("/api/v1/filings/2024/foshan").json()
            r = api.put(
                f"/api/v1/filings/2024/foshan?base_version={now['version']}",
                content=body.replace("何志强", "何志坚").encode(),
                headers={"Content-Type": "application/yaml"},
            )
            assert r.status_code == 200, r.text
        page = context.new_page()
        page.goto("/filing/2024")
        ready(page)
        offer = page.locator("#draft-offer")
        assert offer.is_visible()
        assert f"基于第 {base} 版" in offer.inner_text() and f"第 {now['version'] + 1} 版" in offer.inner_text()
        assert page.get_by_label("联系人", exact=True).input_value() == "何志坚"  # the server's until chosen
    finally:
        context.close()
