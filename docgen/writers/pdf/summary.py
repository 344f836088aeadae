"""The provincial summary as a printable PDF/A (landscape tables, GB/T 9704 page numbers)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from docgen import __version__
from docgen.standard.text import format_amount
from docgen.views.summary import SummaryView
from docgen.writers.pdf import engine, pagenum

if TYPE_CHECKING:  # a type only; the summary view moves to docgen/views/summary.py (issue 9, item 4)
    from docgen.batch.summary import SummaryView


def write_summary_pdf_pair(view: SummaryView, templates: Path) -> tuple[bytes, bytes]:
    """(numbered, unnumbered): the file 汇总表.pdf, and its copy for the archive volume (numbered there)."""
    html = (
        engine.jinja_env(Path(templates))
        .get_template("html/summary.html.j2")
        .render(s=view, fmt=format_amount, **engine.template_context())
    )
    doc = engine.render_html(html, base_url=templates)
    meta = engine.PdfMetadata(
        title=f"{view.form.year}年度知识产权项目需求汇总表",
        author="docgen",
        subject=f"{view.form.notice_number} 各单位填报汇总",
        date=view.form.deadline,
        properties={"year": str(view.form.year), "docgenVersion": __version__},
    )
    pdf = engine.write_document(doc, metadata=meta, finish=False)
    return pagenum.number_pages(pdf, pagenum.numbering_from(1, len(doc.pages)), metadata=meta), pdf


def write_summary_pdf(view: SummaryView, templates: Path) -> bytes:
    return write_summary_pdf_pair(view, templates)[0]
