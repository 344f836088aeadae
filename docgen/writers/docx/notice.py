"""The notice as DOCX: styles from templates/docx/notice.docx, content written with python-docx.

``write_docx(view, templates) -> bytes`` with ``view`` the notice's docgen.views.notice.NoticeView
(every position, the attachments, the 版记 rows and the checked seal bytes: the PDF writer reads
the same view); ``build_template(path)`` makes the
template (called by scripts/make_docx_templates.py). Word's terms for GB/T 9704:
  * portrait sections: A4, margins = the 版心 (37/26/35/28 mm), ``w:docGrid linesAndChars``
    with linePitch 579 and the charSpace of 28 characters; every style and run names its font
    on ascii/hAnsi/eastAsia (no theme fonts); ``w:overflowPunct 0`` everywhere;
  * odd/even footers with a PAGE field "— N —" (宋体 4号), odd right / even left, inset 1 字,
    the line's top 7 mm under the 版心; landscape sections (附件1's tables) carry the turned
    numbers of clause 8 (docgen.writers.docx.oxml.landscape_page_number_paragraph);
  * 版头 in the text flow with exact line heights (positions from the view's Layout);
    the 标志 and 字号 lines are HEAD_LINE_EM of their size high, where Word, LibreOffice and CSS
    place the glyphs alike; the red rule is the 字号 paragraph's bottom border, 4 mm under the
    字号's em box (156 mm: the paragraph has no indents; 签发人 uses tab stops);
  * 版记: an in-flow paragraph after the last text reserves the 版记's height and anchors a text
    box placed on the paper with its last rule on the 版心's bottom edge (rules are paragraph
    borders of 1 pt paragraphs, the view's rule rows; 校对 inside, above the 印发 line), so the 版记 shares the last page
    with the text when there is room, as in the PDF (see _Writer.banji for why not in the flow).
Reproducible: fixed zip timestamps and core properties (docgen.io.reproducible.fixed_zip).
"""

from __future__ import annotations

import datetime as dt
import io
import math
from pathlib import Path

from docx import Document
from docx.enum.section import WD_SECTION
from docx.enum.style import WD_STYLE_TYPE

from docgen.io.reproducible import FIXED_TIME, fixed_zip
from docgen.models.notice import Heading, Paragraph
from docgen.standard import gbt9704 as L
from docgen.standard.fonts import docx_names
from docgen.views.notice import SEAL_DIAMETER_MM, NoteSegment, NoticeView
from docgen.writers.docx import oxml
from docgen.writers.docx import oxml_notice as ox
from docgen.writers.docx.table import PDF_BLANK_ROW_PT, add_table

TEMPLATE = Path("docx") / "notice.docx"
TABLE_TEXT_PT = L.TABLE_TEXT_PT
"""Table text 五号 (as the shared PDF tables; GB/T 9704 fixes no table size)."""
BANJI_SLACK_PT = 12.0
"""Empty room at the top of the 版记's text box (its text is set at the box's bottom)."""
BANJI_ROOM_SLACK_PT = 2.0
"""Room reserved in the flow above the 版记 beyond its computed height (rounding of rule widths)."""
BANJI_STYLE_ID = "NoticeBanji"
HEAD_LINE_EM = 1.27
"""Exact line height of the 标志 and 字号 lines in em of their size.

Readers place a glyph differently inside an exact line: CSS (and the notice view's Layout) centres
the em box (baseline h/2 + 0.38 em with a 0.88 em ascender), LibreOffice puts the baseline at 80 %
of the line height (measured), Word is understood to keep the font's descent (≈ 0.25 em) at the
line's bottom and clip at the top (not verified: no Word here). At h = 1.27 em the baselines agree
within 0.02 em (1.015, 1.016, ≈ 1.02 em), so the 标志's top and the red rule's 4 mm hardly depend on
the reader; on the 28.95 pt grid line (1.8 em) CSS and LibreOffice were 1.1 mm apart."""
TABLE_LINE_PT = TABLE_TEXT_PT * L.TABLE_LINE_HEIGHT
"""Table line height, as the PDF's (docgen.writers.pdf.engine.template_context: 1.35 em)."""
CHAR_SPACING_TWIPS = -6
"""Run character spacing of 3号 text (−0.3 pt): 28 characters take 439.6 pt of the 442.2 pt 版心
(29 would take 455 pt). At −0.25 pt (441 pt) LibreOffice set only 27: it rounds each advance to
its device grid (15.70–15.82 pt), and 28 of those can exceed the 版心 by a fraction of a point.

The section's ``w:docGrid linesAndChars`` carries the 28-character pitch (charSpace) for Word,
but paragraphs do not snap to it (``w:snapToGrid 0``): LibreOffice gives every 16 pt character
TWO cells of a 15.79 pt character grid (half-empty lines); with explicit spacing and exact line
heights Word and LibreOffice both set 28 characters and 22 lines."""

