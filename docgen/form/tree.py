"""The built form: Form → Table → Level → Column nodes, each knowing its parent, its path and its place in words."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from docgen.form.definition import (
    ChoiceDef,
    ColumnDef,
    FormDef,
    InstructionDef,
    LevelDef,
    PresetDef,
    TableDef,
    UnitDef,
)
from docgen.form.expression import Node
from docgen.form.types import SHOW_ONLY, TYPES, ColumnType
from docgen.io.source import value_at

_GLOSS = re.compile(r"（[^）]*）$")


def short(title: str) -> str:
    """A title without its trailing （…） gloss, as messages say it: 经费安排（万元） → 经费安排."""
    return _GLOSS.sub("", title)


@dataclass(eq=False)
class Column:
    """A column of one level: its definition, its type, its parsed expressions and allowed choices."""

    definition: ColumnDef
    parent: Level
    type: ColumnType
    formula: Node | None = None
    check: Node | None = None
    choices: tuple[ChoiceDef, ...] = ()

    @property
    def key(self) -> str:
        return self.definition.key

    @property
    def title(self) -> str:
        return self.definition.title

    @property
    def short_title(self) -> str:
        return short(self.definition.title)

    @property
    def printed(self) -> bool:
        return self.definition.print

    def path(self) -> tuple[str, ...]:
        """(table key, [rows key,] column key)."""
        return (*self.parent.path(), self.key)


@dataclass(eq=False)
class Level:
    """The columns of a table's rows, or of the sub-rows under each row (`rows`)."""

    parent: Table
    key: str | None  # None for the table's own rows; the `rows` key for sub-rows
    title: str
    word: str  # how a place counts a row of this level: 项, 行, 个项目
    columns: list[Column] = field(default_factory=list)
    child: Level | None = None
    min: int = 0
    aliases: tuple[str, ...] = ()

    def column(self, key: str) -> Column | None:
        for column in self.columns:
            if column.definition.key == key:
                return column
        return None

    def path(self) -> tuple[str, ...]:
        return (self.parent.key,) if self.key is None else (self.parent.key, self.key)

    def formulas(self) -> dict[str, Node]:
        """The computed columns' trees by key (what an expression's scope needs)."""
        return {c.key: c.formula for c in self.columns if c.formula is not None}

    def entered(self) -> list[Column]:
        """The columns a clerk fills, in order."""
        return [c for c in self.columns if c.type.entered]


@dataclass(eq=False)
class Table:
    """A table: its rows' level (with an optional sub-row level) and its presets."""

    definition: TableDef
    parent: Form
    level: Level = field(init=False)
    presets: tuple[PresetDef, ...] = ()

    @property
    def key(self) -> str:
        return self.definition.key

    @property
    def number(self) -> str:
        return self.definition.number

    @property
    def label(self) -> str:
        """表（一）: how the form names the table."""
        return f"表（{self.definition.number}）"

    @property
    def title(self) -> str:
        """The long title a submission's key may carry: 表（一）保留省局部分."""
        return f"{self.label}{self.definition.subtitle}"

    def levels(self) -> Iterator[Level]:
        level: Level | None = self.level
        while level is not None:
            yield level
            level = level.child

    def columns(self) -> Iterator[Column]:
        """Every column, the row's first, then the sub-rows'."""
        for level in self.levels():
            yield from level.columns

    def printed(self) -> list[Column]:
        """The printed columns in print order (the row's, then its sub-rows')."""
        return [c for c in self.columns() if c.printed]

    def column(self, key: str) -> Column | None:
        """A column of any level by key (the row's first)."""
        for level in self.levels():
            if (found := level.column(key)) is not None:
                return found
        return None

    def path(self) -> tuple[str, ...]:
        return (self.key,)

    def preset_fixes(self) -> tuple[str, ...]:
        """The keys a preset fixes (a submission may repeat them only unchanged)."""
        if self.definition.preset_fixes is not None:
            return self.definition.preset_fixes
        keys: list[str] = []
        for p in self.presets:
            keys += [k for k in p.values() if k not in keys]
        return tuple(keys)


