"""The province's journey in Chromium: the 23 units' statuses, a filing returned with a reason that
the clerk then reads, and a batch run to the end with its summary downloaded."""

from __future__ import annotations

import io
import re
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook

from docgen.check.submission import check_file
from docgen.form.loading import load as load_form
from docgen.views.form import table_totals

pytestmark = pytest.mark.slow  # a real server and Chromium, about a minute
ROOT = Path(__file__).resolve().parents[2]
FORM = load_form(2024)
REASON = "表（一）经费安排请按最新测算核对，并补充项目绩效的量化指标。"


def file_and_submit(server, unit: str, submit: bool = True) -> None:
    """A unit files its example (as a script would, with its API token) and submits it."""
    with server.api(unit) as api:
        body = (ROOT / f"data/submissions/2024/{unit}.yaml").read_bytes()
        r = api.put(f"/api/v1/filings/2024/{unit}", content=body, headers={"Content-Type": "application/yaml"})
        assert r.status_code == 200, r.text
        if submit:
            r = api.post(f"/api/v1/filings/2024/{unit}/submit")
            assert r.status_code == 200, r.text


def example_totals(unit: str) -> list[Decimal]:
    """An example's table totals and their sum, from its document view (not from the page)."""
    result = check_file(ROOT / f"data/submissions/2024/{unit}.yaml")
    assert result.submission is not None
    figures = list(table_totals(result.form, result.submission).values())
    return [*figures, sum(figures, Decimal(0))]


def foot(page, row_id: str) -> list[str]:
    """The amounts of a footer row of the units' table, as printed."""
    return [c.strip() for c in page.locator(f"#{row_id} td.num").all_inner_texts()]


def test_province_sees_statuses_and_returns_a_filing(pages, server):
    file_and_submit(server, "guangzhou")
    file_and_submit(server, "shenzhen", submit=False)

    page = pages.new()
    pages.login(page, "province")
    assert page.url.endswith("/province/2024")
    page.wait_for_selector("#app[data-ready='1']", state="attached")
    rows = page.locator("#units tbody tr")
    assert rows.count() == 23
    # the published order, with each unit's status, version and totals
    assert [rows.nth(i).get_attribute("data-unit") for i in range(23)] == [u.id for u in FORM.units]
    gz = page.locator("#units tr[data-unit='guangzhou']")
    assert gz.locator(".status").inner_text() == "已提交"
    assert "第 1 版" in gz.inner_text()
    assert "170.00" in gz.inner_text()  # table （一）: 120 + 50
    assert page.locator("#units tr[data-unit='shenzhen'] .status").inner_text() == "草稿"
    assert page.locator("#units tr[data-unit='zhuhai'] .status").inner_text() == "未填报"
    assert "已提交 1，草稿 1，已退回 0，未填报 21" in page.inner_text("#units-note")
    # the footer totals each table: the submitted filings (what the summary will hold), then all filed
    gz_totals, sz_totals = example_totals("guangzhou"), example_totals("shenzhen")
    assert foot(page, "sum-submitted") == [f"{v:.2f}" for v in gz_totals]
    assert foot(page, "sum-all") == [f"{a + b:.2f}" for a, b in zip(gz_totals, sz_totals)]
    assert "已提交的 1 个单位合计" in page.inner_text("#sum-submitted")
    assert "全部 2 份填报合计" in page.inner_text("#sum-all")
    pages.shot(page, "statuses")

    # open Guangzhou's filing read-only, with its versions, and return it with a reason
    gz.get_by_role("link").click()
    page.wait_for_selector("#app[data-ready='1']", state="attached")
    assert page.url.endswith("/province/2024/guangzhou")
    assert page.get_by_label("联系人", exact=True).get_attribute("readonly") is not None
    assert page.get_by_label("联系人", exact=True).input_value() == "李明"
    assert page.locator("#table-delegated").get_by_role("button").count() == 0
    page.locator("#versions tbody tr").first.wait_for()
    assert "第 1 版" in page.inner_text("#versions")
    page.get_by_label("退回原因").fill(REASON)
    page.get_by_role("button", name="退回", exact=True).click()
    page.locator("#return-note").get_by_text("已退回").wait_for()
    pages.shot(page, "returned")

    # the clerk sees the reason, and may edit again
    clerk = pages.new()
    pages.login(clerk, "gz-clerk")
    clerk.wait_for_selector("#app[data-ready='1']", state="attached")
    reason = clerk.locator("#return-reason")
    assert reason.is_visible()
    assert REASON in reason.inner_text()
    assert clerk.locator("#filing-status .state").inner_text().startswith("状态：已退回修改")
    assert clerk.get_by_label("联系人", exact=True).get_attribute("readonly") is None
    pages.shot(clerk, "clerk-sees-reason")

    # the province's list shows it
    page.goto("/province/2024")
    page.wait_for_selector("#app[data-ready='1']", state="attached")
    assert page.locator("#units tr[data-unit='guangzhou'] .status").inner_text() == "已退回修改"


