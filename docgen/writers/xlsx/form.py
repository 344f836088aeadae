"""The XLSX writer: the four tables of 附件1 as four print-ready, editable sheets.

Everything printed comes from the document view (rows, merges, texts, amounts); this module only
decides spreadsheet matters: cells, styles, widths, row heights, print settings, the 类型
drop-down, the 合计 formula and reproducible bytes.

Layout of every sheet (1-based rows): 1 title, 2 subtitle, 3 the unit info line, 4 the column
header, 5… the body, then (filled form only) the 合计 row. One hidden column right of the table
(header ``ORDER_HEADER``) keeps each row's index in the submission's list, so that the importer
can restore the submission's order after the view grouped rows by category.
"""

from __future__ import annotations

import io
import re
from dataclasses import replace
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.packaging.custom import IntProperty, StringProperty
from openpyxl.styles import Alignment, Border, Font, Protection, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.page import PageMargins
from openpyxl.worksheet.worksheet import Worksheet

from docgen.io.reproducible import fixed_zip
from docgen.models.values import format_plain
from docgen.standard import gbt9704 as L
from docgen.standard.text import clean_text
from docgen.views.form import Cell, ColumnView, DocumentView, Row, TableView, has_total, total_row
from docgen.writers.xlsx.cached import with_cached_values
from docgen.writers.xlsx.cells import (
    AMOUNT_FORMAT,
    MAX_ROW_HEIGHT,
    char_units,
    row_height,
    set_amount,
    set_text,
    text_lines,
    unit_on_its_own_line,
)

# --- shared with the importer ------------------------------------------------------------------

TITLE_ROW, SUBTITLE_ROW, INFO_ROW, HEADER_ROW = 1, 2, 3, 4
FIRST_BODY_ROW = 5
ORDER_HEADER = "docgen排序（勿改）"
ESTIMATE_LABEL = "测算依据："  # the cell note older docgen workbooks carried
ESTIMATE_HEADER = "测算依据"  # the workbook's own column right of 经费安排 (a number cell cannot hold text)
EXTRA_BLANK_ROWS = 10  # empty rows the blank workbook adds to every table, before its 合计
INFO_LABELS = ("填报单位", "联系人", "联系电话", "填报日期")
INFO_JOIN = "　　"  # between two info parts in one cell (a table narrower than four columns)
PROP_FORM = "docgen.form"
PROP_FORM_ID = "docgen.form_id"
PROP_UNIT = "docgen.unit"
PROP_UNIT_KIND = "docgen.unit_kind"
PROP_CITY = "docgen.city"
PROP_SHA = "docgen.source_sha256"
EXTRA_VALIDATION_ROWS = 60  # the 类型 drop-down reaches this far below the last row, for additions


def sheet_name(table: TableView) -> str:
    return f"表{table.number}"


# --- look ---------------------------------------------------------------------------------------

FANGSONG, HEITI, KAITI, XIAOBIAOSONG = "仿宋_GB2312", "黑体", "楷体_GB2312", "方正小标宋简体"
BODY_PT = HEADER_PT = L.TABLE_TEXT_PT  # the same table text size as DOCX and PDF
INFO_PT, SUBTITLE_PT, TITLE_PT = 11.0, 14.0, 18.0
TOTAL_WIDTH = 150.0  # sum of column widths (Excel character units); fit-to-width scales it to A4
_THIN = Side(style="thin", color="000000")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)


def _font(name: str, size: float, bold: bool = False) -> Font:
    return Font(name=name, size=size, bold=bold)


def header_text(title: str, width: float) -> str:
    """A column title as its header cell holds it (HEADER_PT): see cells.unit_on_its_own_line."""
    return unit_on_its_own_line(title, width, HEADER_PT)


# --- writing ------------------------------------------------------------------------------------


_INFO_ROOM = ("某某市市场监督管理局（知识产权局）", "某某某", "0000-00000000", "2023年12月31日")


