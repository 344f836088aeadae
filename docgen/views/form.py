"""The document view: what every writer prints, computed once (rows, merges, totals, text)."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from decimal import Decimal
from functools import lru_cache
from typing import Any, Literal

from pydantic import BaseModel

from docgen import __version__
from docgen.form.definition import PresetDef
from docgen.form.expression import ExpressionError, Node, Scope, evaluate, to_excel
from docgen.form.tree import Column, Form, Level, Table
from docgen.models.values import format_plain
from docgen.standard import gbt9704 as L
from docgen.standard.metrics import text_width_zi
from docgen.standard.text import clean_text, format_amount, format_date, squash

RowKind = Literal["data", "blank", "preset", "placeholder", "total"]
NUMERIC_TYPES = ("amount", "count", "computed")
"""Column types printed as numbers (right-aligned, numeric spreadsheet cells)."""


@dataclass(frozen=True)
class Cell:
    """One table cell. `text` is also kept on covered cells so a page break can repeat it."""

    text: str = ""
    value: Decimal | None = None  # numeric amount, for spreadsheets
    rowspan: int = 1  # >1 on the first cell of a vertical merge
    covered: bool = False  # inside a vertical merge, below its first cell
    colspan: int = 1  # >1 on the first cell of a horizontal merge (the 合计 label)
    hidden: bool = False  # covered by a horizontal merge to its left
    note: str = ""  # a remark printed inside `text` but kept apart for formats with numeric cells (测算依据)


@dataclass(frozen=True)
class ColumnView:
    key: str
    title: str
    width: float  # relative weight from the published form
    share: float  # fraction of the table width (sums to 1), widened where a number would break
    numeric: bool
    whole_title: bool = False  # a short title (序号, 类型, 拟设置项目) printed on one line
    align: str = "left"  # the column type's alignment (short cells centred, text left)
    merged: bool = False  # its cells merge over a group of rows (and repeat their label after a page break)
    choices: tuple[str, ...] = ()  # a choice column's allowed names (the spreadsheet's drop-down)
    fixed: bool = False  # a preset fixes its text (locked in the workbook's preset rows)
    note_key: str = ""  # the column printed inside this cell after its value (测算依据) …
    note_title: str = ""  # … and its title (the workbook's column of its own)
    total: bool = False  # summed in the 合计 row
    excel: str = ""  # a computed column's spreadsheet formula: {key} a cell of the row, {rows.key} its sub-rows'


Figures = tuple[int, "Decimal | None", Decimal]  # count, unit amount (tables 一/三 only), amount


@dataclass(frozen=True)
class Row:
    kind: RowKind
    cells: tuple[Cell, ...]
    category: str = ""  # the category group this row belongs to ("" for none)
    item: int = -1  # index of the work-item group within the table (-1 for none)
    figures: Figures | None = None  # a project row's (项目数, 单项金额, 金额), for the provincial summary


@dataclass(frozen=True)
class TableView:
    key: str
    number: str  # 一 … 四
    title: str
    subtitle: str
    columns: tuple[ColumnView, ...]
    rows: tuple[Row, ...]  # data rows then, when filled, the 合计 row
    total: Decimal
    project_count: int
    locked: bool = False  # rows may be the province's presets, whose text the workbook locks

    @property
    def heading(self) -> str:
        """How a table of contents names it: its subtitle (保留省局部分), else its title."""
        return self.subtitle or self.title

    @property
    def body(self) -> tuple[Row, ...]:
        return tuple(r for r in self.rows if r.kind != "total")

    @property
    def total_row(self) -> Row | None:
        return next((r for r in self.rows if r.kind == "total"), None)

    @property
    def total_text(self) -> str:
        return format_amount(self.total)

    def column_index(self, key: str) -> int:
        return next(i for i, c in enumerate(self.columns) if c.key == key)

    @property
    def merges(self) -> list[tuple[int, int, int, int]]:
        """(first_row, first_col, last_row, last_col) of every merged range, 0-based over `rows`."""
        out = []
        for r, row in enumerate(self.rows):
            for c, cell in enumerate(row.cells):
                if cell.rowspan > 1 or cell.colspan > 1:
                    out.append((r, c, r + cell.rowspan - 1, c + cell.colspan - 1))
        return out


@dataclass(frozen=True)
class DocumentView:
    """A unit's filled form (or the blank form): the one thing every writer renders."""

    form: Form  # the form tree (writers read its printed facts only: year, titles, notice number)
    blank: bool
    unit: str
    unit_kind: str
    city: str
    contact_name: str
    contact_phone: str
    date: dt.date | None
    tables: tuple[TableView, ...]
    source_name: str = ""
    source_sha256: str = ""
    generator: str = f"docgen {__version__}"
    warnings: tuple[str, ...] = field(default=())

    @property
    def year(self) -> int:
        return self.form.year

    @property
    def date_text(self) -> str:
        return format_date(self.date) if self.date else ""

    @property
    def title(self) -> str:
        return self.form.title

    @property
    def attachment_label(self) -> str:
        return "附件1"

    @property
    def info_line(self) -> list[tuple[str, str]]:
        """The line above every table: 填报单位, 联系人, 联系电话, 填报日期."""
        return [
            ("填报单位", self.unit),
            ("联系人", self.contact_name),
            ("联系电话", self.contact_phone),
            ("填报日期", self.date_text),
        ]

    @property
    def grand_total(self) -> Decimal:
        return sum((t.total for t in self.tables), Decimal(0))

    def table(self, key: str) -> TableView:
        return next(t for t in self.tables if t.key == key)

    @property
    def document_title(self) -> str:
        return f"{self.title}（{self.unit}）" if not self.blank else self.title


