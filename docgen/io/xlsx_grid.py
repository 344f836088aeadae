"""Read a workbook's sheets into bounded grids of values: only the form's columns, a row cap, an early stop.

openpyxl's read-only mode streams each sheet's XML; this module asks it for at most `max_col`
columns and `MAX_ROWS` rows and stops after `EMPTY_RUN` empty rows in a row, so a stray cell at
XFD1048576 or a million empty styled rows cost nothing. `xlsx_package` has checked the package first.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from openpyxl import load_workbook

from docgen.io.xlsx_package import SheetFacts, WorkbookRefused, check_file, sheet_facts

MAX_ROWS = 3000  # rows read per sheet: far beyond a real filing (the README states it)
EMPTY_RUN = 200  # this many empty rows in a row end a sheet


@dataclass
class Grid:
    """One sheet's values by (row, column), 1-based, with its merges and what could not be read."""

    name: str
    values: dict[tuple[int, int], Any] = field(default_factory=dict)
    formulas: dict[tuple[int, int], str] = field(default_factory=dict)  # formula cells without a cached value
    formula_cells: set[tuple[int, int]] = field(default_factory=set)  # every cell holding a formula
    facts: SheetFacts = field(default_factory=SheetFacts)
    max_row: int = 0  # last row with a value
    max_col: int = 0
    truncated: bool = False  # there was content beyond MAX_ROWS


@dataclass
class Book:
    grids: dict[str, Grid]  # in sheet order
    title: str
    custom: dict[str, Any]


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _stream(ws, max_col: int, grid: Grid, formulas: bool) -> None:
    empty = 0
    for r, row in enumerate(ws.iter_rows(min_row=1, max_row=MAX_ROWS + 1, max_col=max_col, values_only=True), 1):
        if r > MAX_ROWS:
            grid.truncated = any(not _blank(v) for v in row)
            break
        filled = False
        for c, value in enumerate(row, 1):
            if _blank(value):
                continue
            filled = True
            if formulas:
                if isinstance(value, str) and value.startswith("="):
                    grid.formula_cells.add((r, c))
                    if (r, c) not in grid.values:
                        grid.formulas[(r, c)] = value
            else:
                grid.values[(r, c)] = value
                grid.max_row, grid.max_col = max(grid.max_row, r), max(grid.max_col, c)
        empty = 0 if filled else empty + 1
        if empty >= EMPTY_RUN:
            break


def read_book(path: Path, max_col: int) -> Book:
    """Every sheet's first `max_col` columns; raise WorkbookRefused for a file docgen will not open."""
    check_file(path)
    facts = sheet_facts(path)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl's English warnings (data validation, styles)
            values = load_workbook(path, read_only=True, data_only=True)
            raw = load_workbook(path, read_only=True, data_only=False)
    except Exception as exc:  # noqa: BLE001 - any parse failure of a checked package: report, never a traceback
        raise WorkbookRefused(
            f"{path.name}: 无法读取工作簿（{type(exc).__name__}）；请在 Excel/WPS 中另存为 .xlsx 后再导入"
        ) from None
    grids: dict[str, Grid] = {}
    try:
        for ws in values.worksheets:
            grid = grids[ws.title] = Grid(ws.title, facts=facts.get(ws.title, SheetFacts()))
            if grid.facts.unreadable:
                continue  # its huge numbers are reported by cell; openpyxl would raise on them
            try:
                _stream(ws, max_col, grid, formulas=False)
                _stream(raw[ws.title], max_col, grid, formulas=True)
            except (ValueError, TypeError, KeyError, IndexError) as exc:
                raise WorkbookRefused(
                    f"{path.name}: 工作表“{ws.title}”内容损坏，无法读取（{type(exc).__name__}）；"
                    "请在 Excel/WPS 中另存为 .xlsx 后再导入"
                ) from None
        custom: dict[str, Any] = {}
        for prop in getattr(values, "custom_doc_props", None) or []:
            custom[prop.name] = prop.value
        title = values.properties.title or ""
    finally:
        values.close()
        raw.close()
    return Book(grids, title, custom)


__all__ = ["EMPTY_RUN", "MAX_ROWS", "Book", "Grid", "WorkbookRefused", "read_book"]
