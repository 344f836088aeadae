"""The provincial summary as a workbook an officer decides budgets in, without a calculator.

Sheets: 单位汇总 (each unit's table totals and its grand total, then every category across the
tables), 表一汇总 … (one per summed table: categories × units), 项目清单 (every project with its
texts under the form's own titles, a preset marker when the form has presets, the other units that
filed the same project, and empty 审核意见/拟安排金额 columns for the reviewer), 警告 (every warning
with its text), 未报送或失败. Every figure and every title comes from the view.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import partial
from operator import attrgetter

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from docgen.io.reproducible import fixed_zip
from docgen.views.summary import PRESET_MARK, ProjectRow, SummaryView
from docgen.writers.xlsx.cells import (
    MAX_ROW_HEIGHT,
    char_units,
    row_height,
    set_amount,
    set_text,
    text_lines,
    unit_on_its_own_line,
)

_THIN = Side(style="thin")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_HEAD = Font(name="黑体", size=11)
_BODY = Font(name="仿宋_GB2312", size=11)
_TITLE = Font(name="方正小标宋简体", size=16)
_WRAP = Alignment(wrap_text=True, vertical="center")
_CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
_RIGHT = Alignment(horizontal="right", vertical="center")
SUMMARY_SHEET, PROJECTS_SHEET, WARNINGS_SHEET, MISSING_SHEET = "单位汇总", "项目清单", "警告", "未报送或失败"
DEFAULT_WIDTH = 8.43  # Excel's width of a column none was set for
UNIT_WIDTH = 38  # a unit's full name, 17 字 at 11 pt, on one line (Excel column units)
TEXT_WIDTH = (10.0, 40.0)  # a 项目清单 text column fitted to its texts: never narrower, never wider


def review_heads(amount_unit: str) -> tuple[str, str]:
    """The reviewer's two columns of the 项目清单."""
    return ("审核意见", f"拟安排金额（{amount_unit}）")


REVIEW_HEADS = review_heads("万元")


def _text(ws: Worksheet, r: int, c: int, value: str, font: Font = _BODY, align: Alignment = _WRAP) -> None:
    cell = ws.cell(row=r, column=c)
    set_text(cell, value)
    cell.font, cell.alignment, cell.border = font, align, _BORDER


def _amount(ws: Worksheet, r: int, c: int, value: Decimal, font: Font = _BODY) -> None:
    cell = ws.cell(row=r, column=c)
    set_amount(cell, value)
    cell.font, cell.alignment, cell.border = font, _RIGHT, _BORDER


def _count(ws: Worksheet, r: int, c: int, value: int, font: Font = _BODY) -> None:
    cell = ws.cell(row=r, column=c, value=value)
    cell.font, cell.alignment, cell.border = font, _RIGHT, _BORDER


def _empty(ws: Worksheet, r: int, c: int) -> None:
    cell = ws.cell(row=r, column=c)
    cell.border, cell.alignment = _BORDER, _WRAP


def _title(ws: Worksheet, text: str, ncols: int) -> None:
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=ncols)
    _text(ws, 1, 1, text, _TITLE, _CENTER)
    ws.row_dimensions[1].height = 30


def _widths(ws: Worksheet, widths: Sequence[float]) -> None:
    for c, w in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(c)].width = w


