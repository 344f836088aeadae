"""Fixtures every test may request; the helpers themselves live in tests/testkit.py."""

from __future__ import annotations

import pytest
from testkit import require, require_tool_path


@pytest.fixture
def require_tool():
    """Fixture: ``require_tool("pdffonts")`` returns the tool's path or skips/fails."""
    return require_tool_path


@pytest.fixture(name="require")
def require_fixture():
    """Fixture: ``require(ok, "what")`` skips/fails when ``ok`` is false."""
    return require
