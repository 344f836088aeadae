"""One cell of 10,000 CJK characters (issue 10): the packet lays it out over pages, every character
in order, nothing lost at a page break (its row is marked "tall" and breaks inside).

Speed is measured by the benchmark figures in the README (bench/), never asserted here.
"""

from __future__ import annotations

import io
import random

import pypdf
import pytest
import yaml

from docgen.io.paths import DATA_DIR

MARKS = "甲乙丙丁戊己庚辛壬癸"
"""Characters no other text of the Guangzhou packet uses, so the cell's text can be picked out."""


@pytest.mark.slow
def test_a_10000_character_cell_is_printed_whole_across_pages() -> None:
    from docgen.io.source import parse
    from docgen.registry import Options, render_source

    rng = random.Random(10_000)
    text = "".join(rng.choice(MARKS) for _ in range(10_000))
    data = yaml.safe_load((DATA_DIR / "submissions" / "2024" / "guangzhou.yaml").read_text(encoding="utf-8"))
    data["retained"][0]["projects"][0]["necessity"] = text
    source = parse(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), "long.yaml")
    pdf = render_source(source, Options(formats=("pdf",))).outputs["pdf"]
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    per_page = ["".join(ch for ch in (page.extract_text() or "") if ch in MARKS) for page in reader.pages]
    assert "".join(per_page) == text
    assert sum(1 for p in per_page if p) >= 10  # spread over many pages, not clipped on one
