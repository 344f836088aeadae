"""Hostile and careless workbooks: each is refused or diagnosed by sheet and cell, in seconds, never a crash.

Every case builds its own file from a real docgen workbook and runs `docgen import` (and `docgen
validate`) as a clerk would, asserting the console text and the exit code. Subprocess timeouts are
a guard against a hang, not a speed test (bench/ measures speed).
"""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import openpyxl
import pytest

ROOT = next(p for p in Path(__file__).resolve().parents if (p / "pyproject.toml").is_file())
SHENZHEN = ROOT / "data" / "submissions" / "2024" / "shenzhen.yaml"
DOCGEN = [sys.executable, "-m", "docgen"]
GUARD_SECONDS = 120  # only so that a hang fails the test instead of blocking the suite


def docgen(*args: str | Path, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([*DOCGEN, *map(str, args)], capture_output=True, text=True, timeout=GUARD_SECONDS, cwd=cwd)


@pytest.fixture(scope="module")
def filled(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Shenzhen's filled workbook, as docgen writes it."""
    out = tmp_path_factory.mktemp("filled")
    proc = docgen("render", SHENZHEN, "-o", out, "-f", "xlsx")
    assert proc.returncode == 0, proc.stderr
    return out / "shenzhen.xlsx"


def edited(src: Path, dst: Path, edit) -> Path:
    wb = openpyxl.load_workbook(src)
    edit(wb)
    wb.save(dst)
    return dst


def patch_part(src: Path, dst: Path, part: str, replace: tuple[bytes, bytes]) -> Path:
    """Copy a workbook, replacing bytes inside one of its XML parts (what a hand-edited file can hold)."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename == part:
                assert replace[0] in data, (part, replace[0])
                data = data.replace(*replace)
            zout.writestr(info.filename, data)
    return dst


def sheet_part(path: Path, title: str) -> str:
    wb = openpyxl.load_workbook(path, read_only=True)
    index = wb.sheetnames.index(title)
    wb.close()
    return f"xl/worksheets/sheet{index + 1}.xml"


def header_col(ws, *words: str) -> int:
    for cell in ws[4]:
        if isinstance(cell.value, str) and all(w in cell.value for w in words):
            return cell.column
    raise AssertionError(words)


def imported(path: Path, tmp_path: Path) -> subprocess.CompletedProcess:
    return docgen("import", path, "-o", tmp_path / "out.yaml", "--force")


def no_traceback(proc: subprocess.CompletedProcess) -> None:
    assert "Traceback" not in proc.stderr + proc.stdout, proc.stderr
    assert "内部错误" not in proc.stderr, proc.stderr


# --- bounded reading ----------------------------------------------------------------------------


def test_a_stray_cell_at_xfd1048576_costs_nothing(filled: Path, tmp_path: Path) -> None:
    """One value in the last cell Excel has: the import reads only the form's columns and rows."""
    stray = edited(filled, tmp_path / "stray.xlsx", lambda wb: wb["表一"].__setitem__("XFD1048576", "x"))
    clean = docgen("import", filled, "-o", tmp_path / "clean.yaml")
    assert clean.returncode == 0, clean.stderr
    proc = docgen("import", stray, "-o", tmp_path / "stray.yaml")
    no_traceback(proc)
    assert proc.returncode == 0, proc.stderr
    body = lambda p: p.read_text(encoding="utf-8").split("\n", 1)[1]  # noqa: E731 - line 1 names the file
    assert body(tmp_path / "stray.yaml") == body(tmp_path / "clean.yaml")


def test_a_million_empty_styled_rows_stop_early(filled: Path, tmp_path: Path) -> None:
    def edit(wb):
        ws = wb["表二"]
        for r in range(40, 20_040, 1):
            ws.cell(r, 1).number_format = "0.00"  # styled but empty: present in the XML
        ws.cell(20_039, 2).value = "远处的一个值"  # beyond the empty run: never reached

    proc = imported(edited(filled, tmp_path / "styled.xlsx", edit), tmp_path)
    no_traceback(proc)
    assert proc.returncode == 0, proc.stderr


def test_rows_beyond_the_cap_are_an_error_not_silently_dropped(filled: Path, tmp_path: Path) -> None:
    from docgen.io.xlsx_grid import MAX_ROWS

    def edit(wb):
        ws = wb["表二"]
        for r in range(10, MAX_ROWS + 20):  # below the 合计 row (row 9)
            ws.cell(r, 2).value = f"工作{r}"

    proc = imported(edited(filled, tmp_path / "long.xlsx", edit), tmp_path)
    no_traceback(proc)
    assert proc.returncode == 1
    assert f"超过 {MAX_ROWS} 行" in proc.stderr, proc.stderr
    assert "表二" in proc.stderr


def test_an_honest_zip_bomb_is_refused_before_openpyxl(filled: Path, tmp_path: Path) -> None:
    """A sheet that inflates to 200 MB: refused from the sizes the zip declares."""
    part = sheet_part(filled, "表二")
    bomb = tmp_path / "bomb.xlsx"
    filler = b"<!--" + b"0" * (200 * 1024 * 1024) + b"-->"
    patch_part(filled, bomb, part, (b"<sheetData>", filler + b"<sheetData>"))
    assert bomb.stat().st_size < 2 * 1024 * 1024
    proc = imported(bomb, tmp_path)
    no_traceback(proc)
    assert proc.returncode == 1
    assert "bomb.xlsx" in proc.stderr and "超过上限" in proc.stderr and part in proc.stderr, proc.stderr


def test_a_zip_bomb_that_lies_about_its_size_is_cut_at_the_declared_size(filled: Path, tmp_path: Path) -> None:
    """The central directory claims 20 KB for a part that inflates to 200 MB: docgen reads 20 KB at most."""
    part = sheet_part(filled, "表二")
    bomb = tmp_path / "liar.xlsx"
    filler = b"<!--" + b"0" * (200 * 1024 * 1024) + b"-->"
    patch_part(filled, bomb, part, (b"<sheetData>", filler + b"<sheetData>"))
    data = bytearray(bomb.read_bytes())
    with zipfile.ZipFile(bomb) as zf:
        info = zf.getinfo(part)
    small = (20 * 1024).to_bytes(4, "little")
    # Local header: uncompressed size at offset 22. Central directory (found from the end record):
    # each entry's uncompressed size at offset 24, its name at 46.
    data[info.header_offset + 22 : info.header_offset + 26] = small
    eocd = bytes(data).rindex(b"PK\x05\x06")
    cd = int.from_bytes(data[eocd + 16 : eocd + 20], "little")
    while data[cd : cd + 4] == b"PK\x01\x02":
        name_len = int.from_bytes(data[cd + 28 : cd + 30], "little")
        skip = (
            name_len
            + int.from_bytes(data[cd + 30 : cd + 32], "little")
            + int.from_bytes(data[cd + 32 : cd + 34], "little")
        )
        if data[cd + 46 : cd + 46 + name_len].decode() == part:
            data[cd + 24 : cd + 28] = small
            break
        cd += 46 + skip
    else:
        raise AssertionError("central directory entry not found")
    bomb.write_bytes(bytes(data))
    proc = imported(bomb, tmp_path)
    no_traceback(proc)
    assert proc.returncode == 1
    assert "liar.xlsx" in proc.stderr, proc.stderr


# --- files that are not plain workbooks -------------------------------------------------------


def test_an_encrypted_workbook_says_it_is_password_protected(filled: Path, tmp_path: Path) -> None:
    from msoffcrypto.format.ooxml import OOXMLFile

    locked = tmp_path / "locked.xlsx"
    with filled.open("rb") as src, locked.open("wb") as dst:
        OOXMLFile(src).encrypt("secret", dst)
    for command in (("import", locked, "-o", tmp_path / "x.yaml"), ("validate", locked)):
        proc = docgen(*command)
        no_traceback(proc)
        assert proc.returncode == 1, proc
        assert "密码" in proc.stderr + proc.stdout, proc
        assert "BadZipFile" not in proc.stderr + proc.stdout


def test_a_legacy_xls_is_named_as_such(filled: Path, tmp_path: Path) -> None:
    from conftest import require_tool_path

    exe = require_tool_path("soffice")
    subprocess.run(
        [
            exe,
            f"-env:UserInstallation=file://{tmp_path}/profile",
            "--headless",
            "--convert-to",
            "xls",
            "--outdir",
            str(tmp_path),
            str(filled),
        ],
        capture_output=True,
        timeout=GUARD_SECONDS,
        check=True,
    )
    proc = imported(tmp_path / "shenzhen.xls", tmp_path)
    no_traceback(proc)
    assert proc.returncode == 1
    assert ".xls" in proc.stderr and "另存为 .xlsx" in proc.stderr, proc.stderr


def test_a_text_file_named_xlsx(tmp_path: Path) -> None:
    fake = tmp_path / "深圳.xlsx"
    fake.write_text("unit: 深圳\n", encoding="utf-8")
    proc = imported(fake, tmp_path)
    no_traceback(proc)
    assert proc.returncode == 1
    assert "深圳.xlsx" in proc.stderr and "不是 .xlsx 工作簿" in proc.stderr, proc.stderr


# --- cell values that must not pass ---------------------------------------------------------------


def test_huge_numbers_are_cell_errors(filled: Path, tmp_path: Path) -> None:
    def edit(wb):
        ws = wb["表二"]
        col = header_col(ws, "后补助经费")
        ws.cell(5, col).value = 1e30
        ws.cell(6, col).value = 987654321

    first = edited(filled, tmp_path / "big1.xlsx", edit)
    part = sheet_part(filled, "表二")
    huge = patch_part(first, tmp_path / "huge.xlsx", part, (b"<v>987654321</v>", b"<v>" + b"9" * 5000 + b"</v>"))
    proc = imported(huge, tmp_path)
    no_traceback(proc)
    assert proc.returncode == 1, proc.stderr
    ws = openpyxl.load_workbook(filled)["表二"]
    letter = openpyxl.utils.get_column_letter(header_col(ws, "后补助经费"))
    assert f"表二!{letter}5" in proc.stderr and f"表二!{letter}6" in proc.stderr, proc.stderr
    assert "过大" in proc.stderr, proc.stderr


def test_a_merged_amount_across_rows_is_an_error_naming_the_range(filled: Path, tmp_path: Path) -> None:
    def edit(wb):
        ws = wb["表二"]
        col = header_col(ws, "后补助经费")
        letter = openpyxl.utils.get_column_letter(col)
        ws.merge_cells(f"{letter}5:{letter}6")

    proc = imported(edited(filled, tmp_path / "merged.xlsx", edit), tmp_path)
    no_traceback(proc)
    assert proc.returncode == 1, proc.stderr
    letter = openpyxl.utils.get_column_letter(header_col(openpyxl.load_workbook(filled)["表二"], "后补助经费"))
    assert f"表二!{letter}5:{letter}6" in proc.stderr, proc.stderr


@pytest.mark.parametrize("typed", ["60,5", "1,2,0", "1，200"])
def test_commas_in_amounts_are_errors(filled: Path, tmp_path: Path, typed: str) -> None:
    def edit(wb):
        ws = wb["表二"]
        ws.cell(5, header_col(ws, "后补助经费")).value = typed

    proc = imported(edited(filled, tmp_path / "comma.xlsx", edit), tmp_path)
    no_traceback(proc)
    assert proc.returncode == 1, proc.stderr
    assert f"“{typed}”" in proc.stderr and "逗号" in proc.stderr, proc.stderr
