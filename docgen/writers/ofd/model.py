"""A small OFD document model: what the serialiser writes, in millimetres with y pointing down (GB/T 33190 §7).

Pages hold graphic objects in drawing order; fonts and images are resources shared by the document and
referred to by id. Nothing here knows PDF or XML: ``frompdf`` builds the model, ``package`` writes it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

Matrix = tuple[float, float, float, float, float, float]
"""An affine map (a, b, c, d, e, f): x' = a·x + c·y + e, y' = b·x + d·y + f (GB/T 33190 ST_Array CTM)."""
Box = tuple[float, float, float, float]
"""x, y, width, height in mm (ST_Box)."""
Color = tuple[int, int, int]
"""An RGB value 0–255 in the default colour space."""


@dataclass(frozen=True)
class FontRes:
    """An embedded font: ``name`` as readers look it up (the official typeface name), its subset file."""

    name: str
    family: str
    data: bytes
    ext: str  # "otf" | "ttf"
    serif: bool = False


@dataclass(frozen=True)
class ImageRes:
    """An embedded image (PNG or JPEG bytes as written)."""

    data: bytes
    fmt: str  # "PNG" | "JPEG"


@dataclass(frozen=True)
class Glyphs:
    """CGTransform: ``count`` characters from ``position`` in a TextCode drawn with these glyph ids."""

    position: int
    count: int
    glyphs: tuple[int, ...]


@dataclass(frozen=True)
class TextObject:
    """One run of text on a baseline: characters at (x, y) + cumulative ``deltas`` in object space."""

    boundary: Box
    font: int  # index into Document.fonts
    size: float  # mm
    text: str
    x: float
    y: float
    deltas: tuple[float, ...]  # len(text) - 1 advances
    color: Color = (0, 0, 0)
    ctm: Matrix | None = None  # rotation of the run (landscape page numbers); None: upright
    transforms: tuple[Glyphs, ...] = ()
    alpha: int = 255  # 0–255 (CT_GraphicUnit Alpha): an element with CSS opacity


@dataclass(frozen=True)
class PathObject:
    """A path in object space (AbbreviatedData), stroked and/or filled."""

    boundary: Box
    data: str
    line_width: float = 0.353
    stroke: Color | None = (0, 0, 0)
    fill: Color | None = None
    even_odd: bool = False
    alpha: int = 255


@dataclass(frozen=True)
class ImageObject:
    """An image drawn into the unit square mapped by ``ctm`` inside ``boundary``."""

    boundary: Box
    image: int  # index into Document.images
    ctm: Matrix


Graphic = TextObject | PathObject | ImageObject


@dataclass
class Page:
    """One page: its size and its objects in drawing order."""

    width: float
    height: float
    objects: list[Graphic] = field(default_factory=list)


@dataclass(frozen=True)
class DocInfo:
    """OFD.xml's DocInfo: what a records office files the document under."""

    doc_id: str  # 32 hex digits, stable for the same input
    title: str
    author: str
    subject: str = ""
    keywords: tuple[str, ...] = ()
    created: dt.date | None = None
    creator: str = "docgen"
    creator_version: str = ""
    custom: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Outline:
    """A bookmark (§7.8 Outlines): its title, the page it opens (index) and how far down (mm, None: the top)."""

    title: str
    page: int
    top: float | None = None
    children: tuple[Outline, ...] = ()


@dataclass
class Document:
    """The whole document: pages, shared resources, metadata; ``archive``: OFD-A (GB/T 42133)."""

    info: DocInfo
    pages: list[Page] = field(default_factory=list)
    fonts: list[FontRes] = field(default_factory=list)
    images: list[ImageRes] = field(default_factory=list)
    archive: bool = False
    outlines: list[Outline] = field(default_factory=list)
