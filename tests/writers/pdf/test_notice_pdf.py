"""The notice PDF measured against GB/T 9704 (numbers from docgen.standard.gbt9704).

Positions come from the glyph baselines (pdfplumber's char matrix), the em box being the
ideographic one (typo ascender 0.88 em above the baseline for every role's face here), as
pitfalls.md advises; lengths in mm with the tolerances below.
"""

from __future__ import annotations

import itertools
import re
import statistics

import pytest
from notice_helpers import (  # noqa: F401 (fixtures)
    SEED_NOTICE,
    SIGNED_NOTICE,
    lines_of,
    need,
    page_number_y,
    running_text,
    seed_parts,
    seed_pdf,
    seed_rendered,
    sentences,
    signed_pdf,
    signed_rendered,
    text_of,
)

from docgen.check.notice import load_notice
from docgen.form.loading import load as load_form
from docgen.registry import Options, render_file
from docgen.standard import fonts
from docgen.standard import gbt9704 as L
from docgen.standard.fonts import em_box as em_metrics
from docgen.standard.text import squash
from docgen.views.notice import build_notice_view

TOL_MM = 0.5
mm = L.mm_to_pt
RIGHT = mm(L.MARGIN_LEFT_MM + L.TEXT_WIDTH_MM)
LEFT = mm(L.MARGIN_LEFT_MM)


def em_top_of(ch) -> float:
    """The em-box top of a character, pt from the page top."""
    role = role_of(ch)
    top = em_metrics(role)[0] if role else 0.88
    return _baseline(ch) - top * ch["size"]


def _baseline(ch) -> float:
    return ch["_page_height"] - ch["matrix"][5]


def role_of(ch) -> str | None:
    m = re.search(r"docgen-([a-z]+)", ch["fontname"])
    if m and m.group(1) == "pagenum":  # docgen.writers.pdf.pagenum's own family: the 宋体 face
        return "songti"
    return m.group(1) if m and m.group(1) in fonts.ROLES else None


@pytest.fixture(scope="module")
def pdf(seed_pdf):
    for page in seed_pdf.pages:
        for ch in page.chars:
            ch["_page_height"] = page.height
    return seed_pdf


@pytest.fixture(scope="module")
def lay():
    return build_notice_view(load_notice(SEED_NOTICE)).layout


def line_with(page, text: str):
    for y, cs in lines_of(page):
        if text in text_of(cs):
            return y, cs
    raise AssertionError(f"no line with {text!r} on page {page.page_number}")


def test_fonts_are_there(require):
    for role in fonts.ROLES:
        try:
            fonts.resolve(role)
        except fonts.FontError as exc:
            need(False, f"a font for {role} ({exc})")


# ------------------------------------------------------------------ text
def test_every_seed_sentence_in_order(pdf):
    """Every sentence of the seed's notice (up to 附件1, then 填写说明 and 版记) is printed, in order."""
    head, tail = seed_parts()
    text = running_text(pdf)
    pos = 0
    for s in sentences(head) + sentences(tail):
        found = text.find(s, pos)
        assert found >= 0, f"missing or out of order: {s}"
        pos = found + len(s)


def test_blank_tables_match_the_published_form(pdf):
    form = load_form(2024)
    pages = [p for p in pdf.pages if p.width > p.height]
    assert pages, "附件1 is printed on landscape pages"
    text = squash("".join(text_of(cs) for p in pages for _, cs in lines_of(p)))
    cells = {squash(c or "") for p in pages for t in p.extract_tables() for row in t for c in row}
    for table in form.tables:
        assert squash(table.definition.title) in text and squash(table.definition.subtitle) in text
        for col in table.printed():
            assert squash(col.title) in cells, col.title
        category = table.column("category")
        for choice in category.choices if category is not None else ():
            name = squash(choice.name)
            assert name in cells or any(name == squash(v) for v in choice.variants), choice.id
        for preset in table.presets:
            assert squash(preset.values()["name"]) in cells, preset.id
    assert "可加行" in cells


