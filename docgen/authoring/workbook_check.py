"""Check a filled workbook as a submission: read it, validate what it says, name every problem by sheet and cell.

The importer turns the workbook into a submission and records the cell of every value; the
submission is validated exactly as a YAML file is, and each diagnostic's path is mapped back to
its cell (a table's [0].budget → 表一!D5), so a clerk sees the same codes at the place they typed.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from docgen.authoring.workbook.problems import Problem
from docgen.check.submission import Result, check_source
from docgen.io.source import Source, SourceError, parse
from docgen.models.diagnostics import Diagnostic, Severity

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")


def is_workbook(path: str | Path) -> bool:
    return Path(path).suffix.lower() in WORKBOOK_SUFFIXES


def _cell_of(cells: dict[str, str], path: str) -> str:
    """The cell of a submission path, or of its nearest ancestor that has one."""
    p = path
    while p:
        if p in cells:
            return cells[p]
        cut = max(p.rfind("."), p.rfind("["))
        if cut <= 0:
            break
        p = p[:cut]
    return ""


def _import_diagnostic(name: str, severity: Severity, problem: Problem) -> Diagnostic:
    """An importer's problem as a diagnostic: its cell, its message (the file is the diagnostic's own)."""
    message = problem.message if problem.cell or problem.file else str(problem)
    code = "workbook-cell" if severity == "error" else "workbook-note"
    return Diagnostic(severity, code, name, 0, "", message, cell=problem.cell)


def check_workbook(path: str | Path) -> tuple[Result, Source | None]:
    """(every problem of the workbook, the submission source to render when it passes)."""
    from docgen.authoring.importer import ImportError_, read_workbook

    path = Path(path)
    name = path.name
    try:
        imported = read_workbook(path)
    except ImportError_ as exc:
        return Result(name, None, [_import_diagnostic(name, "error", p) for p in exc.problems]), None
    notes = [_import_diagnostic(name, "warning", w) for w in imported.warnings]
    try:
        source = parse(imported.text, name)
    except SourceError as exc:  # the importer writes YAML docgen reads: this would be a docgen bug
        return Result(name, None, [*notes, Diagnostic("error", "syntax", name, 0, "", exc.message)]), None
    result = check_source(source)
    mapped = [
        replace(d, line=0, cell=_cell_of(imported.cells, d.path) or imported.unit_cell) for d in result.diagnostics
    ]
    result.diagnostics = [*notes, *mapped]
    result.file = name
    return result, source


__all__ = ["WORKBOOK_SUFFIXES", "check_workbook", "is_workbook"]
