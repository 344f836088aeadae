"""The command line as a clerk uses it: exit codes, messages, schema, starter files."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
import yaml
from typer.testing import CliRunner

from docgen.cli import app
from docgen.io.source import load, to_jsonable

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = sorted((ROOT / "data" / "submissions" / "2024").glob("*.yaml"))
INVALID = ROOT / "tests" / "fixtures" / "invalid"
runner = CliRunner()


def test_help_is_plain_words() -> None:
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    for command in ("validate", "render", "batch", "import", "schema", "init", "fonts"):
        assert command in result.output
    for command in ("validate", "render", "batch", "import", "schema", "init", "fonts"):
        sub = runner.invoke(app, [command, "--help"])
        assert sub.exit_code == 0, command


def test_validate_exit_codes() -> None:
    ok = runner.invoke(app, ["validate", str(EXAMPLES[0])])
    assert ok.exit_code == 0, ok.output
    bad = runner.invoke(app, ["validate", str(INVALID / "several.yaml")])
    assert bad.exit_code == 1
    assert "6 个错误" in bad.output
    usage = runner.invoke(app, ["validate", "/no/such/file.yaml"])
    assert usage.exit_code == 2
    warn = runner.invoke(app, ["validate", str(INVALID / "warn-late.yaml")])
    assert warn.exit_code == 0 and "警告" in warn.output
    strict = runner.invoke(app, ["validate", "--strict", str(INVALID / "warn-late.yaml")])
    assert strict.exit_code == 1


def test_validate_json_for_machines() -> None:
    result = runner.invoke(app, ["validate", "--json", str(INVALID / "budget.yaml"), str(EXAMPLES[0])])
    assert result.exit_code == 1
    data = json.loads(result.output)
    assert [d["valid"] for d in data] == [False, True]
    diag = data[0]["diagnostics"][0]
    assert diag["code"] == "budget-mismatch" and diag["path"] == "retained[0].budget" and diag["line"] == 11


def test_schema_is_valid_and_accepts_every_example(tmp_path: Path) -> None:
    out = tmp_path / "schema.json"
    result = runner.invoke(app, ["schema", "-o", str(out)])
    assert result.exit_code == 0
    schema = json.loads(out.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    assert schema["properties"]["retained"]["title"].startswith("表（一）")
    assert len(EXAMPLES) >= 1
    for path in EXAMPLES:
        errors = list(validator.iter_errors(to_jsonable(load(path).data)))
        assert not errors, (path.name, [e.message for e in errors[:3]])
    # and it rejects what docgen rejects: a misspelt key, a category of the wrong table
    bad = to_jsonable(load(INVALID / "unknown-key.yaml").data)
    assert list(validator.iter_errors(bad))
    bad = to_jsonable(load(INVALID / "category-table.yaml").data)
    assert list(validator.iter_errors(bad))


def test_init_writes_a_valid_starter(tmp_path: Path) -> None:
    out = tmp_path / "sz.yaml"
    result = runner.invoke(app, ["init", "深圳市", "-o", str(out)])
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    assert "高价值专利培育布局中心建设" in text  # presets listed as comments
    data = yaml.safe_load(text)
    assert data["unit"] == "深圳市市场监督管理局（知识产权局）" and data["city"] == "深圳市"
    # As written it asks for exactly what the clerk must add: contact name and phone.
    check = runner.invoke(app, ["validate", "--json", str(out)])
    codes = {(d["code"], d["path"]) for d in json.loads(check.output)[0]["diagnostics"]}
    assert codes == {("missing", "contact.name"), ("missing", "contact.phone"), ("empty", "（文件顶层）")}
    out.write_text(
        text.replace('name: ""', "name: 王芳").replace('phone: ""', 'phone: "0755-88001234"'), encoding="utf-8"
    )
    assert runner.invoke(app, ["validate", str(out)]).exit_code == 0
    again = runner.invoke(app, ["init", "深圳市", "-o", str(out)])
    assert again.exit_code == 1  # never overwrites silently
    unknown = runner.invoke(app, ["init", "香港"])
    assert unknown.exit_code == 2 and "找不到" in unknown.output


@pytest.mark.parametrize("name", ["several.yaml", "syntax.yaml"])
def test_render_refuses_bad_input_without_traceback(tmp_path: Path, name: str) -> None:
    result = runner.invoke(app, ["render", str(INVALID / name), "-o", str(tmp_path)])
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert "未生成" in result.output
    assert list(tmp_path.iterdir()) == []


def test_render_writes_the_requested_formats(tmp_path: Path) -> None:
    result = runner.invoke(
        app, ["render", str(ROOT / "data" / "forms" / "2024.yaml"), "-o", str(tmp_path), "-f", "docx,xlsx"]
    )
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["2024.docx", "2024.xlsx"]
    bad = runner.invoke(app, ["render", str(EXAMPLES[0]), "-o", str(tmp_path), "-f", "odt"])
    assert bad.exit_code == 2 and "odt" in bad.output


def test_require_official_fonts_fails_openly_and_writes_nothing(tmp_path: Path) -> None:
    from docgen.standard import fonts

    try:
        fonts.resolve_all(require_official=True)
        pytest.skip("the official fonts are installed here")  # cannot happen on a setup.sh machine
    except fonts.OfficialFontMissing:
        pass
    result = runner.invoke(app, ["render", str(EXAMPLES[0]), "-o", str(tmp_path), "--require-official-fonts"])
    assert result.exit_code == 1
    assert "仿宋" in result.output and "Traceback" not in result.output
    assert list(tmp_path.iterdir()) == []
    report = runner.invoke(app, ["fonts", "--require-official-fonts"])
    assert report.exit_code == 1
    assert runner.invoke(app, ["fonts"]).exit_code == 0


def test_validate_understands_notices_and_forms(tmp_path: Path) -> None:
    notice = ROOT / "data" / "notices" / "2023-233.yaml"
    ok = runner.invoke(app, ["validate", str(notice), str(ROOT / "data" / "forms" / "2024.yaml")])
    assert ok.exit_code == 0, ok.output
    bad = tmp_path / "notice.yaml"
    bad.write_text(notice.read_text(encoding="utf-8").replace("\ntitle:", "\ntitel:", 1), encoding="utf-8")
    result = runner.invoke(app, ["validate", "--json", str(bad)])
    assert result.exit_code == 1
    paths = {d["path"] for d in json.loads(result.output)[0]["diagnostics"]}
    assert {"title", "titel"} <= paths