def _fit_rows(ws: Worksheet, first: int, heads: Sequence[int]) -> None:
    """Heights for rows whose texts wrap (column titles, unit names, the project list's long texts), from
    the column widths already set; titles in `heads` rows that wrap are broken before their unit."""
    width = {c: ws.column_dimensions[get_column_letter(c)].width or DEFAULT_WIDTH for c in range(1, ws.max_column + 1)}
    spans: dict[tuple[int, int], float | None] = {}  # a merged range's first cell → its width (None: rows)
    for m in ws.merged_cells.ranges:
        across = sum(width.get(c, DEFAULT_WIDTH) for c in range(m.min_col, m.max_col + 1))
        spans[(m.min_row, m.min_col)] = None if m.max_row > m.min_row else across
    for row in ws.iter_rows(min_row=first):
        need = 0.0  # the tallest cell's height; a row of single lines keeps the default
        for cell in row:
            if not isinstance(cell.value, str) or not cell.value:
                continue
            w = spans.get((cell.row, cell.column), width.get(cell.column, DEFAULT_WIDTH))
            if w is None:
                continue  # a title over two rows (单位) has their room
            size = float(cell.font.sz or 11)
            if cell.row in heads:
                set_text(cell, unit_on_its_own_line(cell.value, w, size))
            lines = text_lines(cell.value, w, size)
            if lines > 1:
                need = max(need, row_height(lines, size))
        if need:
            ws.row_dimensions[row[0].row].height = round(min(need, MAX_ROW_HEIGHT), 1)


def _print(ws: Worksheet, title_rows: str, one_page: bool = False) -> None:
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, (1 if one_page else 0)
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = title_rows
    ws.oddFooter.center.text = "— &P —"


def _unit_sheet(wb: Workbook, view: SummaryView) -> None:
    ws = wb.create_sheet(SUMMARY_SHEET)
    unit = view.amount_unit
    heads = ["单位", *(t.title for t in view.tables), f"合计（{unit}）", view.count_title, "警告数"]
    _title(ws, f"{view.title} — 各单位合计（金额单位：{unit}）", len(heads))
    for c, h in enumerate(heads, start=1):
        _text(ws, 2, c, h, _HEAD, _CENTER)
    r = 3
    for f in view.filings:
        _text(ws, r, 1, f.unit)
        for c, t in enumerate(view.tables, start=2):
            _amount(ws, r, c, f.totals.get(t.key, Decimal(0)))
        _amount(ws, r, len(view.tables) + 2, f.total, _HEAD)
        _count(ws, r, len(view.tables) + 3, sum(p.count for p in f.rows))
        _count(ws, r, len(view.tables) + 4, len(f.warnings))
        r += 1
    _text(ws, r, 1, "合计", _HEAD, _CENTER)
    for c, t in enumerate(view.tables, start=2):
        _amount(ws, r, c, view.table_total(t.key), _HEAD)
    _amount(ws, r, len(view.tables) + 2, view.grand_total(), _HEAD)
    _count(ws, r, len(view.tables) + 3, sum(p.count for p in view.rows), _HEAD)
    _count(ws, r, len(view.tables) + 4, len(view.warning_rows), _HEAD)
    heads_rows = (2, _category_block(ws, view, r + 2)) if view.grouped else (2,)
    _widths(ws, [UNIT_WIDTH, *[18] * len(view.tables), 14, 8, 8])
    _fit_rows(ws, 2, heads=heads_rows)
    ws.freeze_panes = "B3"
    _print(ws, "2:2", one_page=True)  # the province's overview: both blocks on one sheet of paper


def _category_block(ws: Worksheet, view: SummaryView, r: int) -> int:
    """Every category across the tables, from row `r` (below a blank row); returns its heading's row."""
    cat_head_row = r
    cat_heads = [view.group_title, *(t.title for t in view.tables), f"合计（{view.amount_unit}）", view.count_title]
    for c, h in enumerate(cat_heads, start=1):
        _text(ws, r, c, h, _HEAD, _CENTER)
    for cat in view.categories:
        r += 1
        _text(ws, r, 1, cat)
        for c, t in enumerate(view.tables, start=2):
            if cat in t.categories:
                _amount(ws, r, c, view.category_in(cat, t.key).amount)
            else:
                _text(ws, r, c, "—", align=_CENTER)
        across = view.category_across(cat)
        _amount(ws, r, len(view.tables) + 2, across.amount, _HEAD)
        _count(ws, r, len(view.tables) + 3, across.count)
    r += 1
    _text(ws, r, 1, "合计", _HEAD, _CENTER)
    for c, t in enumerate(view.tables, start=2):
        _amount(ws, r, c, view.table_total(t.key), _HEAD)
    _amount(ws, r, len(view.tables) + 2, view.grand_total(), _HEAD)
    _count(ws, r, len(view.tables) + 3, sum(p.count for p in view.rows), _HEAD)
    return cat_head_row


