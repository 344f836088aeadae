"""A workbook cell's value as the submission holds it: text exactly as typed, numbers and dates by docgen.models.values.

A spreadsheet gives numbers as int or binary float, dates as datetime, and whatever a clerk typed as
text ("１５０.００ 万元", "2023年5月25日"). This module only turns a cell into what the clerk wrote
(a float's shortest decimal, a date in ISO order, the unit word dropped); whether it is a good amount,
count or date is decided by `parse_amount`, `parse_count` and `parse_date`, the rules a YAML file is
held to. A refusal is a `CellError` with the importer's Chinese sentence (the caller adds the cell).
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from decimal import Decimal
from typing import Any

from docgen.io import limits
from docgen.models.values import ValueProblem, parse_amount, parse_count, parse_date
from docgen.standard.text import clean_text

_SPACE = re.compile(r"\s+")
_UNIT_WORD = re.compile(r"\s*(万元|万)\s*$")
_CN_DATE = re.compile(r"^(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日?$")
_DOTTED_DATE = re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[ T]00:00(?::00)?)?$")
SHOWN = 24  # characters of a long value repeated in a message


class CellError(ValueError):
    """A cell that cannot be what its column asks: the Chinese sentence, without the place."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def squash(text: str) -> str:
    """Drop all white space: how printed, line-broken cells compare with the form's words."""
    return _SPACE.sub("", text)


def header_words(text: str) -> str:
    """A header as compared with titles: no white space, half-width brackets as the form writes them."""
    return squash(text).replace("(", "（").replace(")", "）")


def cell_text(value: Any) -> str:
    """A cell as text, exactly (numbers as typed: 83112345, 1.5; dates ISO)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float):
        return repr(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return clean_text(value)


def is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def shortened(text: str) -> str:
    return text if len(text) <= SHOWN else text[:SHOWN] + "…"


def _typed_number(value: Any) -> Any:
    """What the clerk typed into a number cell: a float's decimal (binary noise below a cent dropped), text
    without 万元 and with full-width digits as ASCII."""
    if isinstance(value, float):
        if not math.isfinite(value):
            return "nan"
        rounded = round(value, 2)
        return Decimal(repr(rounded)) if abs(value - rounded) <= 1e-9 else Decimal(repr(value))
    if isinstance(value, str):
        return _UNIT_WORD.sub("", unicodedata.normalize("NFKC", value).strip())
    return value


def read_amount(value: Any, what: str, unit: str = "万元") -> Decimal:
    """An amount cell → Decimal by the submission's rule (whole amounts without decimals: 150.00 → 150)."""
    if isinstance(value, bool):
        raise CellError(f"{what}应为数字，不能是“是/否”")
    try:
        number = parse_amount(_typed_number(value))
    except ValueProblem as exc:
        raise CellError(_amount_words(exc, what, value, unit)) from None
    return number.quantize(Decimal(1)) if number == number.to_integral_value() else number


def _amount_words(exc: ValueProblem, what: str, value: Any, unit: str) -> str:
    """Why a cell is not an amount, quoting it as typed (text as it stands, a number as the cell shows it)."""
    typed = value if isinstance(value, str) else cell_text(value)
    if exc.code == "amount-comma":
        # "60,5" may mean 60.5 or 605, "1,2,0" nothing at all: never guess a budget.
        return f"{what}“{typed}”含逗号；金额不要用逗号或千位分隔符，小数点用“.”，例如 60.5 或 1200"
    if exc.code == "decimal-places":
        return f"{what}“{typed}”最多保留两位小数（单位：{unit}）"
    if exc.code == "negative-amount":
        return f"{what}“{cell_text(value)}”不能为负数"
    if exc.code == "amount-max" or exc.message == "数字过长":
        big = f"{value:g}" if isinstance(value, float) else cell_text(value)[:SHOWN]
        return f"{what}“{big}”过大，金额不能超过 {limits.MAX_AMOUNT:,} {unit}"
    return f"{what}“{shortened(typed)}”不是数字，应填写金额（{unit}），例如 120 或 60.5"


def read_count(value: Any, what: str) -> int:
    """A count cell → int by the submission's rule (a whole number from 1)."""
    if isinstance(value, bool):
        raise CellError(f"{what}应为数字，不能是“是/否”")
    shown = cell_text(value)
    typed = _typed_number(value)
    if isinstance(typed, Decimal) and typed == typed.to_integral_value():
        typed = int(typed)
    try:
        return parse_count(typed)
    except ValueProblem as exc:
        if exc.code == "count-max" or exc.message == "数字过长":
            raise CellError(f"{what}“{shortened(shown)}”过大，最多 {limits.MAX_COUNT:,}") from None
        raise CellError(f"{what}“{shortened(shown)}”应为正整数，例如 4") from None


def read_date(value: Any, what: str) -> dt.date:
    """A date cell (a spreadsheet date, 2023年5月26日, 2023-05-26, 2023/5/26) → date by the submission's rule."""
    text = cell_text(value)
    if isinstance(value, dt.datetime) and value.time() == dt.time():
        value = value.date()
    if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
        plain = unicodedata.normalize("NFKC", text).strip()
        m = _CN_DATE.match(plain) or _DOTTED_DATE.match(plain)
        value = f"{m.group(1)}-{m.group(2)}-{m.group(3)}" if m else plain
    try:
        return parse_date(value)
    except ValueProblem:
        raise CellError(f"{what}“{shortened(text)}”无法识别；应写成 2023年5月26日 或 2023-05-26") from None


__all__ = [
    "SHOWN",
    "CellError",
    "cell_text",
    "header_words",
    "is_blank",
    "read_amount",
    "read_count",
    "read_date",
    "shortened",
    "squash",
]
