"""Differential test: every diagnostic of the 2024 examples and fixtures is what docgen said before the form engine.

`tests/data/diagnostics-2024.json` was written by the code of `main` before the form engine replaced the
hard-wired tables (code, path, line, place, message, hint of each diagnostic). Any change in what a clerk reads
fails here. Refresh only after an intended change: DOCGEN_UPDATE_SNAPSHOT=1.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from docgen.check.submission import check_file

ROOT = Path(__file__).resolve().parents[2]
SNAPSHOT = ROOT / "tests" / "data" / "diagnostics-2024.json"
FILES = sorted(
    [
        *(ROOT / "data" / "submissions" / "2024").glob("*.yaml"),
        *(ROOT / "tests" / "fixtures" / "invalid").glob("*"),
        *(ROOT / "tests" / "fixtures" / "hostile").glob("*"),
        *(ROOT / "tests" / "data" / "examples").glob("*.yaml"),
    ]
)


def diagnostics(path: Path) -> list[dict]:
    """What validate says of one file, as the clerk reads it (file named relative to the repository)."""
    result = check_file(path)
    return [
        {k: v for k, v in d.as_dict().items() if k != "file"} | {"file": Path(d.file).name} for d in result.diagnostics
    ]


def current() -> dict[str, list[dict]]:
    return {str(p.relative_to(ROOT)): diagnostics(p) for p in FILES}


def test_the_corpus_is_the_one_snapshotted() -> None:
    if os.environ.get("DOCGEN_UPDATE_SNAPSHOT"):
        SNAPSHOT.write_text(json.dumps(current(), ensure_ascii=False, indent=1, sort_keys=True) + "\n", "utf-8")
    snap = json.loads(SNAPSHOT.read_text("utf-8"))
    assert sorted(snap) == sorted(str(p.relative_to(ROOT)) for p in FILES)
    assert len(snap) > 70 and sum(map(len, snap.values())) > 80  # the corpus is not empty


@pytest.mark.parametrize("path", FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_same_diagnostics_as_before(path: Path) -> None:
    snap = json.loads(SNAPSHOT.read_text("utf-8"))
    assert diagnostics(path) == snap[str(path.relative_to(ROOT))]