# --- building ---------------------------------------------------------------------------------


@dataclass
class _Line:
    """One printed row before merges are computed."""

    values: dict[str, str]
    amounts: dict[str, Decimal]
    category: str
    item: int
    kind: RowKind = "data"
    notes: dict[str, str] = field(default_factory=dict)
    figures: Figures | None = None


WHOLE_TITLE_MAX = 5
"""Column titles of at most this many characters never wrap (序/号, 拟设置项/目 read badly)."""
_UNBREAKABLE = re.compile(r"[0-9A-Za-z.*%×/()+\-]+")
"""Runs a cell never breaks inside: numbers, amounts, 1*110.55, codes."""
CELL_EXTRA_PT = 2 * L.TABLE_TEXT_PT * L.TABLE_CELL_PADDING_ZI + L.mm_to_pt(L.TABLE_RULE_MM) + 1.0
"""A cell's width beyond its text: padding both sides, a rule, 1 pt of rounding room."""


@lru_cache(maxsize=64)
def _columns(table: Table) -> tuple[ColumnView, ...]:
    """A table's printed columns as the view gives them (once per built form: a view's columns are frozen)."""
    printed = table.printed()
    total = sum(float(c.definition.width or 0) for c in printed)
    fixed = set(table.preset_fixes()) if table.presets else set()
    out = []
    for c in printed:
        width = float(c.definition.width or 0)
        note = _note_column(c)
        out.append(
            ColumnView(
                c.key,
                c.title,
                width,
                width / total if total else 1 / len(printed),
                c.type.name in NUMERIC_TYPES,
                len(c.title) <= WHOLE_TITLE_MAX,
                align=c.type.align,
                merged=_merged(c),
                choices=tuple(ch.name for ch in c.choices),
                fixed=c.key in fixed or (bool(fixed) and c.type.name == "seq"),
                note_key=note.key if note is not None else "",
                note_title=note.title if note is not None else "",
                total=c.definition.total,
                excel=_excel(c, {p.key for p in printed}),
            )
        )
    return tuple(out)


def _excel(column: Column, printed: set[str]) -> str:
    """A computed column's formula for the spreadsheet, its operands as {key} and {rows.key} placeholders
    ("" when an operand has no printed cell of its own and no formula to write it out from)."""
    if column.formula is None:
        return ""
    level = column.parent
    child = level.child
    try:
        return to_excel(
            column.formula,
            lambda key: f"{{{key}}}" if key in printed and level.column(key) is not None else None,
            lambda rows, key: f"{{{rows}.{key}}}" if key in printed else None,
            level.formulas(),
            {child.key: child.formulas()} if child is not None and child.key else None,
        )
    except ExpressionError:
        return ""


def _merged(column: Column) -> bool:
    """A `merge: equal` column, or a row's own cell over its sub-rows (never 序号, which counts sub-rows)."""
    level = column.parent
    return column.definition.merge == "equal" or (
        level.key is None and level.child is not None and column.type.name != "seq"
    )


