"""The notice as PDF: templates/html/notice.html.j2 through the shared engine (docgen.writers.pdf.engine).

``write_pdf(notice, base_dir, templates, source_text=None, source_name="", require_official_fonts=False) -> bytes``

Every position comes from docgen.standard.gbt9704 (``Layout``); the 版头 is laid out with
absolute positions inside a block of known height so that the 标志's em-box top sits exactly
35 mm below the 版心's top, the 字号 two lines under it and the red rule 4 mm under the 字号.
The body runs on the 22 × 28 grid (line pitch 28.95 pt, letter-spacing for 28 characters).
附件1's tables come from the published form (view.blank_view) through the shared
``_tables.html.j2`` macro on landscape pages; label repeats of merged cells at page tops are
settled by extra layout passes (docgen.writers.pdf.packet.settle, shared with the packet).

版记: an in-flow spacer of the 版记's height (so it never overlaps text) holding the 版记
absolutely placed at the bottom of the page's content box: its last rule lies on the 版心's
bottom edge of the last page. When the last attachment is landscape the 版记 gets a portrait
page of its own. Page numbers ("— N —", 宋体 4号, odd right / even left, turned on landscape
pages) are stamped by docgen.writers.pdf.pagenum on every page: docgen never inserts a blank page
before the 版记, so the rule "a blank page before the 版记 page and that 版记 page carry no
number" never applies; the 版记 page is numbered like the others.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from pathlib import Path

from docgen.models.form import load_form
from docgen.models.notice import Notice, Paragraph
from docgen.standard import fonts
from docgen.standard import gbt9704 as L
from docgen.standard.metrics import text_width_zi
from docgen.views.form import blank_view
from docgen.writers.pdf import engine, pagenum

TEMPLATE = "html/notice.html.j2"

LOGO_MAX_SIZE_PT = L.SIZE_PT["初号"]
"""Largest 标志 size docgen picks by itself (a YAML ``logo_size_pt`` may ask for another)."""
LOGO_FILL = 0.96
"""The 标志 fills at most this share of the 版心's width (never wider than the 版心)."""
GRID_SLACK_PT = 0.01
"""Letter-spacing is CHAR_SPACING_PT minus this: 28 characters then need 0.28 pt less than the
版心's width, so rounding inside the layout engine never pushes the 28th character to the next line."""
SEAL_DIAMETER_MM = 42.0
"""Seal image size: the common 42 mm round seal of a provincial agency."""
SEAL_TOP_BELOW_TEXT_LINES = 0.5
"""Seal's top edge half a line below the text above (the standard: within one line)."""


def em_metrics(role: str) -> tuple[float, float]:
    """(em-box top above the baseline, baseline below the line-box top at line-height 1), in em."""
    return fonts.em_box(role)


def baseline_in_line(role: str, size_pt: float, line_pt: float) -> float:
    """Baseline below the top of a line box of height line_pt (text of size_pt in role's face)."""
    from fontTools.ttLib import TTFont

    face = fonts.resolve(role)
    font = TTFont(fonts.face_file(face), lazy=True)
    upem = font["head"].unitsPerEm
    ascent, descent = font["hhea"].ascent / upem, -font["hhea"].descent / upem
    return (line_pt - (ascent + descent) * size_pt) / 2 + ascent * size_pt


def logo_size_pt(notice: Notice) -> float:
    """The 标志's size: the data's, else as large as fits LOGO_FILL of the 版心 (≤ 初号)."""
    if notice.logo_size_pt:
        return notice.logo_size_pt
    fit = L.TEXT_WIDTH_PT * LOGO_FILL / max(text_width_zi(notice.logo), 1)
    return min(LOGO_MAX_SIZE_PT, int(fit * 2) / 2)


@dataclass
class Layout:
    """Every position the template needs, in points (from the 版心's top for the 版头)."""

    line: float = L.LINE_PITCH_PT
    pitch: float = L.CHAR_PITCH_PT
    letter_spacing: float = L.CHAR_SPACING_PT - GRID_SLACK_PT
    indent: float = 0.0
    mark_top: dict[str, float] = field(default_factory=dict)
    logo_size: float = 0.0
    logo_top: float = 0.0
    docno_top: float = 0.0
    signer_indent: float = 0.0
    rule_top: float = 0.0
    head_height: float = 0.0
    title_gap: float = 0.0
    addressee_gap: float = 0.0
    att_items: list[dict] = field(default_factory=list)
    att_note_left: float = 0.0
    att_label: float = 0.0
    att_num: float = 0.0
    att_first: float = 0.0
    sign_gap: float = 0.0
    sig_right: float = 0.0
    date_right: float = 0.0
    seal_size: float = 0.0
    seal_top: float = 0.0
    seal_left: float = 0.0
    banji_line: float = L.LINE_PITCH_PT
    banji_gap: float = 0.0
    banji_height: float = 0.0
    cc_hang: float = 0.0
    cc_hang_label: float = 0.0
    proof_gap: float = 0.0


