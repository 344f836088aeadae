"""A unit's PDF packet: summary page + 附件1 (the four tables, landscape), archive-grade.

``write_pdf(view, source, templates, options=RenderOptions()) -> bytes`` (docgen.options)

Layout passes: the tables are laid out with real rowspans. When a page break falls inside a
merged 类型 / 主要工作内容 / 经费安排 group, the merge is split at the first row of the new page
and the label printed again there (``splits``, typed marks: docgen.writers.pdf.splits), and the
document is laid out again; this repeats until the splits match the page breaks (normally 1
pass, 2 when a group breaks).
A table never ends with its 合计 row alone on a page: the last body row is then moved to the
last page with a forced break (``orphan_breaks``), in the same passes.
Then the PDF is written (PDF/A-3b, source attached with AFRelationship Source, XMP) and the
GB/T 9704 page numbers are stamped (docgen.writers.pdf.pagenum), landscape pages per clause 8.
"""

from __future__ import annotations

import logging
from functools import lru_cache
from pathlib import Path

from docgen.io.source import Source
from docgen.options import DEFAULT, RenderOptions
from docgen.standard import fonts
from docgen.standard import gbt9704 as L
from docgen.standard.text import format_amount
from docgen.views.form import DocumentView
from docgen.writers.pdf import engine, pagenum, runs
from docgen.writers.pdf.splits import BREAK, TALL, Split, Splits, TableSplits

log = logging.getLogger(__name__)
MAX_PASSES = 4
PACKET_TEMPLATE = "html/packet.html.j2"


@lru_cache(maxsize=2)
def _fonts_note(options: RenderOptions) -> str:
    used = fonts.resolve_all(options.require_official_fonts)
    subs = [f"{fonts.ROLE_TABLE[r].label}→{f.family}" for r, f in used.items() if not f.official]
    return ("本机未安装标准字体，以替代字体排印：" + "、".join(subs) + "。") if subs else ""


def packet_html(
    view: DocumentView,
    source: Source | None,
    templates: Path,
    splits: Splits | None = None,
    options: RenderOptions = DEFAULT,
    part: str | int = "all",
    table_pages: list[int] | None = None,
    external_css: bool = False,
    pages_label: str = "",
) -> str:
    """The packet's HTML (or one part of it: "cover" or a table index) for the given label
    splits ({tid: TableSplits}); ``external_css``: without its <style> (see ``packet_css``);
    ``pages_label``: what the 目录's page cells say when ``table_pages`` is not given (else empty,
    filled by the PDF's target-counter)."""
    env = engine.jinja_env(templates)
    ctx = engine.template_context(options)
    return env.get_template(PACKET_TEMPLATE).render(
        view=view,
        splits=splits or {},
        grand_total=format_amount(view.grand_total),
        source_name=view.source_name or (Path(source.file).name if source else ""),
        source_sha256=view.source_sha256,
        generator=view.generator,
        part=part,
        table_pages=table_pages,
        pages_label=pages_label,
        fonts_note=_fonts_note(options),
        external_css=external_css,
        **ctx,
    )


def _css_text(templates: Path, options: RenderOptions, cover: bool) -> str:
    env = engine.jinja_env(templates)
    return env.get_template(PACKET_TEMPLATE).render(
        part="css", table_pages=[1] if cover else None, **engine.template_context(options)
    )


@lru_cache(maxsize=8)
def packet_css(templates: Path, options: RenderOptions = DEFAULT, cover: bool = False):
    """The packet's style sheet as a weasyprint.CSS object, parsed once per process (the same
    text packet_html puts in <style>; ``cover``: as for the cover, whose contents carry the
    page numbers as text)."""
    return engine.stylesheet(_css_text(templates, options, cover), str(templates))


def row_id(tid: str, ri: int) -> str:
    """The ``data-row`` id _tables.html.j2 gives body row ``ri`` of table ``tid``: "t0-3"."""
    return f"{tid}-{ri}"


def _row_of(rid: str) -> tuple[str, int]:
    """("t0", 3) from the ``data-row`` id "t0-3" a layout reports."""
    tid, _, ri = rid.rpartition("-")
    return tid, int(ri)


def _label_splits(table, ri: int) -> set[Split]:
    """The marks that repeat the merged labels of row ``ri`` when it opens a page."""
    row = table.rows[ri]
    return {Split(ri, ci) for ci, col in enumerate(table.columns) if col.merged and row.cells[ci].covered}


