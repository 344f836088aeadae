"""All raw WordprocessingML that docgen writes: the one place that knows OOXML element names.

Writers and the template script call these helpers on lxml elements (python-docx's ``CT_*``
objects are lxml elements too). Child elements are inserted in the order the schema demands,
because Word refuses out-of-order properties that LibreOffice would accept.

Lengths come in as millimetres or points and are converted here with ``gbt9704.twips``/``emu``;
the numbers themselves come from ``docgen.standard.gbt9704``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal, overload

from lxml import etree

from docgen.standard import gbt9704 as L

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
WP_NS = "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"
A_NS = "http://schemas.openxmlformats.org/drawingml/2006/main"
WPS_NS = "http://schemas.microsoft.com/office/word/2010/wordprocessingShape"
NSMAP = {"w": W_NS, "wp": WP_NS, "a": A_NS, "wps": WPS_NS}


def qn(tag: str) -> str:
    """'w:tc' → '{namespace}tc'."""
    prefix, local = tag.split(":")
    return f"{{{NSMAP[prefix]}}}{local}"


def el(tag: str, attrs: dict[str, str | int] | None = None, *children: etree._Element) -> etree._Element:
    """A new element; attribute names like 'w:val' are qualified."""
    e = etree.Element(qn(tag), nsmap={tag.split(":")[0]: NSMAP[tag.split(":")[0]]})
    for k, v in (attrs or {}).items():
        e.set(qn(k) if ":" in k else k, str(v))
    for c in children:
        e.append(c)
    return e


# --------------------------------------------------------------------------- ordered children
# Schema order of the property elements docgen touches (CT_PPr, CT_RPr, CT_TcPr, CT_TrPr, CT_TblPr,
# CT_SectPr). Unknown children keep their place; new ones go before the first later sibling.
_ORDER = {
    "pPr": [
        "pStyle",
        "keepNext",
        "keepLines",
        "pageBreakBefore",
        "framePr",
        "widowControl",
        "numPr",
        "suppressLineNumbers",
        "pBdr",
        "shd",
        "tabs",
        "suppressAutoHyphens",
        "kinsoku",
        "wordWrap",
        "overflowPunct",
        "topLinePunct",
        "autoSpaceDE",
        "autoSpaceDN",
        "bidi",
        "adjustRightInd",
        "snapToGrid",
        "spacing",
        "ind",
        "contextualSpacing",
        "mirrorIndents",
        "suppressOverlap",
        "jc",
        "textDirection",
        "textAlignment",
        "textboxTightWrap",
        "outlineLvl",
        "divId",
        "cnfStyle",
        "rPr",
        "sectPr",
        "pPrChange",
    ],
    "rPr": [
        "rStyle",
        "rFonts",
        "b",
        "bCs",
        "i",
        "iCs",
        "caps",
        "smallCaps",
        "strike",
        "dstrike",
        "outline",
        "shadow",
        "emboss",
        "imprint",
        "noProof",
        "snapToGrid",
        "vanish",
        "webHidden",
        "color",
        "spacing",
        "w",
        "kern",
        "position",
        "sz",
        "szCs",
        "highlight",
        "u",
        "effect",
        "bdr",
        "shd",
        "fitText",
        "vertAlign",
        "rtl",
        "cs",
        "em",
        "lang",
        "eastAsianLayout",
        "specVanish",
        "oMath",
    ],
    "tcPr": [
        "cnfStyle",
        "tcW",
        "gridSpan",
        "hMerge",
        "vMerge",
        "tcBorders",
        "shd",
        "noWrap",
        "tcMar",
        "textDirection",
        "tcFitText",
        "vAlign",
        "hideMark",
    ],
    "trPr": [
        "cnfStyle",
        "divId",
        "gridBefore",
        "gridAfter",
        "wBefore",
        "wAfter",
        "cantSplit",
        "trHeight",
        "tblHeader",
        "tblCellSpacing",
        "jc",
        "hidden",
    ],
    "tblPr": [
        "tblStyle",
        "tblpPr",
        "tblOverlap",
        "bidiVisual",
        "tblStyleRowBandSize",
        "tblStyleColBandSize",
        "tblW",
        "jc",
        "tblCellSpacing",
        "tblInd",
        "tblBorders",
        "shd",
        "tblLayout",
        "tblCellMar",
        "tblLook",
        "tblCaption",
        "tblDescription",
    ],
    "sectPr": [
        "headerReference",
        "footerReference",
        "footnotePr",
        "endnotePr",
        "type",
        "pgSz",
        "pgMar",
        "paperSrc",
        "pgBorders",
        "lnNumType",
        "pgNumType",
        "cols",
        "formProt",
        "vAlign",
        "noEndnote",
        "titlePg",
        "textDirection",
        "bidi",
        "rtlGutter",
        "docGrid",
        "printerSettings",
    ],
}
# Containers whose property element must be their first child.
_PROPS_FIRST = {"p": "pPr", "r": "rPr", "tc": "tcPr", "tr": "trPr", "tbl": "tblPr"}


def _local(e: etree._Element) -> str:
    return etree.QName(e).localname


@overload
def child(parent: etree._Element, name: str, create: Literal[True] = True) -> etree._Element: ...
@overload
def child(parent: etree._Element, name: str, create: bool) -> etree._Element | None: ...
def child(parent: etree._Element, name: str, create: bool = True) -> etree._Element | None:
    """parent's w:<name> child, created in schema order when missing (and create)."""
    found = parent.find(qn(f"w:{name}"))
    if found is not None or not create:
        return found
    new = el(f"w:{name}")
    order = _ORDER.get(_local(parent))
    if order and name in order:
        later = set(order[order.index(name) + 1 :])
        for i, sib in enumerate(parent):
            if _local(sib) in later:
                parent.insert(i, new)
                return new
        parent.append(new)
        return new
    if _PROPS_FIRST.get(_local(parent)) == name:
        parent.insert(0, new)
    else:
        parent.append(new)
    return new


