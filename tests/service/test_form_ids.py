"""Filings by form id: the migration from int years (SQLite and PostgreSQL), and a province's own form served
beside 2024 (`/api/v1/filings/2025-fuwu-jigou/guangzhou`), its batch job on that form alone."""

from __future__ import annotations

import io
import json
import re
import time
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from docgen.form.catalog import FORMS_ENV
from docgen.service import Settings
from docgen.service.db import MIGRATIONS, Database
from service.api_helpers import YAML, assert_problem, example
from service.conftest import Api, make_api

ROOT = Path(__file__).resolve().parents[2]
FORM_ID = "2025-fuwu-jigou"
TITLE = "2025年度知识产权服务机构项目需求征集表"


def test_the_migration_moves_years_to_form_ids_and_keeps_every_version_and_draft(
    tmp_path: Path, database_url: str
) -> None:
    """A database of the previous release (revision 0006) with a filing, its versions, its working draft and a
    batch job, upgraded at start: the rows are the form "2024"'s, nothing else moved."""
    from alembic import command
    from alembic.config import Config

    from docgen.service import filings

    db = Database.from_settings(Settings(data=tmp_path / "var", database_url=database_url))
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with db.write_engine.connect() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "0006")
        conn.commit()
    stamp = "2026-12-01 00:00:00"
    with db.write_engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO filings (id, year, unit_id, status, latest, updated_at)"
                " VALUES (1, 2024, 'guangzhou', 'draft', 2, :t), (2, 2024, 'shenzhen', 'submitted', 1, :t)"
            ),
            {"t": stamp},
        )
        for filing, number in ((1, 1), (1, 2), (2, 1)):
            conn.execute(
                text(
                    "INSERT INTO filing_versions (filing_id, number, created_at, created_by, filename, media_type, size,"
                    " sha256, content, report) VALUES (:f, :n, :t, 'cli', 'g.yaml', 'application/yaml', 1, :sha, :c,"
                    " :r)"
                ),
                {"f": filing, "n": number, "t": stamp, "sha": f"{filing}{number}" * 32, "c": b"x", "r": "{}"},
            )
        conn.execute(
            text(
                "INSERT INTO filing_drafts (filing_id, base_version, updated_at, updated_by, filename, media_type, size,"
                " sha256, content, report) VALUES (1, 2, :t, 'cli', 'g.yaml', 'application/yaml', 5, :sha, :c, '{}')"
            ),
            {"t": stamp, "sha": "d" * 64, "c": b"draft"},
        )
        conn.execute(
            text(
                "INSERT INTO batch_jobs (id, year, status, done, total, units, files, errors, attempts, created_by,"
                " created_at) VALUES ('old', 2024, 'done', 1, 1, '[]', '[]', '[]', 1, 'cli', :t)"
            ),
            {"t": stamp},
        )
    db.migrate()

    with db.read_engine.connect() as conn:
        rows = conn.execute(text("SELECT id, form_id, unit_id, status FROM filings ORDER BY id")).all()
        assert [tuple(r) for r in rows] == [(1, "2024", "guangzhou", "draft"), (2, "2024", "shenzhen", "submitted")]
        assert conn.execute(text("SELECT count(*) FROM filing_versions")).scalar() == 3
        draft = conn.execute(text("SELECT filing_id, content FROM filing_drafts")).one()
        assert (draft[0], bytes(draft[1])) == (1, b"draft")  # SQLite's table copy cascaded no draft away
        assert tuple(conn.execute(text("SELECT form_id, year FROM batch_jobs")).one()) == ("2024", 2024)
    # the service reads them by form id, a year given as an int still finds them
    assert db.read_sync(lambda s: filings.versions(s, "2024", "guangzhou"))[1] == 2
    assert db.read_sync(lambda s: filings.versions(s, 2024, "shenzhen"))[1] == 1
    # one filing per unit and form, as before
    with pytest.raises(IntegrityError, match="form_id"), db.write_engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO filings (id, form_id, unit_id, status, latest, updated_at)"
                " VALUES (3, '2024', 'guangzhou', 'draft', 0, :t)"
            ),
            {"t": stamp},
        )
    # a new form's filing beside it
    with db.write_engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO filings (id, form_id, unit_id, status, latest, updated_at)"
                " VALUES (4, :f, 'guangzhou', 'draft', 0, :t)"
            ),
            {"f": FORM_ID, "t": stamp},
        )
    db.dispose()


# ---------------------------------------------------------------------------------- a province's own form


def _province_forms(tmp_path: Path) -> Path:
    folder = tmp_path / "forms"
    folder.mkdir()
    form = (ROOT / "data" / "forms" / "2024.yaml").read_text("utf-8")
    form = form.replace("year: 2024", "year: 2025").replace("title: 2024年度知识产权项目需求征集表", f"title: {TITLE}")
    assert TITLE in form
    (folder / f"{FORM_ID}.yaml").write_text(form, "utf-8")
    return folder


@pytest.fixture
def api_forms(tmp_path: Path, database_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Api]:
    """The in-process service with the province's folder (set before its workers start: they inherit it)."""
    monkeypatch.setenv(FORMS_ENV, str(_province_forms(tmp_path)))
    yield from make_api(tmp_path, database_url, check_workers=0)


def as_form(body: bytes, form: str = FORM_ID) -> bytes:
    return re.sub(rb"^form: 2024$", f"form: {form}".encode(), body, flags=re.M)


