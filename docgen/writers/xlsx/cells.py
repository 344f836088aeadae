"""Spreadsheet cells every docgen workbook writes the same way: text that is never a formula, exact amounts."""

from __future__ import annotations

import math
from decimal import Decimal

from openpyxl.cell.cell import Cell

from docgen.standard.metrics import is_wide

FORMULA_START = ("=", "+", "-", "@")
AMOUNT_FORMAT = "0.00"
MAX_ROW_HEIGHT = 409.0  # Excel's limit (points)


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


# --- sizes: Excel and LibreOffice keep a written row height and never fit wrapped text themselves ------


def char_units(ch: str, size: float) -> float:
    """Width of one character in Excel column units (the default font's '0' ≈ 7 px)."""
    px = size * 96 / 72
    return (px if is_wide(ch) else px * 0.55) / 7


def text_lines(text: str, width: float, size: float) -> int:
    """How many lines `text` wraps to in a cell `width` units wide."""
    usable = max(width - 1.2, 1.0)
    total = 0
    for para in text.split("\n"):
        units = sum(char_units(ch, size) for ch in para)
        total += max(1, math.ceil(units / usable))
    return total


def row_height(lines: int, size: float) -> float:
    """Points for `lines` lines of `size`-point text, with the cell's padding."""
    return lines * size * 1.4 + 6


def unit_on_its_own_line(title: str, width: float, size: float) -> str:
    """A title that wraps and ends in a bracketed unit is broken before it, as "经费安排" / "（万元）":
    Excel and LibreOffice would otherwise leave the "）" alone on the second line."""
    at = title.rfind("（")
    if at > 0 and title.endswith("）") and text_lines(title, width, size) > 1:
        return title[:at] + "\n" + title[at:]
    return title