# style name → (kind, role, size pt, alignment, exact line pt or None, keep with next)
LINE = L.LINE_PITCH_PT
STYLES: dict[str, tuple] = {
    "Notice Body": ("p", "fangsong", L.BODY_SIZE_PT, "both", LINE, False),
    "Notice Plain": ("p", "fangsong", L.BODY_SIZE_PT, "left", LINE, False),
    "Notice Mark": ("p", "heiti", L.BODY_SIZE_PT, "left", LINE, False),
    "Notice Logo": ("p", "xiaobiaosong", 36, "center", 36, True),
    "Notice DocNo": ("p", "fangsong", L.DOC_NUMBER_SIZE_PT, "center", LINE, True),
    "Notice Title": ("p", "xiaobiaosong", L.TITLE_SIZE_PT, "center", LINE, True),
    "Notice Heading 1": ("p", "heiti", L.BODY_SIZE_PT, "both", LINE, True),
    "Notice Heading 2": ("p", "kaiti", L.BODY_SIZE_PT, "both", LINE, True),
    "Notice Heading 3": ("p", "fangsong", L.BODY_SIZE_PT, "both", LINE, True),
    "Notice Heading 4": ("p", "fangsong", L.BODY_SIZE_PT, "both", LINE, True),
    "Notice Signature": ("p", "fangsong", L.BODY_SIZE_PT, "right", LINE, True),
    "Notice Attachment Label": ("p", "heiti", L.BODY_SIZE_PT, "left", LINE, True),
    "Notice Attachment Title": ("p", "xiaobiaosong", L.TITLE_SIZE_PT, "center", LINE, True),
    "Notice Table Subtitle": ("p", "kaiti", L.BODY_SIZE_PT, "center", LINE, True),
    "Notice Table Header": ("p", "heiti", TABLE_TEXT_PT, "center", None, False),
    "Notice Table Cell": ("p", "fangsong", TABLE_TEXT_PT, "left", None, False),
    "Notice Banji": ("p", "fangsong", L.BANJI_SIZE_PT, "left", LINE, False),
    "Notice Lead 1": ("c", "heiti", None, None, None, False),
    "Notice Lead 2": ("c", "kaiti", None, None, None, False),
    "Notice Lead 3": ("c", "fangsong", None, None, None, False),
    "Notice Lead 4": ("c", "fangsong", None, None, None, False),
    "Notice Signer": ("c", "kaiti", None, None, None, False),
    "Notice Page Number": ("c", "songti", L.PAGE_NUMBER_SIZE_PT, None, None, False),
}


