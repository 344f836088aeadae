"""A service to trust (issue #21), against a real `docgen serve` on 127.0.0.1, on SQLite and PostgreSQL:
one notion of which unit, no lost updates, versions on purpose, accounts, bounded resources."""

from __future__ import annotations

import concurrent.futures
import contextlib
import re
import socket
import stat
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from docgen.service.accounts import add_user, create_token
from docgen.service.db import Database
from docgen.service.models import AuditEvent
from docgen.service.settings import Settings
from service.api_helpers import YAML, assert_problem, example
from service.service_helpers import PostgresCluster, Server, docgen_cli

pytestmark = pytest.mark.slow  # real `docgen serve` processes
PASSWORD = "correct-horse-9"
UNITS = ("guangzhou", "zhuhai", "shantou", "foshan", "shaoguan", "heyuan", "meizhou", "huizhou")
GZ = "/api/v1/filings/2024/guangzhou"


class Running:
    """One server per database for the module: tokens for some units and the province, a clerk per unit."""

    def __init__(self, server: Server, database: str, tokens: dict[str, str]):
        self.server, self.database, self.tokens = server, database, tokens
        self.url = server.base

    def api(self, who: str) -> httpx.Client:
        return httpx.Client(base_url=self.url, timeout=120, headers={"Authorization": f"Bearer {self.tokens[who]}"})

    def db(self) -> Database:
        return Database.from_settings(Settings(data=self.server.data, database_url=self.database))


def _seed(data: Path, database: str) -> dict[str, str]:
    db = Database.from_settings(Settings(data=data, database_url=database))
    db.migrate()

    def add(session) -> dict[str, str]:
        tokens = {"province": create_token(session, None, True, "省局")[1]}
        add_user(session, "province", PASSWORD, None, True)
        for unit in UNITS:
            add_user(session, f"{unit}-clerk", PASSWORD, unit, False)
            tokens[unit] = create_token(session, unit, False, unit)[1]
        return tokens

    tokens = db.write_sync(add)
    db.dispose()
    return tokens


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def running(request, tmp_path_factory) -> Iterator[Running]:
    cluster = None
    database = ""
    if request.param == "postgresql":
        cluster = PostgresCluster().start()
        database = cluster.create_database()
    data = tmp_path_factory.mktemp(f"trust-{request.param}") / "var"
    tokens = _seed(data, database)
    extra = (
        *("--forwarded-allow-ips", "127.0.0.1", "--body-timeout", "3"),
        *("--saves-per-minute", "20", "--unit-quota-mb", "0.2"),
    )
    server = Server(data, database, extra)
    try:
        server.start()
        yield Running(server, database, tokens)
    finally:
        server.kill()
        if cluster is not None:
            cluster.stop()


def _unit_yaml(unit: str, **replace: str) -> bytes:
    """An example filing as `unit`'s own: Guangzhou's tables under that unit's name and city."""
    from docgen.form.loading import load as load_form

    u = load_form(2024).unit(unit)
    assert u is not None
    text = (
        example().decode("utf-8").replace("广州市市场监督管理局（知识产权局）", u.name).replace("广州市", u.city or "")
    )
    for old, new in replace.items():
        text = text.replace(old, new)
    return text.encode("utf-8")


# ---------------------------------------------------------------------------- which unit


def test_a_unit_cannot_file_another_units_data(running: Running) -> None:
    gz = running.api("guangzhou")
    shenzhen = "深圳市市场监督管理局（知识产权局）"
    other = [
        example("shenzhen"),  # plainly Shenzhen's
        example("shenzhen").replace(b"unit:", "单位:".encode()),  # under the Chinese key
        example("shenzhen").replace(shenzhen.encode(), "深圳市市场监督管理局\u200b（知识产权局）".encode()),
        example("shenzhen").replace(shenzhen.encode(), "深圳市市场监督管理局(知识产权局)".encode()),
        example().replace(b"unit:", "单位: 深圳市市场监督管理局（知识产权局）\n填报单位:".encode()),
        example().replace("广州市市场监督管理局（知识产权局）".encode(), "广州市市场监管局".encode()),  # no such unit
    ]
    for body in other:
        r = gz.put(GZ, content=body, headers=YAML)
        detail = assert_problem(r, 422)["detail"]
        assert "不是本单位" in detail, detail
        assert_problem(gz.put(GZ + "/draft", content=body, headers=YAML), 422)
    # its own name with half-width brackets or a zero-width space is its own: saved, rendered with the listed name
    own = example().replace("（知识产权局）".encode(), "(知识产权局)".encode(), 1)
    r = gz.put(GZ, content=own, headers=YAML)
    assert r.status_code == 200, r.text
    codes = [d["code"] for d in r.json()["report"]["diagnostics"]]
    assert r.json()["report"]["valid"] and "unit-variant" in codes