def _info_groups(table: TableView, texts: list[str]) -> list[tuple[int, int]]:
    """Column ranges (1-based, inclusive) of the four info-line cells, chosen so that each text
    (or, on the blank form, room for a typical entry) fits on one line where possible."""
    from itertools import combinations

    n = len(table.columns)
    widths = [c.share * TOTAL_WIDTH for c in table.columns]
    room = [t if len(t) > len(label) + len(r) else label + r for t, label, r in zip(texts, INFO_LABELS, _INFO_ROOM)]
    best: tuple | None = None
    for cuts in combinations(range(1, n), 3):
        bounds = (0, *cuts, n)
        groups = [(bounds[k] + 1, bounds[k + 1]) for k in range(4)]
        lines = sum(text_lines(t, sum(widths[a - 1 : b]), INFO_PT) for t, (a, b) in zip(room, groups))
        spare = min(
            sum(widths[a - 1 : b]) - sum(char_units(ch, INFO_PT) for ch in t) for t, (a, b) in zip(room, groups)
        )
        score = (lines, -spare)
        if best is None or score < best[0]:
            best = (score, groups)
    assert best is not None
    return best[1]


def _with_note_columns(table: TableView) -> TableView:
    """A column with a note (经费安排's 测算依据) gets the note's own column right of it: the PDF prints
    the note inside the cell, but a spreadsheet cell is either a number (summed by 合计) or text, not both."""
    for at in reversed([i + 1 for i, c in enumerate(table.columns) if c.note_key]):
        table = _with_note_column(table, at)
    return table


def _with_note_column(table: TableView, at: int) -> TableView:
    noted = table.columns[at - 1]
    widths = [c.width for c in table.columns]
    widths.insert(at, noted.width * 1.6)
    total = sum(widths)
    columns = [replace(c, share=w / total) for c, w in zip(table.columns, widths[:at] + widths[at + 1 :])]
    columns.insert(at, ColumnView(noted.note_key, noted.note_title, widths[at], widths[at] / total, False))
    rows = []
    for row in table.rows:
        cells = list(row.cells)
        b = cells[at - 1]
        if row.kind == "total":
            extra = Cell()
        else:
            extra = Cell(text=b.note, rowspan=b.rowspan, covered=b.covered)
        cells.insert(at, extra)
        cells[at - 1] = replace(b, text=b.text.split("\n", 1)[0] if b.note else b.text, note="")
        rows.append(replace(row, cells=tuple(cells)))
    return replace(table, columns=tuple(columns), rows=tuple(rows))


def _with_room(table: TableView) -> TableView:
    """The blank workbook: empty rows to fill and a 合计 row, like the filled form's."""
    blank = Row("blank", tuple(Cell() for _ in table.columns))
    total = (total_row(table.columns, Decimal(0), 0),) if has_total(table.columns) else ()
    rows = (*table.body, *([blank] * EXTRA_BLANK_ROWS), *total)
    return replace(table, rows=rows)


def sheet_table(view: DocumentView, table: TableView) -> TableView:
    """The table as its sheet lays it out: the view's rows, plus (blank form) room to fill and a 合计
    row, plus the notes' columns (测算依据)."""
    return _with_note_columns(_with_room(table) if view.blank else table)


_PLACEHOLDER = re.compile(r"\{([^{}.]+)(?:\.([^{}]+))?\}")


def _formula(template: str, table: TableView, xr: int, rowspan: int) -> str:
    """A computed cell's formula: {key} → the row's cell of that column, {rows.key} → the column's cells
    over the rows this (merged) cell spans."""
    letters = {c.key: get_column_letter(i) for i, c in enumerate(table.columns, start=1)}

    def one(m: re.Match[str]) -> str:
        if m.group(2) is None:
            return f"{letters[m.group(1)]}{xr}"
        letter = letters[m.group(2)]
        return f"{letter}{xr}:{letter}{xr + rowspan - 1}"

    return _PLACEHOLDER.sub(one, template)


