"""Hostile and careless batch folders: stray files, one unit twice, stale or tampered outputs, bad options.

Each case lays out its own folder and runs `docgen batch` as the provincial office would (in this
process, through testkit.run_docgen, which fails a call that hangs past its time limit), asserting
what it prints, its exit code and what lands in the output folder (read back with openpyxl/pypdf).
"""

from __future__ import annotations

import fcntl
import json
import shutil
import subprocess
from pathlib import Path

import openpyxl
import pytest
import yaml
from testkit import run_docgen

pytestmark = pytest.mark.slow  # a whole batch per case

ROOT = next(p for p in Path(__file__).resolve().parents if (p / "pyproject.toml").is_file())
EXAMPLES = ROOT / "data" / "submissions" / "2024"
NOTICE = ROOT / "data" / "notices" / "2023-233.yaml"
FORM = ROOT / "data" / "forms" / "2024.yaml"
LOCK_NAME = ".docgen.lock"  # README: a batch holds an flock on this file in the output folder


def batch(folder: Path, out: Path, *extra: str | Path) -> subprocess.CompletedProcess:
    """`docgen batch FOLDER -o OUT -j 1 EXTRA…`, run in this process (the CLI's own code and output)."""
    return run_docgen("batch", folder, "-o", out, "-j", "1", *extra)


def folder_of(tmp_path: Path, *units: str) -> Path:
    folder = tmp_path / "in"
    folder.mkdir(exist_ok=True)
    for unit in units:
        shutil.copy(EXAMPLES / f"{unit}.yaml", folder / f"{unit}.yaml")
    return folder


def no_traceback(proc: subprocess.CompletedProcess) -> None:
    assert "Traceback" not in proc.stderr + proc.stdout, proc.stderr
    assert "内部错误" not in proc.stderr + proc.stdout, proc.stderr


def outline_titles(pdf: Path) -> list[str]:
    from pypdf import PdfReader

    def walk(items) -> list[str]:
        out = []
        for it in items:
            out += walk(it) if isinstance(it, list) else [it.title]
        return out

    return walk(PdfReader(pdf).outline)


def missing_sheet(out: Path) -> list[tuple]:
    wb = openpyxl.load_workbook(out / "汇总表.xlsx")
    ws = wb["未报送或失败"]
    return [tuple(c.value for c in row) for row in ws.iter_rows(min_row=2)]


# --- only --notice is a notice ------------------------------------------------------------------


def test_a_notice_in_the_submissions_folder_is_reported_never_used(tmp_path: Path) -> None:
    folder = folder_of(tmp_path, "yunfu")
    shutil.copy(NOTICE, folder / "tongzhi.yaml")
    out = tmp_path / "out"
    proc = batch(folder, out)
    no_traceback(proc)
    assert proc.returncode == 1, proc.stderr
    assert "tongzhi.yaml" in proc.stderr and "不是填报文件" in proc.stderr, proc.stderr
    titles = outline_titles(out / "归档卷.pdf")
    assert not any("通知" in t for t in titles), titles
    assert any("云浮市" in t for t in titles), titles


def test_a_form_file_in_the_submissions_folder_is_reported(tmp_path: Path) -> None:
    folder = folder_of(tmp_path, "yunfu")
    shutil.copy(FORM, folder / "2024.yaml")
    proc = batch(folder, tmp_path / "out")
    no_traceback(proc)
    assert proc.returncode == 1
    assert "2024.yaml" in proc.stderr and "不是填报文件" in proc.stderr, proc.stderr


# --- a unit is its form id ------------------------------------------------------------------------


