"""Filings: immutable byte-exact versions, submit / return / save while submitted, the province's list, audit."""

from __future__ import annotations

import datetime as dt
import hashlib

from sqlalchemy import select

from docgen.form.loading import load as load_form
from docgen.service.models import AuditEvent
from service.api_helpers import YAML, assert_problem, example, invalid

URL = "/api/v1/filings/2024/guangzhou"


def _put(api, body: bytes, who: str = "guangzhou", headers=YAML):
    return api.client.put(URL, content=body, headers={**headers, **api.auth(who)})


def test_versions_are_immutable_and_byte_exact(api) -> None:
    bodies = [
        example(),
        example().replace(b"\n", b"\r\n"),
        invalid(),
        b"\xef\xbb\xbf" + example(),
        example() + b"# \xe6\xb3\xa8\xe9\x87\x8a trailing comment\n",
    ]
    for n, body in enumerate(bodies, 1):
        r = _put(api, body)
        assert r.status_code == 200, r.text
        assert r.json()["version"] == n
        assert r.json()["sha256"] == hashlib.sha256(body).hexdigest()
    assert _put(api, bodies[2]).json()["report"]["valid"] is False  # a draft may have errors: still saved (v6)
    listed = api.client.get(URL + "/versions", headers=api.auth("guangzhou")).json()["versions"]
    assert [v["number"] for v in listed] == [1, 2, 3, 4, 5, 6]
    assert [v["sha256"] for v in listed] == [hashlib.sha256(b).hexdigest() for b in [*bodies, bodies[2]]]
    assert all(
        v["who"] == f"token:{api.token_ids['guangzhou']}（guangzhou）" and v["time"].endswith("Z") for v in listed
    )
    for n, body in enumerate([*bodies, bodies[2]], 1):
        r = api.client.get(f"{URL}/versions/{n}", headers=api.auth("province"))
        assert r.status_code == 200 and r.content == body, n
        assert r.headers["content-type"].startswith("application/yaml")
    assert_problem(api.client.get(f"{URL}/versions/7", headers=api.auth("guangzhou")), 404)
    # there is no way to change or delete a version
    for method in ("PUT", "DELETE", "PATCH"):
        assert api.client.request(method, f"{URL}/versions/1", headers=api.auth("guangzhou")).status_code == 405
    assert api.client.delete(URL, headers=api.auth("guangzhou")).status_code == 405
    latest = api.client.get(URL, headers=api.auth("guangzhou")).json()
    assert latest["version"] == 6 and latest["status"] == "draft" and latest["report"]["valid"] is False


def test_latest_holds_the_submission_and_its_report(api) -> None:
    assert_problem(api.client.get(URL, headers=api.auth("guangzhou")), 404)
    _put(api, example())
    latest = api.client.get(URL, headers=api.auth("guangzhou")).json()
    assert latest["version"] == 1 and latest["status"] == "draft"
    assert latest["submission"]["unit"] == "广州市市场监督管理局（知识产权局）"
    # amounts as docgen reads them: a decimal keeps its exact digits (text), never a binary float
    assert latest["submission"]["post_subsidy"][0]["amount"] == "60.5"
    assert latest["report"] == {
        "valid": True,
        "errors": 0,
        "warnings": 1,
        "diagnostics": latest["report"]["diagnostics"],
    }


def test_json_and_multipart_bodies_are_saved_as_sent(api) -> None:
    import json

    from docgen.io.source import load, to_jsonable

    body = json.dumps(to_jsonable(load(api_helpers_example_path()).data), ensure_ascii=False).encode()
    r = _put(api, body, headers={"content-type": "application/json"})
    assert r.status_code == 200 and r.json()["report"]["errors"] == 0, r.text
    r = api.client.put(
        URL, files={"file": ("广州.yml", example(), "application/octet-stream")}, headers=api.auth("guangzhou")
    )
    assert r.status_code == 200, r.text
    versions = api.client.get(URL + "/versions", headers=api.auth("guangzhou")).json()["versions"]
    assert [v["media_type"] for v in versions] == ["application/json", "application/yaml"]
    assert versions[1]["filename"] == "广州.yaml"
    assert api.client.get(f"{URL}/versions/1", headers=api.auth("guangzhou")).content == body
    assert api.client.get(f"{URL}/versions/2", headers=api.auth("guangzhou")).content == example()


def api_helpers_example_path():
    from service.api_helpers import EXAMPLES

    return EXAMPLES / "guangzhou.yaml"