def props(container: etree._Element) -> etree._Element:
    """The pPr/rPr/tcPr/trPr/tblPr of a p/r/tc/tr/tbl, created as its first child if missing."""
    name = _PROPS_FIRST[_local(container)]
    found = container.find(qn(f"w:{name}"))
    if found is None:
        found = el(f"w:{name}")
        container.insert(0, found)
    return found


def set_val(parent: etree._Element, name: str, value: str | int | None = None, **attrs: str | int) -> etree._Element:
    """Set w:<name> (w:val=value and other w: attributes) on a property element."""
    e = child(parent, name)
    assert e is not None
    if value is not None:
        e.set(qn("w:val"), str(value))
    for k, v in attrs.items():
        e.set(qn(f"w:{k}"), str(v))
    return e


def set_style(p: etree._Element, style_id: str) -> None:
    """Give paragraph ``p`` the paragraph style ``style_id`` (python-docx's ``paragraph.style = …`` scans
    every style of the document to find the default each time: 2 s for the notice's four tables)."""
    set_val(props(p), "pStyle", style_id)


def remove(parent: etree._Element, name: str) -> None:
    for e in parent.findall(qn(f"w:{name}")):
        parent.remove(e)


# --------------------------------------------------------------------------- fonts
THEME_ATTRS = ("asciiTheme", "hAnsiTheme", "eastAsiaTheme", "cstheme")


def set_fonts(rpr: etree._Element, names: dict[str, str]) -> None:
    """w:rFonts with ascii/hAnsi/eastAsia (docgen.standard.fonts.docx_names) and no theme fonts.

    A name in w:ascii alone does not reach Chinese text, and theme attributes override names.
    """
    rf = child(rpr, "rFonts")
    assert rf is not None
    for a in THEME_ATTRS:
        rf.attrib.pop(qn(f"w:{a}"), None)
    for k in ("ascii", "hAnsi", "eastAsia"):
        rf.set(qn(f"w:{k}"), names[k])
    rf.set(qn("w:cs"), names.get("cs", names["ascii"]))
    rf.set(qn("w:hint"), "eastAsia")


def set_size(rpr: etree._Element, size_pt: float) -> None:
    """Font size in points (w:sz and w:szCs are half-points)."""
    half = str(round(size_pt * 2))
    set_val(rpr, "sz", half)
    set_val(rpr, "szCs", half)