def test_validate_the_batch_and_the_service_agree_on_the_unit(tmp_path: Path) -> None:
    from docgen.batch.guard import sort_inputs
    from docgen.check.submission import check_text

    half = example().decode().replace("（知识产权局）", "(知识产权局)", 1)
    hidden = example("shenzhen").decode().replace("深圳市", "深圳\u200b市", 1)
    unknown = example().decode().replace("广州市市场监督管理局", "广州市市场监管局", 1)
    result = check_text(half, "half.yaml")
    assert result.ok() and result.submission is not None
    assert result.submission.unit == "广州市市场监督管理局（知识产权局）"  # printed as the list writes it
    (err,) = check_text(unknown, "unknown.yaml").errors
    assert err.code == "unknown-unit" and "不在" in err.message and "广州市市场监督管理局（知识产权局）" in err.hint
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.yaml").write_text(half, "utf-8")
    (folder / "b.yaml").write_text(hidden, "utf-8")
    (folder / "c.yaml").write_text(unknown, "utf-8")
    found = sort_inputs(folder)
    assert sorted((p.name, uid) for p, _, uid in found.accepted) == [("a.yaml", "guangzhou"), ("b.yaml", "shenzhen")]
    assert [r.name for r in found.refused] == ["c.yaml"]


# ---------------------------------------------------------------------------- lost updates


def test_if_match_and_base_version_stop_a_lost_update_and_submit_is_bound_to_a_version(running: Running) -> None:
    c = running.api("zhuhai")
    url = "/api/v1/filings/2024/zhuhai"
    v1 = _unit_yaml("zhuhai")
    assert c.put(url, content=v1, headers=YAML).json()["version"] == 1  # a script: no precondition needed
    seen = c.get(url)
    tag = seen.headers["etag"]
    assert tag == '"1-draft"' and c.get(url, headers={"If-None-Match": tag}).status_code == 304
    # A and B both read v1; A saves first, B's save of its stale copy is refused
    a = c.put(url, content=v1 + b"# A\n", headers={**YAML, "If-Match": tag})
    assert a.status_code == 200 and a.json()["version"] == 2 and a.headers["etag"] == '"2-draft"'
    b = c.put(url, content=v1 + b"# B\n", headers={**YAML, "If-Match": tag})
    body = assert_problem(b, 412)
    assert "别处修改" in body["detail"] and body["current_version"] == 2
    assert_problem(c.put(url, params={"base_version": 1}, content=v1 + b"# B\n", headers=YAML), 412)
    assert_problem(c.put(url + "/draft", params={"base_version": 1}, content=v1, headers=YAML), 412)
    assert c.get(url).json()["version"] == 2
    # submit names the version the clerk reviewed: a later save by someone else makes it a 412
    assert c.put(url, params={"base_version": 2}, content=v1 + b"# C\n", headers=YAML).json()["version"] == 3
    assert_problem(c.post(url + "/submit", params={"version": 2}), 412)
    assert_problem(c.post(url + "/submit", headers={"If-Match": '"2-draft"'}), 412)
    assert c.get(url).json()["status"] == "draft"
    r = c.post(url + "/submit", params={"version": 3})
    assert r.status_code == 200 and r.json()["version"] == 3 and r.headers["etag"] == '"3-submitted"'


# ---------------------------------------------------------------------------- versions on purpose


