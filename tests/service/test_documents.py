"""validate and render answer what the CLI answers, for every fixture and example, YAML, JSON and workbooks."""

from __future__ import annotations

import io
import json
import os
import re
import signal
import subprocess
import time
import zipfile
from pathlib import Path

import openpyxl
import pytest
from testkit import run_docgen

from docgen.standard.text import squash
from service.api_helpers import EXAMPLES, INVALID, YAML, assert_problem, paths_in
from service.service_helpers import ROOT

FIXTURES = paths_in(INVALID) + paths_in(EXAMPLES)


def cli(*args: str) -> subprocess.CompletedProcess:
    """The CLI's own answer (in this process: the same code as `python -m docgen`)."""
    return run_docgen(*args, cwd=ROOT)


@pytest.fixture(scope="module")
def cli_reports() -> dict[str, dict]:
    """`docgen validate --json` of every fixture, once."""
    out = json.loads(cli("validate", "--json", *map(str, FIXTURES)).stdout)
    return {Path(r["file"]).name: r for r in out}


def expected(cli_report: dict, workbook: bool = False) -> dict:
    diags = [
        {**{k: v for k, v in d.items() if k != "file"}, "cell": None} | ({"line": None} if workbook else {})
        for d in cli_report["diagnostics"]
    ]
    if workbook:  # the cell is the service's addition: compare it separately
        for d in diags:
            d.pop("cell")
    return {
        "valid": cli_report["valid"],
        "errors": cli_report["errors"],
        "warnings": cli_report["warnings"],
        "diagnostics": diags,
    }


def test_validate_agrees_with_the_cli_for_every_fixture(api, cli_reports) -> None:
    assert len(cli_reports) == len(FIXTURES) >= 40
    for path in FIXTURES:
        r = api.client.post("/api/v1/validate", content=path.read_bytes(), headers={**YAML, **api.auth("guangzhou")})
        assert r.status_code == 200, (path.name, r.text)
        assert r.json() == expected(cli_reports[path.name]), path.name
        # the same file as a multipart upload answers the same
        r = api.client.post(
            "/api/v1/validate", files={"file": (path.name, path.read_bytes())}, headers=api.auth("province")
        )
        assert r.json() == expected(cli_reports[path.name]), path.name


def test_a_notice_or_the_form_is_no_filing(api) -> None:
    """The registry tells the kinds apart for the service as for the CLI: a notice or the published
    form uploaded as a filing is one error naming what it is, not a list of missing submission keys."""
    for path, title in (
        (ROOT / "data" / "notices" / "2023-233.yaml", "通知"),
        (ROOT / "data" / "forms" / "2024.yaml", "征集表"),
    ):
        r = api.client.post("/api/v1/validate", content=path.read_bytes(), headers={**YAML, **api.auth("guangzhou")})
        assert r.status_code == 200, r.text
        body = r.json()
        assert (body["valid"], body["errors"]) == (False, 1), body
        (d,) = body["diagnostics"]
        assert d["code"] == "not-a-submission" and f"这是{title}" in d["message"], d


def test_render_refuses_an_invalid_fixture_with_its_report(api, cli_reports) -> None:
    for path in paths_in(INVALID):
        if cli_reports[path.name]["valid"]:
            continue  # warnings only: it renders
        r = api.client.post(
            "/api/v1/render?format=docx", content=path.read_bytes(), headers={**YAML, **api.auth("guangzhou")}
        )
        body = assert_problem(r, 422)
        assert body["report"] == expected(cli_reports[path.name]), path.name


