"""The DOCX writer of 附件1: what a user checks when opening the file, read back with python-docx/lxml;
LibreOffice as a real second reader (PDF → pdfplumber)."""

from __future__ import annotations

import io
import tempfile
import zipfile
from dataclasses import replace
from pathlib import Path

import docx
import pdfplumber
import pytest
from lxml import etree
from testkit import libreoffice

from docgen.check.submission import check_file, check_text
from docgen.form.loading import load as load_form
from docgen.io.paths import TEMPLATES_DIR
from docgen.standard import gbt9704 as L
from docgen.standard.fonts import docx_names
from docgen.views.form import Cell, DocumentView, Row, blank_view, build_view
from docgen.writers.docx import oxml
from docgen.writers.docx.form import (
    ATTACHMENT_LABEL,
    INFO_LINE,
    TABLE_CELL,
    TABLE_HEADER,
    TABLE_SUBTITLE,
    TABLE_TITLE,
    form_tables,
    write_docx,
)

ROOT = Path(__file__).resolve().parents[3]
EXAMPLES = sorted((ROOT / "data" / "submissions" / "2024").glob("*.yaml"))
GUANGZHOU = ROOT / "data" / "submissions" / "2024" / "guangzhou.yaml"
W = oxml.qn


def view_of(path: Path) -> DocumentView:
    result = check_file(path)
    assert result.submission is not None, [str(d) for d in result.diagnostics]
    return build_view(result.form, result.submission, path.name, path.read_bytes())


def open_docx(data: bytes):
    return docx.Document(io.BytesIO(data))


def cell_text(tc) -> str:
    """A cell's text as a reader sees it: paragraphs and w:br as newlines."""
    paras = []
    for p in tc.iter(W("w:p")):
        parts = []
        for e in p.iter(W("w:t"), W("w:br"), W("w:tab")):
            tag = etree.QName(e).localname
            parts.append(e.text or "" if tag == "t" else "\n" if tag == "br" else "\t")
        paras.append("".join(parts))
    return "\n".join(paras)


def tc_pr_val(tc, name: str) -> str | None:
    e = tc.find(W("w:tcPr") + "/" + W(f"w:{name}"))
    if e is None:
        return None
    return e.get(W("w:val"), "")


# --------------------------------------------------------------------------- every example, in-process
@pytest.fixture(scope="module")
def rendered() -> dict[str, tuple[DocumentView, bytes]]:
    assert EXAMPLES, "no example submissions"
    out = {}
    for path in EXAMPLES:
        view = view_of(path)
        out[path.stem] = (view, write_docx(view, TEMPLATES_DIR))
    form = load_form(2024)
    blank = blank_view(form)
    out["_blank"] = (blank, write_docx(blank, TEMPLATES_DIR))
    return out


def test_every_example_renders(rendered) -> None:
    assert "guangzhou" in rendered
    for _name, (_, data) in rendered.items():
        open_docx(data)  # python-docx opens it


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_values_rows_and_merges_follow_the_view(path: Path, rendered) -> None:
    view, data = rendered[path.stem]
    check_tables(view, data)


def test_blank_form_tables(rendered) -> None:
    view, data = rendered["_blank"]
    assert all(t.total_row is None for t in view.tables)
    check_tables(view, data)
    body = open_docx(data).element.body
    text = "".join(body.itertext())
    assert "可加行" in text
    # table （四）: the province's presets are printed
    four = view.tables[-1]
    presets = [r for r in four.rows if r.kind == "preset"]
    assert presets and all(r.cells[four.column_index("name")].text in text for r in presets)


