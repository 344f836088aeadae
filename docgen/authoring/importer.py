"""Import a 征集表 workbook filled in Excel, WPS or LibreOffice back into a submission (YAML).

The workbook is the one `docgen.writers.xlsx.form.write_xlsx` writes (filled or blank), after a
clerk has edited it: merged cells hold their value in the first cell only, numbers may come back
as int, float or text, rows may have been inserted, rows may be empty. Every problem is collected
with its sheet and cell (表一!F7) before failing.
"""

from __future__ import annotations

import datetime as dt
import difflib
import math
import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import yaml
from openpyxl.utils import get_column_letter

from docgen.check.units import unit_named
from docgen.form.legacy import form_path, load_form
from docgen.io import limits
from docgen.io.xlsx_grid import MAX_ROWS, Book, Grid, WorkbookRefused, read_book
from docgen.io.xlsx_package import MAX_NUMBER_DIGITS
from docgen.models.diagnostics import format_path
from docgen.models.form import Form, TableSpec, squash
from docgen.models.values import parse_quantity
from docgen.models.year import is_form_year
from docgen.standard.text import clean_text
from docgen.views.form import ADD_ROWS
from docgen.writers.xlsx.form import (
    ESTIMATE_HEADER,
    ESTIMATE_LABEL,
    INFO_LABELS,
    ORDER_HEADER,
    PROP_CITY,
    PROP_FORM,
    PROP_UNIT,
    PROP_UNIT_KIND,
)

MAX_COLUMNS = 24  # columns read per sheet: the form's widest table has 11, plus docgen's hidden ones
MAX_AMOUNT = limits.MAX_AMOUNT  # 万元: the submission's own limit (docgen.models.values), one rule for both


class ImportError_(Exception):
    """The workbook cannot be turned into a submission; `problems` says where and why (Chinese)."""

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = list(problems)


# --- reading cells --------------------------------------------------------------------------------


class _Sheet:
    """One worksheet's bounded grid with merged ranges resolved: a covered cell reads its range's first cell."""

    def __init__(self, grid: Grid, problems: list[str]):
        self.grid, self.name, self.problems = grid, grid.name, problems
        self.origin: dict[tuple[int, int], tuple[int, int]] = {}
        self.ranges: dict[tuple[int, int], tuple[int, int, int, int]] = {}  # origin → (r0, c0, r1, c1)
        for r0, c0, r1, c1 in grid.facts.merges:
            if r0 > MAX_ROWS or c0 > MAX_COLUMNS:
                continue
            self.ranges[(r0, c0)] = (r0, c0, r1, c1)
            for r in range(r0, min(r1, MAX_ROWS) + 1):
                for c in range(c0, min(c1, MAX_COLUMNS) + 1):
                    self.origin[(r, c)] = (r0, c0)
        self.max_row = grid.max_row
        self.max_col = grid.max_col
        self.reported: set[tuple[int, int]] = set()
        for (r, c), digits in sorted(grid.facts.huge_numbers.items()):
            if r <= MAX_ROWS and c <= MAX_COLUMNS:
                shown = digits if len(digits) <= 24 else f"{digits[:12]}…（共 {len(digits)} 个字符）"
                problems.append(
                    f"{self.ref(r, c)}: 数字“{shown}”过大，不是有效的金额或项目数（最多 {MAX_NUMBER_DIGITS} 位整数）"
                )
                self.reported.add((r, c))
        if grid.facts.unreadable:
            problems.append(f"{self.name}: 含有过长的数字，本工作表其余内容未能读取；请改正上面的单元格后再导入")
        if grid.truncated:
            problems.append(
                f"{self.name}: 超过 {MAX_ROWS} 行，超出部分未读取；征集表每张表最多 {MAX_ROWS} 行，"
                "请删除多余的行（或检查是否误填了远处的单元格）"
            )

    def ref(self, r: int, c: int) -> str:
        return f"{self.name}!{get_column_letter(c)}{r}"

    def range_ref(self, r: int, c: int) -> str:
        """表二!D5:D6 for a merged range's origin, 表二!D5 otherwise."""
        r0, c0, r1, c1 = self.ranges.get((r, c), (r, c, r, c))
        end = f":{get_column_letter(c1)}{r1}" if (r1, c1) != (r0, c0) else ""
        return f"{self.ref(r0, c0)}{end}"

    def own(self, r: int, c: int) -> Any:
        """The cell's own value (None for a cell covered by a merge, or one already reported as too large)."""
        if self.origin.get((r, c), (r, c)) != (r, c) or (r, c) in self.reported:
            return None
        value = self.grid.values.get((r, c))
        if value is None and (r, c) in self.grid.formulas:
            formula = self.grid.formulas.pop((r, c))  # report once
            self.problems.append(
                f"{self.ref(r, c)}: 公式“{formula}”没有计算结果；请在 Excel/WPS/LibreOffice 中"
                "打开并保存后再导入，或直接填写数值"
            )
        return value

    def value(self, r: int, c: int) -> Any:
        """The value shown at (r, c): a merged range's value on every cell it covers."""
        r0, c0 = self.origin.get((r, c), (r, c))
        return self.own(r0, c0)

    def origin_of(self, r: int, c: int) -> tuple[int, int]:
        return self.origin.get((r, c), (r, c))

    def merged(self, r: int, c: int | None) -> bool:
        return c is not None and (r, c) in self.origin

    def spans_rows(self, r: int, c: int) -> bool:
        r0, c0 = self.origin_of(r, c)
        rng = self.ranges.get((r0, c0))
        return rng is not None and rng[2] > rng[0]

    def comment(self, r: int, c: int) -> str:
        return self.grid.facts.comments.get((r, c), "")


