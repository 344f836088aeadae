"""What a reader sees in a PDF, as text lines a golden file can hold and a person can diff.

Pages and their sizes, every word with its place, size and face (the subset tag left out), every
ruling edge, every image by its decoded pixels, the document's metadata and attachments. Two PDFs
whose snapshots agree (numbers within ``TOLERANCE_PT``) look the same to a reader, even where their
bytes differ (another HarfBuzz subsetting the same glyphs, another zlib packing the same streams).
"""

from __future__ import annotations

import difflib
import hashlib
import io
import re

TOLERANCE_PT = 0.25
"""How far a number may move (PDF points, about 0.09 mm) before a snapshot counts as changed."""

_SUBSET_TAG = re.compile(r"^[A-Z]{6}\+")
_NUMBER = re.compile(r"^-?\d+(\.\d+)?$")


def _n(v: float) -> str:
    return f"{v:.1f}"


def snapshot(pdf: bytes) -> list[str]:
    """The reader's view of ``pdf``: one line per page, word, edge, image, metadata entry and attachment."""
    import pdfplumber
    import pypdf

    out: list[str] = []
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    for key, value in sorted((reader.metadata or {}).items()):
        out.append(f"meta {key} {value}")
    for name, contents in sorted(reader.attachments.items()):
        out.extend(f"attachment {name} {hashlib.sha256(data).hexdigest()[:16]}" for data in contents)
    out.append(f"outline {[o.title for o in reader.outline if not isinstance(o, list)]}")
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        out.append(f"pages {len(doc.pages)}")
        for number, page in enumerate(doc.pages, 1):
            out.append(f"page {number} {_n(page.width)} {_n(page.height)}")
            words = page.extract_words(keep_blank_chars=True, use_text_flow=True, extra_attrs=["fontname", "size"])
            for w in words:
                face = _SUBSET_TAG.sub("", w["fontname"])
                out.append(f"w {number} {_n(w['x0'])} {_n(w['top'])} {_n(w['x1'])} {_n(w['size'])} {face} {w['text']}")
            edges = {
                (e["orientation"], _n(e["x0"]), _n(e["top"]), _n(e["x1"]), _n(e["bottom"]))
                for e in page.edges
                if e.get("orientation")
            }
            out.extend(f"e {number} {' '.join(edge)}" for edge in sorted(edges))
            for image in page.images:
                pixels = hashlib.sha256(image["stream"].get_data()).hexdigest()[:16]
                out.append(
                    f"img {number} {_n(image['x0'])} {_n(image['top'])} {_n(image['x1'])} {_n(image['bottom'])} {pixels}"
                )
    return out


def _same_line(a: str, b: str) -> bool:
    ta, tb = a.split(" "), b.split(" ")
    if len(ta) != len(tb):
        return False
    for x, y in zip(ta, tb):
        if x == y:
            continue
        if not (_NUMBER.match(x) and _NUMBER.match(y)) or abs(float(x) - float(y)) > TOLERANCE_PT:
            return False
    return True


def differences(expected: list[str], actual: list[str], limit: int = 40) -> list[str]:
    """A unified diff of the lines that differ beyond the tolerance; empty when a reader sees the same."""
    if len(expected) == len(actual):
        moved = [
            f"line {i}: golden {a!r}\n{' ' * len(f'line {i}: ')}now    {b!r}"
            for i, (a, b) in enumerate(zip(expected, actual), 1)
            if not _same_line(a, b)
        ]
        return moved[:limit] + ([f"… {len(moved) - limit} more lines"] if len(moved) > limit else [])
    diff = list(difflib.unified_diff(expected, actual, "golden", "now", n=1, lineterm=""))
    return diff[:limit] + ([f"… {len(diff) - limit} more diff lines"] if len(diff) > limit else [])
