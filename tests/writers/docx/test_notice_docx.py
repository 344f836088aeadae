"""The notice DOCX read back with python-docx/lxml, and opened by LibreOffice."""

from __future__ import annotations

import io
import re
import subprocess
import zipfile

import pytest
from docx import Document
from docx.oxml.ns import qn
from notice_helpers import (  # noqa: F401 (fixtures)
    SEED_NOTICE,
    SIGNED_NOTICE,
    lines_of,
    need,
    seed_lo_pdf,
    seed_rendered,
    signed_lo_pdf,
    signed_rendered,
    text_of,
)

from docgen.check.notice import load_notice
from docgen.io.paths import TEMPLATES_DIR
from docgen.io.reproducible import FIXED_ZIP_TIME
from docgen.standard import gbt9704 as L
from docgen.standard.fonts import docx_names
from docgen.views.notice import build_notice_view
from docgen.writers.docx.notice import CHAR_SPACING_TWIPS, TEMPLATE, build_template

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
WP = "{http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing}"
WPS = "{http://schemas.microsoft.com/office/word/2010/wordprocessingShape}"


@pytest.fixture(scope="module")
def doc(seed_rendered):
    return Document(io.BytesIO(seed_rendered["docx"]))


@pytest.fixture(scope="module")
def signed(signed_rendered):
    return Document(io.BytesIO(signed_rendered["docx"]))


def text(doc) -> str:
    """The body's text, the 版记's text box (anchored in the last paragraph) included."""
    out = []
    for p in doc.paragraphs:
        out.append(p.text)
        for box in p._p.iter(W + "txbxContent"):
            out += ["".join(t.text for t in q.iter(W + "t")) for q in box.iter(W + "p")]
    return "\n".join(out)


def test_template_is_current(tmp_path):
    """templates/docx/notice.docx is what build_template makes (rerun scripts/make_docx_templates.py notice.docx)."""
    fresh = build_template(tmp_path / "notice.docx").read_bytes()
    assert (TEMPLATES_DIR / TEMPLATE).read_bytes() == fresh


def test_reproducible_zip(seed_rendered):
    z = zipfile.ZipFile(io.BytesIO(seed_rendered["docx"]))
    assert {i.date_time for i in z.infolist()} == {FIXED_ZIP_TIME}
    core = z.read("docProps/core.xml").decode()
    assert "2000-01-01T00:00:00Z" in core and "广东省市场监督管理局" in core  # fixed, never the clock


def test_portrait_sections_margins_and_grid(doc):
    body_sect = doc.sections[0]._sectPr
    pg = body_sect.find(qn("w:pgSz"))
    assert (int(pg.get(qn("w:w"))), int(pg.get(qn("w:h")))) == (L.twips(210), L.twips(297))
    mar = body_sect.find(qn("w:pgMar"))
    assert {k: int(mar.get(qn(f"w:{k}"))) for k in ("top", "left", "right", "bottom")} == {
        "top": L.twips(L.MARGIN_TOP_MM),
        "left": L.twips(L.MARGIN_LEFT_MM),
        "right": L.twips(L.MARGIN_RIGHT_MM),
        "bottom": L.twips(L.MARGIN_BOTTOM_MM),
    }
    grid = body_sect.find(qn("w:docGrid"))
    assert grid.get(qn("w:type")) == "linesAndChars"
    assert grid.get(qn("w:linePitch")) == "579"
    assert int(grid.get(qn("w:charSpace"))) == L.DOCX_CHAR_SPACE
    # 28 characters of 16 pt + charSpace fill the 版心
    assert pytest.approx(L.TEXT_WIDTH_PT, abs=0.1) == 28 * (16 + L.DOCX_CHAR_SPACE / 4096)
    # explicit run spacing sets 28 characters where paragraphs do not snap (LibreOffice)
    assert 28 * (16 + CHAR_SPACING_TWIPS / 20) <= L.TEXT_WIDTH_PT < 29 * (16 + CHAR_SPACING_TWIPS / 20)