def test_one_unit_in_yaml_and_json_is_an_error_naming_both(tmp_path: Path) -> None:
    folder = folder_of(tmp_path, "shanwei", "yunfu")
    data = yaml.safe_load((EXAMPLES / "shanwei.yaml").read_text(encoding="utf-8"))
    (folder / "shanwei.json").write_text(json.dumps(data, ensure_ascii=False, default=str), encoding="utf-8")
    out = tmp_path / "out"
    proc = batch(folder, out)
    no_traceback(proc)
    assert proc.returncode == 1
    lines = [ln for ln in proc.stderr.splitlines() if "shanwei.yaml" in ln and "shanwei.json" in ln]
    assert lines and "汕尾市" in lines[0], proc.stderr
    rows = missing_sheet(out)
    assert any(r[0] and r[0].startswith("汕尾市") and "shanwei.json" in (r[2] or "") for r in rows), rows
    # Counted nowhere twice: the unit is not among the units that filed.
    ws = openpyxl.load_workbook(out / "汇总表.xlsx")["表一汇总"]
    assert not any(str(c.value or "").startswith("汕尾市") for c in ws["A"]), [c.value for c in ws["A"]]


def test_a_resent_copy_under_another_name_is_an_error(tmp_path: Path) -> None:
    folder = folder_of(tmp_path, "yunfu")
    shutil.copy(EXAMPLES / "yunfu.yaml", folder / "云浮-重报.yaml")
    proc = batch(folder, tmp_path / "out")
    no_traceback(proc)
    assert proc.returncode == 1
    assert any("yunfu.yaml" in ln and "云浮-重报.yaml" in ln for ln in proc.stderr.splitlines()), proc.stderr


def test_a_unit_spelled_differently_is_an_error_with_the_closest_unit(tmp_path: Path) -> None:
    folder = folder_of(tmp_path, "yunfu")
    text = (EXAMPLES / "shenzhen.yaml").read_text(encoding="utf-8")
    (folder / "sz.yaml").write_text(
        text.replace("unit: 深圳市市场监督管理局（知识产权局）", "unit: 深圳市市场监管局"), encoding="utf-8"
    )
    proc = batch(folder, tmp_path / "out")
    no_traceback(proc)
    assert proc.returncode == 1
    line = next((ln for ln in proc.stderr.splitlines() if "sz.yaml" in ln and "深圳市市场监管局" in ln), "")
    assert "深圳市市场监督管理局（知识产权局）" in line, proc.stderr


# --- outputs and manifest ---------------------------------------------------------------------------


def test_a_same_size_edit_of_an_output_is_rebuilt(tmp_path: Path) -> None:
    folder = folder_of(tmp_path, "yunfu")
    out = tmp_path / "out"
    assert batch(folder, out).returncode == 0
    target = out / "yunfu.xlsx"
    good = target.read_bytes()
    bad = bytearray(good)
    bad[len(bad) // 2] ^= 0xFF  # same size, different content
    target.write_bytes(bytes(bad))
    proc = batch(folder, out)
    no_traceback(proc)
    assert proc.returncode == 0, proc.stderr
    assert target.read_bytes() == good


# End to end through `docgen batch` for two shapes (not JSON; JSON of the wrong shape); every other
# shape is checked, message and all, on Manifest.load itself (tests/batch/test_manifest.py).
@pytest.mark.parametrize("manifest", ['{"units": {"yunfu": {"outputs": 3}}}', "{"])
def test_a_manifest_of_the_wrong_shape_means_a_full_rebuild_with_a_warning(tmp_path: Path, manifest: str) -> None:
    folder = folder_of(tmp_path, "yunfu")
    out = tmp_path / "out"
    out.mkdir()
    (out / "manifest.json").write_text(manifest, encoding="utf-8")
    proc = batch(folder, out)
    no_traceback(proc)
    assert proc.returncode == 0, proc.stderr
    assert "manifest.json" in proc.stderr and "重新生成" in proc.stderr, proc.stderr
    assert (out / "yunfu.pdf").is_file() and (out / "汇总表.xlsx").is_file()
    assert isinstance(json.loads((out / "manifest.json").read_text(encoding="utf-8"))["units"], dict)


def test_the_summary_uses_each_units_content_never_a_path_from_the_manifest(tmp_path: Path) -> None:
    folder = folder_of(tmp_path, "yunfu", "shanwei")
    out = tmp_path / "out"
    assert batch(folder, out).returncode == 0
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    manifest["units"]["yunfu"]["source"] = "shanwei.yaml"  # a tampered manifest points elsewhere
    manifest["units"]["shanwei"]["source"] = "../../../../etc/passwd"
    (out / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False), encoding="utf-8")
    (out / "汇总表.xlsx").unlink()
    proc = batch(folder, out)
    no_traceback(proc)
    assert proc.returncode == 0, proc.stderr
    ws = openpyxl.load_workbook(out / "汇总表.xlsx")["表四汇总"]
    names = [c.value for c in ws["A"] if isinstance(c.value, str)]
    assert sum(n.startswith("云浮市") for n in names) == 1 and sum(n.startswith("汕尾市") for n in names) == 1, names


