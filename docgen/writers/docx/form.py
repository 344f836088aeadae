"""DOCX writer of the filled (or blank) 附件1: the four 需求征集表 on A4 landscape pages.

docxtpl renders ``templates/docx/form.docx`` (texts, one generic table looped over the view's
tables, rows and cells); then one lxml pass over each table applies what Jinja cannot express
cleanly: column widths from ``ColumnView.share``, both merge levels (vMerge restart/continue
from the view's rowspan/covered), the 合计 row's gridSpan, header repeat, rows kept whole, page
breaks before tables 二–四. Core properties and zip timestamps are pinned so the bytes depend on
the view only.
"""

from __future__ import annotations

import io
import math
from pathlib import Path

from jinja2 import Environment

from docgen.io.reproducible import FIXED_TIME, fixed_zip
from docgen.standard import gbt9704 as L
from docgen.standard.metrics import char_em
from docgen.views.form import ColumnView, DocumentView, Row, TableView
from docgen.writers.docx import oxml

TEMPLATE = Path("docx") / "form.docx"

# Style names of the template (scripts/make_docx_templates.py creates them).
ATTACHMENT_LABEL = "Docgen Attachment Label"
TABLE_TITLE = "Docgen Table Title"
TABLE_SUBTITLE = "Docgen Table Subtitle"
INFO_LINE = "Docgen Info Line"
TABLE_HEADER = "Docgen Table Header"
TABLE_CELL = "Docgen Table Cell"
TAIL = "Docgen Tail"
FORM_TABLE_CAPTION = "docgen:form-table"
"""Alt-text title (w:tblCaption) of the template's table: how the writer finds it."""

TABLE_TEXT_PT = L.TABLE_TEXT_PT
INFO_LINE_PT = L.SIZE_PT["五号"]
"""The 填报单位 … line: 五号 (10.5 pt) 仿宋, so that one line holds it."""
SUBTITLE_PT = L.SIZE_PT["三号"]
"""Table subtitles: 3号楷体."""
LABEL_PT = L.SIZE_PT["三号"]
"""附件1: 3号黑体."""

CENTERED_COLUMNS = frozenset({"seq", "category", "budget", "amount", "quantity"})
"""Short cells printed centred; long texts are justified."""
CELL_MARGIN_MM = 1.0
"""Left/right cell margin of the template's table (narrow: amounts like 1200.00 fit their column)."""
LINE_HEIGHT_EM = 1.3
"""Single line spacing of CJK faces, in em, for the row-height estimate."""
BLANK = "_" * 12
"""What a blank form prints after a label of the info line."""


def write_docx(view: DocumentView, templates: Path) -> bytes:
    """The filled form (or blank form) of ``view`` as DOCX bytes, reproducible for the same view."""
    from docxtpl import DocxTemplate

    tpl = DocxTemplate(str(Path(templates) / TEMPLATE))
    context = {
        "tables": view.tables,
        "attachment_label": view.attachment_label,
        "info_text": info_text(view),
        "title": view.document_title,
    }
    tpl.render(context, jinja_env=Environment(autoescape=True), autoescape=True)
    doc = tpl.docx
    _post_process(doc, view)
    _core_properties(doc, view)
    buf = io.BytesIO()
    doc.save(buf)
    return fixed_zip(buf.getvalue())


def info_text(view: DocumentView) -> str:
    """填报单位 left, then 联系人, 联系电话, 填报日期 after a tab (flush right in the template)."""
    parts = [f"{label}：{value or (BLANK * 2 if i == 0 else BLANK)}" for i, (label, value) in enumerate(view.info_line)]
    return parts[0] + "\t" + "\u3000\u3000".join(parts[1:])


# --------------------------------------------------------------------------- post-processing
def _style_id(doc, name: str) -> str | None:
    try:
        return doc.styles[name].style_id
    except KeyError:
        return None


def _style_size(doc, name: str, default: float) -> float:
    try:
        size = doc.styles[name].font.size
    except KeyError:
        return default
    return size.pt if size is not None else default


def form_tables(body) -> list:
    """The rendered form tables (marked by the template's w:tblCaption), in document order."""
    out = []
    for tbl in body.iterchildren(oxml.qn("w:tbl")):
        tpr = tbl.find(oxml.qn("w:tblPr"))
        cap = tpr.find(oxml.qn("w:tblCaption")) if tpr is not None else None
        if cap is not None and cap.get(oxml.qn("w:val")) == FORM_TABLE_CAPTION:
            out.append(tbl)
    return out


def column_widths(columns: tuple[ColumnView, ...]) -> list[int]:
    """Twips per column: share × the landscape 版心 width, rounding error put in the widest column."""
    total = L.twips(L.LANDSCAPE_TEXT_WIDTH_MM)
    widths = [int(total * c.share) for c in columns]
    widest = max(range(len(widths)), key=lambda i: widths[i])
    widths[widest] += total - sum(widths)
    return widths


