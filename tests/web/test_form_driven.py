"""The web form from the form's definition alone (issue 19), in Chromium: a wholly new collection placed in the
province's forms folder gets its web form (labelled fields, computed columns and 合计 worked out live on exact
decimals, its sum check and a division by zero in its own words, saved and validated by the server as the page
said), and next year's form with one more column gets that column, saved."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
from form.test_new_collection import COLLECTION

from docgen.form.catalog import FORMS_ENV
from docgen.io.source import parse_bytes
from web.conftest import PASSWORD, start_server, stop_server

pytestmark = pytest.mark.slow  # a real server and Chromium
ROOT = Path(__file__).resolve().parents[2]

# The collection with one more computed column that divides (hours per 万元): rate 0 is a division by zero.
DIVIDING = COLLECTION.replace("year: 2027", "year: 2028").replace(
    "        - {key: cost, title: 费用, type: computed, formula: hours * rate, total: true}\n",
    "        - {key: cost, title: 费用, type: computed, formula: hours * rate, total: true}\n"
    "        - {key: per, title: 每万元工时, type: computed, formula: hours / rate}\n",
)


# A broken form: its formula names a column the row does not have.
BROKEN = COLLECTION.replace("year: 2027", "year: 2029").replace("formula: hours * rate", "formula: hours * price")


def next_year() -> str:
    """data/forms/2024.yaml as the province would copy it for 2025: year 2025 and a text column 实施地区 in
    表（二）. Written as JSON (valid YAML 1.2), so the copy does not depend on the file's layout."""
    data = parse_bytes((ROOT / "data/forms/2024.yaml").read_bytes(), "2024.yaml").data
    data["year"] = 2025
    data["title"] = str(data["title"]).replace("2024", "2025")
    second = next(t for t in data["tables"] if t["number"] == "二")
    second["columns"].append({"key": "region", "title": "实施地区", "type": "text"})
    return json.dumps(data, ensure_ascii=False, default=lambda v: float(v) if isinstance(v, Decimal) else str(v))


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """The service with the province's forms folder (DOCGEN_FORMS): 2025, the collection 2027, 2028 and a broken 2029."""
    root = tmp_path_factory.mktemp("forms-web")
    folder = root / "forms"
    folder.mkdir()
    (folder / "2025.yaml").write_text(next_year(), "utf-8")
    (folder / "2027.yaml").write_text(COLLECTION, "utf-8")
    (folder / "2028.yaml").write_text(DIVIDING, "utf-8")
    (folder / "2029.yaml").write_text(BROKEN, "utf-8")  # beside the good ones, which go on working
    with pytest.MonkeyPatch.context() as env:
        env.setenv(FORMS_ENV, str(folder))
        s = start_server(root / "data")
        s.tokens["gz"] = add_clerk(s.data, "gz27-clerk", "gz")  # the collection's own unit
        yield s
        stop_server(s)


def add_clerk(data: Path, name: str, unit: str) -> str:
    from docgen.service.accounts import add_user, create_token
    from docgen.service.db import Database
    from docgen.service.settings import sqlite_url

    db = Database(sqlite_url(data))

    def add(session) -> str:
        add_user(session, name, PASSWORD, unit, False)
        return create_token(session, unit, False, name=f"test {name}")[1]

    token = db.write_sync(add)
    db.dispose()
    return token


def ready(page) -> None:
    page.wait_for_selector("#app[data-ready='1']", state="attached")


def saved_version(page, n: int) -> None:
    page.get_by_role("button", name="保存（留下新版本）").click()
    page.locator("#save-status").get_by_text(f"已保存为第 {n} 版").wait_for()


def labels(page) -> list[tuple[str, int, str]]:
    """Every field of the editor (typed or worked out): its id, its number of labels, its label's text."""
    return page.evaluate(
        """[...document.querySelectorAll('#editor input, #editor select, #editor textarea, #editor output.product')]
           .map((el) => [el.id, el.labels.length, el.labels.length ? el.labels[0].textContent : ''])"""
    )


def errors_but_printing(report: dict) -> list[dict]:
    """The report's errors, leaving out that a new collection cannot be printed yet (its writers come later)."""
    return [d for d in report["diagnostics"] if d["severity"] == "error" and d["code"] != "form-not-printable"]


