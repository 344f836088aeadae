"""汇总表 of a wholly new collection, from its definition alone: the province runs `docgen batch` with its own
form folder and reads 汇总表.xlsx (openpyxl) and 汇总表.pdf (pdfplumber) in the collection's own words."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import openpyxl
import pdfplumber
import pytest
from testkit import run_docgen

from docgen.form.catalog import FORMS_ENV
from docgen.standard.text import squash
from tests.form.test_new_collection import COLLECTION, FILING

pytestmark = pytest.mark.slow  # whole batches

GZ = "广州市市场监督管理局（知识产权局）"
SZ = "深圳市市场监督管理局（知识产权局）"
TITLE = "2027年度知识产权服务机构能力提升项目汇总表"

# The collection with texts of its own: a row text, a sub-row text, one kept out of the list, a second unit.
RICHER = (
    COLLECTION.replace(
        "  - {id: gz, name: 广州市市场监督管理局（知识产权局）, kind: city, city: 广州市}\n",
        "  - {id: gz, name: 广州市市场监督管理局（知识产权局）, kind: city, city: 广州市}\n"
        "  - {id: sz, name: 深圳市市场监督管理局（知识产权局）, kind: city, city: 深圳市}\n",
    )
    .replace(
        "      - {key: kind, title: 类别, type: choice, choices: kinds, required: true, merge: equal}\n",
        "      - {key: kind, title: 类别, type: choice, choices: kinds, required: true, merge: equal}\n"
        "      - {key: about, title: 服务内容, type: text}\n",
    )
    .replace(
        "        - {key: cost, title: 费用, type: computed, formula: hours * rate, total: true}\n",
        "        - {key: cost, title: 费用, type: computed, formula: hours * rate, total: true}\n"
        "        - {key: effect, title: 预期效果, type: text}\n"
        "        - {key: internal, title: 内部备注, type: text, summary_as: false}\n",
    )
)
GZ_RICHER = FILING.replace("    合计金额: 30\n", "    合计金额: 30\n    服务内容: 面向中小企业的实务培训\n").replace(
    "{名称: 专利代理实务, 工时: 2, 单价: 10}",
    "{名称: 专利代理实务, 工时: 2, 单价: 10, 预期效果: 培训100人次, 内部备注: 勿外传}",
)
SZ_RICHER = """\
form: 2027
unit: 深圳市市场监督管理局（知识产权局）
unit_kind: city
city: 深圳市
contact: {name: 王芳, phone: 0755-83070000}
date: 2026-06-02
services:
  - {类别: 咨询, 合计金额: 7.5, 明细: [{名称: 商标实务, 工时: 3, 单价: 2.5, 预期效果: 咨询30家}]}
