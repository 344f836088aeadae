"""The provincial summary (汇总表): every unit's filing totalled by table, category and unit."""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from docgen.batch.manifest import Manifest, describe, outputs_intact, sha256_bytes
from docgen.check.submission import check_source
from docgen.io.atomic import write_bytes
from docgen.io.reproducible import fixed_zip
from docgen.io.source import load
from docgen.models.form import Form, form_for
from docgen.models.submission import OwnDelegated, PresetRef, Submission
from docgen.standard.text import format_amount

SUMMARY_STEM = "汇总表"
NO_CATEGORY = "后补助资金"


@dataclass(frozen=True)
class FlatRow:
    """One project of one unit, as the flat sheet lists it."""

    unit: str
    table: str
    category: str
    work: str
    project: str
    count: int
    unit_amount: Decimal | None
    amount: Decimal
    performance: str


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
    title: str  # e.g. 表（一）保留省局部分
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

    def total(self, units: list[str]) -> Cellsum:
        """The table's 合计 over all units (the matrix's bottom-right cell)."""
        out = Cellsum()
        for unit in units:
            u = self.unit_total(unit)
            out.add(u.count, u.amount)
        return out

    def category_total(self, category: str, units: list[str]) -> Cellsum:
        out = Cellsum()
        for u in units:
            c = self.cell(u, category)
            out.add(c.count, c.amount)
        return out


@dataclass
class SummaryView:
    form: Form
    units: list[str]  # units that filed, in the form's unit order
    tables: list[SummaryTable]
    rows: list[FlatRow]
    missing: list[tuple[str, str, str]]  # (unit, status, reason)

    def grand_total(self) -> Decimal:
        return sum((r.amount for r in self.rows), Decimal(0))


def _flat_rows(form: Form, sub: Submission) -> list[FlatRow]:
    rows: list[FlatRow] = []
    for spec in form.tables:
        label = f"表（{spec.number}）{spec.subtitle}"
        for item in getattr(sub, spec.key):
            if spec.kind == "work":
                for p in item.projects:
                    rows.append(
                        FlatRow(
                            sub.unit,
                            label,
                            item.category,
                            item.work,
                            p.name,
                            p.count,
                            p.unit_amount,
                            p.count * p.unit_amount,
                            p.performance,
                        )
                    )
            elif spec.kind == "subsidy":
                rows.append(
                    FlatRow(sub.unit, label, NO_CATEGORY, item.work, item.name, 1, None, item.amount, item.performance)
                )
            elif isinstance(item, PresetRef):
                preset = form.preset(item.preset)
                assert preset is not None  # the check passed: every preset named exists
                rows.append(
                    FlatRow(
                        sub.unit,
                        label,
                        form.category(preset.category).name,
                        preset.work,
                        preset.name,
                        1,
                        None,
                        item.amount,
                        item.performance,
                    )
                )
            elif isinstance(item, OwnDelegated):
                for p in item.projects:
                    rows.append(
                        FlatRow(sub.unit, label, item.category, item.work, p.name, 1, None, p.amount, p.performance)
                    )
    return rows


def collect(form: Form, submissions: list[Submission], failed: list[tuple[str, str, str]]) -> SummaryView:
    """Total the valid submissions; list the units that did not file or failed."""
    order = {u.name: i for i, u in enumerate(form.units)}
    subs = sorted(submissions, key=lambda s: (order.get(s.unit, len(order)), s.unit))
    tables = []
    for spec in form.tables:
        cats = form.category_names(spec) if spec.categories else [NO_CATEGORY]
        tables.append(SummaryTable(spec.key, f"表（{spec.number}）{spec.subtitle}", cats))
    by_title = {t.title: t for t in tables}
    rows: list[FlatRow] = []
    for sub in subs:
        for row in _flat_rows(form, sub):
            rows.append(row)
            by_title[row.table].cells.setdefault((row.unit, row.category), Cellsum()).add(row.count, row.amount)
    filed = {s.unit for s in subs}
    failed_names = {f[0] for f in failed}
    missing = list(failed) + [
        (u.name, "未报送", "没有收到该单位的填报文件")
        for u in form.units
        if u.name not in filed and u.name not in failed_names
    ]
    return SummaryView(form, [s.unit for s in subs], tables, rows, missing)