def check_tables(view: DocumentView, data: bytes) -> None:
    doc = open_docx(data)
    tables = form_tables(doc.element.body)
    assert len(tables) == len(view.tables)
    restarts = continues = 0
    for tbl, tv in zip(tables, view.tables):
        trs = tbl.findall(W("w:tr"))
        header = trs[0]
        assert header.find(W("w:trPr") + "/" + W("w:tblHeader")) is not None, "header row repeats"
        assert [cell_text(tc) for tc in header.findall(W("w:tc"))] == [c.title for c in tv.columns]
        # column widths: share × the landscape text width
        grid = [int(g.get(W("w:w"))) for g in tbl.find(W("w:tblGrid")).findall(W("w:gridCol"))]
        assert len(grid) == len(tv.columns)
        total_tw = L.twips(L.LANDSCAPE_TEXT_WIDTH_MM)
        assert sum(grid) == total_tw
        for g, col in zip(grid, tv.columns):
            assert abs(g - col.share * total_tw) <= len(grid) + 1
        body_trs = trs[1:]
        assert len(body_trs) == len(tv.rows), tv.key
        for r, (tr, row) in enumerate(zip(body_trs, tv.rows)):
            tcs = tr.findall(W("w:tc"))
            visible = [c for c in row.cells if not c.hidden]
            assert len(tcs) == len(visible), (tv.key, r)
            for tc, cell in zip(tcs, visible):
                got = cell_text(tc)
                vm = tc_pr_val(tc, "vMerge")
                if cell.covered:
                    assert vm == "", (tv.key, r, "vMerge continue")
                    assert got == ""
                    continues += 1
                else:
                    assert got == cell.text, (tv.key, r, cell.text[:30])
                if cell.rowspan > 1:
                    assert vm == "restart", (tv.key, r)
                    restarts += 1
                elif not cell.covered:
                    assert vm is None
                if cell.colspan > 1:
                    assert tc_pr_val(tc, "gridSpan") == str(cell.colspan)
        total = tv.total_row
        if total is not None:
            texts = [cell_text(tc) for tc in body_trs[-1].findall(W("w:tc"))]
            assert texts[0] == "合计"
            assert tv.total_text in texts
    assert restarts == sum(1 for t in view.tables for r in t.rows for c in r.cells if c.rowspan > 1)
    assert continues == sum(1 for t in view.tables for r in t.rows for c in r.cells if c.covered)


def test_guangzhou_merges_are_counted(rendered) -> None:
    view, data = rendered["guangzhou"]
    xml = open_docx(data).element.body
    restarts = sum(1 for e in xml.iter(W("w:vMerge")) if e.get(W("w:val")) == "restart")
    continues = sum(1 for e in xml.iter(W("w:vMerge")) if e.get(W("w:val")) is None)
    assert restarts == sum(1 for t in view.tables for r in t.rows for c in r.cells if c.rowspan > 1) > 0
    assert continues == sum(1 for t in view.tables for r in t.rows for c in r.cells if c.covered) > 0
    assert sum(1 for _ in xml.iter(W("w:gridSpan"))) == sum(
        1 for t in view.tables for r in t.rows for c in r.cells if c.colspan > 1
    )


def test_page_is_a4_landscape_with_turned_margins(rendered) -> None:
    _, data = rendered["guangzhou"]
    doc = open_docx(data)
    assert len(doc.sections) == 1
    s = doc.sections[0]
    tol = L.MARGIN_TOLERANCE_MM
    assert s.orientation == docx.enum.section.WD_ORIENT.LANDSCAPE
    assert abs(s.page_width.mm - L.LANDSCAPE_PAGE_WIDTH_MM) <= tol
    assert abs(s.page_height.mm - L.LANDSCAPE_PAGE_HEIGHT_MM) <= tol
    assert abs(s.top_margin.mm - L.LANDSCAPE_MARGIN_TOP_MM) <= tol
    assert abs(s.right_margin.mm - L.LANDSCAPE_MARGIN_RIGHT_MM) <= tol
    assert abs(s.bottom_margin.mm - L.LANDSCAPE_MARGIN_BOTTOM_MM) <= tol
    assert abs(s.left_margin.mm - L.LANDSCAPE_MARGIN_LEFT_MM) <= tol
    text_w = s.page_width.mm - s.left_margin.mm - s.right_margin.mm
    assert abs(text_w - L.LANDSCAPE_TEXT_WIDTH_MM) <= tol