def needed_splits(view: DocumentView, rows_per_page: list[list[str]]) -> Splits:
    """What a layout asks for: {tid: TableSplits of Split(r, c) and Split(r, TALL)}.

    Split(r, c): row r opens a page inside a merged group → repeat the label of column c there.
    Split(r, TALL): row r lies on several pages although rows avoid breaking → it is taller than
    a page and may break inside (so it starts right below the header and the header repeats).
    """
    out: dict[str, set[Split]] = {}
    previous: list[str] = []
    for ids in rows_per_page:
        for rid in ids:
            if rid in previous:  # continued from the page before
                tid, ri = _row_of(rid)
                out.setdefault(tid, set()).add(Split(ri, TALL))
        opening = next((rid for rid in ids if rid not in previous), None)
        if opening is not None and opening == (ids[0] if ids else None):
            tid, ri = _row_of(opening)
            labels = _label_splits(view.tables[int(tid[1:])], ri)
            if labels:
                out.setdefault(tid, set()).update(labels)
        previous = ids
    return {tid: TableSplits.of(marks) for tid, marks in out.items()}


def orphan_breaks(view: DocumentView, rows_per_page: list[list[str]]) -> Splits:
    """Forced breaks a layout asks for so that no table ends with its 合计 row alone on a page:
    {tid: TableSplits of Split(r, BREAK), Split(r, c)…}.

    When the last page of a table holds the total row but no body row, row r = the last body
    row gets Split(r, BREAK) (the row starts a new page: ``break-before: page`` on its <tr>, which
    WeasyPrint honours between rows, unlike ``break-before: avoid``) plus the label marks of
    its merged cells, so a group it belongs to is split there and its labels repeat, exactly
    as when a group breaks by itself. Nothing is asked when row r already opens its page
    (then it and the total cannot share one) — the caller warns.
    """
    out: Splits = {}
    for ti, table in enumerate(view.tables):
        tid = f"t{ti}"
        if not table.rows or table.rows[-1].kind != "total" or len(table.rows) < 2:
            continue
        pages = [[rid for rid in ids if _row_of(rid)[0] == tid] for ids in rows_per_page]
        pages = [ids for ids in pages if ids]
        total = row_id(tid, len(table.rows) - 1)
        if len(pages) < 2 or pages[-1] != [total]:
            continue
        ri = len(table.rows) - 2
        rid = row_id(tid, ri)
        start = next((ids for ids in pages if rid in ids), None)
        if start is None or start[0] == rid:
            out.setdefault(tid, TableSplits())  # cannot help: the row already opens its page
            continue
        out[tid] = TableSplits.of({Split(ri, BREAK)} | _label_splits(table, ri))
    return out


