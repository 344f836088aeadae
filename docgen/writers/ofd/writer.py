"""PDF → OFD: the pages docgen laid out and wrote as PDF, as an OFD with its text, rules and seal in place.

``write_ofd(pdf, archive=False) -> bytes``: ``frompdf`` reads the PDF's pages, ``subset`` cuts each face
the pages use down to their glyphs, this module turns glyph runs into TextObjects, and ``package``
writes the result. ``archive=True`` marks it OFD-A (GB/T 42133: DocType "OFD-A"; every font embedded,
nothing outside the package referred to, no actions or scripts — which docgen's OFDs never have).
DocInfo comes from the PDF's own document information (title, author = 发文机关, creation date), and
its DocID from the PDF's bytes: same PDF, same OFD, byte for byte.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import math

from docgen import __version__
from docgen.writers.ofd import package, subset
from docgen.writers.ofd.frompdf import MM_PER_PT, GlyphRun, PdfPage, read_pages
from docgen.writers.ofd.model import DocInfo, Document, FontRes, Glyphs, Outline, Page, TextObject

ASCENT, DESCENT = 1.0, 0.3  # of the size: a text object's box above and below its baseline (generous)


def write_ofd(pdf: bytes, archive: bool = False) -> bytes:
    """The OFD of a PDF docgen wrote (deterministic); ``archive``: OFD-A."""
    return package.write_package(to_document(pdf, archive))


def to_document(pdf: bytes, archive: bool = False) -> Document:
    """The OFD model of ``pdf``: pages, embedded font subsets, images, DocInfo."""
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(pdf))
    doc = Document(_info(reader, pdf), archive=archive, outlines=_outlines(reader, reader.outline))
    pages = read_pages(reader, doc.images)
    faces = _subsets(pages)
    font_index: dict[subset.Face, int] = {}
    for face, cut in faces.items():
        font_index[face] = len(doc.fonts)
        doc.fonts.append(FontRes(face.name, face.family, cut.data, cut.ext, face.serif))
    for pdf_page in pages:
        page = Page(pdf_page.width, pdf_page.height)
        for item in pdf_page.items:
            if isinstance(item, GlyphRun):
                face = subset.face_of(item.font)
                text = _text_object(item, faces[face], font_index[face])
                if text is not None:
                    page.objects.append(text)
            else:
                page.objects.append(item)
        doc.pages.append(page)
    return doc


def _subsets(pages: list[PdfPage]) -> dict[subset.Face, subset.Subset]:
    """Each face the runs use, cut down to their glyphs and characters (faces in first-use order)."""
    wanted: dict[subset.Face, tuple[set[int], set[int]]] = {}
    for page in pages:
        for item in page.items:
            if isinstance(item, GlyphRun):
                gids, cps = wanted.setdefault(subset.face_of(item.font), (set(), set()))
                gids.update(item.gids)
                cps.update(ord(c) for chars in item.chars for c in chars)
    return {face: subset.subset(face, frozenset(g), frozenset(c)) for face, (g, c) in wanted.items()}


def _text_object(run: GlyphRun, cut: subset.Subset, font: int) -> TextObject | None:
    """One TextObject for a glyph run: its characters at the PDF's glyph origins."""
    a, b, c, d, e, f = run.matrix
    across, up = math.hypot(a, b), math.hypot(c, d)
    size = run.size * up  # mm
    text: list[str] = []
    xs: list[float] = []  # each character's origin along the run, mm
    transforms: list[Glyphs] = []
    u = 0.0  # text-space units from the run's start
    for gid, chars, extra in zip(run.gids, run.chars, run.offsets):
        if chars:
            new = cut.new_gid.get(gid)
            if new is not None and (len(chars) != 1 or cut.cmap.get(ord(chars)) != new):
                transforms.append(Glyphs(len(text), len(chars), (new,)))
            text.extend(chars)
            xs.extend([u * across] * len(chars))
        u += cut.advances.get(gid, 0) / cut.upem * run.size + extra
    if not text or not "".join(text).strip():
        return None
    # run space (origin at the run's start, x along the baseline, y down, mm) → page: L, then (e, f)
    lin = (a / across, b / across, -c / up, -d / up)
    upright = abs(lin[1]) < 1e-9 and abs(lin[2]) < 1e-9 and lin[0] > 0 and lin[3] > 0
    width = u * across
    corners = [(x, y) for x in (-0.1 * size, width + 0.1 * size) for y in (-ASCENT * size, DESCENT * size)]
    page_pts = [(lin[0] * x + lin[2] * y + e, lin[1] * x + lin[3] * y + f) for x, y in corners]
    xs_, ys_ = [p[0] for p in page_pts], [p[1] for p in page_pts]
    box = (min(xs_), min(ys_), max(xs_) - min(xs_), max(ys_) - min(ys_))
    # the run's origin in object space: L⁻¹ · ((e, f) − boundary origin)
    dx, dy = e - box[0], f - box[1]
    det = lin[0] * lin[3] - lin[1] * lin[2]
    x0 = (lin[3] * dx - lin[2] * dy) / det
    y0 = (-lin[1] * dx + lin[0] * dy) / det
    return TextObject(
        boundary=box,
        font=font,
        size=size,
        text="".join(text),
        x=x0 + xs[0],
        y=y0,
        deltas=tuple(xs[i + 1] - xs[i] for i in range(len(xs) - 1)),
        color=run.color,
        ctm=None if upright else (*lin, 0.0, 0.0),
        transforms=tuple(transforms),
        alpha=run.alpha,
    )


