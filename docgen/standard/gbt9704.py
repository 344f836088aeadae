"""Every number of GB/T 9704-2012 that docgen uses, in ONE place.

Source: /work/shared/spec/gbt9704.md (sections named in the comments). Lengths are in
millimetres (``*_MM``) or points (``*_PT``) as the name says; 1 mm = 72/25.4 pt.
Templates and writers must derive their values from here (``css_vars()``, ``twips()``,
``emu()``), never restate them.

Coordinates: "from top"/"from left" are distances from the paper's edges of the page as
it is read (portrait, or landscape with the table upright).
"""

from __future__ import annotations

from dataclasses import dataclass

# --------------------------------------------------------------------------- units (spec: Units)
PT_PER_MM = 72 / 25.4
"""1 mm = 72/25.4 pt."""
MM_PER_PT = 25.4 / 72
"""1 pt = 25.4/72 mm."""


def mm_to_pt(mm: float) -> float:
    """Millimetres to points."""
    return mm * PT_PER_MM


def pt_to_mm(pt: float) -> float:
    """Points to millimetres."""
    return pt * MM_PER_PT


def twips(mm: float) -> int:
    """Millimetres to twentieths of a point (OOXML page sizes, margins, indents), rounded."""
    return round(mm * PT_PER_MM * 20)


def emu(mm: float) -> int:
    """Millimetres to English Metric Units (OOXML drawings; 1 mm = 36 000 EMU)."""
    return round(mm * 36_000)


SIZE_PT: dict[str, float] = {
    "初号": 42,
    "小初": 36,
    "一号": 26,
    "小一": 24,
    "二号": 22,
    "小二": 18,
    "三号": 16,
    "小三": 15,
    "四号": 14,
    "小四": 12,
    "五号": 10.5,
    "小五": 9,
}
"""Chinese type size names (字号) in points (spec: Units)."""


def zi(n: float, size_pt: float = 16) -> float:
    """n 字 in points: the width of n Chinese characters of the given size (spec: Units)."""
    return n * size_pt


# --------------------------------------------------------------------------- page (spec: Page and text block)
PAGE_WIDTH_MM = 210.0
"""A4 width."""
PAGE_HEIGHT_MM = 297.0
"""A4 height."""
MARGIN_TOP_MM = 37.0
"""天头 (top margin), 37 mm ± 1 mm."""
MARGIN_LEFT_MM = 28.0
"""订口 (left / binding margin), 28 mm ± 1 mm; the standard defines it as the LEFT margin (not mirrored)."""
TEXT_WIDTH_MM = 156.0
"""版心 width."""
TEXT_HEIGHT_MM = 225.0
"""版心 height (page number not included)."""
MARGIN_RIGHT_MM = PAGE_WIDTH_MM - MARGIN_LEFT_MM - TEXT_WIDTH_MM
"""Right margin derived from A4 − 订口 − 版心 = 26 mm."""
MARGIN_BOTTOM_MM = PAGE_HEIGHT_MM - MARGIN_TOP_MM - TEXT_HEIGHT_MM
"""Bottom margin derived from A4 − 天头 − 版心 = 35 mm."""
MARGIN_TOLERANCE_MM = 1.0
"""Allowed deviation of 天头 and 订口 (± 1 mm)."""

TEXT_WIDTH_PT = mm_to_pt(TEXT_WIDTH_MM)
"""版心 width in points (≈ 442.2 pt)."""
TEXT_HEIGHT_PT = mm_to_pt(TEXT_HEIGHT_MM)
"""版心 height in points (≈ 637.8 pt)."""

# --------------------------------------------------------------------------- text and grid
BODY_SIZE_PT = SIZE_PT["三号"]
"""正文: 3号仿宋, 16 pt, black."""
LINES_PER_PAGE = 22
"""Grid: normally 22 lines per page."""
CHARS_PER_LINE = 28
"""Grid: normally 28 characters per line."""
LINE_UNIT_PT = BODY_SIZE_PT * (1 + 7 / 8)
"""The standard's unit 1 行 = one 3号 character height plus 7/8 of it (30 pt)."""
LINE_PITCH_TWIPS = 579
"""Word's 22-line grid: w:docGrid w:linePitch="579"."""
LINE_PITCH_PT = LINE_PITCH_TWIPS / 20
"""Line pitch used for layout: Word's 28.95 pt (22 lines = 224.7 mm, within 1 mm of 225)."""
LINE_PITCH_EXACT_PT = TEXT_HEIGHT_PT / LINES_PER_PAGE
"""Exact pitch for 22 lines in 225 mm (≈ 28.99 pt)."""
CHAR_PITCH_PT = TEXT_WIDTH_PT / CHARS_PER_LINE
"""Advance of one grid character so that 28 fill 156 mm (≈ 15.79 pt)."""
CHAR_SPACING_PT = CHAR_PITCH_PT - BODY_SIZE_PT
"""Spacing added after EACH of the 28 characters (≈ −0.207 pt): CSS letter-spacing."""
DOCX_CHAR_SPACE = round(CHAR_SPACING_PT * 4096)
"""w:docGrid w:charSpace: extra pitch per character over the default 16 pt, in 1/4096 pt (≈ −848)."""
BODY_INDENT_ZI = 2
"""Every body paragraph indented 2 字 (first line)."""


