"""The one set of value parsers: amounts, counts, dates and texts as the submission, the importer and the page read them.

The annotated types (``Amount``, ``Count``, ``Day``, ``Text``, ``Required``, ``Name``) are what every
generated submission model uses; ``parse_amount``/``parse_count``/``parse_date`` apply the very same
rules to a single value outside a model (a workbook cell, a form's example) and raise ``ValueProblem``.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, Field, TypeAdapter, ValidationError
from pydantic_core import PydanticCustomError

from docgen.io import limits
from docgen.io.yaml_reader import LongNumber
from docgen.models.diagnostics import printable

# Full-width digits, point and signs (a Chinese input method's ４、１２．５、－) read as their ASCII forms.
_NUMBER_CHARS = str.maketrans("０１２３４５６７８９．－＋\u2212", "0123456789.-+-")
_DECIMAL_TEXT = re.compile(r"^[-+]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][-+]?[0-9]+)?$")
# Characters that print as nothing: a text made only of these (and spaces) is not filled in.
_INVISIBLE = re.compile("[\\s\u3000\u00a0\u200b-\u200f\u2028-\u202f\u205f-\u206f\ufeff\x00-\x1f\x7f-\x9f]+")


def _problem(kind: str, message: str, context: dict[str, Any] | None = None) -> PydanticCustomError:
    """A custom validation error whose context (the user's text) can always be rendered (no lone surrogates)."""
    safe = {k: printable(v) if isinstance(v, str) else v for k, v in (context or {}).items()}
    return PydanticCustomError(kind, message, safe)


def _number(value: Any) -> Any:
    """Amounts and counts: exact decimals from digits as written; booleans, commas and hex refused."""
    # YAML turns yes/no into booleans; never let True count as 1 万元.
    if isinstance(value, bool):
        raise _problem("number_bool", "应为数字，不能是是/否（布尔值）")
    if isinstance(value, LongNumber):
        raise _problem("number_too_long", "数字过长")
    source = getattr(value, "source", None)
    if source is not None and not _DECIMAL_TEXT.match(source.replace("_", "")):
        raise _problem("number_format", "应写成十进制数字，例如 30 或 12.5（现为“{text}”）", {"text": source})
    if isinstance(value, float):
        # Only reachable from Python callers: keep the shortest repr, not the binary value.
        return Decimal(repr(value))
    if isinstance(value, str):
        text = value.strip().translate(_NUMBER_CHARS)
        if "," in text or "，" in text:
            raise _problem("amount_comma", "“{text}”中有逗号", {"text": value.strip()})
        if len(text) > limits.MAX_NUMBER_DIGITS:
            raise _problem("number_too_long", "数字过长")
        return text
    if isinstance(value, Decimal):
        return Decimal(value)
    if isinstance(value, int):
        return int(value)
    return value


def _no_minus_zero(value: Decimal) -> Decimal:
    # -0 is zero: print it as 0.00, never -0.00.
    return value + 0 if value.is_zero() else value


def _text(value: Any) -> Any:
    """Free text: an empty value (`remarks:`) is an empty cell; a number keeps the text it was written as."""
    if value is None:
        return ""
    source = getattr(value, "source", None)
    if source is not None:
        return source  # 075526543210, 020, 60.50: exactly as typed
    return value


def _name(value: Any) -> Any:
    """A name from a list (类型, 地市, 单位, 预设项目): a number there is a slip, not a name."""
    if isinstance(value, (int, Decimal, float)) and not isinstance(value, bool):
        raise _problem("text_expected", "应为文本，现为数字 {text}", {"text": getattr(value, "source", value)})
    return _text(value)


def _filled(value: str) -> str:
    if not _INVISIBLE.sub("", value):
        raise _problem("blank", "未填写")
    return value


def is_blank(value: Any) -> bool:
    """True for None and for text made only of spaces, 　, control or zero-width characters."""
    return value is None or (isinstance(value, str) and not _INVISIBLE.sub("", value))


def _list(value: Any) -> Any:
    return [] if value is None else value


_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_DATE_TIME = re.compile(r"^\d{4}-\d{1,2}-\d{1,2}(?:[Tt ]|\s*[Zz+-]\d|\s*[Zz]$)")


def _date(value: Any) -> Any:
    """填报日期 as YYYY-MM-DD: a real calendar day, without a time or a zone."""
    if isinstance(value, dt.datetime):
        raise _problem("date_time", "只写日期，不带时间或时区")
    if isinstance(value, dt.date):
        return value
    if isinstance(value, bool) or value is None:
        raise _problem("date_format", "日期应写成 YYYY-MM-DD，例如 2023-05-26")
    text = str(getattr(value, "source", value)).strip().translate(_NUMBER_CHARS)
    if re.fullmatch(r"\d{8}", text):
        raise _problem(
            "date_format",
            "日期应写成 YYYY-MM-DD，例如 2023-05-26（现为 {text}，是否应为 {guess}？）",
            {"text": text, "guess": f"{text[:4]}-{text[4:6]}-{text[6:]}"},
        )
    if _DATE_TIME.match(text):
        raise _problem("date_time", "只写日期，不带时间或时区（现为 {text}）", {"text": text})
    m = _DATE.match(text)
    if not m:
        raise _problem("date_format", "日期应写成 YYYY-MM-DD，例如 2023-05-26（现为“{text}”）", {"text": text[:40]})
    try:
        return dt.date(int(m[1]), int(m[2]), int(m[3]))
    except ValueError:
        raise _problem("date_impossible", "{text} 不是实际存在的日期", {"text": text}) from None


Amount = Annotated[
    Decimal,
    BeforeValidator(_number),
    Field(ge=0, le=limits.MAX_AMOUNT, decimal_places=2, allow_inf_nan=False),
    AfterValidator(_no_minus_zero),
]
Count = Annotated[int, BeforeValidator(_number), Field(gt=0, le=limits.MAX_COUNT)]
Text = Annotated[str, BeforeValidator(_text), Field(max_length=limits.MAX_TEXT_CHARS)]
Required = Annotated[str, BeforeValidator(_text), Field(max_length=limits.MAX_TEXT_CHARS), AfterValidator(_filled)]
Name = Annotated[str, BeforeValidator(_name), Field(max_length=limits.MAX_TEXT_CHARS), AfterValidator(_filled)]
Day = Annotated[dt.date, BeforeValidator(_date)]

_QTY = re.compile(r"^\s*(\d+)\s*[*×＊xX]\s*([0-9]+(?:\.[0-9]+)?)\s*$")


def parse_quantity(text: str) -> tuple[int, Decimal] | None:
    """'4*30', '4×30', '4＊30' → (4, Decimal('30')); None if not of that shape; ValueError (Chinese) for
    a count too long to be one (int() of 5,000 digits raised Python's English "Exceeds the limit")."""
    m = _QTY.match(str(text).translate(_NUMBER_CHARS))
    if m and len(m.group(1)) > limits.MAX_NUMBER_DIGITS:
        raise ValueError(f"项目数过长（{len(m.group(1)):,} 位），项目数最多 {limits.MAX_NUMBER_DIGITS} 位")
    return (int(m.group(1)), Decimal(m.group(2))) if m else None


def format_quantity(count: int, unit_amount: Decimal) -> str:
    """The form's 项目数及单项金额 notation: count*unit_amount, amounts without trailing zeros."""
    return f"{count}*{format_plain(unit_amount)}"


def format_plain(amount: Decimal) -> str:
    """30 → '30', 12.50 → '12.5' (exact, no exponent)."""
    text = format(amount.normalize(), "f")
    return text


class ValueProblem(ValueError):
    """A single value that breaks its type's rule: a stable code and a Chinese message."""

    def __init__(self, code: str, message: str):
        self.code = code
        self.message = message
        super().__init__(message)


# pydantic's constraint errors in the words the submission's messages use (docgen.check.translate).
_CONSTRAINTS = {
    "greater_than_equal": ("negative-amount", "不能为负数"),
    "greater_than": ("count", "应为正整数"),
    "less_than_equal": ("amount-max", "超过上限"),
    "decimal_max_places": ("decimal-places", "最多保留两位小数"),
    "amount_comma": ("amount-comma", "金额中有逗号：小数点请用“.”，千位之间不要加逗号"),
}
_ADAPTERS: dict[str, TypeAdapter[Any]] = {
    "amount": TypeAdapter(Amount),
    "count": TypeAdapter(Count),
    "date": TypeAdapter(Day),
}


def _parse(kind: str, value: Any) -> Any:
    try:
        return _ADAPTERS[kind].validate_python(value)
    except ValidationError as exc:
        err = exc.errors(include_url=False)[0]
        code, text = _CONSTRAINTS.get(err["type"], ("wrong-type", ""))
        if err["type"] in ("greater_than", "less_than_equal") and kind == "count":
            code = "count" if err["type"] == "greater_than" else "count-max"
        raise ValueProblem(code, text or str(err.get("msg", ""))) from None


def parse_amount(value: Any) -> Decimal:
    """An amount in 万元 by the submission's rule: ≥ 0, ≤ limits.MAX_AMOUNT, at most 2 places, no commas."""
    return _parse("amount", value)


def parse_count(value: Any) -> int:
    """A count by the submission's rule: an integer from 1 to limits.MAX_COUNT."""
    return _parse("count", value)


def parse_date(value: Any) -> dt.date:
    """A date YYYY-MM-DD that exists, without a time or a zone."""
    return _parse("date", value)
