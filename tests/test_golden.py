"""Golden SHA-256 of a few outputs: any byte drift (a dependency moved, a template or layout changed)
shows here, naming the file that changed.

Covered: Guangzhou's DOCX, XLSX and PDF packet, the blank 2024 form (DOCX, XLSX, PDF) and the
notice 2023-233 (DOCX, PDF). Expected hashes: tests/golden/sha256.json, which also records the
versions and fonts they were made with (shown on failure, to tell a dependency move from a
code change).

After an INTENDED change of output (a layout fix, a new WeasyPrint), refresh the file and say
why in the commit message:

    DOCGEN_UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/test_golden.py

(the test then rewrites tests/golden/sha256.json and passes; review ``git diff tests/golden``).
"""

from __future__ import annotations

import hashlib
import json
import os
from functools import lru_cache
from importlib import metadata
from pathlib import Path

import pytest

from docgen.io.paths import DATA_DIR

GOLDEN = Path(__file__).parent / "golden" / "sha256.json"
UPDATE = "DOCGEN_UPDATE_GOLDEN"
INPUTS = {
    "guangzhou": DATA_DIR / "submissions" / "2024" / "guangzhou.yaml",
    "form-2024": DATA_DIR / "forms" / "2024.yaml",
    "notice-2023-233": DATA_DIR / "notices" / "2023-233.yaml",
}
PACKAGES = ("weasyprint", "pydyf", "pypdf", "python-docx", "docxtpl", "openpyxl", "fonttools", "Jinja2")


def environment() -> dict[str, object]:
    """What the hashes depend on besides docgen: library versions and the font files used."""
    from docgen.standard import fonts

    used = {role: f"{f.family} {f.style} ({f.file.name})" for role, f in fonts.resolve_all().items()}
    used["fallbacks"] = ", ".join(f"{f.family} ({f.file.name})" for f in fonts.fallbacks())
    return {"packages": {p: metadata.version(p) for p in PACKAGES}, "fonts": used}


@lru_cache(maxsize=1)
def actual() -> dict[str, str]:
    """name.ext → SHA-256 of every covered output, rendered now."""
    from notice_helpers import rendered

    from docgen.registry import render_file

    out = {}
    for name, path in INPUTS.items():
        # the notice as its own tests have it, rendered once in this run (notice_helpers)
        outputs = rendered("2023-233") if name == "notice-2023-233" else render_file(path).outputs
        for fmt, data in sorted(outputs.items()):
            out[f"{name}.{fmt}"] = hashlib.sha256(data).hexdigest()
    return out


def test_outputs_match_golden_hashes() -> None:
    hashes = actual()
    if os.environ.get(UPDATE):
        GOLDEN.parent.mkdir(parents=True, exist_ok=True)
        GOLDEN.write_text(
            json.dumps({"sha256": hashes, "made_with": environment()}, ensure_ascii=False, indent=2) + "\n",
            encoding="utf-8",
        )
        return
    if not GOLDEN.exists():
        pytest.fail(f"{GOLDEN} is missing: create it with {UPDATE}=1 .venv/bin/python -m pytest {__file__}")
    golden = json.loads(GOLDEN.read_text(encoding="utf-8"))
    expected: dict[str, str] = golden["sha256"]
    changed = [
        f"  {name}: expected {expected.get(name, '(none)')[:16]}…, got {hashes.get(name, '(none)')[:16]}…"
        for name in sorted(expected.keys() | hashes.keys())
        if expected.get(name) != hashes.get(name)
    ]
    if changed:
        now, then = environment(), golden.get("made_with", {})
        moved = [
            f"  {kind} {key}: {then.get(kind, {}).get(key)} → {value}"
            for kind in ("packages", "fonts")
            for key, value in now[kind].items()
            if then.get(kind, {}).get(key) != value
        ]
        pytest.fail(
            "output bytes changed:\n"
            + "\n".join(changed)
            + (
                "\nenvironment differs from the one the hashes were made with:\n" + "\n".join(moved)
                if moved
                else "\n(same library versions and fonts as the golden file: docgen's output changed)"
            )
            + f"\nIf the change is intended, refresh: {UPDATE}=1 .venv/bin/python -m pytest "
            "tests/test_golden.py (and say why in the commit).",
            pytrace=False,
        )
