"""HTML → archive-grade PDF with WeasyPrint: the one place that calls WeasyPrint for documents.

API (stable; used by the packet writer and the notice writer)::

    meta = PdfMetadata(title="…", author="广州市…", subject="…", date=dt.date(2023, 5, 26),
                       properties={"unit": "…", "year": "2024", "sourceSha256": "…"})
    att = PdfAttachment(name="guangzhou.yaml", data=b"…", mime="application/yaml",
                        description="…", relationship="Source")
    pdf = html_to_pdf(html, base_url=templates_dir, metadata=meta, attachments=[att])
    # or in two steps, to look at the layout before writing (second layout passes):
    doc = render_html(html, base_url=templates_dir)       # weasyprint.Document
    rows = element_ids_per_page(doc, "data-row")          # ids of laid-out elements, per page
    doc2 = render_html_from(doc, 3, html2, base_url=templates_dir)  # html2 differs from page 3 on
    pdf = write_document(doc, metadata=meta, attachments=[att])
    # then number the pages (docgen.writers.pdf.pagenum), which finishes the bytes again:
    pdf = pagenum.number_pages(write_document(doc, metadata=meta, finish=False),
                               pagenum.numbering_from(1, len(doc.pages)), metadata=meta)

Style sheets passed to render_html (text or weasyprint.CSS) are parsed once per process
(``stylesheet``); the packet passes its whole style sheet that way instead of in <style>.

Templates: ``jinja_env(templates)`` (cached) and ``template_context(require_official_fonts)``
give what templates/html/gbt9704.css.j2 and _tables.html.j2 need (``v`` = gbt9704.css_vars(),
``font_faces``, ``stack``, ``sizes``, ``table``).

What the result is:
  * PDF/A-3b by default (``variant``; "pdf/a-3u" also works), sRGB OutputIntent, XMP metadata
    with pdfaid:part 3, dc:title/creator/description, xmp:Create/Modify/MetadataDate and the
    ``properties`` in the docgen namespace (declared by a PDF/A extension schema);
  * attachments embedded with /AFRelationship (default /Source) listed in the catalog's /AF;
  * bookmarks from CSS ``bookmark-level`` / ``bookmark-label`` (gbt9704.css.j2 turns the h1–h6
    defaults off: templates set levels explicitly, e.g. 1 for 附件1, 2 for each table);
  * reproducible: no wall clock anywhere (dates come from ``metadata.date``, else 2000-01-01),
    and a /ID computed from the content. ``finish_pdf`` re-applies that after any pypdf
    post-processing (pagenum.number_pages calls it).

Fonts: ONE ``FontConfiguration`` (``font_config()``) is shared by every document of the
process; @font-face rules come from ``docgen.standard.fonts.css_font_faces()`` in the templates.
Subsetting goes through HarfBuzz when libharfbuzz-subset0 is installed (``harfbuzz_subset()``).
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING
from xml.sax.saxutils import escape

from docgen import __version__
from docgen.io.reproducible import FIXED_TIME as EPOCH

if TYPE_CHECKING:  # WeasyPrint is heavy: import it lazily
    from weasyprint import CSS, Document
    from weasyprint.text.fonts import FontConfiguration

DEFAULT_VARIANT = "pdf/a-3b"
"""PDF/A-3 (level B): allows embedded source files of any type."""
"""Date written when a document has none (never the wall clock)."""
DOCGEN_NS = "https://docgen.invalid/ns/1.0/"
"""XMP namespace of docgen's own properties (prefix ``docgen``)."""
GENERATOR = f"docgen {__version__}"
PDF_HEADER = b"%PDF-1.7"