# ------------------------------------------------------------------ 版头
def test_logo_red_centred_72mm_from_the_top(pdf, lay):
    page = pdf.pages[0]
    _y, cs = line_with(page, "广东省市场监督管理局文件")
    assert all(c["non_stroking_color"] in ((1, 0, 0), [1, 0, 0], (1.0, 0.0, 0.0)) for c in cs)
    top = min(em_top_of(c) for c in cs)
    assert L.pt_to_mm(top) == pytest.approx(L.LOGO_TOP_FROM_PAGE_TOP_MM, abs=TOL_MM)
    assert cs[0]["x0"] >= LEFT - 0.5 and cs[-1]["x1"] <= RIGHT + 0.5  # never wider than the 版心
    centre = (cs[0]["x0"] + cs[-1]["x1"]) / 2
    assert centre == pytest.approx((LEFT + RIGHT) / 2, abs=mm(1))
    assert role_of(cs[0]) == "xiaobiaosong"


def test_doc_number_two_lines_under_the_logo_and_the_red_rule(pdf, lay):
    page = pdf.pages[0]
    _, logo = line_with(page, "广东省市场监督管理局文件")
    _y, cs = line_with(page, "粤市监知促〔2023〕233号")
    assert cs[0]["size"] == pytest.approx(L.DOC_NUMBER_SIZE_PT, abs=0.01) and role_of(cs[0]) == "fangsong"
    assert (cs[0]["x0"] + cs[-1]["x1"]) / 2 == pytest.approx((LEFT + RIGHT) / 2, abs=mm(1))
    logo_bottom = max(em_top_of(c) + c["size"] for c in logo)
    docno_top = min(em_top_of(c) for c in cs)
    # two blank lines between: the gap is about two line pitches (the 字号 sits mid-line)
    assert docno_top - logo_bottom == pytest.approx(L.lines(2) + (L.LINE_PITCH_PT - 16) / 2, abs=2)
    red = [
        r
        for r in page.rects
        if tuple(r["non_stroking_color"] or ()) == (1, 0, 0) or tuple(r.get("stroking_color") or ()) == (1, 0, 0)
    ]
    assert len(red) == 1, red
    rule = red[0]
    docno_em_bottom = max(em_top_of(c) + c["size"] for c in cs)
    assert L.pt_to_mm(rule["top"] - docno_em_bottom) == pytest.approx(L.RED_RULE_BELOW_DOC_NUMBER_MM, abs=0.3)
    assert L.pt_to_mm(rule["x0"]) == pytest.approx(L.MARGIN_LEFT_MM, abs=0.2)
    assert L.pt_to_mm(rule["width"]) == pytest.approx(L.RED_RULE_WIDTH_MM, abs=0.2)
    lo, hi = L.RED_RULE_THICKNESS_RANGE_MM
    assert lo - 0.01 <= L.pt_to_mm(rule["height"]) <= hi + 0.01


def test_title_22pt_two_lines_below_the_rule(pdf):
    page = pdf.pages[0]
    rule = next(r for r in page.rects if tuple(r["non_stroking_color"] or ()) == (1, 0, 0))
    y1, first = line_with(page, "广东省市场监督管理局关于征集")
    y2, second = line_with(page, "2024年度知识产权工作项目需求的通知")
    assert all(abs(c["size"] - L.TITLE_SIZE_PT) < 0.01 for c in first + second)
    assert {role_of(c) for c in first + second} == {"xiaobiaosong"}
    for cs in (first, second):
        assert (cs[0]["x0"] + cs[-1]["x1"]) / 2 == pytest.approx((LEFT + RIGHT) / 2, abs=mm(1))
    # trapezoid: the shorter line on top
    assert first[-1]["x1"] - first[0]["x0"] < second[-1]["x1"] - second[0]["x0"]
    line_top = rule["bottom"] + L.lines(L.TITLE_GAP_LINES)
    assert y1 == pytest.approx(line_top + (L.LINE_PITCH_PT - 22) / 2 + 0.88 * 22, abs=1)
    assert y2 - y1 == pytest.approx(L.LINE_PITCH_PT, abs=0.2)


# ------------------------------------------------------------------ body grid
def body_lines(pdf, pages=range(0, 5)):
    out = []
    for i in pages:
        page = pdf.pages[i]
        for y, cs in lines_of(page):
            if y < page_number_y() and abs(cs[0]["size"] - L.BODY_SIZE_PT) < 0.01:
                out.append((i, y, cs))
    return out


