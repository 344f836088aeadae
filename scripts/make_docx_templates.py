"""Generate docgen's docxtpl templates (templates/docx/*.docx) with python-docx.

The generated .docx files are committed so the province can open them in Word and adjust
wording, fonts or borders; rerun this script to regenerate them from code:

    .venv/bin/python scripts/make_docx_templates.py            # all templates
    .venv/bin/python scripts/make_docx_templates.py form.docx  # one

One function per template (``TEMPLATES``). Every length and size comes from
docgen.standard.gbt9704, every font name from docgen.standard.fonts.docx_names, every piece of raw OOXML
from docgen.writers.docx.oxml. The output is byte-reproducible (fixed zip timestamps and core properties).
"""

from __future__ import annotations

import io
import sys
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from docx import Document  # noqa: E402
from docx.enum.style import WD_STYLE_TYPE  # noqa: E402

from docgen.io.reproducible import FIXED_TIME, fixed_zip  # noqa: E402
from docgen.standard import gbt9704 as L  # noqa: E402
from docgen.standard.fonts import docx_names  # noqa: E402
from docgen.writers.docx import oxml  # noqa: E402

OUT_DIR = ROOT / "templates" / "docx"

# Style names and sizes of the form template: the writer looks the styles up by these names.
from docgen.writers.docx.form import (  # noqa: E402
    ATTACHMENT_LABEL,
    CELL_MARGIN_MM,
    FORM_TABLE_CAPTION,
    INFO_LINE,
    INFO_LINE_PT,
    LABEL_PT,
    SUBTITLE_PT,
    TABLE_CELL,
    TABLE_HEADER,
    TABLE_SUBTITLE,
    TABLE_TEXT_PT,
    TABLE_TITLE,
    TAIL,
)

# --------------------------------------------------------------------------- shared helpers
KEEP_STYLES = {
    "Normal",
    "Default Paragraph Font",
    "Normal Table",
    "No List",
    "Table Grid",
    "Header",
    "Header Char",
    "Footer",
    "Footer Char",
}
"""python-docx's default styles that docgen templates keep; the rest (Courier 'macro', headings …)
would only clutter Word's style list."""


def _base_document():
    """A python-docx document with GB/T 9704 defaults: no theme fonts, 仿宋 3号, no spacing."""
    doc = Document()
    pkg = doc.part.package
    for rid, rel in list(pkg.rels.items()):
        if rel.reltype.endswith("/thumbnail"):  # a picture of python-docx's empty default page
            pkg.rels.pop(rid)
    for rid, rel in list(doc.part.rels.items()):
        if rel.reltype.endswith("/stylesWithEffects"):  # Word 2010 leftover (438 kB, theme fonts)
            doc.part.rels.pop(rid)
    styles = doc.styles.element
    for st in styles.findall(oxml.qn("w:style")):
        name = st.find(oxml.qn("w:name"))
        if name is None or name.get(oxml.qn("w:val")) not in {n.lower() for n in KEEP_STYLES} | KEEP_STYLES:
            styles.remove(st)
    oxml.strip_theme_fonts(styles)
    rpr = oxml.doc_defaults_rpr(styles)
    oxml.set_fonts(rpr, docx_names("fangsong"))
    oxml.set_size(rpr, L.BODY_SIZE_PT)
    oxml.set_val(rpr, "lang", "en-US", eastAsia="zh-CN", bidi="ar-SA")
    ppr_default = styles.find(oxml.qn("w:docDefaults")).find(oxml.qn("w:pPrDefault")).find(oxml.qn("w:pPr"))
    oxml.set_spacing(ppr_default, None)
    oxml.cjk_line_rules(ppr_default)
    normal = doc.styles["Normal"].element
    oxml.set_fonts(oxml.style_rpr(normal), docx_names("fangsong"))
    oxml.cjk_line_rules(oxml.style_ppr(normal))
    return doc


