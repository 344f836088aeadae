"""What the records officer measures in the notice PDF (issue 11, GB/T 9704-2012): 校对 inside the
版记, the 附注 kept with the 成文日期, the signature below the seal's centre, names never broken,
附件2's bold leads, a 附件2 title broken between words, blank-form rows with room to write."""

from __future__ import annotations

import io
import itertools

import pdfplumber
import pytest
import yaml
from notice_helpers import (  # noqa: F401 (fixtures)
    SIGNED_NOTICE,
    lines_of,
    seed_pdf,
    seed_rendered,
    signed_pdf,
    signed_rendered,
    text_of,
)

from docgen.check.notice import load_notice
from docgen.registry import Options, render_file
from docgen.standard import gbt9704 as L
from docgen.standard.fonts import em_box as em_metrics
from docgen.views.notice import build_notice_view

mm = L.mm_to_pt
TEXT_BOTTOM = mm(L.MARGIN_TOP_MM + L.TEXT_HEIGHT_MM)


def _baseline(page, ch) -> float:
    return page.height - ch["matrix"][5]


def _line(page, start: str):
    for y, cs in lines_of(page):
        if text_of(cs).replace(" ", "").startswith(start):
            return y, cs
    raise AssertionError(f"no line starting {start!r}")


def _rules(page):
    """Horizontal 版心-wide rules of a page, top to bottom: (top, bottom). WeasyPrint paints a
    border as its box's outer rectangle less the inner one (even-odd): two rects, one top."""
    boxes: dict[float, list[float]] = {}
    for r in page.rects:
        if abs(r["width"] - mm(L.TEXT_WIDTH_MM)) < 1 and r["height"] < 3:
            boxes.setdefault(round(r["top"], 2), []).append(r["bottom"])
    return sorted((min(b), max(b)) for b in boxes.values() if len(b) == 2)


def test_proofreader_inside_the_banji_above_the_printer_line(seed_pdf):
    page = seed_pdf.pages[-1]
    y_proof, _proof = _line(page, "校对：牛晨蕾")
    y_printer, _ = _line(page, "广东省市场监督管理局办公室")
    rules = _rules(page)
    assert len(rules) == 4  # first thick, under 抄送, under 校对, last thick
    assert L.pt_to_mm(rules[-1][1]) == pytest.approx(L.MARGIN_TOP_MM + L.TEXT_HEIGHT_MM, abs=0.3)
    # 校对 between the thin rule under 抄送 and the thin rule over the 印发 line, inside the 版心
    assert rules[1][1] < y_proof - 14 * em_metrics("fangsong")[0] and y_proof < rules[2][0] < y_printer
    assert y_proof < TEXT_BOTTOM and y_printer < rules[3][0]
    thin, thick = mm(L.BANJI_RULE_THIN_MM), mm(L.BANJI_RULE_THICK_MM)
    heights = [b - t for t, b in rules]
    assert heights == pytest.approx([thick, thin, thin, thick], abs=0.05)


def test_note_on_the_line_after_the_date(seed_pdf):
    for page in seed_pdf.pages:
        texts = [text_of(cs).replace(" ", "") for _, cs in lines_of(page)]
        if any(t.startswith("（联系人") for t in texts):
            assert "2023年5月24日" in texts
            i = texts.index("2023年5月24日")
            assert texts[i + 1].startswith("（联系人")
            return
    raise AssertionError("no 附注")


def _note_pages(pdf_bytes: bytes) -> tuple[int, int]:
    with pdfplumber.open(io.BytesIO(pdf_bytes)) as pdf:
        date_page = note_page = -1
        for i, page in enumerate(pdf.pages):
            for _, cs in lines_of(page):
                t = text_of(cs).replace(" ", "")
                if t == "2024年6月12日":
                    date_page = i
                if t.startswith("（联系人"):
                    note_page = i
        return date_page, note_page


