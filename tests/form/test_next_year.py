"""Next year's form from data alone (README "明年的征集表怎么做"): the five kinds of change at once, end to end.

2025 is 2024 with: a preset dropped and one added (表（四）), a column added (表（二） 实施地区), a column renamed
(项目绩效 → 绩效目标, the old title kept as an alias), a table gone (表（三）) and a table come (表（五） 执行情况,
with a computed 执行率). Each runs through `form check`, the blank DOCX/XLSX/PDF, validate and render of good
and bad filings, a workbook filled as a clerk would and imported, and the batch's summary totals.
"""

from __future__ import annotations

import json
import re
from decimal import Decimal
from pathlib import Path

import docx
import openpyxl
import pdfplumber
import pytest
from typer.testing import CliRunner

from docgen.cli import app
from docgen.form.catalog import FORMS_ENV
from docgen.standard.text import squash

ROOT = Path(__file__).resolve().parents[2]
runner = CliRunner()

NEW_TABLE = """\
  - key: progress
    number: 五
    title: 2025年度知识产权项目需求征集表（五）
    subtitle: 上年度项目执行情况
    row_word: 行
    columns:
      - {key: seq, title: 序号, type: seq, width: 3}
      - {key: name, title: 项目名称, type: text, required: true, unique: true, width: 20}
      - {key: budget, title: 安排金额（万元）, type: amount, required: true, width: 8}
      - {key: paid, title: 执行金额（万元）, type: amount, required: true, total: true, width: 8}
      - {key: rate, title: 执行率（%）, type: computed, formula: "round(paid / budget * 100, 1)", width: 6}
      - {key: remarks, title: 备注, type: text, width: 8}
"""
NEW_PRESET = """\
      - id: data-ip-pilot
        category: protection
        work: 开展数据知识产权登记试点
        name: 数据知识产权登记试点项目
        necessity: 国家知识产权局部署数据知识产权工作试点。
        policy_basis: 《国家知识产权局办公室关于确定数据知识产权工作试点地方的通知》
"""


def next_year() -> str:
    """2024.yaml with the five kinds of change, as the README tells the province to make them."""
    text = (ROOT / "data" / "forms" / "2024.yaml").read_text(encoding="utf-8")
    text = text.replace("year: 2024", "year: 2025", 1).replace("2024年度", "2025年度")
    # a table goes: 表（三）
    start = text.index("  - key: support")
    text = text[:start] + text[text.index("  - key: delegated") :]
    # a column comes: 表（二） 实施地区, after 后补助承接单位
    text = re.sub(
        r"(      - \{key: recipient, title: 后补助承接单位,[^\n]*\n)",
        r"\1      - {key: region, title: 实施地区, type: text, width: 6}\n",
        text,
        count=1,
    )
    assert "实施地区" in text
    # a column is renamed: 项目绩效 → 绩效目标, old files and workbooks stay valid through the alias
    text = text.replace(
        "{key: performance, title: 项目绩效,", "{key: performance, title: 绩效目标, aliases: [项目绩效],"
    )
    # presets: one dropped, one added
    start = text.index("      - id: school-ip-education")
    end = text.index("\n\n", start)
    text = text[:start] + NEW_PRESET.rstrip("\n") + text[end:]
    text = text.replace(
        "      # 类型 知识产权文化宣传及合作交流 (printed line-broken: 知识产权文化 宣传及合作 交流)\n", ""
    )
    # a table comes: 表（五）, after 表（四）'s presets
    instructions = text.index("# 附件2 填写说明")
    return text[:instructions] + NEW_TABLE + "\n" + text[instructions:]


