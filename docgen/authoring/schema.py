"""JSON Schema of a submission to any form, generated from its tree: titles, each column's own choices as enums, presets.

The generated pydantic model (docgen.form.model) gives the shape; each table's rows get their own
choice lists (表（三） never borrows 表（一）'s), a preset row the published names, a `show` column of
two numbers (项目数及单项金额 "4*30") its pattern as an alternative to the columns it fills.
"""

from __future__ import annotations

import json
from typing import Any

from docgen.form.loading import form_for
from docgen.form.model import models, shorthand_columns
from docgen.form.tree import Form

SCHEMA_ID = "https://docgen.invalid/schema/submission.schema.json"


def submission_schema(form: Form | None = None) -> dict[str, Any]:
    """The schema editors use to complete and check a submission (YAML via yaml-language-server)."""
    tree = form or form_for()
    found = models(tree)
    schema = found.submission.model_json_schema(mode="validation")
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = f"{tree.title}（填报文件）"
    schema["description"] = (
        f"对{tree.notice_number}的填报：附件1的{len(tree.tables)}张表。金额单位：{tree.amount_unit}。"
    )
    defs = schema.get("$defs", {})
    props = schema["properties"]
    props["form"]["enum"] = [tree.year]
    props["city"] = {"title": props["city"].get("title", "所在地市"), "enum": list(tree.cities)}
    for each in tree.tables:  # 表（一）保留省局部分, or 表（一）服务项目 for a table without a subtitle
        props[each.key]["title"] = each.label + (each.definition.subtitle or each.definition.title)
    for (table_key, level_key, kind), model in found.rows.items():
        table = tree.table(table_key)
        node = defs.get(model.__name__)
        if table is None or node is None:
            continue
        if kind == "preset":  # a preset by its published name
            names = [str(p.values().get("name", p.id)) for p in table.presets]
            node["properties"]["preset"]["enum"] = list(dict.fromkeys([*names, *(p.id for p in table.presets)]))
            continue
        level = table.level if level_key is None else table.level.child
        if level is None:
            continue
        for column in level.columns:  # each table its own choices (表（三） no longer borrows 表（一）'s)
            if column.choices and column.key in node["properties"]:
                node["properties"][column.key]["enum"] = [n for c in column.choices for n in (c.name, *c.variants)]
        for column, _, parts in shorthand_columns(level):  # e.g. quantity: "4*30" for count and unit_amount
            keys = [p.key for p in parts]
            numbers = [_SHORTHAND[p.type.name] for p in parts]
            node["properties"][column.key] = {
                "type": "string",
                "title": f"{column.title}（如 {'*'.join(n[1] for n in numbers)}）",
                "pattern": rf"^\s*{numbers[0][0]}\s*[*×＊xX]\s*{numbers[1][0]}\s*$",
            }
            node["required"] = [k for k in node.get("required", []) if k not in keys]
            node["anyOf"] = [{"required": keys}, {"required": [column.key]}]
    _fix_amounts(schema)
    return schema


_SHORTHAND = {"count": (r"\d+", "4"), "amount": (r"\d+(\.\d{1,2})?", "30")}  # a part's pattern and example
_AMOUNT = [
    {"type": "number", "minimum": 0},
    {"type": "string", "pattern": r"^\s*\d+(\.\d{1,2})?\s*$"},
]


def _fix_amounts(node: Any) -> None:
    """Pydantic leaves Decimal limits as non-standard keys; say them in JSON Schema terms."""
    if isinstance(node, dict):
        if "decimal_places" in node:
            for key in ("decimal_places", "ge", "anyOf"):
                node.pop(key, None)
            node["anyOf"] = _AMOUNT
        for value in node.values():
            _fix_amounts(value)
    elif isinstance(node, list):
        for value in node:
            _fix_amounts(value)


def schema_json(form: Form | None = None) -> str:
    return json.dumps(submission_schema(form), ensure_ascii=False, indent=2, sort_keys=True) + "\n"
