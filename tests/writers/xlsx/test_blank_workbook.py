"""The blank workbook a clerk fills, read back as the clerk's Excel would show it (openpyxl)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import openpyxl
import pytest
from testkit import run_docgen

from docgen.standard.text import squash

ROOT = next(p for p in Path(__file__).resolve().parents if (p / "pyproject.toml").is_file())
FORM = ROOT / "data" / "forms" / "2024.yaml"
SHENZHEN = ROOT / "data" / "submissions" / "2024" / "shenzhen.yaml"


def docgen(*args: str | Path) -> subprocess.CompletedProcess:
    return run_docgen(*args)


@pytest.fixture(scope="module")
def blank(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("blank")
    assert docgen("render", FORM, "-o", out, "-f", "xlsx").returncode == 0
    return out / "2024.xlsx"


@pytest.fixture(scope="module")
def filled(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("filled")
    assert docgen("render", SHENZHEN, "-o", out, "-f", "xlsx").returncode == 0
    return out / "shenzhen.xlsx"


def header(ws) -> dict[str, int]:
    return {squash(c.value): c.column for c in ws[4] if isinstance(c.value, str)}  # titles may break in the cell


def total_row(ws) -> int:
    return next(r for r in range(5, ws.max_row + 1) if str(ws.cell(r, 1).value or "").startswith("合计"))


def test_instructions_sheet_holds_the_nine_items(blank: Path) -> None:
    from docgen.form.loading import load as load_form

    form = load_form(2024)
    ws = openpyxl.load_workbook(blank)["填写说明"]
    text = "\n".join(str(c.value) for row in ws.iter_rows() for c in row if c.value)
    assert form.instructions_title in text
    assert len(form.instructions) == 9
    for item in form.instructions:
        assert item.text in text and f"{item.number}." in text


def test_every_table_has_a_total_row_and_room_to_fill(blank: Path) -> None:
    wb = openpyxl.load_workbook(blank)
    for title in ("表一", "表二", "表三", "表四"):
        ws = wb[title]
        r = total_row(ws)
        col = next(c for h, c in header(ws).items() if "经费" in h or h.startswith("金额"))
        formula = ws.cell(r, col).value
        assert isinstance(formula, str) and formula.startswith("=SUM("), (title, formula)
        empty = [
            row for row in range(5, r) if all(ws.cell(row, c).value in (None, "") for c in range(3, ws.max_column))
        ]
        assert len(empty) >= 10, (title, len(empty))


def test_preset_text_of_table_four_is_locked_and_the_rest_open(blank: Path) -> None:
    ws = openpyxl.load_workbook(blank)["表四"]
    assert ws.protection.sheet, "表四 should be protected"
    cols = header(ws)
    preset_row = next(
        r for r in range(5, ws.max_row) if ws.cell(r, cols["拟设置项目"]).value == "高价值专利培育布局中心建设"
    )
    for title in ("拟设置项目", "项目设置必要性", "项目设置政策依据"):
        assert ws.cell(preset_row, cols[title]).protection.locked, title
    for title in ("金额", "项目绩效", "备注"):
        assert not ws.cell(preset_row, cols[title]).protection.locked, title
    tail = total_row(ws) - 1
    assert not ws.cell(tail, cols["拟设置项目"]).protection.locked  # rows for the unit's own projects stay open
    for other in ("表一", "表二", "表三"):
        assert not openpyxl.load_workbook(blank)[other].protection.sheet


def test_category_drop_downs_cover_the_empty_rows(blank: Path) -> None:
    ws = openpyxl.load_workbook(blank)["表一"]
    col = openpyxl.utils.get_column_letter(header(ws)["类型"])
    dv = [d for d in ws.data_validations.dataValidation if d.type == "list"]
    assert dv and any(f"{col}{total_row(ws) - 1}" in d.sqref for d in dv)
    assert "知识产权高质量创造" in dv[0].formula1


def test_estimate_is_visible_in_the_printed_sheet(filled: Path) -> None:
    ws = openpyxl.load_workbook(filled)["表一"]
    cols = header(ws)
    assert "测算依据" in cols
    c = cols["测算依据"]
    assert ws.cell(5, c).value.startswith("集成电路领域3个组合培育项目")
    area = ws.print_area if isinstance(ws.print_area, str) else ",".join(ws.print_area)
    last = area.split(":")[-1].lstrip("$").rstrip("0123456789$")
    assert openpyxl.utils.column_index_from_string(last.replace("$", "")) >= c
    assert not ws.column_dimensions[openpyxl.utils.get_column_letter(c)].hidden


def test_amounts_and_totals_are_right_aligned(filled: Path, blank: Path) -> None:
    for path in (filled, blank):
        wb = openpyxl.load_workbook(path)
        for ws in wb.worksheets:
            if ws.title == "填写说明":
                continue
            cols = [c for h, c in header(ws).items() if "经费" in h or h.startswith("金额")]
            for r in range(5, total_row(ws) + 1):
                for c in cols:
                    cell = ws.cell(r, c)
                    if isinstance(cell, openpyxl.cell.cell.MergedCell):
                        continue  # openpyxl reads no style on a merge's covered cells
                    assert cell.alignment.horizontal == "right", (path.name, ws.title, r, c)


def test_a_stale_total_the_clerk_typed_is_reported(filled: Path, tmp_path: Path) -> None:
    wb = openpyxl.load_workbook(filled)
    ws = wb["表二"]
    col = next(c for h, c in header(ws).items() if "经费" in h)
    ws.cell(5, col).value = 100  # the clerk lowers one amount …
    ws.cell(total_row(ws), col).value = 423.3  # … and types the old 合计 over the formula
    bad = tmp_path / "stale.xlsx"
    wb.save(bad)
    proc = docgen("import", bad, "-o", tmp_path / "x.yaml")
    letter = openpyxl.utils.get_column_letter(col)
    assert proc.returncode == 1, proc.stderr
    assert f"表二!{letter}{total_row(ws)}" in proc.stderr and "423.3" in proc.stderr and "403.3" in proc.stderr, (
        proc.stderr
    )