def signature_offsets(notice: Notice) -> tuple[float, float]:
    """(signature, date) distances from the 版心's right edge in 字 (spec: 发文机关署名 + 成文日期)."""
    ws, wd = text_width_zi(notice.signature), text_width_zi(notice.date_text)
    if notice.is_sealed:
        date_right: float = L.DATE_RIGHT_INDENT_ZI_SEALED
        return max(0.0, date_right + (wd - ws) / 2), date_right  # signature centred over the date
    sig_right: float = L.SIGNATURE_RIGHT_INDENT_ZI_UNSEALED
    date_right = sig_right + ws - L.DATE_OFFSET_ZI_UNSEALED - wd
    if date_right < L.SIGNATURE_RIGHT_INDENT_ZI_UNSEALED:  # the date is the longer line
        date_right = L.SIGNATURE_RIGHT_INDENT_ZI_UNSEALED
        sig_right = date_right + wd + L.DATE_OFFSET_ZI_UNSEALED - ws
    return sig_right, date_right


def compute_layout(notice: Notice) -> Layout:
    lay = Layout()
    p, line = L.CHAR_PITCH_PT, L.LINE_PITCH_PT
    lay.indent = L.BODY_INDENT_ZI * p
    # 版头: 份号, 密级, 紧急程度 on lines 1, 2, 3 (only those given, in that order)
    row = 0
    for key, value in (("copy", notice.copy_number), ("secret", notice.secret), ("urgency", notice.urgency)):
        if value:
            lay.mark_top[key] = row * line
            row += 1
    size = lay.logo_size = logo_size_pt(notice)
    em_top, base = em_metrics("xiaobiaosong")
    logo_em_top = L.mm_to_pt(L.LOGO_TOP_BELOW_TEXT_TOP_MM)
    lay.logo_top = logo_em_top - (base - em_top) * size
    logo_em_bottom = logo_em_top + size
    # 发文字号: two blank lines under the 标志 → its line box starts two lines below the em box
    lay.docno_top = logo_em_bottom + L.DOC_NUMBER_GAP_LINES * line
    fs_em_top, _ = em_metrics("fangsong")
    baseline = lay.docno_top + baseline_in_line("fangsong", L.DOC_NUMBER_SIZE_PT, line)
    docno_em_bottom = baseline + (1 - fs_em_top) * L.DOC_NUMBER_SIZE_PT
    lay.signer_indent = L.SIGNER_INDENT_ZI * p
    lay.rule_top = docno_em_bottom + L.mm_to_pt(L.RED_RULE_BELOW_DOC_NUMBER_MM)
    lay.head_height = lay.rule_top + L.mm_to_pt(L.RED_RULE_THICKNESS_MM)
    lay.title_gap = L.TITLE_GAP_LINES * line
    lay.addressee_gap = L.ADDRESSEE_GAP_LINES * line

    # 附件说明: "附件：" 2 字 in; items numbered "1." in a box of 1 字; wraps under the names
    many = len(notice.attachments) > 1
    lay.att_label = 3 * p
    lay.att_num = p if many else 0.0
    lay.att_note_left = lay.indent + lay.att_label + lay.att_num
    lay.att_first = lay.att_label + lay.att_num
    lay.att_items = [{"num": f"{i + 1}." if many else "", "name": a.name} for i, a in enumerate(notice.attachments)]

    # 署名 and 成文日期
    sig, date = signature_offsets(notice)
    lay.sig_right, lay.date_right = sig * p, date * p
    lay.sign_gap = (2 if notice.is_sealed else 1) * line
    lay.seal_size = L.mm_to_pt(SEAL_DIAMETER_MM)
    # seal: centred on the date; top half a line below the text above the block
    date_centre_from_right = (date + text_width_zi(notice.date_text) / 2) * p
    lay.seal_left = L.TEXT_WIDTH_PT - date_centre_from_right - lay.seal_size / 2
    lay.seal_top = -lay.sign_gap + SEAL_TOP_BELOW_TEXT_LINES * line

    # 版记
    bl = lay.banji_line
    lay.banji_gap = 0.0
    lay.cc_hang_label = text_width_zi("抄送：") * L.BANJI_SIZE_PT
    lay.cc_hang = L.BANJI_INDENT_PT + lay.cc_hang_label
    thick, thin = L.mm_to_pt(L.BANJI_RULE_THICK_MM), L.mm_to_pt(L.BANJI_RULE_THIN_MM)
    cc_lines = _cc_lines(notice)
    h = (bl + lay.banji_gap if notice.publicity else 0) + thick + bl + thick
    if notice.cc:
        h += cc_lines * bl + thin
    lay.banji_height = h
    lay.proof_gap = 0.0
    return lay


def _cc_lines(notice: Notice) -> int:
    if not notice.cc:
        return 0
    room = (L.TEXT_WIDTH_PT - 2 * L.BANJI_INDENT_PT) / L.BANJI_SIZE_PT - 3  # 字 after "抄送："
    width = text_width_zi(notice.cc_text) - 3
    lines = 1
    while width > room * lines:
        lines += 1
    return lines


