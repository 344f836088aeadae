"""`docgen form check/new/schema` and `--forms DIR` / DOCGEN_FORMS, run as a clerk runs them (python -m docgen)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FORM_2024 = ROOT / "data" / "forms" / "2024.yaml"


def docgen(*args: str, env: dict[str, str] | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if k != "DOCGEN_FORMS"} | (env or {})
    return subprocess.run(
        [sys.executable, "-m", "docgen", *args], capture_output=True, text=True, env=environ, cwd=cwd, timeout=120
    )


def test_form_check_every_problem_by_line_in_chinese(tmp_path: Path) -> None:
    broken = tmp_path / "2026.yaml"
    text = FORM_2024.read_text("utf-8")
    text = text.replace("type: count, required: true", "type: number, required: true", 1)
    text = text.replace("formula: count * unit_amount", "formula: count * unit_amount)", 1)
    text = text.replace("only: [creation,", "only: [creaton,", 1)
    broken.write_text(text, "utf-8")
    lines = text.splitlines()
    ok = docgen("form", "check", str(FORM_2024))
    assert ok.returncode == 0 and "通过" in ok.stdout, ok.stdout + ok.stderr
    bad = docgen("form", "check", str(FORM_2024), str(broken))
    assert bad.returncode == 1 and "Traceback" not in bad.stderr
    out = bad.stdout
    assert "2024.yaml: 通过" in out and "2026.yaml: 未通过（3 个问题）" in out, out
    for code, needle in (
        ("form-shape", "type: number"),
        ("expression-syntax", "formula: count * unit_amount)"),
        ("only-unknown", "only: [creaton,"),
    ):
        line = next(n for n, text in enumerate(lines, 1) if needle in text)
        assert f"2026.yaml:{line}: 错误 [{code}]" in out, (code, line, out)
    assert "多余的“)”" in out and "“creaton”不在选项列表“categories”里" in out
    as_json = json.loads(docgen("form", "check", "--json", str(broken)).stdout)
    assert as_json[0]["valid"] is False and len(as_json[0]["problems"]) == 3
    missing = docgen("form", "check", str(tmp_path / "none.yaml"))
    assert missing.returncode == 2


def test_form_new_moves_the_year_on_and_the_copy_serves_through_forms(tmp_path: Path) -> None:
    forms = tmp_path / "forms"
    forms.mkdir()
    target = forms / "2025.yaml"
    made = docgen("form", "new", "2025", "--from", "2024", "-o", str(target))
    assert made.returncode == 0, made.stderr
    text = target.read_text("utf-8")
    assert "year: 2025" in text and "title: 2025年度知识产权项目需求征集表" in text and "deadline: 2024-05-30" in text
    assert "2024年" not in text
    again = docgen("form", "new", "2025", "--from", "2024", "-o", str(target))
    assert again.returncode == 1 and "已存在" in again.stderr
    assert docgen("form", "new", "2025", "--from", "1999", "-o", str(tmp_path / "2025.yaml")).returncode == 2
    # the copy answers to form: 2025 through --forms and through DOCGEN_FORMS
    filing = tmp_path / "gz.yaml"
    assert docgen("--forms", str(forms), "init", "guangzhou", "--form", "2025", "-o", str(filing)).returncode == 0
    assert "form: 2025" in filing.read_text("utf-8")
    sub = (
        (ROOT / "data" / "submissions" / "2024" / "guangzhou.yaml")
        .read_text("utf-8")
        .replace("form: 2024", "form: 2025")
    )
    filing.write_text(sub, "utf-8")
    unknown = docgen("validate", str(filing))
    assert unknown.returncode == 1 and "没有 2025 年度的征集表" in unknown.stdout
    for how in (["--forms", str(forms)], []):
        passed = docgen(*how, "validate", str(filing), env={} if how else {"DOCGEN_FORMS": str(forms)})
        assert passed.returncode == 0, passed.stdout + passed.stderr
    assert docgen("--forms", str(tmp_path / "nowhere"), "validate", str(filing)).returncode == 2


def test_the_form_definitions_json_schema_names_docgens_own_keys(tmp_path: Path) -> None:
    out = tmp_path / "form.schema.json"
    assert docgen("form", "schema", "-o", str(out)).returncode == 0
    schema = json.loads(out.read_text("utf-8"))
    column = schema["$defs"]["ColumnDef"]["properties"]
    assert column["type"]["anyOf"][0]["enum"] == ["text", "amount", "count", "date", "choice", "computed", "seq"]
    assert column["width"]["x-docgen"] is True and "x-docgen" not in column["formula"]
    assert schema["$defs"]["TableDef"]["properties"]["example_rows"]["x-docgen"] is True
    same = docgen("schema", "--form", "definition")
    assert json.loads(same.stdout) == schema