def test_texts_and_page_breaks(rendered) -> None:
    view, data = rendered["guangzhou"]
    doc = open_docx(data)
    paras = [p for p in doc.paragraphs if p.text]
    assert paras[0].text == view.attachment_label == "附件1"
    assert paras[0].style.name == ATTACHMENT_LABEL
    titles = [p for p in doc.paragraphs if p.style.name == TABLE_TITLE]
    assert [p.text for p in titles] == [t.title for t in view.tables]
    subtitles = [p.text for p in doc.paragraphs if p.style.name == TABLE_SUBTITLE]
    assert subtitles == [t.subtitle for t in view.tables]
    # tables 二, 三, 四 start a page
    assert [p.paragraph_format.page_break_before for p in titles] == [None, True, True, True]
    # the unit line above every table, as the PDF and XLSX print it; its items whole on their lines
    info = [p.text for p in doc.paragraphs if p.style.name == INFO_LINE]
    assert len(info) == len(view.tables)
    for text in info:
        lines = text.split("\n")  # python-docx reads w:br as a newline
        for label, value in view.info_line:
            assert sum(f"{label}：{value}" in line for line in lines) == 1, (label, lines)
    # Guangzhou's line is 54½ 字, the page 45½ at 四号: 填报日期 starts the second line
    assert info[0].split("\n") == [
        "填报单位：广州市市场监督管理局（知识产权局）\u3000联系人：李明\u3000联系电话：020-83112345",
        "填报日期：2023年5月26日",
    ]
    # the title sits on line 3 of the first page: label, empty line, title
    body_paras = [p for p in doc.paragraphs if p.text or p.style.name == ATTACHMENT_LABEL]
    assert body_paras[1].style.name == ATTACHMENT_LABEL and body_paras[1].text == ""
    assert body_paras[2].style.name == TABLE_TITLE


def test_info_items_wrap_whole() -> None:
    from docgen.writers.docx.form import info_lines

    assert info_lines(["甲" * 10, "乙" * 10, "丙" * 10], 32) == ["甲" * 10 + "\u3000" + "乙" * 10, "丙" * 10]
    # one item longer than a line stands alone (Word wraps it there); the next starts a line
    assert info_lines(["甲" * 50, "乙" * 3, "丙" * 3], 32) == ["甲" * 50, "乙" * 3 + "\u3000" + "丙" * 3]
    # digits and Latin letters count half a 字; one 字 of the room is kept back
    assert info_lines(["甲" * 10, "1" * 42], 32) == ["甲" * 10, "1" * 42]
    assert info_lines(["甲" * 10, "1" * 40], 32) == ["甲" * 10 + "\u3000" + "1" * 40]


def test_blank_info_line_has_blanks(rendered) -> None:
    _, data = rendered["_blank"]
    info = next(p.text for p in open_docx(data).paragraphs if p.style.name == INFO_LINE)
    for label in ("填报单位：_", "联系人：_", "联系电话：_", "填报日期：_"):
        assert label in info


def test_fonts_name_east_asia_and_no_theme_fonts(rendered) -> None:
    _, data = rendered["guangzhou"]
    z = zipfile.ZipFile(io.BytesIO(data))
    for part in ("word/document.xml", "word/styles.xml", "word/footer1.xml", "word/footer2.xml"):
        root = etree.fromstring(z.read(part))
        for rf in root.iter(W("w:rFonts")):
            for theme in oxml.THEME_ATTRS:
                assert rf.get(W(f"w:{theme}")) is None, (part, theme)
            if rf.get(W("w:ascii")):
                assert rf.get(W("w:eastAsia")) == rf.get(W("w:ascii")), part
    doc = open_docx(data)

    def east_asia(style_name: str) -> str:
        return doc.styles[style_name].element.find(W("w:rPr") + "/" + W("w:rFonts")).get(W("w:eastAsia"))

    assert east_asia(TABLE_CELL) == docx_names("fangsong")["eastAsia"]
    assert east_asia(TABLE_HEADER) == docx_names("heiti")["eastAsia"]
    assert east_asia(ATTACHMENT_LABEL) == docx_names("heiti")["eastAsia"]
    assert east_asia(TABLE_TITLE) == docx_names("xiaobiaosong")["eastAsia"]
    assert doc.styles[TABLE_CELL].font.size.pt in (10.5, 11)
    assert doc.styles[TABLE_HEADER].font.bold is not True
    # every run of every table cell names the face with eastAsia
    for tbl in form_tables(doc.element.body):
        for r in tbl.iter(W("w:r")):
            rf = r.find(W("w:rPr") + "/" + W("w:rFonts"))
            assert rf is not None and rf.get(W("w:eastAsia")) in ("仿宋_GB2312", "黑体")


