"""A batch takes one form: `docgen batch --form ID` (default: the form most files name); a file that answers
another form is reported by name and left out of the summary, while the other files go on."""

from __future__ import annotations

import csv
import re
import shutil
from pathlib import Path

import openpyxl
import pytest
from testkit import run_docgen

pytestmark = pytest.mark.slow  # whole batches

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "data" / "submissions" / "2024"
FORM_ID = "2025-fuwu-jigou"
TITLE = "2025年度知识产权服务机构项目需求征集表"


@pytest.fixture(scope="module")
def folders(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(the province's forms, the input folder): 汕尾 and 云浮 file 2024's form, 珠海 the province's 2025-fuwu-jigou."""
    forms = tmp_path_factory.mktemp("forms")
    form = (ROOT / "data" / "forms" / "2024.yaml").read_text("utf-8")
    form = form.replace("year: 2024", "year: 2025").replace("title: 2024年度知识产权项目需求征集表", f"title: {TITLE}")
    (forms / f"{FORM_ID}.yaml").write_text(form, "utf-8")
    folder = tmp_path_factory.mktemp("in")
    for unit in ("shanwei", "yunfu"):
        shutil.copy(EXAMPLES / f"{unit}.yaml", folder / f"{unit}.yaml")
    zhuhai = re.sub(r"^form: 2024$", f"form: {FORM_ID}", (EXAMPLES / "zhuhai.yaml").read_text("utf-8"), flags=re.M)
    (folder / "zhuhai.yaml").write_text(zhuhai, "utf-8")
    return forms, folder


def batch(forms: Path, *args: object):
    """`docgen --forms FORMS batch ARGS` (DOCGEN_FORMS, which --forms sets, is put back afterwards)."""
    return run_docgen("--forms", forms, "batch", *args, env={"DOCGEN_FORMS": None})


def index(out: Path) -> dict[str, dict[str, str]]:
    with (out / "文件索引.csv").open(encoding="utf-8-sig", newline="") as fh:
        return {row["文件"] or row["单位"]: row for row in csv.DictReader(fh)}


def summary(out: Path) -> tuple[list[str], list[tuple]]:
    """(the units the summary counts, the rows of its 未报送或失败 sheet)."""
    wb = openpyxl.load_workbook(out / "汇总表.xlsx")
    counted = [str(c.value) for c in wb["单位汇总"]["A"] if str(c.value).endswith("（知识产权局）")]
    missing = [tuple(c.value for c in row) for row in wb["未报送或失败"].iter_rows(min_row=2)]
    return counted, missing


def test_by_default_the_form_most_files_name_and_the_other_file_is_left_out(folders, tmp_path: Path) -> None:
    forms, folder = folders
    out = tmp_path / "out"
    proc = batch(forms, folder, "-o", out, "-j", "1")
    assert proc.returncode == 1, proc.stderr  # a file was left out, as for any refused file
    assert "Traceback" not in proc.stderr
    said = next(line for line in proc.stderr.splitlines() if "zhuhai.yaml" in line)
    assert f"填报的是征集表“{FORM_ID}”，不是本次批处理的2024 年度的征集表" in said, said
    assert f"--form {FORM_ID}" in said and "未纳入本次生成和汇总表" in said
    assert re.search(r"zhuhai\.yaml\s+│\s+其他征集表", proc.stdout), proc.stdout  # the console's table
    assert (out / "shanwei.docx").is_file() and (out / "yunfu.pdf").is_file()
    assert not any(out.glob("zhuhai.*"))
    assert index(out)["zhuhai.yaml"]["状态"] == "其他征集表"
    counted, missing = summary(out)
    assert [u[:3] for u in counted] == ["汕尾市", "云浮市"], counted
    assert any(r[0] == "zhuhai.yaml" and r[1] == "其他征集表" for r in missing), missing
    assert any(str(r[0]).startswith("珠海市") and r[1] == "未报送" for r in missing), missing


def test_form_takes_the_named_form_and_leaves_out_the_others(folders, tmp_path: Path) -> None:
    forms, folder = folders
    out = tmp_path / "out"
    proc = batch(forms, folder, "-o", out, "-j", "1", "--form", FORM_ID)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr, proc.stderr
    for name in ("shanwei.yaml", "yunfu.yaml"):
        line = next(ln for ln in proc.stderr.splitlines() if name in ln)
        assert f"填报的是2024 年度的征集表，不是本次批处理的征集表“{FORM_ID}”" in line, line
    assert (out / "zhuhai.docx").is_file() and not any(out.glob("shanwei.*"))
    counted, _ = summary(out)
    assert [u[:3] for u in counted] == ["珠海市"], counted
    wb = openpyxl.load_workbook(out / "zhuhai.xlsx")
    assert any(TITLE in str(c.value) for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.value)
    again = batch(forms, folder, "-o", out, "-j", "1", "--form", FORM_ID)
    assert re.search(r"珠海市\S*\s+│\s+成功（未变化）", again.stdout), again.stdout
    # the province edits its form: the units answering it are built again
    path = forms / f"{FORM_ID}.yaml"
    original = path.read_text("utf-8")
    path.write_text(original.replace(TITLE, TITLE + "（修订）"), "utf-8")
    try:
        edited = batch(forms, folder, "-o", out, "-j", "1", "--form", FORM_ID)
    finally:
        path.write_text(original, "utf-8")
    assert re.search(r"珠海市\S*\s+│\s+成功\s", edited.stdout), edited.stdout
    wb = openpyxl.load_workbook(out / "zhuhai.xlsx")
    assert any(
        f"{TITLE}（修订）" in str(c.value) for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.value
    )


def test_a_form_no_file_has_is_refused_before_any_work(folders, tmp_path: Path) -> None:
    forms, folder = folders
    out = tmp_path / "out"
    proc = batch(forms, folder, "-o", out, "--form", "2025-fuwu")
    assert proc.returncode == 2, proc.stderr
    assert f"--form 2025-fuwu: 没有征集表“2025-fuwu”；可用的征集表：2024、{FORM_ID}" in proc.stderr
    assert not out.exists() or not any(out.iterdir())
    (forms / "2026.yaml").write_text("year: 2026\ntables: [\n", "utf-8")
    try:
        proc = batch(forms, folder, "-o", out, "--form", "2026")
    finally:
        (forms / "2026.yaml").unlink()
    assert proc.returncode == 2 and "2026 年度的征集表定义有误（1 处），未开始生成" in proc.stderr, proc.stderr
