"""Import a 征集表 workbook filled in Excel, WPS or LibreOffice back into a submission (YAML), for any form.

The workbook is the one `docgen.writers.xlsx.form.write_xlsx` writes (filled or blank), after a
clerk has edited it: merged cells hold their value in the first cell only, numbers may come back
as int, float or text, rows may have been inserted, rows may be empty. The form is the one the
workbook names (docgen's custom property, else the year in its titles); each of its tables is read
from its sheet by `table_reader`, walking the form's tree. Every problem is collected with its
sheet and cell (表一!F7) before failing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml

from docgen.authoring.workbook.cells import CellError, cell_text, is_blank, read_date, squash
from docgen.authoring.workbook.layout import find_layout, find_sheet, sheet_name
from docgen.authoring.workbook.problems import At, Problem
from docgen.authoring.workbook.reader import TableReader
from docgen.authoring.workbook.sheet import MAX_COLUMNS, Sheet
from docgen.check.units import unit_named
from docgen.form.loading import available, load
from docgen.form.tree import Form
from docgen.io.xlsx_grid import Book, WorkbookRefused, read_book
from docgen.models.diagnostics import format_path
from docgen.models.year import is_form_year
from docgen.writers.xlsx.form import INFO_LABELS, PROP_CITY, PROP_FORM, PROP_UNIT, PROP_UNIT_KIND

_SHEET_OF_TABLE = re.compile(r"^表[一二三四五六七八九十百〇零0-9]+$")
_LABELS = re.compile(r"(填报单位|联系人|联系电话|填报日期)\s*(?:（[^）]*）)?\s*[:：]?")
_YEAR = re.compile(r"(\d{4})\s*年度")


class ImportError_(Exception):
    """The workbook cannot be turned into a submission; `problems` says where and why (Chinese), by cell."""

    def __init__(self, problems: list[Problem]):
        super().__init__("\n".join(problems))
        self.problems = list(problems)


# --- which form ------------------------------------------------------------------------------------


def _form_of(book: Book, file: str) -> Form:
    """The form a workbook answers: the id docgen stored in it, else the one of its year whose tables it has."""
    named = book.custom.get(PROP_FORM)
    ids = available()
    if isinstance(named, str) and len(named) <= 100 and named in ids:
        return load(named)
    year = int(str(named)) if is_form_year(named) else _year_in_titles(book)
    forms = [load(i) for i in ids]
    candidates = [f for f in forms if f.year == year]
    if year is None or not candidates:
        why = f"；没有 {year} 年度的征集表" if year else ""
        raise ImportError_([Problem(f"无法确定征集表年度（标题应含“2024年度”等）{why}", file=file)])
    return max(candidates, key=lambda f: (_tables_found(book, f), f.id == str(year)))


def _year_in_titles(book: Book) -> int | None:
    candidates = [book.title]
    for grid in list(book.grids.values())[:1]:
        candidates += [v for (r, _), v in sorted(grid.values.items()) if r <= 3 and isinstance(v, str)]
    for text in candidates:
        if m := _YEAR.search(text):
            return int(m.group(1))
    return None


def _tables_found(book: Book, form: Form) -> int:
    """How many of a form's tables the workbook has by their own titles (two forms of one year told apart)."""
    found = 0
    for table in form.tables:
        title = squash(table.definition.title)
        grid = book.grids.get(sheet_name(table))
        found += grid is not None and any(
            isinstance(v, str) and squash(v) == title for (r, _), v in grid.values.items() if r <= 3
        )
    return found


# --- the unit's line ----------------------------------------------------------------------------------


