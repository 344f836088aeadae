"""The provincial summary's view (汇总表): built from the units' own document views, never from files again.

Each unit's part (`UnitFiling`) is taken from the `DocumentView` its packet was rendered from, in the
worker that rendered it; the summary only adds them up. Amounts stay `Decimal` end to end.

The form decides everything printed here; nothing names a form's tables or columns:
- the title: the form's `summary_title`, else its title with 征集表 read 汇总表 (`summary_title`);
- the tables summed: those with a `total` column (a table of names and dates has no 项目 and no amount);
- the groups: a table's `merge: equal` choice column's choices, headed by that column's title (2024's 类型);
  a table without one counts its rows under its own heading (2024's 后补助资金);
- a 项目: a row of a summed table's lowest level, with the figures the view worked out (count, unit amount,
  amount), counted in the count column's title when the tables share one (else 项目数);
- the 项目清单: 单位, 表, the group column, then the summed tables' printed texts by title in the order first
  seen, the project's name followed by the figures (a column's `summary_as` and `summary_width` adjust it).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from docgen.form.tree import Column, Form, Table
from docgen.standard.text import squash
from docgen.views.form import DocumentView, TableView, figure_columns, label_column

PRESET_MARK = "预设"
COUNT_TITLE = "项目数"  # what a row of a table without a count column counts as
NAME = "name"  # a column's `summary_as` naming the project
_TEXT_TYPES = ("text", "date", "choice")
_NUMERALS = "一二三四五六七八九"


@dataclass(frozen=True)
class ProjectRow:
    """One project of one unit, as the project list prints it."""

    unit: str
    table_key: str
    table: str  # 表（一）保留省局部分
    category: str
    project: str  # its name: what 其他填报同名项目的单位 compares
    count: int
    unit_amount: Decimal | None
    amount: Decimal
    texts: tuple[tuple[str, str], ...] = ()  # (the 项目清单's column title, text), the name apart
    preset: bool = False

    def text(self, title: str) -> str:
        return next((t for head, t in self.texts if head == title), "")


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


def table_label(number: str, heading: str) -> str:
    """表（一）保留省局部分: the table's number and its subtitle (else its title)."""
    return f"表（{number}）{heading}"


def ungrouped(subtitle: str, title: str) -> str:
    """The heading a table without a group column counts its rows under: its subtitle (后补助资金), else title."""
    return subtitle or title


def summary_title(form: Form) -> str:
    """The summary's title: the form's `summary_title`, else its title read as a summary (…征集表 → …汇总表)."""
    if form.definition.summary_title:
        return form.definition.summary_title
    head, found, tail = form.title.rpartition("征集表")
    if found:
        return f"{head}汇总表{tail}"
    return (form.title[:-1] if form.title.endswith("表") else form.title) + "汇总表"


def summed(form: Form) -> list[Table]:
    """The tables the summary adds up: those with a column counting toward the 合计."""
    return [t for t in form.tables if any(c.definition.total for c in t.columns())]


def _group_column(table: Table) -> Column | None:
    """The column a table's rows are grouped by (类型): its row's `merge: equal` choice column."""
    return next((c for c in table.level.columns if c.definition.merge == "equal" and c.choices), None)


def _group(table: Table) -> list[str] | None:
    """The names of a table's group column's choices (类型), None when it has none."""
    column = _group_column(table)
    return [c.name for c in column.choices] if column is not None else None


def group_lists(form: Form) -> list[str]:
    """Every name of the choice lists the summed tables group by, in the lists' order, then each ungrouped heading."""
    names: list[str] = []
    for table in summed(form):
        column = _group_column(table)
        if column is not None and column.definition.choices:
            names += [c.name for c in form.choices.get(column.definition.choices, ()) if c.name not in names]
    return names + [ungrouped(t.definition.subtitle, t.definition.title) for t in summed(form) if _group(t) is None]


def unit_id_of(form: Form, name: str) -> str:
    """The published unit whose full name this is (spaces and punctuation widths ignored), or ""."""
    wanted = squash(name)
    return next((u.id for u in form.units if squash(u.name) == wanted), "")


# --- the 项目清单's columns -------------------------------------------------------------------


