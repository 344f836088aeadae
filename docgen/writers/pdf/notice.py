"""The notice as PDF: templates/html/notice.html.j2 through the shared engine (docgen.writers.pdf.engine).

``write_pdf(view, templates, source_text=None, source_name="", options=RenderOptions()) -> bytes``
where ``view`` is docgen.views.notice.NoticeView: every position, the attachments, the 版记 and
the checked seal come from it (the DOCX writer reads the same view). The 版头 is laid out with
absolute positions inside a block of known height so that the 标志's em-box top sits exactly
35 mm below the 版心's top, the 字号 two lines under it and the red rule 4 mm under the 字号.
The body runs on the 22 × 28 grid (line pitch 28.95 pt, letter-spacing for 28 characters).
附件1's tables (the view's blank form) go through the shared ``_tables.html.j2`` macro on
landscape pages; label repeats of merged cells at page tops are settled by extra layout passes
(docgen.writers.pdf.packet.settle, shared with the packet).

版记: an in-flow spacer of the 版记's height (so it never overlaps text) holding the 版记's rows
absolutely placed at the bottom of the page's content box: its last rule lies on the 版心's
bottom edge of the last page. When the last attachment is landscape the 版记 gets a portrait
page of its own. Page numbers ("— N —", 宋体 4号, odd right / even left, turned on landscape
pages) are stamped by docgen.writers.pdf.pagenum on every page: docgen never inserts a blank page
before the 版记, so the rule "a blank page before the 版记 page and that 版记 page carry no
number" never applies; the 版记 page is numbered like the others.
"""

from __future__ import annotations

from pathlib import Path

from docgen.options import DEFAULT, RenderOptions
from docgen.standard import fonts
from docgen.views.notice import NoticeView
from docgen.writers.pdf import engine, pagenum
from docgen.writers.pdf.splits import Splits

TEMPLATE = "html/notice.html.j2"


def notice_html(
    view: NoticeView, templates: Path, splits: dict[int, Splits] | None = None, options: RenderOptions = DEFAULT
) -> str:
    env = engine.jinja_env(templates)
    ctx = engine.template_context(options)
    return env.get_template(TEMPLATE).render(
        nv=view,
        n=view.notice,
        lay=view.layout,
        atts=view.attachments,
        splits=splits or {},
        seal_url=view.seal.data_url if view.seal else "",
        **ctx,
    )


def layout(view: NoticeView, templates: Path, options: RenderOptions = DEFAULT):
    """Lay the notice out until repeated table labels sit exactly at page tops: (document, splits).

    The table attachment (附件1) is settled by the packet's own mechanism (packet.settle), so a
    merged label or a row taller than a page is handled the same way in both documents.
    """
    from docgen.writers.pdf.packet import settle

    def render(splits: dict[int, Splits]):
        return engine.render_html(
            notice_html(view, templates, splits, options),
            base_url=templates,
            element_ids="data-row",
        )

    ai = view.table_attachment
    if ai is None:
        return render({}), {}
    # one table attachment is expected (附件1); several would share the table ids, so settle the first
    form = view.attachments[ai].form
    assert form is not None  # a "tables" attachment always carries its blank form
    doc, splits, _ = settle(lambda s: render({ai: s}), form)
    return doc, {ai: splits}


def metadata(view: NoticeView, source_name: str = "") -> engine.PdfMetadata:
    notice = view.notice
    props = {"documentNumber": notice.number, "issuer": notice.issuer, "year": str(notice.year)}
    if source_name:
        props["sourceFile"] = source_name
    return engine.PdfMetadata(
        title=notice.title_text,
        author=notice.issuer,
        subject=f"{notice.number} {notice.title_text}",
        keywords=(notice.number, notice.issuer),
        date=notice.date,
        properties=props,
    )


def write_pdf(
    view: NoticeView,
    templates: Path,
    source_text: str | None = None,
    source_name: str = "",
    options: RenderOptions = DEFAULT,
) -> bytes:
    """The notice as PDF/A-3b bytes (deterministic), source YAML attached, pages numbered."""
    if options.require_official_fonts:
        fonts.resolve_all(require_official=True)
    doc, _ = layout(view, Path(templates), options)
    meta = metadata(view, source_name)
    attachments = []
    if source_text is not None:
        attachments.append(
            engine.PdfAttachment(
                name=source_name or "notice.yaml",
                data=source_text.encode("utf-8"),
                mime="application/yaml",
                description=f"公文源文件 {view.notice.number}",
            )
        )
    pdf = engine.write_document(doc, metadata=meta, attachments=attachments)
    return pagenum.number_pages(pdf, page_numbering(len(doc.pages)), metadata=meta, options=options)


def page_numbering(count: int) -> list[int | None]:
    """Every page numbered 1..count (docgen inserts no blank page before the 版记; see module doc)."""
    return pagenum.numbering_from(1, count)
