"""The clerk's day in Chromium (issue 22): undo for 删除 and 载入到页面, focus kept on the neighbouring
row, a confirmed 报送 with a receipt, messages that say where in the clerk's words, amounts read by the
checker's one rule, a re-check after reconnecting, and live regions that speak once per change."""

from __future__ import annotations

import io
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook

pytestmark = pytest.mark.slow  # a real server and Chromium
ROOT = Path(__file__).resolve().parents[2]


def put_example(server, unit: str, text: str | None = None) -> None:
    body = text.encode() if text is not None else (ROOT / f"data/submissions/2024/{unit}.yaml").read_bytes()
    with server.api(unit) as api:
        r = api.put(f"/api/v1/filings/2024/{unit}", content=body, headers={"Content-Type": "application/yaml"})
        assert r.status_code == 200, r.text


def ready(page) -> None:
    page.wait_for_selector("#app[data-ready='1']", state="attached")


def saved(page) -> None:
    page.wait_for_selector("#app[data-pending='']", state="attached", timeout=20_000)
    page.wait_for_selector("#save-status[data-kind='ok']", state="attached")


def test_delete_and_load_undo_focus_stays_and_submit_is_confirmed_with_a_receipt(pages, server, tmp_path):
    put_example(server, "foshan")
    page = pages.new()
    pages.login(page, "fs-clerk")
    ready(page)
    t2 = page.locator("#table-post_subsidy")
    assert t2.locator("fieldset.item").count() == 2
    second = t2.get_by_label("后补助名称", exact=True).nth(1).input_value()

    # 删除: the row goes, focus stays on the row that took its place, and 撤销 brings it back
    t2.get_by_role("button", name="删除表（二）第1行").click()
    assert t2.locator("fieldset.item").count() == 1
    assert page.evaluate("document.activeElement.getAttribute('aria-label')") == "删除表（二）第1行"
    assert page.evaluate("document.activeElement.closest('fieldset').id") == "f-post_subsidy-0"
    assert t2.get_by_label("后补助名称", exact=True).nth(0).input_value() == second
    bar = page.locator("#undo-bar")
    assert "已删除表（二）第1行" in bar.inner_text()
    pages.shot(page, "deleted", full_page=False)
    bar.get_by_role("button", name="撤销").click()
    assert t2.locator("fieldset.item").count() == 2
    assert t2.get_by_label("后补助名称", exact=True).nth(1).input_value() == second
    assert page.evaluate("document.activeElement.closest('fieldset')?.id") == "f-post_subsidy-0"
    # the last row of a table: focus goes to the table's 添加 button, not the top of the page
    t2.get_by_role("button", name="删除表（二）第2行").click()
    t2.get_by_role("button", name="删除表（二）第1行").click()
    assert t2.locator("fieldset.item").count() == 0
    assert page.evaluate("document.activeElement.textContent") == "在表（二）添加一行"
    page.locator("#undo-bar").get_by_role("button", name="撤销").click()
    assert t2.locator("fieldset.item").count() == 1
    saved(page)

    # 载入到页面 replaces the page: it can be undone, and the upload's sheet/cell list stays
    from docgen.registry import Options, render_file

    wb = load_workbook(
        io.BytesIO(render_file(ROOT / "data/submissions/2024/foshan.yaml", Options(formats=("xlsx",))).outputs["xlsx"])
    )
    wb["表一"]["D5"] = wb["表一"]["D5"].value + 1  # 经费安排 ≠ Σ 项目数×单项金额
    book = tmp_path / "佛山.xlsx"
    wb.save(book)
    page.get_by_label("上传已填写的征集表").set_input_files(str(book))
    result = page.locator("#upload-result")
    result.get_by_text("表一!D5").wait_for()
    page.get_by_role("button", name="载入到页面（替换当前内容）").click()
    assert "表一!D5" in result.inner_text() and "已将 佛山.xlsx 的内容载入页面" in result.inner_text()
    assert t2.locator("fieldset.item").count() == 2  # the workbook's two rows
    page.locator("#undo-bar").get_by_role("button", name="撤销").click()
    assert t2.locator("fieldset.item").count() == 1  # the page as it was before the load
    saved(page)
    page.locator("#check-summary .verdict").get_by_text("没有错误").wait_for()

    # 报送省局 asks first; 取消 leaves it a draft, 确定报送 sends it and gives a receipt with the time
    page.get_by_role("button", name="报送省局").click()
    dialog = page.get_by_role("dialog", name="确认报送省局")
    dialog.wait_for()
    assert "报送后不能再修改" in dialog.inner_text()
    pages.shot(page, "confirm", full_page=False)
    dialog.get_by_role("button", name="取消").click()
    assert page.inner_text("#submit-note") == "未报送。"
    assert page.inner_text("#filing-status .state").startswith("状态：草稿")
    page.get_by_role("button", name="报送省局").click()
    page.get_by_role("dialog").get_by_role("button", name="确定报送").click()
    receipt = page.locator("#receipt")
    receipt.get_by_text("报送省局").wait_for()
    assert receipt.inner_text().startswith("已于 20") and "（第" in receipt.inner_text()
    page.reload()
    ready(page)
    assert page.locator("#receipt").inner_text().startswith("已于 20")  # the receipt stays after a reload
    pages.shot(page, "receipt", full_page=False)


