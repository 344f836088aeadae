"""Diagnostics: every problem of a file, with file, line, path and a Chinese explanation."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Literal

from docgen.io.source import SourceError

Severity = Literal["error", "warning"]


def format_path(path: tuple[str | int, ...]) -> str:
    """('retained', 0, 'projects', 1, 'count') → retained[0].projects[1].count"""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "（文件顶层）"


@dataclass(frozen=True)
class Diagnostic:
    """One problem found in an input file."""

    severity: Severity
    code: str  # stable machine id, e.g. "unknown-key"
    file: str
    line: int
    path: str
    message: str  # Chinese: what is wrong
    hint: str = ""  # Chinese: what would be right
    english: str = ""

    def __str__(self) -> str:
        level = "错误" if self.severity == "error" else "警告"
        text = f"{self.file}:{self.line}: {level} [{self.code}] {self.path}: {self.message}"
        if self.hint:
            text += f" {self.hint}"
        if self.english:
            text += f" ({self.english})"
        return text

    def as_dict(self) -> dict:
        return asdict(self)


class InvalidInput(Exception):
    """Raised with all diagnostics of a file when it has errors (or warnings under --strict)."""

    def __init__(self, diagnostics: list[Diagnostic]):
        self.diagnostics = diagnostics
        super().__init__("\n".join(str(d) for d in diagnostics))


def source_error(exc: SourceError) -> Diagnostic:
    """The diagnostic of a file that could not be read or parsed (its line when known)."""
    return Diagnostic("error", "syntax", exc.file, exc.line, "（文件）", exc.message)
