"""The one way the service renders: `render_bytes` (the pool replaces its body with workers and the store)."""

from __future__ import annotations

import io
import tempfile
import zipfile
from pathlib import Path
from typing import Any

import anyio.to_thread

from docgen.io.reproducible import FIXED_ZIP_TIME

FORMATS = ("pdf", "docx", "xlsx", "zip")
MEDIA = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "zip": "application/zip",
}


def render_sync(text: str, filename: str, fmt: str, templates: Path) -> bytes:
    """Render a checked submission's text (YAML/JSON) as `docgen render` would; zip = all three formats.

    `filename` is the name the submission is rendered under (the PDF records it); raises InvalidInput.
    """
    from docgen.registry import Options, render_file

    formats = ("docx", "xlsx", "pdf") if fmt == "zip" else (fmt,)
    with tempfile.TemporaryDirectory(prefix="docgen-render-") as tmp:
        path = Path(tmp) / filename
        path.write_text(text, encoding="utf-8")
        rendered = render_file(path, Options(formats=formats, templates=templates))
    if fmt != "zip":
        return rendered.outputs[fmt]
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for ext in formats:
            entry = zipfile.ZipInfo(f"{rendered.stem}.{ext}", date_time=FIXED_ZIP_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            zf.writestr(entry, rendered.outputs[ext])
    return out.getvalue()


async def render_bytes(app_state: Any, source_bytes: bytes, filename: str, fmt: str) -> bytes:
    """The file `fmt` of a checked submission (`source_bytes`: its YAML/JSON text in UTF-8).

    Every render of the service goes through here. Until the worker pool lands it renders in a
    thread of this process.
    """
    text = source_bytes.decode("utf-8")
    return await anyio.to_thread.run_sync(render_sync, text, filename, fmt, app_state.settings.templates)


def backend_alive(app_state: Any) -> bool:
    """Whether renders can run (for /readyz); the in-thread renderer always can."""
    return True
