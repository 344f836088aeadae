"""Benchmark one long text cell (issue 23; not a test): N CJK characters in 备注 (narrow) and 必要性 (wide).

.venv/bin/python bench/long_text.py                  # after (cell text in runs) and before, side by side
.venv/bin/python bench/long_text.py --before-max 5000   # the old layout only up to 5,000 characters

Guangzhou's packet with its first project's 备注 or 项目设置必要性 replaced by N characters of ordinary
Chinese prose (no spaces), rendered to PDF in this process (fonts loaded first). "before" is the same
code with the runs switched off (docgen.writers.pdf.runs.LONG raised above N): the layout of one text
box per cell, as before the change. The two are measured one after the other in the same run, so a
loaded machine weighs on both alike. Prints a table with each figure beside its target; writes
build/bench/long_text.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import sys
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from docgen.io.limits import MAX_TEXT_CHARS  # noqa: E402
from docgen.io.paths import DATA_DIR  # noqa: E402
from docgen.io.source import parse  # noqa: E402
from docgen.registry import Options, render_source  # noqa: E402
from docgen.writers.pdf import runs  # noqa: E402

OUT = ROOT / "build" / "bench"
SIZES = (1_000, 2_000, 5_000, 10_000, 20_000)
COLUMNS = {"remarks": "备注 (narrow)", "necessity": "必要性 (wide)"}
PHRASES = (
    "专业市场侵权假冒多发，",
    "需建立快速处置机制。",
    "新增发明专利申请不少于200件；",
    "（试点）",
    "“十四五”规划",
)
TARGET_10K_S = 15.0
TARGET_4X = 5.0
RENDER_LIMIT_S = 60.0  # the service's default --render-timeout
LONG = runs.LONG  # the threshold as shipped


def prose(n: int) -> str:
    rng = random.Random(n)
    text = ""
    while len(text) < n:
        text += rng.choice(PHRASES)
    return text[:n]


def render(n: int, field: str, before: bool) -> tuple[float, float, int]:
    """(CPU s, wall s, pages) of the PDF packet with one cell of n characters."""
    import io

    from pypdf import PdfReader

    data = yaml.safe_load((DATA_DIR / "submissions" / "2024" / "guangzhou.yaml").read_text(encoding="utf-8"))
    data["retained"][0]["projects"][0][field] = prose(n)
    source = parse(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), "long.yaml")
    runs.LONG = 10**9 if before else LONG
    try:
        cpu, wall = time.process_time(), time.perf_counter()
        pdf = render_source(source, Options(formats=("pdf",))).outputs["pdf"]
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    finally:
        runs.LONG = LONG
    return cpu, wall, len(PdfReader(io.BytesIO(pdf)).pages)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--before-max", type=int, default=10_000, help="lay out the old way only up to this length")
    ap.add_argument("--limit", action="store_true", help=f"also the largest cell the limits allow ({MAX_TEXT_CHARS:,})")
    args = ap.parse_args()
    render(10, "remarks", before=False)  # fonts, style sheets, imports
    rows: dict[tuple[str, int], dict[str, tuple[float, float, int]]] = {}
    for field in COLUMNS:
        for n in SIZES:
            got = rows.setdefault((field, n), {})
            got["after"] = render(n, field, before=False)
            print(field, n, "after", *(f"{x:.2f}" for x in got["after"]), flush=True)
            if n <= args.before_max:
                got["before"] = render(n, field, before=True)
                print(field, n, "before", *(f"{x:.2f}" for x in got["before"]), flush=True)
    lines = [
        f"# One long cell — {dt.datetime.now().isoformat(timespec='seconds')}",
        "",
        f"Machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at the end (shared: compare the "
        "columns of one run, not runs of different days). CPU seconds of the PDF writer (wall in brackets).",
        "",
        "| column | characters | before: CPU s (wall) | after: CPU s (wall) | pages |",
        "|---|---|---|---|---|",
    ]
    for (field, n), got in rows.items():
        before = got.get("before")
        b = f"{before[0]:.2f} ({before[1]:.2f})" if before else "not run"
        a = got["after"]
        lines.append(f"| {COLUMNS[field]} | {n:,} | {b} | {a[0]:.2f} ({a[1]:.2f}) | {a[2]} |")
    checks = []
    for field in COLUMNS:
        t10 = rows[(field, 10_000)]["after"][0]
        checks.append((f"10,000 characters in {COLUMNS[field]}", f"{t10:.2f} s", f"≤ {TARGET_10K_S:.0f} s", t10 <= 15))
        ratio = rows[(field, 20_000)]["after"][0] / rows[(field, 5_000)]["after"][0]
        checks.append(
            (f"20,000 / 5,000 characters, {COLUMNS[field]}", f"{ratio:.2f}×", f"≤ {TARGET_4X:.0f}×", ratio <= 5)
        )
    if args.limit:
        cpu, wall, pages = render(MAX_TEXT_CHARS, "remarks", before=False)
        checks.append(
            (
                f"{MAX_TEXT_CHARS:,} characters (the limit) in 备注, wall ({pages} pages)",
                f"{wall:.2f} s (CPU {cpu:.2f} s)",
                f"< {RENDER_LIMIT_S:.0f} s render limit",
                wall < RENDER_LIMIT_S,
            )
        )
    lines += ["", "| measure | result | target | ok |", "|---|---|---|---|"]
    lines += [f"| {a} | {b} | {c} | {'yes' if ok else '**NO**'} |" for a, b, c, ok in checks]
    report = "\n".join(lines) + "\n"
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "long_text.md").write_text(report, encoding="utf-8")
    print(report)
    return 0 if all(c[3] for c in checks) else 1


if __name__ == "__main__":
    sys.exit(main())