def lines(n: float) -> float:
    """n grid lines in points (n × LINE_PITCH_PT); "two blank lines below" = lines(2)."""
    return n * LINE_PITCH_PT


# --------------------------------------------------------------------------- colour
RED_HEX = "FF0000"
"""公文 red for 标志 and rules. The standard says only "red"; docgen uses pure RGB red, Word's
standard 红色 and what most 公文 templates use (presses use a spot red close to CMYK 0/100/100/0)."""
RED_CSS = "#" + RED_HEX
"""RED_HEX as a CSS colour."""
RED_RGB = (0xFF, 0x00, 0x00)
"""RED_HEX as an RGB tuple (openpyxl/python-docx RGBColor)."""
BLACK_HEX = "000000"
"""Text is black unless stated otherwise."""

# --------------------------------------------------------------------------- 版头 (spec: 版头)
LOGO_TOP_BELOW_TEXT_TOP_MM = 35.0
"""发文机关标志: its top edge 35 mm below the top of the 版心."""
LOGO_TOP_FROM_PAGE_TOP_MM = MARGIN_TOP_MM + LOGO_TOP_BELOW_TEXT_TOP_MM
"""The same from the paper's top edge (72 mm)."""
LOGO_MAX_WIDTH_MM = TEXT_WIDTH_MM
"""标志 never wider than the 版心."""
DOC_NUMBER_GAP_LINES = 2
"""发文字号: two blank lines under the 标志, centred, 3号仿宋."""
DOC_NUMBER_SIZE_PT = BODY_SIZE_PT
"""发文字号 size (3号)."""
RED_RULE_BELOW_DOC_NUMBER_MM = 4.0
"""Red separator line 4 mm below the 发文字号."""
RED_RULE_WIDTH_MM = TEXT_WIDTH_MM
"""Red separator line spans the 版心 (156 mm), starting at its left edge."""
RED_RULE_THICKNESS_MM = 0.5
"""Red line thickness: not fixed by the standard (0.35–0.5 mm usual); docgen's choice 0.5 mm."""
RED_RULE_THICKNESS_RANGE_MM = (0.35, 0.5)
"""The usual range for the red line's thickness."""
SIGNER_INDENT_ZI = 1
"""签发人 present: 发文字号 moves left, 居左空一字."""

# --------------------------------------------------------------------------- 主体 (spec: 主体)
TITLE_SIZE_PT = SIZE_PT["二号"]
"""标题: 2号小标宋, 22 pt, centred."""
TITLE_GAP_LINES = 2
"""标题 two blank lines below the red line."""
ADDRESSEE_GAP_LINES = 1
"""主送机关 one blank line below the title."""
ATTACHMENT_NOTE_GAP_LINES = 1
"""附件说明 one blank line below the body, indented 2 字."""
DATE_RIGHT_INDENT_ZI_SEALED = 4
"""Sealed: 成文日期 右空四字."""
SIGNATURE_RIGHT_INDENT_ZI_UNSEALED = 2
"""Unsealed: 署名 右空二字, one blank line below the body/附件说明."""
DATE_OFFSET_ZI_UNSEALED = 2
"""Unsealed: the date's first character 2 字 right of the signature's first character."""

