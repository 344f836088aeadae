"""The batch's summary step: 汇总表.xlsx and .pdf from the units' filings, rebuilt only when they change."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from docgen.batch.manifest import Manifest, SummaryEntry, describe, outputs_intact, sha256_bytes
from docgen.form.loading import form_for
from docgen.form.tree import Form
from docgen.io.atomic import write_bytes
from docgen.standard.text import format_amount
from docgen.views.summary import SummaryView, UnitFiling, collect

SUMMARY_STEM = "汇总表"
SUMMARY_PART = ".archive/汇总表.pdf"  # the summary unnumbered, for the archive volume


@dataclass(frozen=True)
class SummaryFacts:
    """What the manifest records of the summary it wrote."""

    grand_total: str  # 万元, as printed
    units: int


def summary_key(
    manifest: Manifest,
    outdir: Path,
    filings: list[UnitFiling],
    failed: list[tuple[str, str, str]],
    templates_hash: str,
    form_hash: str,
) -> str | None:
    """The summary's build key, or None when 汇总表 is up to date for exactly these filings."""
    content = sorted(repr(f) for f in filings)  # every figure and text the summary prints
    key = sha256_bytes(repr((content, sorted(failed), templates_hash, form_hash)).encode())
    entry = manifest.summary
    if entry is not None and entry.build_key == key and outputs_intact(entry.outputs, outdir):
        return None
    return key


def summary_view(
    filings: list[UnitFiling], failed: list[tuple[str, str, str]], form: Form | None = None
) -> SummaryView:
    return collect(form or form_for(), filings, failed)


def render_summary(
    filings: list[UnitFiling], failed: list[tuple[str, str, str]], templates: Path, form: Form | None = None
) -> tuple[dict[str, bytes], SummaryFacts]:
    """汇总表 as XLSX and PDF bytes (and the PDF unnumbered for the archive volume)."""
    from docgen.writers.pdf.summary import write_summary_pdf_pair
    from docgen.writers.xlsx.summary import write_summary_xlsx

    view = summary_view(filings, failed, form)
    numbered, plain = write_summary_pdf_pair(view, templates)
    outputs = {"xlsx": write_summary_xlsx(view), "pdf": numbered, "part": plain}
    return outputs, SummaryFacts(format_amount(view.grand_total()), len(view.units))


def write_summary(
    outdir: Path,
    manifest: Manifest,
    key: str,
    outputs: dict[str, bytes],
    facts: SummaryFacts,
    log: Callable[[str], None],
) -> list[Path]:
    written = [
        write_bytes(outdir / (SUMMARY_PART if fmt == "part" else f"{SUMMARY_STEM}.{fmt}"), data)
        for fmt, data in outputs.items()
    ]
    manifest.summary = SummaryEntry(key, describe(outdir, written), facts.grand_total, facts.units)
    log(f"已生成 {', '.join(str(p) for p in written if not p.parent.name.startswith('.'))}")
    return written
