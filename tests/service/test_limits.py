"""Limits and failure: 413 while streaming, 415, 400/422 problem documents, garbage never a 500."""

from __future__ import annotations

import os
import random

import httpx
import pytest

from docgen.app import create_app
from docgen.service import Settings
from docgen.service.db import Database
from service.api_helpers import YAML, assert_problem, example


def test_body_over_the_limit_is_413_declared_or_streamed(api) -> None:
    big = b"a: " + b"x" * (5 * 1024 * 1024) + b"\n"
    r = api.client.post("/api/v1/validate", content=big, headers={**YAML, **api.auth("guangzhou")})
    assert "5 MB" in assert_problem(r, 413)["detail"]

    def chunks():  # no Content-Length (chunked); test_server checks on a real socket that reading stops early
        for _ in range(100):
            yield b"#" * 65536 + b"\n"

    r = api.client.put("/api/v1/filings/2024/guangzhou", content=chunks(), headers={**YAML, **api.auth("guangzhou")})
    assert_problem(r, 413)
    r = api.client.put(
        "/api/v1/filings/2024/guangzhou", files={"file": ("big.yaml", big)}, headers=api.auth("guangzhou")
    )
    assert_problem(r, 413)
    assert_problem(
        api.client.get("/api/v1/filings/2024/guangzhou", headers=api.auth("guangzhou")), 404
    )  # nothing saved


def test_a_smaller_limit_is_configurable(tmp_path) -> None:
    from fastapi.testclient import TestClient

    from docgen.service import accounts

    app = create_app(Settings(data=tmp_path, max_body=1000))
    _, token = app.state.db.write_sync(lambda s: accounts.create_token(s, None, True))
    with TestClient(app) as client:
        r = client.post("/api/v1/validate", content=example(), headers={**YAML, "Authorization": f"Bearer {token}"})
        assert_problem(r, 413)
        r = client.post(
            "/api/v1/validate", content=b"form: 2024\n", headers={**YAML, "Authorization": f"Bearer {token}"}
        )
        assert r.status_code == 200


@pytest.mark.parametrize(
    "headers", [{"content-type": "text/plain"}, {}, {"content-type": "image/png"}, {"content-type": "application/xml"}]
)
def test_other_content_types_are_415(api, headers) -> None:
    for url in ("/api/v1/validate", "/api/v1/render?format=pdf", "/api/v1/filings/2024/guangzhou"):
        method = "PUT" if "filings" in url else "POST"
        r = api.client.request(method, url, content=example(), headers={**headers, **api.auth("guangzhou")})
        assert_problem(r, 415)


def test_multipart_needs_a_file_of_a_known_kind(api) -> None:
    h = api.auth("guangzhou")
    assert_problem(api.client.post("/api/v1/validate", files={"file": ("a.txt", example())}, headers=h), 415)
    assert_problem(api.client.post("/api/v1/validate", files={"file": ("noext", example())}, headers=h), 415)
    assert_problem(
        api.client.post("/api/v1/validate", data={"other": "x"}, files={"x": ("a.yaml", b"")}, headers=h), 400
    )
    bad = {"content-type": "multipart/form-data; boundary=zzz", **h}
    assert_problem(api.client.post("/api/v1/validate", content=b"--zzz\r\ngarbage", headers=bad), 400)
    assert_problem(
        api.client.post("/api/v1/validate", content=b"x", headers={"content-type": "multipart/form-data", **h}), 400
    )