def _lowest_columns(table: Table) -> list[Column]:
    return list(table.levels())[-1].columns


def _listed(table: Table) -> list[tuple[Column, str | None]]:
    """Each printed column of a table with how the 项目清单 lists it: NAME, a title, or None (not listed)."""
    group = _group_column(table)
    own_name = any(c.definition.summary_as == NAME for c in table.columns())
    label = label_column(table)
    out: list[tuple[Column, str | None]] = []
    for c in table.printed():
        said = c.definition.summary_as
        texty = c.type.name in _TEXT_TYPES and c is not group
        if said is False:
            out.append((c, None))
        elif said == NAME or (said is None and not own_name and c is label and texty):
            out.append((c, NAME))
        elif said:
            out.append((c, said))
        else:
            out.append((c, c.title if texty else None))
    return out


@dataclass(frozen=True)
class ListColumn:
    """A column of the 项目清单 filled from the tables' texts (or the project's name)."""

    title: str
    width: float | None = None  # the form's `summary_width` for it (None: fitted to its texts)
    name: bool = False  # the project's name, which the figures follow


def list_columns(tables: Iterable[Table]) -> list[ListColumn]:
    """The 项目清单's text columns: every listed title in the order first seen, the names in one column."""
    out: dict[str, ListColumn] = {}
    name_at: str | None = None  # the title of the names' column, once seen
    for table in tables:
        for column, listed in _listed(table):
            if listed is None:
                continue
            title = (name_at or column.title) if listed == NAME else listed
            if listed == NAME:
                name_at = title
            known = out.get(title)
            if known is None:
                out[title] = ListColumn(title, column.definition.summary_width, listed == NAME)
            elif known.width is None and column.definition.summary_width is not None:
                out[title] = ListColumn(title, column.definition.summary_width, known.name)
    return list(out.values())


def _shared(titles: list[str | None], default: str) -> str:
    """The one title every table gives (e.g. 项目数), else the summary's own word."""
    return titles[0] if titles and None not in titles and len(set(titles)) == 1 and titles[0] else default


def _title(column: Column | None) -> str | None:
    return column.title if column is not None else None


def numeral(n: int) -> str:
    """1 → 一, 4 → 四, 12 → 十二, 40 → 四十 (how a count of tables is written: 四部分合并)."""
    if n < 10:
        return _NUMERALS[n - 1] if n > 0 else "零"
    tens, ones = divmod(n, 10)
    return (_NUMERALS[tens - 1] if tens > 1 else "") + "十" + (_NUMERALS[ones - 1] if ones else "")


# --- a unit's part ----------------------------------------------------------------------------


def _table_rows(unit: str, table: Table, tv: TableView) -> list[ProjectRow]:
    listed = _listed(table)
    roles = [as_ for _, as_ in listed]  # the view prints the tree's printed columns, in order
    if [c.key for c, _ in listed] != [c.key for c in tv.columns]:
        by_key = {c.key: as_ for c, as_ in listed}
        roles = [by_key.get(c.key) for c in tv.columns]
    label = table_label(tv.number, tv.heading)
    rows = []
    for row in tv.body:
        if row.figures is None:
            continue
        name, texts = "", defaultdict(list)
        for as_, cell in zip(roles, row.cells, strict=True):
            if as_ == NAME:
                name = cell.text
            elif as_ is not None and cell.text:
                texts[as_].append(cell.text)
        count, unit_amount, amount = row.figures
        rows.append(
            ProjectRow(
                unit,
                tv.key,
                label,
                row.category or tv.heading,
                name,
                count,
                unit_amount,
                amount,
                tuple((title, "；".join(parts)) for title, parts in texts.items()),
                row.kind == "preset",
            )
        )
    return rows


def unit_filing(view: DocumentView) -> UnitFiling:
    """A unit's summary part, read off the view its packet was rendered from (the summed tables' rows)."""
    rows: list[ProjectRow] = []
    for table in summed(view.form):
        rows += _table_rows(view.unit, table, view.table(table.key))
    return UnitFiling(
        unit_id_of(view.form, view.unit),
        view.unit,
        view.source_name,
        {t.key: t.total for t in view.tables},
        tuple(rows),
        tuple(view.warnings),
    )


