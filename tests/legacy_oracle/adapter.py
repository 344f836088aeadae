"""The built form stated in the old flat shape (tests.legacy_oracle.form.Form), for the tests that compare with it
(``legacy(form)``, ``load_form``, ``legacy_submission``): docgen before the form engine read exactly this."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from docgen.form.catalog import built, catalog
from docgen.form.loading import FormInvalid, form_path
from docgen.form.tree import Form, Table
from docgen.io.paths import DATA_DIR

__all__ = ["FormInvalid", "NotLegacy", "form_path", "legacy", "load_form"]
from tests.legacy_oracle import form as old
from tests.legacy_oracle.submission import OwnDelegated, OwnProject, PresetRef, Project, Submission, Subsidy, WorkItem

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
    """A published form by id (``2024``) or by path, in today's shape; FormInvalid with every problem."""
    if isinstance(year, Path) or (isinstance(year, str) and catalog(data_dir).path(year) is None):
        path = Path(year).resolve()
    else:
        path = form_path(year, data_dir).resolve()
    if not path.is_file():
        raise FileNotFoundError(f"no form {path}")
    result = built(path)
    if result.form is None or result.problems:
        raise FormInvalid(result.problems)
    return legacy(result.form)


def available_years(data_dir: Path | None = None) -> list[int]:
    """The years (2024, 2025) whose form builds and today's outputs can print, in order.

    A broken form (or one with tables the outputs cannot print yet) is left out, so that the service, the
    batch and every command go on with the good ones; ``catalog().broken()`` lists it with its problems.
    """
    forms = catalog(data_dir)
    return sorted(int(i) for i in forms.ids() if i.isdigit() and _printable(forms.get(i)))


def _printable(found: object) -> bool:
    form = getattr(found, "form", None)
    if form is None or getattr(found, "problems", None):
        return False
    try:
        legacy(form)
    except NotLegacy:
        return False
    return True


def latest_year(data_dir: Path | None = None) -> int | None:
    """The newest form's year, None when there is none."""
    years = available_years(data_dir)
    return years[-1] if years else None


def form_for(years: Iterable[int | None] = (), data_dir: Path | None = None) -> old.Form:
    """The form a set of inputs names (the most named year, the newest on a tie), else the newest form."""
    known = set(available_years(data_dir))
    counts = Counter(y for y in years if y in known)
    if counts:
        year = max(counts, key=lambda y: (counts[y], y))
    else:
        latest = latest_year(data_dir)
        if latest is None:
            raise FileNotFoundError(f"no published form in {(data_dir or DATA_DIR) / 'forms'}")
        year = latest
    return load_form(year, data_dir)


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
