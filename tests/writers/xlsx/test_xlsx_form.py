"""The XLSX writer: every value, merge, format, drop-down and print setting; LibreOffice as a second reader."""

from __future__ import annotations

import csv
import io
import re
import subprocess
import zipfile
from decimal import Decimal
from pathlib import Path

import openpyxl
import pdfplumber
import pytest
import yaml

from docgen.check.submission import check_file, check_text
from docgen.form.loading import load as load_form
from docgen.standard.text import squash
from docgen.views.form import DocumentView, blank_view, build_view
from docgen.writers.xlsx.form import (
    EXTRA_BLANK_ROWS,
    FIRST_BODY_ROW,
    HEADER_ROW,
    INFO_ROW,
    ORDER_HEADER,
    sheet_table,
    write_xlsx,
)

ROOT = Path(__file__).resolve().parents[3]
EXAMPLES = sorted((ROOT / "data" / "submissions" / "2024").glob("*.yaml"))
HOSTILE = "& < > \" ' 𠀀"
FORMULA_LIKE = ["=SUM(A1:A2)", "+86 020-1234", "-负数开头", "@提及"]


# --- helpers -----------------------------------------------------------------------------------


def view_of(path: Path) -> DocumentView:
    result = check_file(path)
    assert result.submission is not None, [str(d) for d in result.errors]
    return build_view(result.form, result.submission, path.name, path.read_bytes())


def view_of_text(text: str) -> DocumentView:
    result = check_text(text, "hostile.yaml")
    assert result.submission is not None, [str(d) for d in result.errors]
    return build_view(result.form, result.submission, "hostile.yaml", text.encode())


def hostile_yaml() -> str:
    """Guangzhou's submission with hostile text in every kind of cell."""
    data = yaml.safe_load((ROOT / "data" / "submissions" / "2024" / "guangzhou.yaml").read_text(encoding="utf-8"))
    data["contact"]["name"] = "李明 & <王> \"芳\" '𠀀'"
    p0 = data["retained"][0]["projects"][0]
    p0["necessity"] = HOSTILE + " 需要说明"
    p0["remarks"] = "长" * 2000
    p0["name"] = "𠀀" + p0["name"]
    for text, project in zip(FORMULA_LIKE, [p0, data["retained"][1]["projects"][0]]):
        project["performance"] = text + " 不少于10项"
    data["post_subsidy"][0]["remarks"] = FORMULA_LIKE[2]
    data["post_subsidy"][0]["recipient"] = FORMULA_LIKE[3]
    data["delegated"][2]["projects"][1]["name"] = '=HYPERLINK("http://x","点我")'
    data["retained"][0]["work"] = "<script>alert('&amp;')</script> 工作"
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


def convert(sources: list[Path], target: str, outdir: Path) -> list[Path]:
    from testkit import libreoffice

    return libreoffice(sources, target, outdir)


CSV_ALL_SHEETS = "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1"


def csv_sheets(workbooks: list[Path], outdir: Path) -> dict[str, dict[str, list[list[str]]]]:
    """Every sheet of each workbook as LibreOffice computes it (raw values, formulas recalculated):
    workbook stem → sheet name → rows."""
    out: dict[str, dict[str, list[list[str]]]] = {wb.stem: {} for wb in workbooks}
    for path in convert(workbooks, CSV_ALL_SHEETS, outdir):
        if path.suffix == ".csv":
            stem, sheet = path.stem.rsplit("-", 1)
            with path.open(encoding="utf-8", newline="") as fh:
                out[stem][sheet] = list(csv.reader(fh))
    return out


