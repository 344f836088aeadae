"""The few raw WordprocessingML pieces the notice needs that the shared docgen.writers.docx.oxml lacks.

Everything else (fonts with eastAsia, sizes, spacing, grid, page setup, odd/even footers, PAGE
fields, table merges) comes from docgen.writers.docx.oxml. Lengths come from docgen.standard.gbt9704.
"""

from __future__ import annotations

from collections.abc import Sequence

from lxml import etree

from docgen.standard import gbt9704 as L
from docgen.writers.docx import oxml

R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PIC_NS = "http://schemas.openxmlformats.org/drawingml/2006/picture"


def spacing(ppr, before_pt: float = 0, after_pt: float = 0, line_pt: float | None = None) -> None:
    """w:spacing with before/after in points and an exact line height (None: single)."""
    oxml.set_spacing(ppr, line_pt, exact=True, before_pt=before_pt, after_pt=after_pt)
    sp = oxml.child(ppr, "spacing")
    for k in ("beforeLines", "afterLines"):
        sp.attrib.pop(oxml.qn(f"w:{k}"), None)


def indent(
    ppr,
    left_pt: float = 0,
    right_pt: float = 0,
    first_pt: float = 0,
    hanging_pt: float = 0,
    first_chars: int | None = None,
) -> None:
    """w:ind in points; first_chars adds w:firstLineChars (hundredths of a 字, the grid's unit)."""
    attrs = {"left": round(left_pt * 20), "right": round(right_pt * 20)}
    if hanging_pt:
        attrs["hanging"] = round(hanging_pt * 20)
    else:
        attrs["firstLine"] = round(first_pt * 20)
    ind = oxml.set_val(ppr, "ind", **attrs)
    if first_chars is not None:
        ind.set(oxml.qn("w:firstLineChars"), str(first_chars))


def border(ppr, side: str, width_mm: float, color: str, space_pt: float = 0) -> None:
    """A paragraph border w:pBdr/w:<side> (w:sz in eighths of a point; w:space in points)."""
    bdr = oxml.child(ppr, "pBdr")
    order = ("top", "left", "bottom", "right", "between", "bar")
    e = bdr.find(oxml.qn(f"w:{side}"))
    if e is None:
        e = oxml.el(f"w:{side}")
        for ex in bdr:
            if order.index(etree.QName(ex).localname) > order.index(side):
                ex.addprevious(e)
                break
        else:
            bdr.append(e)
    sz = max(2, min(96, round(L.mm_to_pt(width_mm) * 8)))
    for k, v in (("val", "single"), ("sz", sz), ("space", round(space_pt)), ("color", color)):
        e.set(oxml.qn(f"w:{k}"), str(v))


def tab_stop(ppr, pos_pt: float, align: str = "right") -> None:
    tabs = oxml.child(ppr, "tabs")
    tabs.append(oxml.el("w:tab", {"w:val": align, "w:pos": round(pos_pt * 20)}))


def floating_picture(r_id: str, shape_id: int, name: str, size_mm: float, x_mm: float, y_mm: float) -> etree._Element:
    """A w:drawing with a picture floating in front of the text (wrapNone), positioned relative to
    the 版心's left edge (x) and to its paragraph's top (y) — the seal pressing on 署名 and 日期."""
    a, pic = f"{{{oxml.A_NS}}}", f"{{{PIC_NS}}}"
    cx = cy = L.emu(size_mm)
    anchor, fr = oxml.floating_anchor(
        shape_id,
        name,
        x_mm,
        y_mm,
        cx,
        cy,
        relative_h="column",
        relative_v="paragraph",
        locked=False,
        descr="印章",
        base_height=251660000,
    )
    etree.SubElement(fr, a + "graphicFrameLocks", nsmap={"a": oxml.A_NS}, noChangeAspect="1")
    graphic = etree.SubElement(anchor, a + "graphic", nsmap={"a": oxml.A_NS})
    gd = etree.SubElement(graphic, a + "graphicData", uri=PIC_NS)
    p = etree.SubElement(gd, pic + "pic", nsmap={"pic": PIC_NS})
    nv = etree.SubElement(p, pic + "nvPicPr")
    etree.SubElement(nv, pic + "cNvPr", id=str(shape_id), name=name)
    etree.SubElement(nv, pic + "cNvPicPr")
    fill = etree.SubElement(p, pic + "blipFill")
    blip = etree.SubElement(fill, a + "blip", nsmap={"r": R_NS})
    blip.set(f"{{{R_NS}}}embed", r_id)
    st = etree.SubElement(fill, a + "stretch")
    etree.SubElement(st, a + "fillRect")
    oxml.rect_geometry(etree.SubElement(p, pic + "spPr"), cx, cy)
    drawing = oxml.el("w:drawing")
    drawing.append(anchor)
    return drawing


def paragraph(style_id: str, runs: Sequence[tuple[str, dict[str, str]]] = ()) -> etree._Element:
    """A raw w:p of a paragraph style with runs (text, docx_names of the run's face)."""
    p = oxml.el("w:p")
    oxml.set_val(oxml.props(p), "pStyle", style_id)
    for text, names in runs:
        r = oxml.el("w:r")
        rpr = oxml.el("w:rPr")
        oxml.set_fonts(rpr, names)
        r.append(rpr)
        t = oxml.el("w:t")
        t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
        t.text = text
        r.append(t)
        p.append(r)
    return p


def floating_text_box(
    paragraphs: list[etree._Element],
    shape_id: int,
    name: str,
    y_mm: float,
    width_mm: float,
    height_mm: float,
    descr: str | None = None,
) -> etree._Element:
    """A w:drawing: a borderless text box in front of the text (wrapNone), its left edge on the
    版心's left edge (relative to the margin), its top y_mm from the paper's top edge, no insets,
    its text set at the box's BOTTOM (bodyPr anchor="b") — the 版记, whose bottom must sit at a
    known height whatever the heights of its lines and rules add up to.

    The anchor paragraph decides the page (Word and LibreOffice place a paragraph-anchored object
    on its anchor's page), so an in-flow paragraph reserving the box's room carries it."""
    cx, cy = L.emu(width_mm), L.emu(height_mm)
    anchor, _ = oxml.floating_anchor(
        shape_id, name, 0.0, y_mm, cx, cy, relative_h="margin", relative_v="page", locked=False, descr=descr
    )
    oxml.text_box(anchor, list(paragraphs), cx, cy, vert="horz", text_anchor="b")
    drawing = oxml.el("w:drawing")
    drawing.append(anchor)
    return drawing
