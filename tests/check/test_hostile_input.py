"""Hostile and careless input files, each through the CLI as a clerk meets it: a Chinese message with line and path.

Every file in tests/fixtures/hostile declares what it expects in its leading comments:
  # expect: SEVERITY CODE LINE PATH   a diagnostic that must be reported (as in tests/fixtures/invalid)
  # says: TEXT                        a phrase the printed (text) report must contain
  # absent: CODE PATH                 a diagnostic that must NOT be reported (no second message for one slip)
  # value: PATH TEXT                  the file is valid and that field reads exactly TEXT (data never changed)
JSON files cannot hold comments; their expectations are in JSON_EXPECT below.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from docgen.cli import app

HERE = Path(__file__).resolve().parent.parent  # tests/
HOSTILE = HERE / "fixtures" / "hostile"
runner = CliRunner()

JSON_EXPECT: dict[str, dict[str, list]] = {
    "duplicate-key.json": {
        "expect": [("error", "duplicate-key", 6, "contact.name"), ("error", "duplicate-key", 8, "city")],
        "says": ["键“name”在第6行写了两次", "键“city”重复：第5行已经写过"],
    },
    "deep.json": {"expect": [("error", "syntax", 3, "（文件）")], "says": ["嵌套层数过深（超过 32 层）"]},
    "bigint.json": {
        "expect": [("error", "number-too-long", 8, "post_subsidy[0].amount")],
        "says": ["数字过长（5,001 位）"],
    },
    "surrogate.json": {"expect": [("error", "bad-character", 6, "contact.name")], "says": ["U+D800"]},
    "astral.json": {"value": [("contact.name", "张𠀀三"), ("unit", "广州市市场监督管理局（知识产权局）")]},
}


def declared(path: Path) -> dict[str, list]:
    if path.suffix == ".json":
        return {"expect": [], "says": [], "absent": [], "value": [], **JSON_EXPECT[path.name]}
    out: dict[str, list] = {"expect": [], "says": [], "absent": [], "value": []}
    for line in path.read_text(encoding="utf-8").splitlines():
        if m := re.match(r"# expect: (\w+) (\S+) (\d+) (\S+)$", line):
            out["expect"].append((m[1], m[2], int(m[3]), m[4]))
        elif m := re.match(r"# says: (.+)$", line):
            out["says"].append(m[1])
        elif m := re.match(r"# absent: (\S+) (\S+)$", line):
            out["absent"].append((m[1], m[2]))
        elif m := re.match(r"# value: (\S+) (.+)$", line):
            out["value"].append((m[1], m[2]))
    return out


FIXTURES = sorted(
    p for p in HOSTILE.iterdir() if p.suffix in (".yaml", ".json") and (p.suffix == ".yaml" or p.name in JSON_EXPECT)
)
CHECKED = [p for p in FIXTURES if declared(p)["expect"]]
VALUES = [p for p in FIXTURES if declared(p)["value"]]


def field(sub: object, path: str) -> object:
    for part in re.findall(r"[^.\[\]]+", path):
        sub = sub[int(part)] if part.isdigit() else getattr(sub, part)  # type: ignore[index]
    return sub


@pytest.mark.parametrize("path", CHECKED, ids=lambda p: p.name)
def test_hostile_file_is_reported_in_chinese_with_line_and_path(path: Path) -> None:
    want = declared(path)
    machine = runner.invoke(app, ["validate", "--json", str(path)])
    assert "Traceback" not in machine.output
    (report,) = json.loads(machine.stdout)
    got = {(d["severity"], d["code"], d["line"], d["path"]) for d in report["diagnostics"]}
    for exp in want["expect"]:
        assert exp in got, f"{path.name}: expected {exp}, got {sorted(got)}"
    for code, where in want["absent"]:
        assert not any(d["code"] == code and d["path"] == where for d in report["diagnostics"]), (code, where, got)
    has_error = any(e[0] == "error" for e in want["expect"])
    assert machine.exit_code == (1 if has_error else 0)

    text = runner.invoke(app, ["validate", str(path)])
    assert text.exit_code == machine.exit_code
    assert "Traceback" not in text.output
    for phrase in want["says"]:
        assert phrase in text.output, f"{path.name}: {phrase!r} not in\n{text.output}"
    for d in report["diagnostics"]:
        assert re.search(r"[\u4e00-\u9fff]", d["message"]), d
        assert f"{path}:{d['line']}: " in text.output


@pytest.mark.parametrize("path", VALUES, ids=lambda p: p.name)
def test_data_is_never_changed_without_a_word(path: Path) -> None:
    from docgen.check.submission import check_file

    result = runner.invoke(app, ["validate", "--json", str(path)])
    assert result.exit_code == 0, result.output
    codes = {d["code"] for d in json.loads(result.stdout)[0]["diagnostics"]}
    assert codes <= {"empty"}, codes  # not a word to say: the data is taken as written
    sub = check_file(path).submission
    for where, text in declared(path)["value"]:
        assert str(field(sub, where)) == text, (where, field(sub, where))


def test_yaml_1_1_numbers_keep_their_text_in_every_format(tmp_path: Path) -> None:
    import io

    import openpyxl
    from docx import Document

    out = tmp_path / "out"
    result = runner.invoke(app, ["render", str(HOSTILE / "yaml11-text.yaml"), "-o", str(out), "-f", "docx,xlsx"])
    assert result.exit_code == 0, result.output
    wb = openpyxl.load_workbook(out / "yaml11-text.xlsx")
    cells = {str(c.value) for ws in wb for row in ws.iter_rows() for c in row if c.value is not None}
    for text in ("020", "10:30", "0x1F", "on"):
        assert text in cells, text
    assert any("075526543210" in c for c in cells)
    doc = Document(io.BytesIO((out / "yaml11-text.docx").read_bytes()))
    body = "".join(c.text for t in doc.tables for r in t.rows for c in r.cells) + "".join(
        p.text for p in doc.paragraphs
    )
    assert "075526543210" in body and "10:30" in body and "8277116552" not in body


def test_minus_zero_is_printed_as_zero(tmp_path: Path) -> None:
    import openpyxl

    out = tmp_path / "out"
    result = runner.invoke(app, ["render", str(HOSTILE / "minus-zero.yaml"), "-o", str(out), "-f", "docx,xlsx"])
    assert result.exit_code == 0, result.output
    from docx import Document

    doc = Document(str(out / "minus-zero.docx"))
    texts = [c.text for t in doc.tables for r in t.rows for c in r.cells]
    assert "0.00" in texts and not any("-0" in t for t in texts)
    ws = openpyxl.load_workbook(out / "minus-zero.xlsx")["表二"]
    amounts = [c.value for row in ws.iter_rows() for c in row if c.number_format == "0.00" and c.value is not None]
    assert amounts and all(str(a) != "-0" and not str(a).startswith("-") for a in amounts)


def test_long_text_is_refused_with_the_limit(tmp_path: Path) -> None:
    from docgen.io import limits

    base = (
        (HOSTILE / "positions.yaml")
        .read_text(encoding="utf-8")
        .replace("count: 0", "count: 1")
        .replace("budget: 0", "budget: 30")
    )
    path = tmp_path / "long.yaml"
    path.write_text(
        base.replace(
            "name: 专利导航项目", "name: 专利导航项目\n        remarks: " + "长" * (limits.MAX_TEXT_CHARS + 1)
        ),
        encoding="utf-8",
    )
    result = runner.invoke(app, ["validate", "--json", str(path)])
    assert result.exit_code == 1
    (diag,) = json.loads(result.stdout)[0]["diagnostics"]
    assert diag["code"] == "too-long" and diag["path"] == "retained[1].projects[0].remarks" and diag["line"] == 20
    assert "32,767" in diag["message"] and "32,768" in diag["message"]
    ok = tmp_path / "ok.yaml"
    ok.write_text(
        base.replace("name: 专利导航项目", "name: 专利导航项目\n        remarks: " + "长" * limits.MAX_TEXT_CHARS),
        encoding="utf-8",
    )
    assert runner.invoke(app, ["validate", str(ok)]).exit_code == 0


def test_a_huge_file_is_refused_unread(tmp_path: Path) -> None:
    from docgen.io import limits

    path = tmp_path / "huge.yaml"
    with path.open("w", encoding="utf-8") as fh:
        fh.write("form: 2024\nremarks: |\n")
        line = "  " + "长" * 1000 + "\n"
        while fh.tell() <= limits.MAX_FILE_BYTES:
            fh.write(line)
    result = runner.invoke(app, ["validate", str(path)])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "文件过大" in result.output and "8 MB" in result.output


@pytest.mark.parametrize("name", ["form-shaped.yaml", "notice-shaped.yaml"])
def test_a_form_or_notice_where_a_submission_is_expected(name: str, tmp_path: Path) -> None:
    from docgen.check.submission import load_submission
    from docgen.models.diagnostics import InvalidInput

    with pytest.raises(InvalidInput) as caught:
        load_submission(HOSTILE / name)
    (diag,) = caught.value.diagnostics
    assert diag.code == "wrong-kind" and diag.line == 2 and diag.path == "（文件顶层）"
    assert ("征集表" if name.startswith("form") else "通知") in diag.message and "不是填报文件" in diag.message
    # Through the CLI, which takes it for what it is (a form or a notice) and says what is wrong with it.
    for command in (["validate"], ["render", "-o", str(tmp_path)]):
        result = runner.invoke(app, [*command, str(HOSTILE / name)])
        assert result.exit_code == 1 and "Traceback" not in result.output, result.output
        assert re.search(rf"{re.escape(str(HOSTILE / name))}:\d+: 错误 ", result.output), result.output


def test_rows_are_capped(tmp_path: Path) -> None:
    from docgen.io import limits

    head = (HOSTILE / "positions.yaml").read_text(encoding="utf-8").split("retained:")[0]
    rows = "".join(
        f"  - {{work: 工作, name: 项目{i}, amount: 1, performance: 10家}}\n" for i in range(limits.MAX_ROWS + 1)
    )
    path = tmp_path / "rows.yaml"
    path.write_text(head + "post_subsidy:\n" + rows, encoding="utf-8")
    result = runner.invoke(app, ["validate", "--json", str(path)])
    assert result.exit_code == 1
    (diag,) = [d for d in json.loads(result.stdout)[0]["diagnostics"] if d["severity"] == "error"]
    assert diag["code"] == "too-many-rows" and diag["path"] == "post_subsidy" and "1,000" in diag["message"]


def test_readme_states_the_limits() -> None:
    from docgen.io import limits

    readme = (HERE.parent / "README.md").read_text(encoding="utf-8")
    for value in (
        f"{limits.MAX_FILE_BYTES // 2**20} MB",
        f"{limits.MAX_ROWS:,}",
        f"{limits.MAX_TEXT_CHARS:,} 个字符",
        f"{limits.MAX_AMOUNT:,} 万元",
        f"{limits.MAX_COUNT:,}",
        str(limits.MAX_NUMBER_DIGITS),
        str(limits.MAX_DEPTH),
    ):
        assert value in readme, value


def test_a_duplicate_key_in_a_notice_is_reported_too(tmp_path: Path) -> None:
    notice = (HERE.parent / "data" / "notices" / "2023-233.yaml").read_text(encoding="utf-8")
    path = tmp_path / "notice.yaml"
    path.write_text(notice + "\nissuer: 另一个机关\n", encoding="utf-8")
    first = next(n for n, line in enumerate(notice.splitlines(), 1) if line.startswith("issuer:"))
    result = runner.invoke(app, ["validate", "--json", str(path)])
    assert result.exit_code == 1
    dup = [d for d in json.loads(result.stdout)[0]["diagnostics"] if d["code"] == "duplicate-key"]
    assert dup and dup[0]["path"] == "issuer" and f"第{first}行已经写过" in dup[0]["message"]
    rendered = runner.invoke(app, ["render", str(path), "-o", str(tmp_path / "out")])
    assert rendered.exit_code == 1 and "duplicate-key" in rendered.output and "Traceback" not in rendered.output


@pytest.mark.parametrize("suffix", [".yaml", ".xlsx"])
def test_a_named_pipe_or_a_device_is_refused_never_waited_on(tmp_path: Path, suffix: str) -> None:
    """A pipe named like a filing (opening one waits for a writer) or /dev/zero: exit 1 with a Chinese
    message naming the file, at once (run_docgen fails a call that hangs)."""
    import os

    from testkit import run_docgen

    pipe = tmp_path / f"shenzhen{suffix}"
    os.mkfifo(pipe)
    for path, what in ((pipe, "管道"), (Path("/dev/zero"), "设备")):
        for command in ("validate", "render"):
            args = [command, str(path)] + (["-o", str(tmp_path / "out")] if command == "render" else [])
            r = run_docgen(*args, timeout=30)
            assert r.returncode == 1, (command, path, r.stdout, r.stderr)
            text = r.stdout + r.stderr
            assert path.name in text and f"这是一个{what}" in text and "Traceback" not in text, text
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())