def _write_table(wb: Workbook, view: DocumentView, table: TableView) -> dict[str, str]:
    """One table's sheet; the values of its formula cells by reference (cached in the file afterwards)."""
    cached: dict[str, str] = {}
    table = sheet_table(view, table)
    protected = table.locked  # the province's preset text is locked
    ws: Worksheet = wb.create_sheet(sheet_name(table))
    ncols = len(table.columns)
    last = get_column_letter(ncols)
    widths = [col.share * TOTAL_WIDTH for col in table.columns]
    for i, w in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = round(w, 2)
    order_col = ncols + 1
    ws.column_dimensions[get_column_letter(order_col)].hidden = True
    ws.column_dimensions[get_column_letter(order_col)].width = 8

    heights: dict[int, float] = {}

    # Title and subtitle, merged across the table.
    for title_row, text, font, size in (
        (TITLE_ROW, table.title, XIAOBIAOSONG, TITLE_PT),
        (SUBTITLE_ROW, table.subtitle, KAITI, SUBTITLE_PT),
    ):
        c = ws.cell(row=title_row, column=1)
        set_text(c, text)
        c.font = _font(font, size)
        c.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        ws.merge_cells(f"A{title_row}:{last}{title_row}")
        heights[title_row] = row_height(text_lines(text, sum(widths), size), size) + 4

    # The unit info line: four cells "填报单位：…".
    info_lines = 1
    texts = [f"{label}：{clean_text(value)}" for label, value in view.info_line]
    if len(table.columns) < len(texts):  # a narrow table: the four parts share its cells, in order
        per = -(-len(texts) // len(table.columns))
        texts = [INFO_JOIN.join(texts[k : k + per]) for k in range(0, len(texts), per)]
        groups = [(k + 1, k + 1) for k in range(len(texts))]
    else:
        groups = _info_groups(table, texts)
    for (first, end), text in zip(groups, texts):
        c = ws.cell(row=INFO_ROW, column=first)
        set_text(c, text)
        c.font = _font(FANGSONG, INFO_PT)
        c.alignment = Alignment(horizontal="left", vertical="center", wrap_text=True)
        if end > first:
            ws.merge_cells(start_row=INFO_ROW, start_column=first, end_row=INFO_ROW, end_column=end)
        info_lines = max(info_lines, text_lines(text, sum(widths[first - 1 : end]), INFO_PT))
    heights[INFO_ROW] = row_height(info_lines, INFO_PT)

    # Column header.
    header_lines = 1
    for i, col in enumerate(table.columns, start=1):
        c = ws.cell(row=HEADER_ROW, column=i)
        title = header_text(col.title, widths[i - 1])
        set_text(c, title)
        c.font = _font(HEITI, HEADER_PT)
        c.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        c.border = _BORDER
        header_lines = max(header_lines, text_lines(title, widths[i - 1], HEADER_PT))
    set_text(ws.cell(row=HEADER_ROW, column=order_col), ORDER_HEADER)
    heights[HEADER_ROW] = row_height(header_lines, HEADER_PT)

    # Body and 合计.
    amount_cols = [i for i, col in enumerate(table.columns) if col.numeric]
    first_body = FIRST_BODY_ROW
    last_body = first_body + len(table.body) - 1
    merge_needs: list[tuple[int, int, int]] = []  # (first row, last row, lines) of vertical merges
    # Merge first, then style every cell (covered ones too, so an unmerge keeps borders and formats).
    for r0, c0, r1, c1 in table.merges:
        ws.merge_cells(start_row=first_body + r0, start_column=c0 + 1, end_row=first_body + r1, end_column=c1 + 1)
    for r, row in enumerate(table.rows):
        xr = first_body + r
        row_lines = 1
        for ci, (col, cell) in enumerate(zip(table.columns, row.cells)):
            c = ws.cell(row=xr, column=ci + 1)
            c.border = _BORDER
            c.font = _font(FANGSONG, BODY_PT)
            horizontal = "center" if col.align == "center" or row.kind == "total" else "left"
            if col.numeric:
                horizontal = "right"  # amounts line up on the decimal point, 合计 included
            c.alignment = Alignment(horizontal=horizontal, vertical="center", wrap_text=True)
            if col.numeric:
                c.number_format = AMOUNT_FORMAT
            if cell.covered or cell.hidden:
                continue
            if row.kind == "total" and (
                col.total or (not any(c.total for c in table.columns) and ci == amount_cols[0])
            ):
                ref = get_column_letter(ci + 1)
                c.value = f"=SUM({ref}{first_body}:{ref}{last_body})" if last_body >= first_body else 0
                c.font = _font(FANGSONG, BODY_PT, bold=True)
                continue
            if col.excel and row.kind in ("data", "blank"):
                # the form's own formula, so that a clerk sees it update; its value cached for readers
                c.value = _formula(col.excel, table, xr, cell.rowspan)
                if cell.value is not None:
                    cached[c.coordinate] = format_plain(cell.value)
                text_for_height = cell.text
            elif cell.value is not None:
                set_amount(c, cell.value)
                text_for_height = cell.text
            else:
                if cell.text:
                    set_text(c, cell.text)
                text_for_height = cell.text
            if row.kind == "total":
                c.font = _font(HEITI if ci == 0 else FANGSONG, BODY_PT)
            width = sum(widths[ci : ci + cell.colspan])
            n = text_lines(text_for_height, width, BODY_PT) if text_for_height else 1
            if cell.rowspan > 1:
                merge_needs.append((xr, xr + cell.rowspan - 1, n))
            else:
                row_lines = max(row_lines, n)
        if row.kind in ("blank", "placeholder"):
            row_lines = max(row_lines, 2)  # room to write by hand on the printed blank form
        if protected:
            for ci, col in enumerate(table.columns):
                locked = row.kind == "preset" and col.fixed
                ws.cell(row=xr, column=ci + 1).protection = Protection(locked=locked)
        heights[xr] = row_height(row_lines, BODY_PT)
        if row.kind in ("data", "preset") and row.item >= 0 and not view.blank:
            ws.cell(row=xr, column=order_col, value=row.item)
    # A vertical merge's text spreads over its rows: grow them evenly if it needs more room.
    for r0, r1, n in merge_needs:
        need = row_height(n, BODY_PT)
        have = sum(heights[r] for r in range(r0, r1 + 1))
        if need > have:
            extra = (need - have) / (r1 - r0 + 1)
            for r in range(r0, r1 + 1):
                heights[r] += extra
    for r, h in heights.items():
        ws.row_dimensions[r].height = round(min(h, MAX_ROW_HEIGHT), 1)

    # A choice column's drop-down (类型), over the body and room for added rows.
    for ci, col in enumerate(table.columns, start=1):
        if col.choices:
            _drop_down(ws, col, get_column_letter(ci), first_body, max(last_body, first_body) + EXTRA_VALIDATION_ROWS)

    if protected:
        _protect(ws, len(table.columns), first_body + len(table.rows), last_body + EXTRA_VALIDATION_ROWS)

    # Print: A4 landscape, one page wide, header repeated, page numbers, frozen header.
    last_row = first_body + len(table.rows) - 1
    ws.freeze_panes = f"A{FIRST_BODY_ROW}"
    ws.print_area = f"A1:{last}{max(last_row, HEADER_ROW)}"
    ws.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
    ws.page_margins = PageMargins(left=0.6, right=0.6, top=0.7, bottom=0.8, header=0.3, footer=0.4)
    ws.oddFooter.center.text = "— &P —"
    ws.oddFooter.center.size = 12
    ws.oddFooter.center.font = "宋体,常规"
    ws.sheet_view.zoomScale = 100
    return cached


def _drop_down(ws: Worksheet, col: ColumnView, letter: str, first: int, last: int) -> None:
    """The list of a choice column's names; another value warns (a clerk may still keep it)."""
    dv = DataValidation(
        type="list",
        formula1='"' + ",".join(col.choices) + '"',
        allow_blank=True,
        showDropDown=False,
        showErrorMessage=True,
        errorStyle="warning",
        errorTitle=col.title,
        error=f"请从下拉列表中选择本表允许的{col.title}。",
        showInputMessage=True,
        promptTitle=col.title,
        prompt="请从下拉列表中选择。",
    )
    dv.add(f"{letter}{first}:{letter}{last}")
    ws.add_data_validation(dv)


def _protect(ws: Worksheet, ncols: int, first_free: int, last_free: int) -> None:
    """Sheet protection that locks only the preset text: every other cell, and rows below for
    additions, stay editable; no password (a guard against slips, not a secret)."""
    for r in range(first_free, last_free + 1):
        for c in range(1, ncols + 1):
            ws.cell(row=r, column=c).protection = Protection(locked=False)
    p = ws.protection
    p.sheet = True
    p.formatCells = p.formatColumns = p.formatRows = False  # False: allowed to the clerk
    p.insertRows = p.deleteRows = p.sort = p.autoFilter = False
    p.selectLockedCells = p.selectUnlockedCells = False


def _instructions(wb: Workbook, view: DocumentView) -> None:
    """填写说明 (附件2) as the blank workbook's first sheet: the nine items, printable."""
    form = view.form
    ws = wb.create_sheet("填写说明")  # after the four tables: the workbook still opens on 表一
    ws.column_dimensions["A"].width = 110
    c = ws.cell(row=1, column=1)
    set_text(c, form.instructions_title)
    c.font = _font(XIAOBIAOSONG, TITLE_PT)
    c.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    ws.row_dimensions[1].height = row_height(text_lines(form.instructions_title, 110, TITLE_PT), TITLE_PT)
    for i, item in enumerate(form.instructions, start=2):
        text = f"{item.number}. {item.title}。{item.text}"
        c = ws.cell(row=i, column=1)
        set_text(c, text)
        c.font = _font(FANGSONG, INFO_PT + 1)
        c.alignment = Alignment(horizontal="left", vertical="top", wrap_text=True)
        ws.row_dimensions[i].height = round(
            min(row_height(text_lines(text, 110, INFO_PT + 1), INFO_PT + 1), MAX_ROW_HEIGHT), 1
        )
    ws.page_setup.orientation = "portrait"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True


def _workbook(view: DocumentView) -> tuple[Workbook, list[dict[str, str]]]:
    wb = Workbook()
    wb.remove(wb.active)
    cached = [_write_table(wb, view, table) for table in view.tables]
    if view.blank:
        _instructions(wb, view)
    wb.active = 0
    props = wb.properties
    props.title = view.document_title
    props.subject = view.form.attachment_title
    props.creator = view.generator
    props.lastModifiedBy = view.generator
    props.keywords = f"sha256:{view.source_sha256}" if view.source_sha256 else ""
    props.description = f"来源 {view.source_name} sha256 {view.source_sha256}" if view.source_sha256 else "空白征集表"
    props.category = view.form.notice_number
    custom = wb.custom_doc_props
    custom.append(IntProperty(name=PROP_FORM, value=view.form.year))
    if view.form.id != str(view.form.year):  # a form whose id is not its year (2025-fuwu-jigou)
        custom.append(StringProperty(name=PROP_FORM_ID, value=view.form.id))
    for name, value in (
        (PROP_UNIT, view.unit),
        (PROP_UNIT_KIND, view.unit_kind),
        (PROP_CITY, view.city),
        (PROP_SHA, view.source_sha256),
    ):
        if value:
            custom.append(StringProperty(name=name, value=value))
    wb.calculation.fullCalcOnLoad = True
    return wb, cached


def write_xlsx(view: DocumentView) -> bytes:
    """The filled (or blank) form as an .xlsx; identical views give identical bytes."""
    wb, cached = _workbook(view)
    buf = io.BytesIO()
    wb.save(buf)
    return fixed_zip(with_cached_values(buf.getvalue(), cached))


__all__ = ["sheet_name", "sheet_table", "write_xlsx"]