# --------------------------------------------------------------------------- template
def _portrait_footers(doc, section) -> None:
    """Odd footer: "— N —" right, 1 字 in; even footer: left, 1 字 in; line top 7 mm under the 版心."""
    names = docx_names("songti")
    inset = L.PAGE_NUMBER_INSET_PT
    for footer, align in ((section.footer, "right"), (section.even_page_footer, "left")):
        footer.is_linked_to_previous = False
        p = oxml.el("w:p")
        ppr = oxml.props(p)
        oxml.snap_to_grid(ppr, False)
        ox.spacing(ppr, line_pt=L.PAGE_NUMBER_SIZE_PT)
        ox.indent(ppr, right_pt=inset if align == "right" else 0, left_pt=inset if align == "left" else 0)
        oxml.set_jc(ppr, align)
        for r in oxml.page_field_runs(oxml.page_number_rpr(names)):
            p.append(r)
        oxml.replace_content(footer._element, [p])
    for header in (section.header, section.even_page_header):
        header.is_linked_to_previous = False


def _landscape_footers(section, first_id: int) -> None:
    names = docx_names("songti")
    section.footer.is_linked_to_previous = False
    section.even_page_footer.is_linked_to_previous = False
    oxml.replace_content(section.footer._element, [oxml.landscape_page_number_paragraph(True, names, first_id)])
    oxml.replace_content(
        section.even_page_footer._element, [oxml.landscape_page_number_paragraph(False, names, first_id + 1)]
    )


def _portrait_page(section) -> None:
    sect = section._sectPr
    oxml.set_page(
        sect,
        L.PAGE_WIDTH_MM,
        L.PAGE_HEIGHT_MM,
        L.MARGIN_TOP_MM,
        L.MARGIN_RIGHT_MM,
        L.MARGIN_BOTTOM_MM,
        L.MARGIN_LEFT_MM,
        header_mm=15,
        footer_mm=L.PAGE_NUMBER_TOP_FROM_PAGE_BOTTOM_MM - L.pt_to_mm(L.PAGE_NUMBER_SIZE_PT),
    )
    oxml.set_doc_grid(sect, L.LINE_PITCH_TWIPS, char_space=L.DOCX_CHAR_SPACE)


def build_template(path: Path) -> Path:
    """templates/docx/notice.docx: styles, page setup, grid and page-number footers."""
    doc = Document()
    styles = doc.styles.element
    oxml.strip_theme_fonts(styles)
    rpr = oxml.doc_defaults_rpr(styles)
    oxml.set_fonts(rpr, docx_names("fangsong"))
    oxml.set_size(rpr, L.BODY_SIZE_PT)
    oxml.set_val(rpr, "lang", "en-US", eastAsia="zh-CN", bidi="ar-SA")
    dd = styles.find(oxml.qn("w:docDefaults"))
    pprd = oxml.child(dd, "pPrDefault")
    ppr_default = oxml.child(pprd, "pPr")
    oxml.set_spacing(ppr_default, None)
    oxml.cjk_line_rules(ppr_default)
    oxml.widow_control_off(ppr_default)
    normal = doc.styles["Normal"].element
    oxml.set_fonts(oxml.style_rpr(normal), docx_names("fangsong"))
    oxml.set_size(oxml.style_rpr(normal), L.BODY_SIZE_PT)
    oxml.cjk_line_rules(oxml.style_ppr(normal))
    oxml.set_jc(oxml.style_ppr(normal), "both")
    for name, (kind, role, size, align, line, keep) in STYLES.items():
        style = doc.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH if kind == "p" else WD_STYLE_TYPE.CHARACTER)
        style.quick_style = True
        e = style.element
        if kind == "p":
            style.base_style = doc.styles["Normal"]
            ppr = oxml.style_ppr(e)
            if keep:
                oxml.keep_next(ppr)
            oxml.cjk_line_rules(ppr)
            oxml.snap_to_grid(ppr, False)
            ox.spacing(ppr, line_pt=line)
            oxml.set_jc(ppr, align)
        r = oxml.style_rpr(e)
        oxml.set_fonts(r, docx_names(role))
        if size:
            oxml.set_size(r, size)
        if kind == "p" and size == L.BODY_SIZE_PT:
            oxml.set_val(r, "spacing", CHAR_SPACING_TWIPS)
    logo = doc.styles["Notice Logo"].element
    oxml.set_val(oxml.style_rpr(logo), "color", L.RED_HEX)
    for name in ("Notice Table Header", "Notice Table Cell"):
        # as the shared PDF tables (docgen.writers.pdf.engine): 五号, line height 1.35 em
        oxml.set_spacing(oxml.style_ppr(doc.styles[name].element), TABLE_LINE_PT, exact=True)
    doc.settings.odd_and_even_pages_header_footer = True
    oxml.set_even_and_odd_headers(doc.settings.element)
    section = doc.sections[0]
    _portrait_page(section)
    _portrait_footers(doc, section)
    data = _save(doc, "红头公文（docgen 模板）", "docgen", FIXED_TIME)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def _save(doc, title: str, author: str, when: dt.datetime) -> bytes:
    cp = doc.core_properties
    cp.title, cp.author, cp.last_modified_by = title, author, "docgen"
    cp.created = cp.modified = when
    cp.revision = 1
    cp.comments = "docgen"
    buf = io.BytesIO()
    doc.save(buf)
    return fixed_zip(buf.getvalue())


