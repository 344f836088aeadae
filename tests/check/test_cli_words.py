"""What the CLI says about a broken input is Chinese alone, and a number too long for Python is an input
error like any other: never PyYAML's English sentence, never Python's "Exceeds the limit (4300 digits)".

Python refuses int() of more than 4,300 digits (and to print such an int). Every way a CLI input
(YAML, JSON, a filled workbook, a notice) can carry such a number goes through the real commands here.
"""

from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from docgen.cli import app
from docgen.io.source import load, to_jsonable
from docgen.registry import Options, render_file

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "data" / "submissions" / "2024" / "guangzhou.yaml"
NOTICE = ROOT / "data" / "notices" / "2023-233.yaml"
FORM = ROOT / "data" / "forms" / "2024.yaml"
N = "1" * 5000  # more digits than Python turns into an int
runner = CliRunner()

PYTHON_WORDS = re.compile(r"Exceeds the limit|digits|Traceback|内部错误|set_int_max_str_digits|Unable to parse")


def edited(path: Path, old: str, new: str) -> str:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    return text.replace(old, new, 1)


def said(args: list[str]) -> tuple[int, str]:
    result = runner.invoke(app, args)
    return result.exit_code, result.output


# ------------------------------------------------------------------ syntax: the Chinese sentence alone
SYNTAX = {
    "tab.yaml": "form: 2024\ncontact:\n\tname: 张三\n",
    "bracket.yaml": "form: 2024\nretained: [\n  a: 1\n",
    "quote.yaml": 'form: 2024\nunit: "广州\ncity: 广州市\n',
    "indent.yaml": "form: 2024\ncontact:\n    name: 张三\n  phone: 1\n",
    "broken.json": '{"form": 2024,, "unit": "x"}',
}


@pytest.mark.parametrize("name", sorted(SYNTAX))
def test_a_syntax_error_is_said_in_chinese_alone(name: str, tmp_path: Path) -> None:
    path = tmp_path / name
    path.write_text(SYNTAX[name], encoding="utf-8")
    code, text = said(["validate", str(path)])
    assert code == 1
    (line,) = [ln for ln in text.splitlines() if "[syntax]" in ln]
    message = line.split("（文件）: ", 1)[1]
    assert re.search(r"[\u4e00-\u9fff]", message)
    # names (YAML, JSON, Tab) may stay; no English sentence: "while scanning …", "Expecting ',' delimiter"
    assert not re.search(r"(?<![A-Za-z])[a-z]{3,}(?![A-Za-z])", message), message
    # the parser's own words stay available to programs
    code, out = said(["validate", "--json", str(path)])
    (diag,) = json.loads(out)[0]["diagnostics"]
    assert diag["message"] in line and re.search(r"[A-Za-z]{3,}", diag["original"]), diag


# ------------------------------------------------------------------ 5,000 digits in YAML and JSON
# case: (YAML line of the example, its replacement, JSON text of the example, its replacement, phrase said)
CASES = {
    "quantity count": (
        "        count: 4\n        unit_amount: 30\n",
        f'        quantity: "{N}*30"\n',
        '"count": 4, "unit_amount": 30',
        f'"quantity": "{N}*30"',
        "项目数过长",
    ),
    "form 1e5000": ("form: 2024\n", "form: 1e5000\n", '"form": 2024', '"form": 1e5000', "应为四位数的年份"),
    "form digits": ("form: 2024\n", f"form: {N}\n", '"form": 2024', f'"form": {N}', "数字过长"),
    "form text": ("form: 2024\n", f'form: "{N}"\n', '"form": 2024', f'"form": "{N}"', "数字过长"),
    # 300 digits are an int, but too long a file name for data/forms/YEAR.yaml (OSError)
    "form 300 digits": ("form: 2024\n", f'form: "{N[:300]}"\n', '"form": 2024', f'"form": "{N[:300]}"', "数字过长"),
    "count 1e5000": ("        count: 4\n", "        count: 1e5000\n", '"count": 4', '"count": 1e5000', "超过上限"),
}


def example_as(fmt: str) -> str:
    if fmt == "yaml":
        return EXAMPLE.read_text(encoding="utf-8")
    return json.dumps(to_jsonable(load(EXAMPLE).data), ensure_ascii=False)


@pytest.mark.parametrize("case", sorted(CASES))
@pytest.mark.parametrize("fmt", ["yaml", "json"])
def test_a_number_python_cannot_hold_is_a_chinese_diagnostic(case: str, fmt: str, tmp_path: Path) -> None:
    yaml_old, yaml_new, json_old, json_new, phrase = CASES[case]
    old, new = (yaml_old, yaml_new) if fmt == "yaml" else (json_old, json_new)
    text = example_as(fmt)
    assert old in text
    path = _write(tmp_path / f"unit.{fmt}", text.replace(old, new, 1))
    for command in (["validate"], ["render", "-o", str(tmp_path / "out"), "-f", "docx"]):
        code, out = said([*command, str(path)])
        assert code == 1, out[-800:]
        assert not PYTHON_WORDS.search(out), out[-800:]
        assert phrase in out and re.search(rf"{re.escape(str(path))}:\d+: 错误", out), out[-800:]
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