def test_page_numbers_odd_and_even(rendered) -> None:
    _, data = rendered["guangzhou"]
    z = zipfile.ZipFile(io.BytesIO(data))
    settings = etree.fromstring(z.read("word/settings.xml"))
    assert settings.find(W("w:evenAndOddHeaders")) is not None
    doc = open_docx(data)
    sect = doc.sections[0]
    for footer, odd in ((sect.footer, True), (sect.even_page_footer, False)):
        el = footer._element
        assert "PAGE" in "".join(t.text for t in el.iter(W("w:instrText")))
        text = "".join(t.text or "" for t in el.iter(W("w:t")))
        assert text.startswith(L.PAGE_NUMBER_DASH) and text.endswith(L.PAGE_NUMBER_DASH)
        body_pr = next(el.iter(f"{{{oxml.WPS_NS}}}bodyPr"))
        assert body_pr.get("vert") == "vert"  # turned 90° clockwise
        assert any(int(s.get(W("w:val"))) == L.PAGE_NUMBER_SIZE_PT * 2 for s in el.iter(W("w:sz")))
        jc = [j.get(W("w:val")) for j in el.iter(W("w:jc"))]
        assert jc == (["right"] if odd else ["left"])


def test_rows_kept_whole_unless_taller_than_a_page() -> None:
    view = view_of(GUANGZHOU)
    t = view.tables[0]
    long_row = replace(
        t.rows[0],
        cells=tuple(
            replace(c, text="长" * 2000) if i == t.column_index("necessity") else c
            for i, c in enumerate(t.rows[0].cells)
        ),
    )
    big = replace(view, tables=(replace(t, rows=(long_row, *t.rows[1:])), *view.tables[1:]))
    tbl = form_tables(open_docx(write_docx(big, TEMPLATES_DIR)).element.body)[0]
    trs = tbl.findall(W("w:tr"))
    cant = [tr.find(W("w:trPr") + "/" + W("w:cantSplit")) is not None for tr in trs]
    assert cant[0] and not cant[1] and all(cant[2:])


# --------------------------------------------------------------------------- text safety, bytes, speed
LONG = "长" * 1990 + "末尾ABCDEFGH"  # 2,000 characters
HOSTILE = f'''form: 2024
unit: "广州市市场监督管理局（知识产权局）"
unit_kind: city
city: 广州市
contact:
  name: "A&B <李明> \\"引号\\" 'single'"
  phone: "=020-83112345"
date: 2023-05-26
retained:
  - category: 知识产权高质量创造
    work: "工作 & <b>粗体</b> \\"quoted\\" 'apos' {{{{ 7*7 }}}} 控制\\x01字符\\x0b结束"
    budget: 10
    projects:
      - name: "𠀀项目 =SUM(A1:A2)"
        count: 1
        unit_amount: 10
        necessity: "{LONG}"
        policy_basis: "《第一行》\\n第二行"
        performance: "绩效1项"
        remarks: ""
post_subsidy: []
delegated: []
'''


def hostile_view() -> DocumentView:
    result = check_text(HOSTILE, "hostile.yaml")
    assert result.submission is not None, [str(d) for d in result.diagnostics]
    return build_view(result.form, result.submission, "hostile.yaml", HOSTILE.encode())


