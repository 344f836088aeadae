"""One table of a filled workbook read back into the submission's rows, by walking the form's tree.

Each sheet row below the header is a row of the table, or (a table with `rows`) a sub-row: a sub-row
belongs to the row above while the row's own cells are merged over it or left empty in cells of its
own; a filled own cell, or the end of a merge, starts a new row. A `merge: equal` column is carried
down (a clerk writes 类型 once). In a table with presets, a row whose locked text names a preset
becomes ``preset: NAME`` with only what the preset leaves open; the blank form's example rows are
skipped unless filled. A `show` column of two numbers (项目数及单项金额 "4*30") gives both. Amounts,
counts and dates are read by `docgen.authoring.workbook.cells`, i.e. by docgen.models.values' rules. Every
problem names its sheet and cell; the cell of every value read is kept for validate's messages.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from docgen.authoring.wording import equals, titled
from docgen.authoring.workbook.cells import (
    CellError,
    cell_text,
    is_blank,
    read_amount,
    read_count,
    read_date,
    shortened,
    squash,
)
from docgen.authoring.workbook.layout import Layout, host_of, own_columns
from docgen.authoring.workbook.problems import At, Problem
from docgen.authoring.workbook.sheet import Sheet
from docgen.check.rows import resolve_choice
from docgen.form.aliases import PRESET_KEY
from docgen.form.definition import PresetDef
from docgen.form.expression import Scope, evaluate
from docgen.form.model import shorthand_columns
from docgen.form.tree import Column, Level, Table
from docgen.io.limits import MAX_NUMBER_DIGITS
from docgen.views.form import ADD_ROWS

Path_ = tuple[str | int, ...]
_EXAMPLE = {"count": "4", "amount": "30"}
_UNIT_WORD = re.compile(r"\s*(万元|万)\s*$")
# An amount with its note in one cell, as older docgen workbooks wrote 经费安排: "120\n（按4个中心测算）".
_WITH_NOTE = re.compile(r"^\s*([^\s（(]+)\s*[\n\s]*[（(](.*)[）)]\s*$", re.S)


@dataclass
class _Row:
    """A row of the table as it is read: its values, where each came from, and what is still to settle."""

    data: dict[str, Any]
    first_row: int
    carried: tuple[str, ...] = ()
    order: int | None = None
    preset: bool = False
    origins: dict[Column, tuple[int, int]] = field(default_factory=dict)  # the cells that tell rows apart
    numbers: dict[Column, dict[tuple[int, int], Any]] = field(default_factory=dict)  # own numbers by cell
    seen: set[tuple[int, int]] = field(default_factory=set)  # number cells read (or reported) already
    bad: set[Column] = field(default_factory=set)  # written, but not a number (reported)
    refs: dict[Path_, At] = field(default_factory=dict)  # path inside the row → cell


class TableReader:
    """Reads one table's sheet; `read()` gives its rows in the submission's order, `cells` their places."""

    def __init__(self, table: Table, sheet: Sheet, layout: Layout, problems: list[Problem], warnings: list[Problem]):
        self.table, self.sheet, self.layout = table, sheet, layout
        self.problems, self.warnings = problems, warnings
        self.unit = table.parent.amount_unit
        self.top = table.level
        self.child: Level | None = table.level.child if table.level.child and table.level.child.key else None
        self.leaf = self.child or self.top
        self.rows_key: str = (self.child.key or "") if self.child else ""  # the sub-rows' key (projects)
        self.carry_columns = [c for c in table.columns() if c.type.entered and c.definition.merge == "equal"]
        self.carried_top = [c for c in self.carry_columns if c.parent is self.top]
        self.own = set(own_columns(table))
        self.shorthand = {level: shorthand_columns(level) for level in table.levels()}
        shows = {show for rules in self.shorthand.values() for show, _, _ in rules}
        self.read_columns = {
            column: c for column, c in layout.columns.items() if column.type.entered or column in shows
        }
        parent = [c for c in self.top.entered() if c not in self.carry_columns]
        self.identity = [c for c in parent if c.printed and not c.type.numeric] or [c for c in parent if c.printed]
        self.totals = [c for c in table.printed() if c.definition.total and c.type.entered and c.type.numeric]
        self.rows: list[_Row] = []
        self.used_orders: set[int] = set()
        self.typed_totals: dict[Column, tuple[At, Any]] = {}
        self.resolved: dict[tuple[Column, tuple[int, int] | None, str], str] = {}
        self.cells: dict[Path_, str] = {}  # path in the submission → cell, after read()

    # --- cells --------------------------------------------------------------------------------------

    def col(self, column: Column) -> int | None:
        return self.layout.columns.get(column)

    def at(self, r: int, column: Column) -> At:
        c = self.col(column)
        if c is None and (host := host_of(column)) is not None:
            c = self.col(host)  # a note without a column of its own sits in its host's cell
        return self.sheet.at(r, c or 1)

    def problem(self, at: At, message: str) -> None:
        self.problems.append(Problem(message, at))

    def text(self, r: int, column: Column) -> str:
        """The text shown in a column's cell (a merged range's on every row it covers)."""
        c = self.col(column)
        return cell_text(self.sheet.value(r, c)) if c else ""

    # --- the rows ------------------------------------------------------------------------------------

    def read(self) -> list[dict[str, Any]]:
        carry: dict[Column, tuple[str, tuple[int, int]]] = {}
        current: _Row | None = None
        for r in range(self.layout.header_row + 1, self.sheet.max_row + 1):
            self._carry(r, carry)
            if self._is_total(r) or not self._has_content(r) or self._example_row(r):
                continue
            preset = self._preset_of(r) if self.table.presets else None
            if preset is not None:
                current = None
                self._preset_row(r, preset)
                continue
            carried = tuple(self._carried(c, carry) for c in self.carried_top)
            if self.child is None:
                self._new_row(r, carry, carried)
                continue
            if current is None or not self._continues(current, r, carried):
                current = self._new_row(r, carry, carried)
            else:
                self._parent_cells(current, r)
            rows = current.data[self.rows_key]
            rows.append(self._cells(r, self.child, carry, current.refs, (self.rows_key, len(rows))))
        return self._finish()

    def _carry(self, r: int, carry: dict[Column, tuple[str, tuple[int, int]]]) -> None:
        """A `merge: equal` value holds for the rows below until another is written."""
        for column in self.carry_columns:
            c = self.col(column)
            if c is not None and (text := self.text(r, column).strip()):
                carry[column] = (text, self.sheet.origin_of(r, c))

    def _carried(self, column: Column, carry: dict[Column, tuple[str, tuple[int, int]]]) -> str:
        text, origin = carry.get(column, ("", None))
        return self._choice(column, text, origin) if text else ""

    def _is_total(self, r: int) -> bool:
        """The 合计 row; a total typed over its formula is kept to be checked against the rows."""
        for c in range(1, min(self.sheet.max_col, len(self.table.printed())) + 1):
            if squash(cell_text(self.sheet.peek(r, c))).startswith("合计"):
                for column in self.totals:
                    tc = self.col(column)
                    typed = self.sheet.typed(r, tc) if tc else None
                    if column not in self.typed_totals and tc and not is_blank(typed):
                        self.typed_totals[column] = (self.sheet.at(r, tc), typed)
                return True
        return False

    def _has_content(self, r: int) -> bool:
        for column, c in self.read_columns.items():
            if column in self.carry_columns:
                continue
            value = self.sheet.own(r, c)
            if not is_blank(value) and squash(cell_text(value)) != ADD_ROWS:
                return True
        return False

    def _example_row(self, r: int) -> bool:
        """A row the blank form prints as an example: skipped as printed, an error once filled."""
        examples = self.table.definition.example_rows
        if examples is None:
            return False
        names = {squash(n) for n in examples.names}
        for column in self.leaf.entered():
            c = self.col(column)
            text = self.text(r, column)
            if c is None or column.type.name != "text" or squash(text) not in names:
                continue
            others = [k for col, k in self.read_columns.items() if col.parent is self.leaf and col is not column]
            if any(not is_blank(self.sheet.own(r, k)) for k in others):
                self.problem(
                    self.sheet.at(r, c), f"“{text.strip()}”是表格的示例行名称；请改为实际的{column.short_title}名称"
                )
            return True
        return False

    def _continues(self, current: _Row, r: int, carried: tuple[str, ...]) -> bool:
        """Whether row r is another sub-row of `current`: the same carried choices, and each of the row's own
        cells either inside the merged cell `current` started with, or left empty in a cell of its own."""
        if current.preset or current.carried != carried:
            return False
        for column in self.identity:
            c = self.col(column)
            if c is None:
                continue
            merged = self.sheet.merged(r, c)
            if merged and self.sheet.origin_of(r, c) == current.origins.get(column):
                continue
            if not merged and not self.text(r, column).strip():
                continue
            return False
        return True

    def _new_row(self, r: int, carry: dict[Column, tuple[str, tuple[int, int]]], carried: tuple[str, ...]) -> _Row:
        row = self._add(_Row({}, r, carried), r)
        if self.child is None:
            row.data = self._cells(r, self.top, carry, row.refs, ())
            return row
        for column in self.top.entered():
            c = self.col(column)
            row.refs[(column.key,)] = self.at(r, column)
            if column in self.identity and c is not None:
                row.origins[column] = self.sheet.origin_of(r, c)
            if column in self.carry_columns:
                row.data[column.key] = self._carried_value(r, column, carry)
            elif column.type.numeric:
                row.data[column.key] = None  # settled once every sub-row is read
            elif column in self.identity:
                row.data[column.key] = self._value(r, column, leaf=False)
            else:
                row.data[column.key] = ""
        self._parent_cells(row, r)
        row.data[self.rows_key] = []
        return row

    def _add(self, row: _Row, r: int) -> _Row:
        """A new row of the table, with its index in the submission from docgen's hidden column (the view
        groups rows by choice; the first row to claim an index keeps it)."""
        order = self._order(r)
        if order is not None and order not in self.used_orders:
            row.order = order
            self.used_orders.add(order)
        self.rows.append(row)
        return row

    def _order(self, r: int) -> int | None:
        if not self.layout.order_col:
            return None
        value = self.sheet.own(r, self.layout.order_col)
        try:
            return int(value) if value is not None and not isinstance(value, bool) else None
        except (TypeError, ValueError, OverflowError):
            return None

    def _parent_cells(self, row: _Row, r: int) -> None:
        """The row's own numbers and notes on one of its sheet rows (a clerk may write them on any)."""
        for column in self.top.entered():
            if column in self.carry_columns or (column in self.identity and not column.type.numeric):
                continue
            if column.type.numeric:
                self._parent_number(row, r, column)
            elif not row.data.get(column.key) and (text := self.text(r, column).strip()):
                row.data[column.key] = self._typed_text(r, column, text)

    def _typed_text(self, r: int, column: Column, text: str) -> Any:
        if column.type.name == "date":
            return self._date(self.at(r, column), self.sheet.value(r, self.col(column) or 1), column)
        return text

    def _parent_number(self, row: _Row, r: int, column: Column) -> None:
        """A number of the row (经费安排) merged over its sub-rows: read once per cell; several are added up."""
        c = self.col(column)
        if c is None:
            return
        origin = self.sheet.origin_of(r, c)
        if origin in row.seen or is_blank(self.sheet.own(*origin)):
            return
        row.seen.add(origin)
        value = self.sheet.own(*origin)
        hosted = [o for o in self.own if host_of(o) is column]
        note = ""
        if hosted and isinstance(value, str) and (m := _WITH_NOTE.match(value)):
            value, note = m.group(1), m.group(2)
        at = self.sheet.at(*origin)
        number = self._number(at, value, column)
        for own in hosted:  # the note printed inside this cell: its own column, else an older workbook's note
            label = f"{own.title}："
            comment = self.sheet.comment(*origin)
            if label in comment:
                note = comment.split(label, 1)[1]
            written = self.text(origin[0], own).strip()
            if (written or note) and not row.data.get(own.key):
                row.data[own.key] = written or note
        if number is None:
            row.bad.add(column)
        else:
            row.numbers.setdefault(column, {})[origin] = number

    # --- values --------------------------------------------------------------------------------------

    def _cells(
        self, r: int, level: Level, carry: dict[Column, tuple[str, tuple[int, int]]], refs: dict, prefix: Path_
    ) -> dict[str, Any]:
        """The values of one sheet row at a level (the table's rows, or its sub-rows), in the level's order."""
        data: dict[str, Any] = {}
        parts: dict[Column, Any] = {}
        carriers = {part: (show, pattern, tuple(ps)) for show, pattern, ps in self.shorthand[level] for part in ps}
        done: set[Column] = set()
        for column in level.entered():
            key = column.key
            if column in carriers and self.col(column) is None:
                show, pattern, ps = carriers[column]
                if show not in done:
                    done.add(show)
                    parts.update(self._shorthand(r, show, pattern, ps))
                data[key] = parts.get(column)
                refs[(*prefix, key)] = self.at(r, show)
                continue
            refs[(*prefix, key)] = self.at(r, column)
            if column in self.carry_columns:
                data[key] = self._carried_value(r, column, carry)
            else:
                data[key] = self._value(r, column, leaf=True)
        return data

    def _carried_value(self, r: int, column: Column, carry: dict[Column, tuple[str, tuple[int, int]]]) -> str:
        value = self._carried(column, carry)
        if not carry.get(column, ("",))[0] and column.definition.required:
            hint = "；请从下拉列表选择" if column.choices else ""
            self.problem(self.at(r, column), f"没有填写{column.short_title}{hint}")
        return value

    def _value(self, r: int, column: Column, leaf: bool) -> Any:
        """One cell's value by its column's type; a problem (and None or "") when it is not one."""
        c = self.col(column)
        kind = column.type.name
        at = self.at(r, column)
        if kind in ("text", "choice"):
            text = self.text(r, column)
            if squash(text) == ADD_ROWS:
                text = ""
            if not text.strip():
                if column.definition.required:
                    hint = "；请从下拉列表选择" if kind == "choice" else ""
                    self.problem(at, f"没有填写{column.short_title}{hint}")
                return ""
            if kind == "choice":
                return self._choice(column, text.strip(), self.sheet.origin_of(r, c) if c else None)
            return text
        if c is None:
            return None
        if leaf and column.type.numeric and self.sheet.spans_rows(r, c):
            # One amount over several rows would be copied into each: refuse rather than count it twice.
            origin = self.sheet.origin_of(r, c)
            if origin == (r, c):
                what = column.short_title
                self.problem(
                    self.sheet.range_at(*origin),
                    f"{what}单元格跨行合并，每一行应分别填写自己的{what}；请取消合并后分别填写",
                )
            return None
        value = self.sheet.value(r, c)
        if is_blank(value):
            if column.definition.required:
                self.problem(at, f"没有填写{column.short_title}")
            return None
        if kind == "date":
            return self._date(at, value, column)
        return self._number(at, value, column)

    def _number(self, at: At, value: Any, column: Column) -> Any:
        try:
            if column.type.name == "count":
                return read_count(value, column.short_title)
            return read_amount(value, column.short_title, self.unit)
        except CellError as exc:
            self.problem(at, exc.message)
            return None

    def _date(self, at: At, value: Any, column: Column) -> Any:
        try:
            return read_date(value, column.short_title)
        except CellError as exc:
            self.problem(at, exc.message)
            return None

    def _choice(self, column: Column, text: str, origin: tuple[int, int] | None) -> str:
        """A choice as written → its name (variants and spacing forgiven); reported once per cell it is in."""
        key = (column, origin, text)
        if key in self.resolved:
            return self.resolved[key]
        at = self.sheet.at(*origin) if origin else At(self.sheet.name)
        found = resolve_choice(column, text)
        names = [c.name for c in column.choices]
        if found is None:
            near = difflib.get_close_matches(squash(text), names, n=1, cutoff=0.5)
            guess = f"是否为“{near[0]}”？" if near else ""
            what = column.short_title
            self.problem(at, f"{what}“{text}”不是本表可选的{what}；{guess}请从下拉列表选择（可选：{'、'.join(names)}）")
            name = ""
        else:
            name = found.name
            if squash(text) != name:
                self.warnings.append(Problem(f"{column.short_title}“{text}”已按填写说明写作“{name}”", at))
        self.resolved[key] = name
        return name

    def _shorthand(self, r: int, show: Column, pattern: re.Pattern[str], parts: tuple[Column, ...]) -> dict:
        """项目数及单项金额 "4*30" → {项目数: 4, 单项金额: 30}; a problem when it is not of that shape."""
        c = self.col(show)
        value = self.sheet.own(r, c) if c else None
        at = self.sheet.at(r, c or 1)
        shape = "*".join(p.short_title for p in parts)
        example = "*".join(_EXAMPLE[p.type.name] for p in parts)
        if is_blank(value):
            if any(p.definition.required for p in parts):
                self.problem(at, f"没有填写{show.title}；应写成“{shape}”，例如 {example}")
            return {}
        text = cell_text(value)
        shown = shortened(text)
        typed = _UNIT_WORD.sub("", unicodedata.normalize("NFKC", text).strip())
        m = None if isinstance(value, (int, float)) else pattern.match(typed)
        if m is None:
            self.problem(at, f"{show.title}“{shown}”应写成“{shape}”，例如 {example}")
            return {}
        out: dict[Column, Any] = {}
        for part, digits in zip(parts, m.groups(), strict=True):
            what = part.short_title
            if len(digits) > MAX_NUMBER_DIGITS:  # int() of thousands of digits would raise Python's English
                self.problem(
                    at, f"{show.title}“{shown}”：{what}过长（{len(digits):,} 位），{what}最多 {MAX_NUMBER_DIGITS} 位"
                )
                return {}
            try:
                out[part] = read_count(digits, what) if part.type.name == "count" else read_amount(digits, what)
            except CellError as exc:
                self.problem(at, exc.message)
        return out

    # --- presets -------------------------------------------------------------------------------------

    def _label(self) -> Column | None:
        """The column whose text names a preset (拟设置项目), as the submission's `preset:` does."""
        fixed = self.table.preset_fixes()
        named = self.table.column("name")
        if named is not None and named.key in fixed:
            return named
        return next((c for c in self.table.columns() if c.key in fixed and c.type.name == "text"), None)

    def _matching(self) -> list[Column]:
        """The locked texts of a row that must be the preset's (or empty) for the row to be that preset's:
        the row's own cells above its sub-rows (主要工作内容); in a table without sub-rows, the label alone."""
        fixed, label = self.table.preset_fixes(), self._label()
        if self.child is None:
            return []
        return [c for c in self.top.columns if c.key in fixed and c.type.name == "text" and c is not label]

    def _preset_of(self, r: int) -> PresetDef | None:
        label = self._label()
        text = self.text(r, label) if label is not None else ""
        if label is None or not text.strip():
            return None
        preset = next((p for p in self.table.presets if p.id == text), None) or next(
            (p for p in self.table.presets if squash(str(p.values().get(label.key, ""))) == squash(text)), None
        )
        if preset is None:
            return None
        for column in self._matching():
            written = self.text(r, column)
            if written.strip() and squash(written) != squash(str(preset.values().get(column.key, ""))):
                return None  # the unit's own row that reuses a preset's name
        return preset

    def _preset_row(self, r: int, preset: PresetDef) -> None:
        label = self._label()
        assert label is not None
        published = preset.values()
        name = str(published.get(label.key, preset.id))
        fixed = self.table.preset_fixes()
        open_columns = [c for c in self.table.columns() if c.type.entered and c.key not in fixed]
        texts: dict[Column, str] = {}
        taken = False
        for column in open_columns:
            if column.type.name in ("text", "choice"):
                texts[column] = _after(self.text(r, column), str(published.get(column.key, "")))
                taken = taken or bool(texts[column].strip())
            else:
                c = self.col(column)
                taken = taken or (c is not None and not is_blank(self.sheet.value(r, c)))
        if not taken:
            return  # a preset row the unit does not take up
        matching = self._matching()
        for column in self.table.columns():
            if column.key not in fixed or column is label or column in matching or column.type.name != "text":
                continue
            written = self.text(r, column)
            if written.strip() and squash(written) != squash(str(published.get(column.key, ""))):
                self.problem(
                    self.at(r, column),
                    f"预设项目“{name}”的{column.short_title}由省局发布，不能改写；如需说明请写在备注中",
                )
        row = self._add(_Row({PRESET_KEY: name}, r, preset=True), r)
        row.refs[(PRESET_KEY,)] = self.at(r, label)
        for column in open_columns:
            row.refs[(column.key,)] = self.at(r, column)
            if column in texts:
                text = texts[column]
                if column.definition.required and not text.strip():
                    self.problem(self.at(r, column), f"没有填写{column.short_title}")
                c = self.col(column)
                origin = self.sheet.origin_of(r, c) if c else None
                row.data[column.key] = self._choice(column, text.strip(), origin) if column.choices and text else text
            else:
                row.data[column.key] = self._value(r, column, leaf=True)

    # --- the end -------------------------------------------------------------------------------------

    def _finish(self) -> list[dict[str, Any]]:
        for row in self.rows:
            if not row.preset and self.child is not None:
                self._settle_numbers(row)
            _drop_empty(row.data, self.own)
            for sub in row.data.get(self.rows_key, []) if self.child and not row.preset else []:
                _drop_empty(sub, self.own)
        # The view grouped rows by choice; the submission's order comes back from docgen's hidden column.
        keyed = []
        major = -1
        for pos, row in enumerate(self.rows):
            if row.order is not None:
                major = row.order
                keyed.append(((row.order, 0, pos), row))
            else:
                keyed.append(((major, 1, pos), row))
        keyed.sort(key=lambda kv: kv[0])
        for i, (_, row) in enumerate(keyed):
            self._cells_of(row, (self.table.key, i))
        self._check_typed_totals()
        return [row.data for _, row in keyed]

    def _settle_numbers(self, row: _Row) -> None:
        """Each number of a row with sub-rows: written once, added up when written on several sub-rows, or
        worked out from the sub-rows when its check says what it must equal (经费安排 = Σ 项目数×单项金额)."""
        for column in self.top.entered():
            if not column.type.numeric or column in self.carry_columns:
                continue
            found = row.numbers.get(column, {})
            what = column.short_title
            if found:
                total = sum(found.values(), Decimal(0))
                if len(found) > 1:
                    first = self.sheet.at(*next(iter(found)))
                    same = self.identity[0].short_title if self.identity else "行"
                    self.warnings.append(Problem(f"同一{same}填了{len(found)}个{what}，已合计为 {total}", first))
                row.data[column.key] = total
                continue
            if column in row.bad:
                continue
            at = self.sheet.at(row.first_row, self.col(column) or 1)
            rhs = equals(column)
            value = evaluate(rhs, _scope(self.top, row.data)) if rhs is not None else None
            if isinstance(value, Decimal) and not isinstance(value, bool):
                row.data[column.key] = value
                self.warnings.append(Problem(f"{what}未填写，已按“{titled(rhs, self.top)}”合计为 {value}", at))  # type: ignore[arg-type]
            elif column.definition.required:
                self.problem(at, f"没有填写{what}")

    def _cells_of(self, row: _Row, base: Path_) -> None:
        """The cell of every value of a row, and of the row itself (its first own cell, or its preset's name)."""
        anchor = next((c for c in self.top.entered() if c not in self.carry_columns), None)
        first = row.refs.get((PRESET_KEY,)) if row.preset else None
        first = first or (row.refs.get((anchor.key,)) if anchor else None) or self.sheet.at(row.first_row, 1)
        self.cells[base] = str(first)
        named = next((c for c in self.child.entered() if c.type.name == "text"), None) if self.child else None
        for rel, at in row.refs.items():
            self.cells[(*base, *rel)] = str(at)
            if self.child is not None and named is not None and len(rel) == 3 and rel[2] == named.key:
                self.cells[(*base, *rel[:2])] = str(at)

    def _check_typed_totals(self) -> None:
        """A 合计 typed over the formula must agree with the rows; it is never silently replaced."""
        for column, (at, typed) in self.typed_totals.items():
            if isinstance(typed, str) and typed.startswith("="):
                continue
            values: list[Any] = []
            for row in self.rows:
                if column.parent is self.top or row.preset or self.child is None:
                    values.append(row.data.get(column.key))
                else:
                    values += [sub.get(column.key) for sub in row.data.get(self.rows_key, [])]
            if any(v is None for v in values):
                continue  # a row's amount is already reported
            rows_total = sum(values, Decimal(0))
            try:
                value = read_amount(typed, "合计", self.unit)
            except CellError as exc:
                self.problem(at, exc.message)
                continue
            if value != rows_total:
                self.problem(
                    at,
                    f"合计“{cell_text(typed)}”与各行金额之和 {rows_total} 不符；请改正合计或恢复合计公式（docgen 按各行重新计算）",
                )


def _after(text: str, published: str) -> str:
    """The unit's words after the preset's own (the sheet prints 备注 as the preset's, then the unit's)."""
    if published and text.startswith(published):
        rest = text[len(published) :]
        return rest[1:] if rest.startswith("；") else rest.lstrip("；;，, \n")
    return text


def _drop_empty(data: dict[str, Any], own: set[Column]) -> None:
    """No key for a number left empty, nor for docgen's own column left empty (测算依据 is optional)."""
    keys = {c.key for c in own}
    for key in [k for k, v in data.items() if v is None or (v == "" and k in keys)]:
        del data[key]


def _scope(level: Level, data: dict[str, Any]) -> Scope:
    children: dict[str, list[Scope]] = {}
    if level.child is not None and level.child.key:
        children[level.child.key] = [_scope(level.child, sub) for sub in data.get(level.child.key, [])]
    return Scope(data, level.formulas(), children)


__all__ = ["TableReader"]
