"""files/packet.ofd: the latest version's packet as OFD, the bytes `docgen render -f ofd` writes."""

from __future__ import annotations

from pathlib import Path

import ofdkit
import pytest
from testkit import run_docgen

from service.api_helpers import EXAMPLES, YAML
from service.service_helpers import ROOT


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # storage is not what this tests
def test_packet_ofd_is_the_clis_ofd(api, tmp_path: Path) -> None:
    source = EXAMPLES / "guangzhou.yaml"
    saved = api.client.put(
        "/api/v1/filings/2024/guangzhou", content=source.read_bytes(), headers={**YAML, **api.auth("guangzhou")}
    )
    assert saved.status_code == 200, saved.text
    r = api.client.get("/api/v1/filings/2024/guangzhou/files/packet.ofd", headers=api.auth("guangzhou"))
    assert r.status_code == 200 and r.headers["content-type"] == "application/ofd"
    assert "guangzhou-2024-v1.ofd" in r.headers["content-disposition"]
    done = run_docgen("render", str(source), "-f", "ofd", "-o", str(tmp_path), cwd=ROOT)
    assert done.returncode == 0, done.stderr
    assert r.content == (tmp_path / "guangzhou.ofd").read_bytes()
    with ofdkit.open(r.content) as doc:
        assert doc.info.author == "广州市市场监督管理局（知识产权局）" and "保留省局部分" in doc.text()
    # another unit's packet stays hidden, as for packet.pdf
    other = api.client.get("/api/v1/filings/2024/guangzhou/files/packet.ofd", headers=api.auth("shenzhen"))
    assert other.status_code == 404