def _note_column(column: Column) -> Column | None:
    key = column.definition.note
    return column.parent.column(key) if key else None


_width = lru_cache(maxsize=8192)(text_width_zi)
"""A run's width in 字, remembered: the same numbers, codes and titles come back in every unit."""


def _needed_pt(col: ColumnView, texts: list[str]) -> float:
    """The narrowest width (pt) at which no number and no short title of ``col`` breaks."""
    zi = _width(col.title) if col.whole_title else 1.0
    for text in texts:
        amount, _, note = text.partition("\n")  # an amount, then its note (测算依据, which may wrap)
        runs = [amount, *_UNBREAKABLE.findall(note)] if col.numeric else _UNBREAKABLE.findall(text)
        zi = max([zi, *(_width(r) for r in runs)])
    return zi * L.TABLE_TEXT_PT + CELL_EXTRA_PT


def fit_columns(columns: tuple[ColumnView, ...], rows: list[Row]) -> tuple[ColumnView, ...]:
    """Columns whose shares make room for their longest unbreakable text, taken from the columns
    with room to spare in proportion to that room (the published form's weights otherwise)."""
    need = tuple(
        _needed_pt(col, [r.cells[i].text for r in rows if r.cells[i].colspan == 1 and not r.cells[i].hidden])
        for i, col in enumerate(columns)
    )
    return _fit(columns, need)


@lru_cache(maxsize=1024)
def _fit(columns: tuple[ColumnView, ...], need: tuple[float, ...]) -> tuple[ColumnView, ...]:
    """fit_columns once its needs are known (remembered: units of one form often need the same widths)."""
    table_pt = L.mm_to_pt(L.LANDSCAPE_TEXT_WIDTH_MM)
    widths = [c.share * table_pt for c in columns]
    short = [i for i, w in enumerate(widths) if w < need[i]]
    if not short:
        return columns
    deficit = sum(need[i] - widths[i] for i in short)
    donors = [i for i in range(len(widths)) if i not in short and widths[i] > need[i]]
    room = sum(widths[i] - need[i] for i in donors)
    if room <= deficit:  # nothing sensible to take from: keep the form's weights
        return columns
    for i in short:
        widths[i] = need[i]
    for i in donors:
        widths[i] -= deficit * (widths[i] - need[i]) / room
    return tuple(replace(c, share=w / table_pt) for c, w in zip(columns, widths))


def _group_key(line: _Line, by_item: bool) -> tuple[str, int] | tuple[str]:
    return (line.category, line.item) if by_item else (line.category,)


def _merge(lines: list[_Line], columns: tuple[ColumnView, ...], equal: frozenset[str]) -> list[Row]:
    """Turn lines into rows with vertical merges: a `merge: equal` column over its group, a row's own
    cells over its sub-rows (the lines of one item within the group)."""
    keys = [col.key for col in columns]
    rows: list[list[Cell]] = []
    for line in lines:
        values, amounts, notes = line.values, line.amounts, line.notes
        rows.append([Cell(_clean(values.get(k, "")), amounts.get(k), note=_clean(notes.get(k, ""))) for k in keys])
    for c, col in enumerate(columns):
        if not col.merged:
            continue
        by_item = col.key not in equal
        start = 0
        while start < len(lines):
            end = start + 1
            key = _group_key(lines[start], by_item)
            while (
                end < len(lines) and key == _group_key(lines[end], by_item) and (not by_item or lines[start].item >= 0)
            ):
                end += 1
            if end - start > 1 and key[0] != "":
                first = rows[start][c]  # a cell as made above: no merge of its own yet
                rows[start][c] = Cell(first.text, first.value, rowspan=end - start, note=first.note)
                # Covered cells keep the group's text so a page break can repeat the label.
                covered = Cell(first.text, first.value, covered=True, note=first.note)
                for r in range(start + 1, end):
                    rows[r][c] = covered
            start = end
    return [Row(line.kind, tuple(cells), line.category, line.item, line.figures) for line, cells in zip(lines, rows)]


def _clean(text: str) -> str:
    return "" if text == "" else clean_text(text)


def has_total(columns: tuple[ColumnView, ...]) -> bool:
    """A table prints a 合计 row when something in it sums (a table of names and dates has none)."""
    return any(c.total or c.numeric for c in columns)