# --- the totals -------------------------------------------------------------------------------


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
    count_title: str = COUNT_TITLE  # what its rows count in: its count column's title (项目数)

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


@dataclass(frozen=True)
class ListLayout:
    """The 项目清单's words: its text columns and the titles of the figures and the group."""

    columns: tuple[ListColumn, ...]
    group_title: str  # the group column's title (类型); "" when no summed table has one
    count_title: str  # 项目数, or the count column's title every summed table shares
    unit_amount_title: str  # 单项金额（万元）
    amount_title: str  # 金额（万元）
    presets: bool  # a summed table has presets (the 预设项目 column)


def _layout(form: Form) -> ListLayout:
    tables = summed(form)
    figures = [figure_columns(list(t.levels())[-1]) for t in tables]
    groups = [c for c in (_group_column(t) for t in tables) if c is not None]
    unit = form.amount_unit
    return ListLayout(
        tuple(list_columns(tables)),
        groups[0].title if groups else "",
        _shared([_title(f[0]) for f in figures], COUNT_TITLE),
        _shared([_title(f[1]) for f in figures if f[0] is not None], f"单项金额（{unit}）"),
        _shared([_title(f[2]) for f in figures], f"金额（{unit}）"),
        any(t.presets for t in tables),
    )


@dataclass
class SummaryView:
    form: Form
    filings: list[UnitFiling]  # units that filed, in the form's unit order
    tables: list[SummaryTable]  # the summed tables
    rows: list[ProjectRow]
    missing: list[tuple[str, str, str]]  # (unit, status, reason): did not file, or failed
    duplicates: dict[str, list[str]]  # project name → the units that filed it (two or more)
    layout: ListLayout  # the 项目清单's columns and the words of its headings

    @property
    def title(self) -> str:
        """2024年度知识产权项目需求汇总表."""
        return summary_title(self.form)

    @property
    def amount_unit(self) -> str:
        return self.form.amount_unit

    @property
    def grouped(self) -> bool:
        """Whether a summed table has a group column (else the categories' block would restate the tables)."""
        return bool(self.layout.group_title)

    @property
    def group_title(self) -> str:
        """The categories' heading: the group column's title (类型)."""
        return self.layout.group_title

    @property
    def count_title(self) -> str:
        """What the units' projects count in: 项目数 (or the count column's title all summed tables share)."""
        return self.layout.count_title

    @property
    def tables_in_words(self) -> str:
        """How many tables the categories' block merges, in words (四)."""
        return numeral(len(self.tables))

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
        """One category's projects and amount across all summed tables."""
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
    for table in summed(form):
        heading = ungrouped(table.definition.subtitle, table.definition.title)
        count = figure_columns(list(table.levels())[-1])[0]
        tables.append(
            SummaryTable(
                table.key,
                table_label(table.number, heading),
                _group(table) or [heading],
                count_title=count.title if count is not None else COUNT_TITLE,
            )
        )
    by_key = {t.key: t for t in tables}
    rows: list[ProjectRow] = []
    filers: dict[str, list[str]] = defaultdict(list)
    for f in filings:
        for row in f.rows:
            rows.append(row)
            by_key[row.table_key].cells.setdefault((row.unit, row.category), Cellsum()).add(row.count, row.amount)
            name = squash(row.project)
            if name and not row.preset and row.unit not in filers[name]:
                filers[name].append(row.unit)
    duplicates = {name: units for name, units in filers.items() if len(units) > 1}
    filed_ids = {f.unit_id for f in filings}
    failed_names = {squash(name) for name, _, _ in failed}
    missing = list(failed) + [
        (u.name, "未报送", "没有收到该单位的填报文件")
        for u in form.units
        if u.id not in filed_ids and squash(u.name) not in failed_names
    ]
    return SummaryView(form, filings, tables, rows, missing, duplicates, _layout(form))


__all__ = [
    "COUNT_TITLE",
    "PRESET_MARK",
    "Cellsum",
    "ListColumn",
    "ListLayout",
    "ProjectRow",
    "SummaryTable",
    "SummaryView",
    "UnitFiling",
    "collect",
    "list_columns",
    "numeral",
    "summary_title",
    "summed",
    "table_label",
    "unit_filing",
    "unit_id_of",
]
