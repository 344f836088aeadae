"""The form is data (issue 19): no code, template or script of docgen names the 2024 form's table keys."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TABLE_KEYS = re.compile(r"\b(retained|post_subsidy|delegated)\b|[\"'.#]support\b|\bsupport[\"':]")
"""The keys; ``support`` only as a key would be written (quoted, an attribute, an id), not the English word."""


def _sources() -> list[Path]:
    kinds = ("*.py", "*.js", "*.j2", "*.html", "*.css")
    return sorted(p for folder in ("docgen", "templates") for kind in kinds for p in (ROOT / folder).rglob(kind))


def test_the_2024_table_keys_live_only_in_the_2024_form() -> None:
    sources = _sources()
    assert len(sources) > 100 and any(p.suffix == ".js" for p in sources)  # the walk reaches the code
    named = [
        f"{p.relative_to(ROOT)}:{n}: {line.strip()}"
        for p in sources
        for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), start=1)
        if TABLE_KEYS.search(line)
    ]
    assert not named, "the form's table keys belong in data/forms/2024.yaml:\n" + "\n".join(named)
    assert TABLE_KEYS.search((ROOT / "data" / "forms" / "2024.yaml").read_text(encoding="utf-8"))
