"""A broken form never takes the others down: `docgen serve --forms DIR` (a real uvicorn) beside a form whose YAML
does not parse and one with an unknown column type serves 2024 and the province's good form; the broken ones
answer 404 with their problems (page and API), are logged once, and are served as soon as their file is mended."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import httpx
import pytest

from docgen.service.accounts import add_user, create_token
from docgen.service.db import Database
from docgen.service.settings import Settings
from service.api_helpers import YAML, assert_problem, example
from service.service_helpers import Server

pytestmark = pytest.mark.slow  # a real server

ROOT = Path(__file__).resolve().parents[2]
FORM_2024 = (ROOT / "data" / "forms" / "2024.yaml").read_text("utf-8")
PASSWORD = "correct-horse-9"
GOOD, SYNTAX, TYPE = "2025-fuwu-jigou", "2026", "2027-new-type"


def _good(year: int) -> str:
    return FORM_2024.replace("year: 2024", f"year: {year}")


def _unknown_type() -> str:
    text = _good(2027)
    at = text.index("type: amount")
    return text[:at] + "type: money" + text[at + len("type: amount") :]


def _line_of(text: str, needle: str) -> int:
    return text[: text.index(needle)].count("\n") + 1


def _seed(data: Path) -> dict[str, str]:
    db = Database.from_settings(Settings(data=data))
    db.migrate()

    def add(session) -> dict[str, str]:
        add_user(session, "gz-clerk", PASSWORD, "guangzhou", False)
        add_user(session, "province", PASSWORD, None, True)
        return {
            "guangzhou": create_token(session, "guangzhou", False, "gz")[1],
            "province": create_token(session, None, True, "p")[1],
        }

    tokens = db.write_sync(add)
    db.dispose()
    return tokens


def _log_in(client: httpx.Client, name: str) -> None:
    page = client.get("/")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)[1]
    assert client.post("/login", data={"name": name, "password": PASSWORD, "csrf_token": token}).status_code == 303


def _events(server: Server, event: str, form: str) -> list[dict]:
    out = []
    for line in server.output().splitlines():
        try:
            record = json.loads(line)
        except ValueError:
            continue
        if record.get("event") == event and record.get("form") == form:
            out.append(record)
    return out


def test_the_server_serves_every_good_form_beside_broken_ones(tmp_path: Path) -> None:
    forms = tmp_path / "forms"
    forms.mkdir()
    (forms / f"{GOOD}.yaml").write_text(_good(2025), "utf-8")
    broken_yaml = _good(2026).replace("tables:", "tables: [", 1)
    (forms / f"{SYNTAX}.yaml").write_text(broken_yaml, "utf-8")
    (forms / f"{TYPE}.yaml").write_text(_unknown_type(), "utf-8")
    type_line = _line_of(_unknown_type(), "type: money")
    data = tmp_path / "var"
    tokens = _seed(data)
    server = Server(data, "", ("--forms", str(forms))).start()  # it starts: /readyz answered 200
    try:
        gz = httpx.Client(base_url=server.base, headers={"Authorization": f"Bearer {tokens['guangzhou']}"}, timeout=60)
        province = httpx.Client(base_url=server.base, headers={"Authorization": f"Bearer {tokens['province']}"})
        # every good form is served
        for form_id in ("2024", GOOD):
            assert province.get(f"/api/v1/filings/{form_id}").status_code == 200, form_id
        body = re.sub(rb"^form: 2024$", f"form: {GOOD}".encode(), example(), flags=re.M)
        saved = gz.put(f"/api/v1/filings/{GOOD}/guangzhou", content=body, headers=YAML)
        assert saved.status_code == 200 and saved.json()["report"]["valid"], saved.text
        assert gz.put("/api/v1/filings/2024/guangzhou", content=example(), headers=YAML).status_code == 200

        # the broken ones answer 404 (nothing to serve) with their problems, in Chinese, by file and line
        problem = assert_problem(province.get(f"/api/v1/filings/{TYPE}"), 404)
        assert problem["detail"].startswith(f"征集表“{TYPE}”定义有误（1 处）")
        (p,) = problem["problems"]
        assert (p["file"], p["line"], p["path"]) == (f"{TYPE}.yaml", type_line, "tables[0].columns[3].type")
        assert "不是可用的值" in p["message"] and str(forms) not in json.dumps(problem)  # no server folders
        problem = assert_problem(gz.get(f"/api/v1/filings/{SYNTAX}/guangzhou"), 404)
        (p,) = problem["problems"]
        assert p["file"] == f"{SYNTAX}.yaml" and p["code"] == "form-syntax" and "YAML 语法错误" in p["message"]
        assert_problem(gz.put(f"/api/v1/filings/{SYNTAX}/guangzhou", content=example(), headers=YAML), 404)
        assert_problem(province.post("/api/v1/batches", json={"form": SYNTAX}), 404)
        # …and a submission naming one is told so by validate
        named = re.sub(rb"^form: 2024$", f"form: {TYPE}".encode(), example(), flags=re.M)
        report = gz.post("/api/v1/validate", content=named, headers=YAML).json()
        assert [d["code"] for d in report["diagnostics"]] == ["form-broken"]

        # the pages: the good forms, and the broken one's Chinese page listing its problems
        with httpx.Client(base_url=server.base, timeout=60) as browser:
            _log_in(browser, "gz-clerk")
            page = browser.get(f"/filing/{GOOD}")
            assert page.status_code == 200
            assert f"/api/v1/filings/{GOOD}/guangzhou" in page.text and f'"formId": "{GOOD}"' in page.text
            assert browser.get("/filing/2024").status_code == 200
            page = browser.get(f"/filing/{TYPE}")
            assert page.status_code == 404 and page.headers["content-type"].startswith("text/html")
            assert "<h1>征集表有误</h1>" in page.text
            assert f"<li>{TYPE}.yaml 第 {type_line} 行 tables[0].columns[3].type：不是可用的值" in page.text
            assert "退出登录" in page.text  # the logged-in header, a link home
        with httpx.Client(base_url=server.base, timeout=60) as browser:
            _log_in(browser, "province")
            assert browser.get(f"/province/{GOOD}").status_code == 200
            assert browser.get(f"/province/{GOOD}/guangzhou").status_code == 200
            page = browser.get(f"/province/{SYNTAX}")
            assert page.status_code == 404 and f"<li>{SYNTAX}.yaml 第 " in page.text

        # logged once each, however often they were asked for
        for form_id in (SYNTAX, TYPE):
            (record,) = _events(server, "form-broken", form_id)
            assert record["level"] == "warning" and record["problems"][0]["file"] == f"{form_id}.yaml"
            assert f"征集表 {form_id} 定义有误" in record["message"]

        # mended: served without a restart, and said once in the log
        fixed = forms / f"{SYNTAX}.yaml"
        fixed.write_text(_good(2026), "utf-8")
        os.utime(fixed, ns=(1, 1))  # whatever the clock's resolution, the file's time moved
        assert province.get(f"/api/v1/filings/{SYNTAX}").status_code == 200
        saved = gz.put(
            f"/api/v1/filings/{SYNTAX}/guangzhou",
            content=re.sub(rb"^form: 2024$", b"form: 2026", example(), flags=re.M),
            headers=YAML,
        )
        assert saved.status_code == 200 and saved.json()["report"]["valid"], saved.text
        assert province.get(f"/api/v1/filings/{SYNTAX}").status_code == 200
        assert len(_events(server, "form-mended", SYNTAX)) == 1
        assert len(_events(server, "form-broken", SYNTAX)) == 1
        # broken again after it was mended: a change, logged again, once
        fixed.write_text(_good(2026).replace("tables:", "tables: [", 1) + "\n", "utf-8")
        assert_problem(province.get(f"/api/v1/filings/{SYNTAX}"), 404)
        assert_problem(province.get(f"/api/v1/filings/{SYNTAX}"), 404)
        assert len(_events(server, "form-broken", SYNTAX)) == 2
        gz.close()
        province.close()
    finally:
        server.kill()
