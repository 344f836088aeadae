"""docgen.standard.gbt9704 agrees with the spec (/work/shared/spec/gbt9704.md)."""

from __future__ import annotations

import re

import pytest

from docgen.standard import gbt9704 as g


def mm(pt: float) -> float:
    return g.pt_to_mm(pt)


def test_units():
    assert g.mm_to_pt(25.4) == pytest.approx(72)
    assert g.pt_to_mm(72) == pytest.approx(25.4)
    assert g.twips(25.4) == 1440
    assert (g.twips(g.PAGE_WIDTH_MM), g.twips(g.PAGE_HEIGHT_MM)) == (11906, 16838)  # Word's A4
    assert g.emu(1) == 36_000 and g.emu(25.4) == 914_400
    assert g.SIZE_PT == {
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
    assert g.LINE_UNIT_PT == 30  # 1 行 = 3号 height + 7/8 of it


def test_page_and_text_block():
    assert (g.PAGE_WIDTH_MM, g.PAGE_HEIGHT_MM) == (210, 297)
    assert abs(g.MARGIN_TOP_MM - 37) <= g.MARGIN_TOLERANCE_MM
    assert abs(g.MARGIN_LEFT_MM - 28) <= g.MARGIN_TOLERANCE_MM
    assert g.MARGIN_TOLERANCE_MM == 1
    assert (g.TEXT_WIDTH_MM, g.TEXT_HEIGHT_MM) == (156, 225)
    assert g.MARGIN_LEFT_MM + g.TEXT_WIDTH_MM + g.MARGIN_RIGHT_MM == g.PAGE_WIDTH_MM
    assert g.MARGIN_TOP_MM + g.TEXT_HEIGHT_MM + g.MARGIN_BOTTOM_MM == g.PAGE_HEIGHT_MM
    assert pytest.approx((26, 35)) == (g.MARGIN_RIGHT_MM, g.MARGIN_BOTTOM_MM)


def test_grid_fills_the_text_block():
    assert (g.LINES_PER_PAGE, g.CHARS_PER_LINE, g.BODY_SIZE_PT) == (22, 28, 16)
    assert g.LINE_PITCH_PT == 28.95 and g.LINE_PITCH_TWIPS == 579
    assert abs(mm(22 * g.LINE_PITCH_PT) - 225) <= 1
    assert mm(22 * g.LINE_PITCH_EXACT_PT) == pytest.approx(225)
    # 28 characters of 16 pt are 158 mm; the spacing brings them to 156 mm
    assert mm(28 * 16) == pytest.approx(158, abs=0.1)
    assert mm(28 * (g.BODY_SIZE_PT + g.CHAR_SPACING_PT)) == pytest.approx(156)
    assert pytest.approx(-0.2, abs=0.01) == g.CHAR_SPACING_PT
    assert mm(28 * (16 + g.DOCX_CHAR_SPACE / 4096)) == pytest.approx(156, abs=0.05)
    assert g.lines(2) == 2 * g.LINE_PITCH_PT


def test_letterhead_and_body():
    assert g.LOGO_TOP_BELOW_TEXT_TOP_MM == 35 and g.LOGO_TOP_FROM_PAGE_TOP_MM == 72
    assert g.DOC_NUMBER_GAP_LINES == 2 and g.RED_RULE_BELOW_DOC_NUMBER_MM == 4
    assert g.RED_RULE_WIDTH_MM == g.TEXT_WIDTH_MM == 156
    lo, hi = g.RED_RULE_THICKNESS_RANGE_MM
    assert lo <= g.RED_RULE_THICKNESS_MM <= hi
    assert re.fullmatch(r"[0-9A-F]{6}", g.RED_HEX) and g.RED_CSS == "#FF0000"
    assert tuple(int(g.RED_HEX[i : i + 2], 16) for i in (0, 2, 4)) == g.RED_RGB
    assert g.TITLE_SIZE_PT == 22 and g.TITLE_GAP_LINES == 2 and g.ADDRESSEE_GAP_LINES == 1
    assert g.BODY_INDENT_ZI == 2 and g.zi(2) == 32


def test_closing_block():
    assert (g.BANJI_RULE_THICK_MM, g.BANJI_RULE_THIN_MM) == (0.35, 0.25)
    assert g.BANJI_SIZE_PT == 14 and g.BANJI_INDENT_PT == 14
    assert g.BANJI_RULE_WIDTH_MM == 156


def test_page_number_text_uses_em_dashes():
    assert g.page_number_text(3) == "\u2014 3 \u2014"
    assert g.page_number_text(12) == "— 12 —"
    assert "-" not in g.page_number_text(1)
    assert g.PAGE_NUMBER_SIZE_PT == 14


def test_page_number_position():
    assert g.PAGE_NUMBER_TOP_FROM_PAGE_TOP_MM == 269  # 7 mm below the 版心
    assert g.PAGE_NUMBER_TOP_FROM_PAGE_BOTTOM_MM == 28
    assert pytest.approx(mm(14)) == g.PAGE_NUMBER_INSET_MM  # 1 字 of 4号
    odd, even = g.page_number_spot(1), g.page_number_spot(2)
    assert (g.page_number_align(1), g.page_number_align(2)) == ("right", "left")
    assert (odd.align, even.align) == ("end", "start")
    assert odd.anchor_mm == pytest.approx(28 + 156 - mm(14))
    assert even.anchor_mm == pytest.approx(28 + mm(14))
    assert odd.line_top_mm == even.line_top_mm == 269 and odd.rotate_deg == 0


def turn_clockwise(x: float, y: float) -> tuple[float, float]:
    """A point of the portrait sheet, seen on the sheet turned 90° clockwise (landscape)."""
    return g.PAGE_HEIGHT_MM - y, x


def test_landscape_is_the_portrait_page_turned():
    assert (g.LANDSCAPE_PAGE_WIDTH_MM, g.LANDSCAPE_PAGE_HEIGHT_MM) == (297, 210)
    # the portrait 版心's corners, turned, are the landscape 版心's corners
    left, top = g.MARGIN_LEFT_MM, g.MARGIN_TOP_MM
    right, bottom = left + g.TEXT_WIDTH_MM, top + g.TEXT_HEIGHT_MM
    xs, ys = zip(*(turn_clockwise(x, y) for x in (left, right) for y in (top, bottom)))
    assert min(xs) == g.LANDSCAPE_MARGIN_LEFT_MM == 35
    assert g.LANDSCAPE_PAGE_WIDTH_MM - max(xs) == g.LANDSCAPE_MARGIN_RIGHT_MM == 37
    assert min(ys) == g.LANDSCAPE_MARGIN_TOP_MM == 28  # the table's top at the binding edge
    assert g.LANDSCAPE_PAGE_HEIGHT_MM - max(ys) == g.LANDSCAPE_MARGIN_BOTTOM_MM == 26
    assert (
        (max(xs) - min(xs), max(ys) - min(ys)) == (g.LANDSCAPE_TEXT_WIDTH_MM, g.LANDSCAPE_TEXT_HEIGHT_MM) == (225, 156)
    )


@pytest.mark.parametrize("n", [1, 2, 7, 10])
def test_landscape_page_number_stays_where_it_is(n):
    portrait, landscape = g.page_number_spot(n), g.page_number_spot(n, landscape=True)
    x, y = turn_clockwise(portrait.anchor_mm, portrait.line_top_mm)
    assert landscape.line_top_mm == pytest.approx(x) == 28  # along the LEFT edge
    assert landscape.anchor_mm == pytest.approx(y)
    assert landscape.rotate_deg == 90 and landscape.align == portrait.align
    if n % 2:  # odd: near the bottom-left corner
        assert landscape.anchor_mm > g.LANDSCAPE_PAGE_HEIGHT_MM / 2
    else:  # even: near the top-left corner
        assert landscape.anchor_mm < g.LANDSCAPE_PAGE_HEIGHT_MM / 2
    # 7 mm outside the landscape 版心, as on portrait pages
    assert g.LANDSCAPE_MARGIN_LEFT_MM - landscape.line_top_mm == g.PAGE_NUMBER_BELOW_TEXT_MM


def test_letter_format():
    assert g.LETTER_LOGO_TOP_FROM_PAGE_TOP_MM == 30
    assert g.LETTER_TOP_RULE_BELOW_LOGO_MM == 4 and g.LETTER_BOTTOM_RULE_FROM_PAGE_BOTTOM_MM == 20
    assert g.LETTER_RULE_WIDTH_MM == 170 and g.LETTER_RULE_LEFT_MM == 20
    assert g.LETTER_FIRST_PAGE_NUMBERED is False


def test_css_vars_are_derived_from_the_constants():
    css = g.css_vars()
    assert css["margin_top"] == "37mm" and css["margin_left"] == "28mm"
    assert css["margin_right"] == "26mm" and css["margin_bottom"] == "35mm"
    assert css["text_width"] == "156mm" and css["line_pitch"] == "28.95pt"
    assert css["body_size"] == "16pt" and css["red"] == "#FF0000"
    assert css["page_number_top"] == "269mm" and css["landscape_margin_left"] == "35mm"
    assert float(css["char_spacing"][:-2]) == pytest.approx(g.CHAR_SPACING_PT, abs=1e-4)
    for name, value in css.items():
        assert re.fullmatch(r"-?\d+(\.\d+)?(mm|pt|deg)|#[0-9A-F]{6}", value), (name, value)
    block = g.css_custom_properties()
    assert "--margin-top: 37mm;" in block and block.startswith(":root {")