# --------------------------------------------------------------------------- content
class _Writer:
    def __init__(self, doc, view: NoticeView):
        self.doc, self.view, self.n = doc, view, view.notice
        self.lay = view.layout
        self.body = doc.element.body
        self.shape_id = 100
        self.pitch = L.CHAR_PITCH_PT

    # -- paragraphs
    def para(self, style: str, text: str = "", role: str | None = None):
        p = self.doc.add_paragraph(style=style)
        if text:
            self.run(p, text, role or STYLES[style][1])
        return p

    def run(
        self,
        p,
        text: str,
        role: str,
        char_style: str | None = None,
        size: float | None = None,
        color: str | None = None,
    ):
        r = p.add_run(text, style=char_style)
        rpr = r._r.get_or_add_rPr()
        oxml.set_fonts(rpr, docx_names(role))
        if size:
            oxml.set_size(rpr, size)
        if color:
            oxml.set_val(rpr, "color", color)
        return r

    def ppr(self, p):
        return oxml.props(p._p)

    # -- 版头
    def head(self) -> None:
        n, lay = self.n, self.lay
        used = 0.0
        for key, value in (("copy", n.copy_number), ("secret", n.secret), ("urgency", n.urgency)):
            if value:
                p = self.para("Notice Mark", value, "fangsong" if key == "copy" else "heiti")
                used += LINE
        # 标志 and 字号 on lines HEAD_LINE_EM of their size: there readers agree on the baseline
        # (see HEAD_LINE_EM); the em boxes sit where the view's Layout puts them (CSS model)
        s = lay.logo_size
        logo_h = HEAD_LINE_EM * s
        logo_em_top = L.mm_to_pt(L.LOGO_TOP_BELOW_TEXT_TOP_MM)
        logo_para_top = logo_em_top - (logo_h - s) / 2
        p = self.para("Notice Logo")
        self.run(p, n.logo, "xiaobiaosong", size=s, color=L.RED_HEX)
        ox.spacing(self.ppr(p), before_pt=max(0.0, logo_para_top - used), line_pt=logo_h)
        d = L.DOC_NUMBER_SIZE_PT
        em_bottom = lay.rule_top - L.mm_to_pt(L.RED_RULE_BELOW_DOC_NUMBER_MM)
        gap = lay.rule_top - em_bottom  # the 4 mm, as line room under the em box + border space
        space = math.floor(gap - (HEAD_LINE_EM - 1) * d / 2)  # w:space is whole points
        docno_h = d + 2 * (gap - space)
        docno_para_top = em_bottom - d - (docno_h - d) / 2
        p = self.para("Notice DocNo")
        ppr = self.ppr(p)
        ox.spacing(ppr, before_pt=docno_para_top - (max(used, logo_para_top) + logo_h), line_pt=docno_h)
        if n.signers:
            # no indents: the paragraph's bottom border (the red rule) spans the whole 版心;
            # the 字号 starts at a left tab 1 字 in, 签发人 ends at a right tab 1 字 from the right
            oxml.set_jc(ppr, "left")
            ox.tab_stop(ppr, lay.signer_indent, "left")
            ox.tab_stop(ppr, L.TEXT_WIDTH_PT - lay.signer_indent, "right")
            self.run(p, "\t" + n.number + "\t签发人：", "fangsong")
            self.run(p, "　".join(n.signers), "kaiti", char_style="Notice Signer")
        else:
            self.run(p, n.number, "fangsong")
        ox.border(ppr, "bottom", L.RED_RULE_THICKNESS_MM, L.RED_HEX, space_pt=space)
        # 标题: two blank lines under the red rule, lines as the data breaks them
        p = self.para("Notice Title")
        ox.spacing(self.ppr(p), before_pt=lay.title_gap, line_pt=LINE)
        for i, line in enumerate(n.title):
            r = self.run(p, line, "xiaobiaosong")
            if i < len(n.title) - 1:
                r.add_break()
        p = self.para("Notice Plain", n.addressee)
        ox.spacing(self.ppr(p), before_pt=lay.addressee_gap, line_pt=LINE)

    # -- body
    def items(self, items) -> None:
        for item in items:
            if isinstance(item, Heading):
                p = self.para(f"Notice Heading {item.level}", item.heading, item.role)
                ox.indent(self.ppr(p), first_pt=L.BODY_INDENT_ZI * self.pitch, first_chars=L.BODY_INDENT_ZI * 100)
            else:
                assert isinstance(item, Paragraph)
                p = self.para("Notice Body")
                ox.indent(self.ppr(p), first_pt=L.BODY_INDENT_ZI * self.pitch, first_chars=L.BODY_INDENT_ZI * 100)
                if item.lead:
                    r = self.run(p, item.lead, item.lead_role, char_style=f"Notice Lead {item.level}")
                    if item.strong:
                        r.bold = True
                if item.text:
                    self.run(p, item.text, "fangsong")

    def attachment_note(self) -> None:
        n, lay = self.n, self.lay
        if not n.attachments:
            return
        many = len(n.attachments) > 1
        for i, a in enumerate(n.attachments):
            p = self.para("Notice Body")
            ppr = self.ppr(p)
            if i == 0:
                ox.spacing(ppr, before_pt=LINE, line_pt=LINE)
            hang = lay.att_first if i == 0 else lay.att_num
            ox.indent(ppr, left_pt=lay.att_note_left, hanging_pt=hang) if hang else ox.indent(
                ppr, left_pt=lay.att_note_left
            )
            text = ("附件：" if i == 0 else "") + (f"{i + 1}.\t" if many else "") + a.name
            oxml.keep_next(ppr)  # 7.3.5.5: the signature never on a page without text
            self.run(p, text, "fangsong")

    def signature(self) -> None:
        n, lay = self.n, self.lay
        gap_lines = round(lay.sign_gap / LINE)
        oxml.keep_next(self.ppr(self.doc.paragraphs[-1]))  # 7.3.5.5: the signature never alone on a page
        for _ in range(gap_lines):
            self.para("Notice Signature")
        p = self.para("Notice Signature", n.signature)
        ox.indent(self.ppr(p), right_pt=lay.sig_right)
        if self.view.seal is not None:
            self.seal(p)
        d = self.para("Notice Signature", n.date_text)
        ox.indent(self.ppr(d), right_pt=lay.date_right)
        if not self.view.note:  # 7.3.6: with a 附注 the date keeps with it (style: keep with next)
            oxml.child(self.ppr(d), "keepNext", create=False) is not None and self.ppr(d).remove(
                self.ppr(d).find(oxml.qn("w:keepNext"))
            )
        if self.view.note:
            p = self.para("Notice Body")
            oxml.set_val(self.ppr(p), "keepLines")  # the 附注 whole on one page
            oxml.set_jc(self.ppr(p), "left")  # kept words make short lines: never stretch them
            ox.indent(self.ppr(p), first_pt=L.BODY_INDENT_ZI * self.pitch, first_chars=L.BODY_INDENT_ZI * 100)
            self.note_runs(p, self.view.note)

    def note_runs(self, p, segments: tuple[NoteSegment, ...]) -> None:
        """The 附注's text; a kept segment (a name) has WORD JOINERs between its characters so
        that Word and LibreOffice never break inside it (UAX #14 class WJ)."""
        text = "".join("\u2060".join(seg.text) if seg.keep else seg.text for seg in segments)
        self.run(p, text, "fangsong")

    def seal(self, p) -> None:
        seal = self.view.seal
        assert seal is not None
        r_id, _ = p.part.get_or_add_image(io.BytesIO(seal.data))  # the bytes validate checked
        lay = self.lay
        # the view's position, from the signature paragraph's top; x: centred on the date
        y_mm = L.pt_to_mm(lay.seal_top)
        x_mm = L.pt_to_mm(lay.seal_left)
        self.shape_id += 1
        run = p.add_run()
        run._r.append(ox.floating_picture(r_id, self.shape_id, "Seal", SEAL_DIAMETER_MM, x_mm, y_mm))

    # -- attachments
    def new_section(self, landscape: bool):
        section = self.doc.add_section(WD_SECTION.NEW_PAGE)
        # the paragraph that now ends the previous section: empty, and never a page of its own
        ended = self.body.findall(oxml.qn("w:p"))[-1]
        oxml.hairline(oxml.props(ended))
        sect = section._sectPr
        if landscape:
            oxml.set_landscape_page(sect)
            oxml.set_doc_grid(sect, L.LINE_PITCH_TWIPS, snap=False)
            self.shape_id += 2
            _landscape_footers(section, self.shape_id)
        else:
            _portrait_page(section)
            _portrait_footers(self.doc, section)
        return section

    def attachments(self) -> None:
        landscape = False
        for a in self.view.attachments:
            if a.landscape != landscape:
                self.new_section(a.landscape)
                landscape = a.landscape
                first_break = False
            else:
                first_break = True
            p = self.para("Notice Attachment Label", a.label, "heiti")
            if first_break:
                oxml.page_break_before(self.ppr(p))
            self.para("Notice Attachment Label")  # line 2 empty: the title sits on line 3
            if a.kind == "tables":
                self.tables(a.form)
                continue
            p = self.para("Notice Attachment Title")
            for k, line in enumerate(a.title):  # the view's lines: never "…填写说 / 明"
                r = self.run(p, line, "xiaobiaosong")
                if k < len(a.title) - 1:
                    r.add_break()
            self.para("Notice Body")
            self.items(a.body)
        if landscape:
            self.new_section(False)

    def tables(self, view) -> None:
        for k, tv in enumerate(view.tables):
            p = self.para("Notice Attachment Title", tv.title, "xiaobiaosong")
            if k:
                oxml.page_break_before(self.ppr(p))
            if tv.subtitle:
                self.para("Notice Table Subtitle", tv.subtitle, "kaiti")
            self.table(tv)

    def table(self, tv) -> None:
        tbl = add_table(self.doc, tv, "Notice Table Header", "Notice Table Cell", self.run, PDF_BLANK_ROW_PT)._tbl
        oxml.set_val(oxml.props(tbl), "tblCaption", "docgen:notice-form-table")
        # no empty paragraph after it: the next table's title (a page break before it) or the section
        # break follows; an empty line there began a blank page whenever the table filled its page

    # -- 版记
    def banji(self) -> None:
        """The 版记 at the foot of the last page: an in-flow paragraph reserves its room right after
        the last text (so the 版记 never covers text, and moves to a page of its own only when the
        last page has no room left), and carries the 版记 in a text box placed on the paper so
        that its last rule lies on the 版心's bottom edge (校对, if any, inside the 版记).

        As the PDF (an in-flow spacer holding an absolutely placed block). In-flow text reaches
        the page's foot only after a spacer as high as the room left under the last line, which
        depends on each reader's line breaking, widow control and fonts (LibreOffice ignores a
        section's w:vAlign, the former way); so the 版记 itself is not in the flow. The text box
        is anchored in a paragraph, never a floating table placed last (pitfalls.md: LibreOffice
        7.4 dropped those); tests/notice/test_notice_docx.py checks LibreOffice's rendering."""
        banji = self.view.banji
        indent = L.BANJI_INDENT_PT
        big = docx_names("fangsong")
        paras = []
        for row in banji.rows:
            if row.kind == "rule":
                # an empty paragraph of the row's room with a bottom border and no indent: a border
                # follows its paragraph's indents, and the 版记 rules span the whole 版心 (156 mm)
                paras.append(self.rule(row.space_pt, row.rule_mm))
                continue
            if row.kind == "printer":
                p = ox.paragraph(BANJI_STYLE_ID, [(f"{row.text}\t{row.right}", big)])
                ppr = oxml.props(p)
                ox.indent(ppr, left_pt=indent, right_pt=indent)
                ox.tab_stop(ppr, L.TEXT_WIDTH_PT - indent, "right")  # tab stops count from the margin
            elif row.kind == "cc":
                p = ox.paragraph(BANJI_STYLE_ID, [(row.text, big)])
                ox.indent(oxml.props(p), left_pt=banji.cc_hang_pt, right_pt=indent, hanging_pt=banji.cc_label_pt)
            else:
                p = ox.paragraph(BANJI_STYLE_ID, [(row.text, big)])
                ox.indent(oxml.props(p), left_pt=indent)
            paras.append(p)
        above = banji.height_pt  # from the first row to the last rule's bottom edge
        box_h = above + BANJI_SLACK_PT
        text_bottom = L.mm_to_pt(L.MARGIN_TOP_MM) + L.TEXT_HEIGHT_PT
        self.shape_id += 1
        box = ox.floating_text_box(
            paras,
            self.shape_id,
            "Banji",
            L.pt_to_mm(text_bottom - box_h),
            L.TEXT_WIDTH_MM,
            L.pt_to_mm(box_h),
            descr="版记",
        )
        spacer = self.para("Notice Banji")
        ox.spacing(self.ppr(spacer), line_pt=above + BANJI_ROOM_SLACK_PT)
        run = spacer.add_run()
        run._r.append(box)

    def rule(self, space_pt: float, width_mm: float):
        p = ox.paragraph(BANJI_STYLE_ID)
        ppr = oxml.props(p)
        ox.spacing(ppr, line_pt=space_pt)
        ox.border(ppr, "bottom", width_mm, L.BLACK_HEX)
        return p

    def finish(self) -> None:
        # remove the template's empty first paragraph, if any, and strip stray theme fonts
        oxml.strip_theme_fonts(self.body)


def write_docx(view: NoticeView, templates: Path) -> bytes:
    """The notice as DOCX bytes (deterministic)."""
    notice = view.notice
    doc = Document(str(Path(templates) / TEMPLATE))
    body = doc.element.body
    for e in list(body):
        if e.tag != oxml.qn("w:sectPr"):
            body.remove(e)
    w = _Writer(doc, view)
    w.head()
    w.items(notice.body)
    w.attachment_note()
    w.signature()
    w.attachments()
    w.banji()
    w.finish()
    when = dt.datetime(notice.date.year, notice.date.month, notice.date.day, tzinfo=dt.UTC)
    return _save(doc, notice.title_text, notice.issuer, when)
