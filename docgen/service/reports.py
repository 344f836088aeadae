"""Check an upload with docgen's own validator (and workbook importer) and answer the contract's Report."""

from __future__ import annotations

import re
import tempfile
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from docgen.authoring.importer import ImportError_, import_workbook_cells
from docgen.authoring.workbook.problems import Problem as WorkbookProblem
from docgen.check.submission import Result
from docgen.io.source import SourceError, parse, parse_bytes, to_jsonable
from docgen.models.diagnostics import Diagnostic, source_error
from docgen.registry import check_submission
from docgen.service.uploads import Upload

_PART = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


@dataclass
class Checked:
    """An upload after checking: the Report, the parsed data, the YAML text that renders, the totals."""

    report: dict[str, Any]
    data: Any = None  # the submission as plain JSON types, when it parses
    text: str | None = None  # the text docgen renders (the upload itself, or the YAML imported from a workbook)
    totals: dict[str, str] | None = None  # table key → 万元 text, "all" → grand total, when valid
    result: Result | None = field(default=None, repr=False)

    @property
    def valid(self) -> bool:
        return bool(self.report["valid"])


def diagnostic_json(d: Diagnostic, cell: str | None = None, workbook: bool = False) -> dict[str, Any]:
    out = d.as_dict()
    out.pop("file", None)
    out["cell"] = cell
    if workbook:  # lines of the YAML imported from a workbook mean nothing to its reader
        out["line"] = None
    return out


def cell_of(path: str, cells: dict[tuple, str]) -> str | None:
    """The cell a diagnostic's path (t[0].projects[1].count) came from: its nearest imported ancestor."""
    parts = tuple(int(m[2]) if m[2] is not None else m[1] for m in _PART.finditer(path))
    while parts:
        if parts in cells:
            return cells[parts]
        parts = parts[:-1]
    return cells.get(())


def report(items: list[dict[str, Any]]) -> dict[str, Any]:
    errors = sum(1 for d in items if d["severity"] == "error")
    return {"valid": errors == 0, "errors": errors, "warnings": len(items) - errors, "diagnostics": items}


def _workbook_line(severity: str, problem: WorkbookProblem) -> dict[str, Any]:
    """One problem of the importer (表一!F7: 没有填写…) as a diagnostic with its cell."""
    return {
        "severity": severity,
        "code": "workbook",
        "line": None,
        "path": "",
        "cell": problem.cell or None,
        "message": problem.located,
        "hint": "",
        "english": "",
    }


def check_upload(upload: Upload, report_only: bool = False) -> Checked:
    """Validate exactly as `docgen validate` does (after `docgen import` for a workbook).

    `report_only`: the Report alone (what /validate answers), without the data, text and totals."""
    extra: list[dict[str, Any]] = []
    cells: dict[tuple, str] = {}
    workbook = upload.kind == "xlsx"
    name = upload.filename
    try:
        if workbook:
            with tempfile.TemporaryDirectory(prefix="docgen-check-") as tmp:  # the importer reads a file
                path = Path(tmp) / upload.filename
                path.write_bytes(upload.content)
                try:
                    text, warnings, cells = import_workbook_cells(path)
                except ImportError_ as exc:
                    return Checked(report([_workbook_line("error", p) for p in exc.problems]))
            extra = [_workbook_line("warning", w) for w in warnings]
            name = str(Path(upload.filename).with_suffix(".yaml"))
            source = parse(text, name)
        else:
            source = parse_bytes(upload.content, name)
    except SourceError as exc:
        d = source_error(exc)  # as the CLI says it (the parser's own words in `original`)
        return Checked(report([*extra, diagnostic_json(d, workbook=workbook)]))
    result = check_submission(source)  # routed by the registry, as `docgen validate` routes a file
    items = extra + [
        diagnostic_json(d, cell_of(d.path, cells) if workbook else None, workbook) for d in result.diagnostics
    ]
    if report_only:
        return Checked(report(items), result=result)
    checked = Checked(report(items), to_jsonable(source.data), source.text, result=result)
    if checked.valid and result.submission is not None and result.form is not None:
        checked.totals = totals(result)
    return checked


def check_report(upload: Upload, report_only: bool = False) -> Checked:
    """`check_upload` for a check worker: the answer without the parsed models, small to send back."""
    checked = check_upload(upload, report_only)
    checked.result = None
    return checked


def warm_checker() -> None:
    """Import the checker and fill its caches (forms, schemas) once, in the check pool's zygote."""
    from docgen.io.paths import DATA_DIR

    for path in sorted((DATA_DIR / "submissions").glob("*/*.yaml"))[:1]:
        check_upload(Upload(path.read_bytes(), path.name, "yaml"))


def totals(result: Result) -> dict[str, str]:
    """Per-table totals as `docgen batch` shows them, from the one document view."""
    from docgen.standard.text import format_amount
    from docgen.views.form import table_totals

    figures = table_totals(result.form, result.submission)  # type: ignore[arg-type]
    out = {key: format_amount(total) for key, total in figures.items()}
    out["all"] = f"{sum(figures.values(), Decimal(0)):.2f}"
    return out