def write(view: DocumentView, name: str, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.xlsx"
    path.write_bytes(write_xlsx(view))
    return path


def sheet_xml(data: bytes, index: int) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return zf.read(f"xl/worksheets/sheet{index}.xml").decode("utf-8")


# --- openpyxl reads it back ----------------------------------------------------------------------


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_every_value_merge_and_format(path: Path) -> None:
    view = view_of(path)
    wb = openpyxl.load_workbook(io.BytesIO(write_xlsx(view)))
    assert wb.sheetnames == ["表一", "表二", "表三", "表四"]
    for view_table, ws in zip(view.tables, wb.worksheets):
        table = sheet_table(view, view_table)  # the view's table plus the sheet's own 测算依据 column
        assert [c.key for c in table.columns if c.key != "estimate"] == [c.key for c in view_table.columns]
        ncols = len(table.columns)
        assert ws["A1"].value == table.title
        assert ws["A2"].value == table.subtitle
        info = " ".join(str(c.value) for c in ws[INFO_ROW] if c.value)
        for label, value in view.info_line:
            assert f"{label}：{value}" in info
        heads = [ws.cell(HEADER_ROW, c + 1).value for c in range(ncols)]
        assert [squash(h) for h in heads] == [c.title for c in table.columns]
        for head in heads:  # a title broken in its cell is broken before its unit: "经费安排" / "（万元）"
            assert "\n" not in head or head.split("\n")[1].startswith("（"), head
        assert ws.cell(HEADER_ROW, ncols + 1).value == ORDER_HEADER
        assert ws.column_dimensions[openpyxl.utils.get_column_letter(ncols + 1)].hidden
        # Merges: exactly the view's, shifted to the body's first row.
        got = {
            (m.min_row, m.min_col, m.max_row, m.max_col) for m in ws.merged_cells.ranges if m.min_row >= FIRST_BODY_ROW
        }
        want = {(r0 + FIRST_BODY_ROW, c0 + 1, r1 + FIRST_BODY_ROW, c1 + 1) for r0, c0, r1, c1 in table.merges}
        assert got == want
        for r, row in enumerate(table.rows):
            for c, (col, cell) in enumerate(zip(table.columns, row.cells)):
                xc = ws.cell(FIRST_BODY_ROW + r, c + 1)
                if cell.covered or cell.hidden:
                    assert xc.value is None  # (openpyxl drops a covered cell's style on reading)
                    continue
                if col.numeric:
                    assert xc.number_format == "0.00"
                if row.kind == "total" and col.numeric:
                    letter = xc.column_letter
                    assert (
                        xc.value == 0
                        if not table.body
                        else xc.value
                        == f"=SUM({letter}{FIRST_BODY_ROW}:{letter}{FIRST_BODY_ROW + len(table.body) - 1})"
                    )
                elif cell.value is not None:
                    assert isinstance(xc.value, (int, float)) and Decimal(str(xc.value)) == cell.value
                else:
                    assert (xc.value or "") == cell.text
                    if cell.text:
                        assert xc.data_type == "s"
        # Print settings.
        assert ws.page_setup.orientation == "landscape"
        assert int(ws.page_setup.paperSize) == 9  # A4
        assert ws.page_setup.fitToWidth == 1 and ws.page_setup.fitToHeight == 0
        assert ws.sheet_properties.pageSetUpPr.fitToPage
        assert ws.print_title_rows == f"${HEADER_ROW}:${HEADER_ROW}"
        assert "&P" in ws.oddFooter.center.text
        assert ws.freeze_panes == f"A{FIRST_BODY_ROW}"
        assert ws["A1"].font.name == "方正小标宋简体"
        assert ws.cell(HEADER_ROW, 1).font.name == "黑体"
        if table.body:
            assert ws.cell(FIRST_BODY_ROW, ncols).font.name == "仿宋_GB2312"
        widths = [ws.column_dimensions[openpyxl.utils.get_column_letter(i + 1)].width for i in range(ncols)]
        for w, col in zip(widths, table.columns):
            assert w == pytest.approx(col.share * sum(widths), rel=0.01)
        for r in range(FIRST_BODY_ROW, FIRST_BODY_ROW + len(table.rows)):
            assert ws.row_dimensions[r].height and ws.row_dimensions[r].height >= 14
        # The 类型 drop-down.
        if any(col.key == "category" for col in table.columns):
            category = view.form.table(table.key).column("category")  # the form's allowed 类型 for this table
            dvs = ws.data_validations.dataValidation
            assert len(dvs) == 1 and dvs[0].type == "list"
            assert dvs[0].formula1 == '"' + ",".join(c.name for c in category.choices) + '"'
            letter = openpyxl.utils.get_column_letter(table.column_index("category") + 1)
            rng = str(dvs[0].sqref)
            m = re.fullmatch(rf"{letter}(\d+):{letter}(\d+)", rng)
            assert m and int(m.group(1)) == FIRST_BODY_ROW
            assert int(m.group(2)) >= FIRST_BODY_ROW + len(table.rows) + 20
    props = wb.properties
    assert props.title == view.document_title
    assert view.source_sha256 and view.source_sha256 in props.keywords


def test_amounts_are_exact_numbers() -> None:
    text = (ROOT / "data" / "submissions" / "2024" / "guangzhou.yaml").read_text(encoding="utf-8")
    text = text.replace("amount: 60.5", "amount: 0.07").replace("amount: 150", "amount: 1234567.89")
    data = write_xlsx(view_of_text(text))
    xml2, xml4 = sheet_xml(data, 2), sheet_xml(data, 4)
    assert "<v>0.07</v>" in xml2
    assert "<v>1234567.89</v>" in xml4


def test_same_input_same_bytes() -> None:
    path = ROOT / "data" / "submissions" / "2024" / "guangzhou.yaml"
    a, b = write_xlsx(view_of(path)), write_xlsx(view_of(path))
    assert a == b
    with zipfile.ZipFile(io.BytesIO(a)) as zf:
        assert {i.date_time for i in zf.infolist()} == {(1980, 1, 1, 0, 0, 0)}
    blank = blank_view(load_form(2024))
    assert write_xlsx(blank) == write_xlsx(blank)


def test_blank_form() -> None:
    form = load_form(2024)
    view = blank_view(form)
    wb = openpyxl.load_workbook(io.BytesIO(write_xlsx(view)))
    for table, ws in zip(view.tables, wb.worksheets):
        assert table.total_row is None  # the view: DOCX and PDF print the blank form without 合计
        sheet = sheet_table(view, table)  # the workbook adds room to fill and a 合计 that sums it
        last = FIRST_BODY_ROW + len(sheet.rows) - 1
        assert len(sheet.rows) == len(table.rows) + EXTRA_BLANK_ROWS + 1
        assert not any(c.value is not None for row in ws.iter_rows(min_row=last + 1) for c in row)
        assert str(ws.cell(last, 1).value).startswith("合计")
        if any(col.key == "category" for col in table.columns):
            assert len(ws.data_validations.dataValidation) == 1
    ws1 = wb["表一"]
    name_col = sheet_table(view, view.tables[0]).column_index("name") + 1
    assert ws1.cell(FIRST_BODY_ROW, name_col).value == "可加行"
    ws4 = wb["表四"]
    t4 = view.table("delegated")
    names = [ws4.cell(FIRST_BODY_ROW + r, t4.column_index("name") + 1).value for r in range(len(t4.rows))]
    for preset in form.table("delegated").presets:
        assert preset.values()["name"] in names
    for pname in form.table("delegated").definition.example_rows.names:
        assert pname in names
    assert any(r.kind == "preset" for r in t4.rows) and any(r.kind == "placeholder" for r in t4.rows)
    # No order numbers in a blank form: nothing to restore.
    order_col = len(t4.columns) + 1
    assert all(ws4.cell(r, order_col).value is None for r in range(FIRST_BODY_ROW, ws4.max_row + 1))


def test_text_never_becomes_a_formula() -> None:
    data = write_xlsx(view_of_text(hostile_yaml()))
    xml = "".join(sheet_xml(data, i) for i in range(1, 5))
    formulas = re.findall(r"<f>(.*?)</f>", xml)
    assert formulas and all(f.startswith("SUM(") for f in formulas)
    wb = openpyxl.load_workbook(io.BytesIO(data))
    found = set()
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                if c.data_type == "f":  # only the 合计 cells are formulas
                    assert c.value.startswith("=SUM(") and ws.cell(c.row, 1).value == "合计"
                elif isinstance(c.value, str) and c.value.startswith(("=", "+", "-", "@")):
                    assert c.data_type == "s", c.coordinate
                    assert c.quotePrefix, c.coordinate
                    found.add(c.value.split(" ")[0])
    assert {"=SUM(A1:A2)", "+86", "-负数开头", "@提及", '=HYPERLINK("http://x","点我")'} <= found
    # The raw XML holds them as inline strings.
    assert re.search(r'<c r="[A-Z]+\d+"[^>]*t="inlineStr"[^>]*><is><t>=HYPERLINK', xml)


# --- LibreOffice as a second reader -----------------------------------------------------------------


LO_UNITS = ["guangzhou", "protection-center", "dongguan"]


@pytest.fixture(scope="module")
def lo_views() -> dict[str, DocumentView]:
    views = {name: view_of(ROOT / "data" / "submissions" / "2024" / f"{name}.yaml") for name in LO_UNITS}
    return {**views, "hostile": view_of_text(hostile_yaml()), "blank": blank_view(load_form(2024))}


@pytest.fixture(scope="module")
def lo_csv(lo_views, tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, list[list[str]]]]:
    """The units' and the hostile workbook as LibreOffice computes them: one LibreOffice start for all."""
    folder = tmp_path_factory.mktemp("lo-csv")
    books = [write(lo_views[name], name, folder / "in") for name in [*LO_UNITS, "hostile"]]
    return csv_sheets(books, folder)