def test_body_16pt_on_the_28_95pt_grid_with_28_characters(pdf):
    lines = body_lines(pdf)
    assert len(lines) > 60
    pitches = [b[1] - a[1] for a, b in itertools.pairwise(lines) if a[0] == b[0] and b[1] - a[1] < 31]
    assert statistics.median(pitches) == pytest.approx(L.LINE_PITCH_PT, abs=0.1)
    assert statistics.mean(pitches) == pytest.approx(L.LINE_PITCH_PT, abs=0.05)
    full = [
        cs
        for _, _, cs in lines
        if cs[0]["x0"] == pytest.approx(LEFT, abs=0.5)
        and cs[-1]["x1"] == pytest.approx(RIGHT, abs=1.0)
        and all(ord(c["text"]) > 0x2000 for c in cs)
    ]
    assert full, "no full body line"
    assert {len(cs) for cs in full} == {L.CHARS_PER_LINE}
    for _, _, cs in lines:
        assert cs[-1]["x1"] <= RIGHT + 0.5, text_of(cs)  # no hanging punctuation
        assert cs[0]["x0"] >= LEFT - 0.5
    advance = (full[0][-1]["x0"] - full[0][0]["x0"]) / (L.CHARS_PER_LINE - 1)
    assert advance == pytest.approx(L.CHAR_PITCH_PT, abs=0.02)


def test_lines_per_page(pdf):
    lines = [b for b in body_lines(pdf, range(1, 4))]
    per_page = {i: sum(1 for b in lines if b[0] == i) for i in range(1, 4)}
    assert max(per_page.values()) == L.LINES_PER_PAGE


def test_heading_fonts_and_run_in_lead(pdf):
    page = pdf.pages[1]
    _, h1 = line_with(page, "一、项目设置总体思路")
    assert {role_of(c) for c in h1} == {"heiti"}
    assert h1[0]["x0"] == pytest.approx(LEFT + 2 * L.CHAR_PITCH_PT, abs=0.5)  # indented 2 字
    _, lead = line_with(page, "（一）坚持质量优先。")
    t = text_of(lead)
    k = t.index("（一）坚持质量优先。")
    assert {role_of(c) for c in lead[k : k + 10]} == {"kaiti"}
    assert {role_of(c) for c in lead[k + 10 :]} == {"fangsong"}  # only the heading sentence is 楷体


def test_attachment_note_and_signature(pdf):
    page = next(p for p in pdf.pages[:6] if "附件：" in "".join(c["text"] for c in p.chars))
    y1, first = line_with(page, "附件：")
    t = text_of(first)
    assert first[0]["x0"] == pytest.approx(LEFT + 2 * L.CHAR_PITCH_PT, abs=0.5)
    name_x = first[t.index("2024")]["x0"]
    lines = [(y, cs) for y, cs in lines_of(page) if y > y1]
    wrapped = [cs for y, cs in lines[:2]]
    assert wrapped[0][0]["x0"] == pytest.approx(name_x, abs=0.5)  # wraps under the name
    y2, second = line_with(page, "2.2024年知识产权专项经费使用计划表填写说明")
    assert second[0]["x0"] == pytest.approx(first[t.index("1.")]["x0"], abs=0.5)  # 2. under 1.
    # unsealed: signature 右空二字, one blank line below; date starts 2 字 right of it
    ys, sig = line_with(page, "广东省市场监督管理局")
    yd, date = line_with(page, "2023年5月24日")
    assert sig[-1]["x1"] == pytest.approx(RIGHT - 2 * L.CHAR_PITCH_PT, abs=1)
    assert date[0]["x0"] - sig[0]["x0"] == pytest.approx(2 * L.CHAR_PITCH_PT, abs=1.5)
    assert ys - y2 == pytest.approx(2 * L.LINE_PITCH_PT, abs=0.5)
    assert yd - ys == pytest.approx(L.LINE_PITCH_PT, abs=0.2)
    yn, note = line_with(page, "（联系人：")
    assert yn - yd == pytest.approx(L.LINE_PITCH_PT, abs=0.2)
    assert note[0]["x0"] == pytest.approx(LEFT + 2 * L.CHAR_PITCH_PT, abs=0.5)