def test_autosave_identical_bytes_and_a_returned_filing(running: Running) -> None:
    c, prov = running.api("shantou"), running.api("province")
    url = "/api/v1/filings/2024/shantou"
    body = _unit_yaml("shantou")
    first = c.put(url, content=body, headers=YAML).json()
    again = c.put(url, content=body, headers=YAML).json()
    assert (first["version"], first["created"]) == (1, True) and (again["version"], again["created"]) == (1, False)
    # autosaves overwrite one working draft: no version, status unchanged
    for n in range(3):
        r = c.put(url + "/draft", params={"base_version": 1}, content=body + f"# typing {n}\n".encode(), headers=YAML)
        assert r.status_code == 200 and r.json()["base_version"] == 1, r.text
    draft = c.get(url + "/draft").json()
    assert draft["sha256"] != first["sha256"] and draft["report"]["valid"]
    latest = c.get(url).json()
    assert latest["version"] == 1 and latest["draft"]["base_version"] == 1
    listed = c.get(url + "/versions").json()
    assert listed["total"] == 1 and [v["number"] for v in listed["versions"]] == [1]
    # an explicit save makes the version and supersedes the draft
    assert c.put(url, content=body + b"# typing 2\n", headers=YAML).json()["version"] == 2
    assert c.get(url + "/draft").status_code == 404
    assert c.post(url + "/submit", params={"version": 2}).status_code == 200
    assert prov.post(url + "/return", json={"reason": "请核对表（一）。"}).status_code == 200
    # saves and autosaves of a returned filing leave it 已退回 until it is submitted again
    assert c.put(url + "/draft", content=body + b"# fix\n", headers=YAML).status_code == 200
    r = c.put(url, content=body + b"# fixed\n", headers=YAML)
    assert r.status_code == 200 and r.json()["status"] == "returned"
    latest = c.get(url).json()
    assert latest["status"] == "returned" and latest["returned"]["reason"] == "请核对表（一）。"
    assert c.post(url + "/submit").json()["status"] == "submitted"


def test_versions_are_paged_from_metadata_and_saves_per_minute_are_capped(running: Running) -> None:
    c = running.api("foshan")
    url = "/api/v1/filings/2024/foshan"
    body = _unit_yaml("foshan")
    statuses = [c.put(url, content=body + f"# {n}\n".encode(), headers=YAML).status_code for n in range(25)]
    assert statuses[:20] == [200] * 20 and set(statuses[20:]) == {429}  # --saves-per-minute 20
    r = c.put(url, content=body, headers=YAML)
    assert_problem(r, 429)
    assert int(r.headers["retry-after"]) > 0
    page = c.get(url + "/versions", params={"per_page": 8, "page": 2})
    assert page.status_code == 200 and page.json()["total"] == 20
    assert [v["number"] for v in page.json()["versions"]] == list(range(9, 17))
    assert set(page.json()["versions"][0]) >= {"number", "time", "who", "sha256", "size", "valid", "errors"}
    assert "page=3" in page.headers["link"] and 'rel="next"' in page.headers["link"]
    assert "link" not in c.get(url + "/versions", params={"per_page": 8, "page": 3}).headers
    assert_problem(c.get(url + "/versions", params={"per_page": 100000}), 400)


def test_a_units_stored_bytes_are_capped(running: Running) -> None:
    c = running.api("shaoguan")
    url = "/api/v1/filings/2024/shaoguan"
    padding = b"# " + b"x" * 40_000 + b"\n"  # 0.2 MB holds five such versions
    statuses = [
        c.put(url, content=_unit_yaml("shaoguan") + padding + f"# {n}\n".encode(), headers=YAML) for n in range(6)
    ]
    assert [r.status_code for r in statuses[:4]] == [200] * 4
    assert "存储上限" in assert_problem(statuses[5], 413)["detail"]
    assert c.get(url).json()["version"] in (4, 5)


# ---------------------------------------------------------------------------- accounts and transport