def strip_theme_fonts(root: etree._Element) -> int:
    """Remove theme font attributes everywhere under root (styles, docDefaults, runs); count them."""
    n = 0
    for rf in root.iter(qn("w:rFonts")):
        for a in THEME_ATTRS:
            if rf.attrib.pop(qn(f"w:{a}"), None) is not None:
                n += 1
    return n


def style_rpr(style: etree._Element) -> etree._Element:
    rpr = style.find(qn("w:rPr"))
    if rpr is None:
        rpr = el("w:rPr")
        style.append(rpr)  # rPr comes after pPr, before tblPr; docgen styles have no tblPr
    return rpr


def style_ppr(style: etree._Element) -> etree._Element:
    ppr = style.find(qn("w:pPr"))
    if ppr is None:
        ppr = el("w:pPr")
        rpr = style.find(qn("w:rPr"))
        if rpr is not None:
            rpr.addprevious(ppr)
        else:
            style.append(ppr)
    return ppr


def doc_defaults_rpr(styles_root: etree._Element) -> etree._Element:
    """docDefaults/rPrDefault/rPr, created if missing."""
    dd = styles_root.find(qn("w:docDefaults"))
    if dd is None:
        dd = el("w:docDefaults")
        styles_root.insert(0, dd)
    rd = dd.find(qn("w:rPrDefault"))
    if rd is None:
        rd = el("w:rPrDefault")
        dd.insert(0, rd)
    rpr = rd.find(qn("w:rPr"))
    if rpr is None:
        rpr = el("w:rPr")
        rd.append(rpr)
    return rpr


# --------------------------------------------------------------------------- paragraphs
def set_spacing(
    ppr: etree._Element, line_pt: float | None = None, exact: bool = False, before_pt: float = 0, after_pt: float = 0
) -> None:
    """w:spacing: before/after in points; line exact in points, or auto (240 = single) when None."""
    sp = set_val(ppr, "spacing", before=round(before_pt * 20), after=round(after_pt * 20))
    if line_pt is None:
        sp.set(qn("w:line"), "240")
        sp.set(qn("w:lineRule"), "auto")
    else:
        sp.set(qn("w:line"), str(round(line_pt * 20)))
        sp.set(qn("w:lineRule"), "exact" if exact else "atLeast")


def set_jc(ppr: etree._Element, value: str) -> None:
    """Paragraph alignment: left, center, right, both."""
    set_val(ppr, "jc", value)


def cjk_line_rules(ppr: etree._Element) -> None:
    """Chinese line rules as GB/T 9704 prints them, for Word and WPS: hanging punctuation off ('，'
    never sits past the 版心's right edge, pitfalls.md) and no automatic space between Chinese and
    Latin text or digits ("233号", not "233 号").

    LibreOffice 7.4 reads neither as meant: its DOCX import turns ``overflowPunct 0`` into hanging
    punctuation ON and ignores ``autoSpaceDE``/``autoSpaceDN`` (writerfilter's DomainMapper;
    measured in tests/writers/docx/test_notice_docx_records.py)."""
    set_val(ppr, "overflowPunct", "0")
    set_val(ppr, "autoSpaceDE", "0")
    set_val(ppr, "autoSpaceDN", "0")


HAIRLINE_PT = 1.0


def hairline(ppr: etree._Element) -> None:
    """A paragraph that takes next to no room (1 pt line, 1 pt mark), snapped to no grid: the empty
    paragraph a section break lives in. At its default height, after a table that filled its page it
    started a page of its own, left blank (LibreOffice printed the notice's 附件1 with one)."""
    snap_to_grid(ppr, False)
    set_spacing(ppr, HAIRLINE_PT, exact=True)
    set_size(child(ppr, "rPr"), HAIRLINE_PT)


def widow_control_off(ppr: etree._Element) -> None:
    """Lines fill every line of the page, as the PDF's (orphans and widows 1): Word reads an absent
    w:widowControl as off, LibreOffice's DOCX import as its own default, on (the notice's first page
    held a line fewer: the paragraph's last line took the one before it to the next page)."""
    set_val(ppr, "widowControl", "0")


def page_break_before(ppr: etree._Element) -> None:
    set_val(ppr, "pageBreakBefore")


def keep_next(ppr: etree._Element) -> None:
    set_val(ppr, "keepNext")


