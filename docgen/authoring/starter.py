"""`docgen init`: a starter submission for one unit of any form, written from the form's tree.

Every table is an empty list with a commented example row under it: its entered columns in order
with an example value (a choice's first name, a number that satisfies the row's own check, the
column's title for a text), its sub-rows the same way, and for a table with presets a row naming
one. Removing the "# " before the example lines gives rows that validate. The presets a unit may
name are listed at the end of their table.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from decimal import Decimal
from typing import Any

import yaml

from docgen.authoring.wording import equals, titled
from docgen.form.aliases import PRESET_KEY
from docgen.form.definition import UnitDef
from docgen.form.expression import Scope, Sum, evaluate
from docgen.form.tree import Column, Form, Level, Table
from docgen.models.values import format_plain

_COUNT, _AMOUNT = 4, Decimal(30)  # the example numbers: 4 × 30
_COMMENT_AT = 33  # the column where an example line's comment starts (as far as plain text allows)


class UnknownUnit(ValueError):
    pass


def find_unit(form: Form, wanted: str) -> UnitDef:
    """A unit by id (guangzhou), full name, or city (广州市 / 广州)."""
    for u in form.units:
        if wanted in (u.id, u.name) or (u.city and wanted.rstrip("市") == u.city.rstrip("市")):
            return u
    listing = "、".join(f"{u.id}（{u.name}）" for u in form.units)
    raise UnknownUnit(f"找不到填报单位“{wanted}”。可用的单位：{listing}")


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def _scalar(value: Any) -> str:
    """A value as YAML reads it back unchanged: plain where that is safe, else quoted."""
    if isinstance(value, (int, Decimal)):
        return format_plain(Decimal(value))
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value)
    plain = ": " not in text and " #" not in text and "\n" not in text
    try:
        plain = plain and yaml.safe_load(text) == text
    except yaml.YAMLError:
        plain = False
    return text if plain else _quote(text)


def starter_yaml(form: Form, unit: UnitDef, today: dt.date | None = None) -> str:
    """The text of a starter submission: valid as it stands (empty, so one warning)."""
    day = today or min(dt.date.today(), form.deadline)
    d = form.definition
    rules = (
        f"按{d.notice_number}附件2《{d.instructions_title}》填写"
        if d.instructions_title
        else f"按{d.notice_number}填写"
    )
    lines = [
        f"# {form.title} — {unit.name} 填报文件",
        f"# {rules}；金额单位：{form.amount_unit}。",
        "# 检查：docgen validate 本文件；生成表格和PDF：docgen render 本文件",
        "# yaml-language-server: $schema=../../../build/schema/submission.schema.json",
        f"form: {form.year}",
        f"unit: {_quote(unit.name)}",
        f"unit_kind: {unit.kind}",
    ]
    if unit.city:
        lines.append(f"city: {unit.city}")
    lines += [
        "contact:",
        '  name: ""      # 联系人',
        '  phone: ""     # 联系电话',
        f"date: {day.isoformat()}   # 填报日期，截止 {form.deadline.isoformat()}",
        "",
        "# 每张表下面是一行注释掉的示例：删去各行开头的“# ”即可填写（保持缩进不变），可复制多份。",
        f"# 不要写成“{form.tables[0].key}: []”：[] 表示空列表，写在它下面的行会变成语法错误。" if form.tables else "",
    ]
    for table in form.tables:
        lines += ["", *_table_lines(table, day)]
    lines.append("")
    return "\n".join(lines)


def _table_lines(table: Table, day: dt.date) -> list[str]:
    """A table's key, its title, and its example rows commented out."""
    title = f"# {table.label}{table.definition.subtitle or table.definition.title}"
    if table.presets:
        title += "。引用省局预设项目（名称须与下列原文一致）或自行填写："
    lines = [title, f"{table.key}:"]
    if table.presets:
        lines += _example(_preset_example(table, day))
    lines += _example(_row_example(table.level, day))
    if table.presets:
        lines.append("# 可引用的预设项目：")
        lines += [f"#   {_preset_line(table, p.id, p.values())}" for p in table.presets]
    return lines


Example = list[tuple[str, Any, str]]  # (key, value or a list of sub-row examples, comment)