def _login(client: httpx.Client, name: str, password: str, ip: str = "") -> httpx.Response:
    page = client.get("/", headers={"X-Forwarded-For": ip} if ip else {})
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)[1]
    headers = {"X-Forwarded-For": ip} if ip else {}
    return client.post("/login", data={"name": name, "password": password, "csrf_token": token}, headers=headers)


def _audit(running: Running, action: str, target: str) -> int:
    db = running.db()
    try:
        return db.read_sync(
            lambda s: len(
                s.scalars(select(AuditEvent).where(AuditEvent.action == action, AuditEvent.target == target)).all()
            )
        )
    finally:
        db.dispose()


def test_a_burst_of_wrong_passwords_is_counted_before_any_is_verified(running: Running) -> None:
    name = "shaoguan-clerk"

    def attempt(n: int) -> int:
        with httpx.Client(base_url=running.url, timeout=120) as c:
            return _login(c, name, PASSWORD if n == 29 else f"wrong-{n}", ip=f"10.1.{n}.1").status_code

    with concurrent.futures.ThreadPoolExecutor(12) as pool:
        codes = list(pool.map(attempt, range(30)))
    verified = _audit(running, "login-failed", f"user:{name}") + _audit(running, "login", f"user:{name}")
    assert verified <= 5, (verified, codes)  # 5 failures lock the account, whatever the addresses
    assert codes.count(429) >= 24
    with httpx.Client(base_url=running.url, timeout=60) as c:
        r = _login(c, name, PASSWORD, ip="10.9.9.9")  # the right password waits too, from anywhere
        assert r.status_code == 429 and int(r.headers["retry-after"]) > 0


def test_the_real_client_address_behind_a_trusted_proxy_is_throttled_alone(running: Running) -> None:
    with httpx.Client(base_url=running.url, timeout=60) as c:
        for n in range(20):  # one guesser tries many names from one address
            _login(c, f"nobody-{n}", "wrong-password", ip="10.2.0.1")
        r = _login(c, "heyuan-clerk", PASSWORD, ip="10.2.0.1")
        assert r.status_code == 429
    with httpx.Client(base_url=running.url, timeout=60) as c:  # a colleague behind the same proxy is not
        r = _login(c, "heyuan-clerk", PASSWORD, ip="10.2.0.2")
        assert r.status_code == 303 and "docgen_session" in r.cookies
        assert "secure" not in r.headers["set-cookie"].lower()  # plain HTTP
    with httpx.Client(base_url=running.url, timeout=60) as c:
        page = c.get("/", headers={"X-Forwarded-For": "10.2.0.3", "X-Forwarded-Proto": "https"})
        assert "secure" in page.headers["set-cookie"].lower()
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)[1]
        r = c.post(  # the client is on HTTPS (the proxy's side): it sends its Secure cookie
            "/login",
            data={"name": "heyuan-clerk", "password": PASSWORD, "csrf_token": token},
            headers={
                "X-Forwarded-For": "10.2.0.3",
                "X-Forwarded-Proto": "https",
                "Cookie": f"docgen_login_csrf={page.cookies['docgen_login_csrf']}",
            },
        )
        assert r.status_code == 303, r.text
        assert "secure" in r.headers["set-cookie"].lower()
        assert r.headers["strict-transport-security"].startswith("max-age=")