# ------------------------------------------------------------------ the notice's form years
@pytest.mark.parametrize(("value", "phrase"), [("1e5000", "应为四位数的年份"), (f'"{N}"', "数字过长"), (N, "数字过长")])
def test_a_notice_form_year_python_cannot_hold(value: str, phrase: str, tmp_path: Path) -> None:
    path = _write(tmp_path / "notice.yaml", edited(NOTICE, "    form_tables: 2024\n", f"    form_tables: {value}\n"))
    for command in (["validate"], ["render", "-o", str(tmp_path / "out"), "-f", "docx"]):
        code, out = said([*command, str(path)])
        assert code == 1, out[-800:]  # validate called 1e5000 valid, render crashed
        assert not PYTHON_WORDS.search(out), out[-800:]
        assert phrase in out and "attachments[0].form_tables" in out
        assert len(re.findall(r": 错误 ", out)) == 1, out  # one slip, one message


def test_a_published_form_year_python_cannot_hold(tmp_path: Path) -> None:
    """A form file (docgen validate and render read it too) is loaded with PyYAML after docgen's reader:
    its int() of the 5,000 digits added Python's English to the reader's Chinese."""
    path = _write(tmp_path / "2099.yaml", edited(FORM, "year: 2024\n", f"year: {N}\n"))
    for command in (["validate"], ["render", "-o", str(tmp_path / "out"), "-f", "xlsx"]):
        code, out = said([*command, str(path)])
        assert code == 1, out[-800:]
        assert not PYTHON_WORDS.search(out), out[-800:]
        assert re.search(rf"{re.escape(str(path))}:\d+: 错误 \[number-too-long\] year: 数字过长（5,000 位）", out), out


# ------------------------------------------------------------------ a filled workbook
@pytest.fixture(scope="module")
def workbook(tmp_path_factory) -> Path:
    """The example's XLSX, as a clerk gets it to fill in."""
    path = tmp_path_factory.mktemp("wb") / "guangzhou.xlsx"
    path.write_bytes(render_file(EXAMPLE, Options(formats=("xlsx",))).outputs["xlsx"])
    return path


def _quantity_cell(wb) -> tuple[str, str]:
    ws = wb["表一"]
    for row in ws.iter_rows():
        for cell in row:
            if cell.value == "4*30":
                return ws.title, cell.coordinate
    raise AssertionError("no 4*30 cell in 表一")


def test_a_workbook_count_of_5000_digits_names_sheet_and_cell(workbook: Path, tmp_path: Path) -> None:
    wb = openpyxl.load_workbook(workbook)
    sheet, ref = _quantity_cell(wb)
    wb[sheet][ref] = f"{N}*30"
    filled = tmp_path / "filled.xlsx"
    wb.save(filled)
    code, out = said(["import", str(filled), "-o", str(tmp_path / "out.yaml")])
    assert code != 0 and not (tmp_path / "out.yaml").exists()
    assert not PYTHON_WORDS.search(out), out[-800:]
    assert f"{sheet}!{ref}: 项目数及单项金额" in out and "项目数过长（5,000 位）" in out
    assert len(out) < 2000  # the 5,000 digits are not printed back


def test_a_workbook_form_year_of_4000_digits(workbook: Path, tmp_path: Path) -> None:
    """The form year docgen stores in the workbook's custom properties: 4,000 digits made int() fine and a
    file name too long (OSError); the year is then read from the sheet titles, as for any workbook."""
    filled = tmp_path / "year.xlsx"
    with zipfile.ZipFile(workbook) as src, zipfile.ZipFile(filled, "w") as dst:
        for item in src.infolist():
            data = src.read(item)
            if item.filename == "docProps/custom.xml":
                data, n = re.subn(rb"(<vt:i4[^>]*>)2024(</vt:i4>)", rb"\g<1>" + b"1" * 4000 + rb"\g<2>", data)
                assert n == 1
            dst.writestr(item, data)
    code, out = said(["import", str(filled), "-o", str(tmp_path / "out.yaml")])
    assert not PYTHON_WORDS.search(out) and "File name too long" not in out, out[-800:]
    assert code == 0 and (tmp_path / "out.yaml").exists(), out


@pytest.mark.parametrize(
    ("year", "phrase"), [(N, "数字过长|应为四位数的年份"), (N[:300], "应为四位数的年份"), ("2030", "没有 2030 年度")]
)
@pytest.mark.parametrize("command", [["schema"], ["init", "guangzhou"]])
def test_a_form_option_python_cannot_hold_or_no_form_has(command: list[str], year: str, phrase: str, tmp_path) -> None:
    """--form of schema and init: 5,000 digits got pydantic's English; 300 digits and an unpublished year
    a traceback (a file name too long; no such file)."""
    code, out = said([*command, "--form", year, *(["-o", str(tmp_path / "x.yaml")] if command[0] == "init" else [])])
    assert code == 2, out[-800:]
    assert not PYTHON_WORDS.search(out) and "Error" not in out, out[-800:]
    assert re.search(phrase, out) and len(out) < 1000, out[-800:]  # schema's --form is text, init's a number
    assert not (tmp_path / "x.yaml").exists()