def total_row(columns: tuple[ColumnView, ...], total: Decimal | dict[str, Decimal], count: int) -> Row:
    """合计: its label over the columns before the first summed one, each summed column's sum, then
    共N个项目 over the columns after the last."""
    sums = total if isinstance(total, dict) else {}
    summed = [i for i, c in enumerate(columns) if c.total] or [next(i for i, c in enumerate(columns) if c.numeric)]
    first, last = summed[0], summed[-1]
    cells: list[Cell] = [Cell("合计", colspan=first)] if first else []
    cells += [Cell(hidden=True)] * (first - 1)
    for i in range(first, last + 1):
        if i in summed:
            value = sums.get(columns[i].key, Decimal(0)) if sums else total
            assert isinstance(value, Decimal)
            cells.append(Cell(format_amount(value), value=value))
        else:
            cells.append(Cell())
    rest = len(columns) - last - 1
    if rest:
        note = f"共{count}个项目"  # an empty table's 合计 reads like the others: 0.00, 共0个项目
        cells.append(Cell(note, colspan=rest))
        cells += [Cell(hidden=True)] * (rest - 1)
    return Row("total", tuple(cells))


def _numbered(lines: list[_Line], seq: str | None) -> list[_Line]:
    n = 0
    for line in lines:
        if line.kind in ("data", "preset") and seq is not None:
            n += 1
            line.values[seq] = str(n)
    return lines


def _group_column(table: Table) -> Column | None:
    """The row's `merge: equal` choice column, by whose choices the table's rows are grouped (类型)."""
    return _plan(table).group


def _by_group(table: Table, lines: Iterable[_Line]) -> list[_Line]:
    plan = _plan(table)
    if plan.group is None:
        return list(lines)
    order = plan.group_order
    return sorted(lines, key=lambda ln: order.get(ln.category, len(order)))  # stable within a group


def _text(kind: str, value: Any) -> str:
    """A cell's printed text by its column's type (``kind``: the type's name)."""
    if value is None:
        return ""
    if kind in ("amount", "computed") and isinstance(value, (Decimal, int)):
        return format_amount(Decimal(value))
    if isinstance(value, dt.date):
        return format_date(value)
    return str(value)


_FIELD = re.compile(r"\{([^{}]+)\}")


def _shown(show: str, values: dict[str, Any]) -> str:
    """A `show` column's text: its template with each {key} filled (amounts without trailing zeros)."""

    def one(m: re.Match[str]) -> str:
        value = values.get(m.group(1).strip())
        if value is None:
            return ""
        return format_plain(Decimal(value)) if isinstance(value, Decimal) else str(value)

    return _FIELD.sub(one, show)


@dataclass(frozen=True)
class _LevelPlan:
    """What building a level's lines reads of its columns, read once per built form."""

    keys: tuple[str, ...]  # every column's key (a scope's values)
    entered: tuple[str, ...]  # the keys a clerk fills
    formulas: dict[str, Node]  # the computed columns' trees by key (shared by every scope: only read)
    # what each printed column puts on a line: (key, its `show` template or None, type name, numeric, note key)
    printed: tuple[tuple[str, str | None, str, bool, str | None], ...]
    count: str | None  # the figures' columns: the count …
    amount: str | None  # … the amount (the summed column, else the computed one) …
    unit_amount: str | None  # … and, with a count, the amount entered beside it


@lru_cache(maxsize=256)
def _level_plan(level: Level) -> _LevelPlan:
    printed: list[tuple[str, str | None, str, bool, str | None]] = []
    for column in level.columns:
        show = column.definition.show
        if show is None and (not column.printed or column.type.name == "seq"):
            continue
        note = _note_column(column)
        kind = column.type.name
        printed.append((column.key, show, kind, kind in NUMERIC_TYPES, note.key if note is not None else None))
    count, unit, amount = figure_columns(level)
    return _LevelPlan(
        tuple(c.key for c in level.columns),
        tuple(c.key for c in level.columns if c.type.entered),
        level.formulas(),
        tuple(printed),
        count.key if count is not None else None,
        amount.key if amount is not None else None,
        unit.key if unit is not None else None,
    )


def _getter(row: Any) -> Any:
    return row.get if isinstance(row, dict) else lambda k, d=None: getattr(row, k, d)


