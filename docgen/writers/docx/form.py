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
from pathlib import Path

from jinja2 import Environment

from docgen.io.reproducible import FIXED_TIME, fixed_zip
from docgen.standard import gbt9704 as L
from docgen.standard.metrics import text_width_zi
from docgen.views.form import DocumentView
from docgen.writers.docx import oxml
from docgen.writers.docx.table import CELL_MARGIN_MM, format_table

__all__ = ["CELL_MARGIN_MM", "write_docx"]  # CELL_MARGIN_MM: the template's margins (scripts/make_docx_templates.py)

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
INFO_LINE_PT = L.SIZE_PT["四号"]
"""The 填报单位 … line: 四号 仿宋, its items one 字 apart, wrapping where it must: as the PDF's."""
SUBTITLE_PT = L.SIZE_PT["三号"]
"""Table subtitles: 3号楷体."""
LABEL_PT = L.SIZE_PT["三号"]
"""附件1: 3号黑体."""

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
    """填报单位, 联系人, 联系电话, 填报日期 one 字 (U+3000) apart, as the PDF prints them
    (templates/html/_tables.html.j2: form-info): an item that does not fit on the line starts the next
    one (a line break, which docxtpl writes as w:br), so Word never splits "填报日期" inside a word."""
    parts = [f"{label}：{value or (BLANK * 2 if i == 0 else BLANK)}" for i, (label, value) in enumerate(view.info_line)]
    return "\n".join(info_lines(parts, L.mm_to_pt(L.LANDSCAPE_TEXT_WIDTH_MM) / INFO_LINE_PT))


def info_lines(parts: list[str], room_zi: float) -> list[str]:
    """The items on lines ``room_zi`` 字 wide, whole items only (one longer than a line stands alone and
    wraps there); one 字 of the room is kept back for the estimate's error on digits and Latin letters."""
    lines: list[str] = []
    for part in parts:
        if lines and text_width_zi(lines[-1]) + 1 + text_width_zi(part) <= room_zi - 1:
            lines[-1] += "\u3000" + part
        else:
            lines.append(part)
    return lines


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


def _post_process(doc, view: DocumentView) -> None:
    body = doc.element.body
    oxml.strip_theme_fonts(doc.styles.element)
    tables = form_tables(body)
    if len(tables) != len(view.tables):
        raise ValueError(f"template {TEMPLATE} rendered {len(tables)} form tables for {len(view.tables)} in the view")
    size = _style_size(doc, TABLE_CELL, TABLE_TEXT_PT)
    for tbl, tv in zip(tables, view.tables):
        format_table(tbl, tv, size)  # the one DOCX table writer (shared with the notice's 附件1)
    # Each table starts a page: page break before the titles of tables 二, 三, 四.
    title_id = _style_id(doc, TABLE_TITLE)
    titles = [p for p in body.iterchildren(oxml.qn("w:p")) if _pstyle(p) == title_id]
    for p in titles[1:]:
        oxml.page_break_before(oxml.props(p))


def _pstyle(p) -> str | None:
    ppr = p.find(oxml.qn("w:pPr"))
    ps = ppr.find(oxml.qn("w:pStyle")) if ppr is not None else None
    return ps.get(oxml.qn("w:val")) if ps is not None else None


CORE_PROPERTY_CHARS = 255
"""python-docx refuses a longer core property; a unit of another kind may have a long name."""


def _clip(text: str, limit: int = CORE_PROPERTY_CHARS) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _core_properties(doc, view: DocumentView) -> None:
    cp = doc.core_properties
    cp.title = _clip(view.document_title)
    cp.subject = f"{view.form.notice_number} 附件1" if getattr(view.form, "notice_number", "") else "附件1"
    cp.author = "docgen"
    cp.last_modified_by = "docgen"
    tail = [view.generator, f"sha256:{view.source_sha256}" if view.source_sha256 else ""]
    rest = "; ".join(k for k in (view.title, *tail) if k)
    # the unit's name is what gets shortened, so the generator and the source's SHA-256 stay whole
    unit = _clip(view.unit or "空白表", max(8, CORE_PROPERTY_CHARS - len(rest) - 2))
    cp.keywords = _clip("; ".join(k for k in (view.title, unit, *tail) if k))
    cp.comments = _clip(f"source: {view.source_name}" if view.source_name else "blank form")
    # A constant, not the clock (docgen.io.reproducible.fixed_zip pins these dates as well).
    cp.created = cp.modified = FIXED_TIME
    cp.revision = 1