@dataclass(frozen=True)
class PdfMetadata:
    """Document information written to the Info dictionary and to the XMP packet."""

    title: str
    author: str = ""
    """The issuing unit (dc:creator, /Author)."""
    subject: str = ""
    """One-line description (dc:description, /Subject)."""
    keywords: tuple[str, ...] = ()
    date: dt.date | dt.datetime | None = None
    """Creation = modification date (the submission / issue date); None → EPOCH."""
    lang: str = "zh-CN"
    generator: str = GENERATOR
    properties: dict[str, str] = field(default_factory=dict)
    """Extra XMP text properties in the docgen namespace, e.g. {"unit": …, "year": "2024"}."""

    @property
    def timestamp(self) -> dt.datetime:
        d = self.date
        if d is None:
            return EPOCH
        if not isinstance(d, dt.datetime):
            d = dt.datetime(d.year, d.month, d.day, tzinfo=dt.UTC)
        return d if d.tzinfo else d.replace(tzinfo=dt.UTC)

    @property
    def w3c_date(self) -> str:
        return self.timestamp.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True)
class PdfAttachment:
    """A file embedded in the PDF (PDF/A-3 associated file)."""

    name: str
    data: bytes
    mime: str = "application/octet-stream"
    description: str = ""
    relationship: str = "Source"
    """AFRelationship: Source, Data, Alternative, Supplement, Unspecified."""


# --------------------------------------------------------------------------- fonts


@lru_cache(maxsize=1)
def font_config() -> FontConfiguration:
    """The process-wide FontConfiguration (reuse saves loading the CJK fonts per document).

    Its folder of font copies (≈125 MB of CJK fonts in /tmp) is removed at exit by the process
    that made it: WeasyPrint's own clean-up (``__del__``) may run only after interpreter
    shutdown has cleared the modules it needs, and then fails and leaves the folder behind.
    Forked workers share the parent's folder and leave it alone."""
    import atexit
    import os
    import shutil

    from weasyprint.text.fonts import FontConfiguration

    config, owner = FontConfiguration(), os.getpid()

    def clean_up() -> None:
        folder = getattr(config, "_folder", None)
        if os.getpid() == owner and folder is not None:
            config._folder = None
            shutil.rmtree(folder, ignore_errors=True)

    atexit.register(clean_up)
    return config


def harfbuzz_subset() -> bool:
    """Whether WeasyPrint subsets fonts with HarfBuzz (fast) rather than fontTools (≈10× slower)."""
    from weasyprint.text import ffi

    return getattr(ffi, "harfbuzz_subset", None) is not None and bool(ffi.harfbuzz.hb_version_atleast(4, 1, 0))


# --------------------------------------------------------------------------- rendering


@lru_cache(maxsize=32)
def stylesheet(css: str, base_url: str) -> CSS:
    """``css`` parsed once per process (with the shared FontConfiguration) and reused by every
    document that passes the same text: parsing docgen's @font-face and page rules costs about
    20 ms per document otherwise. The sheet applies with user origin (below inline style
    attributes, above WeasyPrint's user-agent sheet: the same order as a <style> element when,
    as in docgen's templates, the document has no author sheet of its own and nothing is
    !important)."""
    from weasyprint import CSS

    return CSS(string=css, font_config=font_config(), base_url=base_url)


def render_html(html: str, *, base_url: str | Path, stylesheets: Sequence[str | CSS] = ()) -> Document:
    """Lay out ``html`` (pages and boxes; nothing written yet). Extra style sheets may be given as
    CSS text (parsed once per process, see ``stylesheet``) or as weasyprint.CSS objects."""
    return _render(html, base_url, stylesheets)


def render_html_from(
    previous: Document, first_page: int, html: str, *, base_url: str | Path, stylesheets: Sequence[str | CSS] = ()
) -> Document:
    """Lay out ``html``, a variant of the document ``previous`` (from render_html or this
    function) that differs only in what lies on or after its page ``first_page`` (0-based):
    pages before it are taken from ``previous`` as they are, and pagination resumes from
    WeasyPrint's own record of where page ``first_page`` began (the page maker it keeps for
    re-laying out pages whose counters changed). The caller guarantees that nothing the
    earlier pages depend on changed — the content of those pages and the first element
    after them (it decided where they break) — and that the element tree has the same
    shape up to that break (e.g. table rows whose cells change only after it).
    Falls back to a full layout when ``previous`` kept no layout state or first_page is 0.
    """
    state = getattr(previous, "_docgen_layout", None)
    if state is None or first_page <= 0 or first_page >= len(previous.pages):
        return _render(html, base_url, stylesheets)
    return _render(html, base_url, stylesheets, resume=(previous, first_page))


