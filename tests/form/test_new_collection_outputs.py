"""A wholly new collection prints from its definition alone: the blank and filled DOCX, XLSX and PDF, read
back as a clerk or the archive would (python-docx, openpyxl, pdfplumber)."""

from __future__ import annotations

from pathlib import Path

import docx
import openpyxl
import pdfplumber
import pytest
from typer.testing import CliRunner

from docgen.cli import app
from docgen.standard.text import squash
from tests.form.test_new_collection import FILING, forms  # noqa: F401  (fixture)

ROOT = Path(__file__).resolve().parents[2]

runner = CliRunner()


def render(path: Path, out: Path) -> None:
    result = runner.invoke(app, ["render", str(path), "-f", "docx,xlsx,pdf", "-o", str(out)])
    assert result.exit_code == 0, result.output


@pytest.fixture
def filled(forms: Path) -> Path:  # noqa: F811
    path = forms / "gz.yaml"
    path.write_text(FILING, "utf-8")
    render(path, forms / "out")
    return forms / "out"


def test_filled_pdf_prints_every_table_with_its_computed_cells_and_totals(filled: Path) -> None:
    with pdfplumber.open(filled / "gz.pdf") as pdf:
        text = squash("".join(page.extract_text() or "" for page in pdf.pages))
        tables = [t for page in pdf.pages for t in page.extract_tables()]
    for words in ("服务项目", "人员", "类别", "合计金额（万元）", "费用", "专利代理实务", "商标实务", "李明"):
        assert words in text, words
    assert "2020年1月1日" in text  # a date column prints as GB/T 9704 dates do
    services = next(t for t in tables if any(squash(c or "") == "工时" for c in t[0]))
    head = [squash(c or "") for c in services[0]]
    assert head == ["序号", "类别", "合计金额（万元）", "名称", "工时", "单价", "费用"]
    rows = [[squash(c or "") for c in row] for row in services[1:]]
    assert rows[0] == ["1", "培训", "30.00", "专利代理实务", "2", "10.00", "20.00"]  # cost = hours × rate
    assert rows[1][0] == "2" and rows[1][3:] == ["商标实务", "1", "10.00", "10.00"]
    total = rows[-1]
    assert total[0] == "合计" and "30.00" in total  # the row's own 合计金额 and the computed 费用 both summed
    # the 目录 names a table without a subtitle by its title
    assert "（一）服务项目" in text and "（二）人员" in text


def test_filled_docx_and_xlsx_hold_the_same_rows(filled: Path) -> None:
    document = docx.Document(str(filled / "gz.docx"))
    grid = [[squash(c.text) for c in row.cells] for row in document.tables[0].rows]
    assert ["1", "培训", "30.00", "专利代理实务", "2", "10.00", "20.00"] in grid
    assert any(row[:1] == ["合计"] for row in grid)
    people = [[squash(c.text) for c in row.cells] for row in document.tables[1].rows]
    assert people[0] == ["姓名", "入职日期"] and people[1] == ["李明", "2020年1月1日"]
    wb = openpyxl.load_workbook(filled / "gz.xlsx")
    assert wb.sheetnames[:2] == ["表一", "表二"]
    ws = wb["表一"]
    heads = [squash(str(c.value or "")) for c in ws[4]][:7]
    assert heads == ["序号", "类别", "合计金额（万元）", "名称", "工时", "单价", "费用"]
    assert [c.value for c in ws[5]][3:5] == ["专利代理实务", 2]
    assert ws["C5"].value == 30 and "C5:C6" in {str(r) for r in ws.merged_cells.ranges}  # merged over its items


def test_blank_form_from_the_definition(forms: Path) -> None:  # noqa: F811
    render(forms / "forms" / "2027.yaml", forms / "out")
    wb = openpyxl.load_workbook(forms / "out" / "2027.xlsx")
    ws = wb["表一"]
    choices = [dv for dv in ws.data_validations.dataValidation if dv.type == "list"]
    assert len(choices) == 1 and choices[0].formula1 == '"培训,咨询"' and choices[0].promptTitle == "类别"
    values = [c.value for row in ws.iter_rows(min_row=5, max_row=10) for c in row]
    assert values.count("培训") == 1 and values.count("咨询") == 1 and "可加行" in values
    assert {"B5:B6", "B7:B8"} <= {str(r) for r in ws.merged_cells.ranges}  # two rows to fill per 类别
    with pdfplumber.open(forms / "out" / "2027.pdf") as pdf:
        text = squash("".join(page.extract_text() or "" for page in pdf.pages))
    assert "服务项目" in text and "可加行" in text and "入职日期" in text
    grid = [
        [squash(c.text) for c in row.cells] for row in docx.Document(str(forms / "out" / "2027.docx")).tables[0].rows
    ]
    assert grid[0] == ["序号", "类别", "合计金额（万元）", "名称", "工时", "单价", "费用"]


@pytest.mark.libreoffice
def test_computed_cells_are_formulas_with_their_values_and_update_in_a_spreadsheet(filled: Path) -> None:
    from tests.writers.xlsx.test_xlsx_form import CSV_ALL_SHEETS, csv_sheets  # noqa: F401

    wb = openpyxl.load_workbook(filled / "gz.xlsx")
    assert wb["表一"]["G5"].value == '=IFERROR(E5*F5,"")'  # 费用 = 工时 × 单价, the form's own formula
    values = openpyxl.load_workbook(filled / "gz.xlsx", data_only=True)["表一"]
    assert (values["G5"].value, values["G6"].value) == (20, 10)  # cached: a reader that does not calculate sees it
    # a clerk changes 工时 in the spreadsheet: LibreOffice recalculates 费用 and the 合计
    wb["表一"]["E5"] = 5
    changed = filled / "changed.xlsx"
    wb.save(changed)
    rows = csv_sheets([changed], filled / "lo")["changed"]["表一"]
    assert rows[4][6] == "50" and rows[6][6] == "60"


def test_a_notice_prints_any_forms_blank_tables_by_its_id(forms: Path) -> None:  # noqa: F811
    """The notice's 附件1 is data too: `form_tables` names a form by id, here one whose id is not a year."""
    (forms / "forms" / "2027.yaml").rename(forms / "forms" / "2027-fuwu-jigou.yaml")
    notice = (ROOT / "data" / "notices" / "2023-233.yaml").read_text(encoding="utf-8")
    assert "form_tables: 2024" in notice
    path = forms / "notice.yaml"
    path.write_text(notice.replace("form_tables: 2024", "form_tables: 2027-fuwu-jigou"), "utf-8")
    result = runner.invoke(app, ["render", str(path), "-f", "pdf", "-o", str(forms / "out")])
    assert result.exit_code == 0, result.output
    with pdfplumber.open(forms / "out" / "notice.pdf") as pdf:
        text = squash("".join(page.extract_text() or "" for page in pdf.pages))
    assert "服务项目" in text and "入职日期" in text and "保留省局部分" not in text
    path.write_text(notice.replace("form_tables: 2024", "form_tables: 2027-fuwu"), "utf-8")
    refused = runner.invoke(app, ["validate", str(path)])
    assert refused.exit_code == 1 and "没有编号为“2027-fuwu”的征集表" in refused.output