def snap_to_grid(ppr: etree._Element, on: bool) -> None:
    set_val(ppr, "snapToGrid", "1" if on else "0")


# --------------------------------------------------------------------------- tables
def set_table_grid(tbl: etree._Element, widths_twips: list[int]) -> None:
    """Column widths: w:tblGrid, w:tblW (sum) and a fixed layout so readers keep them."""
    grid = tbl.find(qn("w:tblGrid"))
    if grid is None:
        grid = el("w:tblGrid")
        props(tbl).addnext(grid)
    for g in list(grid):
        grid.remove(g)
    for w in widths_twips:
        grid.append(el("w:gridCol", {"w:w": w}))
    tpr = props(tbl)
    set_val(tpr, "tblW", w=sum(widths_twips), type="dxa")
    set_val(tpr, "tblLayout", type="fixed")
    remove(tpr, "tblInd")


def set_cell_width(tc: etree._Element, twips_: int) -> None:
    set_val(props(tc), "tcW", w=twips_, type="dxa")


def set_grid_span(tc: etree._Element, n: int) -> None:
    """Horizontal merge over n grid columns (the 合计 label)."""
    if n > 1:
        set_val(props(tc), "gridSpan", n)


def set_vmerge(tc: etree._Element, restart: bool) -> None:
    """Vertical merge: restart on the group's first cell, continue on the cells below."""
    vm = child(props(tc), "vMerge")
    assert vm is not None
    if restart:
        vm.set(qn("w:val"), "restart")
    else:
        vm.attrib.pop(qn("w:val"), None)  # absent val = continue


def set_valign(tc: etree._Element, value: str = "center") -> None:
    set_val(props(tc), "vAlign", value)


def clear_cell_text(tc: etree._Element) -> None:
    """Keep one empty paragraph (with its properties) in a cell: for vMerge continue cells."""
    paras = tc.findall(qn("w:p"))
    for p in paras[1:]:
        tc.remove(p)
    if paras:
        for e in list(paras[0]):
            if _local(e) != "pPr":
                paras[0].remove(e)
    else:
        tc.append(el("w:p"))


def repeat_header(tr: etree._Element) -> None:
    """w:tblHeader: this row repeats at the top of every page the table runs onto."""
    set_val(props(tr), "tblHeader")


def row_height(tr: etree._Element, height_pt: float, rule: str = "atLeast") -> None:
    """w:trHeight: a minimum (atLeast) or exact row height in points."""
    set_val(props(tr), "trHeight", val=round(height_pt * 20), hRule=rule)


def cant_split(tr: etree._Element) -> None:
    """w:cantSplit: the row is never broken across pages."""
    set_val(props(tr), "cantSplit")


# --------------------------------------------------------------------------- sections and settings
def set_page(
    sectpr: etree._Element,
    width_mm: float,
    height_mm: float,
    top_mm: float,
    right_mm: float,
    bottom_mm: float,
    left_mm: float,
    header_mm: float,
    footer_mm: float,
) -> None:
    """Paper size, orientation (from the size) and margins of a section."""
    pg = set_val(sectpr, "pgSz", w=L.twips(width_mm), h=L.twips(height_mm))
    if width_mm > height_mm:
        pg.set(qn("w:orient"), "landscape")
    else:
        pg.attrib.pop(qn("w:orient"), None)
    set_val(
        sectpr,
        "pgMar",
        top=L.twips(top_mm),
        right=L.twips(right_mm),
        bottom=L.twips(bottom_mm),
        left=L.twips(left_mm),
        header=L.twips(header_mm),
        footer=L.twips(footer_mm),
        gutter=0,
    )


def set_landscape_page(sectpr: etree._Element) -> None:
    """A4 landscape with the GB/T 9704 margins turned with the sheet (clause 8)."""
    set_page(
        sectpr,
        L.LANDSCAPE_PAGE_WIDTH_MM,
        L.LANDSCAPE_PAGE_HEIGHT_MM,
        L.LANDSCAPE_MARGIN_TOP_MM,
        L.LANDSCAPE_MARGIN_RIGHT_MM,
        L.LANDSCAPE_MARGIN_BOTTOM_MM,
        L.LANDSCAPE_MARGIN_LEFT_MM,
        header_mm=L.LANDSCAPE_MARGIN_TOP_MM / 2,
        footer_mm=L.LANDSCAPE_MARGIN_BOTTOM_MM / 2,
    )