def _paragraph_style(
    doc,
    name: str,
    role: str,
    size_pt: float,
    align: str,
    line_pt: float | None,
    exact: bool = True,
    keep_next: bool = False,
    snap: bool = True,
):
    style = doc.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
    style.base_style = doc.styles["Normal"]
    style.quick_style = True
    e = style.element
    ppr = oxml.style_ppr(e)
    if keep_next:
        oxml.keep_next(ppr)
    oxml.cjk_line_rules(ppr)
    oxml.snap_to_grid(ppr, snap)
    oxml.set_spacing(ppr, line_pt, exact=exact)
    oxml.set_jc(ppr, align)
    rpr = oxml.style_rpr(e)
    oxml.set_fonts(rpr, docx_names(role))
    oxml.set_size(rpr, size_pt)
    return style


def _add_paragraph(doc, text: str, style: str, role: str | None = None):
    """A paragraph with one run (docxtpl tags must sit in one run); fonts also on the run."""
    p = doc.add_paragraph(style=style)
    run = p.add_run(text)
    if role:
        oxml.set_fonts(run._r.get_or_add_rPr(), docx_names(role))
    return p


def _cell_text(cell, text: str, style: str, role: str) -> None:
    p = cell.paragraphs[0]
    p.style = cell.part.document.styles[style]
    run = p.add_run(text)
    oxml.set_fonts(run._r.get_or_add_rPr(), docx_names(role))


def _landscape_section(doc) -> None:
    """A4 landscape, margins turned with the sheet, page numbers per clause 8 in odd/even footers."""
    section = doc.sections[0]
    sect = section._sectPr
    oxml.set_landscape_page(sect)
    oxml.set_doc_grid(sect, L.LINE_PITCH_TWIPS, snap=False)
    doc.settings.odd_and_even_pages_header_footer = True
    oxml.set_even_and_odd_headers(doc.settings.element)
    names = docx_names("songti")
    # The anchor paragraphs live in the footers (the page number's home); the text boxes are
    # positioned relative to the page, so the footer distance does not matter.
    oxml.replace_content(section.footer._element, [oxml.landscape_page_number_paragraph(True, names, 1)])
    oxml.replace_content(section.even_page_footer._element, [oxml.landscape_page_number_paragraph(False, names, 2)])
    for hdr in (section.header, section.even_page_header):
        hdr.is_linked_to_previous = False
        oxml.set_spacing(oxml.props(hdr.paragraphs[0]._p), 1, exact=True)


def _save(doc, path: Path, title: str) -> Path:
    cp = doc.core_properties
    cp.title = title
    cp.author = "docgen"
    cp.last_modified_by = "docgen"
    cp.created = cp.modified = FIXED_TIME
    cp.revision = 1
    cp.comments = "Generated by scripts/make_docx_templates.py; may be edited in Word."
    buf = io.BytesIO()
    doc.save(buf)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(fixed_zip(buf.getvalue()))
    return path