def _text(value: Any) -> str:
    """A cell as text, exactly (numbers as typed: 83112345, 1.5; dates ISO)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float):
        return repr(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return clean_text(value)


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


_AMOUNT_SUFFIX = re.compile(r"\s*(万元|万)\s*$")


def _amount(value: Any, ref: str, what: str, problems: list[str]) -> Decimal | None:
    """An amount in 万元 with at most 2 decimals; None (with a problem) if it is not one."""
    if isinstance(value, bool):
        problems.append(f"{ref}: {what}应为数字，不能是“是/否”")
        return None
    if isinstance(value, int):
        number = Decimal(value)
    elif isinstance(value, float):
        if not math.isfinite(value) or abs(value) > float(MAX_AMOUNT):
            problems.append(f"{ref}: {what}“{value:g}”过大，金额不能超过 {MAX_AMOUNT:,} 万元")
            return None
        rounded = round(value, 2)
        if abs(value - rounded) > 1e-9:
            problems.append(f"{ref}: {what}“{value}”最多保留两位小数（单位：万元）")
            return None
        number = Decimal(str(rounded))
    elif isinstance(value, Decimal):
        number = value
    else:  # text: as typed, full-width digits alike
        text = _AMOUNT_SUFFIX.sub("", unicodedata.normalize("NFKC", str(value)).strip())
        if "," in text or "、" in text:
            # "60,5" may mean 60.5 or 605, "1,2,0" nothing at all: never guess a budget.
            problems.append(f"{ref}: {what}“{value}”含逗号；金额不要用逗号或千位分隔符，小数点用“.”，例如 60.5 或 1200")
            return None
        try:
            number = Decimal(text)
        except InvalidOperation:
            problems.append(f"{ref}: {what}“{value}”不是数字，应填写金额（万元），例如 120 或 60.5")
            return None
        if not number.is_finite():
            problems.append(f"{ref}: {what}“{value}”不是数字，应填写金额（万元），例如 120 或 60.5")
            return None
        exponent = number.as_tuple().exponent  # an int: the number is finite
        if isinstance(exponent, int) and exponent < -2 and number != number.quantize(Decimal("0.01")):
            problems.append(f"{ref}: {what}“{value}”最多保留两位小数（单位：万元）")
            return None
    if abs(number) > MAX_AMOUNT:
        problems.append(f"{ref}: {what}“{_text(value)[:24]}”过大，金额不能超过 {MAX_AMOUNT:,} 万元")
        return None
    if number < 0:
        problems.append(f"{ref}: {what}“{_text(value)}”不能为负数")
        return None
    if number == number.to_integral_value():
        number = number.quantize(Decimal(1))
    return number


# --- the sheet layout ---------------------------------------------------------------------------------


@dataclass
class _Layout:
    header_row: int
    columns: dict[str, int]  # column key → 1-based column
    order_col: int | None
    estimate_col: int | None = None  # the workbook's own 测算依据 column, right of 经费安排


def _find_layout(sheet: _Sheet, spec: TableSpec, problems: list[str]) -> _Layout | None:
    wanted = {squash(c.title): c.key for c in spec.columns}
    for r in range(1, min(sheet.max_row, 15) + 1):
        found: dict[str, int] = {}
        order_col = estimate_col = None
        for c in range(1, sheet.max_col + 1):
            text = squash(_text(sheet.own(r, c))).replace("(", "（").replace(")", "）")
            if text in wanted and wanted[text] not in found:
                found[wanted[text]] = c
            elif text == squash(ORDER_HEADER):
                order_col = c
            elif text == squash(ESTIMATE_HEADER):
                estimate_col = c
        if len(found) >= max(3, len(spec.columns) - 2):
            missing = [col.title for col in spec.columns if col.key not in found and col.key != "seq"]
            if missing:
                problems.append(f"{sheet.ref(r, 1)}: 表头缺少列“{'”“'.join(missing)}”；请使用 docgen 生成的征集表")
                return None
            if unknown := _unknown_headers(sheet, r, {*found.values(), order_col, estimate_col}):
                # a column the form does not have is never dropped in silence: its cells would be lost
                columns = "、".join(c.title for c in spec.columns)
                for c, text in unknown:
                    problems.append(
                        f"{sheet.ref(r, c)}: 表头“{text}”不是征集表{spec.number and f'（{spec.number}）'}的列，"
                        f"这一列的内容无法导入；可用的列：{columns}。请删除这一列，或改用征集表中的列名"
                    )
                return None
            return _Layout(r, found, order_col, estimate_col)
    problems.append(
        f"{sheet.name}: 找不到表头（{'、'.join(c.title for c in spec.columns)}）；请使用 docgen 生成的征集表"
    )
    return None


def _unknown_headers(sheet: _Sheet, r: int, known: set[int | None]) -> list[tuple[int, str]]:
    """The header cells of row r that name no column of the form: (column, text as written)."""
    out = []
    for c in range(1, sheet.max_col + 1):
        text = _text(sheet.own(r, c)).strip()
        if c not in known and text:
            out.append((c, text))
    return out


_LABELS = re.compile(r"(填报单位|联系电话|联系人|填报日期)\s*(?:（[^）]*）)?\s*[:：]?")


def _info(sheet: _Sheet, header_row: int) -> dict[str, tuple[str, str]]:
    """填报单位/联系人/联系电话/填报日期 above the header: label → (value, cell ref)."""
    out: dict[str, tuple[str, str]] = {}
    for r in range(1, header_row):
        cells = [(c, sheet.own(r, c)) for c in range(1, sheet.max_col + 1)]
        pending: str | None = None
        for c, value in cells:
            if _blank(value):
                continue
            text = _text(value)
            matches = list(_LABELS.finditer(text))
            if not matches:
                if pending:  # a label cell followed by a value cell
                    out[pending] = (text.strip(), sheet.ref(r, c))
                    pending = None
                continue
            for i, m in enumerate(matches):
                end = matches[i + 1].start() if i + 1 < len(matches) else len(text)
                piece = text[m.end() : end].strip()
                out.setdefault(m.group(1), ("", sheet.ref(r, c)))
                if piece:
                    out[m.group(1)] = (piece, sheet.ref(r, c))
                    pending = None
                else:
                    pending = m.group(1)
    return out


_DATE_PATTERNS = (
    re.compile(r"^(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日?$"),
    re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[ T]00:00(?::00)?)?$"),
)


def _date(text: str) -> dt.date | None:
    text = unicodedata.normalize("NFKC", text).strip()
    for pattern in _DATE_PATTERNS:
        m = pattern.match(text)
        if m:
            try:
                return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
            except ValueError:
                return None
    return None


# --- tables ----------------------------------------------------------------------------------------


@dataclass
class _Item:
    data: dict[str, Any]
    category: str = ""
    work_origin: tuple[int, int] | None = None
    order: int | None = None
    kind: str = "work"  # work | subsidy | own | preset
    budgets: dict[tuple[int, int], Decimal] = field(default_factory=dict)
    budget_ref: str = ""
    budget_bad: bool = False  # a budget was written but is not an amount (already reported)
    first_row: int = 0
    refs: dict[tuple[str | int, ...], str] = field(default_factory=dict)  # path inside the item → cell


class _TableReader:
    def __init__(
        self, form: Form, spec: TableSpec, sheet: _Sheet, layout: _Layout, problems: list[str], warnings: list[str]
    ):
        self.form, self.spec, self.sheet, self.layout = form, spec, sheet, layout
        self.problems, self.warnings = problems, warnings
        self.items: list[_Item] = []
        self.used_orders: set[int] = set()
        self.typed_total: tuple[str, Any] | None = None  # (cell, value) of a 合计 the clerk typed over the formula
        self.cells: dict[tuple[str | int, ...], str] = {}  # path in the submission → cell, after finish()

    # cell helpers
    def col(self, key: str) -> int | None:
        return self.layout.columns.get(key)

    def own(self, r: int, key: str) -> Any:
        c = self.col(key)
        return self.sheet.own(r, c) if c else None

    def shown(self, r: int, key: str) -> Any:
        c = self.col(key)
        return self.sheet.value(r, c) if c else None

    def ref(self, r: int, key: str) -> str:
        return self.sheet.ref(r, self.col(key) or 1)

    def text(self, r: int, key: str) -> str:
        return _text(self.shown(r, key))

    def order(self, r: int) -> int | None:
        if not self.layout.order_col:
            return None
        value = self.sheet.own(r, self.layout.order_col)
        try:
            n = int(value) if value is not None and not isinstance(value, bool) else None
        except (TypeError, ValueError):
            return None
        return n

    def is_total(self, r: int) -> bool:
        for c in range(1, min(self.sheet.max_col, len(self.spec.columns)) + 1):
            if squash(_text(self.sheet.own(r, c))).startswith("合计"):
                key = "budget" if self.col("budget") else "amount"
                pos = (r, self.col(key) or 0)
                value = self.sheet.grid.values.get(pos)
                if self.typed_total is None and pos not in self.sheet.grid.formula_cells and not _blank(value):
                    self.typed_total = (self.ref(r, key), value)  # typed over the 合计 formula
                return True
        return False

    def content_keys(self) -> list[str]:
        return [c.key for c in self.spec.columns if c.key not in ("seq", "category")]

    def has_content(self, r: int) -> bool:
        for key in self.content_keys():
            value = self.own(r, key)
            if _blank(value):
                continue
            if key == "name" and squash(_text(value)) == ADD_ROWS:
                continue
            return True
        return False

    def category(self, r: int, last: str) -> tuple[str, str]:
        """(canonical category name or "", the text as shown) for row r, filling down from `last`."""
        shown = self.text(r, "category").strip()
        return shown or last, shown

    def resolve(self, r: int, text: str) -> str:
        if not text:
            self.problems.append(f"{self.ref(r, 'category')}: 没有填写类型；请从下拉列表选择")
            return ""
        cat, variant = self.form.resolve_category(text, self.spec)
        if cat is None:
            names = self.form.category_names(self.spec)
            near = difflib.get_close_matches(squash(text), names, n=1, cutoff=0.5)
            guess = f"是否为“{near[0]}”？" if near else ""
            self.problems.append(
                f"{self.ref(r, 'category')}: 类型“{text}”不是本表可选的类型；{guess}请从下拉列表选择（可选：{'、'.join(names)}）"
            )
            return ""
        if variant and squash(text) != cat.name:
            self.warnings.append(f"{self.ref(r, 'category')}: 类型“{text}”已按填写说明写作“{cat.name}”")
        return cat.name

    def amount(self, r: int, key: str, what: str, required: bool = True) -> Decimal | None:
        c = self.col(key)
        if c and self.sheet.spans_rows(r, c):
            # One amount over several rows would be copied into each: refuse rather than count it twice.
            origin = self.sheet.origin_of(r, c)
            if origin == (r, c):
                self.problems.append(
                    f"{self.sheet.range_ref(*origin)}: {what}单元格跨行合并，每一行应分别填写自己的{what}；"
                    "请取消合并后分别填写"
                )
            return None
        value = self.shown(r, key)
        if _blank(value):
            if required:
                self.problems.append(f"{self.ref(r, key)}: 没有填写{what}")
            return None
        return _amount(value, self.ref(r, key), what, self.problems)

    def required_text(self, r: int, key: str, what: str) -> str:
        text = self.text(r, key)
        if not text.strip() or squash(text) == ADD_ROWS:
            self.problems.append(f"{self.ref(r, key)}: 没有填写{what}")
            return ""
        return text

    def new_item(self, r: int, data: dict[str, Any], kind: str, category: str = "") -> _Item:
        item = _Item(data=data, category=category, kind=kind, first_row=r)
        order = self.order(r)
        if order is not None and order not in self.used_orders:
            item.order = order
            self.used_orders.add(order)
        self.items.append(item)
        return item

    def rows(self):
        yield from range(self.layout.header_row + 1, self.sheet.max_row + 1)

    # table kinds
    def _item_for(self, r: int, current: _Item | None, category: str, kind: str, start: dict[str, Any]) -> _Item:
        """The item a row belongs to: the current one when the row continues it, else a new one from `start`.

        A row continues an item of its kind and category when it shares the item's merged 主要工作内容 cell,
        or leaves 主要工作内容 empty in a cell of its own (tables （一）（三）（四） alike).
        """
        wcol = self.col("work")
        work = self.text(r, "work")
        origin = self.sheet.origin_of(r, wcol) if wcol else None
        merged = bool(wcol) and self.sheet.merged(r, wcol)
        if (
            current is not None
            and current.kind == kind
            and current.category == category
            and ((origin == current.work_origin and merged) or (not work.strip() and not merged))
        ):
            return current
        if not work.strip():
            self.problems.append(f"{self.ref(r, 'work')}: 没有填写主要工作内容")
        item = self.new_item(r, start, kind, category)
        item.work_origin = origin
        item.refs.update({("category",): self.ref(r, "category"), ("work",): self.ref(r, "work")})
        return item

    # table kinds
    def read_work(self) -> None:
        last_cat = ""
        current: _Item | None = None
        for r in self.rows():
            cat_text, _ = self.category(r, last_cat)
            last_cat = cat_text
            if self.is_total(r) or not self.has_content(r):
                continue
            category = self.resolve(r, cat_text)
            start: dict[str, Any] = {
                "category": category,
                "work": self.text(r, "work"),
                "budget": None,
                "estimate": "",
                "projects": [],
            }
            item = self._item_for(r, current, category, "work", start)
            if item is not current:
                item.refs.update({("budget",): self.ref(r, "budget"), ("estimate",): self.estimate_ref(r)})
            current = item
            self._budget(r, current)
            j = len(current.data["projects"])
            current.data["projects"].append(self._project(r))
            self._project_refs(current, r, ("projects", j))

    def estimate_ref(self, r: int) -> str:
        return self.sheet.ref(r, self.layout.estimate_col) if self.layout.estimate_col else self.ref(r, "budget")

    def _project_refs(self, item: _Item, r: int, prefix: tuple[str | int, ...]) -> None:
        for key in ("name", "necessity", "policy_basis", "performance", "remarks", "amount"):
            if self.col(key):
                item.refs[(*prefix, key)] = self.ref(r, key)
        if self.col("quantity"):
            for key in ("count", "unit_amount"):
                item.refs[(*prefix, key)] = self.ref(r, "quantity")

    def _budget(self, r: int, item: _Item) -> None:
        c = self.col("budget")
        if not c:
            return
        origin = self.sheet.origin_of(r, c)
        if origin in item.budgets or _blank(self.sheet.own(*origin)):
            return
        value = self.sheet.own(*origin)
        ref = self.sheet.ref(*origin)
        estimate = ""
        if isinstance(value, str):
            m = re.match(r"^\s*([^\s（(]+)\s*[\n\s]*[（(](.*)[）)]\s*$", value, re.S)
            if m:
                value, estimate = m.group(1), m.group(2)
        amount = _amount(value, ref, "经费安排", self.problems)
        note = self.sheet.comment(*origin)
        if ESTIMATE_LABEL in note:
            estimate = note.split(ESTIMATE_LABEL, 1)[1]
        if self.layout.estimate_col:
            written = _text(self.sheet.value(origin[0], self.layout.estimate_col)).strip()
            estimate = written or estimate
        if estimate and not item.data["estimate"]:
            item.data["estimate"] = estimate
        if amount is not None:
            item.budgets[origin] = amount
            item.budget_ref = item.budget_ref or ref
        else:
            item.budget_bad = True

    def _project(self, r: int) -> dict[str, Any]:
        name = self.required_text(r, "name", "拟设置项目")
        qty_value = self.own(r, "quantity")
        count: Any = None
        unit_amount: Any = None
        qref = self.ref(r, "quantity")
        if _blank(qty_value):
            self.problems.append(f"{qref}: 没有填写项目数及单项金额；应写成“项目数*单项金额”，例如 4*30")
        else:
            qtext = _AMOUNT_SUFFIX.sub("", unicodedata.normalize("NFKC", _text(qty_value)).strip())
            shown = _text(qty_value) if len(_text(qty_value)) <= 24 else _text(qty_value)[:24] + "…"
            try:
                parsed = parse_quantity(qtext) if not isinstance(qty_value, (int, float)) else None
            except ValueError as exc:  # a count of thousands of digits
                self.problems.append(f"{qref}: 项目数及单项金额“{shown}”：{exc}")
            else:
                if parsed is None:
                    self.problems.append(f"{qref}: 项目数及单项金额“{shown}”应写成“项目数*单项金额”，例如 4*30")
                else:
                    count = parsed[0]
                    unit_amount = _amount(str(parsed[1]), qref, "单项金额", self.problems)
        return {
            "name": name,
            "count": count,
            "unit_amount": unit_amount,
            "necessity": self.text(r, "necessity"),
            "policy_basis": self.text(r, "policy_basis"),
            "performance": self.text(r, "performance"),
            "remarks": self.text(r, "remarks"),
        }

    def read_subsidy(self) -> None:
        for r in self.rows():
            if self.is_total(r) or not self.has_content(r):
                continue
            item = self.new_item(
                r,
                {
                    "work": self.required_text(r, "work", "主要工作内容"),
                    "name": self.required_text(r, "name", "后补助名称"),
                    "amount": self.amount(r, "amount", "后补助经费"),
                    "basis": self.text(r, "basis"),
                    "recipient": self.text(r, "recipient"),
                    "performance": self.text(r, "performance"),
                    "remarks": self.text(r, "remarks"),
                },
                "subsidy",
            )
            item.refs.update({(k,): self.ref(r, k) for k in item.data if self.col(k)})

    def read_delegated(self) -> None:
        last_cat = ""
        current: _Item | None = None
        placeholders = {squash(n) for n in (self.spec.placeholder.names if self.spec.placeholder else ())}
        filled_keys = ("amount", "necessity", "policy_basis", "performance", "remarks")
        for r in self.rows():
            cat_text, _ = self.category(r, last_cat)
            last_cat = cat_text
            if self.is_total(r) or not self.has_content(r):
                continue
            name = self.text(r, "name")
            work = self.text(r, "work")
            if squash(name) in placeholders:
                if any(not _blank(self.own(r, k)) for k in filled_keys):
                    self.problems.append(
                        f"{self.ref(r, 'name')}: “{name.strip()}”是表格的示例行名称；请改为实际的拟设置项目名称"
                    )
                continue
            preset = self.form.preset(name) if name.strip() else None
            if preset is not None and (not work.strip() or squash(work) == squash(preset.work)):
                current = None
                self._preset_row(r, preset)
                continue
            category = self.resolve(r, cat_text)
            start: dict[str, Any] = {"category": category, "work": work, "projects": []}
            current = self._item_for(r, current, category, "own", start)
            self._project_refs(current, r, ("projects", len(current.data["projects"])))
            current.data["projects"].append(
                {
                    "name": self.required_text(r, "name", "拟设置项目"),
                    "amount": self.amount(r, "amount", "金额"),
                    "necessity": self.text(r, "necessity"),
                    "policy_basis": self.text(r, "policy_basis"),
                    "performance": self.text(r, "performance"),
                    "remarks": self.text(r, "remarks"),
                }
            )

    def _preset_row(self, r: int, preset) -> None:
        amount_value = self.shown(r, "amount")
        performance = self.text(r, "performance")
        if _blank(amount_value) and not performance.strip():
            return  # a preset row the unit does not take up
        for key, what in (("necessity", "项目设置必要性"), ("policy_basis", "项目设置政策依据")):
            written = self.text(r, key)
            if written.strip() and squash(written) != squash(getattr(preset, key)):
                self.problems.append(
                    f"{self.ref(r, key)}: 预设项目“{preset.name}”的{what}由省局发布，不能改写；如需说明请写在备注中"
                )
        remarks = self.text(r, "remarks")
        if preset.remarks and remarks.startswith(preset.remarks):
            rest = remarks[len(preset.remarks) :]
            remarks = rest[1:] if rest.startswith("；") else rest.lstrip("；;，, \n")
        item = self.new_item(
            r,
            {
                "preset": preset.name,
                "amount": self.amount(r, "amount", "金额"),
                "performance": performance,
                "remarks": remarks,
            },
            "preset",
        )
        item.refs.update(
            {
                ("preset",): self.ref(r, "name"),
                ("amount",): self.ref(r, "amount"),
                ("performance",): self.ref(r, "performance"),
                ("remarks",): self.ref(r, "remarks"),
            }
        )

    def finish(self) -> list[dict[str, Any]]:
        out = []
        for item in self.items:
            if item.kind == "work":
                projects = item.data["projects"]
                budget: Decimal | None
                if item.budgets:
                    budget = sum(item.budgets.values(), Decimal(0))
                    if len(item.budgets) > 1:
                        self.warnings.append(
                            f"{item.budget_ref}: 同一主要工作内容填了{len(item.budgets)}个经费安排，已合计为 {budget}"
                        )
                else:
                    parts = [
                        p["count"] * p["unit_amount"]
                        for p in projects
                        if p["count"] is not None and p["unit_amount"] is not None
                    ]
                    budget = sum(parts, Decimal(0)) if len(parts) == len(projects) else None
                    ref = self.sheet.ref(item.first_row, self.col("budget") or 1)
                    if item.budget_bad:
                        budget = None
                    elif budget is None:
                        self.problems.append(f"{ref}: 没有填写经费安排")
                    else:
                        self.warnings.append(f"{ref}: 经费安排未填写，已按“项目数*单项金额”合计为 {budget}")
                item.data["budget"] = budget
                if not item.data["estimate"]:
                    del item.data["estimate"]
            out.append(item)
        # The view grouped rows by category; restore the submission's order from the hidden column.
        keyed = []
        major = -1
        for pos, item in enumerate(out):
            if item.order is not None:
                major = item.order
                keyed.append(((item.order, 0, pos), item))
            else:
                keyed.append(((major, 1, pos), item))
        keyed.sort(key=lambda kv: kv[0])
        for i, (_, item) in enumerate(keyed):
            base = (self.spec.key, i)
            self.cells[base] = (
                item.refs.get(("work",)) or item.refs.get(("preset",)) or self.ref(item.first_row, "name")
            )
            for rel, ref in item.refs.items():
                self.cells[(*base, *rel)] = ref
                if len(rel) == 3 and rel[0] == "projects" and rel[2] == "name":
                    self.cells[(*base, "projects", rel[1])] = ref
        self._check_typed_total(out)
        return [item.data for _, item in keyed]

    def _check_typed_total(self, items: list[_Item]) -> None:
        """A 合计 typed over the formula must agree with the rows; never silently replaced."""
        if self.typed_total is None:
            return
        ref, typed = self.typed_total
        if isinstance(typed, str) and typed.startswith("="):
            return
        amounts: list[Decimal | None] = []
        for item in items:
            if item.kind == "work":
                amounts.append(item.data.get("budget"))
            elif item.kind == "own":
                amounts += [p.get("amount") for p in item.data["projects"]]
            else:
                amounts.append(item.data.get("amount"))
        if any(a is None for a in amounts):
            return  # a row's amount is already reported
        rows_total = sum((a for a in amounts if a is not None), Decimal(0))
        value = _amount(typed, ref, "合计", self.problems)
        if value is not None and value != rows_total:
            self.problems.append(
                f"{ref}: 合计“{_text(typed)}”与各行金额之和 {rows_total} 不符；请改正合计或恢复合计公式（docgen 按各行重新计算）"
            )


# --- the workbook --------------------------------------------------------------------------------


def _form_year(book: Book) -> int | None:
    if is_form_year(book.custom.get(PROP_FORM)):  # a 4,000-digit one named no file (too long a name)
        return book.custom[PROP_FORM]
    candidates = [book.title]
    for grid in list(book.grids.values())[:1]:
        candidates += [v for (r, _), v in sorted(grid.values.items()) if r <= 3 and isinstance(v, str)]
    for text in candidates:
        m = re.search(r"(\d{4})\s*年度", text)
        if m:
            return int(m.group(1))
    return None


def _find_sheet(book: Book, spec: TableSpec) -> Grid | None:
    name = f"表{spec.number}"
    if name in book.grids:
        return book.grids[name]
    for grid in book.grids.values():
        if any(isinstance(v, str) and squash(v) == squash(spec.title) for (r, _), v in grid.values.items() if r <= 3):
            return grid
    return None


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


@dataclass
class WorkbookImport:
    """A workbook read as a submission: its YAML text, warnings, and the cell of every value."""

    text: str
    warnings: list[str]
    cells: dict[str, str]  # submission path (a table's [0].projects[1].count) → cell (表一!F6)
    unit_cell: str = ""
    paths: dict[tuple, str] = field(default_factory=dict)  # the same, keyed by path tuples


def read_workbook(path: str | Path) -> WorkbookImport:
    """A filled workbook → its submission and cell map; raise ImportError_ with every problem (by cell)."""
    path = Path(path)
    problems: list[str] = []
    warnings: list[str] = []
    try:
        book = read_book(path, MAX_COLUMNS)
    except WorkbookRefused as exc:
        raise ImportError_([exc.message]) from None
    props = book.custom
    year = _form_year(book)
    if year is None or not form_path(year).exists():
        raise ImportError_(
            [
                f"{path.name}: 无法确定征集表年度（标题应含“2024年度”等）"
                + (f"；没有 {year} 年度的征集表" if year else "")
            ]
        )
    form = load_form(year)

    tables: dict[str, list[dict[str, Any]]] = {}
    info: dict[str, tuple[str, str]] = {}
    info_sheets: list[tuple[str, dict[str, tuple[str, str]]]] = []
    cells: dict[tuple[str | int, ...], str] = {}
    for spec in form.tables:
        grid = _find_sheet(book, spec)
        if grid is None:
            problems.append(f"{path.name}: 缺少工作表“表{spec.number}”（{spec.title}）")
            tables[spec.key] = []
            continue
        sheet = _Sheet(grid, problems)
        layout = _find_layout(sheet, spec, problems)
        if layout is None:
            tables[spec.key] = []
            continue
        info_sheets.append((grid.name, _info(sheet, layout.header_row)))
        reader = _TableReader(form, spec, sheet, layout, problems, warnings)
        {"work": reader.read_work, "subsidy": reader.read_subsidy, "delegated": reader.read_delegated}[spec.kind]()
        tables[spec.key] = reader.finish()
        cells.update(reader.cells)

    # The unit info line: from the first sheet that has it; other sheets may only repeat it.
    for _, found in info_sheets:
        for label in INFO_LABELS:
            if label in found and found[label][0] and label not in info:
                info[label] = found[label]
    for _title, found in info_sheets:
        for label in INFO_LABELS:
            if label in found and found[label][0] and label in info and found[label][0] != info[label][0]:
                warnings.append(
                    f"{found[label][1]}: {label}“{found[label][0]}”与 {info[label][1]} 的"
                    f"“{info[label][0]}”不同，已采用后者"
                )
    first_ref = f"{info_sheets[0][0]}!A3" if info_sheets else path.name
    for label in INFO_LABELS:
        if label not in info:
            ref = next((f[label][1] for _, f in info_sheets if label in f), first_ref)
            problems.append(f"{ref}: 没有填写{label}")
    unit = info.get("填报单位", ("", ""))[0]
    date = None
    if "填报日期" in info:
        date = _date(info["填报日期"][0])
        if date is None:
            problems.append(
                f"{info['填报日期'][1]}: 填报日期“{info['填报日期'][0]}”无法识别；应写成 2023年5月26日 或 2023-05-26"
            )

    if problems:
        raise ImportError_(problems)

    unit_kind, city = "other", None
    match = unit_named(form, unit)
    if match is not None:
        unit_kind, city = match.kind, match.city
    elif props.get(PROP_UNIT) == unit and props.get(PROP_UNIT_KIND):
        unit_kind, city = props[PROP_UNIT_KIND], props.get(PROP_CITY) or None
    else:
        warnings.append(
            f"{info['填报单位'][1]}: 填报单位“{unit}”不在通知的单位名单中，填报单位类型记为 other（其他单位），"
            "请在导入的文件中核对 unit_kind 与 city"
        )

    data: dict[str, Any] = {"form": form.year, "unit": unit, "unit_kind": unit_kind}
    if city:
        data["city"] = city
    data["contact"] = {"name": info["联系人"][0], "phone": info["联系电话"][0]}
    data["date"] = date
    for spec in form.tables:  # every table of the form, in its order, an empty list where none was filled
        data[spec.key] = tables.get(spec.key, [])
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
    for label, at in top:
        cells[at] = info[label][1]
    cells[("contact",)] = info["联系人"][1]
    return WorkbookImport(
        header + text, warnings, {format_path(k): v for k, v in cells.items()}, info["填报单位"][1], dict(cells)
    )


def import_workbook(path: str | Path) -> tuple[str, list[str]]:
    """A filled workbook → (submission YAML text, warning lines); raise ImportError_ with every problem."""
    imported = read_workbook(path)
    return imported.text, imported.warnings


def import_workbook_cells(path: str | Path) -> tuple[str, list[str], dict[tuple, str]]:
    """As import_workbook, plus the cell each value came from: submission path tuple → "表一!F7"."""
    imported = read_workbook(path)
    return imported.text, imported.warnings, imported.paths


__all__ = ["MAX_COLUMNS", "ImportError_", "WorkbookImport", "import_workbook", "import_workbook_cells", "read_workbook"]