def set_doc_grid(
    sectpr: etree._Element, line_pitch_twips: int = L.LINE_PITCH_TWIPS, char_space: int | None = None, snap: bool = True
) -> None:
    """w:docGrid: Word's 22-line grid ('lines', or 'linesAndChars' when char_space is given).

    snap=False keeps the pitch as information only (type 'default'): table pages must not snap,
    LibreOffice then lays every table line out at the grid pitch and breaks pages far too early.
    """
    g = set_val(sectpr, "docGrid", linePitch=line_pitch_twips)
    if not snap:
        g.attrib.pop(qn("w:type"), None)
    else:
        g.set(qn("w:type"), "linesAndChars" if char_space is not None else "lines")
    if char_space is not None and snap:
        g.set(qn("w:charSpace"), str(char_space))
    else:
        g.attrib.pop(qn("w:charSpace"), None)


def set_cell_margins(tbl: etree._Element, left_mm: float, right_mm: float) -> None:
    """Default left/right cell margins of a table (w:tblCellMar)."""
    mar = child(props(tbl), "tblCellMar")
    assert mar is not None
    for side, mm in (("left", left_mm), ("right", right_mm)):
        remove(mar, side)
        mar.append(el(f"w:{side}", {"w:w": L.twips(mm), "w:type": "dxa"}))


def set_even_and_odd_headers(settings_root: etree._Element) -> None:
    """w:evenAndOddHeaders: even pages use the even header/footer (page numbers left)."""
    if settings_root.find(qn("w:evenAndOddHeaders")) is None:
        # CT_Settings order: … w:defaultTabStop … ; evenAndOddHeaders sits before w:bookFoldRevPrinting,
        # after w:defaultTabStop/w:autoHyphenation/…; placing it right after defaultTabStop-family
        # elements is safe in practice: insert before the first element known to follow it.
        later = {
            "bookFoldRevPrinting",
            "bookFoldPrinting",
            "bookFoldPrintingSheets",
            "drawingGridHorizontalSpacing",
            "drawingGridVerticalSpacing",
            "displayHorizontalDrawingGridEvery",
            "displayVerticalDrawingGridEvery",
            "doNotUseMarginsForDrawingGridOrigin",
            "drawingGridHorizontalOrigin",
            "drawingGridVerticalOrigin",
            "doNotShadeFormData",
            "noPunctuationKerning",
            "characterSpacingControl",
            "printTwoOnOne",
            "strictFirstAndLastChars",
            "noLineBreaksAfter",
            "noLineBreaksBefore",
            "savePreviewPicture",
            "doNotValidateAgainstSchema",
            "saveInvalidXml",
            "ignoreMixedContent",
            "alwaysShowPlaceholderText",
            "doNotDemarcateInvalidXml",
            "saveXmlDataOnly",
            "useXSLTWhenSaving",
            "saveThroughXslt",
            "showXMLTags",
            "alwaysMergeEmptyNamespace",
            "updateFields",
            "hdrShapeDefaults",
            "footnotePr",
            "endnotePr",
            "compat",
            "docVars",
            "rsids",
            "mathPr",
            "attachedSchema",
            "themeFontLang",
            "clrSchemeMapping",
            "doNotIncludeSubdocsInStats",
            "doNotAutoCompressPictures",
            "forceUpgrade",
            "captions",
            "readModeInkLockDown",
            "smartTagType",
            "schemaLibrary",
            "shapeDefaults",
            "doNotEmbedSmartTags",
            "decimalSymbol",
            "listSeparator",
        }
        new = el("w:evenAndOddHeaders")
        for i, sib in enumerate(settings_root):
            if _local(sib) in later:
                settings_root.insert(i, new)
                break
        else:
            settings_root.append(new)


# --------------------------------------------------------------------------- page numbers
def _run(text: str, rpr: etree._Element | None) -> etree._Element:
    r = el("w:r")
    if rpr is not None:
        r.append(_copy(rpr))
    t = el("w:t", {})
    t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
    t.text = text
    r.append(t)
    return r