def _info(sheet: Sheet, header_row: int) -> dict[str, tuple[str, At]]:
    """填报单位/联系人/联系电话/填报日期 above the header: label → (value, cell)."""
    out: dict[str, tuple[str, At]] = {}
    for r in range(1, header_row):
        pending: str | None = None
        for c in range(1, sheet.max_col + 1):
            value = sheet.own(r, c)
            if is_blank(value):
                continue
            text = cell_text(value)
            matches = list(_LABELS.finditer(text))
            if not matches:
                if pending:  # a label cell followed by a value cell
                    out[pending] = (text.strip(), sheet.at(r, c))
                    pending = None
                continue
            for i, m in enumerate(matches):
                end = matches[i + 1].start() if i + 1 < len(matches) else len(text)
                piece = text[m.end() : end].strip()
                out.setdefault(m.group(1), ("", sheet.at(r, c)))
                if piece:
                    out[m.group(1)] = (piece, sheet.at(r, c))
                    pending = None
                else:
                    pending = m.group(1)
    return out


def _unit_line(
    sheets: list[tuple[str, dict[str, tuple[str, At]]]], file: str, problems: list[Problem], warnings: list[Problem]
) -> dict[str, tuple[str, At]]:
    """The unit's line from the first sheet that has each entry; other sheets may only repeat it."""
    info: dict[str, tuple[str, At]] = {}
    for _, found in sheets:
        for label in INFO_LABELS:
            if label in found and found[label][0] and label not in info:
                info[label] = found[label]
    for _, found in sheets:
        for label in INFO_LABELS:
            if label in found and found[label][0] and label in info and found[label][0] != info[label][0]:
                warnings.append(
                    Problem(
                        f"{label}“{found[label][0]}”与 {info[label][1]} 的“{info[label][0]}”不同，已采用后者",
                        found[label][1],
                    )
                )
    first = At.of(sheets[0][0], 3, 1) if sheets else None
    for label in INFO_LABELS:
        if label not in info:
            at = next((f[label][1] for _, f in sheets if label in f), first)
            problems.append(Problem(f"没有填写{label}", at, file))
    return info


# --- YAML -------------------------------------------------------------------------------------------


class _Dumper(yaml.SafeDumper):
    pass


def _represent_decimal(dumper: yaml.SafeDumper, value: Decimal) -> yaml.Node:
    text = format(value.normalize(), "f") if value != value.to_integral_value() else str(int(value))
    tag = "tag:yaml.org,2002:int" if "." not in text else "tag:yaml.org,2002:float"
    return dumper.represent_scalar(tag, text)


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(Decimal, _represent_decimal)
_Dumper.add_representer(str, _represent_str)


# --- the workbook -------------------------------------------------------------------------------------


@dataclass
class WorkbookImport:
    """A workbook read as a submission: its YAML text, warnings, and the cell of every value."""

    text: str
    warnings: list[Problem]
    cells: dict[str, str]  # submission path (a table's [0].projects[1].count) → cell (表一!F6)
    unit_cell: str = ""
    paths: dict[tuple, str] = field(default_factory=dict)  # the same, keyed by path tuples


