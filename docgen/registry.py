"""Every kind of document docgen makes, and the one place an input is routed: detect → check → view → writers.

Input kinds are read from one file and told apart by their top-level keys: the published form
(data/forms/*.yaml, rendered as the blank form), a unit's submission, the notice. Batch kinds are
built from every unit of a batch: the provincial summary and the archive volume. The CLI, the batch
and the service call this module; no other module decides what an input is.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml
from pydantic import ValidationError

from docgen.check.notice import parse_notice
from docgen.check.submission import Result, check_source, form_errors, reader_problems
from docgen.form.builder import looks_like_form
from docgen.form.loading import load as load_form
from docgen.io.atomic import write_bytes
from docgen.io.paths import BUILD_DIR, TEMPLATES_DIR
from docgen.io.source import Source, SourceError, load
from docgen.models.diagnostics import Diagnostic, InvalidInput, source_error
from docgen.options import DEFAULT as DEFAULT_RENDER
from docgen.options import RenderOptions
from docgen.views.form import DocumentView, blank_view, build_view

if TYPE_CHECKING:
    from docgen.batch.summary import SummaryFacts

FORMATS = ("docx", "xlsx", "pdf")  # what a render writes unless told otherwise
OFD = "ofd"  # GB/T 33190: the PDF's pages as OFD (docgen.writers.ofd), on request (`-f ofd`)
KNOWN_FORMATS = (*FORMATS, OFD)
UNNUMBERED_PDF = "pdf-unnumbered"  # the packet without page numbers, for the batch's archive volume


@dataclass(frozen=True)
class Options:
    """How to render: which templates, which formats, how strict about warnings; ``render``: what the
    writers may do (docgen.options.RenderOptions: substitute fonts or not), passed to them as is."""

    formats: tuple[str, ...] = FORMATS
    templates: Path = TEMPLATES_DIR
    strict: bool = False
    render: RenderOptions = DEFAULT_RENDER
    archive_parts: bool = False  # also return the PDF packet unnumbered (UNNUMBERED_PDF)


@dataclass
class Rendered:
    """The outcome of rendering one input: file name stem → format → bytes."""

    source: str
    kind: str  # an InputKind's name: submission | form | notice
    stem: str
    outputs: dict[str, bytes]
    warnings: list[Diagnostic] = field(default_factory=list)
    view: DocumentView | None = None


@dataclass(frozen=True)
class InputKind:
    """A kind of input file: how it is recognised, checked and rendered."""

    name: str
    title: str  # what messages call it
    formats: tuple[str, ...]  # what it can be rendered to
    detect: Callable[[object], bool]  # from the parsed data's top-level keys
    check: Callable[[Source], Result]  # every diagnostic, nothing written
    render: Callable[[Source, Result, Options, str], Rendered]  # view → writers (check passed)


# --------------------------------------------------------------------------- the form and submissions


def _writers_to_run(formats: tuple[str, ...]) -> tuple[str, ...]:
    """The formats whose writers run: the PDF's whenever the OFD is asked for (the OFD is the PDF's pages)."""
    if OFD not in formats:
        return formats
    return (*(f for f in formats if f not in ("pdf", OFD)), "pdf")


def _with_ofd(out: dict[str, bytes], options: Options, pdf: bytes, source: str) -> None:
    """out["ofd"] from the PDF just written (its pages, not a second layout), when asked for; the PDF itself
    stays in ``out`` only when it was asked for too. A font the OFD cannot embed (templates naming a face
    that is none of docgen's) is the templates' problem, said in Chinese, naming the input rendered."""
    if OFD in options.formats:
        from docgen.writers.ofd.subset import UnknownFont
        from docgen.writers.ofd.writer import write_ofd

        try:
            out[OFD] = write_ofd(pdf)
        except UnknownFont as exc:
            hint = f"{exc}；模板（{options.templates}）只能使用 docgen 的字体（见 docgen fonts）"
            raise InvalidInput([Diagnostic("error", "ofd-font", source, 0, "", hint)]) from None
    if "pdf" not in options.formats:
        out.pop("pdf", None)


def _form_writers(view: DocumentView, source: Source | None, options: Options) -> dict[str, bytes]:
    """Every requested format's bytes (plus the unnumbered packet when options.archive_parts)."""
    out: dict[str, bytes] = {}
    # Imported here: each writer pulls in a heavy library (python-docx, openpyxl, WeasyPrint).
    for fmt in _writers_to_run(options.formats):
        if fmt == "docx":
            from docgen.writers.docx.form import write_docx

            out["docx"] = write_docx(view, templates=options.templates)
        elif fmt == "xlsx":
            from docgen.writers.xlsx.form import write_xlsx

            out["xlsx"] = write_xlsx(view)
        elif fmt == "pdf":
            from docgen.writers.pdf.packet import write_pdf_pair

            numbered, plain = write_pdf_pair(
                view,
                source=source,
                templates=options.templates,
                options=options.render,
            )
            out["pdf"] = numbered
            if options.archive_parts:
                out[UNNUMBERED_PDF] = plain
        else:
            raise ValueError(f"unknown format {fmt!r}; known: {', '.join(KNOWN_FORMATS)}")
    if "pdf" in out:
        _with_ofd(out, options, out["pdf"], view.source_name or "征集表")
    return out


render_view = _form_writers  # bench/ renders a view it built itself


def _check_form(source: Source) -> Result:
    read = reader_problems(source)  # duplicate keys, bad tags …: the same for every kind of file
    try:
        form = load_form(Path(source.file))
    except (ValueError, yaml.YAMLError) as exc:  # ValidationError is a ValueError; a form-shaped file that is none
        if read and not isinstance(exc, ValidationError):
            # PyYAML's own reading failed (int() of a 5,000-digit year: Python's English "Exceeds the
            # limit") where docgen's reader already said what and where: its words suffice
            return Result(source.file, None, read)
        return Result(source.file, None, read + form_errors(source, exc))
    return Result(source.file, None, read, None if read else form)


def _render_form(source: Source, result: Result, options: Options, stem: str) -> Rendered:
    view = blank_view(result.form or load_form(Path(source.file)))
    return Rendered(source.file, "form", stem, _form_writers(view, None, options), view=view)


def _render_submission(source: Source, result: Result, options: Options, stem: str) -> Rendered:
    if result.submission is None or result.form is None:  # check_source never passes one without both
        raise InvalidInput(result.diagnostics)
    view = build_view(
        result.form,
        result.submission,
        source_name=Path(source.file).name,
        source_bytes=source.text.encode("utf-8"),
        warnings=[str(d) for d in result.warnings],
    )
    return Rendered(source.file, "submission", stem, _form_writers(view, source, options), result.warnings, view)


# --------------------------------------------------------------------------- the notice


def _check_notice(source: Source) -> Result:
    read = reader_problems(source)
    try:
        parse_notice(source)
    except InvalidInput as exc:
        return Result(source.file, None, read + exc.diagnostics)
    return Result(source.file, None, read)


def _render_notice(source: Source, result: Result, options: Options, stem: str) -> Rendered:
    """DOCX, PDF and/or OFD of a notice, per options.formats (xlsx ignored: a notice has no spreadsheet)."""
    from docgen.views.notice import build_notice_view

    view = build_notice_view(parse_notice(source))  # the seal was read and checked with the notice
    outputs: dict[str, bytes] = {}
    for fmt in _writers_to_run(options.formats):
        if fmt == "docx":
            from docgen.writers.docx.notice import write_docx

            outputs["docx"] = write_docx(view, templates=Path(options.templates))
        elif fmt == "pdf":
            from docgen.writers.pdf.notice import write_pdf

            outputs["pdf"] = write_pdf(
                view,
                templates=Path(options.templates),
                source_text=source.text,
                source_name=Path(source.file).name,
                options=options.render,
            )
    if "pdf" in outputs:
        _with_ofd(outputs, options, outputs["pdf"], Path(source.file).name)
    return Rendered(source.file, "notice", stem, outputs)


def _has(*keys: str) -> Callable[[object], bool]:
    return lambda data: isinstance(data, dict) and any(k in data for k in keys)


FORM = InputKind(
    "form",
    "征集表",
    KNOWN_FORMATS,
    looks_like_form,
    _check_form,
    _render_form,
)
SUBMISSION = InputKind("submission", "填报文件", KNOWN_FORMATS, _has("form", "unit"), check_source, _render_submission)
NOTICE = InputKind("notice", "通知", ("docx", "pdf", OFD), _has("body", "issuer"), _check_notice, _render_notice)

INPUT_KINDS: tuple[InputKind, ...] = (FORM, SUBMISSION, NOTICE)  # detection order: the first that matches
DEFAULT_KIND = SUBMISSION  # what an input matching none is checked as (its errors say what is missing)


def kind_of(data: object) -> InputKind:
    """The kind of a parsed input, by its top-level keys."""
    return next((k for k in INPUT_KINDS if k.detect(data)), DEFAULT_KIND)


def input_kind(data: object) -> str:
    """The name of kind_of(data): form | submission | notice."""
    return kind_of(data).name


# --------------------------------------------------------------------------- batch kinds


def _build_summary(*args: Any) -> tuple[dict[str, bytes], SummaryFacts]:
    """汇总表 from the units' filings (docgen.batch.summary.render_summary)."""
    from docgen.batch.summary import render_summary

    return render_summary(*args)


def _build_archive(*args: Any, **kwargs: Any) -> list[Path]:
    """归档卷.pdf (docgen.batch.archive.build_archive); the paths written, none when it was up to date."""
    from docgen.batch.archive import build_archive

    return build_archive(*args, **kwargs)


@dataclass(frozen=True)
class BatchKind:
    """A document built from every unit of a batch (not read from one file)."""

    name: str
    title: str
    stem: str  # its file name in the batch's output folder
    formats: tuple[str, ...]
    build: Callable[..., Any]  # module-level, so a worker process can run it


SUMMARY = BatchKind("summary", "全省汇总表", "汇总表", ("xlsx", "pdf"), _build_summary)
ARCHIVE = BatchKind("archive", "年度归档卷", "归档卷", ("pdf", OFD), _build_archive)  # OFD-A with `batch --ofd`
BATCH_KINDS: tuple[BatchKind, ...] = (SUMMARY, ARCHIVE)


# --------------------------------------------------------------------------- entry points


def check(source: Source) -> Result:
    """Every diagnostic of a parsed input, whatever its kind."""
    return kind_of(source.data).check(source)


def check_submission(source: Source) -> Result:
    """check() for an input that must be a unit's submission (what the service files): routed the same
    way, so a submission gets exactly the CLI's diagnostics; any other kind is one error naming it."""
    kind = kind_of(source.data)
    if kind is SUBMISSION:
        return kind.check(source)
    message = f"这是{kind.title}，不是单位的填报文件；请上传本单位的填报文件"
    wrong = Diagnostic("error", "not-a-submission", source.file, 0, "", message)
    return Result(source.file, None, [*reader_problems(source), wrong])


def check_file(path: str | Path) -> Result:
    """Every diagnostic of one file (YAML, JSON or a filled workbook): a submission, a published form or a notice."""
    from docgen.authoring.workbook_check import check_workbook, is_workbook

    if is_workbook(path):
        return check_workbook(path)[0]  # problems named by sheet and cell
    try:
        source = load(path)
    except SourceError as exc:
        return Result(str(path), None, [source_error(exc)])
    return check(source)


def render_source(source: Source, options: Options | None = None, stem: str | None = None) -> Rendered:
    """Check and render an already parsed input; raise InvalidInput with every problem."""
    options = options or Options()
    kind = kind_of(source.data)
    result = kind.check(source)
    if not result.ok(options.strict):
        raise InvalidInput(result.diagnostics)
    return kind.render(source, result, options, stem or Path(source.file).stem)


def render_file(path: str | Path, options: Options | None = None) -> Rendered:
    """Read, check and render one input file; raise InvalidInput with every problem."""
    from docgen.authoring.workbook_check import check_workbook, is_workbook

    if is_workbook(path):
        # A filled workbook renders like the submission it holds; its problems are named by cell.
        result, parsed = check_workbook(path)
        if parsed is None or not result.ok((options or Options()).strict):
            raise InvalidInput(result.diagnostics)
        rendered = render_source(parsed, options, stem=Path(path).stem)
        rendered.source, rendered.warnings = str(path), result.warnings
        return rendered
    try:
        source = load(path)
    except SourceError as exc:
        raise InvalidInput([source_error(exc)]) from None
    return render_source(source, options)


def write_outputs(rendered: Rendered, outdir: Path = BUILD_DIR) -> list[Path]:
    """Write every output atomically as OUTDIR/STEM.EXT; never over the input file itself."""
    targets = {fmt: Path(outdir) / f"{rendered.stem}.{fmt}" for fmt in rendered.outputs}
    source = Path(rendered.source)
    for target in targets.values():
        if source.exists() and target.exists() and target.resolve() == source.resolve():
            message = f"输出文件 {target} 就是输入文件，不会覆盖它；请用 -o 指定另一个输出目录"
            raise InvalidInput([Diagnostic("error", "overwrite-input", source.name, 0, "", message)])
    return [write_bytes(targets[fmt], data) for fmt, data in rendered.outputs.items()]