def test_landscape_section_for_the_tables(doc):
    kinds = []
    for s in doc.sections:
        pg = s._sectPr.find(qn("w:pgSz"))
        kinds.append("L" if pg.get(qn("w:orient")) == "landscape" else "P")
    assert kinds[:3] == ["P", "L", "P"]
    land = doc.sections[1]._sectPr
    mar = land.find(qn("w:pgMar"))
    assert int(mar.get(qn("w:top"))) == L.twips(L.LANDSCAPE_MARGIN_TOP_MM)
    assert int(mar.get(qn("w:left"))) == L.twips(L.LANDSCAPE_MARGIN_LEFT_MM)
    # the turned page numbers of clause 8 live in the landscape section's own footers
    xml = doc.sections[1].footer._element.xml
    assert 'vert="vert"' in xml and "PAGE" in xml
    assert len(doc.tables) == 4
    assert all(t._tbl.find(qn("w:tr")).find(qn("w:trPr")).find(qn("w:tblHeader")) is not None for t in doc.tables)


def test_fonts_name_east_asia_everywhere_and_no_theme_fonts(seed_rendered):
    z = zipfile.ZipFile(io.BytesIO(seed_rendered["docx"]))
    for part in ("word/document.xml", "word/styles.xml"):
        xml = z.read(part).decode()
        assert "Theme=" not in xml and "w:cstheme" not in xml, part
    doc = Document(io.BytesIO(seed_rendered["docx"]))
    official = {docx_names(r)["eastAsia"] for r in ("fangsong", "kaiti", "heiti", "xiaobiaosong", "songti")}
    runs = [r for p in doc.paragraphs for r in p.runs if r.text.strip()]
    runs += [
        r
        for t in doc.tables
        for row in t.rows
        for c in row.cells
        for p in c.paragraphs
        for r in p.runs
        if r.text.strip()
    ]
    assert runs
    for r in runs:
        rf = r._r.rPr.find(qn("w:rFonts"))
        assert rf is not None and rf.get(qn("w:eastAsia")) in official, r.text
        assert rf.get(qn("w:ascii")) == rf.get(qn("w:eastAsia"))
    by_text = {r.text: r._r.rPr.find(qn("w:rFonts")).get(qn("w:eastAsia")) for r in runs}
    assert by_text["广东省市场监督管理局文件"] == "方正小标宋简体"
    assert by_text["一、项目设置总体思路"] == "黑体"
    assert by_text["（一）坚持质量优先。"] == "楷体_GB2312"
    assert by_text["粤市监知促〔2023〕233号"] == "仿宋_GB2312"


def test_no_hanging_punctuation(seed_rendered):
    styles = zipfile.ZipFile(io.BytesIO(seed_rendered["docx"])).read("word/styles.xml").decode()
    assert '<w:overflowPunct w:val="0"/>' in styles
    doc = Document(io.BytesIO(seed_rendered["docx"]))
    for name in ("Normal", "Notice Body", "Notice Heading 1"):
        ppr = doc.styles[name].element.find(qn("w:pPr"))
        assert ppr.find(qn("w:overflowPunct")).get(qn("w:val")) == "0"


def test_red_logo_and_red_rule(doc):
    logo = next(p for p in doc.paragraphs if p.text == "广东省市场监督管理局文件")
    color = logo.runs[0]._r.rPr.find(qn("w:color")).get(qn("w:val"))
    assert color.upper() == L.RED_HEX
    docno = next(p for p in doc.paragraphs if p.text == "粤市监知促〔2023〕233号")
    bottom = docno._p.pPr.find(qn("w:pBdr")).find(qn("w:bottom"))
    assert bottom.get(qn("w:color")).upper() == L.RED_HEX
    lo, hi = L.RED_RULE_THICKNESS_RANGE_MM
    assert lo <= L.pt_to_mm(int(bottom.get(qn("w:sz"))) / 8) <= hi + 0.02
    title = next(p for p in doc.paragraphs if p.text.startswith("广东省市场监督管理局关于征集"))
    assert title.text == "广东省市场监督管理局关于征集\n2024年度知识产权工作项目需求的通知"


