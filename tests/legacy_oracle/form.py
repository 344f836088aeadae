"""The published form (征集表) in its old flat shape (a test oracle, built from the tree by tests.legacy_oracle.adapter)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Literal

from pydantic import BaseModel, ConfigDict

TableKey = Literal["retained", "post_subsidy", "support", "delegated"]

_SPACE = re.compile(r"\s+")


def squash(text: str) -> str:
    """Drop all white space: how printed, line-broken cells compare with data."""
    return _SPACE.sub("", text)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Category(_Strict):
    id: str
    name: str
    variants: tuple[str, ...] = ()


class Unit(_Strict):
    id: str
    name: str
    kind: Literal["city", "protection_center", "patent_office", "province_dept", "other"]
    city: str | None = None


class Column(_Strict):
    key: str
    title: str
    width: float


class Placeholder(_Strict):
    work: str
    names: tuple[str, ...]


class TableSpec(_Strict):
    key: TableKey
    number: str
    title: str
    subtitle: str
    kind: Literal["work", "subsidy", "delegated"]
    categories: tuple[str, ...]
    columns: tuple[Column, ...]
    placeholder: Placeholder | None = None

    @property
    def has_presets(self) -> bool:
        """The table whose rows may be the province's published presets (their text locked in the workbook)."""
        return self.kind == "delegated"


class Preset(_Strict):
    id: str
    category: str  # a category id
    work: str
    name: str
    necessity: str = ""
    policy_basis: str = ""
    remarks: str = ""


class Instruction(_Strict):
    number: int
    title: str
    text: str


class Form(_Strict):
    year: int
    notice_number: str
    title: str
    attachment_title: str
    deadline: dt.date
    amount_unit: str
    categories: tuple[Category, ...]
    cities: tuple[str, ...]
    units: tuple[Unit, ...]
    tables: tuple[TableSpec, ...]
    presets: tuple[Preset, ...]
    instructions_title: str
    instructions: tuple[Instruction, ...]

    def table(self, key: str) -> TableSpec:
        return next(t for t in self.tables if t.key == key)

    def category(self, cid: str) -> Category:
        return next(c for c in self.categories if c.id == cid)

    def category_names(self, table: TableSpec) -> list[str]:
        return [self.category(cid).name for cid in table.categories]

    def resolve_category(self, text: str, table: TableSpec | None = None) -> tuple[Category | None, bool]:
        """Map a category as written to (category, written_as_variant); None if unknown.

        White space is ignored (the notice line-breaks long names inside cells); with a table,
        only that table's categories are considered.
        """
        wanted = squash(text)
        allowed = table.categories if table is not None else [c.id for c in self.categories]
        for cid in allowed:
            cat = self.category(cid)
            if wanted == cat.name:
                return cat, text != cat.name
            if wanted in (squash(v) for v in cat.variants):
                return cat, True
        return None, False

    def preset(self, name_or_id: str) -> Preset | None:
        wanted = squash(name_or_id)
        for p in self.presets:
            if p.id == name_or_id or squash(p.name) == wanted:
                return p
        return None

    def unit(self, uid: str) -> Unit | None:
        return next((u for u in self.units if u.id == uid), None)


def year_named(data: object) -> int | None:
    """The form year an input names (``form: 2025`` or ``form: "2025"``), else None (also for a number no
    year can be: 4,301 digits would pass ``isdigit`` and make ``int()`` and ``str()`` raise)."""
    year = data.get("form") if isinstance(data, dict) else None
    if isinstance(year, str) and year.strip().isdigit() and len(year.strip()) <= 6:
        return int(year)
    return year if isinstance(year, int) and not isinstance(year, bool) and 0 <= year < 10**6 else None
