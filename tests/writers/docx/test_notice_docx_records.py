"""The notice DOCX as Word (python-docx) and LibreOffice (its PDF, pdfplumber) read it, measured
against GB/T 9704 (issue 11): spacing and punctuation settings, tables, 附件2, the 附注, 校对.

LibreOffice 7.4's DOCX import maps two settings against the specification (writerfilter's
DomainMapper, measured here): ``w:overflowPunct w:val="0"`` turns LibreOffice's hanging
punctuation ON, and ``w:autoSpaceDE``/``w:autoSpaceDN`` are ignored. docgen writes what the
specification and Word mean (no hanging, no Asian–Latin auto-spacing); the tests below pin both
the settings and what LibreOffice makes of them.
"""

from __future__ import annotations

import io
import re

import pdfplumber
import pytest
from docx import Document
from notice_helpers import lines_of, seed_lo_pdf, seed_rendered, text_of  # noqa: F401 (fixtures)

from docgen.standard import gbt9704 as L

mm = L.mm_to_pt
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


@pytest.fixture(scope="module")
def doc(seed_rendered):
    return Document(io.BytesIO(seed_rendered["docx"]))


def _val(ppr, name):
    e = ppr.find(f"{W}{name}") if ppr is not None else None
    return None if e is None else e.get(f"{W}val")


def test_no_asian_latin_autospace_and_no_hanging_punctuation_for_word(doc):
    styles = doc.styles.element
    default = styles.find(f"{W}docDefaults/{W}pPrDefault/{W}pPr")
    assert _val(default, "autoSpaceDE") == "0" and _val(default, "autoSpaceDN") == "0"
    assert _val(default, "overflowPunct") == "0"
    for style in styles.findall(f"{W}style[@{W}type='paragraph']"):
        ppr = style.find(f"{W}pPr")
        if ppr is not None and ppr.find(f"{W}autoSpaceDE") is not None:
            assert _val(ppr, "autoSpaceDE") == "0"


def test_lead_of_instructions_bold(doc):
    runs = [r for p in doc.paragraphs for r in p.runs if r.text.startswith("1.类型。")]
    assert runs and all(r.bold for r in runs)
    assert not any(r.bold for p in doc.paragraphs for r in p.runs if r.text.startswith("目前将2024年"))


def test_instructions_title_broken_between_words(doc):
    (p,) = [
        p for p in doc.paragraphs if p.text.replace("\n", "").startswith("2024年知识产权专项经费使用计划表填写说明")
    ]
    assert p.text.split("\n") == ["2024年知识产权专项经费使用计划表", "填写说明"]


def test_table_cells_have_margins_one_vertical_alignment_and_amounts_right(doc):
    for table in doc.tables:
        mar = table._tbl.tblPr.find(f"{W}tblCellMar")
        assert int(mar.find(f"{W}top").get(f"{W}w")) >= 40 and int(mar.find(f"{W}bottom").get(f"{W}w")) >= 40
        for tr in table._tbl.findall(f"{W}tr"):
            assert {tc.find(f"{W}tcPr/{W}vAlign").get(f"{W}val") for tc in tr.findall(f"{W}tc")} == {"center"}


def test_note_kept_with_the_date(doc):
    paras = doc.paragraphs
    i = next(k for k, p in enumerate(paras) if p.text == "2023年5月24日")
    note = paras[i + 1]
    assert note.text.replace("\u2060", "").startswith("（联系人")
    assert paras[i].paragraph_format.keep_with_next is not False  # from the style: keep with next
    assert note.paragraph_format.keep_together


# ------------------------------------------------------------------ LibreOffice's rendering
@pytest.fixture(scope="module")
def lo(seed_lo_pdf):
    with pdfplumber.open(seed_lo_pdf) as pdf:
        yield pdf


@pytest.mark.libreoffice
def test_libreoffice_keeps_proofreader_inside_the_text_block(lo):
    page = lo.pages[-1]
    proof = [c for c in page.chars if c["text"] == "校"]
    assert proof, "no 校对 line"
    bottom = max(c["bottom"] for c in proof)
    assert L.pt_to_mm(bottom) <= L.MARGIN_TOP_MM + L.TEXT_HEIGHT_MM + 0.3


@pytest.mark.libreoffice
def test_libreoffice_note_with_the_date_and_names_whole(lo):
    for page in lo.pages:
        texts = [text_of(cs).replace(" ", "").replace("\u2060", "") for _, cs in lines_of(page)]
        if any(t.startswith("（联系人") for t in texts):
            assert "2023年5月24日" in texts
            joined = "|".join(texts)
            assert "陈|兵" not in joined and "牛|晨" not in joined and "晨|蕾" not in joined
            return
    raise AssertionError("no 附注 in LibreOffice's PDF")


@pytest.mark.libreoffice
def test_libreoffice_attachment2_title_and_table_glyphs_inside_cells(lo):
    titles = []
    for page in lo.pages:
        lines = [text_of(cs) for _, cs in lines_of(page)]
        if lines and lines[0] == "附件2":
            titles = lines[1:3]
    assert titles == ["2024年知识产权专项经费使用计划表", "填写说明"]
    for page in lo.pages:
        if page.width < page.height:
            continue
        rules = [e for e in page.edges if e["orientation"] == "h"]
        for ch in page.chars:
            if ch["text"].strip() and re.match(r"[\u4e00-\u9fff]", ch["text"]) and ch["size"] < 12:
                # no glyph's box crosses a row rule of its own column
                assert not any(
                    ch["top"] + 0.3 < e["top"] < ch["bottom"] - 0.3 and e["x0"] <= ch["x0"] and ch["x1"] <= e["x1"]
                    for e in rules
                ), (page.page_number, ch["text"])


