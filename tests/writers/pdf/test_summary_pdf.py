"""汇总表.pdf of all 23 examples, read with pdfplumber: no table ends with its 合计 row alone on a page."""

from __future__ import annotations

import re
from pathlib import Path

import pdfplumber
import pytest
from summary_helpers import examples_summary

from docgen.io.paths import TEMPLATES_DIR
from docgen.writers.pdf.summary import lone_totals, write_summary_pdf

AMOUNT = re.compile(r"\d\.\d\d")


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory) -> list[list[str]]:
    """Each page's text lines."""
    pdf = tmp_path_factory.mktemp("summary") / "汇总表.pdf"
    pdf.write_bytes(write_summary_pdf(examples_summary(), Path(TEMPLATES_DIR)))
    with pdfplumber.open(pdf) as doc:
        return [(page.extract_text() or "").splitlines() for page in doc.pages]


@pytest.mark.slow  # several seconds: the whole suite runs it, the quick one does not
def test_every_total_row_shares_its_page_with_a_body_row(pages) -> None:
    # The 23 units' table has 23 rows and a header four lines tall: its 合计 used to fall alone onto
    # page 2. A body row always holds an amount (d.dd); the title, subtitle and header never do.
    totals = 0
    for n, lines in enumerate(pages, start=1):
        for i, line in enumerate(lines):
            if line.startswith("合计"):
                totals += 1
                assert any(AMOUNT.search(above) for above in lines[:i]), f"page {n}: 合计 alone: {lines}"
    assert totals == 2 + 4  # the units' and the categories' tables, then one per table of the form


@pytest.mark.slow  # several seconds: the whole suite runs it, the quick one does not
def test_the_units_table_ends_on_its_second_page_with_the_last_units(pages) -> None:
    second = "\n".join(pages[1])
    assert "国家知识产权局专利局广州代办处" in second and "9272.50" in second  # the grand total of the 23


def test_lone_totals_moves_the_last_body_row_only_where_it_helps() -> None:
    # page 2 holds only units-total: move units-22; t0-total shares page 3 with t0-9: nothing
    assert lone_totals([["units-0", "units-21", "units-22"], ["units-total"], ["t0-8", "t0-9", "t0-total"]]) == {
        "units-22"
    }
    # the last body row already opens the page before: nothing can help
    assert lone_totals([["units-0"], ["units-1"], ["units-total"]]) == frozenset()


@pytest.mark.slow  # several seconds: the whole suite runs it, the quick one does not
def test_a_province_copy_of_the_template_from_before_sections_prints_each_page_once(tmp_path: Path) -> None:
    import shutil

    copy = tmp_path / "templates"
    shutil.copytree(TEMPLATES_DIR, copy)
    old = Path(__file__).resolve().parents[2] / "data" / "templates-before-sections" / "summary.html.j2"
    shutil.copy(old, copy / "html" / "summary.html.j2")
    pdf = tmp_path / "汇总表.pdf"
    pdf.write_bytes(write_summary_pdf(examples_summary(), copy))
    with pdfplumber.open(pdf) as doc:
        titles = [(page.extract_text() or "").count("各单位合计") for page in doc.pages]
        assert sum(titles) == 1 and len(doc.pages) in (10, 11), (len(doc.pages), titles)
