"""A real `docgen serve` on 127.0.0.1: CLI accounts and tokens, the role matrix, kill -9 durability, SIGTERM."""

from __future__ import annotations

import hashlib
import re
import signal
import socket
import threading
import time

import httpx
import pytest

from docgen.form.loading import load as load_form
from service.api_helpers import EXAMPLES, YAML, example
from service.service_helpers import docgen_cli

pytestmark = pytest.mark.slow  # real `docgen serve` processes (uvicorn, render and check pools)


def _token(data, database: str, *args: str) -> tuple[str, int]:
    done = docgen_cli("token", "create", *args, data=data, database=database)
    assert done.returncode == 0, done.stderr
    token = done.stdout.strip()
    assert done.stdout == token + "\n" and re.fullmatch(r"dgt_[A-Za-z0-9_-]{40,}", token)  # the token alone on stdout
    return token, int(re.search(r"令牌编号 (\d+)", done.stderr)[1])


def test_role_matrix_against_a_real_server(tmp_path, database_url, server_factory) -> None:
    data = tmp_path / "var"
    gz, _ = _token(data, database_url, "--unit", "guangzhou", "--name", "脚本")
    sz, _ = _token(data, database_url, "--unit", "shenzhen")
    prov, _ = _token(data, database_url, "--province")
    old, old_id = _token(data, database_url, "--unit", "guangzhou")
    assert docgen_cli("token", "revoke", str(old_id), data=data, database=database_url).returncode == 0
    assert docgen_cli("token", "revoke", "999", data=data, database=database_url).returncode == 1
    bad = docgen_cli("token", "create", "--unit", "atlantis", data=data, database=database_url)
    assert bad.returncode == 2 and "atlantis" in bad.stderr and bad.stdout == ""
    added = docgen_cli(
        "user",
        "add",
        "gz-clerk",
        "--unit",
        "guangzhou",
        "--password-stdin",
        data=data,
        database=database_url,
        stdin="correct horse battery\n",
    )
    assert added.returncode == 0, added.stderr
    server = server_factory(data, database_url)
    c = httpx.Client(base_url=server.base, timeout=60)

    def h(token: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {token}"}

    assert c.put("/api/v1/filings/2024/guangzhou", content=example(), headers={**YAML, **h(gz)}).json()["version"] == 1
    assert (
        c.put("/api/v1/filings/2024/shenzhen", content=example("shenzhen"), headers={**YAML, **h(sz)}).status_code
        == 200
    )
    assert c.get("/api/v1/filings/2024/guangzhou/versions/1", headers=h(gz)).content == example()
    assert c.get("/api/v1/filings/2024/guangzhou").status_code == 401
    assert c.get("/api/v1/filings/2024/guangzhou", headers=h(old)).status_code == 401
    assert c.get("/api/v1/filings/2024/shenzhen", headers=h(gz)).status_code == 404
    assert c.put("/api/v1/filings/2024/shenzhen", content=example(), headers={**YAML, **h(gz)}).status_code == 404
    assert c.get("/api/v1/filings/2024", headers=h(gz)).status_code == 403
    assert c.post("/api/v1/filings/2024/guangzhou/return", json={"reason": "x"}, headers=h(sz)).status_code == 403
    assert c.post("/api/v1/filings/2024/shenzhen/return", json={"reason": "x"}, headers=h(sz)).status_code == 403
    rows = c.get("/api/v1/filings/2024", headers=h(prov)).json()["filings"]
    assert [r["status"] for r in rows[:2]] == ["draft", "draft"] and len(rows) == len(load_form(2024).units)
    assert c.get("/readyz").json() == {"status": "ready"}


def test_a_streamed_body_is_cut_off_at_the_limit(tmp_path, server_factory) -> None:
    data = tmp_path / "var"
    token, _ = _token(data, "", "--unit", "guangzhou")
    server = server_factory(data)
    sent = 0
    with socket.create_connection(("127.0.0.1", server.port), timeout=30) as sock:
        sock.sendall(
            (
                f"PUT /api/v1/filings/2024/guangzhou HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {token}\r\n"
                "Content-Type: application/yaml\r\nTransfer-Encoding: chunked\r\n\r\n"
            ).encode()
        )
        chunk = b"#" * 65536 + b"\n"
        frame = f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n"
        sock.settimeout(0.05)
        answer = b""
        while sent < 200 * 1024 * 1024:  # bounded: at most 200 MB offered
            try:
                sock.sendall(frame)
                sent += len(chunk)
            except (TimeoutError, BrokenPipeError, ConnectionResetError):
                break
            try:
                answer += sock.recv(65536)
                if answer:
                    break
            except TimeoutError:
                continue
        sock.settimeout(10)
        try:
            while b"\r\n\r\n" not in answer:
                more = sock.recv(65536)
                if not more:
                    break
                answer += more
        except (TimeoutError, ConnectionResetError):
            pass
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
    assert sent < 20 * 1024 * 1024, sent  # the server answered after about 5 MB, not after reading everything
    assert httpx.get(server.base + "/healthz").status_code == 200


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_demo_start_then_signal_exits_0(tmp_path, server_factory, sig) -> None:
    server = server_factory(tmp_path / "var", extra=("--demo",))
    out = server.output()
    units = load_form(2024).units
    for unit in units:
        assert re.search(rf"^\s+{re.escape(unit.id)}\s+\S{{8,}}\s+{re.escape(unit.name)}$", out, re.M), unit.id
    assert re.search(r"^\s+province\s+\S{8,}\s+省局$", out, re.M)
    token = re.search(r"省局 API 令牌：(\S+)", out)[1]
    rows = httpx.get(server.base + "/api/v1/filings/2024", headers={"Authorization": f"Bearer {token}"}).json()[
        "filings"
    ]
    have = {p.stem for p in EXAMPLES.glob("*.yaml")}
    assert {r["unit"] for r in rows if r["status"] == "draft"} == have and len(have) == 23
    # a render in flight when the signal comes is finished (or cleanly refused), then the process exits 0
    answers: list = []

    def render() -> None:
        try:
            answers.append(
                httpx.post(
                    server.base + "/api/v1/render?format=pdf",
                    content=example(),
                    timeout=60,
                    headers={**YAML, "Authorization": f"Bearer {token}"},
                ).status_code
            )
        except httpx.HTTPError as exc:
            answers.append(exc)

    t = threading.Thread(target=render)
    t.start()
    time.sleep(0.5)
    server.signal(sig)
    assert server.wait(90) == 0, server.output()[-3000:]
    t.join(90)
    assert (answers and answers[0] in (200, 503)) or isinstance(answers[0], httpx.HTTPError), answers
    assert "Finished server process" in server.output()


def test_kill_9_during_saves_loses_no_acknowledged_version(tmp_path, database_url, server_factory) -> None:
    data = tmp_path / "var"
    units = ["guangzhou", "shenzhen", "zhuhai", "foshan"]
    tokens = {u: _token(data, database_url, "--unit", u)[0] for u in units}
    server = server_factory(data, database_url)
    acked: list[tuple[str, int, bytes]] = []
    lock = threading.Lock()
    stop = threading.Event()

    def saver(unit: str) -> None:
        body = (EXAMPLES / f"{unit}.yaml").read_bytes()
        with httpx.Client(base_url=server.base, timeout=30) as c:
            for i in range(300):  # bounded
                if stop.is_set():
                    return
                content = body + f"# 第{i}次保存\n".encode()
                try:
                    r = c.put(
                        f"/api/v1/filings/2024/{unit}",
                        content=content,
                        headers={**YAML, "Authorization": f"Bearer {tokens[unit]}"},
                    )
                except httpx.HTTPError:
                    return  # the server is gone
                if r.status_code == 200:
                    with lock:
                        acked.append((unit, r.json()["version"], content))

    threads = [threading.Thread(target=saver, args=(u,)) for u in units]
    for t in threads:
        t.start()
    deadline = time.monotonic() + 120
    while len(acked) < 60 and time.monotonic() < deadline:
        time.sleep(0.05)
    server.signal(signal.SIGKILL)  # mid-stream: requests are in flight
    server.wait(30)
    stop.set()
    for t in threads:
        t.join(60)
    assert len(acked) >= 60, f"only {len(acked)} saves acknowledged before the deadline"
    again = server_factory(data, database_url)
    with httpx.Client(base_url=again.base, timeout=30) as c:
        for unit in units:
            h = {"Authorization": f"Bearer {tokens[unit]}"}
            listed = c.get(f"/api/v1/filings/2024/{unit}/versions", headers=h).json()["versions"]
            numbers = [v["number"] for v in listed]
            assert numbers == list(range(1, len(numbers) + 1)), unit  # no gap, no duplicate
            mine = [(n, content) for u, n, content in acked if u == unit]
            assert max(n for n, _ in mine) <= len(numbers)
            for n, content in mine:
                assert listed[n - 1]["sha256"] == hashlib.sha256(content).hexdigest(), (unit, n)
                assert c.get(f"/api/v1/filings/2024/{unit}/versions/{n}", headers=h).content == content, (unit, n)