def test_a_200_character_unit_name_and_a_long_file_name_still_render() -> None:
    """Found by hypothesis: python-docx refuses core properties over 255 characters, and the unit's name
    (a unit of another kind may give any) went into the keywords whole."""
    unit = "某" * 200
    text = "form: 2024\nunit: 韶关市市场监督管理局（知识产权局）\nunit_kind: city\ncity: 韶关市\ncontact: {name: 张三, phone: '0'}\ndate: 2023-05-26\n"
    result = check_text(text, "x.yaml")
    assert result.submission is not None, [str(d) for d in result.diagnostics]
    # validate takes a listed unit only (check.units); a form may list a unit with a name this long
    submission = result.submission.model_copy(update={"unit": unit})
    name = "长" * 250 + ".yaml"
    doc = open_docx(write_docx(build_view(result.form, submission, name, text.encode()), TEMPLATES_DIR))
    cp = doc.core_properties
    assert all(len(v) <= 255 for v in (cp.title, cp.subject, cp.keywords, cp.comments))
    assert cp.keywords.endswith(f"sha256:{view_sha(text)}") and "某某某某某某" in cp.keywords
    assert cp.comments.startswith("source: 长长") and cp.comments.endswith("…")
    assert any(unit in p.text for p in doc.paragraphs)  # the document itself prints the whole name


def view_sha(text: str) -> str:
    import hashlib

    return hashlib.sha256(text.encode()).hexdigest()


def test_hostile_text_survives() -> None:
    data = write_docx(hostile_view(), TEMPLATES_DIR)
    doc = open_docx(data)
    text = "\n".join(cell_text(tc) for tbl in form_tables(doc.element.body) for tc in tbl.iter(W("w:tc")))
    assert "工作 & <b>粗体</b> \"quoted\" 'apos' {{ 7*7 }} 控制字符结束" in text  # controls removed
    assert "𠀀项目 =SUM(A1:A2)" in text
    assert LONG in text
    assert "《第一行》\n第二行" in text
    info = next(p.text for p in doc.paragraphs if p.style.name == INFO_LINE)
    assert "A&B <李明> \"引号\" 'single'" in info and "=020-83112345" in info
    raw = zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml").decode("utf-8")
    assert "\x01" not in raw and "\x0b" not in raw and "𠀀" in raw


def test_same_input_same_bytes() -> None:
    view = view_of(GUANGZHOU)
    a, b = write_docx(view, TEMPLATES_DIR), write_docx(view_of(GUANGZHOU), TEMPLATES_DIR)
    assert a == b
    z = zipfile.ZipFile(io.BytesIO(a))
    assert {i.date_time for i in z.infolist()} == {(1980, 1, 1, 0, 0, 0)}
    cp = open_docx(a).core_properties
    assert cp.title == view.document_title
    assert cp.author == "docgen"
    assert view.source_sha256 and view.source_sha256 in cp.keywords


