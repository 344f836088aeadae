"""Where a table's columns are in its worksheet: the sheet, the header row, each column by its title.

A table's sheet holds its printed columns in print order (the row's, then the sub-rows'), and after
them docgen's own columns: a column the clerk enters that is not printed as a column of its own and
that no `show` column holds gets a column titled with its title (2024's 测算依据, the `note` printed
inside 经费安排's cell: a spreadsheet cell is a number or a text, not both; the writer puts it right of
its host). A header is known by the column's
title, its title without the （…） gloss, or one of its `aliases`; a header that names no column is an
error, so nothing a clerk typed is dropped in silence.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from docgen.authoring.workbook.cells import cell_text, header_words, squash
from docgen.authoring.workbook.problems import At, Problem
from docgen.authoring.workbook.sheet import Sheet
from docgen.form.model import shorthand_columns
from docgen.form.tree import Column, Table
from docgen.io.xlsx_grid import Book, Grid
from docgen.writers.xlsx.form import ORDER_HEADER

HEADER_SEARCH_ROWS = 15  # the header is looked for this far down (docgen writes it in row 4)


@lru_cache(maxsize=256)
def shorthand_parts(table: Table) -> frozenset[Column]:
    """The columns a `show` column of numbers carries (项目数 and 单项金额 in 项目数及单项金额)."""
    return frozenset(part for level in table.levels() for _, _, parts in shorthand_columns(level) for part in parts)


@lru_cache(maxsize=256)
def own_columns(table: Table) -> tuple[Column, ...]:
    """docgen's own workbook columns: entered, not printed alone, carried by no `show` column."""
    parts = shorthand_parts(table)
    return tuple(c for c in table.columns() if c.type.entered and not c.printed and c not in parts)


def host_of(column: Column) -> Column | None:
    """The column whose cell a column is printed inside (经费安排's `note: estimate`), if any."""
    return next((c for c in column.parent.columns if c.definition.note == column.key), None)


@lru_cache(maxsize=256)
def sheet_columns(table: Table) -> tuple[Column, ...]:
    """Every column a table's sheet may have: the printed ones, then docgen's own."""
    return (*table.printed(), *own_columns(table))


@lru_cache(maxsize=256)
def header_names(table: Table) -> dict[str, Column]:
    """Header words → column: titles first, then titles without their gloss and aliases."""
    out: dict[str, Column] = {}
    for column in sheet_columns(table):
        out.setdefault(header_words(column.title), column)
    for column in sheet_columns(table):
        for word in (column.short_title, *column.definition.aliases):
            out.setdefault(header_words(word), column)
    return out


def sheet_name(table: Table) -> str:
    return f"表{table.number}"


def find_sheet(book: Book, table: Table) -> Grid | None:
    """The table's sheet: 表{number}, else the sheet whose title rows hold the table's title."""
    if (grid := book.grids.get(sheet_name(table))) is not None:
        return grid
    title = squash(table.definition.title)
    for grid in book.grids.values():
        if any(isinstance(v, str) and squash(v) == title for (r, _), v in grid.values.items() if r <= 3):
            return grid
    return None


@dataclass
class Layout:
    """A table's header row, the sheet column of each of its columns, and docgen's hidden order column."""

    header_row: int
    columns: dict[Column, int]
    order_col: int | None


def find_layout(sheet: Sheet, table: Table, problems: list[Problem]) -> Layout | None:
    """The header row (the first that names most printed columns) and every column's place; None, with the
    problem, when the header lacks a column or has one the form does not know."""
    names = header_names(table)
    printed = table.printed()
    enough = min(len(printed), max(3, len(printed) - 2))
    for r in range(1, min(sheet.max_row, HEADER_SEARCH_ROWS) + 1):
        found: dict[Column, int] = {}
        order_col: int | None = None
        for c in range(1, sheet.max_col + 1):
            words = header_words(cell_text(sheet.own(r, c)))
            column = names.get(words)
            if column is not None and column not in found:
                found[column] = c
            elif words == squash(ORDER_HEADER):
                order_col = c
        if sum(1 for column in printed if column in found) < enough:
            continue
        needed = [c for c in printed if c not in found and (c.type.entered or c.definition.show)]
        if needed:
            missing = "”“".join(c.title for c in needed)
            problems.append(Problem(f"表头缺少列“{missing}”；请使用 docgen 生成的征集表", sheet.at(r, 1)))
            return None
        if unknown := _unknown_headers(sheet, r, {*found.values(), order_col}):
            # a column the form does not have is never dropped in silence: its cells would be lost
            known = "、".join(c.title for c in printed)
            for c, text in unknown:
                problems.append(
                    Problem(
                        f"表头“{text}”不是征集表{table.label[1:]}的列，这一列的内容无法导入；可用的列：{known}。"
                        "请删除这一列，或改用征集表中的列名",
                        sheet.at(r, c),
                    )
                )
            return None
        return Layout(r, found, order_col)
    titles = "、".join(c.title for c in printed)
    problems.append(Problem(f"找不到表头（{titles}）；请使用 docgen 生成的征集表", At(sheet.name)))
    return None


def _unknown_headers(sheet: Sheet, r: int, known: set[int | None]) -> list[tuple[int, str]]:
    """The header cells of row r that name no column of the form: (column, text as written)."""
    out = []
    for c in range(1, sheet.max_col + 1):
        text = cell_text(sheet.own(r, c)).strip()
        if c not in known and text:
            out.append((c, text))
    return out


__all__ = [
    "Layout",
    "find_layout",
    "find_sheet",
    "header_names",
    "host_of",
    "own_columns",
    "sheet_columns",
    "sheet_name",
    "shorthand_parts",
]