def _copy(e: etree._Element) -> etree._Element:
    return etree.fromstring(etree.tostring(e))


def page_field_runs(rpr: etree._Element | None) -> list[etree._Element]:
    """Runs printing "— N —": em dashes around a PAGE field (the number is Word's, per page)."""
    runs = [_run(f"{L.PAGE_NUMBER_DASH} ", rpr)]
    for kind in ("begin", None, "separate", "1", "end"):
        r = el("w:r")
        if rpr is not None:
            r.append(_copy(rpr))
        if kind in ("begin", "separate", "end"):
            r.append(el("w:fldChar", {"w:fldCharType": kind}))
        elif kind is None:
            it = el("w:instrText")
            it.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
            it.text = " PAGE "
            r.append(it)
        else:
            t = el("w:t")
            t.text = kind
            r.append(t)
        runs.append(r)
    runs.append(_run(f" {L.PAGE_NUMBER_DASH}", rpr))
    return runs


def page_number_rpr(font_names: dict[str, str]) -> etree._Element:
    """4号 宋体 for page numbers (half-width Arabic numerals)."""
    rpr = el("w:rPr")
    set_fonts(rpr, font_names)
    set_size(rpr, L.PAGE_NUMBER_SIZE_PT)
    return rpr


PAGE_NUMBER_BOX_LENGTH_MM = 40.0
"""Length of the text box holding a turned page number (it holds "— 999 —" with room to spare)."""


def rect_geometry(sppr: etree._Element, cx: int, cy: int) -> etree._Element:
    """Give a shape-properties element (pic:spPr, wps:spPr) a cx × cy EMU rectangle at its anchor."""
    a = f"{{{A_NS}}}"
    xfrm = etree.SubElement(sppr, a + "xfrm")
    etree.SubElement(xfrm, a + "off", x="0", y="0")
    etree.SubElement(xfrm, a + "ext", cx=str(cx), cy=str(cy))
    geom = etree.SubElement(sppr, a + "prstGeom", prst="rect")
    etree.SubElement(geom, a + "avLst")
    return sppr


def text_box(
    anchor: etree._Element,
    paragraphs: list[etree._Element],
    cx: int,
    cy: int,
    *,
    vert: str = "horz",
    text_anchor: str = "t",
) -> None:
    """Fill a floating anchor with a borderless, unfilled text box (wps:wsp) holding `paragraphs`;
    vert="vert" turns the text 90° clockwise, text_anchor "t"/"b" sets it at the box's top/bottom."""
    a, wps = f"{{{A_NS}}}", f"{{{WPS_NS}}}"
    graphic = etree.SubElement(anchor, a + "graphic", nsmap={"a": A_NS})
    gd = etree.SubElement(graphic, a + "graphicData", uri=WPS_NS)
    wsp = etree.SubElement(gd, wps + "wsp", nsmap={"wps": WPS_NS})
    etree.SubElement(wsp, wps + "cNvSpPr", txBox="1")
    sppr = rect_geometry(etree.SubElement(wsp, wps + "spPr"), cx, cy)
    etree.SubElement(sppr, a + "noFill")
    ln = etree.SubElement(sppr, a + "ln")
    etree.SubElement(ln, a + "noFill")
    txbx = etree.SubElement(wsp, wps + "txbx")
    content = el("w:txbxContent")
    for p in paragraphs:
        content.append(p)
    txbx.append(content)
    body = etree.SubElement(
        wsp,
        wps + "bodyPr",
        rot="0",
        vert=vert,
        wrap="square",
        lIns="0",
        tIns="0",
        rIns="0",
        bIns="0",
        anchor=text_anchor,
        anchorCtr="0",
        upright="0",
    )
    etree.SubElement(body, a + "noAutofit")


