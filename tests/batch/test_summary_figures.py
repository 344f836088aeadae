"""汇总表 as the provincial officer reads it: exact figures that match each unit's own tables.

A batch of three units (one with amounts that binary floats cannot hold, two filing the same
project, one with a warning), then 汇总表.xlsx read back with openpyxl (and its raw XML, for the
stored digits) and 汇总表.pdf with pdfplumber.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import zipfile
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from testkit import run_docgen

from docgen.standard.text import squash

pytestmark = pytest.mark.slow  # a whole batch

ROOT = next(p for p in Path(__file__).resolve().parents if (p / "pyproject.toml").is_file())
EXAMPLES = ROOT / "data" / "submissions" / "2024"

TINY = """\
form: 2024
unit: 汕尾市市场监督管理局（知识产权局）
unit_kind: city
city: 汕尾市
contact: {name: 林小红, phone: "0660-3372211"}
date: 2023-06-02
post_subsidy:
  - {work: 对示范企业后补助, name: 示范企业后补助甲, amount: 0.07, basis: 《示范企业认定办法》, recipient: 新认定示范企业,
     performance: 支持企业1家, remarks: ""}
  - {work: 对示范企业后补助, name: 示范企业后补助乙, amount: 0.1, basis: 《示范企业认定办法》, recipient: 新认定示范企业,
     performance: 支持企业1家, remarks: ""}
  - {work: 对示范企业后补助, name: 示范企业后补助丙, amount: 0.2, basis: 《示范企业认定办法》, recipient: 新认定示范企业,
     performance: 支持企业1家, remarks: ""}
retained:
  - category: 知识产权高质量创造
    work: 支持日用陶瓷企业提升外观设计专利质量。
    budget: 20
    projects:
      - name: 潮州陶瓷外观设计专利培育项目
        count: 1
        unit_amount: 20
        necessity: 同名项目，用于检查重复标记。
        policy_basis: 《广东省知识产权保护和运用“十四五”规划》
        performance: 辅导企业不少于10家
        remarks: 汕尾备注
