"""Spreadsheet cells every docgen workbook writes the same way: text that is never a formula, exact amounts."""

from __future__ import annotations

from decimal import Decimal

from openpyxl.cell.cell import Cell

FORMULA_START = ("=", "+", "-", "@")
AMOUNT_FORMAT = "0.00"


def set_text(cell: Cell, text: str) -> None:
    """A string cell that never becomes a formula, whatever it starts with."""
    cell.value = text
    cell.data_type = "s"
    if text.startswith(FORMULA_START):
        cell.quotePrefix = True


def set_amount(cell: Cell, amount: Decimal) -> None:
    """A numeric cell holding exactly the decimal digits.

    openpyxl prints every number with "%.16g" of its float, so 0.07 is stored as 0.07000000000000001;
    openpyxl offers no public way to write a number's text, so the digits are put where its writer
    reads the value (the one private attribute docgen touches, in this one place).
    """
    cell.value = amount  # data_type "n"
    cell._value = format((amount + 0).normalize(), "f") if amount.is_finite() else "0"  # + 0: never "-0"
    cell.number_format = AMOUNT_FORMAT
