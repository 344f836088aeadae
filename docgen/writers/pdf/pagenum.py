"""GB/T 9704 page numbers ("— N —"), stamped onto finished PDF pages, portrait and clause 8.

API (stable)::

    pdf = number_pages(pdf_bytes, [1, 2, 3, None, 5])   # None = no number on that page
    pdf = number_pages(pdf_bytes, numbering_from(1, count))  # 1..count
    spot = number_boxes(3, landscape=True)  # where page 3's number belongs (pt), for checks

Why an overlay: WeasyPrint cannot rotate margin-box text, and clause 8 wants the number of a
landscape (turned table) page to run along the page's LEFT edge, turned 90° clockwise, near
the bottom on odd pages and near the top on even pages. So the numbers are laid out by
WeasyPrint in a separate small document (same page sizes, absolutely positioned, CSS-rotated
text, 宋体 from docgen.standard.fonts), and each of its pages is merged onto the matching page with
pypdf. Landscape pages are recognised from the page box (width > height). The catalog
(XMP metadata, OutputIntents, embedded files, /AF, outlines) is kept, and the result gets a
fixed, content-derived /ID (engine.open_writer / finish_writer).

Positions (gbt9704.page_number_spot): the TOP of the dash line — the top of the characters'
em box (ideographic em box: typo ascender above the baseline) — lies 7 mm below the 版心's
bottom edge (269 mm from the top, portrait), odd pages end 1 字 before the 版心's right edge,
even pages start 1 字 after its left edge; on landscape pages "top" faces right and lies
28 mm from the left edge, "along the line" runs down the page.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from functools import lru_cache
from html import escape

from docgen.options import DEFAULT, RenderOptions
from docgen.standard import fonts
from docgen.standard import gbt9704 as L

NUMBER_ROLE = "songti"
"""Page numbers are 4号 half-width 宋体 Arabic numerals."""
FAMILY = "docgen-pagenum"
"""CSS family (and embedded font name) of the numbers: the 宋体 face under its own name, so its
subset never shares a name with the document's own 宋体 subset."""
_BOX_MM = 60.0  # length of the (invisible) box that carries one number along its line


def numbering_from(first: int, count: int) -> list[int | None]:
    """[first, first+1, …] for ``count`` pages."""
    return list(range(first, first + count))


def _em_metrics(options: RenderOptions = DEFAULT) -> tuple[float, float]:
    """(em-box top above baseline, baseline below the line-box top for line-height 1) in em."""
    return fonts.em_box(NUMBER_ROLE, options.require_official_fonts)


def _mm(v: float) -> str:
    return f"{v:.3f}mm"


def _page_html(n: int, width_pt: float, height_pt: float, shift_em: float, page: str) -> str:
    """One overlay page carrying the number n (absolutely placed) on the named page ``page``."""
    landscape = width_pt > height_pt
    spot = L.page_number_spot(n, landscape)
    text = escape(L.page_number_text(n))
    align = "right" if spot.align == "end" else "left"
    # the box's top edge = the dash line's top edge; `shift_em` moves the text so that its em-box
    # top (not its line box) sits on that edge.
    inner = f'<div class="n" style="text-align:{align};margin-top:{shift_em:.4f}em">{text}</div>'
    if not landscape:
        left = spot.anchor_mm - _BOX_MM if align == "right" else spot.anchor_mm
        style = f"left:{_mm(left)};top:{_mm(spot.line_top_mm)};width:{_mm(_BOX_MM)}"
    else:
        # rotate(90deg) about the top-left corner: the box's top edge becomes a vertical line at
        # `left` and the box grows leftwards; its length runs downwards from `top`.
        top = spot.anchor_mm - _BOX_MM if align == "right" else spot.anchor_mm
        style = (
            f"left:{_mm(spot.line_top_mm)};top:{_mm(top)};width:{_mm(_BOX_MM)};"
            f"transform-origin:0 0;transform:rotate({L.LANDSCAPE_PAGE_NUMBER_ROTATION_DEG}deg)"
        )
    box = f'<div class="box" style="{style}">{inner}</div>'
    return f'<section style="page:{page};height:{height_pt:.3f}pt">{box}</section>'


