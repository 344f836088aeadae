"""The notice's one view: every position of its layout, its attachments and its 版记, computed once.

``build_notice_view(notice) -> NoticeView``; the DOCX and PDF writers both read it and derive
nothing themselves. Positions are points from docgen.standard.gbt9704 (the 版头 from the 版心's
top; the seal from the top of the signature's line).

版记 (clause 7.4): its rows top to bottom, each with its height, so both writers stack the same
boxes and the 版记's height has one definition: 公开方式 above the rules (Guangdong practice),
then a thick rule, 抄送 (thin rule under it), 校对 (thin rule under it), the 印发 line and the last
thick rule, which lies on the 版心's bottom edge. A rule row is RULE_ROW_PT high plus its width.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

from docgen.form.loading import load as load_form
from docgen.models.notice import LOGO_MAX_SIZE_PT, BodyItem, Notice, Paragraph, SealImage, logo_fit_pt
from docgen.standard import gbt9704 as L
from docgen.standard.fonts import em_box
from docgen.standard.metrics import text_width_zi
from docgen.views.form import DocumentView, blank_view

GRID_SLACK_PT = 0.01
"""Letter-spacing is CHAR_SPACING_PT minus this: 28 characters then need 0.28 pt less than the
版心's width, so rounding inside the layout engine never pushes the 28th character to the next line."""
SEAL_DIAMETER_MM = 42.0
"""Seal image size: the common 42 mm round seal of a provincial agency."""
SEAL_CENTRE_ABOVE_SIGNATURE_PT = 2.0
"""7.3.5.1: 署名 and 日期 sit below the seal's centre (居印章中心偏下): the centre lies this much
above the top of the signature's em box."""
RULE_ROW_PT = 1.0
"""Height of a 版记 rule row above its rule (DOCX: an exact 1 pt paragraph with a bottom border)."""
NOTE_KEEP_MAX = 4
"""In the 附注, a segment between separators of at most this many characters (a person's name,
陈兵 / 牛晨蕾) never breaks across lines; longer ones (a department's name) may."""
TITLE_SLACK_ZI = 1.0
"""A title within this much of the 版心's width breaks too: readers' digits and fallback faces are
wider than ½ 字 (LibreOffice set "…填写说 / 明" for 20 字 of 2号 on the 20.1 字 line)."""
_NOTE_SEPARATORS = re.compile(r"([ 　、，,；;：:（）()]+)")


@dataclass(frozen=True)
class BanjiRow:
    """One row of the 版记: a line of text (agency left, ``right`` flush right) or a rule."""

    kind: Literal["publicity", "cc", "proof", "printer", "rule"]
    height_pt: float
    text: str = ""
    right: str = ""
    rule_mm: float = 0.0
    lines: int = 1

    @property
    def space_pt(self) -> float:
        """A rule row's room above its rule (its height less the rule's width)."""
        return self.height_pt - L.mm_to_pt(self.rule_mm)


@dataclass(frozen=True)
class BanjiView:
    rows: tuple[BanjiRow, ...]
    line_pt: float
    cc_hang_pt: float
    cc_label_pt: float

    @property
    def height_pt(self) -> float:
        """From the first row's top to the last rule's bottom edge."""
        return sum(r.height_pt for r in self.rows)


@dataclass(frozen=True)
class AttachmentView:
    label: str
    title: tuple[str, ...]
    """Title lines (the data's breaks; words kept whole)."""
    kind: Literal["tables", "instructions", "body"]
    landscape: bool
    body: tuple[BodyItem, ...] = ()
    form: DocumentView | None = None

    @property
    def title_text(self) -> str:
        return "".join(self.title)

    @property
    def bookmark(self) -> str:
        return f"{self.label} {self.title_text}"


@dataclass(frozen=True)
class NoteSegment:
    text: str
    keep: bool
    """Never broken across lines (names, numbers)."""