# --- XLSX --------------------------------------------------------------------------------------


def write_summary_xlsx(view: SummaryView) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, Side
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    wb.remove(wb.active)
    thin = Side(style="thin")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    head_font = Font(name="黑体", size=11)
    cell_font = Font(name="仿宋_GB2312", size=11)
    title_font = Font(name="方正小标宋简体", size=16)
    wrap = Alignment(wrap_text=True, vertical="center")
    center = Alignment(horizontal="center", vertical="center", wrap_text=True)

    def text_cell(ws, r, c, value, font=cell_font, align=wrap):
        cell = ws.cell(row=r, column=c)
        cell.value = value
        if isinstance(value, str):
            cell.data_type = "s"  # never a formula, whatever the text starts with
        cell.font, cell.alignment, cell.border = font, align, border
        return cell

    def amount_cell(ws, r, c, value: Decimal, font=cell_font):
        cell = ws.cell(row=r, column=c, value=float(value))
        cell.number_format = "0.00"
        cell.font, cell.border = font, border
        cell.alignment = Alignment(horizontal="right", vertical="center")
        return cell

    def page_setup(ws, title_rows: str):
        ws.page_setup.orientation = "landscape"
        ws.page_setup.paperSize = ws.PAPERSIZE_A4
        ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
        ws.sheet_properties.pageSetUpPr.fitToPage = True
        ws.print_title_rows = title_rows
        ws.oddFooter.center.text = "— &P —"

    for t in view.tables:
        ws = wb.create_sheet(t.title.split("）")[0].replace("表（", "表") + "汇总")
        ncols = 1 + 2 * (len(t.categories) + 1)
        ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=ncols)
        text_cell(ws, 1, 1, f"{view.form.year}年度知识产权项目需求汇总表 — {t.title}", title_font, center)
        ws.row_dimensions[1].height = 30
        text_cell(ws, 2, 1, "单位", head_font, center)
        ws.merge_cells(start_row=2, start_column=1, end_row=3, end_column=1)
        for i, cat in enumerate([*t.categories, "合计"]):
            col = 2 + 2 * i
            ws.merge_cells(start_row=2, start_column=col, end_row=2, end_column=col + 1)
            text_cell(ws, 2, col, cat, head_font, center)
            text_cell(ws, 3, col, "项目数", head_font, center)
            text_cell(ws, 3, col + 1, "金额（万元）", head_font, center)
        r = 4
        for unit in view.units:
            text_cell(ws, r, 1, unit)
            for i, cat in enumerate(t.categories):
                c = t.cell(unit, cat)
                ws.cell(row=r, column=2 + 2 * i, value=c.count).border = border
                amount_cell(ws, r, 3 + 2 * i, c.amount)
            tot = t.unit_total(unit)
            ws.cell(row=r, column=ncols - 1, value=tot.count).border = border
            amount_cell(ws, r, ncols, tot.amount)
            r += 1
        text_cell(ws, r, 1, "合计", head_font, center)
        for i, cat in enumerate(t.categories):
            c = t.category_total(cat, view.units)
            ws.cell(row=r, column=2 + 2 * i, value=c.count).border = border
            amount_cell(ws, r, 3 + 2 * i, c.amount, head_font)
        grand = t.total(view.units)
        ws.cell(row=r, column=ncols - 1, value=grand.count).border = border
        amount_cell(ws, r, ncols, grand.amount, head_font)
        ws.column_dimensions["A"].width = 36
        for col in range(2, ncols + 1):
            ws.column_dimensions[get_column_letter(col)].width = 8 if col % 2 == 0 else 12
        ws.freeze_panes = "B4"
        page_setup(ws, "1:3")

    ws = wb.create_sheet("项目清单")
    heads = ["单位", "表", "类型", "主要工作内容", "项目", "项目数", "单项金额（万元）", "金额（万元）", "项目绩效"]
    widths = [30, 22, 18, 40, 30, 8, 12, 12, 40]
    for ci, (h, w) in enumerate(zip(heads, widths), start=1):
        text_cell(ws, 1, ci, h, head_font, center)
        ws.column_dimensions[get_column_letter(ci)].width = w
    for r, row in enumerate(view.rows, start=2):
        for ci, value in enumerate([row.unit, row.table, row.category, row.work, row.project], start=1):
            text_cell(ws, r, ci, value)
        ws.cell(row=r, column=6, value=row.count).border = border
        if row.unit_amount is not None:
            amount_cell(ws, r, 7, row.unit_amount)
        else:
            ws.cell(row=r, column=7).border = border
        amount_cell(ws, r, 8, row.amount)
        text_cell(ws, r, 9, row.performance)
    last = len(view.rows) + 1
    ws.auto_filter.ref = f"A1:I{last}"
    ws.freeze_panes = "A2"
    page_setup(ws, "1:1")

    ws = wb.create_sheet("未报送或失败")
    for ci, (h, w) in enumerate(zip(["单位", "状态", "原因"], [36, 14, 100]), start=1):
        text_cell(ws, 1, ci, h, head_font, center)
        ws.column_dimensions[get_column_letter(ci)].width = w
    for r, (unit, status, reason) in enumerate(view.missing, start=2):
        for ci, value in enumerate((unit, status, reason), start=1):
            text_cell(ws, r, ci, value)
    page_setup(ws, "1:1")

    wb.properties.title = f"{view.form.year}年度知识产权项目需求汇总表"
    wb.properties.creator = "docgen"
    buf = io.BytesIO()
    wb.save(buf)
    return fixed_zip(buf.getvalue())