def overlay_html(pages: Sequence[tuple[int | None, float, float]], options: RenderOptions = DEFAULT) -> str:
    """The overlay document: one page per (number, width pt, height pt); blank when number is None."""
    em_top, baseline = _em_metrics(options)
    shift = em_top - baseline
    # one named page per page size (not per page: WeasyPrint cascades every @page rule for
    # every page, so a rule per page made the overlay cost grow with the square of its length)
    names: dict[str, str] = {}
    bodies = []
    for n, w, h in pages:
        size = f"{w:.3f}pt {h:.3f}pt"
        name = names.setdefault(size, f"s{len(names)}")
        if n is None:
            bodies.append(f'<section style="page:{name};height:{h:.3f}pt"></section>')
        else:
            bodies.append(_page_html(n, w, h, shift, name))
    rules = [f"@page {name} {{ size: {size}; margin: 0 }}" for size, name in names.items()]
    face = fonts.face_file(fonts.resolve(NUMBER_ROLE, options.require_official_fonts))
    css = (
        f'@font-face {{ font-family: "{FAMILY}"; src: url("{face.as_uri()}"); }}\n'
        + "\n".join(rules)
        + f"""
html, body {{ margin: 0; padding: 0 }}
section {{ break-before: page; position: relative; overflow: hidden }}
section:first-child {{ break-before: auto }}
.box {{ position: absolute; height: {L.PAGE_NUMBER_SIZE_PT}pt; }}
.n {{ font-family: "{FAMILY}"; font-size: {L.PAGE_NUMBER_SIZE_PT}pt;
      line-height: 1; white-space: nowrap; color: #000; font-weight: normal }}
"""
    )
    head = f'<head><meta charset="utf-8"><style>{css}</style></head>'
    return f'<!DOCTYPE html><html lang="zh-CN">{head}<body>{"".join(bodies)}</body></html>'


def number_pages(
    pdf: bytes, numbering: Sequence[int | None], *, metadata=None, options: RenderOptions = DEFAULT
) -> bytes:
    """Stamp page numbers onto ``pdf`` (one entry per page, None = unnumbered); deterministic.

    ``metadata`` (engine.PdfMetadata) is forwarded to engine.finish_writer; XMP, OutputIntents,
    attachments and outlines of ``pdf`` are kept.
    """
    from docgen.writers.pdf.engine import finish_writer, open_writer

    writer = open_writer(pdf, id_source=pdf + repr(list(numbering)).encode())
    if all(n is None for n in numbering):
        if len(numbering) != len(writer.pages):
            raise ValueError(f"numbering has {len(numbering)} entries for {len(writer.pages)} pages")
        return finish_writer(writer, metadata)
    stamp(writer, numbering, options=options)
    return finish_writer(writer, metadata)


def stamp(writer, numbering: Sequence[int | None], *, options: RenderOptions = DEFAULT) -> None:
    """Merge the numbers onto the pages of a pypdf PdfWriter in place (no re-parse of the document)."""
    from pypdf import PdfReader

    if len(numbering) != len(writer.pages):
        raise ValueError(f"numbering has {len(numbering)} entries for {len(writer.pages)} pages")
    sizes = [(float(p.mediabox.width), float(p.mediabox.height)) for p in writer.pages]
    html = overlay_html([(n, w, h) for n, (w, h) in zip(numbering, sizes, strict=True)], options)
    overlay = PdfReader(io.BytesIO(_overlay_pdf(html)))
    for i, n in enumerate(numbering):
        if n is not None:
            writer.pages[i].merge_page(overlay.pages[i], over=True)


@lru_cache(maxsize=64)
def _overlay_pdf(html: str) -> bytes:
    """The overlay document's bytes. WeasyPrint lays out the same pages for the same HTML, so
    documents with the same page count and orientations (most units of a batch) share one
    rendering per process without changing any output."""
    from docgen.writers.pdf.engine import render_html

    return render_html(html, base_url=None, variant=None).write_pdf()


def number_boxes(n: int, landscape: bool) -> dict[str, float]:
    """Where page n's number belongs, in PDF points of the page as read, for checks:

    portrait: {"em_top": distance of the em-box top from the page top, "start"/"end": x of the
    text's left/right end (only the aligned one is given)}; landscape: {"em_top": x of the em-box
    top (facing right) from the page's left edge, "start"/"end": y from the page top}.
    """
    spot = L.page_number_spot(n, landscape)
    key = "end" if spot.align == "end" else "start"
    return {"em_top": L.mm_to_pt(spot.line_top_mm), key: L.mm_to_pt(spot.anchor_mm)}
