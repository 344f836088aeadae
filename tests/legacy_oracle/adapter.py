"""The built form stated in the old flat shape (tests.legacy_oracle.form.Form), for the tests that compare with it
(``legacy(form)``, ``load_form``, ``legacy_submission``): docgen before the form engine read exactly this."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from docgen.form.loading import load
from docgen.form.tree import Form, Table
from tests.legacy_oracle import form as old
from tests.legacy_oracle.submission import OwnDelegated, OwnProject, PresetRef, Project, Submission, Subsidy, WorkItem

__all__ = ["NotLegacy", "legacy", "legacy_submission", "load_form"]

_LEGACY_KEYS = ("retained", "post_subsidy", "support", "delegated")


class NotLegacy(ValueError):
    """A form whose tables today's outputs cannot print yet (a table other than 2024's four)."""


def _kind(table: Table) -> str:
    if table.presets:
        return "delegated"
    return "work" if table.level.child is not None else "subsidy"


def _categories(table: Table) -> tuple[str, ...]:
    column = table.column("category")
    return tuple(c.id for c in column.choices) if column is not None else ()


def _table(table: Table) -> old.TableSpec:
    if table.key not in _LEGACY_KEYS:
        raise NotLegacy(
            f"表“{table.key}”（{table.label}）暂时还不能由现有的输出打印：可用的表键为 {'、'.join(_LEGACY_KEYS)}"
        )
    example = table.definition.example_rows
    return old.TableSpec(
        key=table.key,  # type: ignore[arg-type]
        number=table.number,
        title=table.definition.title,
        subtitle=table.definition.subtitle,
        kind=_kind(table),  # type: ignore[arg-type]
        categories=_categories(table),
        columns=tuple(
            old.Column(key=c.key, title=c.title, width=float(c.definition.width or 0)) for c in table.printed()
        ),
        placeholder=old.Placeholder(work=example.work, names=example.names) if example else None,
    )


def _presets(form: Form) -> tuple[old.Preset, ...]:
    out = []
    for table in form.tables:
        for p in table.presets:
            out.append(old.Preset(id=p.id, **{k: str(v) for k, v in p.values().items()}))
    return tuple(out)


@lru_cache(maxsize=16)
def legacy(form: Form) -> old.Form:
    """The form in today's shape (NotLegacy for tables today's outputs cannot print)."""
    d = form.definition
    return old.Form(
        year=d.year,
        notice_number=d.notice_number,
        title=d.title,
        attachment_title=d.attachment_title or d.title,
        deadline=d.deadline,
        amount_unit=d.amount_unit,
        categories=tuple(
            old.Category(id=c.id, name=c.name, variants=c.variants) for c in form.choices.get("categories", ())
        ),
        cities=tuple(c.name for c in form.choices.get(d.cities, ())),
        units=tuple(old.Unit(id=u.id, name=u.name, kind=u.kind, city=u.city) for u in d.units),
        tables=tuple(_table(t) for t in form.tables),
        presets=_presets(form),
        instructions_title=d.instructions_title,
        instructions=tuple(old.Instruction(number=i.number, title=i.title, text=i.text) for i in d.instructions),
    )


def load_form(year: int | str | Path, data_dir: Path | None = None) -> old.Form:
    """A published form by id (``2024``) or by path, in the old flat shape (docgen's own loader underneath)."""
    return legacy(load(year, data_dir))


def legacy_submission(form: Form, checked: BaseModel) -> Submission:
    """A submission the generated model accepted, as today's consumers read it (no second validation).

    Every value is already what the hand-written models would hold (the same parsers); the classes are
    only put back (``model_construct``) so views and writers find WorkItem, PresetRef … as before.
    """
    rows: dict[str, Any] = {}
    for table in form.tables:
        kind = _kind(table)
        rows[table.key] = [_legacy_row(kind, table, row) for row in getattr(checked, table.key)]
    values: dict[str, Any] = {k: getattr(checked, k) for k in ("form", "unit", "unit_kind", "city", "contact", "date")}
    return Submission.model_construct(None, **values, **rows)


def _legacy_row(kind: str, table: Table, row: BaseModel) -> BaseModel:
    if "preset" in type(row).model_fields:
        return _construct(PresetRef, row)
    own, sub = _CLASSES[kind]
    values = {k: getattr(row, k) for k in own.model_fields if k in type(row).model_fields}
    if sub is not None and table.level.child is not None and table.level.child.key:
        values[table.level.child.key] = [_construct(sub, p) for p in getattr(row, table.level.child.key)]
    return own.model_construct(**values)


def _construct(cls: type[BaseModel], row: BaseModel) -> BaseModel:
    return cls.model_construct(**{k: getattr(row, k) for k in cls.model_fields if k in type(row).model_fields})


_CLASSES: dict[str, tuple[type[BaseModel], type[BaseModel] | None]] = {
    "work": (WorkItem, Project),
    "subsidy": (Subsidy, None),
    "delegated": (OwnDelegated, OwnProject),
}
