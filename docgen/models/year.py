"""The form an input names (`form: 2024`, `form: 2025-fuwu-jigou`, `form_tables: 2024`): checked before it is used.

A form's id is its file's stem. A number names a year's form and must be four digits (refused before
Python makes an int of 1e5000); any other text is an id, looked up in the catalog by the checker.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Annotated, Any

from pydantic import BeforeValidator, ValidatorFunctionWrapHandler, WrapValidator
from pydantic_core import PydanticCustomError

from docgen.io.yaml_reader import LongNumber
from docgen.models.values import _number

FIRST, LAST = 1000, 9999  # four digits: a year that names data/forms/YEAR.yaml
MAX_ID = 100  # characters of a form id (a file's stem): a file name and a message can always hold it
# An id as a file name may be: no white space, control characters or path separators.
_ID = re.compile(rf"[^\s/\\\x00-\x1f\x7f]{{1,{MAX_ID}}}")
# Text a person means as a number (full-width digits and point included): it names a year, never an id.
_NUMERIC = re.compile(r"[-+]?[0-9０-９]*[.．]?[0-9０-９]+(?:[eE][-+]?[0-9]+)?")
ID_MESSAGE = "应为征集表编号（征集表文件的文件名），例如 2024 或 2025-fuwu-jigou"


def is_form_year(value: object) -> bool:
    """Whether ``value`` (an int, or digits as text) could name a form: four digits at most, so a file
    name and a message can always hold it (a 5,000-digit int cannot even be printed)."""
    if isinstance(value, str):
        text = value.strip()
        return text.isdigit() and len(text) <= len(str(LAST)) and int(text) >= FIRST
    return isinstance(value, int) and not isinstance(value, bool) and FIRST <= value <= LAST


def is_form_id(value: object) -> bool:
    """Whether ``value`` is text that could be a form's id (a file stem of at most 100 characters)."""
    return isinstance(value, str) and not isinstance(value, LongNumber) and bool(_ID.fullmatch(value.strip()))


def form_words(form_id: str) -> str:
    """How a message names a form: 2024 年度的征集表 (an id of digits is a year), or 征集表“2025-fuwu-jigou”."""
    return f"{form_id} 年度的征集表" if form_id.isascii() and form_id.isdigit() else f"征集表“{form_id}”"


def form_named(data: object) -> str | None:
    """The id of the form an input names under ``form`` (``2025`` → "2025", "2025-fuwu-jigou" as written),
    else None: also for a number no year can be (4,301 digits pass ``isdigit`` and make ``int()`` and
    ``str()`` raise), so a caller never prints or looks up such a value."""
    value = data.get("form") if isinstance(data, dict) else None
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value) if 0 <= value < 10**6 else None
    if not isinstance(value, str) or isinstance(value, LongNumber):
        return None
    text = value.strip()
    if text.isdigit():
        return str(int(text)) if len(text) <= 6 else None
    return text if is_form_id(text) else None


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


def _reference(value: Any, handler: ValidatorFunctionWrapHandler) -> Any:
    # Text that is not a number is a form's id, kept as written; a number (or digits as text, 2024.0,
    # full-width ２０２４) goes on as a year, through the number rules and the four-digit check.
    if isinstance(value, str) and not isinstance(value, LongNumber) and not _NUMERIC.fullmatch(value.strip()):
        if not is_form_id(value):
            raise PydanticCustomError("form_id", ID_MESSAGE)
        return value.strip()
    if value is None or isinstance(value, (list, dict)):
        raise PydanticCustomError("form_id", ID_MESSAGE)
    return handler(value)


FormRef = Annotated[FormYear, BeforeValidator(_number), WrapValidator(_reference)]
"""A submission's ``form``: an int year (four digits, read by the amounts' number rules) or a form id as
text. Its JSON Schema stays the year's (each form's schema states its own value)."""