def test_a_password_change_or_disable_ends_sessions_and_the_province_resets_a_password(running: Running) -> None:
    data, database = running.server.data, running.database
    name = "meizhou-clerk"
    made = docgen_cli("token", "create", "--user", name, "--name", "脚本", data=data, database=database)
    assert made.returncode == 0, made.stderr
    token = {"Authorization": f"Bearer {made.stdout.strip()}"}
    assert httpx.get(running.url + "/api/v1/filings/2024/meizhou/versions", headers=token).status_code in (200, 404)
    both = docgen_cli("token", "create", "--user", name, "--unit", "meizhou", data=data, database=database)
    assert both.returncode == 2 and "--user" in both.stderr
    with httpx.Client(base_url=running.url, timeout=60) as c:
        assert _login(c, name, PASSWORD).status_code == 303
        assert c.get("/api/v1/filings/2024/meizhou/versions").status_code in (200, 404)
        done = docgen_cli(
            "user", "passwd", name, "--password-stdin", data=data, database=database, stdin="new-pass-1234\n"
        )
        assert done.returncode == 0, done.stderr
        assert_problem(c.get("/api/v1/filings/2024/meizhou/versions"), 401)  # the old cookie is dead
        assert_problem(
            httpx.get(running.url + "/api/v1/filings/2024/meizhou/versions", headers=token), 401
        )  # its token
        assert _login(c, name, "new-pass-1234").status_code == 303
        assert docgen_cli("user", "disable", name, data=data, database=database).returncode == 0
        assert_problem(c.get("/api/v1/filings/2024/meizhou/versions"), 401)
        assert "用户名或密码不正确" in _login(c, name, "new-pass-1234").text
    listed = docgen_cli("user", "list", data=data, database=database)
    assert re.search(rf"^{name}\tmeizhou\t已停用$", listed.stdout, re.M), listed.stdout
    assert docgen_cli("user", "enable", name, data=data, database=database).returncode == 0
    assert docgen_cli("user", "disable", "no-such-user", data=data, database=database).returncode == 2
    # the province resets the unit's password; a unit may not
    unit = running.api("meizhou")
    assert_problem(unit.post(f"/api/v1/accounts/{name}/password", json={"password": "x" * 12}), 403)
    prov = running.api("province")
    assert_problem(prov.post("/api/v1/accounts/province/password", json={"password": "x" * 12}), 404)
    assert_problem(prov.post(f"/api/v1/accounts/{name}/password", json={"password": "short"}), 422)
    r = prov.post(f"/api/v1/accounts/{name}/password")
    assert r.status_code == 200, r.text
    fresh = r.json()["password"]
    with httpx.Client(base_url=running.url, timeout=60) as c:
        assert "用户名或密码不正确" in _login(c, name, "new-pass-1234").text
        assert _login(c, name, fresh).status_code == 303


def test_the_data_folder_and_database_are_the_owners_alone(running: Running) -> None:
    data = running.server.data
    assert stat.S_IMODE(data.stat().st_mode) == 0o700
    for path in data.rglob("*"):
        if path.is_file():
            assert stat.S_IMODE(path.stat().st_mode) & 0o077 == 0, path


# ---------------------------------------------------------------------------- bounded resources


def test_a_trickling_body_gets_408(running: Running) -> None:
    port = int(running.url.rsplit(":", 1)[1])
    with socket.create_connection(("127.0.0.1", port), timeout=30) as s:
        s.sendall(
            b"PUT /api/v1/filings/2024/huizhou HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/yaml\r\n"
            + f"Authorization: Bearer {running.tokens['huizhou']}\r\nContent-Length: 1000\r\n\r\n".encode()
        )
        start = time.monotonic()
        answer = b""
        try:
            for _ in range(20):  # a byte a second: the whole body would take 1000 s
                s.sendall(b"f")
                time.sleep(1)
                s.setblocking(False)
                with contextlib.suppress(BlockingIOError):
                    answer += s.recv(65536)
                s.setblocking(True)
                if answer:
                    break
        except (BrokenPipeError, ConnectionResetError):
            pass
        s.settimeout(10)
        try:
            while b"\r\n\r\n" not in answer:
                chunk = s.recv(65536)
                if not chunk:
                    break
                answer += chunk
        except (TimeoutError, ConnectionResetError):
            pass
    assert answer.startswith(b"HTTP/1.1 408"), answer[:200]
    assert time.monotonic() - start < 15
    assert httpx.get(running.url + "/healthz").status_code == 200


def test_a_4301_digit_form_year_is_a_chinese_answer_everywhere(running: Running) -> None:
    c = running.api("huizhou")
    body = re.sub(rb"^form: .*$", b"form: " + b"9" * 4301, _unit_yaml("huizhou"), flags=re.M)
    for method, url in (
        ("POST", "/api/v1/validate"),
        ("POST", "/api/v1/render?format=docx"),
        ("POST", "/api/v1/preview"),
        ("POST", "/api/v1/import"),
        ("PUT", "/api/v1/filings/2024/huizhou"),
    ):
        r = c.request(method, url, content=body, headers=YAML)
        assert r.status_code in (200, 422), (url, r.status_code, r.text[:300])
        report = r.json().get("report") or r.json()
        assert any("数字过长" in d["message"] for d in report["diagnostics"]), (url, r.text[:300])


