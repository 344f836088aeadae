"""A form year as inputs name it (`form: 2024`, `form_tables: 2024`): four digits, checked before it is used."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any

from pydantic import BeforeValidator
from pydantic_core import PydanticCustomError

FIRST, LAST = 1000, 9999  # four digits: a year that names data/forms/YEAR.yaml


def is_form_year(value: object) -> bool:
    """Whether ``value`` (an int, or digits as text) could name a form: four digits at most, so a file
    name and a message can always hold it (a 5,000-digit int cannot even be printed)."""
    if isinstance(value, str):
        text = value.strip()
        return text.isdigit() and len(text) <= len(str(LAST)) and int(text) >= FIRST
    return isinstance(value, int) and not isinstance(value, bool) and FIRST <= value <= LAST


def _year(value: Any) -> Any:
    # a number beyond four digits is refused before pydantic makes an int of it: 1e5000 is integral,
    # and the int it makes has too many digits for Python to print it (or name a file with it)
    if isinstance(value, (int, Decimal)) and not isinstance(value, bool):
        if isinstance(value, Decimal) and not value.is_finite():
            return value  # pydantic says what is wrong with it
        if not FIRST <= value <= LAST:
            raise PydanticCustomError("year_range", "应为四位数的年份，例如 2024")
    return value


FormYear = Annotated[int, BeforeValidator(_year)]
"""An int field holding a form year; a number outside 1000–9999 is a Chinese error."""


def year_named(data: object) -> int | None:
    """The form year an input names (``form: 2025`` or ``form: "2025"``), else None (also for a number no
    year can be: 4,301 digits would pass ``isdigit`` and make ``int()`` and ``str()`` raise)."""
    year = data.get("form") if isinstance(data, dict) else None
    if isinstance(year, str) and year.strip().isdigit() and len(year.strip()) <= 6:
        return int(year)
    return year if isinstance(year, int) and not isinstance(year, bool) and 0 <= year < 10**6 else None
