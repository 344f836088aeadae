"""The words a submission or a workbook may use for a key: titles, titles without their gloss, `aliases`, 表（number）.

Plain dicts, one per context (pyxform's aliases): the envelope (the submission's own header keys),
a table level, a preset row. Built from the tree, so a renamed column keeps its old title as an alias
only when the form says so; built once per node (cached: callers must not change them).
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from types import MappingProxyType

from docgen.form.tree import Column, Form, Level, Table, short

ENVELOPE_TITLES: Mapping[str, str] = MappingProxyType(
    {
        "form": "征集表年度",
        "unit": "填报单位",
        "unit_kind": "填报单位类型",
        "city": "所在地市",
        "contact": "联系人及联系电话",
        "date": "填报日期",
    }
)
"""The submission's own header keys (spec submission.md, Top level) and their titles."""

ENVELOPE_WORDS: Mapping[str, str] = MappingProxyType({"年度": "form", "单位": "unit", "地市": "city"})
CONTACT_TITLES: Mapping[str, str] = MappingProxyType({"name": "联系人", "phone": "联系电话"})
PRESET_KEY = "preset"


def _words(key: str, title: str, aliases: tuple[str, ...] = ()) -> dict[str, str]:
    out = {title: key, short(title): key}
    out.update({a: key for a in aliases})
    return out


@lru_cache(maxsize=512)
def table_words(table: Table) -> dict[str, str]:
    """表（一）, 表一, the subtitle, 表（一）+subtitle and the table's aliases → its key."""
    d = table.definition
    out = {table.title: table.key, table.label: table.key, f"表{d.number}": table.key}
    if d.subtitle:
        out[d.subtitle] = table.key
    out.update({a: table.key for a in d.aliases})
    return out


@lru_cache(maxsize=512)
def envelope(form: Form) -> dict[str, str]:
    """The top level of a submission: header titles and every table's names → keys."""
    out: dict[str, str] = {}
    for key, title in ENVELOPE_TITLES.items():
        out.update(_words(key, title))
    for table in form.tables:
        out.update(table_words(table))
    out.update(ENVELOPE_WORDS)
    return out


def contact() -> dict[str, str]:
    return {title: key for key, title in CONTACT_TITLES.items()}


def column_words(column: Column) -> dict[str, str]:
    d = column.definition
    return _words(d.key, d.title, d.aliases)


@lru_cache(maxsize=512)
def level(level: Level) -> dict[str, str]:
    """A row of a level: its columns' titles and aliases, and its sub-rows' title → key."""
    out: dict[str, str] = {}
    for column in level.columns:
        if column.type.entered or column.definition.show:
            out.update(column_words(column))
    if level.child is not None and level.child.key:
        out.update(_words(level.child.key, level.child.title, level.child.aliases))
    return out


@lru_cache(maxsize=512)
def preset_title(table: Table) -> str:
    """The preset key's title: 预设项目（拟设置项目名称）, from the column that names a preset."""
    named = table.column("name")
    return f"预设项目（{named.title}名称）" if named else "预设项目"


@lru_cache(maxsize=512)
def preset_row(table: Table) -> dict[str, str]:
    """A row naming a preset: 预设项目 → preset, and the titles of what the preset leaves open.

    The keys a preset fixes keep only their English keys: their Chinese titles name the preset itself.
    """
    out = _words(PRESET_KEY, preset_title(table))
    fixed = set(table.preset_fixes())
    for column in table.columns():
        if column.type.entered and column.key not in fixed:
            out.update(column_words(column))
    return out