def test_a_second_batch_on_the_same_output_folder_is_refused(tmp_path: Path) -> None:
    folder = folder_of(tmp_path, "yunfu")
    out = tmp_path / "out"
    out.mkdir()
    with (out / LOCK_NAME).open("w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        proc = batch(folder, out)
    no_traceback(proc)
    assert proc.returncode == 2, proc.stderr
    assert "正在" in proc.stderr and str(out) in proc.stderr, proc.stderr
    assert not (out / "yunfu.pdf").exists()


def test_the_output_folder_cannot_be_the_input_folder(tmp_path: Path) -> None:
    folder = folder_of(tmp_path, "yunfu")
    proc = batch(folder, folder)
    no_traceback(proc)
    assert proc.returncode == 2, proc.stderr
    assert "输出目录" in proc.stderr and "输入目录" in proc.stderr, proc.stderr
    assert sorted(p.name for p in folder.iterdir()) == ["yunfu.yaml"]


# --- options checked before any work ------------------------------------------------------------------


def test_an_unreachable_scheduler_is_refused_before_any_work(tmp_path: Path) -> None:
    folder = folder_of(tmp_path, "yunfu")
    out = tmp_path / "out"
    proc = batch(folder, out, "--scheduler", "tcp://127.0.0.1:9")
    no_traceback(proc)
    assert proc.returncode == 2, proc.stderr
    assert "tcp://127.0.0.1:9" in proc.stderr and "无法连接" in proc.stderr, proc.stderr
    assert not any(out.glob("*.pdf")) if out.exists() else True


def test_a_missing_notice_is_refused_before_any_work(tmp_path: Path) -> None:
    folder = folder_of(tmp_path, "yunfu")
    out = tmp_path / "out"
    proc = batch(folder, out, "--notice", tmp_path / "nope.yaml")
    no_traceback(proc)
    assert proc.returncode == 2, proc.stderr
    assert "nope.yaml" in proc.stderr
    assert not out.exists() or not any(out.glob("*.pdf"))


def test_an_invalid_notice_is_exit_1_before_any_work(tmp_path: Path) -> None:
    folder = folder_of(tmp_path, "yunfu")
    bad = tmp_path / "notice.yaml"
    text = NOTICE.read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    data["colour"] = "red"  # an unknown key: the notice does not pass validate
    bad.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    out = tmp_path / "out"
    proc = batch(folder, out, "--notice", bad)
    no_traceback(proc)
    assert proc.returncode == 1, proc.stderr
    assert "notice.yaml" in proc.stderr
    assert not out.exists() or not any(out.glob("*.pdf"))


def test_an_output_path_that_is_a_file_is_refused(tmp_path: Path) -> None:
    folder = folder_of(tmp_path, "yunfu")
    out = tmp_path / "out.pdf"
    out.write_text("x", encoding="utf-8")
    proc = batch(folder, out)
    no_traceback(proc)
    assert proc.returncode == 2, proc.stderr
    assert "out.pdf" in proc.stderr and "不是目录" in proc.stderr, proc.stderr
