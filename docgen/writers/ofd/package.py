"""The OFD model written as a GB/T 33190-2016 package: a zip of XML parts (lxml) and resource files.

Layout of the package (§7.2)::

    OFD.xml                              entry: DocInfo, DocRoot (DocType "OFD", or "OFD-A" for archives)
    Doc_0/Document.xml                   CommonData (MaxUnitID, PageArea, PublicRes, DocumentRes), Pages
    Doc_0/PublicRes.xml                  Fonts, each with its FontFile
    Doc_0/DocumentRes.xml                MultiMedias (images)
    Doc_0/Res/font_<id>.otf, image_<id>.png
    Doc_0/Pages/Page_<n>/Content.xml     one Layer of TextObject, PathObject, ImageObject

Element order follows the standard's schemas (CT_DocInfo, CT_CommonData, CT_Res, CT_PageBlock …).
Every object gets an ID unique in the document, counted in a fixed order: same model, same bytes
(zip entries in a fixed order with docgen's fixed date, numbers rounded to 0.001 mm).
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable

from lxml import etree

from docgen.io.reproducible import FIXED_ZIP_TIME
from docgen.writers.ofd.model import Box, Color, Document, Glyphs, ImageObject, Outline, Page, PathObject, TextObject

NS = "http://www.ofdspec.org/2016"
MEDIA_TYPE = "application/ofd"
DOC_DIR = "Doc_0"
_Q = f"{{{NS}}}"


def num(v: float) -> str:
    """A number as OFD writes it: at most 3 decimals (1 µm), no trailing zeros, never "-0"."""
    text = f"{v:.3f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def nums(values: Iterable[float]) -> str:
    return " ".join(num(v) for v in values)


def _el(parent: etree._Element | None, tag: str, text: str | None = None, **attrs: str) -> etree._Element:
    node = etree.Element(_Q + tag, nsmap={"ofd": NS}) if parent is None else etree.SubElement(parent, _Q + tag)
    for key, value in attrs.items():
        node.set(key, value)
    if text is not None:
        node.text = text
    return node


def _xml(root: etree._Element) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def deltas(values: tuple[float, ...]) -> str:
    """DeltaX with the standard's "g N v" shorthand for runs of equal advances (§11.3, Table 46)."""
    texts = [num(v) for v in values]
    out: list[str] = []
    i = 0
    while i < len(texts):
        j = i
        while j < len(texts) and texts[j] == texts[i]:
            j += 1
        out.append(f"g {j - i} {texts[i]}" if j - i > 1 else texts[i])
        i = j
    return " ".join(out)


class _Ids:
    """ST_ID values: one counter for the whole document (§7.5, MaxUnitID)."""

    def __init__(self) -> None:
        self.last = 0

    def next(self) -> str:
        self.last += 1
        return str(self.last)


def _color(parent: etree._Element, tag: str, color: Color) -> None:
    _el(parent, tag, Value=" ".join(str(c) for c in color))


def _box(box: Box) -> str:
    return nums(box)


def _text(layer: etree._Element, ids: _Ids, obj: TextObject, font_ids: list[str]) -> None:
    attrs = {"ID": ids.next(), "Boundary": _box(obj.boundary)}
    if obj.ctm is not None:
        attrs["CTM"] = nums(obj.ctm)
    if obj.alpha != 255:
        attrs["Alpha"] = str(obj.alpha)
    node = _el(layer, "TextObject", **attrs, Font=font_ids[obj.font], Size=num(obj.size))
    if obj.color != (0, 0, 0):
        _color(node, "FillColor", obj.color)
    for t in obj.transforms:
        _cg(node, t)
    code = _el(node, "TextCode", obj.text, X=num(obj.x), Y=num(obj.y))
    if obj.deltas:
        code.set("DeltaX", deltas(obj.deltas))


def _cg(node: etree._Element, t: Glyphs) -> None:
    cg = _el(node, "CGTransform", CodePosition=str(t.position), CodeCount=str(t.count), GlyphCount=str(len(t.glyphs)))
    _el(cg, "Glyphs", " ".join(str(g) for g in t.glyphs))


def _path(layer: etree._Element, ids: _Ids, obj: PathObject) -> None:
    attrs = {"ID": ids.next(), "Boundary": _box(obj.boundary), "LineWidth": num(obj.line_width)}
    if obj.stroke is None:
        attrs["Stroke"] = "false"
    if obj.fill is not None:
        attrs["Fill"] = "true"
    if obj.even_odd:
        attrs["Rule"] = "Even-Odd"
    if obj.alpha != 255:
        attrs["Alpha"] = str(obj.alpha)
    node = _el(layer, "PathObject", **attrs)
    if obj.stroke is not None and obj.stroke != (0, 0, 0):
        _color(node, "StrokeColor", obj.stroke)
    if obj.fill is not None:
        _color(node, "FillColor", obj.fill)
    _el(node, "AbbreviatedData", obj.data)


def _image(layer: etree._Element, ids: _Ids, obj: ImageObject, image_ids: list[str]) -> None:
    _el(
        layer,
        "ImageObject",
        ID=ids.next(),
        Boundary=_box(obj.boundary),
        CTM=nums(obj.ctm),
        ResourceID=image_ids[obj.image],
    )