def test_submit_return_and_save_while_submitted(api) -> None:
    assert_problem(api.client.post(URL + "/submit", headers=api.auth("guangzhou")), 409)  # nothing saved yet
    _put(api, invalid())
    r = api.client.post(URL + "/submit", headers=api.auth("guangzhou"))
    body = assert_problem(r, 422)
    assert body["report"]["valid"] is False and body["report"]["diagnostics"][0]["code"] == "budget-mismatch"
    _put(api, example())
    r = api.client.post(URL + "/submit", headers=api.auth("guangzhou"))
    assert r.status_code == 200
    receipt = r.json()
    assert receipt.pop("submitted_at").startswith(str(dt.date.today().year))  # the clerk's receipt: when
    assert receipt == {"form": "2024", "year": 2024, "unit": "guangzhou", "status": "submitted", "version": 2}
    assert_problem(api.client.post(URL + "/submit", headers=api.auth("guangzhou")), 409)
    assert_problem(_put(api, example()), 409)  # no new version while submitted
    assert len(api.client.get(URL + "/versions", headers=api.auth("guangzhou")).json()["versions"]) == 2
    # the province returns it with a reason
    assert_problem(api.client.post(URL + "/return", json={"reason": "  "}, headers=api.auth("province")), 422)
    assert_problem(api.client.post(URL + "/return", json={}, headers=api.auth("province")), 422)
    assert_problem(
        api.client.post(
            URL + "/return", content=b"{not json", headers={"content-type": "application/json", **api.auth("province")}
        ),
        400,
    )
    reason = "表（一）经费安排请与项目合计核对。"
    r = api.client.post(URL + "/return", json={"reason": reason}, headers=api.auth("province"))
    assert r.status_code == 200 and r.json()["status"] == "returned", r.text
    assert_problem(api.client.post(URL + "/return", json={"reason": reason}, headers=api.auth("province")), 409)
    latest = api.client.get(URL, headers=api.auth("guangzhou")).json()
    assert latest["status"] == "returned" and latest["returned"]["reason"] == reason
    # the unit may save again (it stays 已退回 until submitted again), and submit again
    r = _put(api, example() + b"# corrected\n")
    assert r.status_code == 200 and r.json()["version"] == 3
    assert api.client.get(URL, headers=api.auth("guangzhou")).json()["status"] == "returned"
    assert api.client.post(URL + "/submit", headers=api.auth("guangzhou")).status_code == 200
    events = api.app.state.db.read_sync(
        lambda s: [
            (e.actor, e.action, e.target, e.detail.get("version"))
            for e in s.scalars(select(AuditEvent).order_by(AuditEvent.id))
        ]
    )
    unit, prov = f"token:{api.token_ids['guangzhou']}（guangzhou）", f"token:{api.token_ids['province']}（province）"
    assert [e for e in events if e[1] in ("save", "submit", "return")] == [
        (unit, "save", "2024/guangzhou", 1),
        (unit, "save", "2024/guangzhou", 2),
        (unit, "submit", "2024/guangzhou", 2),
        (prov, "return", "2024/guangzhou", 2),
        (unit, "save", "2024/guangzhou", 3),
        (unit, "submit", "2024/guangzhou", 3),
    ]


def test_saving_another_units_submission_is_refused(api) -> None:
    assert_problem(_put(api, example("shenzhen")), 422)
    assert_problem(api.client.get(URL, headers=api.auth("guangzhou")), 404)


def test_province_list_has_every_unit_in_published_order_with_totals(api) -> None:
    _put(api, example())
    api.client.put(
        "/api/v1/filings/2024/shenzhen",
        content=invalid(city="深圳市").replace("广州市".encode(), "深圳市".encode()),
        headers={**YAML, **api.auth("shenzhen")},
    )
    api.client.post(URL + "/submit", headers=api.auth("guangzhou"))
    rows = api.client.get("/api/v1/filings/2024", headers=api.auth("province")).json()["filings"]
    assert [r["unit"] for r in rows] == [u.id for u in load_form(2024).units]
    by = {r["unit"]: r for r in rows}
    assert by["guangzhou"]["status"] == "submitted" and by["guangzhou"]["version"] == 1
    # the same totals as `docgen batch` prints for the example
    assert by["guangzhou"]["totals"] == {
        "retained": "170.00",
        "post_subsidy": "60.50",
        "support": "0.00",
        "delegated": "312.00",
        "all": "542.50",
    }
    assert by["shenzhen"]["status"] == "draft" and by["shenzhen"]["totals"] is None and by["shenzhen"]["errors"] >= 1
    assert by["zhuhai"] == {
        "unit": "zhuhai",
        "name": by["zhuhai"]["name"],
        "status": "none",
        "version": None,
        "updated_at": None,
        "submitted_at": None,
        "returned": None,
        "errors": None,
        "warnings": None,
        "totals": None,
    }