def test_messages_say_where_amounts_follow_the_checkers_rule_and_a_lost_connection_is_rechecked(pages, server):
    put_example(server, "shenzhen")
    page = pages.new()
    pages.login(page, "sz-clerk")
    ready(page)
    t2 = page.locator("#table-post_subsidy")
    amount = t2.get_by_label("后补助经费（万元）", exact=True).first
    # full-width digits, as a Chinese input method types them, are summed live as the checker reads them
    amount.fill("0")
    base = Decimal(page.inner_text("#total-post_subsidy"))
    amount.fill("１２．５")
    assert Decimal(page.inner_text("#total-post_subsidy")) == base + Decimal("12.50")
    # a comma is refused by the checker: the page never shows "60,5" as 605.00
    amount.fill("60,5")
    assert "605" not in page.inner_text("#total-post_subsidy")
    assert "格式不对" in page.inner_text("#total-post_subsidy")
    # the summary's message names the table and row, and carries no field key
    item = page.locator("#check-list li", has_text="逗号")
    item.wait_for()
    text = item.inner_text()
    assert text.startswith("错误：表（二）第1行 后补助经费："), text
    assert "（amount）" not in text and "amount" not in text
    pages.shot(page, "messages", full_page=False)
    amount.fill("12.5")
    item.wait_for(state="detached")

    # offline: a check that cannot reach the server says so instead of keeping old errors, throws nothing,
    # and the page checks again by itself when the connection is back
    pages.expect_console(page, r"Failed to load resource: net::ERR_INTERNET_DISCONNECTED")
    amount.fill("-1")
    page.locator("#check-list li", has_text="负数").wait_for()
    page.context.set_offline(True)
    amount.fill("7")
    verdict = page.locator("#check-summary .verdict")
    verdict.get_by_text("连接中断").wait_for()
    assert page.locator("#check-list li").count() == 0  # the old 负数 error is not left standing
    page.context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    verdict.get_by_text("没有错误").wait_for()
    saved(page)


def test_live_regions_speak_once_per_change(pages, server):
    put_example(server, "guangzhou")
    page = pages.new()
    pages.login(page, "gz-clerk")
    ready(page)
    page.locator("#check-summary .verdict").get_by_text("没有错误").wait_for()
    page.wait_for_timeout(500)  # the first check's answer is in; nothing is pending
    # every write into a live region is spoken: count the writes whose text differs from what was there
    page.evaluate(
        """() => {
        window.__spoken = [];
        // an <output> is a live region by its implicit role (status) unless aria-live="off"
        const live = '[aria-live]:not([aria-live=off]), [role=status], [role=alert], output:not([aria-live=off])';
        for (const el of document.querySelectorAll(live)) {
          let last = el.textContent;
          new MutationObserver(() => { window.__spoken.push([el.id || el.className, el.textContent, el.textContent === last]);
                                       last = el.textContent; })
            .observe(el, { childList: true, characterData: true, subtree: true });
        }
      }"""
    )
    field = page.get_by_label("联系人", exact=True)
    field.click()
    field.press("End")
    for ch in "同志你好":  # four keystrokes with pauses, each long enough for a check, one a save
        page.keyboard.type(ch)
        page.wait_for_timeout(400)
    saved(page)
    spoken = page.evaluate("window.__spoken")
    # one change happened (the draft was saved): at most the save line and nothing else
    assert len(spoken) <= 2, spoken
    assert all(not same for _, _, same in spoken), spoken  # nothing re-announced unchanged
