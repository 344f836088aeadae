"""A long cell text is laid out as inline runs (issue 23) and prints exactly as one text would.

WeasyPrint lays out the whole rest of a text box for every line of a box narrower than 4 em when the
text has no space (Chinese): quadratic. docgen.writers.pdf.runs cuts a long cell text into <span>
runs between two ideographs. What a reader checks: the packet's HTML carries the runs, and every
character of the PDF sits at the same place, in the same font and size, with and without them.
Speed is measured in bench/long_text.py, never asserted here.
"""

from __future__ import annotations

import io
import itertools
import random
import re

import pdfplumber
import pytest
import yaml

from docgen.io.paths import DATA_DIR, TEMPLATES_DIR
from docgen.io.source import parse
from docgen.writers.pdf import runs

PHRASES = (
    "专业市场侵权假冒多发，",
    "需建立快速处置机制。",
    "新增发明专利申请不少于200件；",
    "（试点）",
    "“十四五”",
    "IP\n",
)


def prose(n: int, seed: int) -> str:
    """n characters of filing-like text: ideographs, CJK punctuation, digits, Latin, a line break."""
    rng = random.Random(seed)
    text = ""
    while len(text) < n:
        text += rng.choice(PHRASES)
    return text[:n]


def long_source(field: str, text: str):
    data = yaml.safe_load((DATA_DIR / "submissions" / "2024" / "guangzhou.yaml").read_text(encoding="utf-8"))
    data["retained"][0]["projects"][0][field] = text
    return parse(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), "long.yaml")


def ideograph(ch: str) -> bool:
    return re.fullmatch(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003ffff]", ch) is not None


def test_runs_are_cut_only_between_two_ideographs_and_keep_the_text() -> None:
    text = prose(3_000, 1)
    pieces = runs.runs(text)
    assert "".join(pieces) == text
    assert len(pieces) > 10
    for left, right in itertools.pairwise(pieces):
        assert len(left) >= runs.RUN
        assert ideograph(left[-1]) and ideograph(right[0])
    assert runs.runs("IP " * 500) == ["IP " * 500]  # no ideographs: never cut


def test_the_packet_html_carries_a_long_cell_in_runs_and_a_short_one_as_text() -> None:
    from docgen.check.submission import check_source
    from docgen.views.form import build_view
    from docgen.writers.pdf.packet import packet_html

    text = prose(2_000, 2)
    result = check_source(long_source("remarks", text))
    assert result.form is not None and result.submission is not None
    view = build_view(result.form, result.submission, "long.yaml", b"")
    html = packet_html(view, None, TEMPLATES_DIR, part=0)
    cell = re.search(r"<td[^>]*>((?:<span>[^<]*</span>)+)</td>", html)
    assert cell is not None, "the long cell is not laid out in runs"
    pieces = re.findall(r"<span>([^<]*)</span>", cell.group(1))
    assert len(pieces) == len(runs.runs(text)) and len(pieces) > 20
    # the example's cells (at most a few hundred characters) stay one text each
    example = DATA_DIR / "submissions" / "2024" / "guangzhou.yaml"
    result = check_source(parse(example.read_text(encoding="utf-8"), str(example)))
    assert result.form is not None and result.submission is not None
    view = build_view(result.form, result.submission, example.name, example.read_bytes())
    body = packet_html(view, None, TEMPLATES_DIR, part=0).split("<tbody>", 1)[1]
    assert "<span>" not in body


def chars(pdf: bytes) -> list[list[tuple]]:
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        return [
            [(c["text"], round(c["x0"], 3), round(c["top"], 3), c["fontname"], round(c["size"], 3)) for c in p.chars]
            for p in doc.pages
        ]


@pytest.mark.slow
@pytest.mark.parametrize("field", ["remarks", "necessity"])  # 备注 is under 4 em wide, 必要性 is wide
def test_a_long_cell_prints_the_same_glyphs_at_the_same_places_with_and_without_runs(
    field: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from docgen.registry import Options, render_source

    source = long_source(field, prose(1_500, 3))
    with_runs = chars(render_source(source, Options(formats=("pdf",))).outputs["pdf"])
    monkeypatch.setattr(runs, "LONG", 10**9)  # one text per cell, as before issue 23
    without = chars(render_source(source, Options(formats=("pdf",))).outputs["pdf"])
    assert len(with_runs) == len(without) > 3  # the cell runs over several pages
    assert with_runs == without
