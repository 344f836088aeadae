"""Pydantic errors → Chinese diagnostics, one translator for every document kind.

A document describes its models with a ``Schema`` (which model sits at a YAML path, which tags
pydantic puts in a path, the keys allowed, the choices of a literal); ``report`` turns one
pydantic error into a Diagnostic on a ``Collector`` with file, line and a YAML path such as
``retained[1].projects[0]`` or ``body[0].heading`` — never pydantic's own internals.
Used by docgen.check.submission and docgen.check.notice.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from docgen.io.source import Path_, Source
from docgen.models.diagnostics import Diagnostic, format_path
from docgen.models.submission import field_title


def _keys(model: type[BaseModel]) -> list[str]:
    return list(model.model_fields)


def _no_choices(loc: tuple) -> str:
    return ""


@dataclass(frozen=True)
class Schema:
    """How one document kind's models map onto its YAML paths."""

    model_for: Callable[[tuple, Any], type[BaseModel] | None]
    clean_loc: Callable[[tuple], tuple] = tuple
    allowed_keys: Callable[[type[BaseModel]], list[str]] = _keys
    choices: Callable[[tuple], str] = _no_choices


class Collector:
    """Diagnostics of one source, each with its line (from the YAML path)."""

    def __init__(self, source: Source):
        self.source = source
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
            )
        )

    def error(self, code: str, path: Path_, message: str, hint: str = "", english: str = "") -> None:
        self.add("error", code, path, message, hint, english)

    def warn(self, code: str, path: Path_, message: str, hint: str = "", english: str = "") -> None:
        self.add("warning", code, path, message, hint, english)


TYPE_HINTS = {
    "string_type": ("应为文本", "expected text"),
    "int_type": ("应为整数", "expected an integer"),
    "float_type": ("应为数字", "expected a number"),
    "float_parsing": ("应为数字", "expected a number"),
    "bool_type": ("应为 true 或 false", "expected true or false"),
    "bool_parsing": ("应为 true 或 false", "expected true or false"),
    "int_parsing": ("应为整数", "expected an integer"),
    "int_from_float": ("应为整数，不能有小数", "expected a whole number"),
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
    """How a message names the value at ``path``: ``key（中文名）`` or 第N项."""
    if not path:
        return "文件"
    model = schema.model_for(path[:-1], data)
    key = path[-1]
    if isinstance(key, int):
        return f"第{key + 1}项"
    return f"{key}（{field_title(model, key)}）" if model else str(key)


def report(err: Any, data: Any, col: Collector, schema: Schema) -> None:
    """One pydantic error as a Chinese diagnostic on the collector, its path in YAML terms."""
    loc = schema.clean_loc(tuple(err["loc"]))
    kind = err["type"]
    value = err.get("input")
    ctx = err.get("ctx") or {}
    what = title(loc, data, schema)
    if kind == "extra_forbidden":
        model = schema.model_for(loc[:-1], data)
        allowed = schema.allowed_keys(model) if model else []
        guess = difflib.get_close_matches(str(loc[-1]), allowed, n=1, cutoff=0.6)
        hint = f"是否应为“{guess[0]}”？" if guess else ""
        hint += f"此处可用的键：{'、'.join(allowed)}。" if allowed else ""
        col.error("unknown-key", loc, f"未知的键“{loc[-1]}”。", hint, "unknown key")
    elif kind == "missing":
        col.error("missing", loc, f"缺少必填项 {what}。", "请补上这一项。", "missing required value")
    elif kind == "string_too_short":
        col.error("missing", loc, f"{what} 不能为空。", "请填写内容。", "required value is empty")
    elif kind == "too_short":
        col.error("missing", loc, f"{what} 至少需要一项。", "请至少列出一个项目。", "at least one item required")
    elif kind == "greater_than" and loc and loc[-1] == "count":
        col.error(
            "count", loc, f"项目数应为正整数，现为 {value}。", "请填写 1 或更大的整数。", "count must be positive"
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
    elif kind == "literal_error":
        choices = schema.choices(loc) or ctx.get("expected", "")
        col.error("wrong-type", loc, f"{what} 的值“{value}”不可用。", f"应为以下之一：{choices}。", "value not allowed")
    elif kind == "value_error":
        msg = str(ctx.get("error", err.get("msg", "")))
        col.error("wrong-type", loc, f"{what}：{msg}。", english="invalid value")  # never pydantic's wording
    else:
        zh, en = TYPE_HINTS.get(kind, (err.get("msg", ""), kind))
        shown = (
            "空值" if value is None else f"“{value}”" if not isinstance(value, (dict, list)) else type(value).__name__
        )
        col.error("wrong-type", loc, f"{what} 的值 {shown} 类型不对：{zh}。", english=en)
