"""A clerk's whole journey in Chromium: log in, fill two tables and a preset, fix a message, reload,
upload a faulty workbook, preview, download the PDF, submit, and fail to reach another unit."""

from __future__ import annotations

import io
import json
import time
from pathlib import Path

import pdfplumber
import pytest
from openpyxl import load_workbook

from docgen.form.loading import load

pytestmark = pytest.mark.slow  # a real server and Chromium, about a minute
ROOT = Path(__file__).resolve().parents[2]
TIMINGS = ROOT / "build" / "web-timings.json"
FORM = load("2024")
PRESET = next(t for t in FORM.tables if t.presets).presets[1].values()  # a preset of the published list


QUANTITY_CELL = "表一!G5"
"""项目数及单项金额 of 表一's first row (the column after 经费安排 and 测算依据)."""


def faulty_workbook(tmp_path: Path) -> Path:
    """Guangzhou's example as the XLSX docgen writes, with 项目数及单项金额 of 表一 row 5 made unreadable."""
    from docgen.registry import Options, render_file

    wb = load_workbook(
        io.BytesIO(
            render_file(ROOT / "data/submissions/2024/guangzhou.yaml", Options(formats=("xlsx",))).outputs["xlsx"]
        )
    )
    sheet, cell = QUANTITY_CELL.split("!")
    assert wb[sheet][cell[0] + "4"].value == "项目数及单项金额"
    assert wb[sheet][cell].value == "4*30"
    wb[sheet][cell] = "四个，每个30万"
    path = tmp_path / "广州-填好的征集表.xlsx"
    wb.save(path)
    return path


def wait_saved(page) -> None:
    """Until everything typed is on the server (the page's pending flag clears)."""
    page.wait_for_selector("#app[data-pending='']", state="attached", timeout=20_000)
    page.wait_for_selector("#save-status[data-kind='ok']", state="attached")


def record(name: str, ms: float) -> None:
    TIMINGS.parent.mkdir(parents=True, exist_ok=True)
    data = json.loads(TIMINGS.read_text()) if TIMINGS.exists() else {}
    data.setdefault(name, []).append(round(ms, 1))
    TIMINGS.write_text(json.dumps(data, ensure_ascii=False, indent=1))


