"""Pydantic errors → Chinese diagnostics, one translator for every document kind.

A document describes its models with a ``Schema`` (which model sits at a YAML path, which tags
pydantic puts in a path, the keys allowed, the choices of a literal); ``report`` turns one
pydantic error into a Diagnostic on a ``Collector`` with file, line and a YAML path such as
``t[1].projects[0]`` (a table's key, then its rows) or ``body[0].heading`` — never pydantic's own internals.
Used by docgen.check.submission and docgen.check.notice.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from docgen.io import limits
from docgen.io.source import Path_, Source
from docgen.models.diagnostics import Diagnostic, format_path
from docgen.models.envelope import field_title


def _keys(model: type[BaseModel]) -> list[str]:
    return list(model.model_fields)


def _no_choices(loc: tuple) -> str:
    return ""


def short_title(model: type[BaseModel] | None, key: str) -> str:
    """A field's Chinese title without its trailing （…） gloss: 项目数, 经费安排."""
    text = field_title(model, key) if model else key
    return re.sub(r"（[^）]*）$", "", text) if text != key else key


def _close_key(model: type[BaseModel] | None, key: str, allowed: list[str]) -> tuple[str, str] | None:
    guess = difflib.get_close_matches(key, allowed, n=1, cutoff=0.6)
    return (guess[0], guess[0]) if guess else None


@dataclass(frozen=True)
class Schema:
    """How one document kind's models map onto its YAML paths."""

    model_for: Callable[[tuple, Any], type[BaseModel] | None]
    clean_loc: Callable[[tuple], tuple] = tuple
    allowed_keys: Callable[[type[BaseModel]], list[str]] = _keys
    choices: Callable[[tuple], str] = _no_choices
    # the closest accepted key to a misspelt one: (as the user would write it, the model's key)
    guess_key: Callable[[type[BaseModel] | None, str], tuple[str, str] | None] | None = None
    # the value type at a path (count, amount, date …) when the document's form says it; else known by key
    value_type: Callable[[tuple], str | None] | None = None


class Collector:
    """Diagnostics of one source, each with its line (from the YAML path)."""

    def __init__(self, source: Source, place: Callable[[Path_, Any], str] | None = None):
        self.source = source
        self.place = place  # how people name the position (表（一）第2项 …), if the kind has a way
        self.items: list[Diagnostic] = []

    def add(self, severity: str, code: str, path: Path_, message: str, hint: str = "", english: str = "") -> None:
        self.items.append(
            Diagnostic(
                severity=severity,  # type: ignore[arg-type]
                code=code,
                file=self.source.file,
                line=self.source.line_of(path),
                path=format_path(path),
                message=message,
                hint=hint,
                english=english,
                place=self.place(path, self.source.data) if self.place else "",
            )
        )

    def error(self, code: str, path: Path_, message: str, hint: str = "", english: str = "") -> None:
        self.add("error", code, path, message, hint, english)

    def warn(self, code: str, path: Path_, message: str, hint: str = "", english: str = "") -> None:
        self.add("warning", code, path, message, hint, english)


TYPE_HINTS = {
    "string_type": ("应为文本（如确是文字，请加引号）", "expected text"),
    "int_type": ("应为整数", "expected an integer"),
    "int_parsing": ("应为整数", "expected an integer"),
    "int_parsing_size": ("数字过长，不是有效的整数", "number too long"),  # pydantic's own words are English
    "year_range": ("应为四位数的年份，例如 2024", "expected a four-digit year"),
    "form_id": ("应为征集表编号（征集表文件的文件名），例如 2024 或 2025-fuwu-jigou", "expected a form id"),
    "int_from_float": ("应为整数，不能有小数", "expected a whole number"),
    "float_type": ("应为数字", "expected a number"),
    "float_parsing": ("应为数字", "expected a number"),
    "bool_type": ("应为 true 或 false", "expected true or false"),
    "bool_parsing": ("应为 true 或 false", "expected true or false"),
    "decimal_parsing": ("应为金额（万元），写成数字，例如 30 或 12.5", "expected an amount such as 30 or 12.5"),
    "decimal_type": ("应为金额（万元），写成数字，例如 30 或 12.5", "expected an amount such as 30 or 12.5"),
    "finite_number": ("金额必须是有限的数字", "expected a finite number"),
    "date_type": ("应为日期，格式 YYYY-MM-DD，例如 2023-05-26", "expected a date YYYY-MM-DD"),
    "date_parsing": ("应为日期，格式 YYYY-MM-DD，例如 2023-05-26", "expected a date YYYY-MM-DD"),
    "date_from_datetime_parsing": ("应为日期，格式 YYYY-MM-DD，例如 2023-05-26", "expected a date YYYY-MM-DD"),
    "date_from_datetime_inexact": ("应为日期，不要带时间", "expected a date without time"),
    "dict_type": ("应为键值对（映射），例如 name: …", "expected a mapping"),
    "model_type": ("应为键值对（映射），例如 name: …", "expected a mapping"),
    "model_attributes_type": ("应为键值对（映射），例如 name: …", "expected a mapping"),
    "list_type": ("应为列表（每项以“- ”开头）", "expected a list"),
    "union_tag_invalid": ("应为键值对（映射）", "expected a mapping"),
    "union_tag_not_found": ("应为键值对（映射）", "expected a mapping"),
}


def title(path: tuple, data: Any, schema: Schema) -> str:
    """How a message names the value at ``path``: ``中文名（key）`` or 第N项."""
    if not path:
        return "文件"
    model = schema.model_for(path[:-1], data)
    key = path[-1]
    if isinstance(key, int):
        return f"第{key + 1}项"
    short = short_title(model, key) if model else key
    return f"{short}（{key}）" if model and short != key else str(key)