def _row_values(level: Level, row: Any) -> dict[str, Any]:
    """A row's values by key, computed columns worked out (the same expressions as the checks)."""
    plan = _level_plan(level)
    get = _getter(row)
    values: dict[str, Any] = {key: get(key) for key in plan.entered}
    if plan.formulas:
        scope = _scope(level, row)
        for key, formula in plan.formulas.items():
            values[key] = evaluate(formula, scope)
    return values


def _scope(level: Level, row: Any) -> Scope:
    plan = _level_plan(level)
    get = _getter(row)
    values = {key: get(key) for key in plan.keys}
    children: dict[str, list[Scope]] = {}
    if level.child is not None and level.child.key:
        children[level.child.key] = [_scope(level.child, sub) for sub in get(level.child.key) or []]
    return Scope(values, plan.formulas, children)


def _print_level(level: Level, values: dict[str, Any], line: _Line) -> None:
    """Put one level's printed cells (and the amounts of its numeric ones) on a line."""
    for key, show, kind, numeric, note_key in _level_plan(level).printed:
        if show is not None:
            line.values[key] = _shown(show, values)
            continue
        value = values.get(key)
        text = _text(kind, value)
        if numeric and value is not None:
            line.amounts[key] = Decimal(value)
        note = str(values.get(note_key) or "") if note_key is not None else ""
        if note:
            # the note (测算依据) is printed after the value (填写说明 item 3: 经费总体安排及测算)
            line.values[key] = f"{text}\n（{note}）"
            line.notes[key] = note
        else:
            line.values[key] = text


def figure_columns(level: Level) -> tuple[Column | None, Column | None, Column | None]:
    """The columns a lowest-level row's figures come from: (count, unit amount, amount) — its count column,
    with a count the amount entered beside it, and its summed column (else its computed one)."""
    count_col = next((c for c in level.columns if c.type.name == "count"), None)
    amount_col = next((c for c in level.columns if c.definition.total), None) or next(
        (c for c in level.columns if c.type.name == "computed"), None
    )
    unit_col = next((c for c in level.columns if c.type.name == "amount"), None) if count_col is not None else None
    return count_col, unit_col, amount_col


def _figures(level: Level, values: dict[str, Any]) -> Figures:
    """A lowest-level row's (项目数, 单项金额, 金额) for the summary, from its `figure_columns`: its count
    (else 1), its unit amount (with a count), its amount."""
    plan = _level_plan(level)
    count = int(values.get(plan.count) or 0) if plan.count is not None else 1
    amount = Decimal(values.get(plan.amount) or 0) if plan.amount is not None else Decimal(0)
    unit = plan.unit_amount
    unit_amount = Decimal(values[unit]) if unit is not None and values.get(unit) is not None else None
    return count, unit_amount, amount


def _lowest(table: Table) -> Level:
    return table.level.child or table.level


@dataclass(frozen=True)
class _TablePlan:
    """What building a table reads of its definition, read once per built form."""

    group: Column | None  # the `merge: equal` choice column rows are grouped by
    group_order: dict[str, int]  # its choices' names → their order
    label: str  # the key that names a row of the lowest level
    seq: str | None  # the 序号 column
    equal: frozenset[str]  # the `merge: equal` keys
    main: Column | None  # the first summed column (the table's 合计)
    totals: tuple[tuple[str, bool], ...]  # every summed column: (key, a row's own column over sub-rows)
    presets: tuple[tuple[PresetDef, dict[str, Any]], ...]  # each preset and its cells by key (only read)
    by_id: dict[str, int]  # a preset's id → its first position
    by_label: dict[str, int]  # a preset's label, white space dropped → its first position


@lru_cache(maxsize=64)
def _plan(table: Table) -> _TablePlan:
    group = next(
        (c for c in table.level.columns if c.definition.merge == "equal" and c.type.name == "choice"),
        None,
    )
    label = _label_key(table)
    presets = tuple((p, _preset_values(table, p)) for p in table.presets)
    by_id: dict[str, int] = {}
    by_label: dict[str, int] = {}
    for n, p in enumerate(table.presets):
        by_id.setdefault(p.id, n)
        by_label.setdefault(squash(str(p.values().get(label, ""))), n)
    nested = table.level.child is not None
    return _TablePlan(
        group,
        {c.name: i for i, c in enumerate(group.choices)} if group is not None else {},
        label,
        next((c.key for c in table.level.columns if c.type.name == "seq"), None),
        frozenset(c.key for c in table.columns() if c.definition.merge == "equal"),
        next((c for c in table.columns() if c.definition.total), None),
        tuple((c.key, c.parent.key is None and nested) for c in table.columns() if c.definition.total),
        presets,
        by_id,
        by_label,
    )


