"""The pages of a PDF docgen wrote, read back as OFD pages: glyphs, rules and images where the PDF has them.

Nothing is laid out again: the content streams WeasyPrint wrote (and the page-number overlay pypdf
merged) are read with pypdf's public API (PdfReader: pages, resources, fonts, ToUnicode maps, images)
and tokenised here (``operations``: pypdf's ContentStream parser took two thirds of the OFD's time),
then interpreted: the graphics state
(q/Q, cm, colours, line width), paths (m l c h re; S f f* B n), text (BT Tm Td Tf TJ Tj Tc Tw Tz TL),
image XObjects and form XObjects (Do; WeasyPrint draws an element with opacity as a form). Each TJ/Tj becomes one TextObject: the glyphs' characters from the font's
ToUnicode map, their advances from the face's own metrics (fontTools, ``subset``) plus the PDF's own
spacing (TJ offsets, Tc, Tw), so every glyph lands where the PDF puts it. Clipping paths are not
carried over: docgen's pages draw nothing outside their boxes.
"""

from __future__ import annotations

import io
import math
import re
from dataclasses import dataclass, field
from typing import Any

from docgen.writers.ofd.model import Box, Color, ImageObject, ImageRes, Matrix, PathObject

MM_PER_PT = 25.4 / 72
IDENTITY: Matrix = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)


def mul(m: Matrix, n: Matrix) -> Matrix:
    """m then n (PDF's row-vector order: the point goes through m first)."""
    a, b, c, d, e, f = m
    A, B, C, D, E, F = n
    return (a * A + b * C, a * B + b * D, c * A + d * C, c * B + d * D, e * A + f * C + E, e * B + f * D + F)


def apply(m: Matrix, x: float, y: float) -> tuple[float, float]:
    a, b, c, d, e, f = m
    return a * x + c * y + e, b * x + d * y + f


def bbox(points: list[tuple[float, float]], pad: float = 0.0) -> Box:
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    x0, y0 = min(xs) - pad, min(ys) - pad
    return (x0, y0, max(xs) + pad - x0, max(ys) + pad - y0)


@dataclass(frozen=True)
class GlyphRun:
    """One TJ/Tj: glyph ids, their characters, and where each glyph's origin lies in text space."""

    font: str  # BaseFont of the PDF font
    gids: tuple[int, ...]
    chars: tuple[str, ...]  # one entry per glyph (ToUnicode), may be "" or several characters
    offsets: tuple[float, ...]  # per glyph: extra advance after it, in text-space units (TJ, Tc, Tw)
    size: float  # font size × horizontal scaling, text-space units
    matrix: Matrix  # text space at the run's start → OFD page (mm, y down)
    color: Color
    alpha: int = 255  # 0–255, the fill's constant alpha (ExtGState ca), times that of any enclosing group


@dataclass
class PdfPage:
    """A page as read: size in mm, then its runs, paths and images in drawing order."""

    width: float
    height: float
    items: list[GlyphRun | PathObject | ImageObject] = field(default_factory=list)


@dataclass
class _State:
    ctm: Matrix = IDENTITY
    fill: Color = (0, 0, 0)
    stroke: Color = (0, 0, 0)
    line_width: float = 1.0
    fill_alpha: float = 1.0  # ExtGState ca
    stroke_alpha: float = 1.0  # ExtGState CA


def _rgb(values: list) -> Color:
    if len(values) == 1:
        values = values * 3
    elif len(values) == 4:  # CMYK, naively
        c, m, y, k = (float(v) for v in values)
        values = [(1 - c) * (1 - k), (1 - m) * (1 - k), (1 - y) * (1 - k)]
    r, g, b = (max(0, min(255, round(float(v) * 255))) for v in values[:3])
    return (r, g, b)


class _Font:
    """What a content stream needs of a PDF font: its name, 2-byte codes, and their characters."""

    def __init__(self, obj) -> None:
        self.base = str(obj.get("/BaseFont", ""))
        self.two_bytes = obj.get("/Subtype") == "/Type0"
        self.unicode: dict[int, str] = {}
        if "/ToUnicode" in obj:
            self.unicode = _to_unicode(obj["/ToUnicode"].get_object().get_data())
        self.widths, self.default_width = _widths(obj)

    def codes(self, data: bytes) -> list[int]:
        if self.two_bytes:
            return [data[i] << 8 | data[i + 1] for i in range(0, len(data) - 1, 2)]
        return list(data)


