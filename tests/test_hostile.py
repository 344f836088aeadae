"""Hostile text from a submission reaches every format intact and inert (escaped, no formulas, no tofu)."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import openpyxl
import pdfplumber
import pytest
from docx import Document

from docgen.io.source import parse
from docgen.registry import Options, render_source

ROOT = Path(__file__).resolve().parents[1]
BASE = (ROOT / "data" / "submissions" / "2024" / "yunfu.yaml").read_text(encoding="utf-8")
MARKUP = "工作 & <b>粗体</b> \"引号\" 'apos' </td></tr></table> {{ 7*7 }}"
LONG = "长文本" + "专业市场侵权假冒多发，需建立快速处置机制。" * 95  # ≈ 2,000 characters


def hostile_yaml() -> str:
    def q(text: str) -> str:
        # a double-quoted YAML scalar; control characters written as escapes, as YAML requires
        body = text.replace("\\", "\\\\").replace('"', '\\"')
        return '"' + re.sub(r"[\x00-\x1f]", lambda m: f"\\x{ord(m.group()):02x}", body) + '"'

    link = '=HYPERLINK("http://x")'
    return (
        BASE
        + f"""post_subsidy:
  - work: {q(MARKUP + chr(1) + "控制" + chr(11) + "字符")}
    name: {q(link)}
    amount: 10
    basis: {q("《规定》𠀀〇 +1 -1 @SUM(A1)")}
    recipient: {q("@SUM(A1:A9)")}
    performance: {q(LONG)}
    remarks: {q("-2+3")}
"""
    )


@pytest.fixture(scope="module")
def outputs() -> dict[str, bytes]:
    rendered = render_source(parse(hostile_yaml(), "hostile.yaml"), Options())
    return rendered.outputs


def column_text(page, header: str) -> str:
    """The text of one table column, found between the rules left and right of its header."""
    hit = page.search(header)[0]
    centre = (hit["x0"] + hit["x1"]) / 2
    xs = sorted({round(e["x0"], 1) for e in page.edges if e["orientation"] == "v"})
    left = max(x for x in xs if x < centre)
    right = min(x for x in xs if x > centre)
    return page.crop((left, hit["bottom"], right, page.height)).extract_text() or ""


@pytest.mark.slow
def test_pdf_prints_the_text_literally(outputs) -> None:
    with pdfplumber.open(io.BytesIO(outputs["pdf"])) as pdf:
        text = re.sub(r"\s", "", "".join(p.extract_text() or "" for p in pdf.pages))
        fonts = {c["fontname"] for p in pdf.pages for c in p.chars}
        page = next(p for p in pdf.pages if "后补助名称" in (p.extract_text() or ""))
        column = re.sub(r"\s", "", column_text(page, "主要工作内容"))
    assert re.sub(r"\s", "", MARKUP) + "控制字符" in column  # markup printed, not interpreted
    assert "=HYPERLINK" in text and "@SUM(A1:A9)" in text
    assert "〇" in text and "𠀀" in text
    assert all("+" in f for f in fonts), "every font is an embedded subset"
    # the 2,000-character cell, taller than a page, is printed whole across pages
    with pdfplumber.open(io.BytesIO(outputs["pdf"])) as pdf:
        pages = [p for p in pdf.pages if "后补助名称" in (p.extract_text() or "")]
        performance = "".join(re.sub(r"\s", "", column_text(p, "项目绩效")).removeprefix("项目绩效") for p in pages)
    assert len(pages) > 1 and re.sub(r"\s", "", LONG) in performance


def test_docx_keeps_the_text_and_no_control_characters(outputs) -> None:
    doc = Document(io.BytesIO(outputs["docx"]))
    cells = "".join(c.text for t in doc.tables for r in t.rows for c in r.cells)
    assert MARKUP + "控制字符" in cells
    xml = zipfile.ZipFile(io.BytesIO(outputs["docx"])).read("word/document.xml").decode("utf-8")
    assert "\x01" not in xml and "\x0b" not in xml


def test_xlsx_never_turns_text_into_a_formula(outputs) -> None:
    wb = openpyxl.load_workbook(io.BytesIO(outputs["xlsx"]))
    ws = wb["表二"]
    values = {c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str)}
    for text in ('=HYPERLINK("http://x")', "@SUM(A1:A9)", "-2+3"):
        assert text in values
        cell = next(c for row in ws.iter_rows() for c in row if c.value == text)
        assert cell.data_type == "s", text
    sheet = zipfile.ZipFile(io.BytesIO(outputs["xlsx"])).read("xl/worksheets/sheet2.xml").decode("utf-8")
    assert "HYPERLINK" not in re.findall(r"<f>(.*?)</f>", sheet).__str__()


def test_a_raw_control_character_is_a_clear_error_with_its_line() -> None:
    from docgen.check.submission import check_text

    text = BASE.replace("unit: ", "unit: \x07", 1)
    result = check_text(text, "bell.yaml")
    (err,) = result.errors
    assert err.line == next(i for i, line in enumerate(text.splitlines(), 1) if line.startswith("unit:"))
    assert "控制字符" in err.message and "U+0007" in err.message


@pytest.mark.parametrize("depth", [60, 900, 100_000])
def test_deep_nesting_is_a_clear_error_not_a_recursion_traceback(tmp_path, depth: int) -> None:
    """`[[[[…` or `{"a":{"a":…` thousands deep: one syntax error naming the cause, for YAML and JSON alike."""
    from docgen.check.submission import check_file

    files = {
        "deep.yaml": "[" * depth + "]" * depth,
        "deep.json": '{"a":' * depth + "1" + "}" * depth,
        "steps.yaml": "".join(" " * i + "- \n" for i in range(min(depth, 3000))),
    }
    for name, text in files.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
        result = check_file(tmp_path / name)
        (err,) = result.errors
        assert err.code == "syntax" and "嵌套层数过深" in err.message, (name, err)
    # a real filing nests five levels: far from the limit
    assert not check_file(Path(__file__).parents[1] / "data/submissions/2024/guangzhou.yaml").errors