def test_docs_are_served_from_this_machine_under_the_csp(running: Running) -> None:
    r = httpx.get(running.url + "/docs")
    assert r.status_code == 200 and "script-src 'self'" in r.headers["content-security-policy"]
    srcs = re.findall(r'(?:src|href)="([^"]+)"', r.text)
    assert srcs and all(s.startswith("/") for s in srcs), srcs
    for src in srcs:
        assert httpx.get(running.url + src).status_code == 200, src
    assert httpx.get(running.url + "/docs/assets/swagger-editor.js").status_code == 404
    doc = httpx.get(running.url + "/openapi.json").json()
    put = doc["paths"]["/api/v1/filings/{form_id}/{unit}"]["put"]
    assert {"400", "401", "403", "404", "409", "412", "413", "415", "422", "429"} <= set(put["responses"])
    assert put["responses"]["412"]["content"]["application/problem+json"]["schema"]["properties"]["detail"]
    assert put["requestBody"]["content"]["application/yaml"]["schema"] == {"$ref": "#/components/schemas/Submission"}
    assert "unit" in doc["components"]["schemas"]["Submission"]["properties"]
    validate = doc["paths"]["/api/v1/validate"]["post"]["responses"]
    assert {"400", "401", "413", "415", "429"} <= set(validate)


def _self_signed(folder: Path) -> tuple[Path, Path]:
    import datetime as dt

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    certfile, keyfile = folder / "cert.pem", folder / "key.pem"
    certfile.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    keyfile.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return certfile, keyfile


def test_serve_over_https_itself_sets_secure_cookies_and_hsts(tmp_path: Path) -> None:
    data = tmp_path / "var"
    _seed(data, "")
    certfile, keyfile = _self_signed(tmp_path)
    server = Server(data, "", ("--certfile", str(certfile), "--keyfile", str(keyfile)))
    server.base = server.base.replace("http://", "https://")
    try:
        _start_tls(server)
        with httpx.Client(base_url=server.base, verify=False, timeout=60) as c:
            r = _login(c, "guangzhou-clerk", PASSWORD)
            assert r.status_code == 303 and "secure" in r.headers["set-cookie"].lower()
            assert r.headers["strict-transport-security"].startswith("max-age=")
        with pytest.raises(httpx.HTTPError):  # plain HTTP on the TLS port is refused
            httpx.get(server.base.replace("https://", "http://") + "/healthz", timeout=5)
    finally:
        server.kill()