def _widths(obj) -> tuple[dict[int, float], float]:
    """Glyph widths (1/1000 text-space unit) of a PDF font: /W of a CID font, /Widths of a simple one.

    Only to move the text matrix past a run that the next run continues without a Tm of its own;
    the OFD's own advances come from the face (fontTools)."""
    out: dict[int, float] = {}
    if obj.get("/Subtype") == "/Type0":
        cid = obj["/DescendantFonts"][0].get_object()
        items = list(cid.get("/W") or [])
        i = 0
        while i + 1 < len(items):
            first, nxt = int(items[i]), items[i + 1]
            if isinstance(nxt, list) or hasattr(nxt, "__iter__"):
                for k, w in enumerate(nxt):
                    out[first + k] = float(w)
                i += 2
            else:
                for code in range(first, int(nxt) + 1):
                    out[code] = float(items[i + 2])
                i += 3
        return out, float(cid.get("/DW", 1000))
    first = int(obj.get("/FirstChar", 0))
    for k, w in enumerate(obj.get("/Widths") or []):
        out[first + k] = float(w)
    return out, 0.0


def _hex(token: bytes) -> int:
    return int(token.strip(b"<>") or b"0", 16)


def _to_unicode(cmap: bytes) -> dict[int, str]:
    """The bfchar and bfrange entries of a ToUnicode CMap (what WeasyPrint and pypdf write)."""
    out: dict[int, str] = {}

    def text(token: bytes) -> str:
        raw = bytes.fromhex(token.strip(b"<>").decode("ascii"))
        return raw.decode("utf-16-be", errors="replace")

    for block in re.findall(rb"beginbfchar(.*?)endbfchar", cmap, re.S):
        for src, dst in re.findall(rb"(<[0-9A-Fa-f]+>)\s*(<[0-9A-Fa-f]*>)", block):
            out[_hex(src)] = text(dst)
    for block in re.findall(rb"beginbfrange(.*?)endbfrange", cmap, re.S):
        for lo, hi, dst in re.findall(rb"(<[0-9A-Fa-f]+>)\s*(<[0-9A-Fa-f]+>)\s*(\[[^\]]*\]|<[0-9A-Fa-f]*>)", block):
            start, end = _hex(lo), _hex(hi)
            if dst.startswith(b"["):
                for i, item in enumerate(re.findall(rb"<[0-9A-Fa-f]*>", dst)):
                    out[start + i] = text(item)
            else:
                first = text(dst)
                for i in range(end - start + 1):
                    out[start + i] = first[:-1] + chr(ord(first[-1]) + i) if first else ""
    return out