def _preset(table: Table, name_or_id: str) -> tuple[PresetDef, dict[str, Any]] | None:
    """The first preset whose id is the text or whose label is, white space aside; with its cells."""
    plan = _plan(table)
    found = [n for n in (plan.by_id.get(name_or_id), plan.by_label.get(squash(name_or_id))) if n is not None]
    return plan.presets[min(found)] if found else None


def label_column(table: Table) -> Column:
    """The column that names a row of the lowest level: the first `unique` one, else the first required text
    (else its first column)."""
    level = _lowest(table)
    found = next((c for c in level.columns if c.definition.unique), None) or next(
        (c for c in level.columns if c.type.name == "text" and c.definition.required), None
    )
    return found if found is not None else level.columns[0]


def _label_key(table: Table) -> str:
    return label_column(table).key


def _preset_values(table: Table, preset: PresetDef) -> dict[str, Any]:
    """A preset's cells by key, a choice by its name."""
    out: dict[str, Any] = {}
    for key, value in preset.values().items():
        column = table.column(key)
        if column is not None and column.choices:
            found = next((c for c in column.choices if c.id == value), None)
            out[key] = found.name if found is not None else str(value)
        else:
            out[key] = str(value)
    return out


def _preset_line(table: Table, row: Any, i: int) -> _Line:
    found = _preset(table, str(row.preset))
    assert found is not None  # validation guarantees it
    given = found[1]
    values: dict[str, Any] = dict(given)
    for key, value in _row_values(_lowest(table), row).items():
        if value is None or value == "":
            continue
        if key in given and isinstance(value, str):
            # The unit's text follows the province's published one (备注).
            values[key] = "；".join(x for x in (given[key], value) if x)
        else:
            values[key] = value
    group = _plan(table).group
    line = _Line({}, {}, str(values.get(group.key, "")) if group else "", i, "preset")
    for level in table.levels():
        _print_level(level, values, line)
    line.figures = _figures(_lowest(table), values)
    return line


def _lines(table: Table, rows: list[Any], owns: list[dict[str, Any]]) -> list[_Line]:
    """A table's printed lines: a line per sub-row (its row's cells repeated), a row without sub-rows on
    one line, a preset row on one line; grouped by the `merge: equal` choice column. ``owns`` gets the
    values of each row of the unit's own (not a preset's), in order."""
    group = _plan(table).group
    child = table.level.child
    lowest = _lowest(table)
    lines = []
    for i, row in enumerate(rows):
        if _is_preset(table, row):
            lines.append(_preset_line(table, row, i))
            continue
        own = _row_values(table.level, row)
        owns.append(own)
        category = str(own.get(group.key) or "") if group else ""
        subs = getattr(row, child.key, None) or [] if child is not None and child.key else [None]
        for sub in subs:
            line = _Line({}, {}, category, i)
            _print_level(table.level, own, line)
            values = own
            if sub is not None and child is not None:
                values = _row_values(child, sub)
                _print_level(child, values, line)
            line.figures = _figures(lowest, values)
            lines.append(line)
    return _by_group(table, lines) if group else lines


def _total_column(table: Table) -> Column | None:
    return _plan(table).main


def _total(table: Table, owns: list[dict[str, Any]], lines: list[_Line]) -> dict[str, Decimal]:
    """Each summed column's 合计: a row's own column over the rows, a sub-row's over every line."""
    out: dict[str, Decimal] = {}
    for key, own_level in _plan(table).totals:
        if own_level:
            out[key] = sum((Decimal(own.get(key) or 0) for own in owns), Decimal(0)) + sum(
                (ln.amounts.get(key, Decimal(0)) for ln in lines if ln.kind == "preset"), Decimal(0)
            )
        else:
            out[key] = sum((ln.amounts.get(key, Decimal(0)) for ln in lines), Decimal(0))
    return out


def _is_preset(table: Table, row: Any) -> bool:
    return bool(table.presets) and getattr(row, "preset", None) is not None