def _outlines(reader, items: list) -> list[Outline]:
    """The PDF's bookmarks (pypdf's nested list: a Destination, then the list of its children)."""
    out: list[Outline] = []
    for item in items:
        if isinstance(item, list):
            if out:
                out[-1] = Outline(out[-1].title, out[-1].page, out[-1].top, tuple(_outlines(reader, item)))
            continue
        page = reader.get_destination_page_number(item)
        if page is None or page < 0:
            continue
        box = reader.pages[page].mediabox
        top = getattr(item, "top", None)
        below = None if top is None else max(0.0, (float(box.top) - float(top)) * MM_PER_PT)
        out.append(Outline(str(item.title), page, below))
    return out


def _docgen_properties(reader) -> tuple[tuple[str, str], ...]:
    """docgen's own XMP properties of the PDF (发文字号 documentNumber, unit, year, sourceSha256 …) as the
    DocInfo's CustomDatas, in the PDF's order."""
    import re
    from xml.sax.saxutils import unescape

    root = reader.trailer["/Root"]
    if "/Metadata" not in root:
        return ()
    xmp = root["/Metadata"].get_object().get_data().decode("utf-8", errors="replace")
    found = re.findall(r"<docgen:([A-Za-z][A-Za-z0-9]*)>([^<]*)</docgen:\1>", xmp)
    return tuple((name, unescape(value)) for name, value in found)


def _info(reader, pdf: bytes) -> DocInfo:
    """DocInfo from the PDF's document information; DocID = MD5 of the PDF (32 hex digits, stable)."""
    meta = reader.metadata or {}
    created: dt.date | None = None
    try:
        stamp = reader.metadata.creation_date if reader.metadata else None
        created = stamp.date() if stamp else None
    except ValueError:
        created = None
    keywords = tuple(k.strip() for k in str(meta.get("/Keywords", "") or "").split(",") if k.strip())
    return DocInfo(
        custom=_docgen_properties(reader),
        doc_id=hashlib.md5(pdf, usedforsecurity=False).hexdigest(),
        title=str(meta.get("/Title", "") or ""),
        author=str(meta.get("/Author", "") or ""),
        subject=str(meta.get("/Subject", "") or ""),
        keywords=keywords,
        created=created,
        creator="docgen",
        creator_version=__version__,
    )
