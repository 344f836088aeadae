"""HTML → archive-grade PDF with WeasyPrint: the one place that calls WeasyPrint for documents.

API (stable; used by the packet writer and the notice writer)::

    meta = PdfMetadata(title="…", author="广州市…", subject="…", date=dt.date(2023, 5, 26),
                       properties={"unit": "…", "year": "2024", "sourceSha256": "…"})
    att = PdfAttachment(name="guangzhou.yaml", data=b"…", mime="application/yaml",
                        description="…", relationship="Source")
    pdf = html_to_pdf(html, base_url=templates_dir, metadata=meta, attachments=[att])
    # or in two steps, to look at the layout before writing (second layout passes):
    doc = render_html(html, base_url=templates_dir, element_ids="data-row")  # weasyprint.Document
    rows = element_ids_per_page(doc)                      # ids of laid-out rows, per page
    pdf = write_document(doc, metadata=meta, attachments=[att])
    # then number the pages (docgen.writers.pdf.pagenum), which finishes the bytes again:
    pdf = pagenum.number_pages(write_document(doc, metadata=meta, finish=False),
                               pagenum.numbering_from(1, len(doc.pages)), metadata=meta)

Style sheets passed to render_html (text or weasyprint.CSS) are parsed once per process
(``stylesheet``); the packet passes its whole style sheet that way instead of in <style>.

Templates: ``jinja_env(templates)`` (cached) and ``template_context(options)`` (docgen.options.RenderOptions)
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
    and a /ID computed from the content. ``open_writer`` / ``finish_writer`` re-apply that
    around any pypdf post-processing (pagenum.number_pages, the archive volume);
  * made through WeasyPrint's and pypdf's public APIs only (HTML.render, Document.copy,
    Page.anchors, Document.write_pdf, Attachment; PdfReader.trailer, PdfWriter.root_object):
    tests/writers/pdf/test_public_api.py fails on any private name.

Reading: every document gets a ``fetcher`` (docgen.writers.pdf.fetcher) that serves only docgen's
templates, its font files and data: URLs; whatever else a document names is refused.

Fonts: ONE font configuration (``font_config()``, docgen.writers.pdf.fontmap) is shared by every
document of the process; @font-face rules come from ``docgen.standard.fonts.css_font_faces()`` in the
templates and are registered where the files are installed (no copies in the temp folder).
Subsetting goes through HarfBuzz when libharfbuzz-subset0 is installed (``harfbuzz_subset()``).
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import io
import re
import weakref
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING
from xml.sax.saxutils import escape

from docgen import __version__
from docgen.io.reproducible import FIXED_TIME as EPOCH
from docgen.options import DEFAULT, RenderOptions

if TYPE_CHECKING:  # WeasyPrint is heavy: import it lazily
    from pypdf import PdfWriter
    from weasyprint import CSS, Document
    from weasyprint.document import Page
    from weasyprint.text.fonts import FontConfiguration

    from docgen.writers.pdf.fetcher import Fetcher

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
    """The process-wide font configuration (reuse saves loading the CJK fonts per document).

    A docgen.writers.pdf.fontmap.PathFontConfiguration: the @font-face files are registered where they
    are installed, nothing is copied to the temporary folder (a killed worker leaves nothing)."""
    from docgen.writers.pdf.fontmap import PathFontConfiguration

    return PathFontConfiguration()


@lru_cache(maxsize=1)
def font_files() -> frozenset[Path]:
    """Every font file docgen's documents may load: each role's face, the fallbacks, their
    official variants when installed (fonts.face_file: .ttc faces extracted once)."""
    from docgen.standard import fonts

    faces = list(fonts.fallbacks())
    for role in fonts.ROLES:
        try:
            faces.append(fonts.resolve(role))
        except fonts.FontError:
            continue
    return frozenset(fonts.face_file(face).resolve() for face in faces)


def fetcher(base_url: str | Path | None = None, files: Iterable[Path] = ()) -> Fetcher:
    """The URL fetcher of a document: files under ``base_url`` (docgen's templates folder),
    docgen's font files and ``files`` (e.g. a validated seal image); data: URLs; nothing else."""
    from docgen.writers.pdf.fetcher import Fetcher

    folders = [Path(base_url)] if base_url is not None and Path(base_url).is_dir() else []
    return Fetcher(folders=folders, files=files, fonts=font_files())


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

    return CSS(string=css, font_config=font_config(), base_url=base_url, url_fetcher=fetcher(base_url))


_ELEMENT_IDS: weakref.WeakKeyDictionary[Page, list[str]] = weakref.WeakKeyDictionary()
"""Page → the ids of the elements laid out on it that render_html(element_ids=…) recorded."""


def render_html(
    html: str,
    *,
    base_url: str | Path | None,
    stylesheets: Sequence[str | CSS] = (),
    element_ids: str | None = None,
    files: Iterable[Path] = (),
    variant: str | None = DEFAULT_VARIANT,
) -> Document:
    """Lay out ``html`` (pages and boxes; nothing written yet) with WeasyPrint's public
    ``HTML.render``. Extra style sheets may be given as CSS text (parsed once per process, see
    ``stylesheet``) or as weasyprint.CSS objects. Only docgen's own files are read (``fetcher``;
    ``files``: more files the document may show, e.g. a validated seal; ``variant``: the PDF
    variant the layout is made for, None for plain PDF).

    ``element_ids="data-row"``: remember, per page, which elements carrying that attribute are
    laid out there (``element_ids_per_page``). Such elements must also have ``id`` = that value
    (the templates write both): WeasyPrint lists an element's id among the ``Page.anchors`` of
    every page it lies on. Those anchors are taken off the pages here, so they never become
    named destinations of the PDF.
    """
    from weasyprint import HTML

    css = [stylesheet(s, str(base_url)) if isinstance(s, str) else s for s in stylesheets]
    doc_html = HTML(
        string=html, base_url=None if base_url is None else str(base_url), url_fetcher=fetcher(base_url, files)
    )
    names: set[str] = set()
    if element_ids:
        names = {
            value
            for element in doc_html.etree_element.iter()
            if (value := element.get(element_ids)) is not None and element.get("id") == value
        }
    document = doc_html.render(font_config=font_config(), stylesheets=css, pdf_variant=variant)
    if element_ids:
        for page in document.pages:
            ids = [name for name in page.anchors if name in names]
            for name in ids:
                del page.anchors[name]
            _ELEMENT_IDS[page] = ids
    return document


def element_ids_per_page(document: Document) -> list[list[str]]:
    """For each page, the ids recorded by render_html(element_ids=…) of the elements laid out
    on it, in document order. An element split over pages appears on each of them. Used for
    second layout passes (e.g. which table row opens a page)."""
    return [list(_ELEMENT_IDS.get(page, ())) for page in document.pages]


def _attachments(items: Iterable[PdfAttachment], when: dt.datetime) -> list:
    from weasyprint import Attachment

    naive = when.astimezone(dt.UTC).replace(tzinfo=None)
    out = []
    for a in items:
        url = f"data:{a.mime};base64,{base64.b64encode(a.data).decode('ascii')}"
        out.append(
            Attachment(
                url=url,
                url_fetcher=fetcher(),
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
    return finish_pdf(pdf, metadata) if finish else pdf


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

_XMP_EXTENSION = (
    '<rdf:Description rdf:about="" xmlns:pdfaExtension="http://www.aiim.org/pdfa/ns/extension/" '
    'xmlns:pdfaSchema="http://www.aiim.org/pdfa/ns/schema#" xmlns:pdfaProperty="http://www.aiim.org/pdfa/ns/property#">\n'
    """<pdfaExtension:schemas><rdf:Bag><rdf:li rdf:parseType="Resource">
<pdfaSchema:schema>docgen document properties</pdfaSchema:schema>
<pdfaSchema:namespaceURI>{ns}</pdfaSchema:namespaceURI>
<pdfaSchema:prefix>docgen</pdfaSchema:prefix>
<pdfaSchema:property><rdf:Seq>{props}</rdf:Seq></pdfaSchema:property>
</rdf:li></rdf:Bag></pdfaExtension:schemas></rdf:Description>
"""
)
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


def open_writer(pdf: bytes, id_source: bytes | None = None) -> PdfWriter:
    """A pypdf PdfWriter holding ``pdf``, whose /ID will be the MD5 of ``id_source`` (deterministic
    input, e.g. WeasyPrint's bytes; default ``pdf``): the /ID is set on the reader's trailer
    before cloning, pypdf's public way to carry a trailer /ID into a writer."""
    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import ArrayObject, ByteStringObject, NameObject

    reader = PdfReader(io.BytesIO(pdf))
    digest = hashlib.md5(pdf if id_source is None else id_source, usedforsecurity=False).digest()
    reader.trailer[NameObject("/ID")] = ArrayObject([ByteStringObject(digest), ByteStringObject(digest)])
    return PdfWriter(clone_from=reader)


def finish_pdf(pdf: bytes, metadata: PdfMetadata | None = None, id_source: bytes | None = None) -> bytes:
    """Make WeasyPrint's (or any) bytes final: finish_writer(open_writer(pdf, id_source))."""
    return finish_writer(open_writer(pdf, id_source), metadata)


def finish_writer(writer: PdfWriter, metadata: PdfMetadata | None = None) -> bytes:
    """The bytes of a writer from open_writer (maybe post-processed, e.g. page numbers stamped):
    docgen's XMP properties (once), /AF without duplicates, PDF 1.7 header, its fixed /ID."""
    from pypdf.generic import ArrayObject, NameObject, StreamObject

    writer.pdf_header = PDF_HEADER  # pypdf would write %PDF-1.3; PDF/A-3 is based on PDF 1.7
    root = writer.root_object
    if metadata is not None and "/Metadata" in root:
        stream = root["/Metadata"].get_object()
        assert isinstance(stream, StreamObject)
        xmp = stream.get_data()
        if b"xmlns:docgen=" not in xmp:
            xmp = xmp.replace(b"</rdf:RDF>", _xmp_additions(metadata) + b"</rdf:RDF>", 1)
        stream.set_data(xmp)
    if "/AF" in root:  # WeasyPrint 70 lists each attachment twice in the catalog's /AF
        unique, seen = ArrayObject(), set()
        for ref in root["/AF"].get_object():  # type: ignore[union-attr]
            key = getattr(ref, "idnum", id(ref))
            if key not in seen:
                seen.add(key)
                unique.append(ref)
        root[NameObject("/AF")] = unique
    # pypdf stamps /Producer; keep WeasyPrint's (it matches the XMP pdf:Producer)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


# --------------------------------------------------------------------------- templates


@lru_cache(maxsize=2)
def _template_context(options: RenderOptions) -> dict:
    return _build_template_context(options)


def template_context(options: RenderOptions = DEFAULT) -> dict:
    """engine template variables (see _build_template_context); cached, copy returned."""
    return dict(_template_context(options))


def _build_template_context(options: RenderOptions = DEFAULT) -> dict:
    """Variables for templates/html/gbt9704.css.j2 (and the macros of _tables.html.j2).

    ``v``: gbt9704.css_vars() ("37mm", "16pt" …); ``font_faces``: @font-face rules; ``stack``:
    role → CSS font-family value; ``sizes``: 字号 → pt; ``table``: gbt9704.TABLE_* metrics.
    Raises fonts.OfficialFontMissing when official fonts are required and absent.
    """
    from markupsafe import Markup

    from docgen.standard import fonts
    from docgen.standard import gbt9704 as L

    # docgen's own CSS values (never user text), marked safe for the autoescaped <style> blocks:
    # HTML-escaping their quotes would break the CSS (a <style> element's text is not decoded)
    size = L.TABLE_TEXT_PT
    return {
        "v": {k: Markup(v) for k, v in L.css_vars().items()},
        "font_faces": Markup(fonts.css_font_faces(options.require_official_fonts)),
        "stack": {role: Markup(fonts.css_font_stack(role)) for role in fonts.ROLES},
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

    from docgen.writers.pdf.escape import FILTERS

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates)),
        autoescape=jinja2.select_autoescape(["html", "j2"]),
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )
    env.filters.update(FILTERS)
    return env