# ------------------------------------------------------------------ attachments and 版记
def test_attachments_start_new_pages_with_label_and_title(pdf):
    firsts = [(i, p) for i, p in enumerate(pdf.pages) if lines_of(p) and text_of(lines_of(p)[0][1]).startswith("附件")]
    labels = [text_of(lines_of(p)[0][1]) for _, p in firsts]
    assert labels == ["附件1", "附件2"]
    (i1, p1), (i2, p2) = firsts
    assert p1.width > p1.height and p2.width < p2.height  # 附件1 landscape, 附件2 portrait
    assert all(p.width > p.height for p in pdf.pages[i1:i2])
    for p in (p1, p2):
        y_label, label = lines_of(p)[0]
        assert {role_of(c) for c in label} == {"heiti"}
        top = mm(L.LANDSCAPE_MARGIN_TOP_MM if p.width > p.height else L.MARGIN_TOP_MM)
        assert y_label == pytest.approx(top + (L.LINE_PITCH_PT - 16) / 2 + 0.88 * 16, abs=0.5)  # line 1
        y_title, title = lines_of(p)[1]
        assert title[0]["size"] == pytest.approx(L.TITLE_SIZE_PT, abs=0.01)
        assert y_title == pytest.approx(top + 2 * L.LINE_PITCH_PT + (L.LINE_PITCH_PT - 22) / 2 + 0.88 * 22, abs=0.5)
    # the title breaks between words where the seed breaks it (views.notice.title_lines)
    assert [text_of(cs) for _, cs in lines_of(p2)[1:3]] == ["2024年知识产权专项经费使用计划表", "填写说明"]


def test_banji_on_the_last_page_bottom(pdf):
    page = pdf.pages[-1]
    rules = sorted(
        (r for r in page.rects if r["width"] == pytest.approx(mm(L.TEXT_WIDTH_MM), abs=0.5) and r["height"] < 2),
        key=lambda r: r["top"],
    )
    rules = [r for r in page.rects if r["width"] == pytest.approx(mm(L.TEXT_WIDTH_MM), abs=0.5)]
    bottom = max(r["bottom"] for r in rules)
    assert L.pt_to_mm(bottom) == pytest.approx(L.MARGIN_TOP_MM + L.TEXT_HEIGHT_MM, abs=0.3)
    assert all(L.pt_to_mm(r["x0"]) == pytest.approx(L.MARGIN_LEFT_MM, abs=0.2) for r in rules)
    yp, _pub = line_with(page, "公开方式：主动公开")
    yc, cc = line_with(page, "抄送：省档案馆。")
    yi, printer = line_with(page, "广东省市场监督管理局办公室")
    assert yp < yc < yi
    top_rule = min(r["top"] for r in rules)
    assert yp < top_rule < yc  # 公开方式 above the rules
    assert all(abs(c["size"] - L.BANJI_SIZE_PT) < 0.01 for c in cc + printer)
    assert cc[0]["x0"] == pytest.approx(LEFT + L.BANJI_INDENT_PT, abs=0.5)
    assert printer[0]["x0"] == pytest.approx(LEFT + L.BANJI_INDENT_PT, abs=0.5)
    t = text_of(printer)
    assert t.endswith("2023年5月25日印发")
    assert printer[-1]["x1"] == pytest.approx(RIGHT - L.BANJI_INDENT_PT, abs=0.5)
    assert yi < bottom