_TOKEN = re.compile(
    rb"""\s*(?:
        (?P<num>[+-]?(?:\d+\.?\d*|\.\d+))(?=[\s/\[\]()<>{}%]|$)
      | (?P<name>/[^\s/\[\]()<>{}%]*)
      | (?P<hex><[0-9A-Fa-f\s]*>)
      | (?P<open>\[|<<) | (?P<close>\]|>>)
      | (?P<str>\()
      | (?P<comment>%[^\r\n]*)
      | (?P<op>[A-Za-z'"*][A-Za-z0-9'"*]*)
    )""",
    re.X,
)
_ESCAPES = {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f", b"(": b"(", b")": b")", b"\\": b"\\"}


class ContentError(ValueError):
    """A content stream this reader does not follow (inline images, broken syntax)."""


def _literal(data: bytes, i: int) -> tuple[bytes, int]:
    """The literal string starting after the "(" at ``i``: its bytes, and the index after its ")"."""
    out = bytearray()
    depth = 1
    n = len(data)
    while i < n:
        c = data[i : i + 1]
        if c == b"\\":
            nxt = data[i + 1 : i + 2]
            if nxt in _ESCAPES:
                out += _ESCAPES[nxt]
                i += 2
            elif nxt and nxt in b"01234567":  # up to three octal digits
                j = i + 1
                while j < min(i + 4, n) and data[j] in b"01234567":
                    j += 1
                out.append(int(data[i + 1 : j], 8) & 0xFF)
                i = j
            else:  # a line break after "\" continues the line; any other character stands for itself
                i += 2
                if nxt == b"\r" and data[i : i + 1] == b"\n":
                    i += 1
                if nxt not in (b"\r", b"\n"):
                    out += nxt
            continue
        if c == b"(":
            depth += 1
        elif c == b")":
            depth -= 1
            if depth == 0:
                return bytes(out), i + 1
        out += c
        i += 1
    raise ContentError("unterminated string")


def operations(data: bytes):
    """(operands, operator) of a content stream, as pypdf's ContentStream.operations gives them: numbers as
    float, names as "/Name" str, strings as bytes, arrays as lists (dictionaries are skipped to their end)."""
    stack: list[list] = [[]]
    i, n = 0, len(data)
    while i < n:
        m = _TOKEN.match(data, i)
        if m is None or m.end() == i:
            if data[i:].strip():
                raise ContentError(f"unreadable content at byte {i}")
            return
        i = m.end()
        kind = m.lastgroup
        if kind == "num":
            stack[-1].append(float(m.group(kind)))
        elif kind == "name":
            stack[-1].append(m.group(kind).decode("latin-1"))
        elif kind == "hex":
            digits = re.sub(rb"\s", b"", m.group(kind)[1:-1])
            stack[-1].append(bytes.fromhex((digits + b"0" * (len(digits) % 2)).decode("ascii")))
        elif kind == "str":
            value, i = _literal(data, i)
            stack[-1].append(value)
        elif kind == "open":
            stack.append([])
        elif kind == "close":
            if len(stack) < 2:
                raise ContentError("unbalanced ] or >>")
            inner = stack.pop()
            stack[-1].append(inner if m.group(kind) == b"]" else {})
        elif kind == "op":
            op = m.group(kind)
            if op == b"BI":
                raise ContentError("inline image")
            if len(stack) == 1:
                yield stack[0], op
                stack = [[]]
            else:
                stack[-1].append(op == b"true" if op in (b"true", b"false") else None)


def _content(page) -> bytes:
    """The page's content streams, decoded and joined (WeasyPrint's page, then pypdf's page-number overlay)."""
    contents = page.get("/Contents")
    if contents is None:
        return b""
    contents = contents.get_object()
    streams = list(contents) if isinstance(contents, list) else [contents]
    return b"\n".join(s.get_object().get_data() for s in streams)


def read_pages(reader, images: list[ImageRes]) -> list[PdfPage]:
    """Every page of a pypdf PdfReader as runs, paths and images (the images' bytes appended to ``images``)."""
    reading = _Reading(reader, images)
    return [_read_page(reading, page) for page in reader.pages]


@dataclass
class _Reading:
    """What the pages of one PDF share while they are read."""

    reader: Any
    images: list[ImageRes]
    seen: dict[int, int] = field(default_factory=dict)  # image XObject → index in images
    fonts: dict[int, _Font] = field(default_factory=dict)  # WeasyPrint shares a font object between pages


MAX_FORM_DEPTH = 8  # form XObjects inside form XObjects: deeper nesting is not followed


def _read_page(reading: _Reading, page) -> PdfPage:
    box = page.mediabox
    width, height = float(box.width), float(box.height)
    # PDF user space (pt, y up) → OFD page (mm, y down)
    to_page: Matrix = (MM_PER_PT, 0.0, 0.0, -MM_PER_PT, -float(box.left) * MM_PER_PT, float(box.top) * MM_PER_PT)
    out = PdfPage(width * MM_PER_PT, height * MM_PER_PT)
    ops = _operations_of(_content(page), lambda: page.get_contents())
    _interpret(reading, ops, page.get("/Resources") or {}, IDENTITY, to_page, out, 0)
    return out


def _alpha(value: float) -> int:
    return max(0, min(255, round(value * 255)))


def _interpret(
    reading: _Reading,
    operations_,
    resources,
    ctm: Matrix,
    to_page: Matrix,
    out: PdfPage,
    depth: int,
    group: tuple[float, float] = (1.0, 1.0),
) -> None:
    """Follow one content stream (a page's, or a form XObject's drawn with ``ctm``) into ``out``; ``group``:
    the (fill, stroke) alpha the form is painted with (WeasyPrint's opacity), which scales its own."""
    fonts: dict[str, _Font] = {}
    font_dict = resources.get("/Font") or {}
    xobjects = resources.get("/XObject") or {}
    states = resources.get("/ExtGState") or {}
    shared = reading.fonts
    state, stack = _State(ctm=ctm), []
    path: list[tuple[str, list[tuple[float, float]]]] = []
    tm = tlm = IDENTITY
    font: _Font | None = None
    size = char_space = word_space = leading = 0.0
    hscale = 1.0

    def show(items: list) -> None:
        nonlocal tm
        assert font is not None
        gids: list[int] = []
        chars: list[str] = []
        offsets: list[float] = []
        start = tm
        advance = 0.0  # text-space units since the run's start
        for item in items:
            if isinstance(item, bytes | str):
                # pypdf's fallback parser may decode a string operand as text; its bytes are the font's codes
                raw = item if isinstance(item, bytes) else item.original_bytes  # type: ignore[attr-defined]
                for code in font.codes(raw):
                    gids.append(code)
                    chars.append(font.unicode.get(code, ""))
                    extra = char_space + (word_space if code == 32 and not font.two_bytes else 0.0)
                    offsets.append(extra * hscale)
                    width = font.widths.get(code, font.default_width) / 1000 * size
                    advance += (width + extra) * hscale
            elif offsets:
                shift = -float(item) / 1000 * size * hscale
                offsets[-1] += shift
                advance += shift
        if not gids:
            return
        matrix = mul(mul(start, state.ctm), to_page)
        alpha = _alpha(state.fill_alpha * group[0])
        run = GlyphRun(font.base, tuple(gids), tuple(chars), tuple(offsets), size * hscale, matrix, state.fill, alpha)
        out.items.append(run)
        tm = mul((1.0, 0.0, 0.0, 1.0, advance, 0.0), tm)  # a following Tj without Tm continues here

    def paint(stroke: bool, fill: bool, even_odd: bool = False) -> None:
        if not path:
            return
        m = mul(state.ctm, to_page)
        scale = math.sqrt(abs(m[0] * m[3] - m[1] * m[2]))
        points = [apply(m, x, y) for _, pts in path for x, y in pts]
        lw = state.line_width * scale
        box = bbox(points, lw / 2 if stroke else 0.0)
        ops = []
        for op, pts in path:
            local = " ".join(f"{_n(x - box[0])} {_n(y - box[1])}" for x, y in (apply(m, *p) for p in pts))
            ops.append(f"{op} {local}".strip())
        out.items.append(
            PathObject(
                box,
                " ".join(ops),
                line_width=lw,
                stroke=state.stroke if stroke else None,
                fill=state.fill if fill else None,
                even_odd=even_odd,
                alpha=_alpha((state.fill_alpha * group[0]) if fill else (state.stroke_alpha * group[1])),
            )
        )

    for operands, op in operations_:
        if op == b"q":
            stack.append(_State(**vars(state)))
        elif op == b"Q":
            if stack:
                state = stack.pop()
        elif op == b"cm":
            state.ctm = mul(tuple(float(v) for v in operands), state.ctm)  # type: ignore[arg-type]
        elif op == b"w":
            state.line_width = float(operands[0])
        elif op == b"gs":
            params = states.get(str(operands[0]))
            params = params.get_object() if params is not None else {}
            state.fill_alpha = float(params.get("/ca", state.fill_alpha))
            state.stroke_alpha = float(params.get("/CA", state.stroke_alpha))
        elif op in (b"rg", b"g", b"k"):
            state.fill = _rgb(list(operands))
        elif op in (b"RG", b"G", b"K"):
            state.stroke = _rgb(list(operands))
        elif op == b"m":
            path.append(("M", [(float(operands[0]), float(operands[1]))]))
        elif op == b"l":
            path.append(("L", [(float(operands[0]), float(operands[1]))]))
        elif op == b"c":
            v = [float(o) for o in operands]
            path.append(("B", [(v[0], v[1]), (v[2], v[3]), (v[4], v[5])]))
        elif op == b"h":
            path.append(("C", []))
        elif op == b"re":
            x, y, w, h = (float(o) for o in operands)
            path += [("M", [(x, y)]), ("L", [(x + w, y)]), ("L", [(x + w, y + h)]), ("L", [(x, y + h)]), ("C", [])]
        elif op in (b"S", b"s"):
            paint(True, False)
            path = []
        elif op in (b"f", b"F", b"f*"):
            paint(False, True, op == b"f*")
            path = []
        elif op in (b"B", b"B*", b"b", b"b*"):
            paint(True, True, op.endswith(b"*"))
            path = []
        elif op == b"n":
            path = []  # a clipping path (W n): not carried over, see the module's doc
        elif op == b"BT":
            tm = tlm = IDENTITY
        elif op == b"Tm":
            tm = tlm = tuple(float(v) for v in operands)  # type: ignore[assignment]
        elif op in (b"Td", b"TD"):
            if op == b"TD":
                leading = -float(operands[1])
            tm = tlm = mul((1.0, 0.0, 0.0, 1.0, float(operands[0]), float(operands[1])), tlm)
        elif op == b"T*":
            tm = tlm = mul((1.0, 0.0, 0.0, 1.0, 0.0, -leading), tlm)
        elif op == b"TL":
            leading = float(operands[0])
        elif op == b"Tc":
            char_space = float(operands[0])
        elif op == b"Tw":
            word_space = float(operands[0])
        elif op == b"Tz":
            hscale = float(operands[0]) / 100
        elif op == b"Tf":
            name = str(operands[0])
            if name not in fonts:
                ref: Any = font_dict.raw_get(name) if hasattr(font_dict, "raw_get") else None  # its reference
                key = ref.idnum if hasattr(ref, "idnum") else id(font_dict[name])
                if key not in shared:
                    shared[key] = _Font(font_dict[name].get_object())
                fonts[name] = shared[key]
            font, size = fonts[name], float(operands[1])
        elif op == b"TJ":
            show(list(operands[0]))
        elif op == b"Tj":
            show([operands[0]])
        elif op in (b"'", b'"'):
            tm = tlm = mul((1.0, 0.0, 0.0, 1.0, 0.0, -leading), tlm)
            show([operands[-1]])
        elif op == b"Do":
            xobj = xobjects[str(operands[0])].get_object()
            if xobj.get("/Subtype") == "/Image":
                _image(out, xobj, mul(state.ctm, to_page), reading.images, reading.seen)
            elif xobj.get("/Subtype") == "/Form" and depth < MAX_FORM_DEPTH:
                matrix = tuple(float(v) for v in xobj.get("/Matrix", IDENTITY))
                inner = _operations_of(xobj.get_data(), lambda x=xobj: _content_stream(x, reading.reader))
                form_ctm = mul(matrix, state.ctm)  # type: ignore[arg-type]
                painted = (state.fill_alpha * group[0], state.stroke_alpha * group[1])
                inner_res = xobj.get("/Resources") or resources
                _interpret(reading, inner, inner_res, form_ctm, to_page, out, depth + 1, painted)


def _operations_of(data: bytes, stream) -> list:
    """``operations(data)``, or those of pypdf's ContentStream ``stream()`` where this tokeniser gives up (an
    inline image: never in docgen's PDFs)."""
    try:
        return list(operations(data))
    except ContentError:
        return [(list(ops), op) for ops, op in stream().operations]


def _content_stream(obj, reader):
    from pypdf.generic import ContentStream

    return ContentStream(obj, reader)


def _n(v: float) -> str:
    text = f"{v:.3f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _image(out: PdfPage, xobj, m: Matrix, images: list[ImageRes], seen: dict[int, int]) -> None:
    """An image XObject drawn with matrix ``m`` (its unit square → page): OFD's unit square has its first
    row at y = 0 (PDF's at y = 1), so the map gets a vertical flip."""
    ref = xobj.indirect_reference
    key = ref.idnum if ref is not None else id(xobj)
    if key not in seen:
        seen[key] = len(images)
        images.append(_image_bytes(xobj))
    a, b, c, d, e, f = m
    corners = [apply(m, x, y) for x, y in ((0, 0), (1, 0), (0, 1), (1, 1))]
    box = bbox(corners)
    out.items.append(ImageObject(box, seen[key], (a, b, -c, -d, c + e - box[0], d + f - box[1])))


def _image_bytes(xobj) -> ImageRes:
    """An image XObject as PNG (pypdf's decode_as_image applies its soft mask as alpha)."""
    image = xobj.decode_as_image()
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=False)
    return ImageRes(out.getvalue(), "PNG")
