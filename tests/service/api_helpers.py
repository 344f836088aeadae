"""Bodies and checks the API tests share."""

from __future__ import annotations

from pathlib import Path

from service.service_helpers import ROOT

EXAMPLES = ROOT / "data" / "submissions" / "2024"
INVALID = ROOT / "tests" / "fixtures" / "invalid"
YAML = {"content-type": "application/yaml"}


def example(unit: str = "guangzhou") -> bytes:
    return (EXAMPLES / f"{unit}.yaml").read_bytes()


def invalid(name: str = "budget", city: str = "广州市") -> bytes:
    """An invalid fixture (Guangzhou's) as another city's own draft (a filing holds only its own unit's data)."""
    return (INVALID / f"{name}.yaml").read_bytes().replace("广州市".encode(), city.encode())


def assert_problem(response, status: int) -> dict:
    """A problem document with the status and a Chinese detail."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json"), response.headers
    body = response.json()
    assert body["status"] == status
    assert any("\u4e00" <= ch <= "\u9fff" for ch in body["detail"]), body
    return body


def paths_in(folder: Path) -> list[Path]:
    return sorted(folder.glob("*.yaml"))