@pytest.mark.parametrize("extra", range(0, 24, 3))
def test_note_never_alone_on_a_page(tmp_path, extra):
    """Whatever the body's length, the 附注 shares its page with the date (7.3.6)."""
    data = yaml.safe_load(SIGNED_NOTICE.read_text(encoding="utf-8"))
    data["body"] = data["body"] + ["为深入实施知识产权强国建设纲要，加快推进知识产权强省建设。"] * extra
    data.pop("seal")
    data["attachments"] = []
    path = tmp_path / "n.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    pdf = render_file(path, Options(formats=("pdf",))).outputs["pdf"]
    date_page, note_page = _note_pages(pdf)
    assert date_page >= 0 and date_page == note_page


def test_signature_and_date_below_the_seal_centre(signed_pdf):
    page = next(p for p in signed_pdf.pages if p.images)
    (img,) = page.images
    centre = (img["top"] + img["bottom"]) / 2
    size = mm(42)
    assert img["bottom"] - img["top"] == pytest.approx(size, abs=0.5)
    y_sig, sig = _line(page, "示例省市场监督管理局")
    sig_em_top = y_sig - em_metrics("fangsong")[0] * sig[0]["size"]
    assert sig_em_top > centre  # 7.3.5.1: 署名 and 日期 below the seal's centre (居印章中心偏下)
    assert sig_em_top - centre < 0.5 * L.LINE_PITCH_PT
    # the seal's top within one line of the text above (the 附件说明's last line)
    lines = lines_of(page)
    above = max(y for y, cs in lines if y < y_sig - L.LINE_PITCH_PT and text_of(cs).strip())
    text_above_bottom = above + (1 - em_metrics("fangsong")[0]) * 16
    assert 0 <= img["top"] - text_above_bottom <= L.LINE_PITCH_PT
    view = build_notice_view(load_notice(SIGNED_NOTICE))
    assert view.layout.seal_top < 0 and view.seal is not None


def test_names_in_the_note_never_break(seed_pdf):
    for page in seed_pdf.pages:
        lines = [text_of(cs).replace(" ", "") for _, cs in lines_of(page)]
        for a, b in itertools.pairwise(lines):
            for name in ("陈兵", "牛晨蕾"):
                for k in range(1, len(name)):
                    assert not (a.endswith(name[:k]) and b.startswith(name[k:])), (a, b)
    text = "".join(text_of(cs).replace(" ", "") for p in seed_pdf.pages for _, cs in lines_of(p))
    assert "陈兵" in text and "牛晨蕾" in text


def test_instructions_title_breaks_between_words_and_leads_are_bold(seed_pdf):
    page = next(p for p in seed_pdf.pages if lines_of(p) and text_of(lines_of(p)[0][1]) == "附件2")
    titles = [text_of(cs) for _, cs in lines_of(page)[1:3]]
    assert titles == ["2024年知识产权专项经费使用计划表", "填写说明"]
    leads = 0
    for _, cs in lines_of(page)[3:]:
        t = text_of(cs)
        if t.startswith("1.类型。"):
            lead = cs[: len("1.类型。")]
            assert all("Bold" in c["fontname"] or c.get("stroking_color") for c in lead), {c["fontname"] for c in lead}
            rest = cs[len("1.类型。") :]
            assert not any("Bold" in c["fontname"] for c in rest)
            leads += 1
    assert leads == 1


def test_blank_form_rows_have_room_to_write(seed_pdf):
    """附件1's blank rows are at least one 行 high: no 2 mm slivers."""
    for page in seed_pdf.pages:
        if page.width < page.height:
            continue
        ys = sorted({round(e["top"], 1) for e in page.edges if e["orientation"] == "h" and e["width"] > 100})
        gaps = [b - a for a, b in itertools.pairwise(ys) if b - a > 0.5][1:]  # the header row aside
        assert gaps and min(gaps) >= L.LINE_PITCH_PT - 0.5, (page.page_number, min(gaps))
