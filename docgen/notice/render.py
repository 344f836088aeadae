"""Render a notice YAML (data/notices/*.yaml) to DOCX and/or PDF.

``load_notice(path) -> Notice``; ``render_notice(source, options, stem) -> render.Rendered``
(called by docgen.render.render_source for inputs with a top-level ``body``/``issuer`` key).
"xlsx" in options.formats is ignored for notices (a notice has no spreadsheet).
"""

from __future__ import annotations

from pathlib import Path

from pydantic import ValidationError

from docgen.diagnostics import Diagnostic, InvalidInput
from docgen.source import Source, SourceError, load

def _diagnostics(source: Source, exc: ValidationError) -> list[Diagnostic]:
    out = []
    for err in exc.errors():
        loc = tuple(p for p in err["loc"] if not (isinstance(p, str) and p in ("Heading", "Paragraph")))
        path = ".".join(str(p) for p in loc) or "（文件顶层）"
        kind = err["type"]
        if kind == "extra_forbidden":
            msg = "未知的字段（unknown key）"
        elif kind == "missing":
            msg = "缺少必填字段（missing）"
        else:
            msg = str(err["msg"]).removeprefix("Value error, ")
        out.append(Diagnostic("error", f"notice-{kind}", source.file, source.line_of(loc), path, msg,
                              english=str(err["msg"])))
    return out


def parse_notice(source: Source):
    """The Notice of a parsed source; InvalidInput with every problem (file, line, path)."""
    from docgen.notice.model import Notice

    try:
        return Notice.model_validate(source.data)
    except ValidationError as exc:
        raise InvalidInput(_diagnostics(source, exc)) from None


def load_notice(path: str | Path):
    """Read and validate a notice YAML file."""
    try:
        source = load(path)
    except SourceError as exc:
        raise InvalidInput([Diagnostic("error", "syntax", exc.file, exc.line, "（文件）", exc.message)]) from None
    return parse_notice(source)


def render_notice(source: Source, options, stem: str):
    """DOCX and/or PDF of a notice, per options.formats (xlsx ignored)."""
    from docgen.render import Rendered

    notice = parse_notice(source)
    base_dir = Path(source.file).resolve().parent
    outputs: dict[str, bytes] = {}
    for fmt in options.formats:
        if fmt == "docx":
            from docgen.notice.docx import write_docx
            outputs["docx"] = write_docx(notice, base_dir=base_dir, templates=Path(options.templates))
        elif fmt == "pdf":
            from docgen.notice.pdf import write_pdf
            outputs["pdf"] = write_pdf(notice, base_dir=base_dir, templates=Path(options.templates),
                                       source_text=source.text, source_name=Path(source.file).name,
                                       require_official_fonts=options.require_official_fonts)
    return Rendered(source.file, "notice", stem, outputs)
