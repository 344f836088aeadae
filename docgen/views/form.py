"""The document view: what every writer prints, computed once (rows, merges, totals, text)."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Literal

from docgen import __version__
from docgen.models.form import Form, Preset, TableSpec
from docgen.models.submission import OwnDelegated, PresetRef, Submission, WorkItem
from docgen.models.values import format_quantity
from docgen.standard import gbt9704 as L
from docgen.standard.metrics import text_width_zi
from docgen.standard.text import clean_text, format_amount, format_date

RowKind = Literal["data", "blank", "preset", "placeholder", "total"]
AMOUNT_KEYS = ("budget", "amount")
# Columns merged vertically over a group of rows: 类型 over a category, 主要工作内容 and
# 经费安排 over the projects of one work item.
MERGE_LEVELS = {"category": "category", "work": "item", "budget": "item"}


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

    form: Form
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


def _columns(spec: TableSpec) -> tuple[ColumnView, ...]:
    total = sum(c.width for c in spec.columns)
    return tuple(
        ColumnView(c.key, c.title, c.width, c.width / total, c.key in AMOUNT_KEYS, len(c.title) <= WHOLE_TITLE_MAX)
        for c in spec.columns
    )


def _needed_pt(col: ColumnView, texts: list[str]) -> float:
    """The narrowest width (pt) at which no number and no short title of ``col`` breaks."""
    zi = text_width_zi(col.title) if col.whole_title else 1.0
    for text in texts:
        amount, _, note = text.partition("\n")  # an amount, then its 测算依据 (which may wrap)
        runs = [amount, *_UNBREAKABLE.findall(note)] if col.numeric else _UNBREAKABLE.findall(text)
        zi = max([zi, *(text_width_zi(r) for r in runs)])
    return zi * L.TABLE_TEXT_PT + CELL_EXTRA_PT


def fit_columns(columns: tuple[ColumnView, ...], rows: list[Row]) -> tuple[ColumnView, ...]:
    """Columns whose shares make room for their longest unbreakable text, taken from the columns
    with room to spare in proportion to that room (the published form's weights otherwise)."""
    table_pt = L.mm_to_pt(L.LANDSCAPE_TEXT_WIDTH_MM)
    need = [
        _needed_pt(col, [r.cells[i].text for r in rows if r.cells[i].colspan == 1 and not r.cells[i].hidden])
        for i, col in enumerate(columns)
    ]
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


def _merge(lines: list[_Line], columns: tuple[ColumnView, ...]) -> list[Row]:
    """Turn lines into rows with vertical merges on the category and work-item columns."""
    rows: list[list[Cell]] = []
    for line in lines:
        cells = []
        for col in columns:
            text = clean_text(line.values.get(col.key, ""))
            cells.append(Cell(text=text, value=line.amounts.get(col.key), note=clean_text(line.notes.get(col.key, ""))))
        rows.append(cells)
    for c, col in enumerate(columns):
        level = MERGE_LEVELS.get(col.key)
        if level is None:
            continue
        start = 0
        while start < len(lines):
            end = start + 1
            key = (lines[start].category,) if level == "category" else (lines[start].category, lines[start].item)
            while (
                end < len(lines)
                and key == ((lines[end].category,) if level == "category" else (lines[end].category, lines[end].item))
                and (level == "category" or lines[start].item >= 0)
            ):
                end += 1
            if end - start > 1 and key[0] != "":
                rows[start][c] = replace(rows[start][c], rowspan=end - start)
                for r in range(start + 1, end):
                    # Covered cells keep the group's text so a page break can repeat the label.
                    rows[r][c] = replace(rows[start][c], rowspan=1, covered=True)
            start = end
    return [Row(line.kind, tuple(cells), line.category, line.item, line.figures) for line, cells in zip(lines, rows)]


def total_row(columns: tuple[ColumnView, ...], total: Decimal, count: int) -> Row:
    first_amount = next(i for i, c in enumerate(columns) if c.numeric)
    cells: list[Cell] = [Cell("合计", colspan=first_amount)]
    cells += [Cell(hidden=True)] * (first_amount - 1)
    cells.append(Cell(format_amount(total), value=total))
    rest = len(columns) - first_amount - 1
    if rest:
        note = f"共{count}个项目"  # an empty table's 合计 reads like the others: 0.00, 共0个项目
        cells.append(Cell(note, colspan=rest))
        cells += [Cell(hidden=True)] * (rest - 1)
    return Row("total", tuple(cells))


def _numbered(lines: list[_Line]) -> list[_Line]:
    n = 0
    for line in lines:
        if line.kind in ("data", "preset") and line.values.get("name"):
            n += 1
            line.values["seq"] = str(n)
    return lines


def _by_category(form: Form, spec: TableSpec, lines: Iterable[_Line]) -> list[_Line]:
    order = {form.category(cid).name: i for i, cid in enumerate(spec.categories)}
    return sorted(lines, key=lambda ln: order.get(ln.category, len(order)))  # stable within a category


def _work_lines(form: Form, spec: TableSpec, items: list[WorkItem]) -> list[_Line]:
    lines = []
    for i, item in enumerate(items):
        for p in item.projects:
            budget_text = format_amount(item.budget)
            lines.append(
                _Line(
                    values={
                        "category": item.category,
                        "work": item.work,
                        "budget": budget_text,
                        "name": p.name,
                        "quantity": format_quantity(p.count, p.unit_amount),
                        "necessity": p.necessity,
                        "policy_basis": p.policy_basis,
                        "performance": p.performance,
                        "remarks": p.remarks,
                    },
                    amounts={"budget": item.budget},
                    category=item.category,
                    item=i,
                    figures=(p.count, p.unit_amount, p.count * p.unit_amount),
                )
            )
            if item.estimate:
                # 测算依据 is printed after the budget (填写说明 item 3: 经费总体安排及测算).
                lines[-1].values["budget"] = f"{budget_text}\n（{item.estimate}）"
                lines[-1].notes["budget"] = item.estimate
    return _by_category(form, spec, lines)


def _preset_values(form: Form, preset: Preset) -> dict[str, str]:
    return {
        "category": form.category(preset.category).name,
        "work": preset.work,
        "name": preset.name,
        "necessity": preset.necessity,
        "policy_basis": preset.policy_basis,
        "remarks": preset.remarks,
    }


def _delegated_lines(form: Form, spec: TableSpec, items: list) -> list[_Line]:
    lines = []
    for i, item in enumerate(items):
        if isinstance(item, PresetRef):
            preset = form.preset(item.preset)
            assert preset is not None  # validation guarantees it
            values = _preset_values(form, preset)
            values.update(amount=format_amount(item.amount), performance=item.performance)
            # The unit's remarks follow the province's published ones.
            values["remarks"] = "；".join(x for x in (preset.remarks, item.remarks) if x)
            lines.append(
                _Line(values, {"amount": item.amount}, values["category"], i, "preset", figures=(1, None, item.amount))
            )
        elif isinstance(item, OwnDelegated):
            for p in item.projects:
                lines.append(
                    _Line(
                        {
                            "category": item.category,
                            "work": item.work,
                            "name": p.name,
                            "amount": format_amount(p.amount),
                            "necessity": p.necessity,
                            "policy_basis": p.policy_basis,
                            "performance": p.performance,
                            "remarks": p.remarks,
                        },
                        {"amount": p.amount},
                        item.category,
                        i,
                        figures=(1, None, p.amount),
                    )
                )
    return _by_category(form, spec, lines)


def _subsidy_lines(items: list) -> list[_Line]:
    return [
        _Line(
            {
                "work": s.work,
                "name": s.name,
                "amount": format_amount(s.amount),
                "basis": s.basis,
                "recipient": s.recipient,
                "performance": s.performance,
                "remarks": s.remarks,
            },
            {"amount": s.amount},
            "",
            i,
            figures=(1, None, s.amount),
        )
        for i, s in enumerate(items)
    ]


def _table(form: Form, spec: TableSpec, lines: list[_Line], total: Decimal, with_total: bool) -> TableView:
    columns = _columns(spec)
    lines = _numbered(lines)
    rows = _merge(lines, columns)
    count = sum(1 for ln in lines if ln.kind in ("data", "preset") and ln.values.get("name"))
    if with_total:
        rows.append(total_row(columns, total, count))
    columns = fit_columns(columns, rows)
    return TableView(spec.key, spec.number, spec.title, spec.subtitle, columns, tuple(rows), total, count)


def _lines_and_total(form: Form, spec: TableSpec, sub: Submission) -> tuple[list[_Line], Decimal]:
    """One table's lines and its 合计 (万元)."""
    items = getattr(sub, spec.key)
    if spec.kind == "work":
        return _work_lines(form, spec, items), sum((it.budget for it in items), Decimal(0))
    if spec.kind == "subsidy":
        return _subsidy_lines(items), sum((it.amount for it in items), Decimal(0))
    lines = _delegated_lines(form, spec, items)
    return lines, sum((ln.amounts["amount"] for ln in lines), Decimal(0))


def table_totals(form: Form, sub: Submission) -> dict[str, Decimal]:
    """Each table's 合计 by key, exactly as `build_view` has them, without laying the tables out."""
    return {spec.key: _lines_and_total(form, spec, sub)[1] for spec in form.tables}


def build_view(
    form: Form, sub: Submission, source_name: str = "", source_bytes: bytes = b"", warnings: Iterable[str] = ()
) -> DocumentView:
    """The filled form of one unit."""
    tables = [_table(form, spec, *_lines_and_total(form, spec, sub), with_total=True) for spec in form.tables]
    return DocumentView(
        form=form,
        blank=False,
        unit=clean_text(sub.unit),
        unit_kind=sub.unit_kind,
        city=sub.city or "",
        contact_name=clean_text(sub.contact.name),
        contact_phone=clean_text(sub.contact.phone),
        date=sub.date,
        tables=tuple(tables),
        source_name=source_name,
        source_sha256=hashlib.sha256(source_bytes).hexdigest() if source_bytes else "",
        warnings=tuple(warnings),
    )


BLANK_ROWS_PER_CATEGORY = 2
BLANK_ROWS_PLAIN = 3
ADD_ROWS = "可加行"


def blank_view(form: Form) -> DocumentView:
    """The form as the province distributes it: empty rows per category, table （四）'s presets."""
    tables = []
    for spec in form.tables:
        lines: list[_Line] = []
        if spec.kind == "work":
            for cid in spec.categories:
                name = form.category(cid).name
                for _k in range(BLANK_ROWS_PER_CATEGORY):
                    lines.append(
                        _Line({"category": name, "name": ADD_ROWS if not lines else ""}, {}, name, -1, "blank")
                    )
        elif spec.kind == "subsidy":
            lines = [_Line({"name": ADD_ROWS if k == 0 else ""}, {}, "", -1, "blank") for k in range(BLANK_ROWS_PLAIN)]
        else:
            item = 0
            for cid in spec.categories:
                name = form.category(cid).name
                for preset in (p for p in form.presets if p.category == cid):
                    lines.append(_Line(_preset_values(form, preset), {}, name, item, "preset"))
                    item += 1
                if spec.placeholder:
                    for pname in spec.placeholder.names:
                        lines.append(
                            _Line(
                                {"category": name, "work": spec.placeholder.work, "name": pname},
                                {},
                                name,
                                item,
                                "placeholder",
                            )
                        )
                    item += 1
        tables.append(_table(form, spec, lines, Decimal(0), with_total=False))
    return DocumentView(
        form=form,
        blank=True,
        unit="",
        unit_kind="",
        city="",
        contact_name="",
        contact_phone="",
        date=None,
        tables=tuple(tables),
    )
