"""What WeasyPrint may read while docgen renders: its own templates, its font files, data: URLs.

User text (a notice title, a project name) ends up inside HTML and CSS. It is escaped for its
context by the templates; this fetcher is the second wall: whatever a document names
(``<img src>``, ``url(…)``, ``<link>``, ``<a rel=attachment href>``, ``@font-face``, ``@import``),
WeasyPrint receives content only for

* ``data:`` URLs (they carry their own bytes, nothing is read; an SVG inside one that names
  another URL comes back here);
* ``file:`` URLs of files inside an allowed folder (the templates folder in use) or equal to
  an allowed file (the faces docgen.fonts resolved, the seal image the notice check validated),
  after resolving symbolic links and ``..``.

Everything else — http(s), ftp, file:// anywhere else, a directory, a device — raises, which
WeasyPrint reports as a warning and renders without the resource; the URL is kept in
``refused`` for callers and tests.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from urllib.parse import unquote, urlsplit

from weasyprint.urls import URLFetcher


class RefusedURL(ValueError):
    """A URL docgen does not let WeasyPrint read."""


def file_url_path(url: str) -> Path | None:
    """The local path of a file: URL (``file:///p``, ``file://localhost/p``), else None."""
    parts = urlsplit(url)
    if parts.scheme.lower() != "file" or parts.netloc not in ("", "localhost"):
        return None
    return Path(unquote(parts.path))


class Fetcher(URLFetcher):
    """A WeasyPrint URL fetcher that serves only docgen's own files (module docstring)."""

    def __init__(self, folders: Iterable[Path] = (), files: Iterable[Path] = (), fonts: Iterable[Path] = ()) -> None:
        super().__init__(timeout=1, allowed_protocols=("file", "data"), allow_redirects=False)
        self.folders = tuple(Path(f).resolve() for f in folders)
        self.fonts = frozenset(Path(f).resolve() for f in fonts)
        self.files = frozenset(Path(f).resolve() for f in files) | self.fonts
        self.refused: list[str] = []

    def allowed_path(self, url: str) -> Path | None:
        """The resolved file a file: URL names when it may be read, else None."""
        path = file_url_path(url)
        if path is None:
            return None
        try:
            real = path.resolve(strict=True)
        except (OSError, RuntimeError):
            return None
        if not real.is_file():
            return None
        if real in self.files or any(real.is_relative_to(folder) for folder in self.folders):
            return real
        return None

    def font_path(self, url: str) -> Path | None:
        """The file an @font-face source names when it is one of docgen's font files (fontmap)."""
        path = self.allowed_path(url)
        return path if path is not None and path in self.fonts else None

    def fetch(self, url: str, headers=None):
        if url[:5].lower() == "data:":
            return super().fetch(url, headers)
        path = self.allowed_path(url)
        if path is None:
            self.refused.append(url)
            raise RefusedURL(f"docgen does not let documents read {url[:200]!r}")
        return super().fetch(path.as_uri(), headers)