def test_a_provinces_form_is_filed_by_its_id_beside_2024(api_forms: Api) -> None:
    api, c = api_forms, api_forms.client
    gz, province = api.auth("guangzhou"), api.auth("province")
    url = f"/api/v1/filings/{FORM_ID}/guangzhou"
    saved = c.put(url, content=as_form(example()), headers={**YAML, **gz})
    assert saved.status_code == 200, saved.text
    assert saved.json()["report"]["valid"] is True and saved.json()["version"] == 1
    latest = c.get(url, headers=gz).json()
    assert (latest["form"], latest["year"], latest["version"]) == (FORM_ID, 2025, 1)
    assert latest["submission"]["form"] == FORM_ID
    # 2024's filing of the same unit is another filing, and 2024 keeps working
    assert_problem(c.get("/api/v1/filings/2024/guangzhou", headers=gz), 404)
    assert c.put("/api/v1/filings/2024/guangzhou", content=example(), headers={**YAML, **gz}).status_code == 200
    assert c.get("/api/v1/filings/2024/guangzhou", headers=gz).json()["form"] == "2024"
    # a file answering the other form is not saved under this one
    wrong = assert_problem(c.put(url, content=example(), headers={**YAML, **gz}), 422)
    assert "2024 年度的征集表" in wrong["detail"] and FORM_ID in wrong["detail"]
    listing = c.get(f"/api/v1/filings/{FORM_ID}", headers=province).json()
    assert listing["form"] == FORM_ID and listing["year"] == 2025
    assert [(r["unit"], r["status"], r["version"]) for r in listing["filings"][:2]] == [
        ("guangzhou", "draft", 1),
        ("shenzhen", "none", None),
    ]
    assert c.post(url + "/submit", headers=gz).status_code == 200
    book = c.get(url + "/files/form.xlsx", headers=gz)
    assert book.status_code == 200, book.text
    assert book.headers["content-disposition"].endswith(f"guangzhou-{FORM_ID}-v1.xlsx")
    wb = openpyxl.load_workbook(io.BytesIO(book.content))
    cells = {str(cell.value) for ws in wb.worksheets for row in ws.iter_rows() for cell in row if cell.value}
    assert any(TITLE in value for value in cells)  # rendered with the form the filing is for
    # ids no form has
    assert_problem(c.get("/api/v1/filings/2025-fuwu/guangzhou", headers=gz), 404)
    assert_problem(c.get("/api/v1/filings/1999", headers=province), 400)  # a year outside 2000–2100, as before
    assert_problem(c.post("/api/v1/batches", json={"form": "2025-fuwu"}, headers=province), 404)
    assert_problem(c.post("/api/v1/batches", json={"year": 1999}, headers=province), 400)
    assert_problem(c.post("/api/v1/batches", json={}, headers=province), 400)


@pytest.mark.slow
def test_a_batch_job_runs_on_one_form(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`POST /api/v1/batches {"form": …}` takes that form's submitted filings only, and names the job by it."""
    monkeypatch.setenv(FORMS_ENV, str(_province_forms(tmp_path)))
    for api in make_api(tmp_path, "", check_workers=0):
        c, gz, province = api.client, api.auth("guangzhou"), api.auth("province")
        url = f"/api/v1/filings/{FORM_ID}/guangzhou"
        assert c.put(url, content=as_form(example()), headers={**YAML, **gz}).status_code == 200
        assert c.post(url + "/submit", headers=gz).status_code == 200
        sz = api.auth("shenzhen")  # shenzhen submitted 2024's form: not in this job
        shenzhen = (ROOT / "data" / "submissions" / "2024" / "shenzhen.yaml").read_bytes()
        assert c.put("/api/v1/filings/2024/shenzhen", content=shenzhen, headers={**YAML, **sz}).status_code == 200
        assert c.post("/api/v1/filings/2024/shenzhen/submit", headers=sz).status_code == 200
        started = c.post("/api/v1/batches", json={"form": FORM_ID}, headers=province)
        assert started.status_code == 202, started.text
        status_url = started.json()["status_url"]
        deadline = time.monotonic() + 600
        job = c.get(status_url, headers=province).json()
        while job["status"] not in ("done", "failed") and time.monotonic() < deadline:
            time.sleep(1)
            job = c.get(status_url, headers=province).json()
        assert job["status"] == "done" and job["errors"] == [], json.dumps(job, ensure_ascii=False)[:2000]
        assert (job["form"], job["year"]) == (FORM_ID, 2025)
        assert [u["unit"] for u in job["units"]] == ["guangzhou"]
        assert "shenzhen" in {u["unit"] for u in job["left_out"]}
        assert "汇总表.xlsx" in job["files"] and "guangzhou.pdf" in job["files"]
        listed = c.get(f"/api/v1/jobs?form={FORM_ID}", headers=province).json()["jobs"]
        assert [j["id"] for j in listed] == [job["id"]]
        assert c.get("/api/v1/jobs?year=2024", headers=province).json()["jobs"] == []
        summary = c.get(f"{status_url}/files/汇总表.xlsx", headers=province)
        wb = openpyxl.load_workbook(io.BytesIO(summary.content))
        filed = [str(cell.value or "") for cell in wb["单位汇总"]["A"]]
        assert any(v.startswith("广州市") for v in filed) and not any(v.startswith("深圳市") for v in filed), filed
        missing = [tuple(cell.value for cell in row) for row in wb["未报送或失败"].iter_rows(min_row=2)]
        assert any(str(r[0]).startswith("深圳市") and r[1] == "未报送" for r in missing), missing