def _render(
    html: str, base_url: str | Path, stylesheets: Sequence[str | CSS], resume: tuple[Document, int] | None = None
) -> Document:
    """weasyprint.Document._render (WeasyPrint 70) that keeps its layout context on the result
    (``_docgen_layout``) and can resume pagination at a page of an earlier layout."""
    from weasyprint import DEFAULT_OPTIONS, HTML
    from weasyprint.css.counters import CounterStyle
    from weasyprint.document import Document, DocumentMetadata, Page, get_html_metadata
    from weasyprint.formatting_structure.build import build_formatting_structure
    from weasyprint.layout import layout_document
    from weasyprint.pdf import VARIANTS

    fc = font_config()
    css = [stylesheet(s, str(base_url)) if isinstance(s, str) else s for s in stylesheets]
    doc_html = HTML(string=html, base_url=str(base_url))
    options = dict(DEFAULT_OPTIONS, stylesheets=css, pdf_variant=DEFAULT_VARIANT)
    _, properties = VARIANTS[DEFAULT_VARIANT]
    for key, value in tuple(options.items()):
        if value is None and key in properties:
            options[key] = properties[key]
    counter_style, color_profiles = CounterStyle(), dict[str, object]()
    context = Document._build_layout_context(doc_html, fc, counter_style, color_profiles, options)
    root_box = build_formatting_structure(
        doc_html.etree_element,
        context.style_for,
        context.get_image_from_uri,
        doc_html.base_url,
        context.target_collector,
        counter_style,
        context.footnotes,
    )
    if resume is None:
        pages = [Page(box) for box in layout_document(doc_html, root_box, context)]
    else:
        previous, first = resume
        old_context = previous._docgen_layout
        pages = list(previous.pages[:first]) + [
            Page(box) for box in _layout_from(doc_html, root_box, context, old_context.page_maker[: first + 1], first)
        ]
    document = Document(
        pages,
        DocumentMetadata(**get_html_metadata(doc_html)),
        doc_html.url_fetcher,
        fc,
        color_profiles,
        options["output_intent"],
    )
    document._html = doc_html
    document._docgen_layout = context
    return document


def _layout_from(html, root_box, context, page_maker: list, first: int):
    """Pages ``first``… of ``root_box`` (weasyprint.layout.layout_document from a page on):
    ``page_maker`` = the earlier layout's records up to page ``first``; the page boxes are
    finished as layout_document finishes them (margin boxes, backgrounds)."""
    import copy

    from weasyprint.layout import initialize_page_maker
    from weasyprint.layout.background import layout_backgrounds
    from weasyprint.layout.page import make_margin_boxes, remake_page

    initialize_page_maker(context, root_box)
    context.page_maker = [copy.deepcopy(item) for item in page_maker]
    context.rendered_notes = []
    boxes, index = [], first
    while True:
        page, resume_at = remake_page(index, context, root_box, html)
        boxes.append(page)
        index += 1
        if resume_at is None and not context.reported_footnotes:
            break
    for i, page in enumerate(boxes, start=first):
        root, footnote_area, note_area = page.children
        context.current_page = i + 1
        state = context.page_maker[context.current_page][3]
        children = [root]
        if footnote_area.children:
            children.append(footnote_area)
        if note_area.children:
            children.append(note_area)
        children.extend(make_margin_boxes(context, page, state))
        page.children = tuple(children)
        layout_backgrounds(page, context.get_image_from_uri)
    return boxes


def element_ids_per_page(document: Document, attribute: str = "id") -> list[list[str]]:
    """For each page, the values of ``attribute`` of the elements laid out on it, in order.

    An element split over pages appears on each of them. Used for second layout passes
    (e.g. which table row opens a page).
    """
    out = []
    for page in document.pages:
        seen: list[str] = []
        for box in page._page_box.descendants():
            element = getattr(box, "element", None)
            if element is None or getattr(box, "element_tag", None) is None:
                continue
            value = element.get(attribute)
            if value is not None and (not seen or seen[-1] != value) and value not in seen:
                seen.append(value)
        out.append(seen)
    return out