@pytest.mark.slow
def test_garbage_bodies_get_a_report_or_a_4xx_and_the_server_stays_healthy(api) -> None:
    rng = random.Random(12)
    bodies = [os.urandom(n) for n in (0, 1, 17, 4096, 70000)] + [
        b"\x00" * 100,
        b"\xff\xfe\x00a",
        b"{" * 10000,
        b"[" * 50000 + b"]" * 50000,
        b"- " * 30000,
        b'{"form": 2024, "x": ' + b'{"a":' * 900 + b"1" + b"}" * 901,
        b"[" * 900 + b"]" * 900,
        b"".join(b" " * i + b"- \n" for i in range(3000)),
        b"a: &a [*a]",
        b"a: !!python/object/apply:os.system ['true']",
        b"\xef\xbb\xbf",
        "表一: 值\n".encode() * 1000,
        b'{"form": 2024, "unit": ' + b'"x" ' * 10 + b"}",
        b'{"form": 1e999999}',
        b"form: 2024\nunit: \x07bell\n",
        bytes(rng.randrange(256) for _ in range(3000)),
        b"PK\x03\x04" + os.urandom(2000),
        b"%PDF-1.7\n" + os.urandom(100),
        b"<?xml version='1.0'?><!DOCTYPE x [<!ENTITY a 'b'>]><x>&a;</x>",
    ]
    kinds = [
        {"content-type": "application/yaml"},
        {"content-type": "application/json"},
        {"content-type": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"},
    ]
    h = api.auth("guangzhou")
    seen = set()
    for body in bodies:
        for kind in kinds:
            for method, url in (
                ("POST", "/api/v1/validate"),
                ("POST", "/api/v1/render?format=docx"),
                ("PUT", "/api/v1/filings/2024/guangzhou"),
            ):
                r = api.client.request(method, url, content=body, headers={**kind, **h})
                assert r.status_code < 500, (body[:40], kind, url, r.text)
                if r.status_code >= 400:
                    assert_problem(r, r.status_code)
                seen.add(r.status_code)
        for name in ("a.yaml", "a.json", "a.xlsx", "../../etc/passwd.yaml", "\x00.yaml", "a" * 1000 + ".yml"):
            r = api.client.post("/api/v1/validate", files={"file": (name, body)}, headers=h)
            assert r.status_code == 200 and r.json()["valid"] is False, (name, body[:40], r.text)
        r = api.client.post(
            "/api/v1/filings/2024/guangzhou/return",
            content=body,
            headers={"content-type": "application/json", **api.auth("province")},
        )
        assert 400 <= r.status_code < 500, r.text
    assert seen <= {200, 409, 422}, seen  # PUT of a garbage draft is saved (a draft may have errors)
    # odd URLs and methods are problem documents too
    for method, url in (
        ("GET", "/api/v1/nope"),
        ("POST", "/healthz"),
        ("GET", "/api/v1/filings/abc"),
        ("GET", "/api/v1/filings/2024/guangzhou/versions/-1"),
        ("GET", "/api/v1/filings/2024/guangzhou/files/passwd"),
        ("GET", "/api/v1/filings/2024/%00"),
        ("GET", "/api/v1/filings/2024/" + "a" * 300),
    ):
        r = api.client.request(method, url, headers=h)
        assert 400 <= r.status_code < 500 and r.headers["content-type"] == "application/problem+json", (url, r.text)
    r = api.client.get("/healthz")
    assert r.status_code == 200 and r.json() == {"status": "ok"}
    assert api.client.get("/readyz").json() == {"status": "ready"}


def test_readyz_is_503_when_the_database_does_not_answer(api) -> None:
    working = api.app.state.db
    api.app.state.db = Database("postgresql+psycopg://nobody@127.0.0.1:1/none?connect_timeout=2")
    try:
        r = api.client.get("/readyz")
        assert r.status_code == 503 and r.json()["problems"] == ["数据库无法连接"]
        assert api.client.get("/healthz").status_code == 200
    finally:
        api.app.state.db.dispose()
        api.app.state.db = working
    assert api.client.get("/readyz").status_code == 200


def test_docs_describe_the_api_in_chinese(api) -> None:
    spec = api.client.get("/openapi.json").json()
    assert spec["info"]["title"] == "docgen 填报服务"
    for path in ("/api/v1/validate", "/api/v1/render", "/api/v1/filings/{form_id}/{unit}", "/healthz", "/readyz"):
        assert path in spec["paths"], path
    for path, ops in spec["paths"].items():
        for op in ops.values():
            assert any("\u4e00" <= ch <= "\u9fff" for ch in op["summary"] + op.get("description", "")), path
    assert "multipart/form-data" in spec["paths"]["/api/v1/validate"]["post"]["requestBody"]["content"]
    assert api.client.get("/docs").status_code == 200
    _ = httpx  # httpx is the client under TestClient