@dataclass
class Layout:
    """Every position the writers need, in points (from the 版心's top for the 版头)."""

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


@dataclass(frozen=True)
class NoticeView:
    notice: Notice
    layout: Layout
    attachments: tuple[AttachmentView, ...]
    banji: BanjiView
    note: tuple[NoteSegment, ...]
    seal: SealImage | None

    @property
    def table_attachment(self) -> int | None:
        """Index of the first attachment printing the form's tables (附件1), if any."""
        return next((i for i, a in enumerate(self.attachments) if a.kind == "tables"), None)


def baseline_in_line(role: str, size_pt: float, line_pt: float) -> float:
    """Baseline below the top of a line box of height line_pt (CSS: half the leading above)."""
    _, base = em_box(role)
    return line_pt / 2 + size_pt * (base - 0.5)


def em_top_in_line(role: str, size_pt: float, line_pt: float) -> float:
    """Top of the em box below the top of a line box of height line_pt."""
    return baseline_in_line(role, size_pt, line_pt) - em_box(role)[0] * size_pt


def logo_size_pt(notice: Notice) -> float:
    """The 标志's size: the data's, else as large as fits LOGO_FILL of the 版心 (≤ 初号)."""
    if notice.logo_size_pt:
        return notice.logo_size_pt
    return min(LOGO_MAX_SIZE_PT, int(logo_fit_pt(notice.logo) * 2) / 2)


def signature_offsets(notice: Notice) -> tuple[float, float]:
    """(signature, date) distances from the 版心's right edge in 字 (spec: 发文机关署名 + 成文日期)."""
    ws, wd = text_width_zi(notice.signature), text_width_zi(notice.date_text)
    if notice.is_sealed:
        sealed = float(L.DATE_RIGHT_INDENT_ZI_SEALED)
        return max(0.0, sealed + (wd - ws) / 2), sealed  # signature centred over the date
    sig_right: float = L.SIGNATURE_RIGHT_INDENT_ZI_UNSEALED
    date_right: float = sig_right + ws - L.DATE_OFFSET_ZI_UNSEALED - wd
    if date_right < L.SIGNATURE_RIGHT_INDENT_ZI_UNSEALED:  # the date is the longer line
        date_right = L.SIGNATURE_RIGHT_INDENT_ZI_UNSEALED
        sig_right = date_right + wd + L.DATE_OFFSET_ZI_UNSEALED - ws
    return sig_right, date_right


def _layout(notice: Notice) -> Layout:
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
    em_top, base = em_box("xiaobiaosong")
    logo_em_top = L.mm_to_pt(L.LOGO_TOP_BELOW_TEXT_TOP_MM)
    lay.logo_top = logo_em_top - (base - em_top) * size
    logo_em_bottom = logo_em_top + size
    # 发文字号: two blank lines under the 标志 → its line box starts two lines below the em box
    lay.docno_top = logo_em_bottom + L.DOC_NUMBER_GAP_LINES * line
    fs_em_top, _ = em_box("fangsong")
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
    # seal: centred on the date horizontally; vertically its centre just above the signature's
    # em box (7.3.5.1: 署名 and 日期 below the centre), its top within one line of the text above
    date_centre_from_right = (date + text_width_zi(notice.date_text) / 2) * p
    lay.seal_left = L.TEXT_WIDTH_PT - date_centre_from_right - lay.seal_size / 2
    sig_em_top = em_top_in_line("fangsong", L.BODY_SIZE_PT, line)
    lay.seal_top = sig_em_top - SEAL_CENTRE_ABOVE_SIGNATURE_PT - lay.seal_size / 2
    while notice.is_sealed and lay.seal_top < -lay.sign_gap:  # never reach up into the text above
        lay.sign_gap += line
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


def _rule(width_mm: float) -> BanjiRow:
    return BanjiRow("rule", RULE_ROW_PT + L.mm_to_pt(width_mm), rule_mm=width_mm)