# --------------------------------------------------------------------------- 版记 (spec: 版记)
BANJI_SIZE_PT = SIZE_PT["四号"]
"""抄送机关, 印发机关 and 印发日期: 4号仿宋, 14 pt."""
BANJI_INDENT_ZI = 1
"""抄送 indented 1 字 left and right; 印发机关 左空一字; 印发日期 右空一字."""
BANJI_INDENT_PT = zi(BANJI_INDENT_ZI, BANJI_SIZE_PT)
"""1 字 of 4号 = 14 pt."""
BANJI_RULE_WIDTH_MM = TEXT_WIDTH_MM
"""版记 rules span the 版心."""
BANJI_RULE_THICK_MM = 0.35
"""First and last 版记 rules (thick)."""
BANJI_RULE_THIN_MM = 0.25
"""版记 rules between the first and last (thin)."""

# --------------------------------------------------------------------------- page numbers (spec: Page numbers)
PAGE_NUMBER_SIZE_PT = SIZE_PT["四号"]
"""Page numbers: 4号 (14 pt) half-width 宋体 Arabic numerals (font role "songti")."""
PAGE_NUMBER_DASH = "\u2014"
"""EM DASH on each side of the number (never ASCII '-')."""
PAGE_NUMBER_BELOW_TEXT_MM = 7.0
"""The dash line's top edge is 7 mm below the bottom edge of the 版心."""
PAGE_NUMBER_TOP_FROM_PAGE_TOP_MM = MARGIN_TOP_MM + TEXT_HEIGHT_MM + PAGE_NUMBER_BELOW_TEXT_MM
"""The dash line's top edge from the paper's top edge (269 mm, portrait)."""
PAGE_NUMBER_TOP_FROM_PAGE_BOTTOM_MM = MARGIN_BOTTOM_MM - PAGE_NUMBER_BELOW_TEXT_MM
"""The dash line's top edge above the paper's bottom edge (28 mm)."""
PAGE_NUMBER_INSET_ZI = 1
"""Inset 1 字 from the 版心 edge: odd pages from the right, even pages from the left."""
PAGE_NUMBER_INSET_PT = zi(PAGE_NUMBER_INSET_ZI, PAGE_NUMBER_SIZE_PT)
"""1 字 of 4号 = 14 pt (≈ 4.94 mm)."""
PAGE_NUMBER_INSET_MM = pt_to_mm(PAGE_NUMBER_INSET_PT)
"""PAGE_NUMBER_INSET_PT in mm."""


def page_number_text(n: int) -> str:
    """The page number as printed: "— n —" with EM DASHes (U+2014)."""
    return f"{PAGE_NUMBER_DASH} {n} {PAGE_NUMBER_DASH}"


def page_number_align(n: int) -> str:
    """ "right" on odd pages, "left" on even pages (along the line of text)."""
    return "right" if n % 2 else "left"


# --------------------------------------------------------------------------- landscape tables (spec: Landscape tables, clause 8)
# Odd pages: table header at the 订口 (binding edge = left edge of the sheet); even pages: at
# the 切口 (outer edge, which on the back of the sheet is again its left edge). So the table's
# top is ALWAYS at the left edge of the portrait sheet and the reader turns the sheet 90°
# CLOCKWISE. Under that turn: portrait left → landscape top, portrait top → landscape right,
# portrait right → landscape bottom, portrait bottom → landscape left. The landscape 版心 is
# the portrait 版心 turned (225 wide × 156 high), and it is the same on odd and even pages
# because the standard's 订口 is simply the left margin of every page.
LANDSCAPE_PAGE_WIDTH_MM = PAGE_HEIGHT_MM
"""A4 landscape width (297 mm)."""
LANDSCAPE_PAGE_HEIGHT_MM = PAGE_WIDTH_MM
"""A4 landscape height (210 mm)."""
LANDSCAPE_MARGIN_TOP_MM = MARGIN_LEFT_MM
"""Landscape top margin = portrait 订口 (28 mm): the table's header side faces the binding edge."""
LANDSCAPE_MARGIN_RIGHT_MM = MARGIN_TOP_MM
"""Landscape right margin = portrait 天头 (37 mm)."""
LANDSCAPE_MARGIN_BOTTOM_MM = MARGIN_RIGHT_MM
"""Landscape bottom margin = portrait right margin (26 mm)."""
LANDSCAPE_MARGIN_LEFT_MM = MARGIN_BOTTOM_MM
"""Landscape left margin = portrait bottom margin (35 mm); the page number lives in it."""
LANDSCAPE_TEXT_WIDTH_MM = TEXT_HEIGHT_MM
"""Landscape 版心 width = portrait 版心 height (225 mm)."""
LANDSCAPE_TEXT_HEIGHT_MM = TEXT_WIDTH_MM
"""Landscape 版心 height = portrait 版心 width (156 mm)."""
LANDSCAPE_PAGE_NUMBER_ROTATION_DEG = 90
"""The page number is turned 90° clockwise (CSS rotate(90deg)): it reads top-to-bottom with
its glyph tops facing right, i.e. it stays upright for a reader holding the sheet portrait."""
LANDSCAPE_PAGE_NUMBER_TOP_FROM_PAGE_LEFT_MM = PAGE_NUMBER_TOP_FROM_PAGE_BOTTOM_MM
"""The turned dash line's top edge (facing right) lies 28 mm from the landscape page's left
edge, i.e. 7 mm outside the landscape 版心's left edge; the glyphs extend leftwards from it."""