def filing() -> str:
    """Guangzhou's 2024 filing answered to 2025: no 表（三）, 实施地区 and 表（五） filled, a new preset taken."""
    text = (ROOT / "data" / "submissions" / "2024" / "guangzhou.yaml").read_text(encoding="utf-8")
    text = text.replace("form: 2024", "form: 2025")
    text = text.replace(
        "    recipient: 2023年新认定的国家知识产权示范企业\n",
        "    recipient: 2023年新认定的国家知识产权示范企业\n    实施地区: 全市\n",
    )
    text = text.replace(
        "delegated:\n",
        "delegated:\n  - preset: 数据知识产权登记试点项目\n    amount: 20\n    绩效目标: 登记数据知识产权不少于50件\n",
    )
    return (
        text
        + """
progress:
  - {项目名称: 2024年高价值专利培育布局中心建设, 安排金额: 120, 执行金额: 96, remarks: ""}
  - {name: 2024年知识产权纠纷调解, budget: 80, paid: 80}
"""
    )


@pytest.fixture
def province(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "省局表单"
    folder.mkdir()
    (folder / "2025.yaml").write_text(next_year(), "utf-8")
    monkeypatch.setenv(FORMS_ENV, str(folder))
    return tmp_path


def cli(*args: str) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def diagnostics(path: Path) -> list[dict]:
    result = runner.invoke(app, ["validate", "--json", str(path)])
    return [d for f in json.loads(result.output) for d in f["diagnostics"]]


def test_form_check_passes_and_the_blank_form_has_the_new_shape(province: Path) -> None:
    assert "通过" in cli("form", "check", str(province / "省局表单" / "2025.yaml"))
    cli("render", str(province / "省局表单" / "2025.yaml"), "-f", "docx,xlsx,pdf", "-o", str(province / "blank"))
    wb = openpyxl.load_workbook(province / "blank" / "2025.xlsx")
    assert [n for n in wb.sheetnames if n.startswith("表")] == ["表一", "表二", "表四", "表五"]
    heads = [squash(str(c.value or "")) for c in wb["表二"][4]]
    assert "实施地区" in heads and heads.index("实施地区") == heads.index("后补助承接单位") + 1
    assert "绩效目标" in [squash(str(c.value or "")) for c in wb["表一"][4]]
    names = [c.value for row in wb["表四"].iter_rows(min_row=5) for c in row]
    assert "数据知识产权登记试点项目" in names and "中小学知识产权教育推广" not in names
    rate = [squash(str(c.value or "")) for c in wb["表五"][4]].index("执行率（%）") + 1
    assert str(wb["表五"].cell(5, rate).value).startswith("=IFERROR(ROUND(")  # the clerk sees it computed
    with pdfplumber.open(province / "blank" / "2025.pdf") as pdf:
        text = squash("".join(p.extract_text() or "" for p in pdf.pages))
    assert "上年度项目执行情况" in text and "支持专利代办处和省知识产权保护中心开展工作" not in text
    tables = docx.Document(str(province / "blank" / "2025.docx")).tables
    assert len(tables) == 4 and "执行率（%）" in [squash(c.text) for c in tables[3].rows[0].cells]


def test_a_good_filing_renders_with_the_new_table_and_column(province: Path) -> None:
    path = province / "广州.yaml"
    path.write_text(filing(), "utf-8")
    assert [d for d in diagnostics(path) if d["severity"] == "error"] == []
    cli("render", str(path), "-f", "docx,xlsx,pdf", "-o", str(province / "out"))
    with pdfplumber.open(province / "out" / "广州.pdf") as pdf:
        text = squash("".join(p.extract_text() or "" for p in pdf.pages))
        cells = {squash(c or "") for p in pdf.pages for t in p.extract_tables() for row in t for c in row}
    assert "上年度项目执行情况" in text
    for words in ("全市", "数据知识产权登记试点项目", "登记数据知识产权不少于50件", "80.00", "176.00"):
        assert words in cells, words
    ws = openpyxl.load_workbook(province / "out" / "广州.xlsx", data_only=True)["表五"]
    rows = [[c.value for c in row] for row in ws.iter_rows(min_row=5, max_row=7)]
    assert rows[0][1:5] == ["2024年高价值专利培育布局中心建设", 120, 96, 80]  # 执行率 96 / 120 = 80.0 %
    formulas = openpyxl.load_workbook(province / "out" / "广州.xlsx")["表五"]
    assert rows[2][0] == "合计" and formulas.cell(7, 4).value == "=SUM(D5:D6)"  # 96 + 80, summed when opened


def test_a_bad_filing_is_told_in_the_forms_own_words(province: Path) -> None:
    path = province / "广州.yaml"
    bad = filing().replace("budget: 80, paid: 80", "budget: 0, paid: 80")
    bad = bad.replace("form: 2025\n", "form: 2025\nsupport: []\n")  # 表（三） is gone from 2025
    path.write_text(bad, "utf-8")
    found = diagnostics(path)
    by_code = {d["code"]: d for d in found}
    assert by_code["division-by-zero"]["place"] == "表（五）第2行 执行率", found
    assert any(d["path"] == "support" and d["severity"] == "error" for d in found), found


def test_last_years_workbook_headers_still_import(province: Path) -> None:
    """A clerk fills 2025's blank workbook, writing the old title 项目绩效 in a header: the alias keeps it valid."""
    cli("render", str(province / "省局表单" / "2025.yaml"), "-f", "xlsx", "-o", str(province / "blank"))
    book = province / "blank" / "2025.xlsx"
    wb = openpyxl.load_workbook(book)
    ws = wb["表二"]
    heads = {squash(str(c.value or "")): c.column for c in ws[4]}
    perf = heads["绩效目标"]
    ws.cell(4, perf, "项目绩效")  # last year's title
    for key, value in (("主要工作内容", "示范企业后补助"), ("后补助名称", "示范企业后补助项目"), ("后补助经费", 60.5)):
        ws.cell(5, next(c for h, c in heads.items() if h.startswith(key)), value)
    ws.cell(5, perf, "支持11家")
    ws.cell(5, heads["实施地区"], "全市")
    ws3 = wb["表五"]
    h5 = {squash(str(c.value or "")): c.column for c in ws3[4]}
    ws3.cell(5, h5["项目名称"], "2024年调解项目")
    ws3.cell(5, h5["安排金额（万元）"], 80)
    ws3.cell(5, h5["执行金额（万元）"], 60)
    info = {
        "填报单位": "广州市市场监督管理局（知识产权局）",
        "联系人": "李明",
        "联系电话": "020-83112345",
        "填报日期": "2025年5月20日",
    }
    for sheet in wb.worksheets:
        for cell in sheet[3]:
            label = re.match(r"^(填报单位|联系人|联系电话|填报日期)", str(cell.value or ""))
            if label:
                cell.value = f"{label.group(1)}：{info[label.group(1)]}"
    wb.save(province / "filled.xlsx")
    out = province / "filled.yaml"
    cli("import", str(province / "filled.xlsx"), "-o", str(out))
    text = out.read_text("utf-8")
    assert "实施地区: 全市" in text or "region: 全市" in text
    assert [d for d in diagnostics(out) if d["severity"] == "error"] == []


def test_the_batch_totals_the_new_table(province: Path) -> None:
    inputs = province / "in"
    inputs.mkdir()
    (inputs / "广州.yaml").write_text(filing(), "utf-8")
    cli("batch", str(inputs), "-o", str(province / "batch"))
    wb = openpyxl.load_workbook(province / "batch" / "汇总表.xlsx")
    units = [[c.value for c in row] for row in wb["单位汇总"].iter_rows(min_row=2, max_row=4)]
    heads = [str(h or "")[:4] for h in units[0]]  # 表（五）上年度项目执行情况 …
    assert "表（五）" in heads and "表（三）" not in heads
    guangzhou = units[1]
    assert guangzhou[heads.index("表（五）")] == 176 and Decimal(str(guangzhou[heads.index("表（四）")])) == Decimal(
        332
    )
