"""What the render workers run: one submission to one format's bytes, and a province batch job."""

from __future__ import annotations

import io
import tempfile
import zipfile
from pathlib import Path
from typing import Any

from docgen.reproducible import FIXED_ZIP_TIME

FORMATS = ("pdf", "docx", "xlsx", "zip")  # zip holds the other three


def submission_source(data: bytes, filename: str) -> Any:
    """The bytes of a .yaml/.yml/.json or .xlsx upload as a parsed Source (raises InvalidInput)."""
    from docgen.diagnostics import Diagnostic, InvalidInput
    from docgen.source import SourceError, parse

    name = Path(filename).name or "submission.yaml"
    try:
        if name.lower().endswith(".xlsx"):
            from docgen.importer import ImportError_, import_workbook

            with tempfile.TemporaryDirectory(prefix="docgen-upload-") as tmp:
                path = Path(tmp) / name
                path.write_bytes(data)
                try:
                    text, _ = import_workbook(path)
                except ImportError_ as exc:
                    raise InvalidInput([Diagnostic("error", "workbook", name, 0, "（工作簿）", str(p))
                                        for p in exc.problems]) from None
            return parse(text, Path(name).with_suffix(".yaml").name)
        return parse(data.decode("utf-8-sig"), name)
    except UnicodeDecodeError:
        raise InvalidInput([Diagnostic("error", "encoding", name, 0, "（文件）", "文件不是 UTF-8 编码")]) from None
    except SourceError as exc:
        raise InvalidInput([Diagnostic("error", "syntax", exc.file, exc.line, "（文件）", exc.message)]) from None


def render_submission(data: bytes, filename: str, fmt: str, templates: str) -> bytes:
    """One format's bytes (zip: docx, xlsx and pdf together) of a submission; raises InvalidInput."""
    from docgen.render import Options, render_source

    source = submission_source(data, filename)
    formats = ("docx", "xlsx", "pdf") if fmt == "zip" else (fmt,)
    rendered = render_source(source, Options(formats=formats, templates=Path(templates)))
    if fmt != "zip":
        return rendered.outputs[fmt]
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for ext in formats:  # fixed order and dates: same input, same bytes
            entry = zipfile.ZipInfo(f"{rendered.stem}.{ext}", date_time=FIXED_ZIP_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            zf.writestr(entry, rendered.outputs[ext])
    return out.getvalue()