def _table(table: Table, lines: list[_Line], totals: dict[str, Decimal] | None) -> TableView:
    plan = _plan(table)
    columns = _columns(table)
    lines = _numbered(lines, plan.seq)
    rows = _merge(lines, columns, plan.equal)
    count = sum(1 for ln in lines if ln.kind in ("data", "preset"))
    main = plan.main
    total = totals.get(main.key, Decimal(0)) if totals and main is not None else Decimal(0)
    if totals is not None and has_total(columns):
        rows.append(total_row(columns, totals if len([c for c in columns if c.total]) > 1 else total, count))
    columns = fit_columns(columns, rows)
    d = table.definition
    return TableView(d.key, d.number, d.title, d.subtitle, columns, tuple(rows), total, count, bool(table.presets))


def _table_rows(sub: BaseModel, table: Table) -> list[Any]:
    return list(getattr(sub, table.key, None) or [])


def _lines_and_totals(table: Table, sub: BaseModel) -> tuple[list[_Line], dict[str, Decimal]]:
    rows = _table_rows(sub, table)
    owns: list[dict[str, Any]] = []
    lines = _lines(table, rows, owns)
    return lines, _total(table, owns, lines)


def table_totals(form: Form, sub: BaseModel) -> dict[str, Decimal]:
    """Each table's 合计 by key, exactly as `build_view` has them, without laying the tables out."""
    out = {}
    for table in form.tables:
        main = _total_column(table)
        out[table.key] = _lines_and_totals(table, sub)[1].get(main.key, Decimal(0)) if main else Decimal(0)
    return out


def build_view(
    form: Form, sub: BaseModel, source_name: str = "", source_bytes: bytes = b"", warnings: Iterable[str] = ()
) -> DocumentView:
    """The filled form of one unit (``sub``: the form's generated model, validated)."""
    tables = [_table(t, *_lines_and_totals(t, sub)) for t in form.tables]
    contact = getattr(sub, "contact", None)
    return DocumentView(
        form=form,
        blank=False,
        unit=clean_text(str(getattr(sub, "unit", ""))),
        unit_kind=str(getattr(sub, "unit_kind", "")),
        city=str(getattr(sub, "city", None) or ""),
        contact_name=clean_text(getattr(contact, "name", "")),
        contact_phone=clean_text(getattr(contact, "phone", "")),
        date=getattr(sub, "date", None),
        tables=tuple(tables),
        source_name=source_name,
        source_sha256=hashlib.sha256(source_bytes).hexdigest() if source_bytes else "",
        warnings=tuple(warnings),
    )


BLANK_ROWS_PER_CATEGORY = 2
BLANK_ROWS_PLAIN = 3
ADD_ROWS = "可加行"


def _blank_lines(table: Table) -> list[_Line]:
    """The blank table's rows: per choice of its group column, the presets and then the example rows (a
    table with presets) or two empty rows; without a group column, three empty rows. 可加行 in the label."""
    label = _label_key(table)
    group = _group_column(table)
    lines: list[_Line] = []
    if group is None:
        return [_Line({label: ADD_ROWS if k == 0 else ""}, {}, "", -1, "blank") for k in range(BLANK_ROWS_PLAIN)]
    if not table.presets:
        for choice in group.choices:
            for _k in range(BLANK_ROWS_PER_CATEGORY):
                values = {group.key: choice.name, label: ADD_ROWS if not lines else ""}
                lines.append(_Line(values, {}, choice.name, -1, "blank"))
        return lines
    item = 0
    example = table.definition.example_rows
    first_text = next((c.key for c in table.level.columns if c.type.name == "text"), label)
    for choice in group.choices:
        for preset in (p for p in table.presets if p.values().get(group.key) == choice.id):
            line = _Line({}, {}, choice.name, item, "preset")
            values = _preset_values(table, preset)
            for level in table.levels():
                _print_level(level, values, line)
            lines.append(line)
            item += 1
        if example:
            for name in example.names:
                values = {group.key: choice.name, first_text: example.work, label: name}
                lines.append(_Line(values, {}, choice.name, item, "placeholder"))
            item += 1
    return lines


def blank_view(form: Form) -> DocumentView:
    """The form as the province distributes it: empty rows per group, a table's presets and example rows."""
    return DocumentView(
        form=form,
        blank=True,
        unit="",
        unit_kind="",
        city="",
        contact_name="",
        contact_phone="",
        date=None,
        tables=tuple(_table(t, _blank_lines(t), None) for t in form.tables),
    )