def test_province_runs_a_batch_and_downloads_the_summary(pages, server, tmp_path):
    file_and_submit(server, "foshan")
    page = pages.new()
    pages.login(page, "province")
    page.wait_for_selector("#app[data-ready='1']", state="attached")
    page.get_by_role("button", name="开始批处理").click()
    page.wait_for_selector("#batch[data-status='done']", state="attached", timeout=300_000)
    assert "已完成" in page.inner_text("#batch-status")
    assert page.locator("#batch-progress").get_attribute("value") == page.locator("#batch-progress").get_attribute(
        "max"
    )
    pages.shot(page, "batch-done")
    link = page.get_by_role("link", name="汇总表.xlsx")
    link.scroll_into_view_if_needed()
    with page.expect_download(timeout=60_000) as dl:
        link.click(timeout=180_000)  # the click lasts until the response starts: the render
    path = tmp_path / "汇总表.xlsx"
    dl.value.save_as(path)
    wb = load_workbook(io.BytesIO(path.read_bytes()))
    text = " ".join(str(c.value) for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.value)
    assert "佛山市市场监督管理局" in text
    assert page.get_by_role("link", name="归档卷.pdf").count() == 1

    # what the batch took and left out, by Chinese names, with no job id on the page
    status = page.inner_text("#batch-status")
    assert not re.search(r"[0-9a-f]{16,}", page.inner_text("#batch")), status
    units = page.locator("#batch-units")
    units.locator("summary").click()
    assert "佛山市市场监督管理局（知识产权局）：" in units.inner_text()
    left = page.locator("#batch-left-out")
    left.locator("summary").click()
    assert "未纳入本次批处理的单位" in left.inner_text() and "珠海市市场监督管理局（知识产权局）" in left.inner_text()
    assert "佛山市市场监督管理局" not in left.inner_text()
    pages.shot(page, "batch-named")

    # every file in one zip, the units' files under their Chinese names
    with page.expect_download(timeout=120_000) as dl:
        page.get_by_role("link", name=re.compile("全部文件（ZIP")).click()
    bundle = tmp_path / "all.zip"
    dl.value.save_as(bundle)
    with zipfile.ZipFile(bundle) as zf:
        entries = zf.namelist()
        assert {"汇总表.xlsx", "归档卷.pdf", "单位文件包/佛山市市场监督管理局（知识产权局）.pdf"} <= set(entries), (
            entries
        )
        assert zf.read("汇总表.xlsx") == path.read_bytes()

    # a reload shows the last batch again, finished, with its files
    page.reload()
    page.wait_for_selector("#batch[data-status='done']", state="attached")
    assert "已完成" in page.inner_text("#batch-status")
    assert page.get_by_role("link", name="汇总表.xlsx").count() == 1


PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True, "device_scale_factor": 2}


def test_on_a_phone_the_unit_column_stays_in_view_and_no_table_widens_the_page(pages, server):
    file_and_submit(server, "shenzhen", submit=False)
    page = pages.new(**PHONE)
    pages.login(page, "province")
    page.wait_for_selector("#app[data-ready='1']", state="attached")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    unit = page.locator("#units tr[data-unit='shenzhen'] th[scope='row']")
    unit.evaluate("e => e.scrollIntoView({block: 'center'})")
    page.locator("#units").evaluate("t => t.parentElement.scrollLeft = 10000")  # to the last column
    assert page.locator("#units").evaluate("t => t.parentElement.scrollLeft") > 100  # it did scroll sideways
    box = unit.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390, box
    # the unit's name is what shows there, not the column scrolled under it
    at = page.evaluate(
        f"document.elementFromPoint({box['x'] + 8}, {box['y'] + box['height'] / 2}).closest('th')?.innerText"
    )
    assert at and at.startswith("深圳市")
    pages.shot(page, "phone-units", full_page=False)

    page.goto("/province/2024/shenzhen")
    page.wait_for_selector("#app[data-ready='1']", state="attached")
    page.locator("#versions tbody tr").first.wait_for()
    assert "第 1 版" in page.inner_text("#versions")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    pages.shot(page, "phone-versions")
