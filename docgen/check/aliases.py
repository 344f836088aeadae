"""Chinese keys: the form's column titles (类型, 主要工作内容, 单项金额 …) as aliases of the contract's keys."""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

from pydantic import BaseModel

from docgen.io.source import Path_, Source
from docgen.io.yaml_reader import Problem
from docgen.models.submission import (
    Contact,
    OwnDelegated,
    OwnProject,
    PresetRef,
    Project,
    Submission,
    Subsidy,
    WorkItem,
)

# Titles that are not a field's own title (the form's short names of the tables and of a few columns).
_EXTRA: dict[type[BaseModel], dict[str, str]] = {
    Submission: {
        "表（一）": "retained",
        "表一": "retained",
        "保留省局部分": "retained",
        "表（二）": "post_subsidy",
        "表二": "post_subsidy",
        "后补助资金": "post_subsidy",
        "表（三）": "support",
        "表三": "support",
        "支持专利代办处和省知识产权保护中心开展工作": "support",
        "表（四）": "delegated",
        "表四": "delegated",
        "下放地市审批权限部分": "delegated",
        "联系人及联系电话": "contact",
        "年度": "form",
        "单位": "unit",
        "地市": "city",
    },
    Project: {"项目数及单项金额": "quantity"},
    PresetRef: {"预设项目": "preset"},
    OwnProject: {"金额（万元）": "amount"},
}
_PARENTHESISED = re.compile(r"（[^）]*）$")


def _table(model: type[BaseModel]) -> dict[str, str]:
    out: dict[str, str] = {}
    for key, info in model.model_fields.items():
        if not info.title or (
            model is PresetRef and key != "preset" and key not in ("amount", "performance", "remarks")
        ):
            continue  # a preset's published fields keep their English keys: the Chinese titles name the preset
        out[info.title] = key
        out[_PARENTHESISED.sub("", info.title)] = key
    out.update(_EXTRA.get(model, {}))
    return out


ALIASES: dict[type[BaseModel], dict[str, str]] = {
    m: _table(m) for m in (Submission, Contact, WorkItem, Project, Subsidy, OwnDelegated, OwnProject, PresetRef)
}
_LISTS = {"retained": WorkItem, "support": WorkItem, "post_subsidy": Subsidy}


def _child(model: type[BaseModel], key: Any) -> Any:
    if model is Submission:
        if key == "contact":
            return Contact
        if key in _LISTS:
            return [_LISTS[key]]
        if key == "delegated":
            return ["delegated"]
    if model is WorkItem and key == "projects":
        return [Project]
    if model is OwnDelegated and key == "projects":
        return [OwnProject]
    return None


def _delegated_model(item: Any) -> type[BaseModel]:
    if isinstance(item, dict) and any(ALIASES[PresetRef].get(k, k) == "preset" for k in item if isinstance(k, str)):
        return PresetRef
    return OwnDelegated


def canonical(source: Source) -> Source:
    """The source with every Chinese key replaced by the contract's key, lines and problems moved along."""
    lines: dict[Path_, int] = {}
    moved: dict[Path_, Path_] = {}
    problems: list[Problem] = []

    def walk(value: Any, old: Path_, new: Path_, model: Any) -> Any:
        if old in source.lines:
            lines[new] = source.lines[old]
        moved[old] = new
        if isinstance(model, list) and isinstance(value, list):
            (inner,) = model
            return [
                walk(v, (*old, i), (*new, i), _delegated_model(v) if inner == "delegated" else inner)
                for i, v in enumerate(value)
            ]
        if isinstance(model, type) and isinstance(value, dict):
            table = ALIASES[model]
            out: dict[Any, Any] = {}
            written: dict[Any, Any] = {}
            for key, item in value.items():
                canon = table.get(key, key) if isinstance(key, str) else key
                if canon in out:
                    line = source.lines.get((*old, key), 1)
                    problems.append(
                        Problem(
                            "duplicate-key",
                            (*new, canon),
                            line,
                            f"“{key}”与“{written[canon]}”是同一项（{canon}），写了两次。",
                            "请删除其中一个。",
                        )
                    )
                    continue
                written[canon] = key
                out[canon] = walk(item, (*old, key), (*new, canon), _child(model, canon))
            return out
        if isinstance(value, (dict, list)) and old != new:  # below a value no model describes: lines as they are
            for path, line in source.lines.items():
                if path[: len(old)] == old and path != old:
                    lines[(*new, *path[len(old) :])] = line
        elif isinstance(value, (dict, list)):
            for path, line in source.lines.items():
                if path[: len(old)] == old:
                    lines.setdefault(path, line)
        return value

    if source.lines.get(()) is not None:
        lines[()] = source.lines[()]
    data = walk(source.data, (), (), Submission)
    kept = [replace(p, path=_move(p.path, moved)) for p in source.problems]
    return replace(source, data=data, lines=lines, problems=kept + problems)


def _move(path: Path_, moved: dict[Path_, Path_]) -> Path_:
    for n in range(len(path), -1, -1):
        if path[:n] in moved:
            return (*moved[path[:n]], *path[n:])
    return path


def key_candidates(model: type[BaseModel]) -> dict[str, str]:
    """Every key a mapping of `model` accepts, English and Chinese, → the contract's key."""
    table = {k: k for k in model.model_fields}
    if model is Project:
        table["quantity"] = "quantity"
    table.update(ALIASES.get(model, {}))
    return table