# --------------------------------------------------------------------------- templates
def make_form_template(path: Path) -> Path:
    """附件1: the four 需求征集表 on A4 landscape pages, one generic table looped over view.tables.

    Context (docgen.writers.docx.form.write_docx): ``tables`` (TableView), ``attachment_label``,
    ``info_text``. The table's columns come from the view ({%tc%} loops); the writer sets widths,
    merges, header repeat and page breaks after docxtpl has rendered.
    """
    doc = _base_document()
    _paragraph_style(doc, ATTACHMENT_LABEL, "heiti", LABEL_PT, "left", L.LINE_PITCH_PT, keep_next=True)
    _paragraph_style(doc, TABLE_TITLE, "xiaobiaosong", L.TITLE_SIZE_PT, "center", L.LINE_PITCH_PT, keep_next=True)
    _paragraph_style(doc, TABLE_SUBTITLE, "kaiti", SUBTITLE_PT, "center", L.LINE_PITCH_PT, keep_next=True)
    info = _paragraph_style(doc, INFO_LINE, "fangsong", INFO_LINE_PT, "left", L.LINE_PITCH_PT, keep_next=True)
    # right tab at the landscape text width: 填报单位 left, the rest flush right
    tabs = oxml.child(info.element.find(oxml.qn("w:pPr")), "tabs")
    tabs.append(oxml.el("w:tab", {"w:val": "right", "w:pos": L.twips(L.LANDSCAPE_TEXT_WIDTH_MM)}))
    _paragraph_style(doc, TABLE_HEADER, "heiti", TABLE_TEXT_PT, "center", None, snap=False)
    _paragraph_style(doc, TABLE_CELL, "fangsong", TABLE_TEXT_PT, "both", None, snap=False)
    _paragraph_style(doc, TAIL, "fangsong", 1, "left", 1, snap=False)
    _landscape_section(doc)

    _add_paragraph(doc, "{%p for table in tables %}", "Normal")
    _add_paragraph(doc, "{%p if loop.first %}", "Normal")
    _add_paragraph(doc, "{{ attachment_label }}", ATTACHMENT_LABEL, "heiti")
    _add_paragraph(doc, "", ATTACHMENT_LABEL)  # line 2 empty: the title sits on line 3
    _add_paragraph(doc, "{%p endif %}", "Normal")
    _add_paragraph(doc, "{{ table.title }}", TABLE_TITLE, "xiaobiaosong")
    _add_paragraph(doc, "{{ table.subtitle }}", TABLE_SUBTITLE, "kaiti")
    _add_paragraph(doc, "{{ info_text }}", INFO_LINE, "fangsong")  # above every table, as the PDF and XLSX

    table = doc.add_table(rows=4, cols=3)
    table.style = doc.styles["Table Grid"]
    rows = table.rows
    _cell_text(rows[0].cells[0], "{%tc for col in table.columns %}", TABLE_HEADER, "heiti")
    _cell_text(rows[0].cells[1], "{{ col.title }}", TABLE_HEADER, "heiti")
    _cell_text(rows[0].cells[2], "{%tc endfor %}", TABLE_HEADER, "heiti")
    _cell_text(rows[1].cells[0], "{%tr for row in table.rows %}", TABLE_CELL, "fangsong")
    _cell_text(rows[2].cells[0], "{%tc for cell in row.cells %}", TABLE_CELL, "fangsong")
    _cell_text(rows[2].cells[1], "{{ cell.text }}", TABLE_CELL, "fangsong")
    _cell_text(rows[2].cells[2], "{%tc endfor %}", TABLE_CELL, "fangsong")
    _cell_text(rows[3].cells[0], "{%tr endfor %}", TABLE_CELL, "fangsong")
    for r in rows:
        for c in r.cells:
            oxml.set_valign(c._tc, "center")
    oxml.set_table_grid(table._tbl, [L.twips(L.LANDSCAPE_TEXT_WIDTH_MM / 3)] * 3)
    oxml.set_val(oxml.props(table._tbl), "jc", "center")
    oxml.set_cell_margins(table._tbl, CELL_MARGIN_MM, CELL_MARGIN_MM)
    # The writer finds its table by this alt-text title (survives editing in Word).
    oxml.set_val(oxml.props(table._tbl), "tblCaption", FORM_TABLE_CAPTION)

    _add_paragraph(doc, "{%p endfor %}", "Normal")
    # Word wants a paragraph after the last table; a 1 pt one never spills onto a new page.
    doc.add_paragraph(style=TAIL)
    return _save(doc, path, "附件1 需求征集表（docgen 模板）")


def make_notice_template(path: Path) -> Path:
    """The 红头 notice's styles, page setup, grid and odd/even page-number footers.

    Built by docgen.writers.docx.notice.build_template (the notice writer owns its style names).
    """
    from docgen.writers.docx.notice import build_template

    return build_template(path)


TEMPLATES: dict[str, Callable[[Path], Path]] = {
    "form.docx": make_form_template,
    "notice.docx": make_notice_template,
}


def main(argv: list[str] | None = None) -> int:
    names = (argv if argv is not None else sys.argv[1:]) or list(TEMPLATES)
    for name in names:
        if name not in TEMPLATES:
            print(f"unknown template {name!r}; known: {', '.join(TEMPLATES)}", file=sys.stderr)
            return 2
        print(TEMPLATES[name](OUT_DIR / name).relative_to(ROOT))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
