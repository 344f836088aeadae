"""Long cell text as a row of inline runs, so that WeasyPrint lays it out in linear time (issue 23).

``text_runs("甲乙…")`` → the HTML of a table cell's text: the escaped text itself when it is short
(up to ``LONG`` characters: every example prints byte for byte as before), else the text cut into
``<span>`` runs of about ``RUN`` characters.

Why: WeasyPrint 70 (text/line_break.py, ``split_first_line``) lays out a slice of a text box for each
line, but in a box narrower than 4 em (备注, 项目数及单项金额…) it takes the slice up to the first
space, and Chinese has none: every line lays out the whole rest of the box, O(N²) in the box's length
(10,000 characters in 备注: 123 s). A run is a box of its own, so a line lays out at most the rest of
one run. docs/weasyprint-line-break.md proposes the fix upstream.

Why the print is the same: runs are cut only between two CJK ideographs, where a line may always
break (UAX #14: ID × ID) and no glyph shapes with its neighbour; the spans carry no style. The
glyphs land at the same places (tests/writers/pdf/test_runs.py compares every character's position
with and without runs, in a narrow and a wide column).
"""

from __future__ import annotations

from markupsafe import Markup, escape

LONG = 512
"""Texts up to this many characters stay one text (the examples' longest cell text has 321)."""
RUN = 64
"""Characters per run, at least (a run ends at the next boundary between two ideographs)."""

_IDEOGRAPHS = ((0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF), (0x20000, 0x3FFFF))


def ideograph(ch: str) -> bool:
    """Whether ``ch`` is a CJK ideograph (Unified, Extension A–H, Compatibility)."""
    code = ord(ch)
    return any(lo <= code <= hi for lo, hi in _IDEOGRAPHS)


def runs(text: str, size: int = RUN) -> list[str]:
    """``text`` cut into pieces of at least ``size`` characters, only between two ideographs."""
    pieces, start, cut = [], 0, size
    while cut < len(text):
        if ideograph(text[cut - 1]) and ideograph(text[cut]):
            pieces.append(text[start:cut])
            start, cut = cut, cut + size
        else:
            cut += 1
    pieces.append(text[start:])
    return pieces


def text_runs(value: object) -> Markup:
    """A cell's text as HTML: escaped, and in ``<span>`` runs when longer than ``LONG``."""
    text = str(value)
    if len(text) <= LONG:
        return escape(text)
    return Markup("").join(Markup("<span>%s</span>") % piece for piece in runs(text, RUN))


__all__ = ["LONG", "RUN", "ideograph", "runs", "text_runs"]