def test_clerk_journey(pages, tmp_path):
    page = pages.new()
    # 1. log in: the unit's own filing page, in Chinese
    pages.login(page, "gz-clerk")
    assert page.url.endswith("/filing/2024")
    page.wait_for_selector("#app[data-ready='1']", state="attached")
    assert "广州市市场监督管理局（知识产权局）" in page.inner_text(".unit-name")
    assert page.inner_text("#filing-status .state").startswith("状态：未填报")

    page.get_by_label("联系人", exact=True).fill("李明")
    page.get_by_label("联系电话", exact=True).fill("020-83112345")

    # 2. table （一）: two work items (rows added, one moved up), a project each
    t1 = page.locator("#table-retained")
    t1.get_by_role("button", name="在表（一）添加一项").click()
    t1.get_by_label("类型", exact=True).nth(0).select_option("知识产权高质量创造")
    t1.get_by_label("主要工作内容", exact=True).nth(0).fill("围绕战略性产业集群开展高价值专利培育布局")
    t1.get_by_label("经费安排（万元）", exact=True).nth(0).fill("120")
    t1.get_by_label("拟设置项目", exact=True).nth(0).fill("高价值专利培育布局中心建设")
    t1.get_by_label("项目设置政策依据", exact=True).nth(0).fill("《广东省知识产权保护和运用“十四五”规划》")
    t1.get_by_label("项目绩效", exact=True).nth(0).fill("形成高价值专利组合不少于4个")
    t1.get_by_label("项目数", exact=True).nth(0).fill("4")
    t1.get_by_label("单项金额（万元）", exact=True).nth(0).fill("30")
    assert t1.locator(".product").nth(0).inner_text() == "= 120.00 万元"  # count × unit amount, live

    t1.get_by_role("button", name="在表（一）添加一项").click()
    t1.get_by_label("类型", exact=True).nth(1).select_option("强化知识产权保护")
    t1.get_by_label("主要工作内容", exact=True).nth(1).fill("建设知识产权信用监管体系")
    t1.get_by_label("拟设置项目", exact=True).nth(1).fill("知识产权领域信用体系建设项目")
    t1.get_by_label("项目设置政策依据", exact=True).nth(1).fill("《关于强化知识产权保护的意见》")
    t1.get_by_label("项目绩效", exact=True).nth(1).fill("建立信用档案不少于500份")
    t1.get_by_label("项目数", exact=True).nth(1).fill("2")
    t1.get_by_label("单项金额（万元）", exact=True).nth(1).fill("40")

    # 3. an inconsistent budget: the validator's words next to the field, and in the summary with a link
    budget = t1.get_by_label("经费安排（万元）", exact=True).nth(1)
    budget.fill("10")
    started = time.perf_counter()
    budget.press("0")  # 100 ≠ 2 × 40
    message = page.locator("#f-retained-1-budget-msg")
    message.get_by_text("之和不符").wait_for()  # at once: the page works out the form's check itself
    message.locator("p:not(.live)").get_by_text("之和不符").wait_for()  # then the validator's own report
    assert message.locator("p").count() == 1  # one message, not the page's and the validator's
    record("keystroke_to_message_ms_wall", (time.perf_counter() - started) * 1000)
    record("keystroke_to_message_ms_page", float(page.get_attribute("#app", "data-check-ms")))
    assert "经费安排 100 万元与各项目“项目数×单项金额”之和不符：2×40 = 80" in message.inner_text()
    assert budget.get_attribute("aria-invalid") == "true"
    assert "f-retained-1-budget-msg" in budget.get_attribute("aria-describedby")
    link = page.locator("#check-list a", has_text="之和不符")
    assert link.get_attribute("href") == "#f-retained-1-budget"
    assert page.locator("#check-summary .verdict").get_attribute("aria-live") == "polite"
    assert page.get_by_role("button", name="报送省局").is_disabled()
    pages.shot(page, "budget-message")
    link.click()
    assert page.evaluate("document.activeElement.id") == "f-retained-1-budget"  # the link leads to the field
    budget.fill("80")
    message.get_by_text("之和不符").wait_for(state="detached")
    assert t1.locator("output.sum").nth(1).inner_text() == "各项目“项目数×单项金额”之和：80.00 万元"

    # move the second work item up, and back down again (order is what the PDF prints)
    t1.get_by_role("button", name="上移表（一）第2项", exact=True).click()
    assert t1.get_by_label("主要工作内容", exact=True).nth(0).input_value() == "建设知识产权信用监管体系"
    t1.get_by_role("button", name="下移表（一）第1项", exact=True).click()
    assert (
        t1.get_by_label("主要工作内容", exact=True).nth(0).input_value() == "围绕战略性产业集群开展高价值专利培育布局"
    )

    # table （四）: a preset from the published list; its province-written text is read-only
    t4 = page.locator("#table-delegated")
    t4.get_by_role("button", name="添加省局预设项目").click()
    t4.get_by_label("拟设置项目", exact=True).select_option(PRESET["name"])
    fixed = t4.locator(".fixed-text")
    assert PRESET["necessity"] in fixed.all_inner_texts()
    assert t4.locator("input, textarea").filter(has_text=PRESET["necessity"]).count() == 0
    t4.get_by_label("金额（万元）", exact=True).fill("50")
    t4.get_by_label("项目绩效", exact=True).fill("调解知识产权纠纷不少于300件")
    assert page.inner_text("#total-delegated") == "50.00"
    assert page.inner_text("#grand-total") == "250.00"
    # a table with a row added and removed again
    t2 = page.locator("#table-post_subsidy")
    t2.get_by_role("button", name="在表（二）添加一行").click()
    t2.get_by_role("button", name="删除表（二）第1行").click()
    assert t2.locator("fieldset").count() == 0
    page.locator("#check-summary .verdict").get_by_text("没有错误").wait_for()
    wait_saved(page)
    pages.shot(page, "filled")
    # every input has a visible <label> whose text is a column title of the form (or the model's field title)
    labels = page.evaluate(
        """[...document.querySelectorAll('#editor input, #editor select, #editor textarea')].map(
            (el) => [el.id, el.labels.length, el.labels.length ? el.labels[0].textContent : '',
                     el.labels.length ? el.labels[0].getBoundingClientRect().height : 0])"""
    )
    assert len(labels) == 3 + 2 * 11 + 4  # the header, two work items (4 + 7 project fields), the preset row
    titles = {c.title for t in FORM.tables for c in t.columns()} | {
        "项目数",
        "单项金额（万元）",
        "测算依据",
        "联系人",
        "联系电话",
        "填报日期",
        "金额（万元）",
        "后补助经费（万元）",
    }
    for field_id, count, text, height in labels:
        assert count == 1 and height > 0, field_id
        assert text in titles, (field_id, text)
    # keyboard: the row tools and add buttons are buttons in the tab order, focus is drawn
    button = page.locator("#table-retained").get_by_role("button", name="在表（一）添加一项")
    button.focus()
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Tab")  # reached by keyboard: the focus ring shows
    assert page.evaluate("document.activeElement.textContent") == "在表（一）添加一项"
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none"

    # 4. reload: everything is there (from the server) …
    page.reload()
    page.wait_for_selector("#app[data-ready='1']", state="attached")
    t1 = page.locator("#table-retained")
    assert t1.get_by_label("经费安排（万元）", exact=True).nth(1).input_value() == "80"
    assert t1.get_by_label("项目数", exact=True).nth(0).input_value() == "4"
    assert page.locator("#table-delegated").get_by_label("拟设置项目", exact=True).input_value() == PRESET["name"]
    assert page.get_by_label("联系人", exact=True).input_value() == "李明"
    # … and what was typed just before a reload, before the server had it, is offered back from this browser
    page.get_by_label("联系电话", exact=True).fill("020-83110000")
    page.reload()
    page.wait_for_selector("#app[data-ready='1']", state="attached")
    offer = page.locator("#draft-offer")
    if offer.is_visible():  # the server had not saved it yet: the newer local draft is offered
        offer.get_by_role("button", name="使用本机的修改").click()
    assert page.get_by_label("联系电话", exact=True).input_value() == "020-83110000"
    wait_saved(page)

    # 5. upload a filled workbook with an error: the sheet and cell are named
    page.get_by_label("上传已填写的征集表").set_input_files(str(faulty_workbook(tmp_path)))
    result = page.locator("#upload-result")
    result.get_by_text(QUANTITY_CELL).wait_for()
    assert "错误" in result.inner_text()
    pages.shot(page, "upload-errors")
    assert page.get_by_role("button", name="载入到页面（替换当前内容）").count() == 0  # nothing readable to load

    # 6. preview in the page, from the packet's own template
    started = time.perf_counter()
    page.get_by_role("button", name="预览文件包").click()
    frame_el = page.locator("iframe.preview-frame")
    frame_el.wait_for()
    frame = page.frame_locator("iframe.preview-frame")
    frame.get_by_text("围绕战略性产业集群开展高价值专利培育布局").first.wait_for()
    record("preview_ms_wall", (time.perf_counter() - started) * 1000)
    record("preview_ms_page", float(page.get_attribute("#app", "data-preview-ms")))
    assert frame.locator("h1.cover-title").inner_text() == FORM.title
    assert frame.get_by_text(PRESET["name"]).count() >= 1
    frame_el.scroll_into_view_if_needed()
    pages.shot(page, "preview", full_page=False)

    # the PDF, read back with pdfplumber
    link = page.get_by_role("link", name="下载 PDF 文件包")
    link.scroll_into_view_if_needed()
    with page.expect_download(timeout=180_000) as dl:  # the first PDF is rendered now
        link.click(timeout=180_000)  # the click lasts until the response starts: the render
    pdf_path = tmp_path / "packet.pdf"
    dl.value.save_as(pdf_path)
    with pdfplumber.open(pdf_path) as pdf:
        cover = pdf.pages[0].extract_text().replace(" ", "")
        tables = "".join(p.extract_text() or "" for p in pdf.pages[1:])
    # the cover: who, the contact typed just before a reload, each table's total and the grand total
    assert "广州市市场监督管理局（知识产权局）" in cover and "020-83110000" in cover
    assert "（一）保留省局部分2200.00" in cover and "（四）下放地市审批权限部分150.00" in cover, cover
    assert "合计3250.00" in cover, cover
    for wanted in ("4*30", "2*40", "120.00", "80.00", "50.00"):  # the tables, as typed
        assert wanted in tables, wanted

    # 7. submit: then read-only, with its status
    submit = page.get_by_role("button", name="报送省局")
    assert submit.is_enabled()
    submit.click()
    page.get_by_role("dialog", name="确认报送省局").get_by_role("button", name="确定报送").click()
    page.locator("#filing-status .state").get_by_text("已提交").wait_for()
    assert page.get_by_label("联系人", exact=True).get_attribute("readonly") is not None
    assert page.locator("#table-retained").get_by_role("button", name="在表（一）添加一项").count() == 0
    assert page.get_by_role("button", name="报送省局").is_hidden()
    pages.shot(page, "submitted")

    # 8. another unit's filing is unreachable (as if it did not exist), and so is the province's page
    other = page.request.get("/api/v1/filings/2024/shenzhen")
    assert other.status == 404
    assert page.request.get("/api/v1/filings/2024/shenzhen/files/packet.pdf").status == 404
    assert page.request.get("/api/v1/filings/2024").status == 403
    assert page.request.get("/province/2024/shenzhen").status == 404


