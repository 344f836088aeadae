"""A province copies templates/, changes wording, points docgen at the copy: the outputs follow it."""

from __future__ import annotations

import re
import shutil
import zipfile
from pathlib import Path

import pdfplumber
import pytest
from docx import Document
from typer.testing import CliRunner

from docgen.cli import app
from docgen.io.paths import TEMPLATES_DIR

ROOT = Path(__file__).resolve().parents[1]
GUANGZHOU = ROOT / "data" / "submissions" / "2024" / "guangzhou.yaml"


def edit_docx_template(path: Path, old: str, new: str) -> None:
    """Change text inside the Word template, as editing it in Word would."""
    src = zipfile.ZipFile(path)
    parts = {i.filename: src.read(i.filename) for i in src.infolist()}
    xml = parts["word/document.xml"].decode("utf-8")
    assert old in xml
    parts["word/document.xml"] = xml.replace(old, new, 1).encode("utf-8")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for name, data in parts.items():
            dst.writestr(name, data)


@pytest.mark.slow
def test_rendering_follows_a_copied_and_edited_template_folder(tmp_path: Path) -> None:
    mine = tmp_path / "province-templates"
    shutil.copytree(TEMPLATES_DIR, mine)
    edit_docx_template(mine / "docx" / "form.docx", "{{ attachment_label }}", "{{ attachment_label }}（省局修订版）")
    packet = mine / "html" / "packet.html.j2"
    packet.write_text(
        packet.read_text(encoding="utf-8").replace("目录及金额汇总", "目录及金额汇总（省局修订版）"), encoding="utf-8"
    )
    out = tmp_path / "out"
    result = CliRunner().invoke(
        app, ["render", str(GUANGZHOU), "-o", str(out), "-f", "docx,pdf", "--templates", str(mine)]
    )
    assert result.exit_code == 0, result.output
    first = Document(out / "guangzhou.docx").paragraphs[0].text
    assert first == "附件1（省局修订版）"
    with pdfplumber.open(out / "guangzhou.pdf") as pdf:
        assert "目录及金额汇总（省局修订版）" in re.sub(r"\s", "", pdf.pages[0].extract_text())
    # the installed templates are untouched
    default = CliRunner().invoke(app, ["render", str(GUANGZHOU), "-o", str(tmp_path / "d"), "-f", "docx"])
    assert default.exit_code == 0
    assert Document(tmp_path / "d" / "guangzhou.docx").paragraphs[0].text == "附件1"