def _banji(notice: Notice) -> BanjiView:
    line = L.LINE_PITCH_PT
    rows: list[BanjiRow] = []
    if notice.publicity:
        rows.append(BanjiRow("publicity", line, notice.publicity_text))
    rows.append(_rule(L.BANJI_RULE_THICK_MM))
    if notice.cc:
        n = _cc_lines(notice)
        rows += [BanjiRow("cc", n * line, notice.cc_text, lines=n), _rule(L.BANJI_RULE_THIN_MM)]
    if notice.proofreader:  # 7.4: other 版记 elements are separated from the 印发 line by a thin rule
        rows += [BanjiRow("proof", line, notice.proofreader_text), _rule(L.BANJI_RULE_THIN_MM)]
    rows += [BanjiRow("printer", line, notice.printer, notice.print_date_text), _rule(L.BANJI_RULE_THICK_MM)]
    label = text_width_zi("抄送：") * L.BANJI_SIZE_PT
    return BanjiView(tuple(rows), line, L.BANJI_INDENT_PT + label, label)


def instructions_body(year: int) -> tuple[tuple[str, ...], list[Paragraph]]:
    """附件2 from the published form: its title lines and the 填写说明 items as run-in paragraphs
    whose leads are bold, as in the seed ("**1. 类型。**")."""
    form = load_form(year)
    body = [Paragraph(lead=f"{i.number}.{i.title}。", text=i.text, level=3, strong=True) for i in form.instructions]
    return title_lines(form.instructions_title), body


def title_lines(title: str | list[str] | tuple[str, ...]) -> tuple[str, ...]:
    """An attachment title as lines that fit the 版心 at 2号: the data's breaks when given; a
    one-line title too wide is broken before its last word-like tail (…计划表 / 填写说明), never
    inside a word: at the last 的/表/书/单/和/及 boundary that leaves a first line that fits."""
    if not isinstance(title, str):
        return tuple(title)
    room = L.TEXT_WIDTH_PT / L.TITLE_SIZE_PT - TITLE_SLACK_ZI
    if text_width_zi(title) <= room:
        return (title,)
    for i in range(len(title) - 1, 0, -1):
        if title[i - 1] in "的表书单和及与" and text_width_zi(title[:i]) <= room:
            return (title[:i], title[i:])
    return (title,)


def _attachments(notice: Notice) -> tuple[AttachmentView, ...]:
    out = []
    for i, a in enumerate(notice.attachments):
        label = notice.attachment_label(i)
        if a.form_tables is not None:
            view = blank_view(load_form(a.form_tables))
            out.append(AttachmentView(label, title_lines(a.title or view.title), "tables", a.is_landscape, form=view))
        elif a.form_instructions is not None:
            title, body = instructions_body(a.form_instructions)
            out.append(
                AttachmentView(
                    label, title_lines(a.title) if a.title else title, "instructions", a.is_landscape, tuple(body)
                )
            )
        else:
            out.append(AttachmentView(label, title_lines(a.title or a.name), "body", a.is_landscape, tuple(a.body)))
    return tuple(out)


def note_segments(text: str) -> tuple[NoteSegment, ...]:
    """The 附注 in segments: separators and long words may break, short words (names) are kept."""
    out = []
    for part in _NOTE_SEPARATORS.split(text):
        if part:
            out.append(
                NoteSegment(
                    part,
                    (not _NOTE_SEPARATORS.fullmatch(part) and len(part) <= NOTE_KEEP_MAX)
                    or part.replace("-", "").isdigit(),
                )
            )
    return tuple(out)


def build_notice_view(notice: Notice) -> NoticeView:
    """The notice's layout, attachments and 版记 (the seal bytes come checked with the notice)."""
    return NoticeView(
        notice,
        _layout(notice),
        _attachments(notice),
        _banji(notice),
        note_segments(notice.note_text) if notice.note else (),
        notice.seal_image,
    )