def _matrix_sheets(wb: Workbook, view: SummaryView) -> None:
    for t in view.tables:
        ws = wb.create_sheet(t.title.split("）")[0].replace("表（", "表") + "汇总")
        ncols = 1 + 2 * (len(t.categories) + 1)
        _title(ws, f"{view.title} — {t.title}", ncols)
        _text(ws, 2, 1, "单位", _HEAD, _CENTER)
        ws.merge_cells(start_row=2, start_column=1, end_row=3, end_column=1)
        for i, cat in enumerate([*t.categories, "合计"]):
            col = 2 + 2 * i
            ws.merge_cells(start_row=2, start_column=col, end_row=2, end_column=col + 1)
            _text(ws, 2, col, cat, _HEAD, _CENTER)
            _text(ws, 3, col, t.count_title, _HEAD, _CENTER)
            _text(ws, 3, col + 1, f"金额（{view.amount_unit}）", _HEAD, _CENTER)
        r = 4
        for unit in view.units:
            _text(ws, r, 1, unit)
            for i, cat in enumerate(t.categories):
                c = t.cell(unit, cat)
                _count(ws, r, 2 + 2 * i, c.count)
                _amount(ws, r, 3 + 2 * i, c.amount)
            tot = t.unit_total(unit)
            _count(ws, r, ncols - 1, tot.count)
            _amount(ws, r, ncols, tot.amount)
            r += 1
        _text(ws, r, 1, "合计", _HEAD, _CENTER)
        for i, cat in enumerate(t.categories):
            c = t.category_total(cat, view.units)
            _count(ws, r, 2 + 2 * i, c.count, _HEAD)
            _amount(ws, r, 3 + 2 * i, c.amount, _HEAD)
        grand = t.total(view.units)
        _count(ws, r, ncols - 1, grand.count, _HEAD)
        _amount(ws, r, ncols, grand.amount, _HEAD)
        _widths(ws, [UNIT_WIDTH] + [8 if col % 2 == 0 else 12 for col in range(2, ncols + 1)])
        _fit_rows(ws, 2, heads=(2, 3))
        ws.freeze_panes = "B4"
        _print(ws, "1:3")


Write = Callable[[Worksheet, int, int, ProjectRow], None]  # one cell of a project's row


@dataclass(frozen=True)
class _ListColumn:
    title: str
    width: float
    write: Write


def _texts(get: Callable[[ProjectRow], str], align: Alignment = _WRAP) -> Write:
    return lambda ws, r, c, row: _text(ws, r, c, get(row), align=align)


def _unit_amount(ws: Worksheet, r: int, c: int, row: ProjectRow) -> None:
    if row.unit_amount is not None:
        _amount(ws, r, c, row.unit_amount)
    else:
        _empty(ws, r, c)


def _fitted(title: str, texts: list[str]) -> float:
    """A text column's width: its longest line (title or text) on one line, within TEXT_WIDTH."""
    lines = [line for t in [title, *texts] for line in t.split("\n")]
    longest = max(sum(char_units(ch, 11) for ch in line) for line in lines)
    return round(min(max(longest + 1.5, TEXT_WIDTH[0]), TEXT_WIDTH[1]), 1)