def floating_anchor(
    shape_id: int,
    name: str,
    x_mm: float,
    y_mm: float,
    cx: int,
    cy: int,
    *,
    relative_h: str,
    relative_v: str,
    locked: bool,
    descr: str | None = None,
    base_height: int = 251658240,
) -> tuple[etree._Element, etree._Element]:
    """A wp:anchor floating in front of the text (wrapNone) at (x, y) mm from the given frames;
    returns (anchor, its cNvGraphicFramePr) — the caller appends the a:graphic."""
    wp = f"{{{WP_NS}}}"
    anchor = etree.Element(
        wp + "anchor",
        nsmap={"wp": WP_NS},
        distT="0",
        distB="0",
        distL="0",
        distR="0",
        simplePos="0",
        relativeHeight=str(base_height + shape_id),
        behindDoc="0",
        locked="1" if locked else "0",
        layoutInCell="1",
        allowOverlap="1",
    )
    etree.SubElement(anchor, wp + "simplePos", x="0", y="0")
    ph = etree.SubElement(anchor, wp + "positionH", relativeFrom=relative_h)
    etree.SubElement(ph, wp + "posOffset").text = str(L.emu(x_mm))
    pv = etree.SubElement(anchor, wp + "positionV", relativeFrom=relative_v)
    etree.SubElement(pv, wp + "posOffset").text = str(L.emu(y_mm))
    etree.SubElement(anchor, wp + "extent", cx=str(cx), cy=str(cy))
    etree.SubElement(anchor, wp + "effectExtent", l="0", t="0", r="0", b="0")
    etree.SubElement(anchor, wp + "wrapNone")
    doc_pr = etree.SubElement(anchor, wp + "docPr", id=str(shape_id), name=name)
    if descr:
        doc_pr.set("descr", descr)
    frame = etree.SubElement(anchor, wp + "cNvGraphicFramePr")
    return anchor, frame


def landscape_page_number_paragraph(odd: bool, font_names: dict[str, str], shape_id: int) -> etree._Element:
    """A footer paragraph anchoring a turned text box with "— N —" in the landscape page's left margin.

    Clause 8: the number stays where portrait pages have it, so on the landscape page (table
    upright) it runs down the LEFT edge, turned 90° clockwise (DrawingML vert="vert"), its dash
    line's top edge (facing right) LANDSCAPE_PAGE_NUMBER_TOP_FROM_PAGE_LEFT_MM from the page's
    left edge; odd pages end 1 字 above the 版心's bottom edge, even pages start 1 字 below its top.
    """
    spot = L.page_number_spot(1 if odd else 2, landscape=True)
    thickness_mm = L.pt_to_mm(L.PAGE_NUMBER_SIZE_PT)  # one exact 14 pt line
    x_mm = spot.line_top_mm - thickness_mm
    y_mm = spot.anchor_mm - PAGE_NUMBER_BOX_LENGTH_MM if spot.align == "end" else spot.anchor_mm
    cx, cy = L.emu(thickness_mm), L.emu(PAGE_NUMBER_BOX_LENGTH_MM)

    inner = el("w:p")
    ppr = props(inner)
    set_spacing(ppr, L.PAGE_NUMBER_SIZE_PT, exact=True)
    set_jc(ppr, "right" if spot.align == "end" else "left")
    rpr = page_number_rpr(font_names)
    for r in page_field_runs(rpr):
        inner.append(r)

    anchor, _ = floating_anchor(
        shape_id,
        f"PageNumber{'Odd' if odd else 'Even'}",
        x_mm,
        y_mm,
        cx,
        cy,
        relative_h="page",
        relative_v="page",
        locked=True,
    )
    text_box(anchor, [inner], cx, cy, vert="vert", text_anchor="t")

    outer = el("w:p")
    oppr = props(outer)
    set_spacing(oppr, 1, exact=True)  # the anchor paragraph itself takes no room
    r = el("w:r")
    rr = el("w:rPr")
    set_size(rr, 1)
    r.append(rr)
    drawing = el("w:drawing")
    drawing.append(anchor)
    r.append(drawing)
    outer.append(r)
    return outer


def replace_content(part_root: etree._Element, paragraphs: Iterable[etree._Element]) -> None:
    """Replace all children of a header/footer root (w:hdr/w:ftr) by paragraphs."""
    for c in list(part_root):
        part_root.remove(c)
    for p in paragraphs:
        part_root.append(p)


def max_docpr_id(root: etree._Element) -> int:
    ids = [int(e.get("id", "0")) for e in root.iter(f"{{{WP_NS}}}docPr") if (e.get("id") or "").isdigit()]
    return max(ids, default=0)