def test_a_new_collection_gets_its_web_form_with_live_sums_and_its_own_check(pages, server) -> None:
    page = pages.new()
    pages.login(page, "gz27-clerk")
    page.goto("/filing/2027")
    ready(page)
    assert "2027年度知识产权服务机构能力提升项目征集表" in page.inner_text("h1")
    page.get_by_label("联系人", exact=True).fill("陈华")
    page.get_by_label("联系电话", exact=True).fill("020-83380000")

    t1 = page.locator("#table-services")
    t1.get_by_role("button", name="在表（一）添加一项").click()  # a row of 表（一）, with its one 明细 (min 1)
    t1.get_by_role("button", name="在表（一）第1项下添加一条明细").click()
    t2 = page.locator("#table-people")
    t2.get_by_role("button", name="在表（二）添加一行").click()
    # every column of the collection has a field of its own, labelled with the column's title
    for table, title, count in [
        (t1, "类别", 1),
        (t1, "合计金额（万元）", 1),
        (t1, "名称", 2),
        (t1, "工时", 2),
        (t1, "单价（万元）", 2),
        (t1, "费用（万元）", 2),
        (t2, "姓名", 1),
        (t2, "入职日期", 1),
    ]:
        assert table.get_by_label(title, exact=True).count() == count, title
    # each field is described by where it is, in the form's words, then by its messages
    hours = t1.get_by_label("工时", exact=True).nth(1)
    said = hours.evaluate(
        "el => el.getAttribute('aria-describedby').split(' ').map((id) => document.getElementById(id).textContent)"
    )
    # (the third is its message region: empty, or the checker's 缺少必填项 when the server has already answered)
    assert said[:2] == ["表（一）第1项", "第2条明细"] and len(said) == 3
    found = labels(page)
    assert len(found) == 3 + 2 + 2 * 4 + 2  # the header, the row, two 明细 (three typed, one worked out), 表（二）
    assert all(n == 1 and text for _, n, text in found), found
    # the collection's own choice list, and nothing else
    kinds = t1.get_by_label("类别", exact=True)
    assert kinds.locator("option").all_inner_texts() == ["（请选择）", "培训", "咨询"]
    kinds.select_option("培训")

    # hours × rate worked out as typed, on exact decimals (3 × 0.1 is 0.30, not 0.30000000000000004)
    t1.get_by_label("名称", exact=True).nth(0).fill("专利代理实务")
    t1.get_by_label("工时", exact=True).nth(0).fill("3")
    t1.get_by_label("单价（万元）", exact=True).nth(0).fill("0.1")
    assert t1.get_by_label("费用（万元）", exact=True).nth(0).inner_text() == "= 0.30 万元"
    # the 费用 column's 合计, live (the second 明细 still empty, and said so)
    assert page.inner_text("#total-services-items-cost") == "0.30（有未填或格式不对的金额）"
    t1.get_by_label("名称", exact=True).nth(1).fill("商标实务")
    t1.get_by_label("工时", exact=True).nth(1).fill("１")  # full-width, as an input method types it
    t1.get_by_label("单价（万元）", exact=True).nth(1).fill("0.2")
    assert t1.get_by_label("费用（万元）", exact=True).nth(1).inner_text() == "= 0.20 万元"
    assert page.inner_text("#total-services-items-cost") == "0.50"
    assert "未填" in page.inner_text("#total-services")  # 合计金额 not typed yet

    # the sum check: 合计金额 ≠ Σ 费用 says the form's own message on that row, at once and then from the server
    total = t1.get_by_label("合计金额（万元）", exact=True)
    total.fill("0.3")
    beside = page.locator("#f-services-0-total-sum")
    assert beside.inner_text() == "各条明细“工时×单价”之和：0.50 万元"
    message = page.locator("#f-services-0-total-msg")
    words = "合计金额 0.3 万元与明细之和 3×0.1 + 1×0.2 = 0.5 不符。 应为 0.5。"
    assert words in message.inner_text()  # at once, worked out by the page (an older report's words may still stand)
    assert total.get_attribute("aria-invalid") == "true"
    message.locator("p:not(.live)").get_by_text("不符").wait_for()  # the validator's report says the same
    assert message.inner_text() == f"错误：{words}"
    assert page.locator("#check-list li", has_text="表（一）第1项 合计金额").inner_text().endswith(words)
    pages.shot(page, "mismatch")

    # 0.5 equals 0.3 + 0.2 exactly: the message goes, and the 合计 follow
    total.fill("0.5")
    message.get_by_text("不符").wait_for(state="detached")
    assert total.get_attribute("aria-invalid") is None
    assert page.inner_text("#total-services") == "0.50" and page.inner_text("#grand-total") == "0.50"
    assert page.inner_text(".grand").startswith("全部两张表合计")
    t2.get_by_label("姓名", exact=True).fill("李明")
    t2.get_by_label("入职日期", exact=True).fill("2020-01-01")
    saved_version(page, 1)
    pages.shot(page, "filled")

    # the server validated the saved filing as the page said: no error of the collection's rules
    with server.api("gz") as api:
        latest = api.get("/api/v1/filings/2027/gz").json()
    assert errors_but_printing(latest["report"]) == [], latest["report"]
    sub = latest["submission"]
    assert sub["form"] == 2027 and sub["people"] == [{"name": "李明", "since": "2020-01-01"}]
    assert [(i["hours"], i["rate"]) for i in sub["services"][0]["items"]] == [("3", "0.1"), ("１", "0.2")]

    # and where the page says a mismatch, so does the server, in the same words at the same place
    total.fill("0.4")
    saved_version(page, 2)
    with server.api("gz") as api:
        report = api.get("/api/v1/filings/2027/gz").json()["report"]
    (mismatch,) = errors_but_printing(report)
    assert mismatch["path"] == "services[0].total" and mismatch["place"] == "表（一）第1项 合计金额"
    assert f"{mismatch['message']} {mismatch['hint']}" == message.inner_text().removeprefix("错误：")
    assert "0.4" in mismatch["message"]


