"""The pydantic model of a submission to a form, generated from its tree (pydantic ``create_model``).

The header (form, unit, unit_kind, city, contact, date) is the submission contract's own; then one
list per table, whose rows have a field per entered column (``Required``/``Text``/``Name``/``Amount``/
``Count``/``Day`` of docgen.models.values, so every form reads values by the same rules) and a list per
sub-row level. A table with presets takes either a row of the unit's own or one naming a preset
(``preset:`` and only what the preset leaves open). A `show` column of two numbers (``{count}*{unit_amount}``)
is accepted as shorthand for them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Discriminator, Field, Tag, create_model, model_validator

from docgen.form import aliases as words
from docgen.form.aliases import ENVELOPE_TITLES, PRESET_KEY, preset_title
from docgen.form.tree import Column, Form, Level, Table
from docgen.io import limits
from docgen.io.source import value_at
from docgen.models.envelope import Contact, UnitKind
from docgen.models.values import (
    _NUMBER_CHARS,
    Amount,
    Count,
    Day,
    Name,
    Required,
    Text,
    _list,
    _name,
)
from docgen.models.year import FormRef

_CONFIG = ConfigDict(extra="forbid", coerce_numbers_to_str=True, str_strip_whitespace=False)
_PATTERN = {"count": r"(\d+)", "amount": r"([0-9]+(?:\.[0-9]+)?)"}
_EXAMPLE = {"count": "4", "amount": "30"}
_TIMES = "*×＊xX"


class _Row(BaseModel):
    model_config = _CONFIG


def _annotation(column: Column) -> tuple[Any, Any]:
    """(type, default) of an entered column's field."""
    kind, required, title = column.type.name, column.definition.required, column.title
    if kind == "amount":
        return (Amount, Field(title=title)) if required else (Amount | None, Field(None, title=title))
    if kind == "count":
        return (Count, Field(title=title)) if required else (Count | None, Field(None, title=title))
    if kind == "date":
        return (Day, Field(title=title)) if required else (Day | None, Field(None, title=title))
    if kind == "choice":
        if required:
            return Name, Field(title=title)
        return Annotated[str, BeforeValidator(_name), Field(max_length=limits.MAX_TEXT_CHARS)], Field("", title=title)
    return (Required, Field(title=title)) if required else (Text, Field("", title=title))


def shorthand_columns(level: Level) -> list[tuple[Column, re.Pattern[str], tuple[Column, ...]]]:
    """The show columns of numbers joined by *, accepted as input: (column, pattern, the columns it fills)."""
    out = []
    for column in level.columns:
        show = column.definition.show
        keys = re.findall(r"\{(\w+)\}", show or "")
        parts = [level.column(k) for k in keys]
        if show is None or not parts or any(p is None or p.type.name not in _PATTERN for p in parts):
            continue
        literal = re.split(r"\{\w+\}", show)
        if any(lit.strip() not in ("", "*") for lit in literal) or len(parts) != 2:
            continue
        pattern = rf"^\s*{_PATTERN[parts[0].type.name]}\s*[{_TIMES}]\s*{_PATTERN[parts[1].type.name]}\s*$"  # type: ignore[union-attr]
        out.append((column, re.compile(pattern), tuple(p for p in parts if p is not None)))
    return out


def _shorthand_validator(level: Level) -> Any:
    rules = shorthand_columns(level)
    if not rules:
        return None

    def split(cls: type[BaseModel], data: Any) -> Any:
        for column, pattern, parts in rules:
            if isinstance(data, dict) and column.key in data:
                data = dict(data)
                m = pattern.match(str(data.pop(column.key)).translate(_NUMBER_CHARS))
                if m is None:
                    shape = "*".join(p.short_title for p in parts)
                    example = "*".join(_EXAMPLE[p.type.name] for p in parts)
                    raise ValueError(f"{column.title}应写成“{shape}”，例如 {example}")
                for part, text in zip(parts, m.groups(), strict=True):
                    if part.type.name == "count" and len(text) > limits.MAX_NUMBER_DIGITS:  # int() would raise
                        raise ValueError(
                            f"{part.short_title}过长（{len(text):,} 位），最多 {limits.MAX_NUMBER_DIGITS} 位"
                        )
                    data.setdefault(part.key, int(text) if part.type.name == "count" else Decimal(text))
        return data

    return model_validator(mode="before")(classmethod(split))  # type: ignore[arg-type]


@dataclass
class Models:
    """The generated models of one form: the submission's, and each row's with the keys it accepts."""

    submission: type[BaseModel]
    rows: dict[tuple[str, str | None, str], type[BaseModel]] = field(
        default_factory=dict
    )  # (table, rows key, own|preset)
    words: dict[type[BaseModel], dict[str, str]] = field(default_factory=dict)  # Chinese titles → keys, per model
    shorthand: dict[type[BaseModel], list[str]] = field(default_factory=dict)  # show columns accepted as input

    def candidates(self, model: type[BaseModel] | None) -> dict[str, str]:
        """Every key a mapping of `model` accepts, English and Chinese, → the form's key."""
        if model is None:
            return {}
        table = {k: k for k in self.allowed(model)}
        table.update(self.words.get(model, {}))
        return table

    def allowed(self, model: type[BaseModel]) -> list[str]:
        """The English keys of a mapping (its fields, then the show columns it accepts as shorthand)."""
        return [*model.model_fields, *self.shorthand.get(model, [])]