def instructions_body(year: int) -> tuple[str, list[Paragraph]]:
    """附件2 from the published form: its title and the 填写说明 items as run-in paragraphs."""
    form = load_form(year)
    return form.instructions_title, [
        Paragraph(lead=f"{i.number}.{i.title}。", text=i.text, level=3) for i in form.instructions
    ]


def attachments_context(notice: Notice) -> list[dict]:
    out = []
    for i, a in enumerate(notice.attachments):
        label = notice.attachment_label(i)
        if a.form_tables is not None:
            view = blank_view(load_form(a.form_tables))
            out.append(
                {
                    "label": label,
                    "title": a.title or view.title,
                    "kind": "tables",
                    "view": view,
                    "landscape": a.is_landscape,
                    "body": [],
                }
            )
        elif a.form_instructions is not None:
            title, body = instructions_body(a.form_instructions)
            out.append(
                {
                    "label": label,
                    "title": a.title or title,
                    "kind": "instructions",
                    "body": body,
                    "landscape": a.is_landscape,
                    "view": None,
                }
            )
        else:
            out.append(
                {
                    "label": label,
                    "title": a.title or a.name,
                    "kind": "body",
                    "body": a.body,
                    "landscape": a.is_landscape,
                    "view": None,
                }
            )
    return out


def seal_data_url(notice: Notice, base_dir: Path) -> str:
    if not notice.seal:
        return ""
    path = (base_dir / notice.seal).resolve()
    mime = "image/png" if path.suffix.lower() == ".png" else "image/jpeg"
    return f"data:{mime};base64,{base64.b64encode(path.read_bytes()).decode('ascii')}"


def notice_html(
    notice: Notice, base_dir: Path, templates: Path, splits: dict | None = None, require_official_fonts: bool = False
) -> str:
    env = engine.jinja_env(templates)
    ctx = engine.template_context(require_official_fonts)
    return env.get_template(TEMPLATE).render(
        n=notice,
        lay=compute_layout(notice),
        atts=attachments_context(notice),
        splits=splits or {},
        seal_url=seal_data_url(notice, base_dir),
        **ctx,
    )


def layout(notice: Notice, base_dir: Path, templates: Path, require_official_fonts: bool = False):
    """Lay the notice out until repeated table labels sit exactly at page tops: (document, splits).

    The table attachment (附件1) is settled by the packet's own mechanism (pdf_packet.settle), so a
    merged label or a row taller than a page is handled the same way in both documents.
    """
    from docgen.writers.pdf.packet import settle

    def render(splits: dict[int, dict[str, set[str]]]):
        return engine.render_html(
            notice_html(notice, base_dir, templates, splits, require_official_fonts),
            base_url=templates,
            element_ids="data-row",
        )

    table_atts = [(i, a) for i, a in enumerate(attachments_context(notice)) if a["kind"] == "tables"]
    if not table_atts:
        return render({}), {}
    # one table attachment is expected (附件1); several would share the table ids, so settle the first
    ai, att = table_atts[0]
    doc, splits, _ = settle(lambda s: render({ai: s}), att["view"])
    return doc, {ai: splits}


def metadata(notice: Notice, source_name: str = "") -> engine.PdfMetadata:
    props = {"documentNumber": notice.number, "issuer": notice.issuer, "year": str(notice.year)}
    if source_name:
        props["sourceFile"] = source_name
    return engine.PdfMetadata(
        title=notice.title_text,
        author=notice.issuer,
        subject=f"{notice.number} {notice.title_text}",
        keywords=(notice.number, notice.issuer),
        date=notice.date,
        properties=props,
    )


def write_pdf(
    notice: Notice,
    base_dir: Path,
    templates: Path,
    source_text: str | None = None,
    source_name: str = "",
    require_official_fonts: bool = False,
) -> bytes:
    """The notice as PDF/A-3b bytes (deterministic), source YAML attached, pages numbered."""
    if require_official_fonts:
        fonts.resolve_all(require_official=True)
    doc, _ = layout(notice, Path(base_dir), Path(templates), require_official_fonts)
    meta = metadata(notice, source_name)
    attachments = []
    if source_text is not None:
        attachments.append(
            engine.PdfAttachment(
                name=source_name or "notice.yaml",
                data=source_text.encode("utf-8"),
                mime="application/yaml",
                description=f"公文源文件 {notice.number}",
            )
        )
    pdf = engine.write_document(doc, metadata=meta, attachments=attachments)
    return pagenum.number_pages(
        pdf, page_numbering(len(doc.pages)), metadata=meta, require_official_fonts=require_official_fonts
    )


def page_numbering(count: int) -> list[int | None]:
    """Every page numbered 1..count (docgen inserts no blank page before the 版记; see module doc)."""
    return pagenum.numbering_from(1, count)