def test_thousand_rows_render() -> None:
    # Its speed is measured by bench/run.py (1,000 projects), never asserted in a test.
    view = view_of(GUANGZHOU)
    t = view.tables[0]
    proto = t.body[0]
    rows = []
    for i in range(1000):
        cells = list(proto.cells)
        cells[0] = Cell(str(i + 1))
        cells[1] = replace(cells[1], rowspan=100) if i % 100 == 0 else replace(cells[1], covered=True)
        cells[2] = replace(cells[2], rowspan=5) if i % 5 == 0 else replace(cells[2], covered=True)
        rows.append(Row("data", tuple(cells), f"c{i // 100}", i // 5))
    big = replace(view, tables=(replace(t, rows=(*tuple(rows), t.total_row)), *view.tables[1:]))
    data = write_docx(big, TEMPLATES_DIR)
    check_tables(big, data)


# --------------------------------------------------------------------------- LibreOffice as second reader
@pytest.fixture(scope="module")
def lo_pdfs(rendered) -> dict[str, Path]:
    tmp = Path(tempfile.mkdtemp(prefix="docgen-docx-test-"))
    docs = {
        "guangzhou": rendered["guangzhou"][1],
        "blank": rendered["_blank"][1],
        "hostile": write_docx(hostile_view(), TEMPLATES_DIR),
    }
    for name, data in docs.items():
        (tmp / f"{name}.docx").write_bytes(data)
    libreoffice([tmp / f"{n}.docx" for n in docs], "pdf", tmp)
    out = {n: tmp / f"{n}.pdf" for n in docs}
    for n, p in out.items():
        assert p.exists(), f"LibreOffice did not convert {n}"
    return out


def _pdf_text(path: Path) -> tuple[list, str]:
    with pdfplumber.open(path) as pdf:
        pages = [(p.width, p.height) for p in pdf.pages]
        text = "\n".join(p.extract_text() or "" for p in pdf.pages)
    return pages, text


@pytest.mark.libreoffice
@pytest.mark.parametrize("name", ["guangzhou", "blank"])
def test_libreoffice_reads_landscape_tables(name: str, lo_pdfs, rendered) -> None:
    view = rendered["guangzhou" if name == "guangzhou" else "_blank"][0]
    pages, text = _pdf_text(lo_pdfs[name])
    assert pages
    for w, h in pages:
        assert w > h
        assert abs(L.pt_to_mm(w) - L.LANDSCAPE_PAGE_WIDTH_MM) <= 1
        assert abs(L.pt_to_mm(h) - L.LANDSCAPE_PAGE_HEIGHT_MM) <= 1
    flat = "".join(text.split())
    for t in view.tables:
        assert "".join(t.title.split()) in flat
    if name == "guangzhou":
        for value in ("170.00", "60.50", "4*30", "李明", "020-83112345"):
            assert value in flat
        # the unit line above each table, 填报日期 never split across two lines
        with pdfplumber.open(lo_pdfs[name]) as pdf:
            hits = [hit for page in pdf.pages for hit in page.search("填报日期：2023年5月26日")]
        assert len(hits) == len(view.tables)
    else:
        assert "可加行" in flat


@pytest.mark.libreoffice
def test_libreoffice_page_numbers_turned_in_left_margin(lo_pdfs) -> None:
    """Clause 8: the number runs down the left edge, odd pages near the bottom, even near the top."""
    with pdfplumber.open(lo_pdfs["guangzhou"]) as pdf:
        assert len(pdf.pages) >= 2
        for n, page in enumerate(pdf.pages[:2], start=1):
            chars = [c for c in page.chars if not c["upright"] and L.pt_to_mm(c["x1"]) < L.LANDSCAPE_MARGIN_LEFT_MM]
            text = "".join(c["text"] for c in sorted(chars, key=lambda c: c["top"]))
            assert text.replace(" ", "") == f"{L.PAGE_NUMBER_DASH}{n}{L.PAGE_NUMBER_DASH}", text
            a, b, c_, _d = chars[0]["matrix"][:4]
            assert (a, b) == (0, -1) and c_ > 0  # reads top to bottom, glyph tops facing right
            spot = L.page_number_spot(n, landscape=True)
            right = max(L.pt_to_mm(c["x1"]) for c in chars)
            assert abs(right - spot.line_top_mm) <= 1.5
            top = min(L.pt_to_mm(c["top"]) for c in chars)
            bottom = max(L.pt_to_mm(c["bottom"]) for c in chars)
            if spot.align == "end":
                assert abs(bottom - spot.anchor_mm) <= 1.5
            else:
                assert abs(top - spot.anchor_mm) <= 1.5


@pytest.mark.libreoffice
def test_libreoffice_converts_hostile_text(lo_pdfs) -> None:
    _, text = _pdf_text(lo_pdfs["hostile"])
    flat = "".join(text.split())
    # the info line holds one line: markup characters print as themselves
    assert "联系人：A&B<李明>\"引号\"'single'联系电话：=020-83112345" in flat
    # narrow cells wrap, so check them character-wise: all of the long cell, its end included
    assert flat.count("长") >= 1990
    assert "末尾" in flat
    for piece in ("<b>", "</b>", "SUM(A1:A2)", "𠀀"):
        assert all(ch in flat for ch in piece), piece
