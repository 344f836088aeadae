"""The provincial summary's view (汇总表): built from the units' own document views, never from files again.

Each unit's part (`UnitFiling`) is taken from the `DocumentView` its packet was rendered from, in the
worker that rendered it; the summary only adds them up. Amounts stay `Decimal` end to end.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from docgen.form.tree import Form, Table
from docgen.standard.text import squash
from docgen.views.form import DocumentView

NO_CATEGORY = "后补助资金"  # 2024's table （二） has no 类型: its rows count under its own subtitle
PRESET_MARK = "预设"


@dataclass(frozen=True)
class ProjectRow:
    """One project of one unit, as the project list prints it."""

    unit: str
    table_key: str
    table: str  # 表（一）保留省局部分
    category: str
    work: str
    project: str
    count: int
    unit_amount: Decimal | None
    amount: Decimal
    necessity: str = ""
    policy_basis: str = ""
    performance: str = ""
    remarks: str = ""
    preset: bool = False


@dataclass(frozen=True)
class UnitFiling:
    """One unit's part of the summary: its totals and projects, from its own document view."""

    unit_id: str  # the form's unit id ("" when the name is not a published unit)
    unit: str
    source: str  # the file it was built from
    totals: dict[str, Decimal]  # table key → the table's 合计
    rows: tuple[ProjectRow, ...]
    warnings: tuple[str, ...] = ()

    @property
    def total(self) -> Decimal:
        return sum(self.totals.values(), Decimal(0))


def table_label(number: str, subtitle: str) -> str:
    return f"表（{number}）{subtitle}"


def ungrouped(subtitle: str, title: str) -> str:
    """The heading a table without a group column (类型) counts its rows under: its subtitle (后补助资金)."""
    return subtitle or title


def _group(table: Table) -> list[str] | None:
    """The names of a table's group column's choices (类型), None when it has none."""
    column = next((c for c in table.level.columns if c.definition.merge == "equal" and c.choices), None)
    return [c.name for c in column.choices] if column is not None else None


def group_lists(form: Form) -> list[str]:
    """Every name of the choice lists the tables group by, in the lists' order, then each ungrouped heading."""
    names: list[str] = []
    for table in form.tables:
        column = next((c for c in table.level.columns if c.definition.merge == "equal" and c.choices), None)
        if column is not None and column.definition.choices:
            names += [c.name for c in form.choices.get(column.definition.choices, ()) if c.name not in names]
    return names + [ungrouped(t.definition.subtitle, t.definition.title) for t in form.tables if _group(t) is None]


def unit_id_of(form: Form, name: str) -> str:
    """The published unit whose full name this is (spaces and punctuation widths ignored), or ""."""
    wanted = squash(name)
    return next((u.id for u in form.units if squash(u.name) == wanted), "")


def unit_filing(view: DocumentView) -> UnitFiling:
    """A unit's summary part, read off the view its packet was rendered from."""
    rows: list[ProjectRow] = []
    for table in view.tables:
        label = table_label(table.number, table.subtitle)
        keys = [c.key for c in table.columns]
        for row in table.body:
            if row.figures is None:
                continue
            text = {k: cell.text for k, cell in zip(keys, row.cells, strict=True)}
            count, unit_amount, amount = row.figures
            rows.append(
                ProjectRow(
                    view.unit,
                    table.key,
                    label,
                    row.category or ungrouped(table.subtitle, table.title),
                    text.get("work", ""),
                    text.get("name", ""),
                    count,
                    unit_amount,
                    amount,
                    text.get("necessity", ""),
                    text.get("policy_basis", ""),
                    text.get("performance", ""),
                    text.get("remarks", ""),
                    row.kind == "preset",
                )
            )
    return UnitFiling(
        unit_id_of(view.form, view.unit),
        view.unit,
        view.source_name,
        {t.key: t.total for t in view.tables},
        tuple(rows),
        tuple(view.warnings),
    )


@dataclass
class Cellsum:
    count: int = 0
    amount: Decimal = Decimal(0)

    def add(self, count: int, amount: Decimal) -> None:
        self.count += count
        self.amount += amount