def test_a_division_by_zero_is_said_on_its_row_in_the_forms_words(pages, server) -> None:
    page = pages.new()
    pages.login(page, "gz27-clerk")
    page.goto("/filing/2028")
    ready(page)
    t1 = page.locator("#table-services")
    t1.get_by_role("button", name="在表（一）添加一项").click()
    t1.get_by_label("类别", exact=True).select_option("咨询")
    t1.get_by_label("名称", exact=True).fill("咨询服务")
    t1.get_by_label("工时", exact=True).fill("2")
    t1.get_by_label("单价（万元）", exact=True).fill("0")
    t1.get_by_label("合计金额（万元）", exact=True).fill("0")
    per = t1.get_by_label("每万元工时（万元）", exact=True)
    assert per.inner_text() == "= —"
    message = page.locator("#f-services-0-items-0-per-msg")
    words = "每万元工时的算式除以零，无法计算，已留空。 请检查作除数的那一项是否为 0。"
    assert words in message.inner_text()
    message.locator("p:not(.live)").get_by_text("除以零").wait_for()  # the validator says the same there
    assert message.inner_text() == f"错误：{words}"
    pages.shot(page, "division-by-zero")
    t1.get_by_label("单价（万元）", exact=True).fill("0.5")
    assert per.inner_text() == "= 4.00 万元"
    message.get_by_text("除以零").wait_for(state="detached")


def test_next_years_form_with_one_more_column_gets_its_field_and_saves_it(pages, server) -> None:
    page = pages.new()
    pages.login(page, "gz-clerk")
    assert page.url.endswith("/filing/2025")  # the newest form that lists the unit
    ready(page)
    page.get_by_label("联系人", exact=True).fill("李明")
    page.get_by_label("联系电话", exact=True).fill("020-83112345")
    t2 = page.locator("#table-post_subsidy")
    t2.get_by_role("button", name="在表（二）添加一行").click()
    region = t2.get_by_label("实施地区", exact=True)  # the new column: a field labelled with its title
    assert region.evaluate("el => el.labels[0].textContent") == "实施地区"
    t2.get_by_label("主要工作内容", exact=True).fill("对获得国家知识产权示范企业称号的企业给予后补助")
    t2.get_by_label("后补助名称", exact=True).fill("示范企业后补助")
    t2.get_by_label("后补助经费（万元）", exact=True).fill("12.5")
    t2.get_by_label("后补助依据", exact=True).fill("《广东省知识产权保护和运用“十四五”规划》")
    t2.get_by_label("项目绩效", exact=True).fill("支持示范企业不少于5家")
    region.fill("广州市黄埔区")
    assert page.inner_text("#total-post_subsidy") == "12.50"
    page.locator("#check-summary .verdict").get_by_text("没有错误").wait_for()
    saved_version(page, 1)
    pages.shot(page, "new-column")
    with server.api("guangzhou") as api:
        latest = api.get("/api/v1/filings/2025/guangzhou").json()
    assert latest["submission"]["post_subsidy"][0]["region"] == "广州市黄埔区"
    assert latest["report"]["errors"] == 0, latest["report"]
    page.reload()
    ready(page)
    assert page.locator("#table-post_subsidy").get_by_label("实施地区", exact=True).input_value() == "广州市黄埔区"


def test_a_broken_forms_page_says_its_problems_and_the_others_go_on(pages, server) -> None:
    page = pages.new()
    pages.expect_console(page, r"status of 404")  # the page's own 404, on purpose
    pages.login(page, "gz27-clerk")
    assert page.url.endswith("/filing/2028")  # the newest good form of the unit, never the broken one
    answer = page.goto("/filing/2029")
    assert answer is not None and answer.status == 404
    text = page.inner_text("main")
    assert "征集表有误" in text and "2029 年度的征集表定义有误" in text and "“price”不是本行的列" in text, text
    pages.shot(page, "broken-form")
