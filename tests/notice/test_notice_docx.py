"""The notice DOCX read back with python-docx/lxml, and opened by LibreOffice."""

from __future__ import annotations

import io
import re
import subprocess
import zipfile

import pytest
from docx import Document
from docx.oxml.ns import qn

from docgen.fonts import docx_names
from docgen.layout import gbt9704 as L
from docgen.notice.docx import CHAR_SPACING_TWIPS, TEMPLATE, build_template
from docgen.paths import TEMPLATES_DIR
from docgen.reproducible import FIXED_ZIP_TIME
from notice_helpers import need
from notice_helpers import seed_lo_pdf, seed_rendered, signed_lo_pdf, signed_rendered  # noqa: F401 (fixtures)

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


@pytest.fixture(scope="module")
def doc(seed_rendered):
    return Document(io.BytesIO(seed_rendered["docx"]))


@pytest.fixture(scope="module")
def signed(signed_rendered):
    return Document(io.BytesIO(signed_rendered["docx"]))


def text(doc) -> str:
    return "\n".join(p.text for p in doc.paragraphs)


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
        "top": L.twips(L.MARGIN_TOP_MM), "left": L.twips(L.MARGIN_LEFT_MM),
        "right": L.twips(L.MARGIN_RIGHT_MM), "bottom": L.twips(L.MARGIN_BOTTOM_MM)}
    grid = body_sect.find(qn("w:docGrid"))
    assert grid.get(qn("w:type")) == "linesAndChars"
    assert grid.get(qn("w:linePitch")) == "579"
    assert int(grid.get(qn("w:charSpace"))) == L.DOCX_CHAR_SPACE
    # 28 characters of 16 pt + charSpace fill the 版心
    assert 28 * (16 + L.DOCX_CHAR_SPACE / 4096) == pytest.approx(L.TEXT_WIDTH_PT, abs=0.1)
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
    runs += [r for t in doc.tables for row in t.rows for c in row.cells for p in c.paragraphs for r in p.runs
             if r.text.strip()]
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
    assert footer_mm + L.pt_to_mm(L.PAGE_NUMBER_SIZE_PT) == pytest.approx(L.PAGE_NUMBER_TOP_FROM_PAGE_BOTTOM_MM, abs=0.1)


def test_banji_in_the_flow_with_rules(doc):
    body = doc.element.body
    last_sect = body.find(qn("w:sectPr"))
    assert last_sect.find(qn("w:vAlign")).get(qn("w:val")) == "bottom"
    paras = doc.paragraphs
    cc = next(p for p in paras if p.text == "抄送：省档案馆。")
    printer = next(p for p in paras if p.text.startswith("广东省市场监督管理局办公室"))
    assert printer.text == "广东省市场监督管理局办公室\t2023年5月25日印发"
    assert paras.index(cc) < paras.index(printer)
    pub = next(p for p in paras if p.text == "公开方式：主动公开")
    assert paras.index(pub) < paras.index(cc)
    rules = [p for p in paras if p._p.pPr is not None and p._p.pPr.find(qn("w:pBdr")) is not None
             and paras.index(p) > paras.index(pub)]
    widths = [int(p._p.pPr.find(qn("w:pBdr")).find(qn("w:bottom")).get(qn("w:sz"))) for p in rules]
    assert len(widths) == 3 and widths[0] == widths[2] > widths[1]  # thick, thin, thick
    assert paras.index(rules[0]) < paras.index(cc) < paras.index(rules[1]) < paras.index(printer) < paras.index(rules[2])
    for p in rules:  # no indent: the rule spans the 版心
        ind = p._p.pPr.find(qn("w:ind"))
        assert ind is None or all(int(ind.get(qn(f"w:{k}"), "0")) == 0 for k in ("left", "right"))
    assert body.find(qn("w:tbl") + "[last()]") is None or doc.tables[-1]._tbl.getnext() is not None


def test_all_text_in_the_docx(doc, seed_rendered):
    from notice_helpers import seed_parts, sentences

    all_text = re.sub(r"\s+", "", text(doc))
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


def test_libreoffice_opens_the_docx_with_the_same_page_count(seed_lo_pdf, seed_rendered, require_tool):
    require_tool("pdfinfo")
    import pdfplumber

    with pdfplumber.open(io.BytesIO(seed_rendered["pdf"])) as pdf:
        ours = len(pdf.pages)
    theirs = _pages(seed_lo_pdf)
    assert abs(theirs - ours) <= 1, (theirs, ours)
    lo_text = subprocess.run(["pdftotext", str(seed_lo_pdf), "-"], capture_output=True, text=True).stdout
    squashed = re.sub(r"\s+", "", lo_text)
    for needle in ("广东省市场监督管理局文件", "粤市监知促〔2023〕233号", "抄送：省档案馆。", "2023年5月25日印发",
                   "公开方式：主动公开"):
        assert needle in squashed, needle  # the 版记 survives LibreOffice


def test_libreoffice_signed(signed_lo_pdf, signed_rendered, require_tool):
    require_tool("pdfinfo")
    import pdfplumber

    with pdfplumber.open(io.BytesIO(signed_rendered["pdf"])) as pdf:
        ours = len(pdf.pages)
    assert abs(_pages(signed_lo_pdf) - ours) <= 1
    with pdfplumber.open(signed_lo_pdf) as lo:
        assert any(p.images for p in lo.pages), "the seal is lost"