def test_odd_and_even_footers(doc, seed_rendered):
    settings = zipfile.ZipFile(io.BytesIO(seed_rendered["docx"])).read("word/settings.xml").decode()
    assert "<w:evenAndOddHeaders/>" in settings
    s = doc.sections[0]
    for footer, align, side in ((s.footer, "right", "right"), (s.even_page_footer, "left", "left")):
        p = footer._element.find(qn("w:p"))
        xml = footer._element.xml
        assert "PAGE" in xml and "\u2014 " in xml and " \u2014" in xml
        assert p.find(qn("w:pPr")).find(qn("w:jc")).get(qn("w:val")) == align
        ind = p.find(qn("w:pPr")).find(qn("w:ind"))
        assert int(ind.get(qn(f"w:{side}"))) == round(L.PAGE_NUMBER_INSET_PT * 20)
        rpr = p.findall(qn("w:r"))[0].find(qn("w:rPr"))
        assert rpr.find(qn("w:rFonts")).get(qn("w:eastAsia")) == "宋体"
        assert rpr.find(qn("w:sz")).get(qn("w:val")) == "28"  # 14 pt
    footer_mm = L.pt_to_mm(int(s._sectPr.find(qn("w:pgMar")).get(qn("w:footer"))) / 20)
    assert footer_mm + L.pt_to_mm(L.PAGE_NUMBER_SIZE_PT) == pytest.approx(
        L.PAGE_NUMBER_TOP_FROM_PAGE_BOTTOM_MM, abs=0.1
    )


def _banji_box(doc):
    """(the paragraph reserving the 版记's room, the wp:anchor of its text box)."""
    spacer = doc.paragraphs[-1]
    anchors = spacer._p.findall(".//" + WP + "anchor")
    assert len(anchors) == 1, "the 版记's text box is anchored in the last paragraph"
    return spacer, anchors[0]


def test_banji_in_a_text_box_carried_by_the_flow(doc, seed_rendered):
    body = doc.element.body
    assert all(s.find(qn("w:vAlign")) is None for s in body.iter(qn("w:sectPr")))  # LibreOffice ignores it
    spacer, anchor = _banji_box(doc)
    notice = load_notice(SEED_NOTICE)
    # the in-flow paragraph reserves (at least) the 版记's height: it never covers text
    sp = spacer._p.pPr.find(qn("w:spacing"))
    assert sp.get(qn("w:lineRule")) == "exact"
    assert int(sp.get(qn("w:line"))) / 20 >= build_notice_view(notice).banji.height_pt
    assert anchor.get("behindDoc") == "0" and anchor.find(WP + "wrapNone") is not None
    assert anchor.find(WP + "docPr").get("descr") == "版记"
    pos_h, pos_v = anchor.find(WP + "positionH"), anchor.find(WP + "positionV")
    assert pos_h.get("relativeFrom") == "margin" and int(pos_h.find(WP + "posOffset").text) == 0
    assert pos_v.get("relativeFrom") == "page"
    ext = anchor.find(WP + "extent")
    assert int(ext.get("cx")) == L.emu(L.TEXT_WIDTH_MM)
    body_pr = anchor.find(".//" + WPS + "bodyPr")
    assert body_pr.get("anchor") == "b" and all(body_pr.get(k) == "0" for k in ("lIns", "tIns", "rIns", "bIns"))
    # its bottom is the 版心's bottom edge (text set at the box's bottom; 校对 inside the 版记)
    bottom_mm = (int(pos_v.find(WP + "posOffset").text) + int(ext.get("cy"))) / 36000
    assert bottom_mm == pytest.approx(L.MARGIN_TOP_MM + L.TEXT_HEIGHT_MM, abs=0.01)

    paras = anchor.findall(".//" + W + "p")
    texts = ["".join(t.text for t in q.iter(qn("w:t"))) for q in paras]
    assert texts == [
        "公开方式：主动公开",
        "",
        "抄送：省档案馆。",
        "",
        "校对：牛晨蕾",
        "",
        "广东省市场监督管理局办公室\t2023年5月25日印发",
        "",
    ]
    rules = [q for q, t in zip(paras, texts) if not t]
    widths = [int(q.find(qn("w:pPr")).find(qn("w:pBdr")).find(qn("w:bottom")).get(qn("w:sz"))) for q in rules]
    assert widths[0] == widths[3] > widths[1] == widths[2]  # thick, thin (抄送), thin (校对), thick
    for q in rules:  # no indent: the rule spans the 版心
        ind = q.find(qn("w:pPr")).find(qn("w:ind"))
        assert ind is None or all(int(ind.get(qn(f"w:{k}"), "0")) == 0 for k in ("left", "right"))
    for q, t in zip(paras, texts):
        for r in q.iter(qn("w:r")):
            assert r.find(qn("w:rPr")).find(qn("w:rFonts")).get(qn("w:eastAsia")) == "仿宋_GB2312", t
    # the printer line: agency 1 字 in, the date ending 1 字 before the right edge (a right tab
    # counts from the margin, not from the indent)
    printer = paras[texts.index("广东省市场监督管理局办公室\t2023年5月25日印发")].find(qn("w:pPr"))
    tab = printer.find(qn("w:tabs")).find(qn("w:tab"))
    assert int(tab.get(qn("w:pos"))) == round((L.TEXT_WIDTH_PT - L.BANJI_INDENT_PT) * 20)
    assert int(printer.find(qn("w:ind")).get(qn("w:right"))) == round(L.BANJI_INDENT_PT * 20)