def certainly_tall(table) -> TableSplits:
    """Split(r, TALL) for the body rows of ``table`` (a views.form.TableView) that no layout can fit on
    one page: a cell whose CJK ideographs alone, each at least ``_IDEOGRAPH_EM`` wide, fill more lines
    than the landscape 版心 holds. settle would find them on several pages after a first pass and lay
    the table out again; marked before it, that pass is saved (a 10,000-character 备注: 136 pages
    laid out once less). Rows that may fit are left to the layout."""
    width_pt = L.mm_to_pt(L.LANDSCAPE_TEXT_WIDTH_MM)
    height_pt = L.mm_to_pt(L.LANDSCAPE_TEXT_HEIGHT_MM)
    size = L.TABLE_TEXT_PT
    padding = 2 * size * L.TABLE_CELL_PADDING_ZI + 2 * L.mm_to_pt(L.TABLE_RULE_MM)
    marks = set()
    for ri, row in enumerate(table.rows):
        for ci, cell in enumerate(row.cells):
            if cell.hidden or cell.covered or cell.colspan != 1 or len(cell.text) < _TALL_MIN_CHARS:
                continue
            per_line = max(1, int((width_pt * table.columns[ci].share) / (size * _IDEOGRAPH_EM)))
            ideographs = sum(1 for ch in cell.text if runs.ideograph(ch))
            if -(-ideographs // per_line) * size * L.TABLE_LINE_HEIGHT + padding > height_pt:
                marks.add(Split(ri, TALL))
                break
    return TableSplits.of(marks)


_IDEOGRAPH_EM = 0.9
"""Below the advance of a CJK ideograph in any CJK face (1 em), so the line count is a lower bound."""
_TALL_MIN_CHARS = 64
"""Shorter texts never fill a page (31 lines of at least one ideograph); not worth counting."""


def settle(render, view: DocumentView, start: Splits | None = None):
    """Lay out with ``render(splits)`` until the repeated labels sit exactly at page tops.

    ``render`` takes {tid: TableSplits} (docgen.writers.pdf.splits) and returns a weasyprint Document
    laid out with ``engine.render_html(..., element_ids="data-row")`` whose table rows carry
    ``data-row="<tid>-<row>"`` (as _tables.html.j2 writes them), e.g. for a notice's 附件1::

        doc, splits, passes = settle(
            lambda s: engine.render_html(tpl.render(view=v, splits=s, **ctx), base_url=t,
                                         element_ids="data-row"), v)
    ``start``: marks known before any layout (``certainly_tall``), kept like those a layout asks for.
    Returns (document, splits, passes); normally 1 pass, 2 when a group or a row breaks or
    when a table would end with its 合计 row alone on a page (``orphan_breaks``). Every pass
    lays the table out in full (WeasyPrint's public API has no way to resume mid-document).
    """
    splits: Splits = dict(start or {})
    doc = None
    for passes in range(1, MAX_PASSES + 1):
        doc = render(splits)
        rows = engine.element_ids_per_page(doc)
        merged = _merge(splits, needed_splits(view, rows), rows)
        if merged == splits:
            # the labels have settled: only now is the last page final enough to judge whether
            # the 合计 row ends up alone there (a forced break, once added, stays)
            orphans = orphan_breaks(view, rows)
            for tid in sorted(t for t, marks in orphans.items() if not marks):
                log.warning(
                    "table %s ends with its total row alone on a page: its last row "
                    "already opens a page and cannot take the total along",
                    tid,
                )
            orphans = {t: m for t, m in orphans.items() if m and not m <= splits.get(t, TableSplits())}
            if not orphans:
                return doc, splits, passes
            merged = _merge(splits, orphans, rows)
        splits = merged
    log.warning("label repetition did not settle after %d layout passes", MAX_PASSES)
    return doc, splits, MAX_PASSES


def _merge(splits: Splits, wanted: Splits, rows: list[list[str]]) -> Splits:
    """splits ∪ wanted, without label splits no longer at a page top (their label would repeat
    mid-page). TALL marks stay (a row once found taller than a page stays so), and so do
    forced breaks and the labels of their rows (those rows open a page in the next layout)."""
    empty = TableSplits()
    merged = {k: splits.get(k, empty) | wanted.get(k, empty) for k in splits.keys() | wanted.keys()}
    tops = {ids[0] for ids in rows if ids}
    tops |= {row_id(k, s.row) for k, v in merged.items() for s in v if s.mark == BREAK}
    kept = {k: TableSplits.of(s for s in v if s.mark == TALL or row_id(k, s.row) in tops) for k, v in merged.items()}
    return {k: v for k, v in kept.items() if v}


def _render_part(view: DocumentView, source: Source | None, templates: Path, options: RenderOptions, **kw):
    """One part of the packet (the cover or a table) laid out as its own weasyprint Document."""
    html = packet_html(view, source, templates, options=options, external_css=True, **kw)
    css = [packet_css(templates, options, kw.get("part") == "cover")]
    return engine.render_html(html, base_url=templates, stylesheets=css, element_ids="data-row")


def _table_laid_out(view: DocumentView, source: Source | None, templates: Path, options: RenderOptions, ti: int):
    """Table ``ti`` settled as its own document (it starts a page anyway, so a second pass for label
    repetition redoes only that table): (document, splits, passes)."""
    tall = certainly_tall(view.tables[ti])
    start = {f"t{ti}": tall} if tall else {}
    return settle(lambda s: _render_part(view, source, templates, options, splits=s, part=ti), view, start)


def first_pages(counts: list[int]) -> list[int]:
    """The page each table starts on, from the tables' page counts, the cover being page 1."""
    first, out = 2, []
    for n in counts:
        out.append(first)
        first += n
    return out


def layout(view: DocumentView, source: Source | None, templates: Path, options: RenderOptions = DEFAULT):
    """Lay the packet out: (weasyprint Document of all pages, splits, most passes of one table).

    Each table is laid out as its own document (``_table_laid_out``); the cover is laid out last, with
    the tables' first page numbers in its 目录, and the pages are joined into one document.
    """
    templates = Path(templates)
    docs: list = []
    splits: Splits = {}
    passes = 1
    for ti in range(len(view.tables)):
        doc, sp, n = _table_laid_out(view, source, templates, options, ti)
        docs.append(doc)
        splits.update(sp)
        passes = max(passes, n)
    table_pages = first_pages([len(doc.pages) for doc in docs])
    cover = _render_part(view, source, templates, options, part="cover", table_pages=table_pages)
    pages = list(cover.pages) + [p for d in docs for p in d.pages]
    return cover.copy(pages), splits, passes


def table_page_count(view: DocumentView, ti: int, templates: Path, options: RenderOptions = DEFAULT) -> int:
    """How many pages table ``ti`` takes in the packet (laid out as ``layout`` lays it out; for the web
    preview's 目录: ``first_pages`` of every table's count are the numbers the cover prints)."""
    return len(_table_laid_out(view, None, Path(templates), options, ti)[0].pages)


def table_pages(view: DocumentView, templates: Path, options: RenderOptions = DEFAULT) -> list[int]:
    """The page each table starts on in the packet: the numbers its cover's 目录 prints."""
    return first_pages([table_page_count(view, ti, templates, options) for ti in range(len(view.tables))])


def table_layout_inputs(view: DocumentView, templates: Path, options: RenderOptions = DEFAULT) -> list[bytes]:
    """What each table's layout reads, as bytes: the style sheet and the table's HTML. Equal bytes give an
    equal ``table_page_count`` (with the same fonts and docgen), whatever file the submission came from."""
    templates = Path(templates)
    css = _css_text(templates, options, False)
    return [
        "\0".join([css, packet_html(view, None, templates, options=options, part=ti, external_css=True)]).encode()
        for ti in range(len(view.tables))
    ]


def metadata(view: DocumentView) -> engine.PdfMetadata:
    props = {
        "unit": view.unit,
        "year": str(view.year),
        "docgenVersion": view.generator.split()[-1],
        "form": str(view.year),
    }
    if view.source_name:
        props["sourceFile"] = view.source_name
    if view.source_sha256:
        props["sourceSha256"] = view.source_sha256
    substitutions = _fonts_note(DEFAULT)
    if substitutions:  # in the metadata, never printed on the cover (issue 11)
        props["fontSubstitutions"] = substitutions
    return engine.PdfMetadata(
        title=view.document_title,
        author=view.unit,
        subject=f"{view.title}：{view.unit}填报材料（附件1 四张表）" if not view.blank else view.title,
        keywords=(view.title, view.unit, str(view.year)) if view.unit else (view.title,),
        date=view.date,
        properties=props,
    )


def write_pdf(view: DocumentView, source: Source | None, templates: Path, options: RenderOptions = DEFAULT) -> bytes:
    """The packet as PDF/A-3b bytes (deterministic); fonts.OfficialFontMissing when required."""
    return write_pdf_pair(view, source, templates, options)[0]


def write_pdf_pair(
    view: DocumentView, source: Source | None, templates: Path, options: RenderOptions = DEFAULT
) -> tuple[bytes, bytes]:
    """(the packet, the same pages without page numbers) — the archive volume numbers them anew."""
    if options.require_official_fonts:
        fonts.resolve_all(require_official=True)  # raises OfficialFontMissing, naming every role
    doc, _, _ = layout(view, source, Path(templates), options)
    return write_laid_out(view, source, doc, options)


def write_laid_out(
    view: DocumentView, source: Source | None, doc, options: RenderOptions = DEFAULT
) -> tuple[bytes, bytes]:
    """write_pdf_pair's second half: the pages ``layout`` gave, written, with the source attached, and numbered."""
    meta = metadata(view)
    attachments = []
    if source is not None:
        name = view.source_name or Path(source.file).name
        attachments.append(
            engine.PdfAttachment(
                name=name,
                data=source.text.encode("utf-8"),
                mime="application/yaml",
                description=f"填报源文件 {name}（SHA-256 {view.source_sha256}）",
                relationship="Source",
            )
        )
    pdf = engine.write_document(doc, metadata=meta, attachments=attachments, finish=False)
    numbered = pagenum.number_pages(pdf, pagenum.numbering_from(1, len(doc.pages)), metadata=meta, options=options)
    return numbered, pdf


__all__ = [
    "first_pages",
    "layout",
    "metadata",
    "needed_splits",
    "orphan_breaks",
    "packet_css",
    "packet_html",
    "settle",
    "table_layout_inputs",
    "table_page_count",
    "table_pages",
    "write_laid_out",
    "write_pdf",
    "write_pdf_pair",
]
