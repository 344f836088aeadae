"""Where docgen finds its data and templates (overridable for a province's own copies)."""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]  # the checkout: docgen/io/paths.py -> ../../..
# DOCGEN_DATA / DOCGEN_TEMPLATES let a province point docgen at its own copies.
DATA_DIR = Path(os.environ.get("DOCGEN_DATA", ROOT / "data"))
TEMPLATES_DIR = Path(os.environ.get("DOCGEN_TEMPLATES", ROOT / "templates"))
BUILD_DIR = ROOT / "build"