def test_all_text_in_the_docx(doc, seed_rendered):
    from notice_helpers import seed_parts, sentences

    all_text = re.sub(r"\s+", "", text(doc)).replace("\u2060", "")  # word joiners keep names whole
    head, tail = seed_parts()
    pos = 0
    for s in sentences(head) + sentences(tail):
        found = all_text.find(s, pos)
        assert found >= 0, s
        pos = found + len(s)


def test_signed_docx_head_and_seal(signed):
    t = text(signed)
    for part in ("000016", "秘密★1年", "特急", "签发人：李明远", "示市监知〔2024〕18号"):
        assert part in t
    assert len(signed.inline_shapes) == 0
    body = signed.element.body.xml
    assert "wp:anchor" in body and 'descr="印章"' in body and "wp:wrapNone" in body
    assert any(rel.reltype.endswith("/image") for rel in signed.part.rels.values())


def _pages(path) -> int:
    out = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    return int(re.search(r"Pages:\s+(\d+)", out).group(1))


EM_TOP = 0.88
"""Em-box top above the baseline, in em, of the faces LibreOffice uses here (Fandol, Noto CJK)."""
LO_TOL_MM = 0.5


@pytest.fixture(scope="module")
def lo_pdfs(seed_lo_pdf, signed_lo_pdf):
    """LibreOffice's PDFs of both notices, opened once."""
    import pdfplumber

    with pdfplumber.open(seed_lo_pdf) as seed, pdfplumber.open(signed_lo_pdf) as signed:
        yield {"seed": seed, "signed": signed}


def _baseline(page, ch) -> float:
    return page.height - ch["matrix"][5]


def _line(page, needle: str):
    for y, cs in lines_of(page):
        if needle in text_of(cs):
            return y, cs
    raise AssertionError(f"no line with {needle!r} on page {page.page_number}")


def _strokes(page, colour):
    """Horizontal rules of a colour as (x0, x1, top edge, bottom edge): LibreOffice draws paragraph
    borders as stroked lines (pdfplumber gives the stroke's centre and width), others as rects."""
    out = []
    for o in page.lines + page.rects:
        c = o.get("stroking_color")
        if o["object_type"] != "line":
            c = o.get("non_stroking_color") or c
        if c is None or len(c) != 3 or any(abs(a - b) > 0.02 for a, b in zip(c, colour)) or o["width"] < 100:
            continue
        half = o.get("linewidth", 0) / 2 if o["object_type"] == "line" else 0
        out.append((o["x0"], o["x1"], o["top"] - half, o["bottom"] + half))
    return sorted(set((round(a, 2), round(b, 2), round(c, 2), round(d, 2)) for a, b, c, d in out), key=lambda r: r[2])


@pytest.mark.libreoffice
@pytest.mark.parametrize("which", ["seed", "signed"])
def test_libreoffice_logo_72mm_and_red_rule_4mm_under_the_doc_number(which, lo_pdfs):
    """GB/T 9704: the 标志's top 35 mm below the 版心's top (72 mm from the paper's), the red rule 4 mm
    under the 字号 (from the 字号's em box to the rule's top edge), 156 mm from the 版心's left edge."""
    number = {"seed": "粤市监知促〔2023〕233号", "signed": "示市监知〔2024〕18号"}[which]
    page = lo_pdfs[which].pages[0]
    logo = next(cs for y, cs in lines_of(page) if cs[0]["size"] > 20 and "文件" in text_of(cs))
    assert all(tuple(c["non_stroking_color"]) == (1, 0, 0) for c in logo)
    logo_top = min(_baseline(page, c) - EM_TOP * c["size"] for c in logo)
    assert L.pt_to_mm(logo_top) == pytest.approx(L.LOGO_TOP_FROM_PAGE_TOP_MM, abs=LO_TOL_MM)
    _, docno = _line(page, number)
    em_bottom = max(_baseline(page, c) + (1 - EM_TOP) * c["size"] for c in docno)
    red = _strokes(page, (1, 0, 0))
    assert len(red) == 1, red
    x0, x1, top, _bottom = red[0]
    assert L.pt_to_mm(top - em_bottom) == pytest.approx(L.RED_RULE_BELOW_DOC_NUMBER_MM, abs=LO_TOL_MM)
    assert L.pt_to_mm(x0) == pytest.approx(L.MARGIN_LEFT_MM, abs=0.3)
    assert L.pt_to_mm(x1 - x0) == pytest.approx(L.RED_RULE_WIDTH_MM, abs=0.5)