@dataclass(frozen=True)
class PageNumberSpot:
    """Where a page number goes, in the coordinates of the page as read (mm)."""

    rotate_deg: int
    """0 on portrait pages; 90 (clockwise) on landscape pages."""
    line_top_mm: float
    """Portrait: the dash line's top edge from the page TOP (269). Landscape: from the page LEFT (28)."""
    anchor_mm: float
    """Along the line: portrait x from the left, landscape y from the top. Odd pages: where the
    text ENDS (1 字 before the 版心's right/bottom edge); even pages: where it STARTS (1 字 in)."""
    align: str
    """"end" (odd pages: text ends at anchor) or "start" (even pages: text starts at anchor)."""


def page_number_spot(n: int, landscape: bool = False) -> PageNumberSpot:
    """Position of page n's number on a portrait page, or on a landscape (turned table) page.

    Landscape odd pages put it near the bottom-left corner, even pages near the top-left corner.
    """
    # Along the line the measures are the portrait x ones; the turn maps portrait x to landscape y.
    start = MARGIN_LEFT_MM + PAGE_NUMBER_INSET_MM
    end = MARGIN_LEFT_MM + TEXT_WIDTH_MM - PAGE_NUMBER_INSET_MM
    odd = n % 2 == 1
    if landscape:
        return PageNumberSpot(
            LANDSCAPE_PAGE_NUMBER_ROTATION_DEG,
            LANDSCAPE_PAGE_NUMBER_TOP_FROM_PAGE_LEFT_MM,
            end if odd else start,
            "end" if odd else "start",
        )
    return PageNumberSpot(0, PAGE_NUMBER_TOP_FROM_PAGE_TOP_MM, end if odd else start, "end" if odd else "start")


# --------------------------------------------------------------------------- 附件 (spec: 主体, 附件)
ATTACHMENT_LABEL_LINE = 1
"""附件N label (3号黑体) flush left on line 1 of the 版心."""
ATTACHMENT_TITLE_LINE = 3
"""The attachment's title centred on line 3."""

# --------------------------------------------------------------------------- tables (docgen's choices)
# GB/T 9704 fixes no size for tables inside a document; these are docgen's, shared by every writer.
TABLE_TEXT_PT = SIZE_PT["五号"]
"""Table cells and header cells: 五号 (10.5 pt), 仿宋 cells, 黑体 headers, no bold."""
TABLE_LINE_HEIGHT = 1.35
"""Line height of table text, in multiples of its size."""
TABLE_RULE_MM = 0.25
"""Table rules: the 版记's thin-rule weight."""
TABLE_CELL_PADDING_ZI = 0.25
"""Cell padding: a quarter 字 of the table text."""

# --------------------------------------------------------------------------- 信函格式 (spec: 信函格式)
LETTER_LOGO_TOP_FROM_PAGE_TOP_MM = 30.0
"""信函: 标志 top edge 30 mm from the paper's top edge, red."""
LETTER_TOP_RULE_BELOW_LOGO_MM = 4.0
"""信函: red double rule (thick over thin) 4 mm below the 标志."""
LETTER_BOTTOM_RULE_FROM_PAGE_BOTTOM_MM = 20.0
"""信函: red double rule (thin over thick) 20 mm above the paper's bottom edge."""
LETTER_RULE_WIDTH_MM = 170.0
"""信函: both double rules 170 mm wide."""
LETTER_RULE_LEFT_MM = (PAGE_WIDTH_MM - LETTER_RULE_WIDTH_MM) / 2
"""信函 rules centred on the page (20 mm from each side)."""
LETTER_RULE_THICK_MM = 1.0
"""信函 double rule, thick line: not fixed by the standard; docgen's choice."""
LETTER_RULE_THIN_MM = 0.25
"""信函 double rule, thin line: not fixed by the standard; docgen's choice."""
LETTER_RULE_GAP_MM = 0.5
"""信函 double rule, gap between the lines: docgen's choice."""
LETTER_FIRST_PAGE_NUMBERED = False
"""信函: no page number on the first page; 版记 has no 印发 line and no rules."""


