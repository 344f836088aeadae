"""The batch lays the summary out in a worker while the units render (issue 23), and what it writes is
exactly the summary built from the units' real results: the same bytes as a serial batch, and a unit
that passed its check but failed to render is listed as failed, never left as the worker guessed."""

from __future__ import annotations

import shutil
from pathlib import Path

import openpyxl
import pytest

from docgen.batch.runner import build
from docgen.io.paths import TEMPLATES_DIR

pytestmark = pytest.mark.slow  # whole batches

EXAMPLES = Path(__file__).resolve().parents[2] / "data" / "submissions" / "2024"
UNITS = ["heyuan", "shanwei", "yunfu"]


def quiet(_: str) -> None:
    pass


@pytest.fixture(scope="module")
def inputs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("inputs")
    for unit in UNITS:
        shutil.copy(EXAMPLES / f"{unit}.yaml", folder)
    return folder


def test_the_summary_of_a_parallel_batch_is_byte_identical_to_a_serial_ones(inputs: Path, tmp_path: Path) -> None:
    parallel, serial = tmp_path / "parallel", tmp_path / "serial"
    build(inputs, parallel, jobs=2, formats=("pdf",), archive=False, log=quiet)
    build(inputs, serial, jobs=1, formats=("pdf",), archive=False, log=quiet)
    for name in ("汇总表.pdf", "汇总表.xlsx", ".archive/汇总表.pdf"):
        assert (parallel / name).read_bytes() == (serial / name).read_bytes(), name


def test_units_that_fail_to_render_are_listed_as_failed_in_the_summary(inputs: Path, tmp_path: Path) -> None:
    # every unit passes its check, then fails in the PDF writer (its packet template is broken); the
    # summary's own template is intact, so the summary is made, and must name the three as failed
    templates = tmp_path / "templates"
    shutil.copytree(TEMPLATES_DIR, templates)
    packet = templates / "html" / "packet.html.j2"
    text = packet.read_text(encoding="utf-8")
    cover = '{% if part in ("all", "cover") %}'
    assert cover in text
    packet.write_text(text.replace(cover, cover + "{{ no_such_variable }}", 1), encoding="utf-8")
    out = tmp_path / "out"
    report = build(inputs, out, jobs=2, formats=("pdf",), archive=False, templates=templates, log=quiet)
    assert sorted(report.failed) == UNITS
    sheet = openpyxl.load_workbook(out / "汇总表.xlsx")["未报送或失败"]
    rows = {row[0]: row[1] for row in sheet.iter_rows(min_row=2, values_only=True)}
    for unit in ("河源市", "汕尾市", "云浮市"):
        assert rows.get(f"{unit}市场监督管理局（知识产权局）") == "生成失败", rows