@pytest.fixture(scope="module")
def lo_pdf(lo_views, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Guangzhou's and the blank workbook printed to PDF by LibreOffice, in one start."""
    folder = tmp_path_factory.mktemp("lo-pdf")
    books = [write(lo_views[name], name, folder / "in") for name in ("guangzhou", "blank")]
    return {p.stem: p for p in convert(books, "pdf", folder) if p.suffix == ".pdf"}


@pytest.mark.libreoffice
@pytest.mark.parametrize("name", LO_UNITS)
def test_libreoffice_computes_the_totals(name: str, lo_views, lo_csv) -> None:
    view = lo_views[name]
    sheets = lo_csv[name]
    assert set(sheets) == {"表一", "表二", "表三", "表四"}
    for view_table in view.tables:
        table = sheet_table(view, view_table)  # with the sheet's 测算依据 column
        rows = sheets[f"表{table.number}"]
        total = rows[FIRST_BODY_ROW - 1 + len(table.body)]
        assert total[0] == "合计"
        amount = table.column_index(next(c.key for c in table.columns if c.numeric))
        assert Decimal(total[amount] or "0") == table.total, (table.key, total)
        # Every body value is what the view says.
        for r, row in enumerate(table.body):
            for c, cell in enumerate(row.cells):
                got = rows[FIRST_BODY_ROW - 1 + r][c]
                if cell.covered or cell.hidden:
                    assert got == ""
                elif cell.value is not None:
                    assert Decimal(got) == cell.value
                else:
                    assert got == cell.text


@pytest.mark.libreoffice
def test_libreoffice_keeps_hostile_text_literal(lo_csv) -> None:
    sheets = lo_csv["hostile"]
    flat = "\n".join(",".join(r) for rows in sheets.values() for r in rows)
    for text in [
        *FORMULA_LIKE,
        '=HYPERLINK("http://x","点我")',
        HOSTILE,
        "长" * 2000,
        "<script>alert('&amp;')</script>",
    ]:
        assert text in flat, text
    assert "点我" not in flat.replace('=HYPERLINK("http://x","点我")', "")


@pytest.mark.libreoffice
@pytest.mark.parametrize("name", ["guangzhou", "blank"])
def test_libreoffice_prints_a4_landscape(name: str, lo_views, lo_pdf) -> None:
    view, pdf = lo_views[name], lo_pdf[name]
    from testkit import require_tool_path

    info = subprocess.run([require_tool_path("pdfinfo"), str(pdf)], capture_output=True, text=True, timeout=60).stdout
    pages = int(re.search(r"Pages:\s+(\d+)", info).group(1))
    w, h = map(float, re.search(r"Page size:\s+([\d.]+) x ([\d.]+)", info).groups())
    assert (round(w), round(h)) == (842, 595)  # A4 landscape
    assert pages >= 4
    text = subprocess.run(
        [require_tool_path("pdftotext"), "-layout", str(pdf), "-"], capture_output=True, text=True, timeout=60
    ).stdout
    for table in view.tables:
        assert table.title.replace(" ", "") in text.replace(" ", "")
    assert re.search(r"—\s*1\s*—", text)
    if name != "blank":
        assert view.unit in text.replace(" ", "")
    assert "SUM" not in text
    # the unit of 经费安排（万元） is printed whole on one line, never a "）" left alone below it
    with pdfplumber.open(pdf) as doc:
        assert doc.pages[0].search("（万元）"), "（万元） split across lines in 表一's header"