def test_page_numbers(pdf):
    """ "— N —" 宋体 4号, the line's em top 269 mm from the top; odd right, even left, 1 字 in;
    landscape pages carry it turned along the left edge."""
    for n, page in enumerate(pdf.pages, start=1):
        if page.width > page.height:
            turned = [c for c in page.chars if abs(c["matrix"][1]) > 0.5 and c["text"] in "—0123456789"]
            digits = "".join(c["text"] for c in sorted(turned, key=lambda c: c["top"]) if c["text"].isdigit())
            assert digits == str(n), (n, digits)
            assert all(c["x1"] <= mm(L.LANDSCAPE_PAGE_NUMBER_TOP_FROM_PAGE_LEFT_MM) + 0.5 for c in turned)
            continue
        y, cs = lines_of(page)[-1]
        assert re.sub(r"\s", "", text_of(cs)) == f"—{n}—", n
        assert all(abs(c["size"] - L.PAGE_NUMBER_SIZE_PT) < 0.01 for c in cs)
        assert {role_of(c) for c in cs} == {"songti"}
        em_top = y - em_metrics("songti")[0] * L.PAGE_NUMBER_SIZE_PT
        assert L.pt_to_mm(em_top) == pytest.approx(L.PAGE_NUMBER_TOP_FROM_PAGE_TOP_MM, abs=TOL_MM)
        if n % 2:
            assert cs[-1]["x1"] == pytest.approx(RIGHT - L.PAGE_NUMBER_INSET_PT, abs=1)
        else:
            assert cs[0]["x0"] == pytest.approx(LEFT + L.PAGE_NUMBER_INSET_PT, abs=1)


def test_metadata_and_source_attached(seed_rendered):
    import io

    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(seed_rendered["pdf"]))
    assert reader.metadata.title == "广东省市场监督管理局关于征集2024年度知识产权工作项目需求的通知"
    assert "2023-233.yaml" in reader.attachments


# ------------------------------------------------------------------ the second notice
def test_signed_notice_head_and_seal(signed_pdf, signed_rendered):
    page = signed_pdf.pages[0]
    lines = lines_of(page)
    top = mm(L.MARGIN_TOP_MM)
    for k, text in enumerate(("000016", "秘密★1年", "特急")):
        y, cs = lines[k]
        assert text_of(cs) == text
        assert cs[0]["x0"] == pytest.approx(LEFT, abs=0.5)
        assert y == pytest.approx(top + k * L.LINE_PITCH_PT + (L.LINE_PITCH_PT - 16) / 2 + 0.88 * 16, abs=0.5)
    assert {role_of(c) for c in lines[1][1]} == {"heiti"}
    y, docno = line_with(page, "签发人：")
    t = text_of(docno)
    assert t.startswith("示市监知〔2024〕18号") and t.endswith("签发人：李明远")
    assert docno[0]["x0"] == pytest.approx(LEFT + L.CHAR_PITCH_PT, abs=0.5)  # 居左空一字
    assert docno[-1]["x1"] == pytest.approx(RIGHT - L.CHAR_PITCH_PT, abs=0.5)  # 居右空一字
    assert {role_of(c) for c in docno[-3:]} == {"kaiti"}
    # the seal presses on the signature and the date
    sig_page = next(p for p in signed_pdf.pages if p.images)
    img = sig_page.images[0]
    _, sig = line_with(sig_page, "示例省市场监督管理局")
    _, date = line_with(sig_page, "2024年6月12日")
    for cs in (sig, date):
        assert img["x0"] < cs[0]["x0"] + 20 and img["x1"] > cs[-1]["x1"] - 20
        assert img["top"] < cs[0]["top"] and img["bottom"] > cs[0]["bottom"]
    assert L.pt_to_mm(img["x1"] - img["x0"]) == pytest.approx(42, abs=0.5)
    # date 右空四字, signature centred over it
    assert date[-1]["x1"] == pytest.approx(RIGHT - 4 * L.CHAR_PITCH_PT, abs=1)
    centre = lambda cs: (cs[0]["x0"] + cs[-1]["x1"]) / 2  # noqa: E731
    assert centre(sig) == pytest.approx(centre(date), abs=3)
    # the seal's top within one line of the text above
    above = max(y for y, cs in lines_of(sig_page) if y < img["top"])
    assert img["top"] - above < L.LINE_PITCH_PT
    assert "xlsx" not in signed_rendered  # a notice has no spreadsheet


def test_signed_notice_reproducible(signed_rendered):
    again = render_file(SIGNED_NOTICE, Options(formats=("pdf", "docx")))
    assert again.outputs["pdf"] == signed_rendered["pdf"]
    assert again.outputs["docx"] == signed_rendered["docx"]
