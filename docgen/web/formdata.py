"""The form as the filing page's script needs it, from the form's tree alone: tables, levels, columns, presets, expressions.

The page (static/filing.js) builds every field, sum and live check from this JSON; nothing in the page
knows a table or column key. Formulas and checks are the expression module's own trees (``to_json``), so
the page works out the very same expression that validate does; messages are the form's own templates,
split into text and fields.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from docgen.form.aliases import CONTACT_TITLES, ENVELOPE_TITLES, PRESET_KEY
from docgen.form.definition import PresetDef
from docgen.form.errors import row_message
from docgen.form.expression import Binary, Neg, Node, Num, Ref, Round, Sum, template_parts, to_json, walk
from docgen.form.tree import Column, Form, Level, Table
from docgen.io import limits
from docgen.models.values import format_plain

_NUMERALS = "零一二三四五六七八九十"
_COMPARE = {"==", "!=", "<", "<=", ">", ">="}


@lru_cache(maxsize=16)
def page_form(form: Form) -> dict[str, Any]:
    """JSON for the page (cached per built form: a changed file builds a new Form, so a new entry)."""
    return {
        "id": form.id,
        "year": form.year,
        "title": form.title,
        "notice_number": form.notice_number,
        "deadline": form.deadline.isoformat(),
        "amount_unit": form.amount_unit,
        "units": units(form),
        "header": {
            "unit": ENVELOPE_TITLES["unit"],
            "date": ENVELOPE_TITLES["date"],
            "contact_name": CONTACT_TITLES["name"],
            "contact_phone": CONTACT_TITLES["phone"],
        },
        "all_tables": all_tables(len(form.tables)),
        "preset_key": PRESET_KEY,
        "limits": {"amount_max": str(limits.MAX_AMOUNT), "count_max": limits.MAX_COUNT},
        "tables": [_table(form, t) for t in form.tables],
    }


def all_tables(count: int) -> str:
    """What the grand total sums, in words: 全部四张表合计 (one table: 合计)."""
    if count <= 1:
        return "合计"
    word = "两" if count == 2 else _NUMERALS[count] if count <= 10 else str(count)
    return f"全部{word}张表合计"


def units(form: Form) -> list[dict[str, Any]]:
    return [u.model_dump() for u in form.units]


# --- a table ------------------------------------------------------------------------------------


def _table(form: Form, table: Table) -> dict[str, Any]:
    d = table.definition
    named = table.column("name")  # the column that names a preset (as the checker and the aliases read it)
    main = next((c for c in table.columns() if c.definition.total), None)
    example = d.example_rows.model_dump() if d.example_rows else {}
    return {
        "key": table.key,
        "number": d.number,
        "label": table.label,
        "title": d.title,
        "subtitle": d.subtitle,
        "level": _level(form, table.level),
        # the table's 合计 is its first summed column's (as the printed tables and the summary count it)
        "total": _column_ref(main) if main else None,
        "totals": [_column_ref(c) for c in table.columns() if c.definition.total],
        # a new row of the unit's own starts with the example texts the form prints for such a row
        "prefill": {k: v for k, v in example.items() if isinstance(v, str) and table.level.column(k)},
        "presets": [_preset(form, table, p) for p in table.presets],
        "preset_fixes": list(table.preset_fixes()) if table.presets else [],
        "preset_label": named.title if named else "预设项目",
        "preset_named": named.key if named else None,
        "preset_by": _preset_group(table),
    }


def _column_ref(column: Column) -> dict[str, Any]:
    return {
        "key": column.key,
        "level": column.parent.key,
        "title": column.short_title,
        "type": column.type.name,
    }


def _level(form: Form, level: Level) -> dict[str, Any]:
    return {
        "key": level.key,
        "title": level.title,
        "word": level.word,
        "min": level.min,
        "columns": [_column(form, level, c) for c in level.columns],
        "child": _level(form, level.child) if level.child is not None else None,
    }


def _column(form: Form, level: Level, column: Column) -> dict[str, Any]:
    d = column.definition
    kind = column.type.name
    money = kind in ("amount", "computed")
    return {
        "key": column.key,
        "title": column.title,
        "short": column.short_title,
        # an amount's label carries the form's unit, as 经费安排（万元） does in print
        "label": f"{column.title}（{form.amount_unit}）" if money and "（" not in column.title else column.title,
        "type": kind,
        "entered": column.type.entered,
        "numeric": column.type.numeric,
        "money": money,
        "required": d.required,
        "unique": d.unique,
        "list": d.choices,
        "choices": [c.name for c in column.choices] if kind == "choice" else None,
        "total": d.total,
        "show": d.show,
        "print": d.print,
        "placeholder": list(d.placeholder),
        "formula": to_json(column.formula) if column.formula is not None else None,
        "zero": _zero(form, column),
        "check": _check(form, level, column),
    }


def _zero(form: Form, column: Column) -> dict[str, Any] | None:
    """A computed column that divides: what validate says when the divisor is 0, in the form's words."""
    if column.formula is None or not any(isinstance(n, Binary) and n.op == "/" for n in walk(column.formula)):
        return None
    message, hint, _ = row_message(form.definition.messages, "division-by-zero", title=column.title)
    return {"code": "division-by-zero", "message": message, "hint": hint}