people: []
"""


def batch(root: Path, form: str, filings: dict[str, str]) -> tuple[Path, str]:
    forms, folder, out = root / "forms", root / "in", root / "out"
    forms.mkdir()
    folder.mkdir()
    (forms / "2027.yaml").write_text(form, "utf-8")
    for name, text in filings.items():
        (folder / name).write_text(text, "utf-8")
    proc = run_docgen("batch", folder, "-o", out, "-j", "1", env={FORMS_ENV: str(forms)})
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return out, proc.stdout


def rows(ws) -> list[tuple]:
    return [r for r in ws.iter_rows(values_only=True)]


@pytest.fixture(scope="module")
def plain(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    return batch(tmp_path_factory.mktemp("plain"), COLLECTION, {"gz.yaml": FILING})


@pytest.fixture(scope="module")
def richer(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    return batch(tmp_path_factory.mktemp("richer"), RICHER, {"gz.yaml": GZ_RICHER, "sz.yaml": SZ_RICHER})


def test_the_workbook_speaks_the_collections_words(plain) -> None:
    out, _ = plain
    wb = openpyxl.load_workbook(out / "汇总表.xlsx")
    assert wb.properties.title == TITLE
    # 人员 has no amounts: no 项目 and no sheet of its own
    assert wb.sheetnames == ["单位汇总", "表一汇总", "项目清单", "警告", "未报送或失败"]
    overview = rows(wb["单位汇总"])
    assert overview[0][0] == f"{TITLE} — 各单位合计（金额单位：万元）"
    assert overview[1] == ("单位", "表（一）服务项目", "合计（万元）", "工时", "警告数")
    assert overview[2][:4] == (GZ, 30, 30, 3)  # 30 万元; 2 + 1 工时
    groups = overview[overview.index((None,) * 5) + 1 :]
    assert groups[0][:4] == ("类别", "表（一）服务项目", "合计（万元）", "工时")
    assert [g[:4] for g in groups[1:]] == [("培训", 30, 30, 3), ("咨询", 0, 0, 0), ("合计", 30, 30, 3)]
    matrix = rows(wb["表一汇总"])
    assert matrix[0][0] == f"{TITLE} — 表（一）服务项目"
    assert matrix[1] == ("单位", "培训", None, "咨询", None, "合计", None)
    assert [squash(h) for h in matrix[2][1:3]] == ["工时", "金额（万元）"]
    assert matrix[3] == (GZ, 3, 30, 0, 0, 3, 30)
    heads, *listed = rows(wb["项目清单"])
    assert [squash(h) for h in heads] == [
        "单位", "表", "类别", "名称", "工时", "单价", "费用", "其他填报同名项目的单位", "审核意见", "拟安排金额（万元）",
    ]  # fmt: skip
    assert [r[:7] for r in listed] == [
        (GZ, "表（一）服务项目", "培训", "专利代理实务", 2, 10, 20),
        (GZ, "表（一）服务项目", "培训", "商标实务", 1, 10, 10),
    ]


def test_the_pdf_speaks_the_collections_words(plain) -> None:
    out, _ = plain
    with pdfplumber.open(out / "汇总表.pdf") as pdf:
        pages = [squash(page.extract_text() or "") for page in pdf.pages]
    assert len(pages) == 3 and all(p.startswith(TITLE) or TITLE in p for p in pages)  # units, 类别, 表（一）
    assert "各单位合计（金额单位：万元）" in pages[0] and "工时" in pages[0]
    assert "各类别合计（金额单位：万元）" in pages[1] and "培训30.00" in pages[1] and "咨询0.00" in pages[1]
    assert "表（一）服务项目（金额单位：万元）" in pages[2] and "工时金额" in pages[2]
    text = "".join(pages)
    for old in ("项目需求", "类型", "项目数", "四部分", "人员", "表（二）"):
        assert old not in text, old


def test_the_console_and_the_volume_name_only_the_tables_that_sum(plain) -> None:
    out, stdout = plain
    header = next(line for line in stdout.splitlines() if "单位" in line and "状态" in line)
    assert "表一" in header and "表二" not in header and "合计（万元）" in header
    from pypdf import PdfReader

    volume = PdfReader(out / "归档卷.pdf")
    assert volume.metadata is not None and volume.metadata.title == "2027年度知识产权服务机构能力提升项目征集归档卷"
    assert any(item.title.endswith(f" {TITLE}") for item in volume.outline if not isinstance(item, list))


def test_the_project_list_carries_each_tables_texts_under_its_titles(richer) -> None:
    out, _ = richer
    wb = openpyxl.load_workbook(out / "汇总表.xlsx")
    heads, *listed = rows(wb["项目清单"])
    heads = tuple(squash(h) for h in heads)
    # the row's text, the name and its figures, the sub-row's text; 内部备注 left out (summary_as: false)
    assert heads[:9] == ("单位", "表", "类别", "服务内容", "名称", "工时", "单价", "费用", "预期效果")
    assert "内部备注" not in heads
    col = {h: i for i, h in enumerate(heads)}
    by_name = {(r[col["单位"]], r[col["名称"]]): r for r in listed}
    first = by_name[(GZ, "专利代理实务")]
    assert first[col["服务内容"]] == "面向中小企业的实务培训" and first[col["预期效果"]] == "培训100人次"
    assert by_name[(GZ, "商标实务")][col["服务内容"]] == "面向中小企业的实务培训"  # the row's text on each sub-row
    sz = by_name[(SZ, "商标实务")]
    assert (sz[col["类别"]], sz[col["工时"]], Decimal(str(sz[col["单价"]])), Decimal(str(sz[col["费用"]]))) == (
        "咨询",
        3,
        Decimal("2.5"),
        Decimal("7.5"),
    )
    # both units filed 商标实务: each names the other
    assert sz[col["其他填报同名项目的单位"]] == GZ and by_name[(GZ, "商标实务")][col["其他填报同名项目的单位"]] == SZ
    overview = rows(wb["单位汇总"])
    assert [r[:4] for r in overview[2:5]] == [(GZ, 30, 30, 3), (SZ, 7.5, 7.5, 3), ("合计", 37.5, 37.5, 6)]