def _attachments(items: Iterable[PdfAttachment], when: dt.datetime) -> list:
    from weasyprint import Attachment

    naive = when.astimezone(dt.UTC).replace(tzinfo=None)
    out = []
    for a in items:
        url = f"data:{a.mime};base64,{base64.b64encode(a.data).decode('ascii')}"
        out.append(
            Attachment(
                url=url,
                name=a.name,
                description=a.description or a.name,
                created=naive,
                modified=naive,
                relationship=a.relationship,
            )
        )
    return out


def write_document(
    document: Document,
    *,
    metadata: PdfMetadata,
    attachments: Sequence[PdfAttachment] = (),
    variant: str = DEFAULT_VARIANT,
    finish: bool = True,
) -> bytes:
    """Write a rendered document as PDF/A with metadata and attachments, deterministically.

    finish=False returns WeasyPrint's bytes before finish_pdf (for callers that post-process
    with pypdf anyway, e.g. pagenum.number_pages(..., metadata=...), which finishes them).
    """
    md = document.metadata
    md.title = metadata.title
    md.authors = [metadata.author] if metadata.author else []
    md.description = metadata.subject or None
    md.keywords = list(metadata.keywords)
    md.generator = metadata.generator
    md.created = md.modified = metadata.w3c_date
    md.lang = metadata.lang
    md.attachments = []  # only ours, never <link rel=attachment> from the HTML
    pdf = document.write_pdf(
        pdf_variant=variant, attachments=_attachments(attachments, metadata.timestamp), pdf_identifier=b"0" * 32
    )
    return finish_pdf(pdf, metadata, id_source=pdf) if finish else pdf


def html_to_pdf(
    html: str,
    *,
    base_url: str | Path,
    metadata: PdfMetadata,
    attachments: Sequence[PdfAttachment] = (),
    stylesheets: Sequence[str] = (),
    variant: str = DEFAULT_VARIANT,
) -> bytes:
    """render_html + write_document in one call."""
    return write_document(
        render_html(html, base_url=base_url, stylesheets=stylesheets),
        metadata=metadata,
        attachments=attachments,
        variant=variant,
    )


# --------------------------------------------------------------------------- XMP and /ID

_XMP_EXTENSION = """<rdf:Description rdf:about="" xmlns:pdfaExtension="http://www.aiim.org/pdfa/ns/extension/" xmlns:pdfaSchema="http://www.aiim.org/pdfa/ns/schema#" xmlns:pdfaProperty="http://www.aiim.org/pdfa/ns/property#">
<pdfaExtension:schemas><rdf:Bag><rdf:li rdf:parseType="Resource">
<pdfaSchema:schema>docgen document properties</pdfaSchema:schema>
<pdfaSchema:namespaceURI>{ns}</pdfaSchema:namespaceURI>
<pdfaSchema:prefix>docgen</pdfaSchema:prefix>
<pdfaSchema:property><rdf:Seq>{props}</rdf:Seq></pdfaSchema:property>
</rdf:li></rdf:Bag></pdfaExtension:schemas></rdf:Description>
"""
_XMP_PROPERTY = (
    '<rdf:li rdf:parseType="Resource"><pdfaProperty:name>{name}</pdfaProperty:name>'
    "<pdfaProperty:valueType>Text</pdfaProperty:valueType>"
    "<pdfaProperty:category>external</pdfaProperty:category>"
    "<pdfaProperty:description>{name}</pdfaProperty:description></rdf:li>"
)


def _xmp_additions(metadata: PdfMetadata) -> bytes:
    props = {"generator": metadata.generator, **metadata.properties}
    for name in props:
        if not re.fullmatch(r"[A-Za-z][A-Za-z0-9]*", name):
            raise ValueError(f"XMP property name must be alphanumeric: {name!r}")
    values = "".join(f"<docgen:{k}>{escape(str(v))}</docgen:{k}>" for k, v in props.items())
    own = f'<rdf:Description rdf:about="" xmlns:docgen="{DOCGEN_NS}">{values}</rdf:Description>\n'
    date = f'<rdf:Description rdf:about="" xmlns:xmp="http://ns.adobe.com/xap/1.0/"><xmp:MetadataDate>{metadata.w3c_date}</xmp:MetadataDate></rdf:Description>\n'
    ext = _XMP_EXTENSION.format(ns=DOCGEN_NS, props="".join(_XMP_PROPERTY.format(name=k) for k in props))
    return (own + date + ext).encode("utf-8")


