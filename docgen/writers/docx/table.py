"""One DOCX writer of a TableView, for the filled form and the notice's 附件1 alike.

``add_table(doc, tv, header_style, cell_style)`` appends the table with python-docx (the notice);
``format_table(tbl, tv, size_pt)`` gives a table whose cells already hold the view's texts (the
form, rendered by docxtpl; or add_table's) everything else the view says: column widths (one
rounding), both merge levels (vMerge from rowspan/covered, gridSpan for the 合计 row), header
repeat, rows kept whole, one vertical alignment (centre) for every cell, amounts right-aligned in
data and 合计 rows, short columns centred, cell margins on all four sides (glyphs never touch
the rules, "合计" is not clipped) and a 行 of room in rows left blank for the unit.

The merged 类型 label in DOCX: Word and LibreOffice draw a vertically merged cell's text once,
and where a merged group breaks across pages cannot be known when the file is written (it
depends on the reader's fonts); so the DOCX keeps the merge, as the published form does, and the
PDF (the archive copy) repeats the label at the top of the continuation page.
"""

from __future__ import annotations

import math
from typing import Any

from docgen.standard import gbt9704 as L
from docgen.standard.metrics import char_em
from docgen.views.form import ColumnView, Row, TableView
from docgen.writers.docx import oxml

CELL_MARGIN_MM = 1.0
"""Left/right cell margin (narrow: amounts like 1200.00 fit their column)."""
CELL_MARGIN_TB_PT = L.TABLE_TEXT_PT * L.TABLE_CELL_PADDING_ZI
"""Top/bottom cell margin: a quarter 字 of table text, as the PDF's cell padding."""
LINE_HEIGHT_EM = 1.3
"""Single line spacing of CJK faces, in em, for the row-height estimate."""
BLANK_ROW_PT = L.LINE_PITCH_PT
"""A blank or placeholder row's least height (w:trHeight, which holds the cell margins): one 行. The form
keeps it (its 2024 DOCX bytes are fixed)."""
PDF_BLANK_ROW_PT = L.LINE_PITCH_PT + 2 * CELL_MARGIN_TB_PT + L.mm_to_pt(L.TABLE_RULE_MM)
"""The PDF's blank row, rule to rule: one 行 of room inside the cell padding (gbt9704.css: the cell's
height), plus the rule; the notice's 附件1 uses it so that its rows fall on the PDF's pages."""


def column_widths(columns: tuple[ColumnView, ...]) -> list[int]:
    """Twips per column: share × the landscape 版心 width, rounding error put in the widest column."""
    total = L.twips(L.LANDSCAPE_TEXT_WIDTH_MM)
    widths = [int(total * c.share) for c in columns]
    widest = max(range(len(widths)), key=lambda i: widths[i])
    widths[widest] += total - sum(widths)
    return widths


def cell_align(row: Row, col: ColumnView, index: int) -> str:
    """Horizontal alignment of a cell: amounts right, 合计 label and short columns centred, text left."""
    if col.numeric:
        return "right"
    if row.kind == "total":
        return "center" if index == 0 else "left"
    return "center" if col.align == "center" else "left"  # short cells (序号, 类型, 4*30) centred


def row_height_pt(texts: list[str], widths_twips: list[int], size_pt: float) -> float:
    """Estimated height of a row: its tallest cell's text wrapped at the column width."""
    lines = 1
    for text, w in zip(texts, widths_twips, strict=False):
        avail = max(w / 20 - 2 * L.mm_to_pt(CELL_MARGIN_MM), size_pt)
        n = 0
        for para in (text or "").split("\n"):
            em = sum(char_em(ch, narrow=0.55, ambiguous_wide=True) for ch in para)  # generous: too short splits
            n += max(1, math.ceil(em * size_pt / avail))
        lines = max(lines, n)
    return lines * size_pt * LINE_HEIGHT_EM + 2 * CELL_MARGIN_TB_PT + 2  # + cell borders


def set_margins(tbl) -> None:
    """Cell margins on all four sides (w:tblCellMar)."""
    mar = oxml.child(oxml.props(tbl), "tblCellMar")
    assert mar is not None
    for side, twips_ in (
        ("top", round(CELL_MARGIN_TB_PT * 20)),
        ("left", L.twips(CELL_MARGIN_MM)),
        ("bottom", round(CELL_MARGIN_TB_PT * 20)),
        ("right", L.twips(CELL_MARGIN_MM)),
    ):
        oxml.remove(mar, side)
        mar.append(oxml.el(f"w:{side}", {"w:w": twips_, "w:type": "dxa"}))


