"""Fonts of the OFD: each face the PDF used, cut down with fontTools to the glyphs drawn, named officially.

The PDF names its fonts after docgen's CSS families ("ABCDEF+docgen-fangsong"); each maps back to the
face docgen.standard.fonts resolved for that role, and the OFD names it as GB/T 9704 does (仿宋_GB2312,
楷体_GB2312, 黑体, 方正小标宋简体, 宋体), so a reader that has the official face may use it. Every glyph's
position is written out (DeltaX), so the page looks the same whichever of the two faces a reader draws.
WeasyPrint subsets with HarfBuzz keeping glyph ids, so a PDF glyph id is the face's own glyph id.
"""

from __future__ import annotations

import copy
import io
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from docgen.standard import fonts

PAGENUM_FAMILY = "docgen-pagenum"
"""The 宋体 face under the name the page-number overlay gives it (docgen.writers.pdf.pagenum.FAMILY)."""


class UnknownFont(LookupError):
    """A PDF font that is none of docgen's faces (its file is unknown, so it cannot be embedded)."""


@dataclass(frozen=True)
class Face:
    """A font file docgen uses, with the name the OFD gives it."""

    file: Path
    index: int
    name: str  # FontName in the OFD: the official typeface for a role, else the face's family
    family: str
    serif: bool  # no Bold flag: 方正小标宋 is a regular face (FandolSong Bold only stands in for it); a reader
    # that has the official face would embolden it


@lru_cache(maxsize=1)
def _faces() -> dict[str, Face]:
    """CSS family (as the PDF's BaseFont ends) → face."""
    out: dict[str, Face] = {}
    for role in fonts.ROLES:
        r = fonts.resolve(role)
        official = fonts.ROLE_TABLE[role].docx_name
        serif = role in ("fangsong", "kaiti", "xiaobiaosong", "songti")
        out[fonts.css_family(role)] = Face(fonts.face_file(r), 0, official, official, serif)
    songti = out[fonts.css_family("songti")]
    out[PAGENUM_FAMILY] = songti
    for family, r in fonts.fallback_faces():
        out[family] = Face(fonts.face_file(r), 0, r.family, r.family, True)
    return out


def face_of(base_font: str) -> Face:
    """The face of a PDF BaseFont such as "AENGSD+docgen-fangsong" or "TVDSNH+docgen-xiaobiaosong-Bold"."""
    name = base_font.lstrip("/").split("+", 1)[-1]
    faces = _faces()
    for family in sorted(faces, key=len, reverse=True):  # "docgen-fallback-extb" before "docgen-fallback"
        if name == family or name.startswith(family + "-"):
            return faces[family]
    raise UnknownFont(f"PDF 中的字体 {name} 不是 docgen 的字体，无法嵌入 OFD")


@dataclass(frozen=True)
class Subset:
    """A face cut down to some glyphs: the file's bytes, and what the text layer needs from it."""

    data: bytes
    ext: str
    upem: int
    advances: dict[int, int]  # original glyph id → advance width (font units)
    new_gid: dict[int, int]  # original glyph id → glyph id in the subset
    cmap: dict[int, int]  # code point → glyph id in the subset


class _Source:
    """One face opened once per process: its metrics, character map, and each glyph's outline as drawn so far.

    fontTools' subsetter re-reads the whole face and re-interprets every glyph's program for every document
    (about 90 ms a page of CJK text, as much as the PDF itself); a process that writes many OFDs (a batch
    worker, a render worker) instead draws each glyph once into a plain, subroutine-free outline and builds
    each document's font from those (``subset``)."""

    def __init__(self, face: Face) -> None:
        from fontTools.ttLib import TTFont

        self.font = TTFont(face.file, fontNumber=face.index, lazy=True, recalcBBoxes=False, recalcTimestamp=False)
        self.cff = "CFF " in self.font
        self.order = self.font.getGlyphOrder()
        self.gid = {name: i for i, name in enumerate(self.order)}
        self.metrics = self.font["hmtx"].metrics
        self.cmap = self.font.getBestCmap() or {}
        self.glyph_set = self.font.getGlyphSet()
        self.outlines: dict[str, object] = {}
        self.ps_name = self.font["name"].getDebugName(6) or face.family

    def outline(self, name: str):
        """The glyph's outline for the new font: CFF charstring bytes, or a TrueType glyph (decomposed)."""
        if name not in self.outlines:
            if self.cff:
                from fontTools.pens.t2CharStringPen import T2CharStringPen

                pen = T2CharStringPen(self.metrics[name][0], None)
                self.glyph_set[name].draw(pen)
                program = pen.getCharString()
                program.compile()
                self.outlines[name] = program.bytecode
            else:
                from fontTools.pens.ttGlyphPen import TTGlyphPen

                tt_pen = TTGlyphPen(None)
                self.glyph_set[name].draw(tt_pen)
                self.outlines[name] = tt_pen.glyph()
        return self.outlines[name]


@lru_cache(maxsize=16)
def _source(face: Face) -> _Source:
    return _Source(face)


@lru_cache(maxsize=64)
def subset(face: Face, gids: frozenset[int], codepoints: frozenset[int]) -> Subset:
    """``face`` reduced to the glyphs ``gids`` (the PDF's) and those of the characters ``codepoints``, with
    fontTools (FontBuilder): outlines without hints, the face's own metrics, names and OS/2 values, a
    character map of those characters only, no layout tables (every position is written in the OFD).
    Cached: a batch worker's page numbers ask for the same digits again and again. Same glyphs, same bytes
    (the face's own timestamps are kept)."""
    from fontTools.fontBuilder import FontBuilder

    src = _source(face)
    by_gid = {gid: src.order[gid] for gid in gids if 0 <= gid < len(src.order)}
    chars = {cp: src.cmap[cp] for cp in sorted(codepoints) if cp in src.cmap}
    names = sorted({*by_gid.values(), *chars.values()} - {".notdef"}, key=src.gid.__getitem__)
    order = [".notdef", *names]
    upem = src.font["head"].unitsPerEm
    fb = FontBuilder(upem, isTTF=not src.cff)
    fb.font.recalcTimestamp = False
    fb.setupGlyphOrder(order)
    fb.setupCharacterMap(chars)
    if src.cff:
        from fontTools.misc.psCharStrings import T2CharString

        programs = {name: T2CharString(bytecode=src.outline(name)) for name in order}
        fb.setupCFF(src.ps_name, {"FullName": src.ps_name}, programs, {})
        fb.font.recalcBBoxes = False  # the face's own bounding box (head) stays; no outline is run again
    else:
        fb.setupGlyf({name: src.outline(name) for name in order})
    fb.setupHorizontalMetrics({name: tuple(src.metrics[name]) for name in order})
    for tag in ("head", "hhea", "OS/2", "name"):  # the face's own values, names and licence
        fb.font[tag] = copy.deepcopy(src.font[tag])  # copies: compiling sets counts and checksums in them
    fb.setupPost()
    if not src.cff:
        fb.setupMaxp()
    out = io.BytesIO()
    fb.save(out)
    new = {name: i for i, name in enumerate(order)}
    return Subset(
        out.getvalue(),
        "otf" if src.cff else "ttf",
        upem,
        {gid: src.metrics[name][0] for gid, name in by_gid.items()},
        {gid: new[name] for gid, name in by_gid.items()},
        {cp: new[name] for cp, name in chars.items()},
    )