def _start_tls(server: Server) -> None:
    """Server.start, with a client that accepts the self-signed certificate."""
    import os
    import subprocess

    from service.service_helpers import DOCGEN, ROOT

    cmd = [*DOCGEN, "serve", "--port", str(server.port), "--data", str(server.data), "--workers", "1", *server.extra]
    server.logfile = server.log.open("ab")
    server.proc = subprocess.Popen(cmd, cwd=ROOT, env={**os.environ}, stdout=server.logfile, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        assert server.proc.poll() is None, server.output()
        try:
            if httpx.get(server.base + "/healthz", verify=False, timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise AssertionError(server.output())


def _timed(client: httpx.Client, method: str, url: str, **kw) -> tuple[float, int]:
    r = client.request(method, url, **kw)
    return time.monotonic(), r.status_code


def test_a_batch_runs_beside_the_clerks_renders_not_in_their_worker(tmp_path: Path) -> None:
    data = tmp_path / "var"
    tokens = _seed(data, "")
    server = Server(data, "", ("--workers", "1"))  # one render worker: a batch there would hold it
    try:
        server.start()
        units = ("guangzhou", "zhuhai", "shantou", "foshan", "shaoguan", "heyuan")
        with httpx.Client(base_url=server.base, timeout=300) as c:
            for unit in units:
                auth = {"Authorization": f"Bearer {tokens[unit]}"}
                assert (
                    c.put(f"/api/v1/filings/2024/{unit}", content=example(unit), headers={**YAML, **auth}).status_code
                    == 200
                )
                assert c.post(f"/api/v1/filings/2024/{unit}/submit", headers=auth).status_code == 200
            province = {"Authorization": f"Bearer {tokens['province']}"}
            started = c.post("/api/v1/batches", json={"year": 2024}, headers=province)
            assert started.status_code == 202, started.text
            status = started.json()["status_url"]
            deadline = time.monotonic() + 120
            while c.get(status, headers=province).json()["status"] == "queued" and time.monotonic() < deadline:
                time.sleep(0.2)
            # while the batch runs, a clerk's DOCX of a new draft is rendered at once
            body = _unit_yaml("meizhou", **{"# ": "# 备注 "}) + b"# fresh\n"
            t0 = time.monotonic()
            r = c.post(
                "/api/v1/render?format=docx",
                content=body,
                headers={**YAML, "Authorization": f"Bearer {tokens['meizhou']}"},
            )
            took = time.monotonic() - t0
            job = c.get(status, headers=province).json()
            assert r.status_code == 200, r.text
            assert job["status"] == "running", (job, took)  # answered while the batch still ran
            deadline = time.monotonic() + 600
            while c.get(status, headers=province).json()["status"] == "running" and time.monotonic() < deadline:
                time.sleep(0.5)
            assert c.get(status, headers=province).json()["status"] == "done"
    finally:
        server.kill()


def test_one_client_cannot_hold_every_render_worker(tmp_path: Path) -> None:
    data = tmp_path / "var"
    tokens = _seed(data, "")
    server = Server(data, "", ("--workers", "2"))
    try:
        server.start()
        a = {"Authorization": f"Bearer {tokens['guangzhou']}", **YAML}
        b = {"Authorization": f"Bearer {tokens['zhuhai']}", **YAML}
        with httpx.Client(base_url=server.base, timeout=300) as c:

            def render_a(n: int) -> tuple[float, int]:
                return _timed(
                    c, "POST", "/api/v1/render?format=pdf", content=example() + f"# {n}\n".encode(), headers=a
                )

            with concurrent.futures.ThreadPoolExecutor(6) as pool:
                first = [pool.submit(render_a, n) for n in range(4)]
                time.sleep(0.5)  # A's four renders are in before B asks
                other = pool.submit(
                    _timed, c, "POST", "/api/v1/render?format=docx", content=_unit_yaml("zhuhai"), headers=b
                )
                done_b, status_b = other.result()
                ends_a = [f.result() for f in first]
        assert status_b == 200 and all(code == 200 for _, code in ends_a)
        # B did not wait behind all of A's renders: it had the worker A may not take
        assert done_b < max(end for end, _ in ends_a)
        assert done_b < sorted(end for end, _ in ends_a)[2]
    finally:
        server.kill()


def test_the_migration_keeps_old_versions_and_counts_their_reports(tmp_path: Path, database_url: str) -> None:
    """A database of the previous release (revision 0004) with saved versions, upgraded at start."""
    import json

    from alembic import command
    from alembic.config import Config
    from sqlalchemy import text

    from docgen.service.db import MIGRATIONS

    db = Database.from_settings(Settings(data=tmp_path / "var", database_url=database_url))
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with db.write_engine.connect() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "0004")
        conn.commit()
    with db.write_engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO filings (id, year, unit_id, status, latest, updated_at) VALUES (1, 2024, 'guangzhou', 'draft', 2, :t)"
            ),
            {"t": "2026-12-01 00:00:00"},
        )
        for n, report in (
            (1, {"valid": False, "errors": 3, "warnings": 1}),
            (2, {"valid": True, "errors": 0, "warnings": 2}),
        ):
            conn.execute(
                text(
                    "INSERT INTO filing_versions (filing_id, number, created_at, created_by, filename, media_type, size,"
                    " sha256, content, report) VALUES (1, :n, :t, 'cli', 'g.yaml', 'application/yaml', 1, :sha, :c, :r)"
                ),
                {"n": n, "t": "2026-12-01 00:00:00", "sha": f"{n}" * 64, "c": b"x", "r": json.dumps(report)},
            )
    db.migrate()
    from docgen.service import filings

    rows, total = db.read_sync(lambda s: filings.versions(s, 2024, "guangzhou"))
    assert total == 2
    assert [(r["number"], r["valid"], r["errors"], r["warnings"]) for r in rows] == [(1, False, 3, 1), (2, True, 0, 2)]
    db.dispose()