def _post_process(doc, view: DocumentView) -> None:
    body = doc.element.body
    oxml.strip_theme_fonts(doc.styles.element)
    tables = form_tables(body)
    if len(tables) != len(view.tables):
        raise ValueError(f"template {TEMPLATE} rendered {len(tables)} form tables for {len(view.tables)} in the view")
    size = _style_size(doc, TABLE_CELL, TABLE_TEXT_PT)
    for tbl, tv in zip(tables, view.tables):
        _table(tbl, tv, size)
    # Each table starts a page: page break before the titles of tables 二, 三, 四.
    title_id = _style_id(doc, TABLE_TITLE)
    titles = [p for p in body.iterchildren(oxml.qn("w:p")) if _pstyle(p) == title_id]
    for p in titles[1:]:
        oxml.page_break_before(oxml.props(p))


def _pstyle(p) -> str | None:
    ppr = p.find(oxml.qn("w:pPr"))
    ps = ppr.find(oxml.qn("w:pStyle")) if ppr is not None else None
    return ps.get(oxml.qn("w:val")) if ps is not None else None


def _table(tbl, tv: TableView, size_pt: float) -> None:
    widths = column_widths(tv.columns)
    oxml.set_table_grid(tbl, widths)
    trs = tbl.findall(oxml.qn("w:tr"))
    header, body_rows = trs[0], trs[1:]
    if len(body_rows) != len(tv.rows):
        raise ValueError(f"table {tv.key}: {len(body_rows)} rendered rows for {len(tv.rows)} in the view")
    oxml.repeat_header(header)
    oxml.cant_split(header)
    for tc, w in zip(header.findall(oxml.qn("w:tc")), widths):
        oxml.set_cell_width(tc, w)
    header_pt = row_height_pt([c.title for c in tv.columns], widths, size_pt)
    room_pt = L.mm_to_pt(L.LANDSCAPE_TEXT_HEIGHT_MM) - header_pt
    for tr, row in zip(body_rows, tv.rows):
        _row(tr, row, tv.columns, widths, size_pt, room_pt)


def _row(tr, row: Row, columns: tuple[ColumnView, ...], widths: list[int], size_pt: float, room_pt: float) -> None:
    tcs = tr.findall(oxml.qn("w:tc"))
    if len(tcs) != len(row.cells):
        raise ValueError(f"row has {len(tcs)} rendered cells for {len(row.cells)} in the view")
    texts, spans = [], []
    c = 0
    for tc, cell, col in zip(tcs, row.cells, columns):
        if cell.hidden:
            tr.remove(tc)
            c += 1
            continue
        span = max(cell.colspan, 1)
        width = sum(widths[c : c + span])
        oxml.set_cell_width(tc, width)
        oxml.set_grid_span(tc, span)
        if cell.rowspan > 1:
            oxml.set_vmerge(tc, restart=True)
        elif cell.covered:
            oxml.set_vmerge(tc, restart=False)
            oxml.clear_cell_text(tc)
        if not cell.covered:
            texts.append(cell.text)
            spans.append(width)
        centered = row.kind == "total" or col.key in CENTERED_COLUMNS
        for p in tc.findall(oxml.qn("w:p")):
            oxml.set_jc(oxml.props(p), "center" if centered else "left")
        c += span
    if row_height_pt(texts, spans, size_pt) <= room_pt:
        oxml.cant_split(tr)
    if row.kind in ("blank", "placeholder"):
        # rows left for the unit to fill in: at least one 行 of the standard (room to write)
        oxml.row_height(tr, L.LINE_PITCH_PT)


def _em(ch: str) -> float:
    return char_em(ch, narrow=0.55, ambiguous_wide=True)  # generous: a row estimated too short splits


def row_height_pt(texts: list[str], widths_twips: list[int], size_pt: float) -> float:
    """Estimated height of a row: its tallest cell's text wrapped at the column width."""
    lines = 1
    for text, w in zip(texts, widths_twips):
        avail = max(w / 20 - 2 * L.mm_to_pt(CELL_MARGIN_MM), size_pt)
        n = 0
        for para in (text or "").split("\n"):
            n += max(1, math.ceil(sum(_em(ch) for ch in para) * size_pt / avail))
        lines = max(lines, n)
    return lines * size_pt * LINE_HEIGHT_EM + 2  # + cell borders/padding


def _core_properties(doc, view: DocumentView) -> None:
    cp = doc.core_properties
    cp.title = view.document_title
    cp.subject = f"{view.form.notice_number} 附件1" if getattr(view.form, "notice_number", "") else "附件1"
    cp.author = "docgen"
    cp.last_modified_by = "docgen"
    keywords = [view.title, view.unit or "空白表", view.generator]
    if view.source_sha256:
        keywords.append(f"sha256:{view.source_sha256}")
    cp.keywords = "; ".join(k for k in keywords if k)
    cp.comments = f"source: {view.source_name}" if view.source_name else "blank form"
    # A constant, not the clock (docgen.io.reproducible.fixed_zip pins these dates as well).
    cp.created = cp.modified = FIXED_TIME
    cp.revision = 1
