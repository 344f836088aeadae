"""Diagnostics: every problem of a file, with file, line, path and a Chinese explanation."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Literal

from docgen.io.source import SourceError

Severity = Literal["error", "warning"]


def format_path(path: tuple[str | int, ...]) -> str:
    """('t', 0, 'projects', 1, 'count') → t[0].projects[1].count"""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "（文件顶层）"


def printable(text: str) -> str:
    """Text that any UTF-8 stream can take: a lone surrogate becomes its escape (\\ud800)."""
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        return text.encode("utf-8", "backslashreplace").decode("utf-8")


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
    place: str = ""  # Chinese, counting from 1: 表（一）第2项 第1个项目 项目数
    cell: str = ""  # for a workbook: the sheet and cell (表一!D5) instead of a line
    original: str = ""  # the parser's own English sentence (PyYAML's, json's): in --json, never printed

    def __post_init__(self) -> None:
        # Whatever the input held (a lone surrogate, say), a diagnostic can always be printed and sent as JSON.
        for name in ("file", "path", "message", "hint", "english", "place", "cell", "original"):
            value = getattr(self, name)
            if isinstance(value, str):
                object.__setattr__(self, name, printable(value))

    def __str__(self) -> str:
        level = "错误" if self.severity == "error" else "警告"
        at = f"{self.file} {self.cell}" if self.cell else (f"{self.file}:{self.line}" if self.line else self.file)
        where = f"{self.place}（{self.path}）" if self.place and self.place != self.path else self.path
        text = f"{at}: {level} [{self.code}]" + (f" {where}" if where else "") + f": {self.message}"
        if self.hint:
            text += f" {self.hint}"
        if self.english:
            text += f" ({self.english})"
        return text

    def as_dict(self) -> dict:
        out = asdict(self)
        if not self.original:  # only a syntax error has the parser's own words
            del out["original"]
        return out


class InvalidInput(Exception):
    """Raised with all diagnostics of a file when it has errors (or warnings under --strict)."""

    def __init__(self, diagnostics: list[Diagnostic]):
        self.diagnostics = diagnostics
        super().__init__("\n".join(str(d) for d in diagnostics))


def source_error(exc: SourceError) -> Diagnostic:
    """The diagnostic of a file that could not be read or parsed (its line when known)."""
    return Diagnostic("error", "syntax", exc.file, exc.line, "（文件）", exc.message, original=exc.original)