def format_table(tbl, tv: TableView, size_pt: float, blank_row_pt: float = BLANK_ROW_PT) -> None:
    """Apply the view's widths, merges, alignment, margins and row rules to a filled table
    (``blank_row_pt``: the least height of its blank and placeholder rows)."""
    widths = column_widths(tv.columns)
    oxml.set_table_grid(tbl, widths)
    oxml.set_val(oxml.props(tbl), "jc", "center")
    set_margins(tbl)
    trs = tbl.findall(oxml.qn("w:tr"))
    header, body_rows = trs[0], trs[1:]
    if len(body_rows) != len(tv.rows):
        raise ValueError(f"table {tv.key}: {len(body_rows)} rendered rows for {len(tv.rows)} in the view")
    oxml.repeat_header(header)
    oxml.cant_split(header)
    for tc, w in zip(header.findall(oxml.qn("w:tc")), widths, strict=False):
        oxml.set_cell_width(tc, w)
        oxml.set_valign(tc, "center")
        for p in tc.findall(oxml.qn("w:p")):
            oxml.set_jc(oxml.props(p), "center")
    header_pt = row_height_pt([c.title for c in tv.columns], widths, size_pt)
    room_pt = L.mm_to_pt(L.LANDSCAPE_TEXT_HEIGHT_MM) - header_pt
    for tr, row in zip(body_rows, tv.rows, strict=False):
        _row(tr, row, tv.columns, widths, size_pt, room_pt, blank_row_pt)


def _row(
    tr, row: Row, columns: tuple[ColumnView, ...], widths: list[int], size_pt: float, room_pt: float, blank_pt: float
) -> None:
    tcs = tr.findall(oxml.qn("w:tc"))
    if len(tcs) != len(row.cells):
        raise ValueError(f"row has {len(tcs)} rendered cells for {len(row.cells)} in the view")
    texts, spans = [], []
    c = 0
    for i, (tc, cell, col) in enumerate(zip(tcs, row.cells, columns, strict=False)):
        if cell.hidden:
            tr.remove(tc)
            c += 1
            continue
        span = max(cell.colspan, 1)
        width = sum(widths[c : c + span])
        oxml.set_cell_width(tc, width)
        oxml.set_grid_span(tc, span)
        oxml.set_valign(tc, "center")
        if cell.rowspan > 1:
            oxml.set_vmerge(tc, restart=True)
        elif cell.covered:
            oxml.set_vmerge(tc, restart=False)
            oxml.clear_cell_text(tc)
        if not cell.covered:
            texts.append(cell.text)
            spans.append(width)
        for p in tc.findall(oxml.qn("w:p")):
            oxml.set_jc(oxml.props(p), cell_align(row, col, i))
        c += span
    if row_height_pt(texts, spans, size_pt) <= room_pt:
        oxml.cant_split(tr)
    if row.kind in ("blank", "placeholder"):
        # rows left for the unit to fill in: at least one 行 of the standard (room to write)
        oxml.row_height(tr, blank_pt)


def add_table(
    doc: Any, tv: TableView, header_style: str, cell_style: str, run: Any, blank_row_pt: float = BLANK_ROW_PT
) -> Any:
    """Append ``tv`` to a python-docx document (texts in the given paragraph styles, each run made by
    ``run(paragraph, text, role)``) and format it; the python-docx table."""
    from docx.table import _Cell

    cols = tv.columns
    t = doc.add_table(rows=1 + len(tv.rows), cols=len(cols))
    t.style = doc.styles["Table Grid"]
    header_id, cell_id = doc.styles[header_style].style_id, doc.styles[cell_style].style_id
    for c, col in enumerate(cols):
        p = t.rows[0].cells[c].paragraphs[0]
        oxml.set_style(p._p, header_id)
        run(p, col.title, "heiti")
    for r, row in enumerate(tv.rows, start=1):
        for tc, cell in zip(t.rows[r]._tr.findall(oxml.qn("w:tc")), row.cells, strict=False):
            p = _Cell(tc, t).paragraphs[0]
            oxml.set_style(p._p, cell_id)
            if cell.text and not cell.covered and not cell.hidden:
                run(p, cell.text, "fangsong")
    format_table(t._tbl, tv, L.TABLE_TEXT_PT, blank_row_pt)
    return t
