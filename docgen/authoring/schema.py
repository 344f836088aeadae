"""JSON Schema of a submission, with the form's Chinese names as titles and its vocabularies as enums."""

from __future__ import annotations

import json
from typing import Any

from docgen.form.legacy import form_for
from docgen.models.form import Form
from docgen.models.submission import Submission

SCHEMA_ID = "https://docgen.invalid/schema/submission.schema.json"


def submission_schema(form: Form | None = None) -> dict[str, Any]:
    """The schema editors use to complete and check a submission (YAML via yaml-language-server)."""
    form = form or form_for()
    schema = Submission.model_json_schema(mode="validation")
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = f"{form.title}（填报文件）"
    schema["description"] = f"对{form.notice_number}的填报：附件1的四张表。金额单位：{form.amount_unit}。"
    defs = schema.get("$defs", {})
    props = schema["properties"]
    props["form"]["enum"] = [form.year]
    props["city"] = {"title": props["city"].get("title", "所在地市"), "enum": list(form.cities)}

    def names(table_key: str) -> list[str]:
        out: list[str] = []
        for cid in form.table(table_key).categories:
            cat = form.category(cid)
            out += [cat.name, *cat.variants]
        return out

    # WorkItem serves tables （一） and （三） (same seven categories); OwnDelegated table （四）.
    defs["WorkItem"]["properties"]["category"]["enum"] = names("retained")
    defs["OwnDelegated"]["properties"]["category"]["enum"] = names("delegated")
    defs["PresetRef"]["properties"]["preset"]["enum"] = [p.name for p in form.presets]
    # quantity is accepted as shorthand for count*unit_amount.
    proj = defs["Project"]
    proj["properties"]["quantity"] = {
        "type": "string",
        "title": "项目数及单项金额（如 4*30）",
        "pattern": r"^\s*\d+\s*[*×＊xX]\s*\d+(\.\d{1,2})?\s*$",
    }
    proj["required"] = ["name"]
    proj["anyOf"] = [{"required": ["count", "unit_amount"]}, {"required": ["quantity"]}]
    _fix_amounts(schema)
    return schema


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
