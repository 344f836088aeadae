"""The form year is data: a 2025 form drives every command with its own units, order and titles.

The fixture tests/data/forms/2025.yaml differs from 2024's: Shenzhen before Guangzhou,
广东省知识产权保护中心 removed, a unit 横琴 added, table （一） retitled, another notice number.
Each command runs as a clerk runs it (python -m docgen) against a data folder holding both forms.
"""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import docx
import openpyxl
import pdfplumber
import pytest
import yaml
from pypdf import PdfReader
from testkit import TEST_DATA

ROOT = Path(__file__).resolve().parents[1]
FORM_2025 = yaml.safe_load((TEST_DATA / "forms" / "2025.yaml").read_text(encoding="utf-8"))
UNITS_2025 = [u["name"] for u in FORM_2025["units"]]
SZ, GZ = "深圳市市场监督管理局（知识产权局）", "广州市市场监督管理局（知识产权局）"
HQ = "横琴粤澳深度合作区商事服务局（知识产权局）"
PC = "广东省知识产权保护中心"
TITLE_2025 = "2025年度知识产权项目需求征集表"
RETITLED = "省局保留部分"  # table （一）'s subtitle in the 2025 fixture (2024: 保留省局部分)


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory) -> Path:
    """A data folder with the real 2024 form and the 2025 fixture (the newest)."""
    d = tmp_path_factory.mktemp("data")
    (d / "forms").mkdir()
    shutil.copy(ROOT / "data" / "forms" / "2024.yaml", d / "forms" / "2024.yaml")
    shutil.copy(TEST_DATA / "forms" / "2025.yaml", d / "forms" / "2025.yaml")
    return d


def as_2025(text: str) -> str:
    text = re.sub(r"^form: 2024$", "form: 2025", text, flags=re.M).replace("2024年", "2025年")  # preset names too
    return re.sub(r"^date: 2023-05-\d\d$", "date: 2024-05-20", text, flags=re.M)


@pytest.fixture(scope="module")
def inputs(tmp_path_factory) -> Path:
    """Three 2025 filings: Guangzhou, Shenzhen and the new unit 横琴."""
    d = tmp_path_factory.mktemp("in2025")
    examples = ROOT / "data" / "submissions" / "2024"
    for stem in ("guangzhou", "shenzhen"):
        (d / f"{stem}.yaml").write_text(as_2025((examples / f"{stem}.yaml").read_text(encoding="utf-8")), "utf-8")
    hq = as_2025((examples / "patent-office-gz.yaml").read_text(encoding="utf-8"))
    hq = hq.replace("unit: 国家知识产权局专利局广州代办处", f"unit: {HQ}").replace(
        "unit_kind: patent_office", "unit_kind: other"
    )
    (d / "hengqin.yaml").write_text(hq, "utf-8")
    return d


