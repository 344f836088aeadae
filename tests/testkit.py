"""Shared test helpers, a module of their own (a second conftest, tests/service/conftest.py, would shadow them).

Project rule: a test that needs a tool or font that scripts/setup.sh installs must FAIL, not
skip, when CI=true and it is missing (a green CI must not hide a missing install step);
locally it may skip.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

TEST_DATA = Path(__file__).resolve().parent / "data"
"""Files the tests compare against, kept in the repository (tests/data/README.md)."""
SEED = TEST_DATA / "seed" / "000_b2f1f102a4e38847.txt"
"""The public notice 粤市监知促〔2023〕233号 as published (plain text)."""


def in_ci() -> bool:
    """True when running under CI (CI=true)."""
    return os.environ.get("CI", "").strip().lower() in ("true", "1")


def require(ok: bool, what: str) -> None:
    """Skip (locally) or fail (CI=true) unless ``ok``; ``what`` names the missing thing."""
    if ok:
        return
    message = f"{what} is missing: scripts/setup.sh installs it"
    if in_ci():
        pytest.fail(f"{message} (CI=true: must not skip)", pytrace=False)
    pytest.skip(message)


def require_tool_path(name: str) -> str:
    """The path of command ``name``; skip/fail as require() when it is not on PATH."""
    path = shutil.which(name)
    require(path is not None, f"tool {name!r}")
    return path
