"""The build manifest: what was built from what, so a rerun rebuilds only what changed."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from pydantic import TypeAdapter, ValidationError

from docgen import __version__
from docgen.io.atomic import write_text

MANIFEST_NAME = "manifest.json"


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def tree_hash(*roots: Path) -> str:
    """One hash over every file below the roots (names and contents): templates, form data."""
    h = hashlib.sha256()
    for root in roots:
        files = [root] if root.is_file() else sorted(p for p in root.rglob("*") if p.is_file())
        for p in files:
            if "__pycache__" in p.parts:
                continue
            h.update(str(p.relative_to(root.parent if root.is_file() else root)).encode())
            h.update(b"\0")
            h.update(sha256_file(p).encode())
    return h.hexdigest()


@dataclass(frozen=True)
class Output:
    """One file a step wrote, relative to the output folder, with its size and SHA-256."""

    path: str
    size: int
    sha256: str


@dataclass
class UnitEntry:
    """A unit's record: the file it was built from, how it went, and what it wrote.

    Every field has a default so a manifest from an older docgen still loads; an entry without
    this run's build key is simply not fresh and is rebuilt."""

    source: str = ""
    source_sha256: str = ""
    status: str = ""  # ok | invalid | error
    build_key: str = ""
    warnings: int = 0
    unit: str = ""
    totals: dict[str, str] = field(default_factory=dict)  # table key → amount text; "all" → grand total
    messages: list[str] = field(default_factory=list)
    outputs: list[Output] = field(default_factory=list)


@dataclass
class SummaryEntry:
    """汇总表's record: its build key, its files, and the figures it printed."""

    build_key: str = ""
    outputs: list[Output] = field(default_factory=list)
    grand_total: str = ""
    units: int = 0


@dataclass
class ArchiveEntry:
    """归档卷's record: its build key, its file, and the documents it holds in order."""

    build_key: str = ""
    outputs: list[Output] = field(default_factory=list)
    parts: list[str] = field(default_factory=list)


@dataclass
class _OnDisk:
    """manifest.json as read (docgen_version is rewritten on every save, so it is not kept)."""

    units: dict[str, UnitEntry] = field(default_factory=dict)
    summary: SummaryEntry | None = None
    archive: ArchiveEntry | None = None
    templates_sha256: str = ""


@cache
def _reader() -> TypeAdapter[_OnDisk]:
    return TypeAdapter(_OnDisk)


@dataclass
class Manifest:
    """manifest.json: docgen version, templates hash, per unit its source hash and outputs, the summary
    and the archive volume. The only module that knows the file's layout."""

    path: Path
    units: dict[str, UnitEntry] = field(default_factory=dict)
    summary: SummaryEntry | None = None
    archive: ArchiveEntry | None = None
    templates_sha256: str = ""
    warning: str = ""  # why an existing manifest was set aside (everything is rebuilt)

    @classmethod
    def load(cls, outdir: Path) -> Manifest:
        path = outdir / MANIFEST_NAME
        if not path.exists():
            return cls(path)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            return cls(path, warning=_set_aside(path, f"无法读取（{type(exc).__name__}）"))
        if not isinstance(data, dict):
            return cls(path, warning=_set_aside(path, "顶层应为对象"))
        try:
            doc = _reader().validate_python(data)
        except ValidationError as exc:
            loc = exc.errors()[0]["loc"]
            return cls(path, warning=_set_aside(path, f"{'.'.join(str(p) for p in loc[:2])} 格式不对"))
        return cls(path, doc.units, doc.summary, doc.archive, doc.templates_sha256)

    def to_json(self) -> dict[str, Any]:
        """The file's content: the same keys docgen has always written (summary, archive once built)."""
        doc: dict[str, Any] = {
            "docgen_version": __version__,
            "templates_sha256": self.templates_sha256,
            "units": {stem: asdict(e) for stem, e in self.units.items()},
        }
        if self.summary is not None:
            doc["summary"] = asdict(self.summary)
        if self.archive is not None:
            doc["archive"] = asdict(self.archive)
        return doc

    def save(self) -> None:
        write_text(self.path, json.dumps(self.to_json(), ensure_ascii=False, indent=2, sort_keys=True) + "\n")

    def is_fresh(self, key: str, build_key: str, outdir: Path) -> bool:
        """True when the unit was built from the same inputs and its outputs are intact."""
        entry = self.units.get(key)
        if entry is None or entry.build_key != build_key or entry.status != "ok":
            return False
        return outputs_intact(entry.outputs, outdir)

    def record(self, key: str, entry: UnitEntry) -> None:
        self.units[key] = entry

    def keep_units(self, stems: Iterable[str]) -> None:
        """Forget the units not in STEMS (their input file disappeared; their old outputs stay on disk)."""
        keep = set(stems)
        self.units = {stem: e for stem, e in self.units.items() if stem in keep}

    def ok_units(self) -> dict[str, UnitEntry]:
        """The units whose last build succeeded."""
        return {stem: e for stem, e in self.units.items() if e.status == "ok"}


def _set_aside(path: Path, problem: str) -> str:
    return f"{path}: 清单 manifest.json 格式不对（{problem}），已忽略并全部重新生成"


def units_done(outdir: Path) -> int:
    """Units a batch writing OUTDIR has finished (ok or failed); 0 before its first save."""
    return len(Manifest.load(outdir).units)


def outputs_intact(outputs: list[Output], outdir: Path) -> bool:
    """Every recorded output is on disk inside OUTDIR with its recorded size and SHA-256 (a same-size
    edit is caught, not only a truncation)."""
    root = outdir.resolve()
    for out in outputs:
        p = (outdir / out.path).resolve()
        if not p.is_relative_to(root) or not p.is_file() or p.stat().st_size != out.size:
            return False
        if sha256_file(p) != out.sha256:
            return False
    return bool(outputs)


def describe(outdir: Path, written: list[Path]) -> list[Output]:
    return [Output(p.relative_to(outdir).as_posix(), p.stat().st_size, sha256_file(p)) for p in written]