def test_an_accounts_locks_grow_longer_and_a_right_password_starts_it_afresh(tmp_path: Path, database_url: str) -> None:
    import datetime as dt

    from docgen.service.models import LoginThrottle
    from docgen.web import sessions

    db = Database.from_settings(Settings(data=tmp_path / "var", database_url=database_url))
    db.migrate()

    def attempts(n: int, ip: str = "10.3.0.1") -> list[tuple[int, int]]:
        return [db.write_sync(lambda s: sessions.begin_attempt(s, "clerk", ip)) for _ in range(n)]

    def unlock() -> None:  # as if the lock had run out
        def past(s) -> None:
            row = s.get(LoginThrottle, "user:clerk")
            row.locked_until = row.first_at = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)

        db.write_sync(past)

    first = attempts(6)
    assert [wait for wait, _ in first[:5]] == [0] * 5 and first[4][1] == 300 and first[5][0] > 0
    unlock()
    second = attempts(5, ip="10.3.0.2")  # from elsewhere: the account's count, not the address's
    assert second[4][1] == 600  # the next lock is twice as long
    unlock()
    attempts(1)
    db.write_sync(lambda s: sessions.succeeded(s, "clerk", "10.3.0.1"))
    assert attempts(5)[4][1] == 300  # after a right password the shortest lock again
    db.dispose()


def test_connections_past_the_limit_are_refused_not_queued(tmp_path: Path) -> None:
    data = tmp_path / "var"
    _seed(data, "")
    server = Server(data, "", ("--max-connections", "3"))
    try:
        server.start()
        held = []
        for _ in range(3):  # three clients that send half their headers and wait
            s = socket.create_connection(("127.0.0.1", server.port), timeout=10)
            s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
            held.append(s)
        time.sleep(0.5)
        r = httpx.get(server.base + "/healthz", timeout=10)
        assert r.status_code == 503
        for s in held:
            s.close()
        time.sleep(0.5)
        assert httpx.get(server.base + "/healthz", timeout=10).status_code == 200
    finally:
        server.kill()


def test_the_versions_listing_reads_no_bytes_and_no_reports(tmp_path: Path, database_url: str) -> None:
    """Listing 25 versions of a large filing asks the database for metadata columns only."""
    from sqlalchemy import event

    from docgen.service import filings
    from docgen.service.accounts import Principal
    from docgen.service.reports import Checked
    from docgen.service.uploads import Upload

    db = Database.from_settings(Settings(data=tmp_path / "var", database_url=database_url))
    db.migrate()
    who = Principal("unit", "guangzhou", token_id=1)
    big = {"valid": False, "errors": 1, "warnings": 0, "diagnostics": [{"message": "x" * 10_000}] * 20}
    for n in range(25):
        upload = Upload(example() + f"# {n}\n".encode() + b"#" * 100_000 + b"\n", "g.yaml", "yaml")
        db.write_sync(lambda s, u=upload: filings.save(s, 2024, "guangzhou", u, Checked(big, {"unit": "x"}), who))
    statements: list[str] = []
    event.listen(db.read_engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
    rows, total = db.read_sync(lambda s: filings.versions(s, 2024, "guangzhou", 0, 10))
    assert total == 25 and [r["number"] for r in rows] == list(range(1, 11)) and rows[0]["errors"] == 1
    listing = [q for q in statements if "filing_versions" in q]
    assert listing and not any(col in q for q in listing for col in ("content", "report", "submission"))
    db.dispose()