def _page_xml(page: Page, size: tuple[float, float], ids: _Ids, font_ids: list[str], image_ids: list[str]) -> bytes:
    root = _el(None, "Page")
    if (page.width, page.height) != size:  # a landscape page among portrait ones
        area = _el(root, "Area")
        _el(area, "PhysicalBox", f"0 0 {num(page.width)} {num(page.height)}")
    content = _el(root, "Content")
    layer = _el(content, "Layer", ID=ids.next(), Type="Body")
    for obj in page.objects:
        if isinstance(obj, TextObject):
            _text(layer, ids, obj, font_ids)
        elif isinstance(obj, PathObject):
            _path(layer, ids, obj)
        else:
            _image(layer, ids, obj, image_ids)
    return _xml(root)


def _ofd_xml(doc: Document) -> bytes:
    root = _el(None, "OFD", Version="1.0", DocType="OFD-A" if doc.archive else "OFD")
    body = _el(root, "DocBody")
    info = _el(body, "DocInfo")
    i = doc.info
    _el(info, "DocID", i.doc_id)
    _el(info, "Title", i.title)
    _el(info, "Author", i.author)
    if i.subject:
        _el(info, "Subject", i.subject)
    if i.created is not None:
        _el(info, "CreationDate", i.created.isoformat())
        _el(info, "ModDate", i.created.isoformat())
    if i.keywords:
        keywords = _el(info, "Keywords")
        for k in i.keywords:
            _el(keywords, "Keyword", k)
    _el(info, "Creator", i.creator)
    if i.creator_version:
        _el(info, "CreatorVersion", i.creator_version)
    if i.custom:
        datas = _el(info, "CustomDatas")
        for name, value in i.custom:
            _el(datas, "CustomData", value, Name=name)
    _el(body, "DocRoot", f"{DOC_DIR}/Document.xml")
    return _xml(root)


def _outlines(parent: etree._Element, items: list[Outline] | tuple[Outline, ...], page_ids: list[str]) -> None:
    """OutlineElem (§7.8, Table 23): a title and a Goto to its page, children nested (the archive's units)."""
    for item in items:
        node = _el(parent, "OutlineElem", Title=item.title)
        if item.children:
            node.set("Count", str(len(item.children)))
            node.set("Expanded", "false")
        action = _el(_el(node, "Actions"), "Action", Event="CLICK")
        dest = _el(_el(action, "Goto"), "Dest", Type="XYZ", PageID=page_ids[item.page], Left="0")
        dest.set("Top", num(item.top or 0.0))
        _outlines(node, item.children, page_ids)


def write_package(doc: Document) -> bytes:
    """The OFD file of ``doc`` (deterministic bytes)."""
    ids = _Ids()
    font_ids = [ids.next() for _ in doc.fonts]
    image_ids = [ids.next() for _ in doc.images]
    size = (doc.pages[0].width, doc.pages[0].height) if doc.pages else (210.0, 297.0)
    page_ids = [ids.next() for _ in doc.pages]
    pages = [_page_xml(p, size, ids, font_ids, image_ids) for p in doc.pages]

    document = _el(None, "Document")
    common = _el(document, "CommonData")
    _el(common, "MaxUnitID", str(ids.last))
    area = _el(common, "PageArea")
    _el(area, "PhysicalBox", f"0 0 {num(size[0])} {num(size[1])}")
    _el(common, "PublicRes", "PublicRes.xml")
    if doc.images:
        _el(common, "DocumentRes", "DocumentRes.xml")
    listed = _el(document, "Pages")
    for n, page_id in enumerate(page_ids):
        _el(listed, "Page", ID=page_id, BaseLoc=f"Pages/Page_{n}/Content.xml")

    if doc.outlines:
        _outlines(_el(document, "Outlines"), doc.outlines, page_ids)

    public = _el(None, "Res", BaseLoc="Res")
    files: list[tuple[str, bytes]] = []
    if doc.fonts:
        fonts = _el(public, "Fonts")
        for font_id, font in zip(font_ids, doc.fonts):
            attrs = {"ID": font_id, "FontName": font.name, "FamilyName": font.family}
            if font.serif:
                attrs["Serif"] = "true"
            node = _el(fonts, "Font", **attrs)
            name = f"font_{font_id}.{font.ext}"
            _el(node, "FontFile", name)
            files.append((f"{DOC_DIR}/Res/{name}", font.data))
    parts = [
        ("OFD.xml", _ofd_xml(doc)),
        (f"{DOC_DIR}/Document.xml", _xml(document)),
        (f"{DOC_DIR}/PublicRes.xml", _xml(public)),
    ]
    if doc.images:
        res = _el(None, "Res", BaseLoc="Res")
        media = _el(res, "MultiMedias")
        for image_id, image in zip(image_ids, doc.images):
            node = _el(media, "MultiMedia", ID=image_id, Type="Image", Format=image.fmt)
            name = f"image_{image_id}.{'jpg' if image.fmt == 'JPEG' else image.fmt.lower()}"
            _el(node, "MediaFile", name)
            files.append((f"{DOC_DIR}/Res/{name}", image.data))
        parts.append((f"{DOC_DIR}/DocumentRes.xml", _xml(res)))
    parts += [(f"{DOC_DIR}/Pages/Page_{n}/Content.xml", xml) for n, xml in enumerate(pages)]
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in [*parts, *files]:
            entry = zipfile.ZipInfo(name, date_time=FIXED_ZIP_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            zf.writestr(entry, data)
    return out.getvalue()