def _project_columns(view: SummaryView) -> list[_ListColumn]:
    """The 项目清单's columns: the unit, the table, the group, the texts with the figures after the name (else
    after the texts), the preset mark (a form with presets), the other units filing the name, the reviewer's."""
    lay = view.layout
    figures = [
        _ListColumn(lay.count_title, 8, lambda ws, r, c, row: _count(ws, r, c, row.count)),
        _ListColumn(lay.unit_amount_title, 12, _unit_amount),
        _ListColumn(lay.amount_title, 12, lambda ws, r, c, row: _amount(ws, r, c, row.amount)),
    ]
    out = [
        _ListColumn("单位", UNIT_WIDTH, _texts(attrgetter("unit"))),
        _ListColumn("表", 22, _texts(attrgetter("table"))),
    ]
    if lay.group_title:
        out.append(_ListColumn(lay.group_title, 18, _texts(attrgetter("category"))))
    for col in lay.columns:
        get = attrgetter("project") if col.name else partial(ProjectRow.text, title=col.title)
        out.append(_ListColumn(col.title, col.width or _fitted(col.title, [get(r) for r in view.rows]), _texts(get)))
        if col.name:
            out += figures
    if not any(col.name for col in lay.columns):
        out += figures
    if lay.presets:
        out.append(_ListColumn("预设项目", 8, _texts(lambda row: PRESET_MARK if row.preset else "", _CENTER)))
    out.append(_ListColumn("其他填报同名项目的单位", 28, _texts(lambda row: "、".join(view.others_filing(row)))))
    for head, width in zip(review_heads(view.amount_unit), (30, 14), strict=True):
        # the reviewer's columns: left empty, unlocked, for their decision
        out.append(_ListColumn(head, width, lambda ws, r, c, row: _empty(ws, r, c)))
    return out


def _projects_sheet(wb: Workbook, view: SummaryView) -> None:
    ws = wb.create_sheet(PROJECTS_SHEET)
    columns = _project_columns(view)
    for c, col in enumerate(columns, start=1):
        _text(ws, 1, c, col.title, _HEAD, _CENTER)
    for r, row in enumerate(view.rows, start=2):
        for c, col in enumerate(columns, start=1):
            col.write(ws, r, c, row)
    _widths(ws, [col.width for col in columns])
    _fit_rows(ws, 1, heads=(1,))
    ws.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{len(view.rows) + 1}"
    ws.freeze_panes = "A2"
    _print(ws, "1:1")


def _warnings_sheet(wb: Workbook, view: SummaryView) -> None:
    ws = wb.create_sheet(WARNINGS_SHEET)
    for c, h in enumerate(("单位", "文件", "警告"), start=1):
        _text(ws, 1, c, h, _HEAD, _CENTER)
    for r, (unit, source, text) in enumerate(view.warning_rows, start=2):
        for c, value in enumerate((unit, source, text), start=1):
            _text(ws, r, c, value)
    _widths(ws, [UNIT_WIDTH, 20, 110])
    _fit_rows(ws, 1, heads=(1,))
    ws.freeze_panes = "A2"
    _print(ws, "1:1")


def _missing_sheet(wb: Workbook, view: SummaryView) -> None:
    ws = wb.create_sheet(MISSING_SHEET)
    for c, h in enumerate(("单位", "状态", "原因"), start=1):
        _text(ws, 1, c, h, _HEAD, _CENTER)
    for r, (unit, status, reason) in enumerate(view.missing, start=2):
        for c, value in enumerate((unit, status, reason), start=1):
            _text(ws, r, c, value)
    _widths(ws, [UNIT_WIDTH, 14, 100])
    _fit_rows(ws, 1, heads=(1,))
    _print(ws, "1:1")


def write_summary_xlsx(view: SummaryView) -> bytes:
    """汇总表.xlsx; the same view gives the same bytes."""
    wb = Workbook()
    wb.remove(wb.active)
    _unit_sheet(wb, view)
    _matrix_sheets(wb, view)
    _projects_sheet(wb, view)
    _warnings_sheet(wb, view)
    _missing_sheet(wb, view)
    wb.active = 0
    wb.properties.title = view.title
    wb.properties.creator = "docgen"
    buf = io.BytesIO()
    wb.save(buf)
    return fixed_zip(buf.getvalue())


__all__ = [
    "MISSING_SHEET",
    "PROJECTS_SHEET",
    "REVIEW_HEADS",
    "SUMMARY_SHEET",
    "WARNINGS_SHEET",
    "review_heads",
    "write_summary_xlsx",
]
