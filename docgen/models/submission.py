"""The submission model: one unit's answer to the four tables of the form (the contract)."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    model_validator,
)
from pydantic_core import PydanticCustomError

from docgen.io import limits
from docgen.io.yaml_reader import LongNumber
from docgen.models.diagnostics import printable

UnitKind = Literal["city", "protection_center", "patent_office", "province_dept", "other"]

UNIT_KIND_TITLES = {
    "city": "地级以上市市场监管局",
    "protection_center": "省知识产权保护中心",
    "patent_office": "专利局广州代办处",
    "province_dept": "省局处室",
    "other": "其他单位",
}


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
    """'4*30', '4×30', '4＊30' → (4, Decimal('30')); None if not of that shape."""
    m = _QTY.match(str(text).translate(_NUMBER_CHARS))
    return (int(m.group(1)), Decimal(m.group(2))) if m else None


def format_quantity(count: int, unit_amount: Decimal) -> str:
    """The form's 项目数及单项金额 notation: count*unit_amount, amounts without trailing zeros."""
    return f"{count}*{format_plain(unit_amount)}"


def format_plain(amount: Decimal) -> str:
    """30 → '30', 12.50 → '12.5' (exact, no exponent)."""
    text = format(amount.normalize(), "f")
    return text


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", coerce_numbers_to_str=True, str_strip_whitespace=False)


class Contact(_Model):
    name: Required = Field(title="联系人")
    phone: Required = Field(title="联系电话")


class Project(_Model):
    """A project of tables （一） and （三）."""

    name: Required = Field(title="拟设置项目")
    count: Count = Field(title="项目数")
    unit_amount: Amount = Field(title="单项金额（万元）")
    necessity: Text = Field("", title="项目设置必要性")
    policy_basis: Text = Field("", title="项目设置政策依据")
    performance: Required = Field(title="项目绩效")
    remarks: Text = Field("", title="备注")

    @model_validator(mode="before")
    @classmethod
    def _quantity_shorthand(cls, data: Any) -> Any:
        # `quantity: "4*30"` is accepted as shorthand for count and unit_amount.
        if isinstance(data, dict) and "quantity" in data:
            data = dict(data)
            parsed = parse_quantity(data.pop("quantity"))
            if parsed is None:
                raise ValueError("项目数及单项金额应写成“项目数*单项金额”，例如 4*30")
            data.setdefault("count", parsed[0])
            data.setdefault("unit_amount", parsed[1])
        return data


class WorkItem(_Model):
    """A work item (主要工作内容) of tables （一） and （三） with its projects."""

    category: Name = Field(title="类型")
    work: Required = Field(title="主要工作内容")
    budget: Amount = Field(title="经费安排（万元）")
    estimate: Text = Field("", title="测算依据")
    projects: Annotated[list[Project], Field(min_length=1, max_length=limits.MAX_ROWS, title="拟设置项目")]


class Subsidy(_Model):
    """A row of table （二） 后补助资金."""

    work: Required = Field(title="主要工作内容")
    name: Required = Field(title="后补助名称")
    amount: Amount = Field(title="后补助经费（万元）")
    basis: Text = Field("", title="后补助依据")
    recipient: Text = Field("", title="后补助承接单位")
    performance: Required = Field(title="项目绩效")
    remarks: Text = Field("", title="备注")


class OwnProject(_Model):
    """A project of a unit's own row in table （四）."""

    name: Required = Field(title="拟设置项目")
    amount: Amount = Field(title="金额（万元）")
    necessity: Text = Field("", title="项目设置必要性")
    policy_basis: Text = Field("", title="项目设置政策依据")
    performance: Required = Field(title="项目绩效")
    remarks: Text = Field("", title="备注")


class OwnDelegated(_Model):
    """A unit's own work item in table （四）."""

    category: Name = Field(title="类型")
    work: Required = Field(title="主要工作内容")
    projects: Annotated[list[OwnProject], Field(min_length=1, max_length=limits.MAX_ROWS, title="拟设置项目")]


class PresetRef(_Model):
    """A reference to a row the province preset in table （四）."""

    preset: Name = Field(title="预设项目（拟设置项目名称）")
    amount: Amount = Field(title="金额（万元）")
    performance: Required = Field(title="项目绩效")
    remarks: Text = Field("", title="备注")
    # The preset supplies these; a unit may repeat them only unchanged.
    category: str | None = Field(None, title="类型（由预设项目给出）")
    work: str | None = Field(None, title="主要工作内容（由预设项目给出）")
    name: str | None = Field(None, title="拟设置项目（由预设项目给出）")
    necessity: str | None = Field(None, title="项目设置必要性（由预设项目给出）")
    policy_basis: str | None = Field(None, title="项目设置政策依据（由预设项目给出）")


PRESET_OWNED = ("category", "work", "name", "necessity", "policy_basis")


def _delegated_kind(value: Any) -> str:
    if isinstance(value, dict):
        return "preset" if "preset" in value else "own"
    return "preset" if isinstance(value, PresetRef) else "own"


Delegated = Annotated[
    Annotated[PresetRef, Tag("preset")] | Annotated[OwnDelegated, Tag("own")],
    Discriminator(_delegated_kind),
]


class Submission(_Model):
    """One unit's filing for one published form."""

    form: Annotated[int, BeforeValidator(_number)] = Field(title="征集表年度")
    unit: Name = Field(title="填报单位")
    unit_kind: UnitKind = Field(title="填报单位类型")
    city: Annotated[str | None, BeforeValidator(_name)] = Field(None, title="所在地市")
    contact: Contact = Field(title="联系人及联系电话")
    date: Day = Field(title="填报日期")
    retained: Annotated[list[WorkItem], BeforeValidator(_list), Field(max_length=limits.MAX_ROWS)] = Field(
        default_factory=list, title="表（一）保留省局部分"
    )
    post_subsidy: Annotated[list[Subsidy], BeforeValidator(_list), Field(max_length=limits.MAX_ROWS)] = Field(
        default_factory=list, title="表（二）后补助资金"
    )
    support: Annotated[list[WorkItem], BeforeValidator(_list), Field(max_length=limits.MAX_ROWS)] = Field(
        default_factory=list, title="表（三）支持专利代办处和省知识产权保护中心开展工作"
    )
    delegated: Annotated[list[Delegated], BeforeValidator(_list), Field(max_length=limits.MAX_ROWS)] = Field(
        default_factory=list, title="表（四）下放地市审批权限部分"
    )


def field_title(model: type[BaseModel], key: str) -> str:
    info = model.model_fields.get(key)
    return (info.title if info and info.title else key) if info else key