# --------------------------------------------------------------------------- CSS
def _css_len(value: float, unit: str) -> str:
    text = f"{value:.4f}".rstrip("0").rstrip(".")
    return f"{'0' if text == '-0' else text}{unit}"


def css_vars() -> dict[str, str]:
    """Name → CSS value ("37mm", "28.95pt", "#FF0000") for the HTML/PDF templates.

    Names use underscores (Jinja-friendly); as custom properties write ``--`` + name with '-'.
    """
    mm = {
        "page_width": PAGE_WIDTH_MM,
        "page_height": PAGE_HEIGHT_MM,
        "margin_top": MARGIN_TOP_MM,
        "margin_right": MARGIN_RIGHT_MM,
        "margin_bottom": MARGIN_BOTTOM_MM,
        "margin_left": MARGIN_LEFT_MM,
        "text_width": TEXT_WIDTH_MM,
        "text_height": TEXT_HEIGHT_MM,
        "logo_top": LOGO_TOP_BELOW_TEXT_TOP_MM,
        "logo_max_width": LOGO_MAX_WIDTH_MM,
        "red_rule_gap": RED_RULE_BELOW_DOC_NUMBER_MM,
        "red_rule_width": RED_RULE_WIDTH_MM,
        "red_rule_thickness": RED_RULE_THICKNESS_MM,
        "banji_rule_thick": BANJI_RULE_THICK_MM,
        "banji_rule_thin": BANJI_RULE_THIN_MM,
        "page_number_below_text": PAGE_NUMBER_BELOW_TEXT_MM,
        "page_number_top": PAGE_NUMBER_TOP_FROM_PAGE_TOP_MM,
        "page_number_inset": PAGE_NUMBER_INSET_MM,
        "landscape_page_width": LANDSCAPE_PAGE_WIDTH_MM,
        "landscape_page_height": LANDSCAPE_PAGE_HEIGHT_MM,
        "landscape_margin_top": LANDSCAPE_MARGIN_TOP_MM,
        "landscape_margin_right": LANDSCAPE_MARGIN_RIGHT_MM,
        "landscape_margin_bottom": LANDSCAPE_MARGIN_BOTTOM_MM,
        "landscape_margin_left": LANDSCAPE_MARGIN_LEFT_MM,
        "landscape_page_number_top": LANDSCAPE_PAGE_NUMBER_TOP_FROM_PAGE_LEFT_MM,
        "letter_logo_top": LETTER_LOGO_TOP_FROM_PAGE_TOP_MM,
        "letter_top_rule_gap": LETTER_TOP_RULE_BELOW_LOGO_MM,
        "letter_bottom_rule": LETTER_BOTTOM_RULE_FROM_PAGE_BOTTOM_MM,
        "letter_rule_width": LETTER_RULE_WIDTH_MM,
        "letter_rule_thick": LETTER_RULE_THICK_MM,
        "letter_rule_thin": LETTER_RULE_THIN_MM,
        "letter_rule_gap": LETTER_RULE_GAP_MM,
    }
    pt = {
        "body_size": BODY_SIZE_PT,
        "title_size": TITLE_SIZE_PT,
        "banji_size": BANJI_SIZE_PT,
        "page_number_size": PAGE_NUMBER_SIZE_PT,
        "line_pitch": LINE_PITCH_PT,
        "char_pitch": CHAR_PITCH_PT,
        "char_spacing": CHAR_SPACING_PT,
        "body_indent": zi(BODY_INDENT_ZI),
        "banji_indent": BANJI_INDENT_PT,
    }
    out = {k: _css_len(v, "mm") for k, v in mm.items()}
    out.update({k: _css_len(v, "pt") for k, v in pt.items()})
    out["red"] = RED_CSS
    out["landscape_page_number_rotation"] = f"{LANDSCAPE_PAGE_NUMBER_ROTATION_DEG}deg"
    return out


def css_custom_properties() -> str:
    """A ``:root { --margin-top: 37mm; … }`` block made from css_vars()."""
    body = "\n".join(f"  --{k.replace('_', '-')}: {v};" for k, v in css_vars().items())
    return ":root {\n" + body + "\n}\n"
