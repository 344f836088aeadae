"""Validate runs any form from its definition alone: a renamed or added column, a fifth table, messages in its words."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from docgen.cli import app
from docgen.form.catalog import FORMS_ENV, catalog

ROOT = Path(__file__).resolve().parents[2]
runner = CliRunner()

FIFTH = """\
  - key: extra
    number: 五
    title: 2026年度知识产权项目需求征集表（五）
    subtitle: 新增部分
    row_word: 行
    columns:
      - {key: seq, title: 序号, type: seq}
      - {key: item, title: 事项, type: text, required: true}
      - {key: paid, title: 执行金额, type: amount, required: true, total: true}
      - {key: share, title: 占比, type: computed, formula: paid / planned}
      - {key: planned, title: 计划金额, type: amount, required: true}
"""


@pytest.fixture
def province(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A province folder with 2026: 2024's form with 项目绩效 renamed, 实施地区 added and a fifth table."""
    text = (ROOT / "data" / "forms" / "2024.yaml").read_text("utf-8")
    text = text.replace("year: 2024", "year: 2026").replace("title: 项目绩效,", "title: 绩效目标,")
    text = text.replace(
        "        - {key: remarks, title: 备注, type: text, width: 8}\n  - key: post_subsidy",
        "        - {key: remarks, title: 备注, type: text, width: 8}\n"
        "        - {key: region, title: 实施地区, type: text}\n  - key: post_subsidy",
        1,
    )
    text = text.replace("\n# 附件2 填写说明", FIFTH + "\n# 附件2 填写说明")
    folder = tmp_path / "forms"
    folder.mkdir()
    (folder / "2026.yaml").write_text(text, "utf-8")
    monkeypatch.setenv(FORMS_ENV, str(folder))
    return tmp_path


def filing(folder: Path, extra: str) -> Path:
    text = (ROOT / "data" / "submissions" / "2024" / "guangzhou.yaml").read_text("utf-8")
    text = text.replace("form: 2024", "form: 2026")
    path = folder / "guangzhou-2026.yaml"
    path.write_text(text.rstrip("\n") + "\n" + extra, "utf-8")
    return path


def test_the_changed_form_builds(province: Path) -> None:
    built = catalog().get("2026")
    assert built is not None and built.ok, built.problems if built else None


def test_messages_in_the_forms_own_words(province: Path) -> None:
    path = filing(
        province,
        "extra:\n  - {item: 培训, paid: 10, planned: 20}\n  - {item: 宣传, planned: 5}\n"
        "  - {item: 评估, paid: 1, planned: 0}\n",
    )
    text = path.read_text("utf-8")
    # a project with 实施地区 (the new column, by its Chinese title) and a 绩效目标 without a number
    text = text.replace("      - name:", "      - 实施地区: 全市\n        name:", 1)
    path.write_text(text, "utf-8")
    result = runner.invoke(app, ["validate", "--json", str(path)])
    found = json.loads(result.output)
    diagnostics = [d for f in found for d in f["diagnostics"]]
    by_path = {d["path"]: d for d in diagnostics}
    assert "region" not in " ".join(d["message"] for d in diagnostics)  # the new column is a known key
    missing = by_path["extra[1].paid"]
    assert missing["code"] == "missing" and missing["place"] == "表（五）第2行 执行金额", missing
    assert "执行金额（paid）" in missing["message"]
    zero = by_path["extra[2].share"]
    assert zero["code"] == "division-by-zero" and zero["place"] == "表（五）第3行 占比" and "除以零" in zero["message"]
    # a form with a table of its own prints like any other (no "not printable yet")
    assert not any(d["code"] == "form-not-printable" for d in diagnostics)