@pytest.mark.libreoffice
@pytest.mark.parametrize("which", ["seed", "signed"])
def test_libreoffice_banji_at_the_foot_of_the_last_text_page(which, lo_pdfs):
    """The 版记 on the page where the last attachment ends (there is room on both), its last rule
    on the 版心's bottom edge, its rules spanning the 版心, 公开方式 above the first rule."""
    last_words, publicity, printer_date = {
        "seed": ("避免各级设置重复", "公开方式：主动公开", "2023年5月25日印发"),
        "signed": ("保护能力提升1700万元。", "公开方式：不予公开", "2024年6月13日印发"),
    }[which]
    page = lo_pdfs[which].pages[-1]
    y_text, _ = _line(page, last_words)
    rules = _strokes(page, (0, 0, 0))
    assert len(rules) == {"seed": 4, "signed": 3}[which], rules  # the seed's 校对 has its thin rule
    for x0, x1, _top, _bottom in rules:
        assert L.pt_to_mm(x0) == pytest.approx(L.MARGIN_LEFT_MM, abs=0.3)
        assert L.pt_to_mm(x1 - x0) == pytest.approx(L.BANJI_RULE_WIDTH_MM, abs=0.5)
    assert L.pt_to_mm(rules[-1][3]) == pytest.approx(L.MARGIN_TOP_MM + L.TEXT_HEIGHT_MM, abs=0.3)
    y_pub, _ = _line(page, publicity)
    y_print, printer = _line(page, printer_date)
    assert y_text < y_pub < rules[0][2] < y_print < rules[-1][2]
    right = L.mm_to_pt(L.MARGIN_LEFT_MM + L.TEXT_WIDTH_MM)
    assert printer[-1]["x1"] == pytest.approx(right - L.BANJI_INDENT_PT, abs=1)  # 右空一字
    assert printer[0]["x0"] == pytest.approx(L.mm_to_pt(L.MARGIN_LEFT_MM) + L.BANJI_INDENT_PT, abs=1)


@pytest.mark.libreoffice
def test_libreoffice_opens_the_docx_with_the_same_page_count(seed_lo_pdf, seed_rendered, require_tool):
    require_tool("pdfinfo")
    import pdfplumber

    with pdfplumber.open(io.BytesIO(seed_rendered["pdf"])) as pdf:
        ours = len(pdf.pages)
    theirs = _pages(seed_lo_pdf)
    # the portrait pages (notice, 附件2 with the 版记 sharing its last page) match; the landscape
    # tables of 附件1 take as many pages as each reader's table layout needs
    with pdfplumber.open(seed_lo_pdf) as lo, pdfplumber.open(io.BytesIO(seed_rendered["pdf"])) as pdf:
        portrait = [sum(1 for p in d.pages if p.width < p.height) for d in (lo, pdf)]
    assert portrait[0] == portrait[1], portrait
    assert abs(theirs - ours) <= 3, (theirs, ours)
    lo_text = subprocess.run(["pdftotext", str(seed_lo_pdf), "-"], capture_output=True, text=True).stdout
    squashed = re.sub(r"\s+", "", lo_text)
    for needle in (
        "广东省市场监督管理局文件",
        "粤市监知促〔2023〕233号",
        "抄送：省档案馆。",
        "2023年5月25日印发",
        "公开方式：主动公开",
    ):
        assert needle in squashed, needle  # the 版记 survives LibreOffice


@pytest.mark.libreoffice
def test_libreoffice_signed(signed_lo_pdf, signed_rendered, require_tool):
    require_tool("pdfinfo")
    import pdfplumber

    with pdfplumber.open(io.BytesIO(signed_rendered["pdf"])) as pdf:
        ours = len(pdf.pages)
    assert _pages(signed_lo_pdf) == ours
    with pdfplumber.open(signed_lo_pdf) as lo:
        assert any(p.images for p in lo.pages), "the seal is lost"
