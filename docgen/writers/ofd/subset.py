"""Fonts of the OFD: each face the PDF used, subset with fontTools to the glyphs drawn, named officially.

The PDF names its fonts after docgen's CSS families ("ABCDEF+docgen-fangsong"); each maps back to the
face docgen.standard.fonts resolved for that role, and the OFD names it as GB/T 9704 does (仿宋_GB2312,
楷体_GB2312, 黑体, 方正小标宋简体, 宋体), so a reader that has the official face may use it. Every glyph's
position is written out (DeltaX), so the page looks the same whichever of the two faces a reader draws.
WeasyPrint subsets with HarfBuzz keeping glyph ids, so a PDF glyph id is the face's own glyph id.
"""

from __future__ import annotations

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
    bold: bool
    serif: bool


@lru_cache(maxsize=1)
def _faces() -> dict[str, Face]:
    """CSS family (as the PDF's BaseFont ends) → face."""
    out: dict[str, Face] = {}
    for role in fonts.ROLES:
        r = fonts.resolve(role)
        official = fonts.ROLE_TABLE[role].docx_name
        serif = role in ("fangsong", "kaiti", "xiaobiaosong", "songti")
        out[fonts.css_family(role)] = Face(fonts.face_file(r), 0, official, official, r.css_weight >= 700, serif)
    songti = out[fonts.css_family("songti")]
    out[PAGENUM_FAMILY] = songti
    for family, r in fonts.fallback_faces():
        out[family] = Face(fonts.face_file(r), 0, r.family, r.family, False, True)
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


@lru_cache(maxsize=64)
def subset(face: Face, gids: frozenset[int], codepoints: frozenset[int]) -> Subset:
    """``face`` reduced to the glyphs ``gids`` and the characters ``codepoints`` (cached: a batch
    worker's page numbers ask for the same digits again and again).

    No layout tables (positions are explicit), no hinting; fixed timestamps, so the same glyphs give
    the same bytes."""
    from fontTools import subset as ft_subset
    from fontTools.ttLib import TTFont

    font = TTFont(face.file, fontNumber=face.index, lazy=True, recalcBBoxes=False, recalcTimestamp=False)
    order = font.getGlyphOrder()
    names = {gid: order[gid] for gid in gids if 0 <= gid < len(order)}
    options = ft_subset.Options()
    options.layout_features = []
    options.layout_closure = False
    options.drop_tables += ["GSUB", "GPOS", "GDEF", "BASE", "JSTF", "MATH", "DSIG", "VORG", "vhea", "vmtx"]
    options.name_IDs = ["*"]
    options.name_languages = ["*"]
    options.notdef_outline = True
    options.hinting = False
    options.glyph_names = False
    sub = ft_subset.Subsetter(options)
    sub.populate(glyphs=sorted(set(names.values())), unicodes=sorted(codepoints))
    sub.subset(font)
    out = io.BytesIO()
    font.save(out)
    metrics = font["hmtx"].metrics
    new_order = {name: i for i, name in enumerate(font.getGlyphOrder())}
    return Subset(
        out.getvalue(),
        "otf" if "CFF " in font else "ttf",
        font["head"].unitsPerEm,
        {gid: metrics[name][0] for gid, name in names.items() if name in metrics},
        {gid: new_order[name] for gid, name in names.items() if name in new_order},
        {cp: new_order[name] for cp, name in (font.getBestCmap() or {}).items()},
    )