def test_uploaded_workbook_names_the_cell_and_loads_into_the_page(pages, tmp_path):
    """A workbook whose 经费安排 disagrees with its projects: the cell is named, and once loaded into
    the page the same message stands next to the field, where the clerk fixes it."""
    from docgen.registry import Options, render_file

    wb = load_workbook(
        io.BytesIO(
            render_file(ROOT / "data/submissions/2024/shenzhen.yaml", Options(formats=("xlsx",))).outputs["xlsx"]
        )
    )
    right = wb["表一"]["D5"].value
    wb["表一"]["D5"] = right + 1
    path = tmp_path / "深圳.xlsx"
    wb.save(path)

    page = pages.new()
    pages.login(page, "sz-clerk")
    page.wait_for_selector("#app[data-ready='1']", state="attached")
    page.get_by_label("上传已填写的征集表").set_input_files(str(path))
    result = page.locator("#upload-result")
    result.get_by_text("表一!D5").wait_for()
    assert "之和不符" in result.inner_text()
    page.get_by_role("button", name="载入到页面（替换当前内容）").click()
    budget = page.locator("#table-retained").get_by_label("经费安排（万元）", exact=True).first
    assert budget.input_value() == str(right + 1)
    page.locator("#f-retained-0-budget-msg").get_by_text("之和不符").wait_for()
    pages.shot(page, "loaded-workbook")
    budget.fill(str(right))
    page.locator("#f-retained-0-budget-msg").get_by_text("之和不符").wait_for(state="detached")
    wait_saved(page)
    with pages.server.api("shenzhen") as api:  # the upload made a version; the fix is in the working draft
        assert api.get("/api/v1/filings/2024/shenzhen").json()["report"]["errors"] == 1
        draft = api.get("/api/v1/filings/2024/shenzhen/draft").json()
        assert draft["report"]["errors"] == 0 and draft["base_version"] == 1
    page.get_by_role("button", name="保存（留下新版本）").click()  # the clerk saves on purpose
    page.locator("#save-status").get_by_text("已保存为第 2 版").wait_for()
    with pages.server.api("shenzhen") as api:  # what the page saved is the workbook's content, fixed
        latest = api.get("/api/v1/filings/2024/shenzhen").json()
    assert latest["report"]["errors"] == 0
    assert str(latest["submission"]["retained"][0]["budget"]) in (str(right), f"{right}.00", f"{float(right)}")