@pytest.mark.libreoffice
def test_libreoffice_line_ends(lo):
    """Measured: lines never pass the 版心's right edge except by one hung 、，。 (LibreOffice's
    inverted overflowPunct import); 28 characters at most before it."""
    right = mm(L.MARGIN_LEFT_MM + L.TEXT_WIDTH_MM)
    for page in lo.pages:
        if page.width > page.height:
            continue
        for y, cs in lines_of(page):
            if y > mm(L.MARGIN_TOP_MM + L.TEXT_HEIGHT_MM) or not cs or cs[0]["size"] != 16:
                continue
            inside = [c for c in cs if c["x1"] <= right + 0.5]
            hung = [c for c in cs if c["x1"] > right + 0.5]
            assert len(hung) <= 1 and all(c["text"] in "，、。；：" for c in hung), text_of(cs)
            full = sum(1 for c in inside if ord(c["text"][0]) > 0x2E80)
            assert full <= 28


@pytest.mark.libreoffice
def test_libreoffice_prints_no_blank_page(lo):
    """Every page LibreOffice prints holds text besides its page number: the empty paragraph after a
    table that filled its page (and the section break's own) had started a page of its own."""
    for page in lo.pages:
        text = re.sub(r"[\s—\d]", "", page.extract_text() or "")
        assert text, f"page {page.page_number} of {len(lo.pages)} holds nothing but its page number"


@pytest.mark.libreoffice
def test_libreoffice_prints_as_many_pages_as_the_pdf(lo, seed_rendered):
    """Portrait pages (the notice, 附件2) exactly as many as the PDF's; the landscape tables one page
    more at most, for LibreOffice's own line breaking (next test): one cell of 表（四） takes a line
    more there, and with rows kept whole every later row moves one page on."""
    with pdfplumber.open(io.BytesIO(seed_rendered["pdf"])) as pdf:
        shape = [p.width < p.height for p in pdf.pages]
    lo_shape = [p.width < p.height for p in lo.pages]
    assert lo_shape.count(True) == shape.count(True)
    assert shape.count(False) <= lo_shape.count(False) <= shape.count(False) + 1


@pytest.mark.libreoffice
def test_libreoffice_fills_the_portrait_pages_as_the_pdf(lo, seed_rendered):
    """Each portrait page holds as many lines as the PDF's: the first page lost its last line to
    LibreOffice's widow control (on when w:widowControl is absent; the PDF's widows and orphans are 1)."""

    def lines(pdf) -> list[int]:
        return [len(lines_of(p)) for p in pdf.pages if p.width < p.height]

    with pdfplumber.open(io.BytesIO(seed_rendered["pdf"])) as pdf:
        assert lines(lo) == lines(pdf)


def rows_per_landscape_page(pdf) -> list[int]:
    """How many table rows (the header's included) each landscape page holds: the gaps between its
    horizontal rules."""
    out = []
    for page in pdf.pages:
        if page.width < page.height:
            continue
        ys = sorted({round(e["top"], 1) for e in page.edges if e["orientation"] == "h"})
        out.append(len([y for i, y in enumerate(ys) if i == 0 or y - ys[i - 1] > 1.5]) - 1)
    return out


@pytest.mark.libreoffice
def test_libreoffice_puts_the_rows_left_blank_on_the_pdfs_pages(lo, seed_rendered):
    """Tables （一）–（三） are rows left blank for the units: as tall as the PDF's (one 行 inside the cell
    margins, 34.9 pt rule to rule), so each page holds the PDF's rows. Their w:trHeight of one 行 held
    the margins too: 6 pt less a row, and LibreOffice put 10 rows on the first page against the PDF's 8."""
    with pdfplumber.open(io.BytesIO(seed_rendered["pdf"])) as pdf:
        printed = rows_per_landscape_page(pdf)
        first_of_four = next(
            i for i, p in enumerate(p for p in pdf.pages if p.width > p.height) if "征集表（四）" in p.extract_text()
        )
    assert first_of_four == 5  # 附件1's tables （一）–（三） take five pages
    assert rows_per_landscape_page(lo)[:first_of_four] == printed[:first_of_four] == [8, 8, 4, 10, 6]


@pytest.mark.libreoffice
def test_libreoffice_lays_out_the_rows_as_the_pdf_until_its_own_line_breaking_differs(lo, seed_rendered):
    """Every landscape page holds the PDF's rows up to the first where LibreOffice breaks a line
    otherwise, and that is LibreOffice's own rule, not the DOCX: the PDF (Pango, UAX #14 today) may break
    between a closing bracket and a digit, "…粤办函〔2019〕|79号）"; LibreOffice 7.4 keeps its copy of
    the rules of UAX #14 5.0 (i18npool's line.txt, LB30 "CL × NU"), so the cell takes a line more there
    and the next row moves to the next page. (A U+200B after "〕" gives LibreOffice the PDF's 29 pages;
    docgen does not put invisible characters into a document number that clerks copy.)"""
    with pdfplumber.open(io.BytesIO(seed_rendered["pdf"])) as pdf:
        printed = rows_per_landscape_page(pdf)
        pdf_landscape = [p for p in pdf.pages if p.width > p.height]
        drawn = rows_per_landscape_page(lo)
        first = next((i for i, (a, b) in enumerate(zip(printed, drawn, strict=False)) if a != b), None)
        if first is None:  # a LibreOffice with today's rules: the same rows on the same pages
            assert drawn == printed
            return
        pdf_words = [w["text"] for w in pdf_landscape[first].extract_words()]
    lo_words = [w["text"] for w in [p for p in lo.pages if p.width > p.height][first].extract_words()]
    assert any(w.endswith("〔2019〕") for w in pdf_words) and any(w.startswith("79号") for w in pdf_words)
    assert any(w.startswith("〔2019〕79号") for w in lo_words)
