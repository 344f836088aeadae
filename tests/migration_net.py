"""The form engine's safety net: what the 2024 form's outputs are, for all 23 units, the blank form and the summary.

Recorded before the consumers moved from the hand-written model onto the form tree (issue 19) and
compared after: DOCX and XLSX bytes, the PDF packet's HTML (what WeasyPrint lays out), and the summary's
XLSX and HTML. Pure Python, so the same on every machine. ``python -m tests.migration_net --record``
writes ``tests/golden/net-2024.json``.
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

from docgen.io.paths import DATA_DIR, TEMPLATES_DIR

GOLDEN = Path(__file__).parent / "golden" / "net-2024.json"
UNITS = DATA_DIR / "submissions" / "2024"


def _sha(data: bytes | str) -> str:
    return hashlib.sha256(data.encode() if isinstance(data, str) else data).hexdigest()[:16]


def _digests() -> dict[str, str]:
    from docgen.batch.summary import summary_view
    from docgen.registry import check_file
    from docgen.standard.text import format_amount
    from docgen.views.form import blank_view, build_view
    from docgen.views.summary import unit_filing
    from docgen.writers.docx.form import write_docx
    from docgen.writers.pdf import engine
    from docgen.writers.pdf.packet import packet_html
    from docgen.writers.xlsx.form import write_xlsx
    from docgen.writers.xlsx.summary import write_summary_xlsx

    out: dict[str, str] = {}
    filings = []
    first = None
    for path in sorted(UNITS.glob("*.yaml")):
        result = check_file(path)
        assert result.submission is not None and result.form is not None, (path, result.diagnostics)
        view = build_view(result.form, result.submission, source_name=path.name, source_bytes=path.read_bytes())
        first = first or result.form
        out[f"{path.stem}.docx"] = _sha(write_docx(view, templates=TEMPLATES_DIR))
        out[f"{path.stem}.xlsx"] = _sha(write_xlsx(view))
        out[f"{path.stem}.html"] = _sha(packet_html(view, None, TEMPLATES_DIR))
        filings.append(unit_filing(view))
    assert first is not None
    blank = blank_view(first)
    out["blank.docx"] = _sha(write_docx(blank, templates=TEMPLATES_DIR))
    out["blank.xlsx"] = _sha(write_xlsx(blank))
    out["blank.html"] = _sha(packet_html(blank, None, TEMPLATES_DIR))
    summary = summary_view(filings, [("broken.yaml", "坏文件", "第3行 有误")], first)
    out["summary.xlsx"] = _sha(write_summary_xlsx(summary))
    template = engine.jinja_env(TEMPLATES_DIR).get_template("html/summary.html.j2")
    out["summary.html"] = _sha(
        template.render(s=summary, fmt=format_amount, breaks=frozenset(), part=None, **engine.template_context())
    )
    return out


def compare() -> list[str]:
    """The outputs whose digest moved, each as 'name: recorded → now'."""
    recorded = json.loads(GOLDEN.read_text(encoding="utf-8"))
    now = _digests()
    names = sorted(set(recorded) | set(now))
    return [f"{n}: {recorded.get(n)} → {now.get(n)}" for n in names if recorded.get(n) != now.get(n)]


if __name__ == "__main__":
    if "--record" in sys.argv:
        GOLDEN.write_text(json.dumps(_digests(), ensure_ascii=False, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    else:
        print("\n".join(compare()) or "unchanged")
