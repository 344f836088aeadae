"""Helpers for the OFD tests, independent of docgen's writer: parts read with ElementTree, the package's
structure checked against GB/T 33190-2016's tables, glyph positions from DeltaX, a Pillow rasteriser.

No XSD is shipped: the standard's schemas (Annex A) are not available under a licence that allows
copying them into this repository, so ``check_structure`` states the rules of its tables that docgen's
parts use (root elements, required children and attributes, element order, ID uniqueness, references).
(An unlicensed copy of the schemas validated docgen's parts once, locally: README, "OFD".)
"""

from __future__ import annotations

import io
import math
import re
import xml.etree.ElementTree as ET
import zipfile
from dataclasses import dataclass

NS = "http://www.ofdspec.org/2016"
Q = f"{{{NS}}}"
MM_PER_PT = 25.4 / 72


def parts(ofd: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(ofd)) as zf:
        return {name: zf.read(name) for name in zf.namelist()}


def xml(data: bytes) -> ET.Element:
    return ET.fromstring(data)


def local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def kids(node: ET.Element) -> list[str]:
    return [local(c.tag) for c in node]


def in_order(names: list[str], order: list[str]) -> bool:
    """Whether ``names`` (children, repeats allowed) follow the sequence ``order`` and use nothing else."""
    rank = {n: i for i, n in enumerate(order)}
    if any(n not in rank for n in names):
        return False
    ranks = [rank[n] for n in names]
    return ranks == sorted(ranks)


BOX = re.compile(r"^-?\d+(\.\d+)? -?\d+(\.\d+)? \d+(\.\d+)? \d+(\.\d+)?$")  # ST_Box: x y w h, w and h ≥ 0
NUMBERS = re.compile(r"^(-?\d+(\.\d+)?)( -?\d+(\.\d+)?)*$")


