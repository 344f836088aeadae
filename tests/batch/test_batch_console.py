"""What the provincial officer sees of a batch: progress of every step, failures as they happen,
a Chinese index of the output, and an archive volume with the 汇总表 and a 卷内备考表."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest
from testkit import run_docgen

pytestmark = pytest.mark.slow  # a whole batch with the notice, summary and archive

ROOT = next(p for p in Path(__file__).resolve().parents if (p / "pyproject.toml").is_file())
EXAMPLES = ROOT / "data" / "submissions" / "2024"
NOTICE = ROOT / "data" / "notices" / "2023-233.yaml"


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory):
    folder = tmp_path_factory.mktemp("in")
    for unit in ("shanwei", "yunfu"):
        shutil.copy(EXAMPLES / f"{unit}.yaml", folder / f"{unit}.yaml")
    broken = (EXAMPLES / "heyuan.yaml").read_text(encoding="utf-8").replace("form: 2024", "form: 2024\ncolour: red")
    (folder / "heyuan.yaml").write_text(broken, encoding="utf-8")
    out = tmp_path_factory.mktemp("out")
    proc = run_docgen("batch", folder, "-o", out, "-j", "1", "--notice", NOTICE)
    return out, proc


def test_progress_covers_summary_and_archive(run) -> None:
    _, proc = run
    lines = proc.stderr.splitlines()
    assert any("汇总表" in ln and ln.startswith("[") for ln in lines), proc.stderr
    assert any("归档卷" in ln and ln.startswith("[") for ln in lines), proc.stderr


def test_a_failing_units_messages_are_printed_when_it_fails(run) -> None:
    _, proc = run
    lines = proc.stderr.splitlines()
    failed = next(i for i, ln in enumerate(lines) if "heyuan" in ln and "失败" in ln)
    message = next(i for i, ln in enumerate(lines) if "colour" in ln)
    summary = next(i for i, ln in enumerate(lines) if "汇总表" in ln and ln.startswith("["))
    assert message <= failed + 1 and message < summary, proc.stderr


def test_an_index_names_each_units_files_in_chinese(run) -> None:
    out, _ = run
    index = out / "文件索引.csv"
    with index.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    sz = next(r for r in rows if r["单位"] == "汕尾市市场监督管理局（知识产权局）")
    assert sz["状态"] == "成功"
    for ext in ("docx", "xlsx", "pdf"):
        assert (out / sz[ext.upper()]).is_file()
    hy = next(r for r in rows if r["单位"].startswith("河源市") or r["文件"] == "heyuan.yaml")
    assert hy["状态"] != "成功" and "colour" in hy["说明"]
    assert any(r["单位"].startswith("广州市") and r["状态"] == "未报送" for r in rows)


def test_archive_volume_holds_the_summary_and_a_closing_record(run) -> None:
    import pdfplumber
    from pypdf import PdfReader

    out, _ = run
    reader = PdfReader(out / "归档卷.pdf")
    titles = [it.title for it in reader.outline if not isinstance(it, list)]
    assert any("汇总表" in t for t in titles), titles
    assert "卷内备考表" in titles[-1], titles
    with pdfplumber.open(out / "归档卷.pdf") as pdf:
        last = pdf.pages[-1].extract_text() or ""
        contents = pdf.pages[0].extract_text() or ""
    assert "卷内备考表" in last and f"{len(reader.pages)}" in last, last
    assert "汇总表" in contents and "卷内备考表" in contents


def test_on_a_terminal_the_progress_bar_is_drawn_on_stderr(tmp_path: Path) -> None:
    """`docgen batch … 2> terminal > file`: the bar goes to the terminal the batch checked, never into stdout."""
    import os
    import pty
    import subprocess
    import sys
    import threading

    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(EXAMPLES / "shanwei.yaml", folder)
    master, replica = pty.openpty()
    seen: list[bytes] = []

    def drain() -> None:  # read while it runs: a full terminal buffer would block the batch
        while True:
            try:
                chunk = os.read(master, 4096)
            except OSError:  # EIO: every writer has closed the terminal
                return
            if not chunk:
                return
            seen.append(chunk)

    reader = threading.Thread(target=drain, daemon=True)
    reader.start()
    try:
        proc = subprocess.run(
            [sys.executable, "-m", "docgen", "batch", str(folder), "-o", str(tmp_path / "out"), "-j", "1"],
            stdout=subprocess.PIPE,
            stderr=replica,
            timeout=300,
        )
    finally:
        os.close(replica)
        reader.join(30)
        os.close(master)
    terminal = b"".join(seen).decode("utf-8", "replace")
    assert proc.returncode == 0, terminal
    assert "生成中" in terminal, terminal
    assert "生成中" not in proc.stdout.decode("utf-8", "replace")
