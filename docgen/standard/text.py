"""Text and number formatting shared by every writer: cleaning, amounts, Chinese dates."""

from __future__ import annotations

import datetime as dt
import re
from decimal import ROUND_HALF_UP, Decimal

# XML 1.0 forbids C0 controls except tab/LF/CR, lone surrogates and U+FFFE/FFFF; DEL and C1
# controls are legal XML but invisible garbage in a printed form, so they go too.
_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


def clean_text(value: object) -> str:
    """User text made safe for XML, HTML and spreadsheets (escaping is each format's job)."""
    if value is None:
        return ""
    text = str(value).replace("\r\n", "\n").replace("\r", "\n").replace("\t", " ")
    return _FORBIDDEN.sub("", text)


def format_amount(amount: Decimal | None) -> str:
    """Amounts in 万元 with two decimals, as the XLSX `0.00` format shows them: 120 → '120.00'."""
    if amount is None:
        return ""
    if amount.is_zero():
        amount = abs(amount)  # −0 is printed 0.00
    return f"{amount.quantize(Decimal('0.01'), rounding=ROUND_HALF_UP):.2f}"


def format_date(day: dt.date) -> str:
    """GB/T 9704 dates: year in full, no leading zeros: 2023年5月24日."""
    return f"{day.year}年{day.month}月{day.day}日"


_SPACE = re.compile(r"\s+")


def squash(text: str) -> str:
    """Drop all white space: how printed, line-broken cells compare with data."""
    return _SPACE.sub("", text)