# --- batch step ----------------------------------------------------------------------------------


def summary_key(manifest: Manifest, outdir: Path, templates_hash: str, form_hash: str) -> str | None:
    """The summary's build key, or None when 汇总表 is up to date for these units and templates."""
    units = manifest.data["units"]
    ok = sorted((stem, e["source_sha256"]) for stem, e in units.items() if e.get("status") == "ok")
    bad = sorted((stem, e.get("status", "")) for stem, e in units.items() if e.get("status") != "ok")
    key = sha256_bytes(repr((ok, bad, templates_hash, form_hash)).encode())
    entry = manifest.data.get("summary") or {}
    if entry.get("build_key") == key and outputs_intact(entry.get("outputs", []), outdir):
        return None
    return key


def render_summary(folder: Path, units: dict[str, Any], templates: Path) -> tuple[dict[str, bytes], dict[str, Any]]:
    """汇总表 as XLSX and PDF bytes from the manifest's unit entries (runs in a worker process)."""
    subs: list[Submission] = []
    failed: list[tuple[str, str, str]] = []
    form: Form | None = None
    for stem, e in sorted(units.items()):
        if e.get("status") != "ok":
            reason = (e.get("messages") or [""])[0]
            status = "未通过检查" if e.get("status") == "invalid" else "生成失败"
            failed.append((e.get("unit") or e.get("source", stem), status, reason))
            continue
        result = check_source(load(folder / e["source"]))
        if result.submission is not None:
            subs.append(result.submission)
            form = form or result.form
    view = collect(form or form_for(), subs, failed)  # no valid unit: the newest form lists who is missing
    from docgen.writers.pdf.summary import write_summary_pdf

    outputs = {"xlsx": write_summary_xlsx(view), "pdf": write_summary_pdf(view, templates)}
    return outputs, {"grand_total": format_amount(view.grand_total()), "units": len(view.units)}


def write_summary(
    outdir: Path,
    manifest: Manifest,
    key: str,
    outputs: dict[str, bytes],
    facts: dict[str, Any],
    log: Callable[[str], None],
) -> list[Path]:
    written = [write_bytes(outdir / f"{SUMMARY_STEM}.{fmt}", data) for fmt, data in outputs.items()]
    manifest.data["summary"] = {"build_key": key, "outputs": describe(outdir, written), **facts}
    log(f"已生成 {', '.join(str(p) for p in written)}")
    return written
