"""Which forms exist: ids (file stems) from the built-in data/forms/ and the province's folder, cached by file hash.

The province's folder (``--forms DIR`` or ``DOCGEN_FORMS``) comes after the built-in one: an id there
overrides a built-in. A form is re-read when its file changes (size and time checked on each look-up,
the build cached by the bytes' SHA-256). A broken form is kept apart with its problems
(``Catalog.broken``) and never stops the good ones.
"""

from __future__ import annotations

import hashlib
import os
import threading
from dataclasses import dataclass
from pathlib import Path

from docgen.form.builder import Built, build
from docgen.form.errors import FormProblem, message
from docgen.io.paths import DATA_DIR
from docgen.io.source import SourceError, parse_bytes

FORMS_ENV = "DOCGEN_FORMS"
_BUILT: dict[str, Built] = {}  # SHA-256 of a file's bytes → its build (a form is small; a few dozen at most)
_SEEN: dict[Path, tuple[int, int, str]] = {}  # path → (mtime_ns, size, cache key) at the last look-up
_LOCK = threading.Lock()
_MAX_CACHED = 64


def builtin_dir(data_dir: Path | None = None) -> Path:
    return (data_dir or DATA_DIR) / "forms"


def _province_dirs() -> list[Path]:
    extra = os.environ.get(FORMS_ENV, "")
    return [Path(p) for p in extra.split(os.pathsep) if p]


def use_forms_dir(path: str | Path | None) -> None:
    """``--forms DIR``: the province's forms for the rest of this process (and its children)."""
    if path is not None:
        os.environ[FORMS_ENV] = str(Path(path).resolve())


@dataclass(frozen=True)
class Catalog:
    """The forms in a list of folders, later folders overriding earlier ones by id."""

    dirs: tuple[Path, ...]

    def paths(self) -> dict[str, Path]:
        """Every form id → its file (`.yaml`, `.yml` or `.json`), the last folder's winning."""
        found: dict[str, Path] = {}
        for folder in self.dirs:
            found.update(_listing(folder))
        return found

    def ids(self) -> list[str]:
        return sorted(self.paths())

    def path(self, form_id: str) -> Path | None:
        return self.paths().get(str(form_id))

    def get(self, form_id: str) -> Built | None:
        """The build of a form by id (None when no file has that id)."""
        path = self.path(form_id)
        return built(path, str(form_id)) if path is not None else None

    def good(self) -> dict[str, Built]:
        return {i: b for i in self.ids() if (b := self.get(i)) is not None and b.ok}

    def broken(self) -> dict[str, Built]:
        """The forms whose definition has problems, each with every problem."""
        return {i: b for i in self.ids() if (b := self.get(i)) is not None and not b.ok}


_LISTINGS: dict[Path, tuple[int, dict[str, Path]]] = {}  # folder → (its mtime_ns, its forms by id)


def _listing(folder: Path) -> dict[str, Path]:
    """A folder's forms by id, listed again only when the folder changed (a file added, removed or renamed)."""
    try:
        stamp = folder.stat().st_mtime_ns
    except OSError:
        return {}
    with _LOCK:
        seen = _LISTINGS.get(folder)
    if seen is not None and seen[0] == stamp:
        return seen[1]
    found = {p.stem: p for p in sorted(folder.iterdir()) if p.suffix in (".yaml", ".yml", ".json") and p.is_file()}
    with _LOCK:
        _LISTINGS[folder] = (stamp, found)
    return found


def catalog(data_dir: Path | None = None) -> Catalog:
    """The built-in forms, then the province's (``DOCGEN_FORMS``)."""
    return Catalog((builtin_dir(data_dir), *_province_dirs()))


def built(path: Path, form_id: str | None = None) -> Built:
    """A form file's build, re-read only when the file changed (cached by the SHA-256 of its bytes)."""
    path = Path(path)
    fid = form_id or path.stem
    try:
        st = path.stat()
        with _LOCK:
            seen = _SEEN.get(path)
            if seen and seen[:2] == (st.st_mtime_ns, st.st_size) and seen[2].endswith(f":{fid}"):
                cached = _BUILT.get(seen[2])
                if cached is not None:
                    return cached
        raw = path.read_bytes()
    except OSError as exc:
        return Built(fid, str(path), None, [_unreadable(path, str(exc))])
    digest = hashlib.sha256(raw).hexdigest()
    key = f"{digest}:{fid}"
    with _LOCK:
        _SEEN[path] = (st.st_mtime_ns, st.st_size, key)
        if key in _BUILT:
            return _BUILT[key]
    try:
        result = build(parse_bytes(raw, str(path)), fid)
    except SourceError as exc:
        result = Built(fid, str(path), None, [_unreadable(path, exc.message, exc.line)])
    with _LOCK:
        if len(_BUILT) >= _MAX_CACHED:
            _BUILT.pop(next(iter(_BUILT)))
        _BUILT[key] = result
    return result


def _unreadable(path: Path, reason: str, line: int = 1) -> FormProblem:
    return FormProblem("form-syntax", str(path), line, "（文件）", message("form-syntax", reason=reason))