def read_workbook(path: str | Path) -> WorkbookImport:
    """A filled workbook → its submission and cell map; raise ImportError_ with every problem (by cell)."""
    path = Path(path)
    problems: list[Problem] = []
    warnings: list[Problem] = []
    try:
        book = read_book(path, MAX_COLUMNS)
    except WorkbookRefused as exc:
        prefix = f"{path.name}: "
        refused = exc.message
        raise ImportError_(
            [Problem(refused.removeprefix(prefix), file=path.name) if refused.startswith(prefix) else Problem(refused)]
        ) from None
    form = _form_of(book, path.name)

    tables: dict[str, list[dict[str, Any]]] = {}
    sheets: list[tuple[str, dict[str, tuple[str, At]]]] = []
    cells: dict[tuple[str | int, ...], str] = {}
    for table in form.tables:
        tables[table.key] = []
        grid = find_sheet(book, table)
        if grid is None:
            problems.append(Problem(f"缺少工作表“{sheet_name(table)}”（{table.definition.title}）", file=path.name))
            continue
        sheet = Sheet(grid, problems)
        layout = find_layout(sheet, table, problems)
        if layout is None:
            continue
        sheets.append((grid.name, _info(sheet, layout.header_row)))
        reader = TableReader(table, sheet, layout, problems, warnings)
        tables[table.key] = reader.read()
        cells.update(reader.cells)
    _sheets_of_no_table(book, form, problems)

    info = _unit_line(sheets, path.name, problems, warnings)
    unit = info.get("填报单位", ("", None))[0]
    date = None
    if "填报日期" in info:
        written, at = info["填报日期"]
        try:
            date = read_date(written, "填报日期")
        except CellError as exc:
            problems.append(Problem(exc.message, at))
    if problems:
        raise ImportError_(problems)

    data: dict[str, Any] = {"form": form.year, "unit": unit, **_unit_facts(form, book, unit, info, warnings)}
    data["contact"] = {"name": info["联系人"][0], "phone": info["联系电话"][0]}
    data["date"] = date
    for table in form.tables:  # every table of the form, in its order, an empty list where none was filled
        data[table.key] = tables[table.key]
    header = f"# 由 docgen import 从 {path.name} 导入；请运行 docgen validate 检查。\n"
    text = yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=10**6, default_flow_style=False)
    top: tuple[tuple[str, tuple[str | int, ...]], ...] = (
        ("填报单位", ("unit",)),
        ("联系人", ("contact", "name")),
        ("联系电话", ("contact", "phone")),
        ("填报日期", ("date",)),
        ("填报单位", ()),
        ("填报单位", ("unit_kind",)),
        ("填报单位", ("city",)),
        ("填报单位", ("form",)),
    )
    for label, place in top:
        cells[place] = str(info[label][1])
    cells[("contact",)] = str(info["联系人"][1])
    unit_cell = str(info["填报单位"][1])
    return WorkbookImport(header + text, warnings, {format_path(k): v for k, v in cells.items()}, unit_cell, cells)


def _unit_facts(
    form: Form, book: Book, unit: str, info: dict[str, tuple[str, At]], warnings: list[Problem]
) -> dict[str, Any]:
    """unit_kind and city: from the form's list of units, else from what docgen stored in the workbook."""
    props = book.custom
    match = unit_named(form, unit)
    if match is not None:
        kind, city = match.kind, match.city
    elif props.get(PROP_UNIT) == unit and props.get(PROP_UNIT_KIND):
        kind, city = props[PROP_UNIT_KIND], props.get(PROP_CITY) or None
    else:
        kind, city = "other", None
        warnings.append(
            Problem(
                f"填报单位“{unit}”不在通知的单位名单中，填报单位类型记为 other（其他单位），"
                "请在导入的文件中核对 unit_kind 与 city",
                info["填报单位"][1],
            )
        )
    return {"unit_kind": kind, **({"city": city} if city else {})}


def _sheets_of_no_table(book: Book, form: Form, problems: list[Problem]) -> None:
    """A sheet named like a table (表五) that the form does not have: its rows would be lost in silence."""
    names = {sheet_name(t) for t in form.tables}
    for name, grid in book.grids.items():
        if _SHEET_OF_TABLE.match(name) and name not in names and grid.values:
            tables = "、".join(sheet_name(t) for t in form.tables)
            problems.append(
                Problem(
                    f"工作表“{name}”不是征集表中的表（本征集表有：{tables}），其内容无法导入；请删除这张工作表，"
                    "或把内容移到对应的表中",
                    At(name),
                )
            )


def import_workbook(path: str | Path) -> tuple[str, list[Problem]]:
    """A filled workbook → (submission YAML text, warning lines); raise ImportError_ with every problem."""
    imported = read_workbook(path)
    return imported.text, imported.warnings


def import_workbook_cells(path: str | Path) -> tuple[str, list[Problem], dict[tuple, str]]:
    """As import_workbook, plus the cell each value came from: submission path tuple → "表一!F7"."""
    imported = read_workbook(path)
    return imported.text, imported.warnings, imported.paths


__all__ = [
    "MAX_COLUMNS",
    "ImportError_",
    "Problem",
    "WorkbookImport",
    "import_workbook",
    "import_workbook_cells",
    "read_workbook",
]
