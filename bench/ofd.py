"""Benchmark the OFD writer beside the PDF (not a test): CPU ms per page, in one warm process.

.venv/bin/python bench/ofd.py [N]     # N example units (default all 23), the blank form and the notice;
                                      # writes build/bench/ofd.md and prints it

For each document the PDF is rendered as `docgen render -f pdf` does (registry, one layout), then the OFD is
made from those PDF bytes (docgen.writers.ofd.writer.write_ofd, what `-f pdf,ofd` adds). CPU time of this
process (time.process_time), so other work on a shared machine counts less than in wall time. One other
unit (Chaozhou, not measured) is rendered first, so the fonts are loaded as in a batch or render worker; the
OFD's per-process glyph cache then fills as the documents go (each glyph is drawn once per process), which
is what a worker does. ``--cold`` empties that cache before every document: each OFD pays for all its glyphs.
"""

from __future__ import annotations

import datetime as dt
import io
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pypdf import PdfReader  # noqa: E402

from docgen.registry import Options, render_file  # noqa: E402
from docgen.writers.ofd.writer import write_ofd  # noqa: E402

EXAMPLES = ROOT / "data" / "submissions" / "2024"
OUT = ROOT / "build" / "bench"
TARGET = 0.25  # the OFD may cost at most 25 % on top of the PDF alone


def _forget() -> None:
    """Nothing by default; with --cold, empties the OFD's font caches before each document."""


def measure(path: Path) -> tuple[int, float, float]:
    """(pages, CPU s of the PDF, CPU s of the OFD made from it)."""
    _forget()
    t0 = time.process_time()
    pdf = render_file(path, Options(formats=("pdf",))).outputs["pdf"]
    t1 = time.process_time()
    write_ofd(pdf)
    t2 = time.process_time()
    return len(PdfReader(io.BytesIO(pdf)).pages), t1 - t0, t2 - t1


def main() -> None:
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    cold = "--cold" in sys.argv
    n = int(args[0]) if args else 22
    warm_up = EXAMPLES / "chaozhou.yaml"
    units = [p for p in sorted(EXAMPLES.glob("*.yaml")) if p != warm_up][:n]
    others = [ROOT / "data" / "forms" / "2024.yaml", ROOT / "data" / "notices" / "2023-233.yaml"]
    measure(warm_up)  # fonts, templates, style sheets loaded once, as in a warm worker
    if cold:
        from docgen.writers.ofd import subset

        global _forget
        _forget = lambda: (subset.subset.cache_clear(), subset._source.cache_clear())  # noqa: E731
    rows = []
    for kind, paths in (("packets", units), ("blank form", others[:1]), ("notice", others[1:])):
        pages = pdf_s = ofd_s = 0.0
        for path in paths:
            p, a, b = measure(path)
            pages, pdf_s, ofd_s = pages + p, pdf_s + a, ofd_s + b
        rows.append((f"{kind} ({len(paths)})", int(pages), pdf_s, ofd_s))
    total = ("all", sum(r[1] for r in rows), sum(r[2] for r in rows), sum(r[3] for r in rows))
    lines = [
        f"# OFD beside PDF ({dt.date.today()}, CPU time of one process{', font caches emptied before each document' if cold else ''})",
        "",
        "| documents | pages | PDF ms/page | OFD ms/page (from the PDF) | OFD / PDF |",
        "|---|---|---|---|---|",
    ]
    for name, pages, a, b in [*rows, total]:
        lines.append(f"| {name} | {pages} | {a / pages * 1000:.0f} | {b / pages * 1000:.1f} | {b / a * 100:.1f} % |")
    ratio = total[3] / total[2]
    lines += [
        "",
        f"target: OFD ≤ {TARGET * 100:.0f} % of the PDF alone — {'met' if ratio <= TARGET else 'MISSED'} ({ratio * 100:.1f} %)",
    ]
    text = "\n".join(lines) + "\n"
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "ofd.md").write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