def _row_example(level: Level, day: dt.date) -> Example:
    """One example row of a level: every entered column, then its sub-rows (one example)."""
    values: dict[str, Any] = {c.key: _value(c, day) for c in level.entered()}
    child = level.child if level.child is not None and level.child.key else None
    children: list[Scope] = []
    sub: Example = []
    if child is not None:
        sub = _row_example(child, day)
        children = [Scope({k: v for k, v, _ in sub}, child.formulas())]
    scope = Scope(values, level.formulas(), {child.key: children} if child is not None and child.key else {})
    out: Example = []
    for column in level.entered():
        rhs = equals(column)
        if rhs is not None and isinstance(value := evaluate(rhs, scope), Decimal):
            values[column.key] = value  # the example satisfies the row's own check (经费安排 = Σ 项目数×单项金额)
        out.append((column.key, values[column.key], _comment(column, level)))
    if child is not None and child.key:
        out.append((child.key, [sub], ""))
    return out


def _preset_example(table: Table, day: dt.date) -> Example:
    """A row naming the table's first preset, with what the preset leaves open."""
    preset = table.presets[0]
    label = _label(table)
    out: Example = [(PRESET_KEY, str(preset.values().get(label, preset.id)), "")]
    fixed = table.preset_fixes()
    for column in table.columns():
        if column.type.entered and column.key not in fixed:
            out.append((column.key, _value(column, day), _comment(column, column.parent)))
    return out


def _value(column: Column, day: dt.date) -> Any:
    kind = column.type.name
    if kind == "choice":
        return column.choices[0].name if column.choices else column.short_title
    if kind == "count":
        return _COUNT
    if kind in ("amount", "computed"):
        return _AMOUNT
    if kind == "date":
        return day
    warn = column.definition.warn
    if "has-number" in warn:
        return f"可量化的{column.short_title}，如“不少于10家”"
    if "cites-document" in warn:
        return "《政策文件名》"
    return column.short_title if column.printed else f"{column.short_title}（可选）"


def _comment(column: Column, level: Level) -> str:
    """What a number or a choice means: its title (with the amount unit), its choices, what it must equal."""
    kind = column.type.name
    if kind == "choice":
        return f"{column.short_title}：{'、'.join(c.name for c in column.choices)}"
    if kind not in ("amount", "count", "date"):
        return ""
    unit = level.parent.parent.amount_unit
    text = column.title if kind != "amount" or "（" in column.title else f"{column.title}（{unit}）"
    rhs = equals(column)
    if rhs is not None:
        child = level.child
        if isinstance(rhs, Sum) and child is not None:
            text += f"= 各{child.title}“{titled(rhs, level)}”之和"
        else:
            text += f"= {titled(rhs, level)}"
    return text


def _example(rows: Example, depth: int = 0) -> list[str]:
    """An example row as commented YAML lines, indented as they must be once the "# " goes."""
    pad = "    " * depth
    lines: list[str] = []
    for n, (key, value, comment) in enumerate(rows):
        lead = f"  # {pad}- " if n == 0 else f"  # {pad}  "
        if isinstance(value, list):
            lines.append(f"{lead}{key}:")
            for sub in value:
                lines += _example(sub, depth + 1)
            continue
        line = f"{lead}{key}: {_scalar(value)}"
        gap = _COMMENT_AT + 2 - _width(line) if _width(line) <= _COMMENT_AT else 4
        lines.append(f"{line}{' ' * gap}# {comment}" if comment else line)
    return lines


def _width(text: str) -> int:
    """Columns a line takes in a monospaced editor (a Chinese character takes two)."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _label(table: Table) -> str:
    """The key whose text names a preset (拟设置项目's `name`), as the submission's `preset:` does."""
    fixed = table.preset_fixes()
    named = table.column("name")
    if named is not None and named.key in fixed:
        return named.key
    return next((c.key for c in table.columns() if c.key in fixed and c.type.name == "text"), "id")


def _preset_line(table: Table, pid: str, values: dict[str, Any]) -> str:
    """[its choice] its name    （也可写 preset: its id）."""
    shown = str(values.get(_label(table), pid)).replace("\n", " ")
    tags = []
    for column in table.columns():
        if column.choices and column.key in values:
            choice = next((c for c in column.choices if c.id == values[column.key]), None)
            tags.append(f"[{choice.name if choice else values[column.key]}] ")
    return f"{''.join(tags)}{shown}    （也可写 preset: {pid}）"


__all__ = ["UnknownUnit", "find_unit", "starter_yaml"]