def check_structure(ofd: bytes) -> list[str]:
    """Problems of the package against the tables of GB/T 33190-2016 §7 (document structure), §8 (resources,
    fonts §11.1), §9 (pages), §11 (text), §12 (graphics: paths), §13 (images); [] when none."""
    p = parts(ofd)
    bad: list[str] = []
    if "OFD.xml" not in p:
        return ["OFD.xml missing"]
    root = xml(p["OFD.xml"])
    if root.tag != Q + "OFD" or root.get("Version") is None or root.get("DocType") not in ("OFD", "OFD-A"):
        bad.append("OFD.xml: root must be ofd:OFD with Version and DocType")
    body = root.find(Q + "DocBody")
    if body is None or not in_order(kids(body), ["DocInfo", "DocRoot", "Versions", "Signatures"]):
        return [*bad, "OFD.xml: DocBody (DocInfo, DocRoot…) missing or out of order"]
    info = body.find(Q + "DocInfo")
    order = ["DocID", "Title", "Author", "Subject", "Abstract", "CreationDate", "ModDate", "DocUsage", "Cover",
             "Keywords", "Creator", "CreatorVersion", "CustomDatas"]  # fmt: skip
    if info is None or not in_order(kids(info), order):
        bad.append(f"DocInfo children out of order: {kids(info) if info is not None else None}")
    elif not re.fullmatch(r"[0-9a-f]{32}", info.findtext(Q + "DocID") or ""):
        bad.append("DocID must be 32 hex digits (a UUID without dashes)")
    for tag in ("CreationDate", "ModDate"):
        value = info.findtext(Q + tag) if info is not None else None
        if value is not None and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            bad.append(f"{tag} must be xs:date: {value}")
    doc_path = body.findtext(Q + "DocRoot") or ""
    if doc_path not in p:
        return [*bad, f"DocRoot {doc_path} not in the package"]
    base = doc_path.rsplit("/", 1)[0] + "/"
    document = xml(p[doc_path])
    if not in_order(kids(document), ["CommonData", "Pages", "Outlines", "Permissions", "Actions", "VPreferences",
                                     "Bookmarks", "Annotations", "Attachments", "CustomTags", "Extensions"]):  # fmt: skip
        bad.append(f"Document children out of order: {kids(document)}")
    common = document.find(Q + "CommonData")
    assert common is not None
    if not in_order(kids(common), ["MaxUnitID", "PageArea", "PublicRes", "DocumentRes", "TemplatePage", "DefaultCS"]):
        bad.append(f"CommonData children out of order: {kids(common)}")
    if common.find(Q + "PageArea/" + Q + "PhysicalBox") is None:
        bad.append("CommonData/PageArea/PhysicalBox missing (required)")
    ids: list[int] = []
    resources: dict[str, str] = {}  # ID → kind
    for tag in ("PublicRes", "DocumentRes"):
        for loc in common.findall(Q + tag):
            res_path = base + (loc.text or "")
            if res_path not in p:
                bad.append(f"{tag} {res_path} missing")
                continue
            res = xml(p[res_path])
            if res.tag != Q + "Res" or not in_order(
                kids(res), ["ColorSpaces", "DrawParams", "Fonts", "MultiMedias", "CompositeGraphicUnits"]
            ):
                bad.append(f"{res_path}: Res children out of order")
            res_base = res_path.rsplit("/", 1)[0] + "/" + (res.get("BaseLoc") or "") + "/"
            for font in res.iter(Q + "Font"):
                ids.append(int(font.get("ID", "0")))
                resources[font.get("ID", "")] = "font"
                if not font.get("FontName"):
                    bad.append("Font without FontName (required)")
                file = font.findtext(Q + "FontFile")
                if file is None or res_base + file not in p:
                    bad.append(f"Font {font.get('FontName')}: FontFile {file} not in the package")
            for media in res.iter(Q + "MultiMedia"):
                ids.append(int(media.get("ID", "0")))
                resources[media.get("ID", "")] = "image"
                if media.get("Type") != "Image" or res_base + (media.findtext(Q + "MediaFile") or "") not in p:
                    bad.append("MultiMedia must be Type Image with its MediaFile in the package")
    pages = document.findall(Q + "Pages/" + Q + "Page")
    page_ids = {page.get("ID") for page in pages}
    for elem in document.iter(Q + "OutlineElem"):
        if not elem.get("Title") or not in_order(kids(elem), ["Actions", "OutlineElem"]):
            bad.append("OutlineElem needs a Title; children Actions, OutlineElem")
        for dest in elem.findall(f"{Q}Actions/{Q}Action/{Q}Goto/{Q}Dest"):
            if dest.get("PageID") not in page_ids or dest.get("Type") not in ("XYZ", "Fit", "FitH", "FitV", "FitR"):
                bad.append(f"outline {elem.get('Title')}: Dest to no page")
        for action in elem.findall(f"{Q}Actions/{Q}Action"):
            if action.get("Event") not in ("DO", "PO", "CLICK"):
                bad.append("Action Event must be DO, PO or CLICK")
    if not pages:
        bad.append("Document has no Page")
    for page in pages:
        ids.append(int(page.get("ID", "0")))
        content_path = base + (page.get("BaseLoc") or "")
        if content_path not in p:
            bad.append(f"page {content_path} missing")
            continue
        bad += _check_page(xml(p[content_path]), content_path, ids, resources)
    if len(ids) != len(set(ids)) or 0 in ids:
        bad.append("IDs must be unique positive integers (ST_ID)")
    max_id = int(common.findtext(Q + "MaxUnitID") or "0")
    if ids and max_id < max(ids):
        bad.append(f"MaxUnitID {max_id} below the largest ID {max(ids)}")
    return bad


def _check_page(page: ET.Element, where: str, ids: list[int], resources: dict[str, str]) -> list[str]:
    bad: list[str] = []
    if page.tag != Q + "Page" or not in_order(kids(page), ["Template", "PageRes", "Area", "Content", "Actions"]):
        bad.append(f"{where}: Page children out of order {kids(page)}")
    for layer in page.iter(Q + "Layer"):
        ids.append(int(layer.get("ID", "0")))
        if layer.get("Type", "Body") not in ("Body", "Background", "Foreground", "Custom"):
            bad.append(f"{where}: Layer Type")
        for obj in layer:
            name = local(obj.tag)
            ids.append(int(obj.get("ID", "0")))
            if not BOX.match(obj.get("Boundary", "")):
                bad.append(f"{where}: {name} {obj.get('ID')} Boundary {obj.get('Boundary')!r} is not an ST_Box")
            if not 0 <= int(obj.get("Alpha", "255")) <= 255:
                bad.append(f"{where}: {name} Alpha outside 0–255")
            if obj.get("CTM") is not None and len(obj.get("CTM", "").split()) != 6:
                bad.append(f"{where}: {name} CTM needs 6 numbers")
            if name == "TextObject":
                if resources.get(obj.get("Font", "")) != "font" or float(obj.get("Size", "0")) <= 0:
                    bad.append(f"{where}: TextObject {obj.get('ID')} Font/Size")
                order = ["Actions", "Clips", "FillColor", "StrokeColor", "CGTransform", "TextCode"]
                names = kids(obj)
                if not in_order(names, order) or "TextCode" not in names:
                    bad.append(f"{where}: TextObject children {names}")
                for code in obj.iter(Q + "TextCode"):
                    n = len(code.text or "")
                    if code.get("X") is None or code.get("Y") is None:
                        bad.append(f"{where}: TextCode without X/Y")
                    if len(expand(code.get("DeltaX"))) > max(n - 1, 0):
                        bad.append(f"{where}: DeltaX longer than the text")
            elif name == "PathObject":
                if not in_order(kids(obj), ["Actions", "Clips", "StrokeColor", "FillColor", "AbbreviatedData"]):
                    bad.append(f"{where}: PathObject children")
                data = obj.findtext(Q + "AbbreviatedData") or ""
                if not re.fullmatch(r"([MLQBAC])( -?\d+(\.\d+)?)*( [MLQBAC]( -?\d+(\.\d+)?)*)*", data):
                    bad.append(f"{where}: AbbreviatedData {data[:40]!r}")
            elif name == "ImageObject":
                if resources.get(obj.get("ResourceID", "")) != "image":
                    bad.append(f"{where}: ImageObject ResourceID")
            else:
                bad.append(f"{where}: unexpected {name}")
            for color in obj:
                if local(color.tag) in ("FillColor", "StrokeColor") and not re.fullmatch(
                    r"\d{1,3} \d{1,3} \d{1,3}", color.get("Value", "")
                ):
                    bad.append(f"{where}: colour {color.get('Value')}")
    return bad


