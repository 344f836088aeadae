"""Render one input file (submission, blank form or notice) to its output files."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from docgen.check.submission import check_source
from docgen.io.atomic import write_bytes
from docgen.io.paths import BUILD_DIR, TEMPLATES_DIR
from docgen.io.source import Source, SourceError, load
from docgen.models.diagnostics import Diagnostic, InvalidInput
from docgen.models.form import load_form
from docgen.views.form import DocumentView, blank_view, build_view

FORMATS = ("docx", "xlsx", "pdf")
UNNUMBERED_PDF = "pdf-unnumbered"  # the packet without page numbers, for the batch's archive volume


@dataclass(frozen=True)
class Options:
    """How to render: which templates, which formats, how strict about fonts and warnings."""

    formats: tuple[str, ...] = FORMATS
    templates: Path = TEMPLATES_DIR
    strict: bool = False
    require_official_fonts: bool = False
    archive_parts: bool = False  # also return the PDF packet unnumbered (UNNUMBERED_PDF)


@dataclass
class Rendered:
    """The outcome of rendering one input: file name stem → format → bytes."""

    source: str
    kind: str  # submission | form | notice
    stem: str
    outputs: dict[str, bytes]
    warnings: list[Diagnostic] = field(default_factory=list)
    view: DocumentView | None = None


def input_kind(data: object) -> str:
    """Tell a published form, a notice and a submission apart by their top-level keys."""
    if isinstance(data, dict):
        if "tables" in data and "presets" in data:
            return "form"
        if "form" in data or "unit" in data:
            return "submission"
        if "body" in data or "issuer" in data:
            return "notice"
    return "submission"


def _writers(view: DocumentView, source: Source | None, options: Options) -> dict[str, Callable[[], bytes]]:
    # Imported here: each writer pulls in a heavy library (python-docx, openpyxl, WeasyPrint).
    def docx() -> bytes:
        from docgen.writers.docx.form import write_docx

        return write_docx(view, templates=options.templates)

    def xlsx() -> bytes:
        from docgen.writers.xlsx.form import write_xlsx

        return write_xlsx(view)

    def pdf() -> dict[str, bytes]:
        from docgen.writers.pdf.packet import write_pdf_pair

        numbered, plain = write_pdf_pair(
            view, source=source, templates=options.templates, require_official_fonts=options.require_official_fonts
        )
        return {"pdf": numbered, UNNUMBERED_PDF: plain} if options.archive_parts else {"pdf": numbered}

    return {"docx": lambda: {"docx": docx()}, "xlsx": lambda: {"xlsx": xlsx()}, "pdf": pdf}


def render_view(view: DocumentView, source: Source | None, options: Options) -> dict[str, bytes]:
    """Every requested format's bytes (plus the unnumbered packet when options.archive_parts)."""
    writers = _writers(view, source, options)
    out: dict[str, bytes] = {}
    for fmt in options.formats:
        out.update(writers[fmt]())
    return out


def render_source(source: Source, options: Options = Options(), stem: str | None = None) -> Rendered:
    """Validate and render an already parsed input; raise InvalidInput with all problems."""
    stem = stem or Path(source.file).stem
    kind = input_kind(source.data)
    if kind == "form":
        form = load_form(Path(source.file))
        view = blank_view(form)
        return Rendered(source.file, kind, stem, render_view(view, None, options), view=view)
    if kind == "notice":
        return render_notice(source, options, stem)  # the notice has its own model and writers
    result = check_source(source)
    if not result.ok(options.strict) or result.submission is None:
        raise InvalidInput(result.diagnostics)
    view = build_view(
        result.form,
        result.submission,
        source_name=Path(source.file).name,  # type: ignore[arg-type]
        source_bytes=source.text.encode("utf-8"),
        warnings=[str(d) for d in result.warnings],
    )
    return Rendered(source.file, kind, stem, render_view(view, source, options), result.warnings, view)


def render_file(path: str | Path, options: Options = Options()) -> Rendered:
    try:
        source = load(path)
    except SourceError as exc:
        raise InvalidInput([Diagnostic("error", "syntax", exc.file, exc.line, "（文件）", exc.message)]) from None
    return render_source(source, options)


def write_outputs(rendered: Rendered, outdir: Path = BUILD_DIR) -> list[Path]:
    """Write every output atomically as OUTDIR/STEM.EXT."""
    return [write_bytes(Path(outdir) / f"{rendered.stem}.{fmt}", data) for fmt, data in rendered.outputs.items()]


def render_notice(source: Source, options, stem: str):
    """DOCX and/or PDF of a notice, per options.formats (xlsx ignored: a notice has no spreadsheet)."""
    from docgen.check.notice import parse_notice

    notice = parse_notice(source)
    base_dir = Path(source.file).resolve().parent
    outputs: dict[str, bytes] = {}
    for fmt in options.formats:
        if fmt == "docx":
            from docgen.writers.docx.notice import write_docx

            outputs["docx"] = write_docx(notice, base_dir=base_dir, templates=Path(options.templates))
        elif fmt == "pdf":
            from docgen.writers.pdf.notice import write_pdf

            outputs["pdf"] = write_pdf(
                notice,
                base_dir=base_dir,
                templates=Path(options.templates),
                source_text=source.text,
                source_name=Path(source.file).name,
                require_official_fonts=options.require_official_fonts,
            )
    return Rendered(source.file, "notice", stem, outputs)