@dataclass
class SummaryTable:
    key: str
    title: str  # 表（一）保留省局部分
    categories: list[str]
    cells: dict[tuple[str, str], Cellsum] = field(default_factory=dict)  # (unit, category)

    def cell(self, unit: str, category: str) -> Cellsum:
        return self.cells.get((unit, category), Cellsum())

    def unit_total(self, unit: str) -> Cellsum:
        out = Cellsum()
        for cat in self.categories:
            c = self.cell(unit, cat)
            out.add(c.count, c.amount)
        return out

    def category_total(self, category: str, units: list[str]) -> Cellsum:
        out = Cellsum()
        for u in units:
            c = self.cell(u, category)
            out.add(c.count, c.amount)
        return out

    def total(self, units: list[str]) -> Cellsum:
        """The table's 合计 over all units (the matrix's bottom-right cell)."""
        out = Cellsum()
        for u in units:
            t = self.unit_total(u)
            out.add(t.count, t.amount)
        return out


@dataclass
class SummaryView:
    form: Form
    filings: list[UnitFiling]  # units that filed, in the form's unit order
    tables: list[SummaryTable]
    rows: list[ProjectRow]
    missing: list[tuple[str, str, str]]  # (unit, status, reason): did not file, or failed
    duplicates: dict[str, list[str]]  # project name → the units that filed it (two or more)

    @property
    def units(self) -> list[str]:
        return [f.unit for f in self.filings]

    def grand_total(self) -> Decimal:
        return sum((f.total for f in self.filings), Decimal(0))

    def table_total(self, key: str) -> Decimal:
        return sum((f.totals.get(key, Decimal(0)) for f in self.filings), Decimal(0))

    @property
    def categories(self) -> list[str]:
        """Every category in the 填写说明's order, then each ungrouped table's heading (后补助资金)."""
        return group_lists(self.form)

    def category_across(self, category: str) -> Cellsum:
        """One category's projects and amount across all four tables."""
        out = Cellsum()
        for t in self.tables:
            c = t.category_total(category, self.units)
            out.add(c.count, c.amount)
        return out

    def category_in(self, category: str, key: str) -> Cellsum:
        t = next(t for t in self.tables if t.key == key)
        return t.category_total(category, self.units) if category in t.categories else Cellsum()

    def others_filing(self, row: ProjectRow) -> list[str]:
        """The other units that filed a project of the same name."""
        return [u for u in self.duplicates.get(squash(row.project), []) if u != row.unit]

    @staticmethod
    def name_parts(name: str) -> list[str]:
        """A unit name cut into the words a line may break between: 深圳市市场监督管理局 | （知识产权局）,
        国家知识产权局 | 专利局 | 广州代办处."""
        head, paren, tail = name.partition("（")
        parts = [p for p in re.split(r"(?<=局)(?!$)", head) if p]
        return parts + ([paren + tail] if paren else [])

    @property
    def warning_rows(self) -> list[tuple[str, str, str]]:
        return [(f.unit, f.source, w) for f in self.filings for w in f.warnings]


def collect(form: Form, filings: list[UnitFiling], failed: list[tuple[str, str, str]]) -> SummaryView:
    """Total the units' filings; name the units that did not file or failed."""
    rank = {u.id: i for i, u in enumerate(form.units)}
    filings = sorted(filings, key=lambda f: (rank.get(f.unit_id, len(rank)), f.unit))
    tables = []
    for table in form.tables:
        cats = _group(table) or [ungrouped(table.definition.subtitle, table.definition.title)]
        tables.append(SummaryTable(table.key, table_label(table.number, table.definition.subtitle), cats))
    by_key = {t.key: t for t in tables}
    rows: list[ProjectRow] = []
    filers: dict[str, list[str]] = defaultdict(list)
    for f in filings:
        for row in f.rows:
            rows.append(row)
            by_key[row.table_key].cells.setdefault((row.unit, row.category), Cellsum()).add(row.count, row.amount)
            if not row.preset and row.unit not in filers[squash(row.project)]:
                filers[squash(row.project)].append(row.unit)
    duplicates = {name: units for name, units in filers.items() if len(units) > 1}
    filed_ids = {f.unit_id for f in filings}
    failed_names = {squash(name) for name, _, _ in failed}
    missing = list(failed) + [
        (u.name, "未报送", "没有收到该单位的填报文件")
        for u in form.units
        if u.id not in filed_ids and squash(u.name) not in failed_names
    ]
    return SummaryView(form, filings, tables, rows, missing, duplicates)


__all__ = [
    "NO_CATEGORY",
    "PRESET_MARK",
    "Cellsum",
    "ProjectRow",
    "SummaryTable",
    "SummaryView",
    "UnitFiling",
    "collect",
    "table_label",
    "unit_filing",
    "unit_id_of",
]
