"""A workbook's problems and notes, each with its sheet, its cell and a Chinese message (never re-parsed from text).

A `Problem` is also the line a clerk reads (``表一!F7: 没有填写拟设置项目``): it is a ``str`` of exactly
that text, so a command prints it as it is, while validate and the service take the sheet, the cell
and the message from its fields.
"""

from __future__ import annotations

from dataclasses import dataclass

from openpyxl.utils import get_column_letter


@dataclass(frozen=True)
class At:
    """A place in a workbook: a sheet and a cell (F7) or a range (D5:D6); the sheet alone when no cell is meant."""

    sheet: str
    cell: str = ""

    @classmethod
    def of(cls, sheet: str, row: int, col: int, last_row: int | None = None, last_col: int | None = None) -> At:
        """The cell (row, col), 1-based; a range when it ends elsewhere."""
        first = f"{get_column_letter(col)}{row}"
        end_row, end_col = last_row or row, last_col or col
        if (end_row, end_col) == (row, col):
            return cls(sheet, first)
        return cls(sheet, f"{first}:{get_column_letter(end_col)}{end_row}")

    def __str__(self) -> str:
        return f"{self.sheet}!{self.cell}" if self.cell else self.sheet


class Problem(str):
    """One problem (or note) of a workbook: its text as printed, and where it is.

    `cell` is ``表一!F7`` (or a range ``表二!D5:D6``) when a cell is meant; `sheet` alone names a whole
    sheet (``表一``), `file` the whole workbook. `message` is the Chinese sentence without the place.
    """

    sheet: str
    cell: str
    file: str
    message: str

    def __new__(cls, message: str, at: At | None = None, file: str = "") -> Problem:
        sheet = at.sheet if at is not None else ""
        cell = str(at) if at is not None and at.cell else ""
        where = cell or sheet or file
        self = super().__new__(cls, f"{where}: {message}" if where else message)
        self.sheet, self.cell, self.file, self.message = sheet, cell, file, message
        return self

    def __reduce__(self) -> tuple:
        at = At(self.sheet, self.cell.partition("!")[2]) if self.sheet else None
        return (Problem, (self.message, at, self.file))

    @property
    def located(self) -> str:
        """The message as a report with a separate cell column shows it: the sheet or file kept in front
        when no cell names the place (``表一: 超过 3000 行…``)."""
        return self.message if self.cell else str(self)


__all__ = ["At", "Problem"]
