"""Read and check a notice YAML (data/notices/*.yaml): ``load_notice(path) -> Notice``, ``parse_notice(source)``."""

from __future__ import annotations

from pathlib import Path

from pydantic import ValidationError

from docgen.io.source import Source, SourceError, load
from docgen.models.diagnostics import Diagnostic, InvalidInput, source_error


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
        out.append(
            Diagnostic("error", f"notice-{kind}", source.file, source.line_of(loc), path, msg, english=str(err["msg"]))
        )
    return out


def parse_notice(source: Source):
    """The Notice of a parsed source; InvalidInput with every problem (file, line, path)."""
    from docgen.models.notice import Notice

    try:
        return Notice.model_validate(source.data)
    except ValidationError as exc:
        raise InvalidInput(_diagnostics(source, exc)) from None


def load_notice(path: str | Path):
    """Read and validate a notice YAML file."""
    try:
        source = load(path)
    except SourceError as exc:
        raise InvalidInput([source_error(exc)]) from None
    return parse_notice(source)
