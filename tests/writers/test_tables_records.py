"""Tables as the records officer checks them (issue 11), in the packet PDF (pdfplumber) and the
form DOCX (python-docx): amounts right-aligned in every 万元 column and 合计 row, no number and no
short title broken across lines, an empty table's 合计 like the others."""

from __future__ import annotations

import io
import itertools
import re
from functools import lru_cache

import pdfplumber
import pytest
from docx import Document

from docgen.io.paths import DATA_DIR
from docgen.registry import Options, render_file
from docgen.standard import gbt9704 as L

UNITS = DATA_DIR / "submissions" / "2024"
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
# Shenzhen, the largest example (tables over several pages), renders in about 4 s: a slow case
STEMS = ["guangzhou", pytest.param("shenzhen", marks=pytest.mark.slow)]


@lru_cache(maxsize=4)
def rendered(stem: str):
    return render_file(UNITS / f"{stem}.yaml", Options(formats=("docx", "pdf")))


def _cell_texts(tc) -> str:
    return "".join(t.text or "" for t in tc.iter(f"{W}t"))


@pytest.mark.parametrize("stem", STEMS)
def test_docx_amounts_right_aligned_in_data_and_total_rows(stem):
    r = rendered(stem)
    doc = Document(io.BytesIO(r.outputs["docx"]))
    for table, tv in zip(doc.tables, r.view.tables, strict=True):
        amount_cols = [i for i, c in enumerate(tv.columns) if c.numeric]
        for tr, row in zip(table._tbl.findall(f"{W}tr")[1:], tv.rows, strict=True):
            tcs = tr.findall(f"{W}tc")
            visible = [c for c in row.cells if not c.hidden]
            for tc, cell in zip(tcs, visible, strict=True):
                ci = row.cells.index(cell)
                if ci in amount_cols and cell.text and not cell.covered:
                    jc = tc.find(f"{W}p/{W}pPr/{W}jc").get(f"{W}val")
                    assert jc == "right", (stem, tv.key, row.kind, cell.text)
        total = tv.total_row
        assert total is not None
        notes = [c.text for c in total.cells[1:] if not c.hidden and c.value is None]
        assert not notes or notes[0] == f"共{tv.project_count}个项目"  # 共0个项目 for an empty table too


def _words(page):
    return page.extract_words(keep_blank_chars=False, use_text_flow=True)


@pytest.mark.parametrize("stem", STEMS)
def test_pdf_amounts_right_aligned_and_numbers_whole(stem):
    r = rendered(stem)
    checked = 0
    with pdfplumber.open(io.BytesIO(r.outputs["pdf"])) as pdf:
        text = "".join((p.extract_text() or "") for p in pdf.pages)
        for page in pdf.pages[1:]:
            # 序号 and the other short titles on one line
            assert "序\n号" not in (page.extract_text() or "")
            lines = (page.extract_text() or "").splitlines()
            for a, b in itertools.pairwise(lines):
                assert not (re.search(r"\d\*\d*\.?\d*$", a) and re.match(r"^\d", b)), (a, b)  # 1*110.5 / 5
            # every amount ends at its cell's right edge (less the padding)
            cells = [c for t in page.find_tables() for row in t.rows for c in row.cells if c]
            for w in _words(page):
                if re.fullmatch(r"\d+\.\d\d", w["text"]):
                    cell = next(
                        (c for c in cells if c[0] <= w["x0"] and w["x1"] <= c[2] and c[1] <= w["top"] <= c[3]), None
                    )
                    if cell is not None:
                        pad = L.TABLE_TEXT_PT * L.TABLE_CELL_PADDING_ZI
                        assert cell[2] - w["x1"] == pytest.approx(pad, abs=1.2), (stem, w["text"])
                        checked += 1
        for table in r.view.tables:
            if not table.body:  # an empty table's 合计 reads like the others
                assert "合计0.00共0个项目" in "".join(text.split())
    assert checked >= len(r.view.tables)  # the data amounts and the 合计 of every table were measured
    assert any(not t.body for t in rendered("guangzhou").view.tables)