def _level_model(level: Level, name: str, out: Models | None = None) -> type[BaseModel]:
    fields: dict[str, Any] = {c.key: _annotation(c) for c in level.entered()}
    if level.child is not None and level.child.key:
        child = _level_model(level.child, f"{name}_{level.child.key}", out)
        rows = Annotated[list[child], Field(min_length=level.child.min, max_length=limits.MAX_ROWS)]  # type: ignore[valid-type]
        fields[level.child.key] = (rows, Field(title=level.child.title))
    validators = {}
    if (shorthand := _shorthand_validator(level)) is not None:
        validators["_shorthand"] = shorthand
    model: type[BaseModel] = create_model(name, __base__=_Row, __validators__=validators, **fields)
    model.__doc__ = f"A row of {level.parent.label}" + (f" ({level.key})" if level.key else "")
    if out is not None:
        out.rows[(level.parent.key, level.key, "own")] = model
        out.words[model] = words.level(level)
        out.shorthand[model] = [c.key for c, _, _ in shorthand_columns(level)]
    return model


def _preset_model(table: Table, name: str, out: Models | None = None) -> type[BaseModel]:
    fixed = table.preset_fixes()
    fields: dict[str, Any] = {PRESET_KEY: (Name, Field(title=preset_title(table)))}
    for column in table.columns():
        if column.type.entered and column.key not in fixed:
            fields[column.key] = _annotation(column)
    for key in fixed:
        given = table.column(key)
        title = f"{given.title if given else key}（由预设项目给出）"
        fields[key] = (str | None, Field(None, title=title))
    model: type[BaseModel] = create_model(name, __base__=_Row, **fields)
    model.__doc__ = f"A row of {table.label} naming a preset"
    if out is not None:
        out.rows[(table.key, None, "preset")] = model
        out.words[model] = words.preset_row(table)
    return model


def _row_kind(value: Any) -> str:
    if isinstance(value, dict):
        return "preset" if PRESET_KEY in value else "own"
    return "preset" if PRESET_KEY in type(value).model_fields else "own"


def row_type(table: Table, out: Models | None = None) -> Any:
    """The type of one row of a table: its level's model, or the union of own and preset rows."""
    own = _level_model(table.level, f"{table.key}_row", out)
    if not table.presets:
        return own
    preset = _preset_model(table, f"{table.key}_preset", out)
    return Annotated[Annotated[preset, Tag("preset")] | Annotated[own, Tag("own")], Discriminator(_row_kind)]


def submission_model(form: Form) -> type[BaseModel]:
    """The generated pydantic model of a submission to this form (cached per built form)."""
    return models(form).submission


@lru_cache(maxsize=16)
def models(form: Form) -> Models:
    """Every generated model of a form (cached per built form)."""
    t = ENVELOPE_TITLES
    fields: dict[str, Any] = {
        "form": (FormRef, Field(title=t["form"])),  # a year (2024) or a form id ("2025-fuwu-jigou")
        "unit": (Name, Field(title=t["unit"])),
        "unit_kind": (UnitKind, Field(title=t["unit_kind"])),
        "city": (Annotated[str | None, BeforeValidator(_name)], Field(None, title=t["city"])),
        "contact": (Contact, Field(title=t["contact"])),
        "date": (Day, Field(title=t["date"])),
    }
    out = Models(BaseModel)
    for table in form.tables:
        rows = Annotated[list[row_type(table, out)], BeforeValidator(_list), Field(max_length=limits.MAX_ROWS)]  # type: ignore[misc,valid-type]
        fields[table.key] = (rows, Field(default_factory=list, title=table.title))
    model: type[BaseModel] = create_model(f"Submission_{form.id}", __base__=_Row, **fields)
    model.__doc__ = f"A submission to form {form.id}"
    out.submission = model
    out.words[model] = words.envelope(form)
    out.words[Contact] = words.contact()
    return out


def model_at(form: Form, path: tuple[Any, ...], data: Any) -> type[BaseModel] | None:
    """Which generated model describes the mapping at `path` of a submission (for key lists and titles)."""
    found = models(form)
    if not path:
        return found.submission
    if path == ("contact",):
        return Contact
    table = form.table(path[0]) if isinstance(path[0], str) else None
    if table is None or not isinstance(path[-1], int) or len(path) not in (2, 4):
        return None
    if len(path) == 2:
        row = value_at(data, path)
        preset = table.presets and isinstance(row, dict) and PRESET_KEY in row
        return found.rows.get((table.key, None, "preset" if preset else "own"))
    child = table.level.child
    if child is None or path[2] != child.key:
        return None
    return found.rows.get((table.key, child.key, "own"))