def _check(form: Form, level: Level, column: Column) -> dict[str, Any] | None:
    """A column's check with its message and hint as templates, and what the page shows beside the field."""
    if column.check is None:
        return None
    d = column.definition
    other = _other_side(column.check, column.key)
    return {
        "expr": to_json(column.check),
        "code": d.code or "check-failed",
        "message": _template(d.message or ""),
        "hint": _template(d.hint or ""),
        # `budget == sum(projects.subtotal)`: the page shows 各项目“项目数×单项金额”之和 live beside 经费安排
        "other": to_json(other) if other is not None else None,
        "other_words": _words(other, level) if other is not None else "",
    }


def _template(text: str) -> list[Any]:
    """A message template as text and fields: {"expr": tree, "working": bool} for each {…}."""
    return [p if isinstance(p, str) else {"expr": to_json(p[0]), "working": p[1]} for p in template_parts(text)]


def _other_side(check: Node, key: str) -> Node | None:
    """In a check comparing the column itself with an expression, that expression."""
    if isinstance(check, Binary) and check.op in _COMPARE:
        if isinstance(check.left, Ref) and check.left.key == key:
            return check.right
        if isinstance(check.right, Ref) and check.right.key == key:
            return check.left
    return None


def _words(node: Node, level: Level) -> str:
    """An expression said in the form's titles: sum(projects.subtotal) → 各项目“项目数×单项金额”之和."""
    if isinstance(node, Num):
        return format_plain(node.value)
    if isinstance(node, Ref):
        column = level.column(node.key)
        if column is None:
            return node.key
        return _words(column.formula, level) if column.formula is not None else column.short_title
    if isinstance(node, Sum):
        child = level.child
        if child is None:
            return node.key
        # 各 + how a sub-row is counted: 个项目 → 各项目, 条明细 → 各条明细
        return f"各{child.word.removeprefix('个')}“{_words(Ref(node.key, node.pos), child)}”之和"
    if isinstance(node, Round):
        return f"{_words(node.arg, level)}（保留{node.places}位小数）"
    if isinstance(node, Neg):
        return f"-{_wrapped(node.arg, level, True)}"
    symbol = {"*": "×", "/": "÷"}.get(node.op, f" {node.op} ")
    tight = node.op in ("*", "/")
    return f"{_wrapped(node.left, level, tight)}{symbol}{_wrapped(node.right, level, tight)}"


def _wrapped(node: Node, level: Level, tight: bool) -> str:
    """Brackets round a sum inside a product: (a + b)×c."""
    inner = node
    if isinstance(node, Ref) and (column := level.column(node.key)) is not None and column.formula is not None:
        inner = column.formula
    text = _words(node, level)
    loose = isinstance(inner, Binary) and inner.op in ("+", "-")
    return f"({text})" if tight and loose else text


# --- presets ------------------------------------------------------------------------------------


def _preset(form: Form, table: Table, preset: PresetDef) -> dict[str, Any]:
    """A preset row: its id, its label (what a submission names it by) and its cells as printed."""
    values = preset.values()
    printed: dict[str, str] = {}
    for key, value in values.items():
        column = table.column(key)
        if column is not None and column.definition.choices:  # a choice by its id → its name
            choice = form.choice(column.definition.choices, str(value))
            value = choice.name if choice is not None else value
        printed[key] = "" if value is None else str(value)
    return {"id": preset.id, "label": str(values.get("name", preset.id)), "values": printed}


def _preset_group(table: Table) -> str | None:
    """The choice column the page groups the presets by (the first a preset fixes), else none."""
    for key in table.preset_fixes() if table.presets else ():
        column = table.column(key)
        if column is not None and column.type.name == "choice":
            return key
    return None
