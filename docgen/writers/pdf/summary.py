"""The provincial summary as a printable PDF/A (landscape tables, GB/T 9704 page numbers)."""

from __future__ import annotations

from pathlib import Path

from docgen import __version__
from docgen.standard.text import format_amount
from docgen.views.summary import SummaryView
from docgen.writers.pdf import engine, pagenum

MAX_PASSES = 3
TEMPLATE = "html/summary.html.j2"


def _knows_parts(env) -> bool:
    """Whether the summary template renders one section when asked (``part``): a province's copy made
    before sections existed prints them all at every call, so it is laid out once, whole."""
    from jinja2 import meta

    assert env.loader is not None
    source = env.loader.get_source(env, TEMPLATE)[0]
    return "part" in meta.find_undeclared_variables(env.parse(source))


def parts(view: SummaryView) -> list[str]:
    """The summary's sections, each starting a page: the units' table, the categories' (when the tables are
    grouped), one per summed table, the units missing."""
    cats = ["cats"] if view.grouped else []
    return ["units", *cats, *(f"t{i}" for i in range(len(view.tables))), *(["missing"] if view.missing else [])]


def layout(view: SummaryView, templates: Path):
    """The summary laid out so that no table ends with its 合计 row alone on a page: where one would,
    its last body row starts that page instead. Each section is laid out as its own document (it starts a
    page anyway), so that second pass redoes one table, not the summary; the pages are then joined."""
    env = engine.jinja_env(Path(templates))
    template = env.get_template(TEMPLATE)
    docs = []
    for part in parts(view) if _knows_parts(env) else [None]:
        breaks: frozenset[str] = frozenset()
        for _ in range(MAX_PASSES):
            html = template.render(s=view, fmt=format_amount, breaks=breaks, part=part, **engine.template_context())
            doc = engine.render_html(html, base_url=templates, element_ids="data-row")
            more = lone_totals(engine.element_ids_per_page(doc)) - breaks
            if not more:
                break
            breaks |= more
        docs.append(doc)
    return docs[0].copy([page for d in docs for page in d.pages])


def lone_totals(pages: list[list[str]]) -> frozenset[str]:
    """The body rows to move to the next page: for each "<table>-total" row that is its table's only
    row on its page, the row laid out just before it, unless that row already opens its own page
    (then the two cannot share one)."""
    moves = set()
    for n, ids in enumerate(pages[1:], start=1):
        for rid in ids:
            if not rid.endswith("-total"):
                continue
            prefix = rid[: -len("total")]
            if [i for i in ids if i.startswith(prefix)] != [rid]:
                continue
            before = [i for i in pages[n - 1] if i.startswith(prefix)]
            if len(before) >= 2:
                moves.add(before[-1])
    return frozenset(moves)


def write_summary_pdf_pair(view: SummaryView, templates: Path) -> tuple[bytes, bytes]:
    """(numbered, unnumbered): the file 汇总表.pdf, and its copy for the archive volume (numbered there)."""
    doc = layout(view, templates)
    meta = engine.PdfMetadata(
        title=view.title,
        author="docgen",
        subject=f"{view.form.notice_number} 各单位填报汇总",
        date=view.form.deadline,
        properties={"year": str(view.form.year), "docgenVersion": __version__},
    )
    pdf = engine.write_document(doc, metadata=meta, finish=False)
    return pagenum.number_pages(pdf, pagenum.numbering_from(1, len(doc.pages)), metadata=meta), pdf


def write_summary_pdf(view: SummaryView, templates: Path) -> bytes:
    return write_summary_pdf_pair(view, templates)[0]