def docgen(data_dir: Path, *args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DOCGEN_DATA": str(data_dir)}
    return subprocess.run(
        [sys.executable, "-m", "docgen", *args], capture_output=True, text=True, env=env, cwd=cwd or ROOT, timeout=600
    )


def test_fixture_differs_from_2024() -> None:
    form_2024 = yaml.safe_load((ROOT / "data" / "forms" / "2024.yaml").read_text(encoding="utf-8"))
    units_2024 = [u["name"] for u in form_2024["units"]]
    assert PC in units_2024 and PC not in UNITS_2025
    assert HQ in UNITS_2025 and HQ not in units_2024
    assert units_2024.index(GZ) < units_2024.index(SZ) and UNITS_2025.index(SZ) < UNITS_2025.index(GZ)
    assert form_2024["tables"][0]["subtitle"] != RETITLED == FORM_2025["tables"][0]["subtitle"]


def test_validate_uses_the_2025_form(data_dir: Path, inputs: Path) -> None:
    r = docgen(data_dir, "validate", "--json", *(str(p) for p in sorted(inputs.glob("*.yaml"))))
    assert r.returncode == 0, r.stdout + r.stderr
    assert all(item["valid"] for item in json.loads(r.stdout))
    # a year with no form is named with the years that exist
    bad = inputs.parent / "y2026.yaml"
    bad.write_text((inputs / "guangzhou.yaml").read_text("utf-8").replace("form: 2025", "form: 2026"), "utf-8")
    r = docgen(data_dir, "validate", str(bad))
    assert r.returncode == 1 and "没有 2026 年度的征集表" in r.stdout and "2024、2025" in r.stdout


def test_render_uses_the_2025_titles(data_dir: Path, inputs: Path, tmp_path: Path) -> None:
    r = docgen(data_dir, "render", str(inputs / "shenzhen.yaml"), "-o", str(tmp_path), "-f", "docx,xlsx")
    assert r.returncode == 0, r.stderr
    text = "\n".join(p.text for p in docx.Document(str(tmp_path / "shenzhen.docx")).paragraphs)
    assert TITLE_2025 in text and RETITLED in text and "2024年度" not in text
    wb = openpyxl.load_workbook(tmp_path / "shenzhen.xlsx")
    cells = [str(c.value) for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.value is not None]
    assert any(TITLE_2025 in c for c in cells) and any(RETITLED in c for c in cells)
    assert not any("2024年度" in c for c in cells)


def test_render_the_2025_blank_form(data_dir: Path, tmp_path: Path) -> None:
    r = docgen(data_dir, "render", str(data_dir / "forms" / "2025.yaml"), "-o", str(tmp_path), "-f", "docx")
    assert r.returncode == 0, r.stderr
    text = "\n".join(p.text for p in docx.Document(str(tmp_path / "2025.docx")).paragraphs)
    assert TITLE_2025 in text and RETITLED in text


def test_schema_and_init_default_to_the_newest_form(data_dir: Path, tmp_path: Path) -> None:
    r = docgen(data_dir, "schema")
    assert r.returncode == 0, r.stderr
    schema = json.loads(r.stdout)
    assert schema["properties"]["form"]["enum"] == [2025] and TITLE_2025 in schema["title"]
    r = docgen(data_dir, "init", "hengqin", "-o", str(tmp_path / "hq.yaml"))
    assert r.returncode == 0, r.stderr
    starter = (tmp_path / "hq.yaml").read_text("utf-8")
    assert "form: 2025" in starter and HQ in starter and TITLE_2025 in starter
    r = docgen(data_dir, "init", "protection-center", "-o", str(tmp_path / "pc.yaml"))
    assert r.returncode == 2 and not (tmp_path / "pc.yaml").exists(), "a unit the 2025 form no longer lists"
    r = docgen(data_dir, "init", "protection-center", "--form", "2024", "-o", str(tmp_path / "pc.yaml"))
    assert r.returncode == 0 and "form: 2024" in (tmp_path / "pc.yaml").read_text("utf-8")


@pytest.mark.slow
def test_batch_summary_and_archive_use_the_2025_units(data_dir: Path, inputs: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    r = docgen(data_dir, "batch", str(inputs), "-o", str(out), "-j", "2")
    assert r.returncode == 0, r.stdout + r.stderr
    # the console table lists the units in the 2025 order
    lines = r.stdout.splitlines()
    row = {name: next(i for i, line in enumerate(lines) if name[:6] in line) for name in (SZ, GZ, HQ)}
    assert row[SZ] < row[GZ] < row[HQ]
    # summary: units in the 2025 order, the missing ones are 2025's
    wb = openpyxl.load_workbook(out / "汇总表.xlsx")
    first = wb["表一汇总"]  # (the first sheet, 单位汇总, totals each unit across the four tables)
    assert TITLE_2025.replace("征集表", "") in str(first.cell(1, 1).value) and RETITLED in str(first.cell(1, 1).value)
    listed = [first.cell(r, 1).value for r in range(4, 4 + 3)]
    assert listed == [SZ, GZ, HQ]
    missing = [c.value for c in wb["未报送或失败"]["A"][1:]]
    assert sorted(missing) == sorted(set(UNITS_2025) - {SZ, GZ, HQ}) and PC not in missing
    # archive volume: title and contents in the 2025 order
    volume = (out / "归档卷.pdf").read_bytes()
    meta = PdfReader(io.BytesIO(volume)).metadata
    assert meta is not None and "2025年度" in (meta.title or "")
    with pdfplumber.open(io.BytesIO(volume)) as pdf:
        contents = "".join(pdf.pages[0].extract_text().split())
    assert contents.index(SZ[:6]) < contents.index(GZ[:6]) < contents.index(HQ[:6])
    # each packet carries the 2025 titles
    with pdfplumber.open(out / "shenzhen.pdf") as pdf:
        packet = "".join("".join((p.extract_text() or "").split()) for p in pdf.pages)
    assert RETITLED in packet and "2025年度" in packet and "2024年度" not in packet