def finish_pdf(pdf: bytes, metadata: PdfMetadata | None = None, writer=None, id_source: bytes | None = None) -> bytes:
    """Make the bytes final: docgen's XMP properties (once), /AF without duplicates, a fixed /ID.

    ``pdf`` may come from WeasyPrint or from a pypdf rewrite; ``writer`` (a pypdf PdfWriter
    already holding the document) avoids parsing it again. The /ID is the MD5 of
    ``id_source`` (deterministic input, e.g. the WeasyPrint bytes) when given — one write —
    else of the written content (two writes).
    """
    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import ArrayObject, ByteStringObject, NameObject

    if writer is None:
        writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf)))
    writer.pdf_header = PDF_HEADER  # pypdf would write %PDF-1.3; PDF/A-3 is based on PDF 1.7
    root = writer._root_object
    if metadata is not None and "/Metadata" in root:
        stream = root["/Metadata"].get_object()
        xmp = stream.get_data()
        if b"xmlns:docgen=" not in xmp:
            xmp = xmp.replace(b"</rdf:RDF>", _xmp_additions(metadata) + b"</rdf:RDF>", 1)
        stream.set_data(xmp)
    if "/AF" in root:  # WeasyPrint 70 lists each attachment twice in the catalog's /AF
        unique, seen = ArrayObject(), set()
        for ref in root["/AF"]:
            key = getattr(ref, "idnum", id(ref))
            if key not in seen:
                seen.add(key)
                unique.append(ref)
        root[NameObject("/AF")] = unique
    # pypdf stamps /Producer; keep WeasyPrint's (it matches the XMP pdf:Producer)
    if id_source is None:
        body = io.BytesIO()
        writer._ID = ArrayObject([ByteStringObject(b"\0" * 16), ByteStringObject(b"\0" * 16)])
        writer.write(body)
        id_source = body.getvalue()
    digest = hashlib.md5(id_source, usedforsecurity=False).digest()
    writer._ID = ArrayObject([ByteStringObject(digest), ByteStringObject(digest)])
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


# --------------------------------------------------------------------------- templates


@lru_cache(maxsize=2)
def _template_context(require_official_fonts: bool) -> dict:
    return _build_template_context(require_official_fonts)


def template_context(require_official_fonts: bool = False) -> dict:
    """engine template variables (see _build_template_context); cached, copy returned."""
    return dict(_template_context(require_official_fonts))


def _build_template_context(require_official_fonts: bool = False) -> dict:
    """Variables for templates/html/gbt9704.css.j2 (and the macros of _tables.html.j2).

    ``v``: gbt9704.css_vars() ("37mm", "16pt" …); ``font_faces``: @font-face rules; ``stack``:
    role → CSS font-family value; ``sizes``: 字号 → pt; ``table``: gbt9704.TABLE_* metrics.
    Raises fonts.OfficialFontMissing when official fonts are required and absent.
    """
    from docgen.standard import fonts
    from docgen.standard import gbt9704 as L

    size = L.TABLE_TEXT_PT
    return {
        "v": L.css_vars(),
        "font_faces": fonts.css_font_faces(require_official_fonts),
        "stack": {role: fonts.css_font_stack(role) for role in fonts.ROLES},
        "sizes": {k: f"{v}pt" for k, v in L.SIZE_PT.items()},
        "table": {
            "size": f"{size}pt",
            "line_height": f"{size * L.TABLE_LINE_HEIGHT:.2f}pt",
            "rule": f"{L.TABLE_RULE_MM}mm",
            "padding": f"{size * L.TABLE_CELL_PADDING_ZI:.2f}pt",
        },
    }


@lru_cache(maxsize=8)
def jinja_env(templates: Path):
    """A Jinja2 environment over ``templates`` (HTML autoescaped, trimmed blocks); cached per folder."""
    import jinja2

    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates)),
        autoescape=jinja2.select_autoescape(["html", "j2"]),
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )
