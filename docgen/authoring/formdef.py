"""Authoring a form definition: its JSON Schema, a new year's copy of an old form, every problem of a form file."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from docgen.form.builder import Built, build
from docgen.form.catalog import built, catalog
from docgen.form.definition import FormDef
from docgen.form.errors import FormProblem
from docgen.io.source import SourceError, parse

SCHEMA_ID = "https://docgen.invalid/schema/form.schema.json"
_YEAR = re.compile(r"^(\d{4})")


def form_schema() -> dict[str, Any]:
    """The JSON Schema of a form definition (data/forms/*.yaml); docgen's own keys carry ``x-docgen: true``."""
    schema = FormDef.model_json_schema(mode="validation")
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = SCHEMA_ID
    schema["title"] = "征集表定义（docgen 表单定义）"
    schema["description"] = (
        "一份征集表：表、列（text、amount、count、date、choice、computed、seq）、子行（rows）、选项列表、预设行。"
        "契约见 spec form.md；标有 x-docgen 的键是 docgen 自己的（列宽、消息用词、示例行等）。"
        " Keys marked x-docgen are docgen's own; the rest are the form contract's."
    )
    _mark_docgen(schema)
    return schema


def _mark_docgen(node: Any) -> None:
    if isinstance(node, dict):
        props = node.get("properties")
        if isinstance(props, dict):
            for prop in props.values():
                if isinstance(prop, dict) and str(prop.get("description", "")).startswith("docgen:"):
                    prop["x-docgen"] = True
        for value in node.values():
            _mark_docgen(value)
    elif isinstance(node, list):
        for value in node:
            _mark_docgen(value)


def form_schema_json() -> str:
    return json.dumps(form_schema(), ensure_ascii=False, indent=2, sort_keys=True) + "\n"


class NewFormError(ValueError):
    """A new form cannot be made as asked (Chinese message)."""


def new_form_text(new_id: str, old_id: str) -> tuple[str, int, int]:
    """The old form's file with its year moved on: (text, old year, new year). Comments and order are kept.

    The year comes from the new id (``2025`` or ``2025-fuwu-jigou``); every ``2024年`` in titles and texts,
    the ``year:`` and the deadline move by the same number of years. What only the province knows (the
    notice's number, new presets) is left to edit; the copy is checked before it is written.
    """
    old_path = catalog().path(old_id)
    if old_path is None:
        raise NewFormError(f"没有编号为“{old_id}”的征集表；可用：{'、'.join(catalog().ids())}。")
    old = built(old_path, old_id)
    if old.form is None:
        raise NewFormError(f"征集表“{old_id}”本身有 {len(old.problems)} 处问题，请先用 docgen form check 修正。")
    match = _YEAR.match(new_id)
    if not match:
        raise NewFormError(f"新征集表的编号应以年度开头，例如 2025 或 2025-fuwu-jigou（现为“{new_id}”）。")
    before, after = old.form.definition.year, int(match.group(1))
    text = old_path.read_text("utf-8")
    text = re.sub(rf"^year: {before}\b", f"year: {after}", text, count=1, flags=re.M)
    text = text.replace(f"{before}年", f"{after}年")
    deadline = old.form.definition.deadline
    try:
        moved = deadline.replace(year=deadline.year + after - before)
    except ValueError:  # 29 February into a common year
        moved = deadline.replace(year=deadline.year + after - before, day=28)
    text = re.sub(rf"^deadline: {deadline.isoformat()}\b", f"deadline: {moved.isoformat()}", text, count=1, flags=re.M)
    note = (
        f"# {after}年度征集表：由 {old_id} 复制（docgen form new），年度与标题已改为 {after}。\n"
        "# 请核对 notice_number（文号）、deadline（截止日期）、预设项目和填写说明，然后运行 docgen form check。\n"
    )
    return note + text, before, after


def check_form_files(paths: list[Path]) -> list[Built]:
    """Every problem of each form file, by line (the id of a file is its stem)."""
    return [built(path) for path in paths]


def check_form_text(text: str, file: str, form_id: str) -> Built:
    """Every problem of a form given as text (a copy before it is written)."""
    try:
        return build(parse(text, file), form_id)
    except SourceError as exc:
        return Built(form_id, file, None, [FormProblem("form-syntax", file, exc.line, "（文件）", exc.message)])