@dataclass(eq=False)
class Form:
    """A form built from its definition: the tables, the choice lists, the units."""

    id: str
    definition: FormDef
    tables: list[Table] = field(default_factory=list)
    choices: dict[str, tuple[ChoiceDef, ...]] = field(default_factory=dict)

    def table(self, key: str) -> Table | None:
        return next((t for t in self.tables if t.key == key), None)

    # What the form prints and asks, straight from its definition.
    @property
    def year(self) -> int:
        return self.definition.year

    @property
    def title(self) -> str:
        return self.definition.title

    @property
    def notice_number(self) -> str:
        return self.definition.notice_number

    @property
    def deadline(self) -> dt.date:
        return self.definition.deadline

    @property
    def amount_unit(self) -> str:
        return self.definition.amount_unit

    @property
    def attachment_title(self) -> str:
        return self.definition.attachment_title or self.definition.title

    @property
    def units(self) -> tuple[UnitDef, ...]:
        return self.definition.units

    @property
    def cities(self) -> tuple[str, ...]:
        """The names of the cities a city unit may be in (the list named by `cities`)."""
        return tuple(c.name for c in self.choices.get(self.definition.cities, ()))

    @property
    def instructions_title(self) -> str:
        return self.definition.instructions_title

    @property
    def instructions(self) -> tuple[InstructionDef, ...]:
        return self.definition.instructions

    def unit(self, uid: str) -> UnitDef | None:
        return next((u for u in self.definition.units if u.id == uid), None)

    def columns(self) -> Iterator[Column]:
        for table in self.tables:
            yield from table.columns()

    def choice(self, list_name: str, cid: str) -> ChoiceDef | None:
        return next((c for c in self.choices.get(list_name, ()) if c.id == cid), None)

    def level_at(self, path: tuple[Any, ...]) -> Level | None:
        """The level whose row sits at a submission path: (key, i) → rows, (key, i, rows, j) → sub-rows."""
        table = self.table(path[0]) if path and isinstance(path[0], str) else None
        if table is None:
            return None
        level: Level | None = table.level
        rest = path[1:]
        while level is not None and rest:
            if len(rest) == 1 and isinstance(rest[0], int):
                return level
            if len(rest) >= 3 and isinstance(rest[0], int) and level.child and rest[1] == level.child.key:
                level, rest = level.child, rest[2:]
                continue
            return None
        return None

    def place(self, path: tuple[Any, ...], data: Any = None) -> str:
        """Where a path is, as people count (from 1): ('t', 1, 'projects', 0, 'count') → 表（一）第2项 第1个项目 项目数."""
        table = self.table(path[0]) if path and isinstance(path[0], str) else None
        if table is None:
            return ""
        parts = [table.label]
        level: Level | None = table.level
        n = 1
        while n < len(path) and level is not None:
            part = path[n]
            if isinstance(part, int):
                parts[-1:] = (
                    [f"{parts[-1]}第{part + 1}{level.word}"] if level.key is None else [f"第{part + 1}{level.word}"]
                )
                n += 1
                continue
            row = value_at(data, path[:n]) if data is not None else None
            if level.child is not None and part == level.child.key:
                parts.append(short(level.child.title))
                level = level.child
                n += 1
                continue
            column = _column_for(table, level, part, row)
            parts.append(column)
            n += 1
            level = None
        parts += [f"第{p + 1}项" if isinstance(p, int) else str(p) for p in path[n:]]
        return " ".join(parts)


def _column_for(table: Table, level: Level, key: str, row: Any) -> str:
    """A key's short title in a row; in a preset row the preset's keys and the flattened sub-row columns."""
    if table.presets and isinstance(row, dict) and "preset" in row:
        if key == "preset":
            return "预设项目"
        found = table.column(key)
        return found.short_title if found else key
    found = level.column(key)
    return found.short_title if found else key


def column_type(definition: ColumnDef) -> ColumnType:
    """The type table's entry for a column (a `show` column without a type prints only)."""
    return TYPES[definition.type] if definition.type else SHOW_ONLY


def new_level(definition: TableDef | LevelDef, table: Table, key: str | None, word: str) -> Level:
    """An empty level of a table (its columns are added by the builder)."""
    if isinstance(definition, LevelDef):
        return Level(table, key, definition.title, word, min=definition.min, aliases=definition.aliases)
    return Level(table, key, definition.subtitle or definition.title, word)