@pytest.mark.slow
@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # rendering never touches the database
def test_render_gives_the_cli_bytes(api, tmp_path: Path) -> None:
    """DOCX and XLSX of all 23 examples, and the zip (with the PDF) of one, byte for byte as `docgen render`."""
    examples = paths_in(EXAMPLES)
    done = cli("render", *map(str, examples), "-f", "docx,xlsx", "-o", str(tmp_path / "cli"))
    assert done.returncode == 0, done.stderr
    for path in examples:
        for fmt in ("docx", "xlsx"):
            r = api.client.post(
                f"/api/v1/render?format={fmt}",
                files={"file": (path.name, path.read_bytes())},
                headers=api.auth("guangzhou"),
            )
            assert r.status_code == 200, r.text
            assert r.content == (tmp_path / "cli" / f"{path.stem}.{fmt}").read_bytes(), (path.name, fmt)
    guangzhou = EXAMPLES / "guangzhou.yaml"
    assert cli("render", str(guangzhou), "-f", "pdf", "-o", str(tmp_path / "cli")).returncode == 0
    r = api.client.post(
        "/api/v1/render?format=zip",
        files={"file": ("guangzhou.yaml", guangzhou.read_bytes())},
        headers=api.auth("guangzhou"),
    )
    assert r.status_code == 200 and r.headers["content-type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(r.content)) as zf:
        assert zf.namelist() == ["guangzhou.docx", "guangzhou.xlsx", "guangzhou.pdf"]
        for name in zf.namelist():
            assert zf.read(name) == (tmp_path / "cli" / name).read_bytes(), name
    r = api.client.post(
        "/api/v1/render?format=pdf", content=guangzhou.read_bytes(), headers={**YAML, **api.auth("guangzhou")}
    )
    assert r.content.startswith(b"%PDF-") and r.headers["content-type"] == "application/pdf"
    assert_problem(
        api.client.post(
            "/api/v1/render?format=odt", content=guangzhou.read_bytes(), headers={**YAML, **api.auth("guangzhou")}
        ),
        400,
    )


def _workbook(tmp_path: Path, unit: str = "foshan") -> Path:
    """The example's XLSX as docgen's own writer makes it."""
    done = cli("render", str(EXAMPLES / f"{unit}.yaml"), "-f", "xlsx", "-o", str(tmp_path / "wb"))
    assert done.returncode == 0, done.stderr
    return tmp_path / "wb" / f"{unit}.xlsx"


def test_a_workbook_validates_and_renders_as_import_then_validate(api, tmp_path: Path) -> None:
    book = _workbook(tmp_path, "guangzhou")
    imported = tmp_path / "imp" / "guangzhou.yaml"
    imported.parent.mkdir()
    assert cli("import", str(book), "-o", str(imported)).returncode == 0
    want = json.loads(cli("validate", "--json", str(imported)).stdout)[0]
    r = api.client.post(
        "/api/v1/validate", files={"file": ("guangzhou.xlsx", book.read_bytes())}, headers=api.auth("province")
    )
    got = r.json()
    assert (
        r.status_code == 200
        and got["diagnostics"]
        and all(re.fullmatch(r"表[一二三四]![A-Z]+[0-9]+", d.pop("cell")) for d in got["diagnostics"])
    )
    assert got == expected(want, workbook=True)
    assert cli("render", str(imported), "-f", "docx", "-o", str(tmp_path / "cli")).returncode == 0
    r = api.client.post(
        "/api/v1/render?format=docx",
        files={"file": ("guangzhou.xlsx", book.read_bytes())},
        headers=api.auth("province"),
    )
    assert r.status_code == 200 and r.content == (tmp_path / "cli" / "guangzhou.docx").read_bytes()
    # saved as a filing: the version is the workbook's exact bytes, its files render from it
    r = api.client.put(
        "/api/v1/filings/2024/guangzhou",
        files={"file": ("广州.xlsx", _workbook(tmp_path, "guangzhou").read_bytes())},
        headers=api.auth("guangzhou"),
    )
    assert r.status_code == 200 and r.json()["report"]["errors"] == 0, r.text
    v = api.client.get("/api/v1/filings/2024/guangzhou/versions/1", headers=api.auth("guangzhou"))
    assert v.content == (tmp_path / "wb" / "guangzhou.xlsx").read_bytes()
    assert v.headers["content-type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    f = api.client.get("/api/v1/filings/2024/guangzhou/files/form.xlsx", headers=api.auth("guangzhou"))
    assert f.status_code == 200 and f.content[:2] == b"PK"


def test_a_workbook_check_names_the_cell_of_each_problem(api, tmp_path: Path) -> None:
    """A wrong budget typed in Excel: the validator's budget-mismatch, at the cell the clerk typed it in."""
    book = _workbook(tmp_path, "guangzhou")
    wb = openpyxl.load_workbook(book)
    ws = wb["表一"]
    budget_col = next(c.column for c in ws[4] if squash(str(c.value)) == "经费安排（万元）")  # broken before （万元）
    first = next(r for r in range(5, ws.max_row + 1) if isinstance(ws.cell(r, budget_col).value, (int, float)))
    ws.cell(first, budget_col).value = 999
    quantity_col = next(c.column for c in ws[4] if squash(str(c.value)) == "项目数及单项金额")
    ws.cell(first + 1, quantity_col).value = "2*50"  # the next item's 项目数及单项金额 no longer matches its budget
    wb.save(book)
    r = api.client.post(
        "/api/v1/validate", files={"file": ("guangzhou.xlsx", book.read_bytes())}, headers=api.auth("guangzhou")
    )
    letter = openpyxl.utils.get_column_letter
    found = [(d["code"], d["path"], d["cell"], d["line"]) for d in r.json()["diagnostics"]]
    assert found == [
        ("budget-mismatch", "retained[0].budget", f"表一!{letter(budget_col)}{first}", None),
        ("budget-mismatch", "retained[1].budget", f"表一!{letter(budget_col)}{first + 1}", None),
        ("duplicate-project", "delegated[0].preset", "表四!D5", None),
    ], found


def test_workbook_problems_name_sheet_and_cell_as_docgen_import(api, tmp_path: Path) -> None:
    book = _workbook(tmp_path)
    wb = openpyxl.load_workbook(book)
    ws = wb["表一"]
    target = next(
        c
        for row in ws.iter_rows()
        for c in row
        if c.value == "专利导航项目"
        or (isinstance(c.value, str) and c.value.endswith("项目") and c.row > 4 and c.column > 3)
    )
    target.value = None
    ws["F7"] = "很多"
    broken = tmp_path / "broken.xlsx"
    wb.save(broken)
    done = cli("import", str(broken), "-o", str(tmp_path / "broken.yaml"))
    assert done.returncode == 1
    cli_lines = [line for line in done.stderr.splitlines() if line.strip()]
    r = api.client.post(
        "/api/v1/validate", files={"file": ("broken.xlsx", broken.read_bytes())}, headers=api.auth("province")
    )
    report = r.json()
    assert r.status_code == 200 and report["valid"] is False and report["errors"] == len(cli_lines) >= 1
    assert [f"{d['cell']}: {d['message']}" for d in report["diagnostics"]] == cli_lines
    assert all(re.fullmatch(r"表[一二三四]![A-Z]+[0-9]+", d["cell"]) for d in report["diagnostics"])
    r = api.client.post(
        "/api/v1/render?format=pdf", files={"file": ("broken.xlsx", broken.read_bytes())}, headers=api.auth("province")
    )
    assert assert_problem(r, 422)["report"] == report
    # not a workbook at all
    r = api.client.post(
        "/api/v1/validate", files={"file": ("x.xlsx", b"PK\x03\x04 not a zip")}, headers=api.auth("province")
    )
    assert r.status_code == 200 and r.json()["valid"] is False and r.json()["diagnostics"][0]["code"] == "workbook"


def test_the_check_workers_answer_as_the_cli_and_survive_a_killed_worker(api_check_pool, cli_reports) -> None:
    """What `docgen serve` does by default: every check in a check worker process, the same Report."""
    api = api_check_pool
    pool = api.app.state.check_pool
    assert pool.alive() and len(pool.pids) == 1
    before = pool.counts["ok"]
    for path in FIXTURES:
        r = api.client.post(
            "/api/v1/validate", files={"file": (path.name, path.read_bytes())}, headers=api.auth("province")
        )
        assert r.status_code == 200, (path.name, r.text)
        assert r.json() == expected(cli_reports[path.name]), path.name
    assert pool.counts["ok"] - before == len(FIXTURES)  # every one of them ran in the worker
    # a worker killed from outside: the check is answered all the same and the worker is replaced
    victim = pool.pids[0]
    os.kill(victim, signal.SIGKILL)
    path = FIXTURES[-1]
    r = api.client.post(
        "/api/v1/validate", files={"file": (path.name, path.read_bytes())}, headers=api.auth("province")
    )
    assert r.status_code == 200 and r.json()["valid"] == cli_reports[path.name]["valid"]
    deadline = time.monotonic() + 30
    while (not pool.pids or pool.pids == [victim]) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert pool.pids and victim not in pool.pids