def expand(value: str | None) -> list[float]:
    """DeltaX/DeltaY with the "g N v" shorthand expanded (§11.3)."""
    tokens = (value or "").split()
    out: list[float] = []
    i = 0
    while i < len(tokens):
        if tokens[i] == "g":
            out += [float(tokens[i + 2])] * int(tokens[i + 1])
            i += 3
        else:
            out.append(float(tokens[i]))
            i += 1
    return out


@dataclass(frozen=True)
class Glyph:
    char: str
    x: float  # mm, page, origin on the baseline
    y: float
    size: float
    font: str  # Font ID
    upright: bool
    color: tuple[int, int, int] = (0, 0, 0)
    angle: float = 0.0  # degrees the baseline is turned clockwise on the page (y down), from the CTM


def glyphs(ofd: bytes) -> list[list[Glyph]]:
    """Every character of every page at its place (Boundary + CTM + X/Y + DeltaX), in the package's order."""
    p = parts(ofd)
    root = xml(p["OFD.xml"])
    doc_path = root.findtext(f"{Q}DocBody/{Q}DocRoot") or ""
    base = doc_path.rsplit("/", 1)[0] + "/"
    out = []
    for page in xml(p[doc_path]).findall(f"{Q}Pages/{Q}Page"):
        content = xml(p[base + (page.get("BaseLoc") or "")])
        page_glyphs = []
        for obj in content.iter(Q + "TextObject"):
            bx, by = (float(v) for v in obj.get("Boundary", "").split()[:2])
            a, b, c, d, e, f = (float(v) for v in (obj.get("CTM") or "1 0 0 1 0 0").split())
            for code in obj.iter(Q + "TextCode"):
                x, y = float(code.get("X", "0")), float(code.get("Y", "0"))
                steps = expand(code.get("DeltaX"))
                for i, ch in enumerate(code.text or ""):
                    px, py = a * x + c * y + e + bx, b * x + d * y + f + by
                    size, font = float(obj.get("Size", "0")), obj.get("Font", "")
                    color = _rgb(obj.find(Q + "FillColor"))
                    angle = math.degrees(math.atan2(b, a))
                    page_glyphs.append(Glyph(ch, px, py, size, font, abs(b) < 1e-9, color, angle))
                    x += steps[i] if i < len(steps) else 0.0
        out.append(page_glyphs)
    return out


def resources(ofd: bytes, tag: str, file_tag: str) -> dict[str, tuple[ET.Element, bytes]]:
    """Resource ID → (its element, its file's bytes) for every ``tag`` (Font, MultiMedia) of the Res parts."""
    p = parts(ofd)
    out = {}
    for name, data in p.items():
        if name.endswith("Res.xml"):
            res = xml(data)
            base = name.rsplit("/", 1)[0] + "/" + (res.get("BaseLoc") or "") + "/"
            for node in res.iter(Q + tag):
                out[node.get("ID", "")] = (node, p[base + (node.findtext(Q + file_tag) or "")])
    return out