"""


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, subprocess.CompletedProcess]:
    folder = tmp_path_factory.mktemp("in")
    for unit in ("chaozhou", "yunfu"):
        shutil.copy(EXAMPLES / f"{unit}.yaml", folder / f"{unit}.yaml")
    (folder / "shanwei.yaml").write_text(TINY, encoding="utf-8")
    out = tmp_path_factory.mktemp("out")
    proc = run_docgen("batch", folder, "-o", out, "-j", "2")
    assert proc.returncode == 0, proc.stderr
    return out, proc


def unit_table_totals(xlsx: Path) -> dict[str, Decimal]:
    """A unit's own workbook: Σ of each table's amount column, summed here from the cells it holds."""
    wb = openpyxl.load_workbook(xlsx)
    out = {}
    for ws in wb.worksheets:
        col = next(
            c.column for c in ws[4] if isinstance(c.value, str) and ("经费" in c.value or c.value.startswith("金额"))
        )
        total = Decimal(0)
        seen = set()
        for r in range(5, ws.max_row + 1):
            if str(ws.cell(r, 1).value or "").startswith("合计"):
                break
            origin = next(
                (
                    (m.min_row, m.min_col)
                    for m in ws.merged_cells.ranges
                    if (r, col)
                    in {(rr, cc) for rr in range(m.min_row, m.max_row + 1) for cc in range(m.min_col, m.max_col + 1)}
                ),
                (r, col),
            )
            value = ws.cell(*origin).value
            if origin in seen or value is None:
                continue
            seen.add(origin)
            total += Decimal(str(value))
        out[ws.title] = total
    return out


def test_every_stored_number_has_exact_digits(built) -> None:
    out, _ = built
    with zipfile.ZipFile(out / "汇总表.xlsx") as zf:
        values = [
            v
            for name in zf.namelist()
            if name.startswith("xl/worksheets/")
            for v in re.findall(rb"<v>([^<]*)</v>", zf.read(name))
        ]
    numbers = [v.decode() for v in values if re.fullmatch(rb"-?[0-9.eE+]+", v)]
    assert numbers and all(re.fullmatch(r"-?\d+(\.\d{1,2})?", n) for n in numbers), [n for n in numbers if len(n) > 12]
    assert "0.37" in numbers  # 0.07 + 0.1 + 0.2


def test_unit_totals_match_each_units_own_workbook(built) -> None:
    out, _ = built
    ws = openpyxl.load_workbook(out / "汇总表.xlsx")["单位汇总"]
    heads = [c.value for c in ws[2]]
    rows = {r[0]: r for r in ws.iter_rows(min_row=3, values_only=True) if r[0]}
    grand = Decimal(0)
    for stem, city in (("chaozhou", "潮州市"), ("yunfu", "云浮市"), ("shanwei", "汕尾市")):
        own = unit_table_totals(out / f"{stem}.xlsx")
        row = next(v for k, v in rows.items() if k.startswith(city))
        for i, sheet in enumerate(("表一", "表二", "表三", "表四"), start=1):
            assert Decimal(str(row[i])) == own[sheet], (city, sheet, heads[i], row[i], own[sheet])
        assert Decimal(str(row[5])) == sum(own.values())
        grand += sum(own.values())
    assert Decimal(str(rows["合计"][5])) == grand


def test_categories_across_tables_add_up_to_the_grand_total(built) -> None:
    out, _ = built
    ws = openpyxl.load_workbook(out / "汇总表.xlsx")["单位汇总"]
    rows = list(ws.iter_rows(min_row=3, values_only=True))
    start = next(i for i, r in enumerate(rows) if r[0] == "类型")
    cats = rows[start + 1 :]
    total_row = next(r for r in cats if r[0] == "合计")
    body = cats[: cats.index(total_row)]
    assert {r[0] for r in body} >= {"知识产权高质量创造", "后补助资金"}
    assert sum(Decimal(str(r[5])) for r in body) == Decimal(str(total_row[5]))
    unit_grand = next(r for r in rows[:start] if r[0] == "合计")
    assert Decimal(str(total_row[5])) == Decimal(str(unit_grand[5]))


def test_project_list_carries_texts_presets_duplicates_and_review_columns(built) -> None:
    out, _ = built
    ws = openpyxl.load_workbook(out / "汇总表.xlsx")["项目清单"]
    heads = [squash(c.value) for c in ws[1]]  # a title that wraps is broken before （万元）
    for want in ("项目设置必要性", "项目设置政策依据", "备注", "预设项目", "审核意见", "拟安排金额（万元）"):
        assert want in heads, heads
    col = {h: i for i, h in enumerate(heads)}
    rows = list(ws.iter_rows(min_row=2, values_only=True))
    dup = [r for r in rows if r[col["拟设置项目"]] == "潮州陶瓷外观设计专利培育项目"]
    assert len(dup) == 2
    assert {r[col["其他填报同名项目的单位"]][:3] for r in dup} == {"潮州市", "汕尾市"}
    assert any(r[col["预设项目"]] == "预设" for r in rows)
    assert all(r[col["审核意见"]] is None and r[col["拟安排金额（万元）"]] is None for r in rows)
    assert any(r[col["备注"]] == "汕尾备注" for r in rows)


def test_warnings_with_their_text_and_units_that_did_not_file(built) -> None:
    out, proc = built
    wb = openpyxl.load_workbook(out / "汇总表.xlsx")
    warnings = [r for r in wb["警告"].iter_rows(min_row=2, values_only=True)]
    assert any(r[0].startswith("汕尾市") and "2023" in r[2] for r in warnings), warnings  # filed after the deadline
    missing = [r[0] for r in wb["未报送或失败"].iter_rows(min_row=2, values_only=True)]
    assert "广州市市场监督管理局（知识产权局）" in missing and len(missing) == 20
    assert "未报送" in proc.stdout + proc.stderr and "广州市市场监督管理局（知识产权局）" in proc.stdout + proc.stderr


def test_summary_pdf_shows_the_same_figures_and_unbroken_unit_names(built) -> None:
    import pdfplumber

    out, _ = built
    with pdfplumber.open(out / "汇总表.pdf") as pdf:
        text = "\n".join(page.extract_text() or "" for page in pdf.pages)
        lines = [ln for page in pdf.pages for ln in (page.extract_text() or "").splitlines()]
    assert "0.37" in text
    for name in ("潮州市市场监督管理局", "云浮市市场监督管理局", "汕尾市市场监督管理局"):
        assert any(name in ln for ln in lines), name  # never split inside the name
    for ln in lines:
        assert not re.search(r"市场监督管$|^理局", ln), ln
