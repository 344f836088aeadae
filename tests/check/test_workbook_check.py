"""`docgen validate 深圳.xlsx` and `docgen render 深圳.xlsx`: a filled workbook is checked directly,
every problem named by sheet and cell (表一!D5) with the same codes as for YAML."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import openpyxl
import pytest
from testkit import run_docgen

ROOT = next(p for p in Path(__file__).resolve().parents if (p / "pyproject.toml").is_file())
SHENZHEN = ROOT / "data" / "submissions" / "2024" / "shenzhen.yaml"


def docgen(*args: str | Path, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return run_docgen(*args, cwd=cwd)


@pytest.fixture(scope="module")
def workbook(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wb")
    assert docgen("render", SHENZHEN, "-o", out, "-f", "xlsx").returncode == 0
    target = out / "深圳.xlsx"
    (out / "shenzhen.xlsx").rename(target)
    return target


def edit(src: Path, dst: Path, change) -> Path:
    wb = openpyxl.load_workbook(src)
    change(wb)
    wb.save(dst)
    return dst


def test_a_good_workbook_validates(workbook: Path) -> None:
    proc = docgen("validate", workbook)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "深圳.xlsx" in proc.stdout and "通过" in proc.stdout
    assert "UTF-8" not in proc.stdout + proc.stderr


def test_a_budget_mismatch_is_named_by_cell_with_the_yaml_code(workbook: Path, tmp_path: Path) -> None:
    bad = edit(workbook, tmp_path / "深圳.xlsx", lambda wb: wb["表一"].__setitem__("D5", 999))
    proc = docgen("validate", bad)
    assert proc.returncode == 1, proc.stdout
    line = next((ln for ln in proc.stdout.splitlines() if "[budget-mismatch]" in ln), "")
    assert "深圳.xlsx" in line and "表一!D5" in line, proc.stdout
    as_json = json.loads(docgen("validate", bad, "--json").stdout)
    diag = next(d for d in as_json[0]["diagnostics"] if d["code"] == "budget-mismatch")
    assert diag["cell"] == "表一!D5" and diag["path"].startswith("retained[")


def test_a_project_warning_points_at_its_cell(workbook: Path, tmp_path: Path) -> None:
    ws = openpyxl.load_workbook(workbook)["表二"]
    col = next(c.column for c in ws[4] if c.value == "项目绩效")
    letter = openpyxl.utils.get_column_letter(col)
    bad = edit(workbook, tmp_path / "深圳.xlsx", lambda wb: wb["表二"].__setitem__(f"{letter}6", "支持优势企业"))
    proc = docgen("validate", bad)
    line = next((ln for ln in proc.stdout.splitlines() if f"表二!{letter}6" in ln), "")
    assert "警告" in line and "performance" in line, proc.stdout


def test_cell_problems_of_the_import_are_reported_by_validate_too(workbook: Path, tmp_path: Path) -> None:
    def change(wb):
        wb["表一"]["B5"] = "知识产权高质量创作"  # a typo the drop-down let through (Excel's warning style)
        wb["表二"]["D5"] = "一百二十"

    bad = edit(workbook, tmp_path / "深圳.xlsx", change)
    proc = docgen("validate", bad)
    assert proc.returncode == 1
    assert any("表一!B5" in ln and "知识产权高质量创造" in ln for ln in proc.stdout.splitlines()), proc.stdout
    assert any("表二!D5" in ln and "一百二十" in ln for ln in proc.stdout.splitlines()), proc.stdout
    imp = docgen("import", bad, "-o", tmp_path / "x.yaml")
    assert imp.returncode == 1 and "表一!B5" in imp.stderr and "是否" in imp.stderr, imp.stderr


@pytest.mark.slow
def test_render_takes_a_workbook_and_never_overwrites_it(workbook: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    proc = docgen("render", workbook, "-o", out)
    assert proc.returncode == 0, proc.stderr
    for ext in ("docx", "xlsx", "pdf"):
        assert (out / f"深圳.{ext}").is_file()
    wb = openpyxl.load_workbook(out / "深圳.xlsx")
    assert wb["表二"]["D5"].value == 120
    before = workbook.read_bytes()
    same = docgen("render", workbook, "-o", workbook.parent, "-f", "xlsx")
    assert same.returncode != 0 and "覆盖" in same.stderr, same.stderr
    assert workbook.read_bytes() == before
