"""汇总表.xlsx of the 23 examples as printed: column titles inside their cells, the overview on one page."""

from __future__ import annotations

import io
from pathlib import Path

import openpyxl
import pdfplumber
import pytest
from summary_helpers import examples_summary

from docgen.standard.text import squash
from docgen.writers.xlsx.summary import PROJECTS_SHEET, REVIEW_HEADS, SUMMARY_SHEET, write_summary_xlsx


@pytest.fixture(scope="module")
def book() -> bytes:
    return write_summary_xlsx(examples_summary())


def test_the_overview_prints_on_one_page_and_titles_break_before_their_unit(book: bytes) -> None:
    wb = openpyxl.load_workbook(io.BytesIO(book))
    ws = wb[SUMMARY_SHEET]
    assert (ws.page_setup.fitToWidth, ws.page_setup.fitToHeight) == (1, 1)
    heads = [c.value for c in wb[PROJECTS_SHEET][1]]
    assert [squash(h) for h in heads[-2:]] == list(REVIEW_HEADS)
    assert heads[-1] == "拟安排金额\n（万元）"  # 14 columns wide: wraps, so the unit starts the second line
    # the header row is as tall as its tallest title needs; a unit's name fits one line
    assert ws.row_dimensions[2].height and ws.row_dimensions[2].height > 15
    assert ws.row_dimensions[3].height is None


@pytest.mark.libreoffice
def test_libreoffice_prints_every_column_title_inside_its_cell(book: bytes, tmp_path: Path) -> None:
    from testkit import libreoffice

    source = tmp_path / "汇总表.xlsx"
    source.write_bytes(book)
    (pdf,) = (p for p in libreoffice([source], "pdf", tmp_path) if p.suffix == ".pdf")
    title = next(t.title for t in examples_summary().tables if t.key == "support")  # the longest title
    with pdfplumber.open(pdf) as doc:
        page = doc.pages[0]
        words = page.extract_words()
        label = min((w for w in words if "（三）" in w["text"]), key=lambda w: w["top"])
        x, y = (label["x0"] + label["x1"]) / 2, (label["top"] + label["bottom"]) / 2
        rules = sorted({e["top"] for e in page.horizontal_edges})
        walls = sorted({e["x0"] for e in page.vertical_edges})
        cell = (max(v for v in walls if v < x), max(v for v in rules if v < y), min(v for v in walls if v > x))
        bottom = min(v for v in rules if v > y)
        # every character of the title lies wholly inside its cell (it used to spill into the rows around)
        inside = page.within_bbox((cell[0], cell[1] - 0.5, cell[2], bottom + 0.5)).extract_text()
    assert squash(inside) == squash(title), inside
