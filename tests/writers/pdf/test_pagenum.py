"""docgen.writers.pdf.pagenum: "— N —" at the GB/T 9704 spot, portrait and landscape (clause 8), measured in the PDF."""

from __future__ import annotations

import datetime as dt
import io

import pdfplumber
import pypdf
import pytest
from pdfmeasure import mm, number_geometry

from docgen.standard import gbt9704 as L

TOL = 0.5  # pt
SHAPES = ["portrait", "landscape", "landscape", "portrait", "landscape"]


@pytest.fixture(scope="module")
def base_pdf():
    from docgen.standard import fonts
    from docgen.writers.pdf import engine

    try:
        faces = fonts.css_font_faces()
    except fonts.FontError as exc:
        from testkit import require

        require(False, f"fonts ({exc})")
    sections = "".join(
        f'<section class="{s}" style="break-before: page">{s} {i + 1}</section>' for i, s in enumerate(SHAPES)
    )
    html = f"""<html><head><style>{faces}
    @page {{ size: {L.PAGE_WIDTH_MM}mm {L.PAGE_HEIGHT_MM}mm; margin: 0 }}
    @page landscape {{ size: {L.LANDSCAPE_PAGE_WIDTH_MM}mm {L.LANDSCAPE_PAGE_HEIGHT_MM}mm; margin: 0 }}
    .landscape {{ page: landscape }} body {{ font-family: docgen-fangsong }}
    </style></head><body>{sections}</body></html>"""
    meta = engine.PdfMetadata(
        title="页码测试", author="测试单位", date=dt.date(2023, 5, 26), properties={"unit": "测试单位", "year": "2024"}
    )
    att = engine.PdfAttachment("s.yaml", "unit: 测试\n".encode(), "application/yaml")
    return engine.html_to_pdf(html, base_url=".", metadata=meta, attachments=[att]), meta


@pytest.fixture(scope="module")
def numbered(base_pdf):
    from docgen.writers.pdf.pagenum import number_pages

    pdf, meta = base_pdf
    return number_pages(pdf, [1, 2, 3, 4, None], metadata=meta)


@pytest.fixture(scope="module")
def pages(numbered):
    with pdfplumber.open(io.BytesIO(numbered)) as doc:
        yield doc.pages


def test_page_sizes_kept(pages):
    for page, shape in zip(pages, SHAPES):
        w, h = (595.28, 841.89) if shape == "portrait" else (841.89, 595.28)
        assert abs(page.width - w) < 1 and abs(page.height - h) < 1


@pytest.mark.parametrize("n", [1, 2, 3, 4])
def test_number_text_size_and_spot(pages, n):
    page = pages[n - 1]
    g = number_geometry(page)
    assert g["text"].replace(" ", "") == f"—{n}—"
    assert "\u2014" in g["text"] and "-" not in g["text"]
    assert g["sizes"] == {L.PAGE_NUMBER_SIZE_PT}
    landscape = page.width > page.height
    assert g["rotated"] == landscape
    if not landscape:
        assert abs(g["line_top"] - mm(L.PAGE_NUMBER_TOP_FROM_PAGE_TOP_MM)) < TOL  # 269 mm from the top
        if n % 2:
            assert abs(g["end"] - mm(L.MARGIN_LEFT_MM + L.TEXT_WIDTH_MM) + L.PAGE_NUMBER_INSET_PT) < TOL
        else:
            assert abs(g["start"] - mm(L.MARGIN_LEFT_MM) - L.PAGE_NUMBER_INSET_PT) < TOL
    else:
        # clause 8: along the LEFT edge, em-box top 7 mm outside the landscape 版心 (28 mm from the edge)
        assert abs(g["line_top"] - mm(L.LANDSCAPE_PAGE_NUMBER_TOP_FROM_PAGE_LEFT_MM)) < TOL
        assert abs(g["line_top"] - (mm(L.LANDSCAPE_MARGIN_LEFT_MM) - mm(L.PAGE_NUMBER_BELOW_TEXT_MM))) < TOL
        top, bottom = mm(L.LANDSCAPE_MARGIN_TOP_MM), mm(L.LANDSCAPE_MARGIN_TOP_MM + L.LANDSCAPE_TEXT_HEIGHT_MM)
        if n % 2:  # odd: near the bottom-left corner, ending 1 字 before the 版心's bottom
            assert abs(g["end"] - (bottom - L.PAGE_NUMBER_INSET_PT)) < TOL
        else:  # even: near the top-left corner, starting 1 字 below the 版心's top
            assert abs(g["start"] - (top + L.PAGE_NUMBER_INSET_PT)) < TOL


def test_reading_direction_of_turned_number(pages):
    """Turned clockwise: characters follow each other DOWN the page (the number reads upright
    for a reader holding the sheet portrait)."""
    chars = [c for c in pages[1].chars if c["x1"] < mm(L.LANDSCAPE_MARGIN_LEFT_MM)]
    tops = [c["top"] for c in chars]
    assert tops == sorted(tops) and len(tops) >= 3


def test_none_means_unnumbered(pages):
    assert number_geometry(pages[4]) == {}


def test_catalog_kept_and_deterministic(base_pdf, numbered):
    from docgen.writers.pdf.pagenum import number_pages

    pdf, meta = base_pdf
    assert number_pages(pdf, [1, 2, 3, 4, None], metadata=meta) == numbered
    r = pypdf.PdfReader(io.BytesIO(numbered))
    root = r.trailer["/Root"]
    for key in ("/Metadata", "/OutputIntents", "/AF", "/Names"):
        assert key in root, key
    xmp = root["/Metadata"].get_object().get_data()
    assert b'pdfaid:part="3"' in xmp and "测试单位".encode() in xmp
    assert xmp.count(b"xmlns:docgen=") == 1
    assert r.attachments["s.yaml"] == ["unit: 测试\n".encode()]
    assert numbered.startswith(b"%PDF-1.7")
    ids = r.trailer["/ID"]
    assert ids[0] == ids[1] and len(ids[0]) == 16


def test_wrong_length_rejected(base_pdf):
    from docgen.writers.pdf.pagenum import number_pages

    with pytest.raises(ValueError):
        number_pages(base_pdf[0], [1, 2])


def test_spot_matches_layout_module():
    from docgen.writers.pdf.pagenum import number_boxes

    box = number_boxes(3, False)
    assert box["em_top"] == pytest.approx(mm(269)) and box["end"] == pytest.approx(
        mm(28 + 156) - L.PAGE_NUMBER_INSET_PT
    )
    assert number_boxes(2, True)["start"] == pytest.approx(mm(28) + L.PAGE_NUMBER_INSET_PT)
