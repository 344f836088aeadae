"""The document view: rows grouped by category, merges, totals and text as every writer prints them."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from docgen.check.submission import check_file, check_text
from docgen.form.loading import load as load_form
from docgen.views.form import blank_view, build_view

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted((ROOT / "data" / "submissions" / "2024").glob("*.yaml"))


def view_of(path: Path):
    result = check_file(path)
    return build_view(result.form, result.submission, path.name, path.read_bytes())


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_rows_merges_and_totals_are_consistent(path: Path) -> None:
    view = view_of(path)
    form = view.form
    for table in view.tables:
        spec = form.table(table.key)
        body = table.body
        # rows follow the form's category order (the table's allowed 类型)
        category = spec.column("category")
        order = [c.name for c in category.choices] if category is not None else []
        cats = [r.category for r in body if r.category]
        assert cats == sorted(cats, key=order.index)
        # every vertical merge covers exactly the rows below it, which repeat its text
        for c in range(len(table.columns)):
            r = 0
            while r < len(body):
                cell = body[r].cells[c]
                assert not cell.covered, f"row {r} col {c} covered without a merge above"
                for k in range(1, cell.rowspan):
                    below = body[r + k].cells[c]
                    assert below.covered and below.text == cell.text
                r += cell.rowspan
        # 类型 merges span whole categories
        if "category" in [col.key for col in table.columns] and body:
            ci = table.column_index("category")
            spans = [r.cells[ci].rowspan for r in body if not r.cells[ci].covered]
            assert len(spans) == len(set(cats)) and sum(spans) == len(body)
        # 序号 runs 1..n
        seqs = [r.cells[0].text for r in body]
        assert seqs == [str(i) for i in range(1, len(body) + 1)]
        # the 合计 equals the sum of the amounts, each counted once
        amounts = [c.value for r in body for c in r.cells if c.value is not None and not c.covered]
        assert table.total == sum(amounts, Decimal(0))
        total = table.total_row
        assert total is not None and total.cells[0].text == "合计"
        assert sum(c.colspan for c in total.cells if not c.hidden) == len(table.columns)
        assert f"{table.total:.2f}" in [c.text for c in total.cells]


def test_guangzhou_as_the_form_prints_it() -> None:
    view = view_of(ROOT / "data" / "submissions" / "2024" / "guangzhou.yaml")
    t1 = view.table("retained")
    first = t1.body[0]
    texts = {col.key: cell.text for col, cell in zip(t1.columns, first.cells)}
    assert texts["quantity"] == "4*30"
    assert texts["budget"].startswith("120.00")
    assert "按4个培育布局中心" in texts["budget"]  # the estimate is printed after the budget
    assert t1.total == Decimal("170")
    t2 = view.table("post_subsidy")
    assert t2.total_text == "60.50"
    t4 = view.table("delegated")
    names = [r.cells[t4.column_index("name")].text for r in t4.body]
    assert names == [
        "高价值专利培育布局中心建设",
        "知识产权纠纷多元化化解",
        "正品正货知识产权保护项目",
        "广州市展会知识产权保护项目",
    ]
    # a preset supplies the province's published text
    preset_row = {col.key: c.text for col, c in zip(t4.columns, t4.body[0].cells)}
    assert preset_row["work"].startswith("建立知识产权管理制度")
    assert preset_row["remarks"] == "依托市重点产业链龙头企业"
    assert t4.total == Decimal("312")
    assert view.grand_total == Decimal("542.50")
    assert view.info_line[0] == ("填报单位", "广州市市场监督管理局（知识产权局）")
    assert view.date_text == "2023年5月26日"


def test_hostile_text_is_cleaned_once() -> None:
    text = (ROOT / "data" / "submissions" / "2024" / "guangzhou.yaml").read_text(encoding="utf-8")
    text = text.replace(
        "remarks: 与市级项目错位，省级资金只支持新建中心", 'remarks: "=SUM(A1)\\u0001 & <b> \\"q\\" \'s 𠀀\\u000b"'
    )
    result = check_text(text, "g.yaml")
    view = build_view(result.form, result.submission)
    t1 = view.table("retained")
    remark = t1.body[0].cells[t1.column_index("remarks")].text
    assert remark == '=SUM(A1) & <b> "q" \'s 𠀀'


def test_blank_form_has_the_published_presets_and_room_to_add() -> None:
    form = load_form(2024)
    view = blank_view(form)
    assert view.blank and all(t.total_row is None for t in view.tables)
    t4 = view.table("delegated")
    names = [r.cells[t4.column_index("name")].text for r in t4.body if r.kind == "preset"]
    categories = [c.id for c in form.table("delegated").column("category").choices]
    presets = sorted(form.table("delegated").presets, key=lambda p: categories.index(p.values()["category"]))
    assert names == [p.values()["name"] for p in presets]
    placeholders = [r for r in t4.body if r.kind == "placeholder"]
    assert len(placeholders) == 2 * len(categories)
    t1 = view.table("retained")
    assert {r.category for r in t1.body} == {c.name for c in form.table("retained").column("category").choices}