def shown(value: Any) -> str:
    """A value as quoted in a message: never thousands of characters, never a Python repr of a list."""
    if value is None:
        return "空值"
    if isinstance(value, (dict, list)):
        return "键值对" if isinstance(value, dict) else "列表"
    text = str(getattr(value, "source", value))
    return f"“{text[:40]}…”（共 {len(text):,} 个字符）" if len(text) > 40 else f"“{text}”"


def report(err: Any, data: Any, col: Collector, schema: Schema) -> None:
    """One pydantic error as a Chinese diagnostic on the collector, its path in YAML terms."""
    loc = schema.clean_loc(tuple(err["loc"]))
    kind = err["type"]
    value = err.get("input")
    ctx = err.get("ctx") or {}
    what = title(loc, data, schema)
    model = schema.model_for(loc[:-1], data) if loc else None
    name = short_title(model, str(loc[-1])) if loc and not isinstance(loc[-1], int) else what
    typed = schema.value_type(loc) if schema.value_type and loc else None
    is_count = typed == "count" if typed else bool(loc) and loc[-1] == "count"
    if kind == "extra_forbidden":
        allowed = schema.allowed_keys(model) if model else []
        guess = (schema.guess_key or (lambda m, k: _close_key(m, k, allowed)))(model, str(loc[-1]))
        hint = f"是否应为“{guess[0]}”？" if guess else ""
        hint += f"此处可用的键：{'、'.join(allowed)}" if allowed else ""
        hint += ("（也可用征集表的列名）。" if schema.guess_key else "。") if allowed else ""
        col.error("unknown-key", loc, f"未知的键“{loc[-1]}”。", hint, "unknown key")
    elif kind == "missing":
        col.error("missing", loc, f"缺少必填项 {what}。", "请补上这一项。", "missing required value")
    elif kind in ("blank", "string_too_short"):
        col.error(
            "missing",
            loc,
            f"{name}未填写：{loc[-1] if loc else '文件'} 为空，或只有空格、不可见字符。",
            "请填写内容。",
            "required value is empty",
        )
    elif kind == "too_long" and isinstance(value, list):
        col.error(
            "too-many-rows",
            loc,
            f"{what} 有 {len(value):,} 行，超过上限 {limits.MAX_ROWS:,} 行。",
            "请分开报送，或合并相近的项目。",
            "too many rows",
        )
    elif kind == "too_short":
        col.error("missing", loc, f"{what} 至少需要一项。", "请至少列出一个项目。", "at least one item required")
    elif kind == "string_too_long" or (kind == "too_long" and isinstance(value, str)):
        col.error(
            "too-long",
            loc,
            f"{what} 共 {len(str(value)):,} 个字符，超过上限 {limits.MAX_TEXT_CHARS:,} 个字符"
            "（XLSX 单元格最多容纳 32,767 个字符，超出部分无法在所有格式中完整保存）。",
            "请精简内容，或把详细说明放在附件中。",
            "text longer than an XLSX cell holds",
        )
    elif kind == "greater_than" and is_count:
        col.error(
            "count", loc, f"{name}应为正整数，现为 {value}。", "请填写 1 或更大的整数。", "count must be positive"
        )
    elif kind == "less_than_equal":
        limit = limits.MAX_COUNT if is_count else limits.MAX_AMOUNT
        unit = "" if is_count else " 万元"
        col.error(
            "count-max" if unit == "" else "amount-max",
            loc,
            f"{what} 为 {shown(value)}，超过上限 {limit:,}{unit}。",
            "请检查是否多输入了数字（金额单位为万元）。",
            "value above the stated maximum",
        )
    elif kind == "greater_than_equal":
        col.error(
            "negative-amount",
            loc,
            f"{what} 不能为负数，现为 {value}。",
            "金额应为 0 或正数（万元）。",
            "amount must not be negative",
        )
    elif kind == "decimal_max_places":
        col.error(
            "decimal-places",
            loc,
            f"{what} 最多保留两位小数，现为 {value}。",
            "请四舍五入到两位小数（单位万元）。",
            "at most 2 decimal places",
        )
    elif kind == "amount_comma":
        col.error(
            "amount-comma",
            loc,
            f"{what}：金额“{ctx.get('text', value)}”中有逗号。",
            "小数点请用“.”（例如 60.5），千位之间不要加逗号（例如 1200）。",
            "comma in an amount",
        )
    elif kind in ("text_expected", "number_format", "number_bool", "number_too_long"):
        col.error(
            "wrong-type",
            loc,
            f"{what}：{err.get('msg', '')}。",
            "如确是文字，请加引号。" if kind == "text_expected" else "",
            kind.replace("_", " "),
        )
    elif kind.startswith("date_") and kind not in TYPE_HINTS:  # docgen's own date errors speak Chinese
        example = f"例如 {loc[-1] if loc and isinstance(loc[-1], str) else 'date'}: 2023-05-26。"
        col.error("date", loc, f"{what}：{err.get('msg', '')}。", example, "expected a date YYYY-MM-DD")
    elif kind == "literal_error":
        choices = schema.choices(loc) or ctx.get("expected", "")
        col.error(
            "wrong-type", loc, f"{what} 的值{shown(value)}不可用。", f"应为以下之一：{choices}。", "value not allowed"
        )
    elif kind == "value_error":
        msg = str(ctx.get("error", err.get("msg", "")))
        col.error("wrong-type", loc, f"{what}：{msg}。", english="invalid value")  # never pydantic's wording
    else:
        zh, en = TYPE_HINTS.get(kind, (err.get("msg", ""), kind))
        col.error("wrong-type", loc, f"{what} 的值 {shown(value)} 类型不对：{zh}。", english=en)
