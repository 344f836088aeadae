"""What each column type means, written once as frozen data (pyxform's question type dictionary)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, Literal

from docgen.models.values import parse_amount, parse_count, parse_date

Align = Literal["left", "center", "right"]


def _text(value: Any) -> str:
    return "" if value is None else str(getattr(value, "source", value))


@dataclass(frozen=True)
class ColumnType:
    """One column type: how a value is read, whether it is a number, how it prints and sums."""

    name: str
    parse: Callable[[Any], Any]  # the one parser (docgen.models.values); raises ValueProblem
    numeric: bool  # takes part in expressions as a number
    entered: bool  # the clerk types it (seq and computed are never entered)
    align: Align  # horizontal alignment in every output
    totals: bool  # may carry `total: true`
    number_format: str  # the spreadsheet cell's number format ("@" is text)


TYPES: Mapping[str, ColumnType] = MappingProxyType(
    {
        "text": ColumnType("text", _text, numeric=False, entered=True, align="left", totals=False, number_format="@"),
        "amount": ColumnType(
            "amount", parse_amount, numeric=True, entered=True, align="center", totals=True, number_format="0.00"
        ),
        "count": ColumnType(
            "count", parse_count, numeric=True, entered=True, align="center", totals=True, number_format="0"
        ),
        "date": ColumnType(
            "date", parse_date, numeric=False, entered=True, align="center", totals=False, number_format="yyyy-mm-dd"
        ),
        "choice": ColumnType(
            "choice", _text, numeric=False, entered=True, align="center", totals=False, number_format="@"
        ),
        "computed": ColumnType(
            "computed", parse_amount, numeric=True, entered=False, align="center", totals=True, number_format="0.00"
        ),
        "seq": ColumnType(
            "seq", parse_count, numeric=True, entered=False, align="center", totals=False, number_format="0"
        ),
    }
)
"""Every column type of the contract, by name."""

SHOW_ONLY = ColumnType("show", _text, numeric=False, entered=False, align="center", totals=False, number_format="@")
"""A column with `show` and no type: printed from other columns, never entered."""