def fonts(ofd: bytes) -> dict[str, tuple[str, bytes]]:
    """Font ID → (FontName, FontFile bytes)."""
    return {fid: (node.get("FontName", ""), data) for fid, (node, data) in resources(ofd, "Font", "FontFile").items()}


def rasterise(ofd: bytes, page_index: int, dpi: int = 72):
    """A Pillow image of one page: paths stroked/filled, images placed, every glyph drawn with its embedded
    font at its place, turned as its TextObject's CTM turns it (the page numbers of landscape pages)."""
    from PIL import Image, ImageDraw, ImageFont

    p = parts(ofd)
    root = xml(p["OFD.xml"])
    doc_path = root.findtext(f"{Q}DocBody/{Q}DocRoot") or ""
    base = doc_path.rsplit("/", 1)[0] + "/"
    document = xml(p[doc_path])
    page = document.findall(f"{Q}Pages/{Q}Page")[page_index]
    content = xml(p[base + (page.get("BaseLoc") or "")])
    box = content.findtext(f"{Q}Area/{Q}PhysicalBox") or document.findtext(f"{Q}CommonData/{Q}PageArea/{Q}PhysicalBox")
    _, _, w, h = (float(v) for v in (box or "0 0 210 297").split())
    k = dpi / 25.4
    img = Image.new("RGB", (round(w * k), round(h * k)), "white")
    draw = ImageDraw.Draw(img)
    images = {mid: data for mid, (_, data) in resources(ofd, "MultiMedia", "MediaFile").items()}
    font_files = fonts(ofd)
    cache: dict[tuple[str, int], ImageFont.FreeTypeFont] = {}
    for obj in content.iter():
        name = local(obj.tag)
        if name not in ("PathObject", "ImageObject"):
            continue
        bx, by, _, _ = (float(v) for v in obj.get("Boundary", "").split())
        if name == "ImageObject":
            a, _b, _c, d, e, f = (float(v) for v in obj.get("CTM", "").split())
            pic = Image.open(io.BytesIO(images[obj.get("ResourceID")])).convert("RGBA")
            pic = pic.resize((max(1, round(abs(a) * k)), max(1, round(abs(d) * k))))
            img.paste(pic, (round((bx + e) * k), round((by + f) * k)), pic)
            continue
        color = obj.find(Q + "StrokeColor")
        fill = obj.find(Q + "FillColor")
        tokens = (obj.findtext(Q + "AbbreviatedData") or "").split()
        points: list[tuple[float, float]] = []
        polys: list[list[tuple[float, float]]] = []
        i = 0
        while i < len(tokens):
            op = tokens[i]
            n = {"M": 2, "L": 2, "B": 6, "Q": 4, "C": 0}.get(op, 0)
            vals = [float(v) for v in tokens[i + 1 : i + 1 + n]]
            if op == "M":
                if points:
                    polys.append(points)
                points = [(vals[0], vals[1])]
            elif op in ("L", "B", "Q"):
                points.append((vals[-2], vals[-1]))
            i += 1 + n
        if points:
            polys.append(points)
        for poly in polys:
            xy = [((bx + x) * k, (by + y) * k) for x, y in poly]
            if obj.get("Fill") == "true" and len(xy) > 2:
                draw.polygon(xy, fill=_rgb(fill))
            if obj.get("Stroke", "true") == "true" and len(xy) > 1:
                draw.line(xy, fill=_rgb(color), width=max(1, round(float(obj.get("LineWidth", "0.353")) * k)))
    for g in glyphs(ofd)[page_index]:
        key = (g.font, max(1, round(g.size * k)))
        if key not in cache:
            cache[key] = ImageFont.truetype(io.BytesIO(font_files[g.font][1]), key[1])
        if g.upright:
            draw.text((g.x * k, g.y * k), g.char, font=cache[key], fill=g.color, anchor="ls")
            continue
        # a turned glyph: drawn upright on a square tile centred on its origin, turned, pasted there
        side = key[1] * 4
        tile = Image.new("L", (side, side), 0)
        ImageDraw.Draw(tile).text((side / 2, side / 2), g.char, font=cache[key], fill=255, anchor="ls")
        tile = tile.rotate(-g.angle, center=(side / 2, side / 2))
        img.paste(Image.new("RGB", tile.size, g.color), (round(g.x * k - side / 2), round(g.y * k - side / 2)), tile)
    return img


def _rgb(node: ET.Element | None) -> tuple[int, int, int]:
    if node is None:
        return (0, 0, 0)
    r, g, b = (int(v) for v in node.get("Value", "0 0 0").split())
    return (r, g, b)
