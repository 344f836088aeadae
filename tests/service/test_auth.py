"""The role matrix: 401 without a good credential, 404 for another unit's filing, 403 for province-only endpoints."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from docgen.service.models import AuditEvent
from service.api_helpers import YAML, assert_problem, example

UNIT_READS = [
    "/api/v1/filings/2024/{u}",
    "/api/v1/filings/2024/{u}/versions",
    "/api/v1/filings/2024/{u}/versions/1",
    "/api/v1/filings/2024/{u}/files/form.docx",
]


def _seed(api) -> None:
    for unit in ("guangzhou", "shenzhen"):
        r = api.client.put(f"/api/v1/filings/2024/{unit}", content=example(unit), headers={**YAML, **api.auth(unit)})
        assert r.status_code == 200, r.text


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer dgt_not-a-token"},
        {"Authorization": "Basic eDp5"},
        {"Authorization": "Bearer"},
        {"Authorization": "Bearer " + "x" * 5000},
    ],
)
def test_no_or_bad_credential_is_401(api, headers) -> None:
    for method, url in [
        ("POST", "/api/v1/validate"),
        ("GET", "/api/v1/filings/2024"),
        ("GET", "/api/v1/filings/2024/guangzhou"),
        ("PUT", "/api/v1/filings/2024/guangzhou"),
    ]:
        r = api.client.request(method, url, content=example(), headers={**YAML, **headers})
        assert_problem(r, 401)
        assert r.headers["www-authenticate"].startswith("Bearer")


def test_revoked_token_is_401_and_revocation_is_audited(api) -> None:
    r = api.client.post("/api/v1/validate", content=example(), headers={**YAML, **api.auth("revoked")})
    assert_problem(r, 401)
    events = api.app.state.db.read_sync(lambda s: [(e.action, e.target) for e in s.scalars(select(AuditEvent))])
    assert ("token-revoke", f"token:{api.token_ids['revoked']}") in events
    assert ("token-create", f"token:{api.token_ids['guangzhou']}") in events


def test_unit_sees_only_its_own_filing(api) -> None:
    _seed(api)
    for url in UNIT_READS:
        mine = api.client.get(url.format(u="guangzhou"), headers=api.auth("guangzhou"))
        assert mine.status_code == 200, (url, mine.text)
        theirs = api.client.get(url.format(u="shenzhen"), headers=api.auth("guangzhou"))
        missing = api.client.get(url.format(u="zhuhai"), headers=api.auth("guangzhou"))  # no filing at all
        # Another unit's filing answers exactly as a filing that does not exist.
        assert_problem(theirs, 404)
        assert_problem(missing, 404)
        assert theirs.json()["detail"].replace("shenzhen", "?") == missing.json()["detail"].replace("zhuhai", "?")
    r = api.client.put(
        "/api/v1/filings/2024/shenzhen", content=example("shenzhen"), headers={**YAML, **api.auth("guangzhou")}
    )
    assert_problem(r, 404)
    assert_problem(api.client.post("/api/v1/filings/2024/shenzhen/submit", headers=api.auth("guangzhou")), 404)
    # shenzhen's filing is untouched
    r = api.client.get("/api/v1/filings/2024/shenzhen/versions", headers=api.auth("shenzhen"))
    assert [v["number"] for v in r.json()["versions"]] == [1]


def test_unit_on_province_endpoints_is_403(api) -> None:
    _seed(api)
    assert_problem(api.client.get("/api/v1/filings/2024", headers=api.auth("guangzhou")), 403)
    r = api.client.post(
        "/api/v1/filings/2024/guangzhou/return", json={"reason": "请修改"}, headers=api.auth("guangzhou")
    )
    assert_problem(r, 403)


def test_province_reads_every_filing_but_does_not_write_for_a_unit(api) -> None:
    _seed(api)
    for url in UNIT_READS:
        for unit in ("guangzhou", "shenzhen"):
            assert api.client.get(url.format(u=unit), headers=api.auth("province")).status_code == 200
    r = api.client.put("/api/v1/filings/2024/guangzhou", content=example(), headers={**YAML, **api.auth("province")})
    assert_problem(r, 403)
    assert_problem(api.client.post("/api/v1/filings/2024/guangzhou/submit", headers=api.auth("province")), 403)


def test_unknown_year_or_unit_is_404(api) -> None:
    assert_problem(api.client.get("/api/v1/filings/1999", headers=api.auth("province")), 400)  # outside 2000..2100
    assert_problem(api.client.get("/api/v1/filings/2031", headers=api.auth("province")), 404)
    assert_problem(api.client.get("/api/v1/filings/2024/atlantis", headers=api.auth("province")), 404)
    assert_problem(api.client.get("/api/v1/filings/2024/atlantis", headers=api.auth("guangzhou")), 404)
