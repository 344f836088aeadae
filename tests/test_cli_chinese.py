"""The CLI speaks Chinese and checks where it will write before doing any work."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

from docgen.cli import app

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "data" / "submissions" / "2024" / "yunfu.yaml"
runner = CliRunner()


def invoke(args: list[str]) -> object:
    return runner.invoke(app, args, prog_name="docgen")


ENGLISH = re.compile(
    r"\b(Usage|Options|Arguments|Commands|Show this message|default|required|Error|Missing|"
    r"does not exist|Invalid value|No such|Try|for help|PATH|TEXT|INTEGER)\b"
)


@pytest.mark.parametrize(
    "args",
    [
        ["--help"],
        ["render", "--help"],
        ["validate", "--help"],
        ["init", "--help"],
        ["import", "--help"],
        ["batch", "--help"],
        ["schema", "--help"],
        ["fonts", "--help"],
        ["serve", "--help"],
        ["user", "--help"],
        ["user", "add", "--help"],
        ["token", "--help"],
    ],
    ids=" ".join,
)
def test_help_is_chinese(args: list[str]) -> None:
    result = invoke(args)
    assert result.exit_code == 0
    assert result.output.startswith("用法：docgen")
    assert "选项：" in result.output and "显示本帮助并退出" in result.output
    assert not ENGLISH.search(result.output), ENGLISH.search(result.output)


@pytest.mark.parametrize(
    "args, phrase",
    [
        (["render", "/no/such/深圳.yaml"], "文件不存在：/no/such/深圳.yaml"),
        (["validate"], "缺少参数"),
        (["render", "--bogus", str(EXAMPLE)], "没有选项 --bogus"),
        (["rendr"], "没有命令“rendr”。是否应为“render”？"),
        (["batch", str(ROOT / "data"), "-o", "x", "-j", "abc"], "应为整数"),
        (["render", str(EXAMPLE), "-o"], "选项 -o 后面需要一个值"),
    ],
    ids=["missing-file", "missing-argument", "bad-option", "bad-command", "bad-integer", "option-without-value"],
)
def test_usage_errors_are_chinese(args: list[str], phrase: str) -> None:
    result = invoke(args)
    assert result.exit_code == 2
    assert phrase in result.output, result.output
    assert "错误：" in result.output
    assert not ENGLISH.search(result.output), result.output


def test_the_installed_command_speaks_chinese_too(tmp_path: Path) -> None:
    exe = ROOT / ".venv" / "bin" / "docgen"
    docgen = str(exe) if exe.exists() else shutil.which("docgen")
    assert docgen, "docgen is installed by scripts/setup.sh"
    env = {**os.environ, "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8"}
    run = subprocess.run([docgen, "render", "/no/such.yaml"], capture_output=True, text=True, env=env, timeout=60)
    assert run.returncode == 2 and "文件不存在" in run.stderr and "Traceback" not in run.stderr
    assert not ENGLISH.search(run.stderr), run.stderr
    # A lone surrogate in the input is diagnosed and printed, as text and as JSON, by the real process.
    hostile = ROOT / "tests" / "fixtures" / "hostile" / "surrogate.json"
    key = tmp_path / "key.json"  # here the surrogate is quoted back in the message (未知的键“…”)
    key.write_text(hostile.read_text(encoding="utf-8").replace('"date"', '"\\udc01date"'), encoding="utf-8")
    for extra in ([], ["--json"]):
        for path in (hostile, key):
            run = subprocess.run(
                [docgen, "validate", *extra, str(path)], capture_output=True, text=True, env=env, timeout=60
            )
            assert run.returncode == 1 and "Traceback" not in run.stderr + run.stdout, run.stderr
            assert "U+D800" in run.stdout
    assert "\\udc01date" in run.stdout  # printed as its escape, never a crash


def render(*args: str) -> object:
    return invoke(["render", *args])


def test_output_naming_a_file_is_refused_before_any_work(tmp_path: Path) -> None:
    target = tmp_path / "已有文件.txt"
    target.write_text("keep", encoding="utf-8")
    result = render(str(EXAMPLE), "-o", str(target), "-f", "docx")
    assert result.exit_code == 2, result.output
    assert "输出目录" in result.output and "是一个文件" in result.output and "Traceback" not in result.output
    assert target.read_text(encoding="utf-8") == "keep"
    assert "已生成" not in result.output


def test_output_ending_in_pdf_is_refused(tmp_path: Path) -> None:
    result = render(str(EXAMPLE), "-o", str(tmp_path / "深圳.pdf"))
    assert result.exit_code == 2, result.output
    assert "-o 应为输出目录" in result.output and "深圳.pdf" in result.output
    assert not (tmp_path / "深圳.pdf").exists()


def test_output_under_a_file_or_unwritable_parent(tmp_path: Path) -> None:
    blocker = tmp_path / "plain-file"
    blocker.write_text("x", encoding="utf-8")
    result = render(str(EXAMPLE), "-o", str(blocker / "out"), "-f", "docx")
    assert result.exit_code == 2 and "无法创建输出目录" in result.output and "Traceback" not in result.output
    result = render(str(EXAMPLE), "-o", "/proc/docgen-out", "-f", "docx")
    assert result.exit_code == 2 and "无法创建输出目录" in result.output and "Traceback" not in result.output


def test_a_missing_parent_is_created(tmp_path: Path) -> None:
    out = tmp_path / "新建" / "目录"
    result = render(str(EXAMPLE), "-o", str(out), "-f", "docx")
    assert result.exit_code == 0, result.output
    assert (out / "yunfu.docx").exists()


def test_a_full_disk_is_a_clear_message_and_no_partial_file(tmp_path: Path, require) -> None:
    mount = tmp_path / "tiny"
    mount.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=16k", "tmpfs", str(mount)], capture_output=True)
    require(done.returncode == 0, "mount (root) for a tiny tmpfs")
    try:
        result = render(str(EXAMPLE), "-o", str(mount), "-f", "docx,xlsx")
        assert result.exit_code == 1, result.output
        assert "磁盘空间不足" in result.output and "Traceback" not in result.output
        assert not [p for p in mount.iterdir() if p.name.startswith(".") or p.suffix == ".tmp"], list(mount.iterdir())
    finally:
        subprocess.run(["umount", str(mount)], check=True)


def test_same_stem_twice_is_refused_before_any_work(tmp_path: Path) -> None:
    for sub in ("a", "b"):
        (tmp_path / sub).mkdir()
        shutil.copy(EXAMPLE, tmp_path / sub / "x.yaml")
    out = tmp_path / "out"
    result = render(str(tmp_path / "a" / "x.yaml"), str(tmp_path / "b" / "x.yaml"), "-o", str(out))
    assert result.exit_code == 2, result.output
    assert "x.yaml" in result.output and "同名" in result.output
    assert not out.exists() or not list(out.iterdir())


def test_init_writes_a_commented_example_row_for_every_table(tmp_path: Path) -> None:
    import json

    out = tmp_path / "sz.yaml"
    assert invoke(["init", "深圳市", "-o", str(out)]).exit_code == 0
    text = out.read_text(encoding="utf-8")
    assert "[]" not in text.replace("“retained: []”", "").replace("[] 表示", "")
    for table in ("retained", "post_subsidy", "support", "delegated"):
        assert re.search(rf"^{table}:\n(?:#.*\n)?  # - ", text, re.M), table
    # Uncommenting the example rows as they stand gives a file docgen reads: only the filler text is to change.
    filled = (
        re.sub(r"^  # ", "  ", text, flags=re.M)
        .replace('name: ""', "name: 王芳")
        .replace('phone: ""', 'phone: "0755-1"')
    )
    out.write_text(filled, encoding="utf-8")
    result = invoke(["validate", "--json", str(out)])
    codes = {d["code"] for d in json.loads(result.stdout)[0]["diagnostics"] if d["severity"] == "error"}
    assert codes <= {"duplicate-project"} and result.exit_code == 0, result.output
