"""Measuring helpers for the PDF tests (pdfplumber / pypdf / fontTools; PDF points)."""

from __future__ import annotations

import io
import re
from functools import lru_cache

from docgen.standard import gbt9704 as L

NUMBER_CHARS = set("—0123456789 ")


def mm(v: float) -> float:
    return L.mm_to_pt(v)


def nows(s: str) -> str:
    return re.sub(r"\s+", "", s)


def is_landscape(page) -> bool:
    return page.width > page.height


def text_box(page) -> tuple[float, float, float, float]:
    """(x0, top, x1, bottom) of the 版心 of a pdfplumber page (portrait or landscape), pt from top-left."""
    if is_landscape(page):
        x0, top = mm(L.LANDSCAPE_MARGIN_LEFT_MM), mm(L.LANDSCAPE_MARGIN_TOP_MM)
        return x0, top, x0 + mm(L.LANDSCAPE_TEXT_WIDTH_MM), top + mm(L.LANDSCAPE_TEXT_HEIGHT_MM)
    x0, top = mm(L.MARGIN_LEFT_MM), mm(L.MARGIN_TOP_MM)
    return x0, top, x0 + mm(L.TEXT_WIDTH_MM), top + mm(L.TEXT_HEIGHT_MM)


def rotated(char) -> bool:
    a, _b, _c, d, _e, _f = char["matrix"]
    return abs(a) < 1e-6 and abs(d) < 1e-6


def number_chars(page) -> list[dict]:
    """The page-number characters: the overlay's 宋体 ("docgen-pagenum") outside the 版心."""
    x0, _top, _x1, bottom = text_box(page)
    out = []
    for ch in page.chars:
        if ch["text"] not in NUMBER_CHARS or "docgen-pagenum" not in ch["fontname"]:
            continue
        if (is_landscape(page) and ch["x1"] <= x0 + 0.5) or (not is_landscape(page) and ch["top"] >= bottom - 0.5):
            out.append(ch)
    return out


def body_chars(page) -> list[dict]:
    ids = {id(c) for c in number_chars(page)}
    return [c for c in page.chars if id(c) not in ids]


@lru_cache(maxsize=1)
def em_top() -> float:
    """The 宋体 face's em-box top above the baseline, in em (typo ascender)."""
    from docgen.writers.pdf.pagenum import _em_metrics

    return _em_metrics()[0]


def number_geometry(page) -> dict:
    """text, size and the measured em-box line top / start / end of the page number (pt).

    Portrait: line_top from the page top, start/end x. Landscape: line_top = x of the em-box top
    (facing right) from the left edge, start/end = y from the page top along the turned line.
    Measured from the baseline (text matrix), not pdfplumber's font-bbox top.
    """
    chars = number_chars(page)
    if not chars:
        return {}
    text = "".join(c["text"] for c in chars)
    sizes = {round(_matrix_size(c), 2) for c in chars}
    if is_landscape(page):
        # turned 90° clockwise: advance runs down the page, glyph tops face right
        baseline_x = chars[0]["matrix"][4]
        return {
            "text": text,
            "sizes": sizes,
            "rotated": all(rotated(c) for c in chars),
            "line_top": baseline_x + em_top() * _matrix_size(chars[0]),
            "start": min(c["top"] for c in chars),
            "end": max(c["bottom"] for c in chars),
        }
    baseline_y = page.height - chars[0]["matrix"][5]
    return {
        "text": text,
        "sizes": sizes,
        "rotated": any(rotated(c) for c in chars),
        "line_top": baseline_y - em_top() * _matrix_size(chars[0]),
        "start": min(c["x0"] for c in chars),
        "end": max(c["x1"] for c in chars),
    }


def _matrix_size(char) -> float:
    """Font size: the em box across the line (pdfplumber's box spans descent..ascent = 1 em here;
    its "size" of turned characters is their advance instead)."""
    return char["x1"] - char["x0"] if rotated(char) else char["bottom"] - char["top"]


def source_cmap(fontname: str) -> set[int]:
    """Code points of the installed face(s) behind an embedded docgen font name
    ("ABCDEF+docgen-fangsong" → the file docgen.standard.fonts resolves for 仿宋). Subset cmaps are not
    complete (HarfBuzz keeps only some entries), so tofu is judged against the source face:
    a character drawn with a face that lacks it is tofu. Unknown names → empty set."""
    from docgen.standard import fonts

    family = fontname.split("+")[-1].removesuffix("-Bold")
    if family in fonts.CSS_FALLBACK_FAMILIES:
        faces = [font for css, font in fonts.fallback_faces() if css == family]
    elif family == "docgen-pagenum":
        faces = [fonts.resolve("songti")]
    elif family.startswith("docgen-") and family[7:] in fonts.ROLES:
        faces = [fonts.resolve(family[7:])]
    else:
        return set()
    return set().union(*(fonts._cmap(f.file, f.index) for f in faces))


def embedded_cmaps(pdf: bytes) -> dict[str, set[int]]:
    """BaseFont name → code points of the embedded font program's cmap."""
    from fontTools.ttLib import TTFont
    from pypdf import PdfReader

    out: dict[str, set[int]] = {}
    for page in PdfReader(io.BytesIO(pdf)).pages:
        fonts = (page.get("/Resources") or {}).get("/Font") or {}
        for ref in fonts.values():
            font = ref.get_object()
            name = str(font["/BaseFont"])[1:]
            if name in out:
                continue
            desc = font["/DescendantFonts"][0].get_object() if "/DescendantFonts" in font else font
            fd = desc["/FontDescriptor"].get_object()
            data = next(fd[k].get_object().get_data() for k in ("/FontFile3", "/FontFile2", "/FontFile") if k in fd)
            try:
                out[name] = set(TTFont(io.BytesIO(data)).getBestCmap() or ())
            except Exception:  # noqa: BLE001 - bare CFF without cmap: cannot judge → empty
                out[name] = set()
    return out
