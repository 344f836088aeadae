"""Rows that cannot fit on a page are marked tall before the first layout (issue 23): the packet is the
same, byte for byte, as when a first layout pass finds them, and rows that may fit are left alone."""

from __future__ import annotations

import pytest
import yaml

from docgen.check.submission import check_source
from docgen.io.paths import DATA_DIR, TEMPLATES_DIR
from docgen.io.source import parse
from docgen.views.form import build_view
from docgen.writers.pdf import packet
from docgen.writers.pdf.splits import TALL, Split, TableSplits

EXAMPLES = DATA_DIR / "submissions" / "2024"
TEXT = "专业市场侵权假冒多发需建立快速处置机制" * 100  # 1,900 ideographs, no punctuation


def view_of(text: str, field: str = "remarks", item: int = 0):
    data = yaml.safe_load((EXAMPLES / "guangzhou.yaml").read_text(encoding="utf-8"))
    data["retained"][item]["projects"][0][field] = text
    source = parse(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), "long.yaml")
    result = check_source(source)
    assert result.form is not None and result.submission is not None
    return build_view(result.form, result.submission, "long.yaml", source.text.encode()), source


def test_a_row_whose_ideographs_overfill_a_page_is_marked_tall_and_short_ones_are_not() -> None:
    view, _ = view_of(TEXT)
    assert packet.certainly_tall(view.tables[0]) == TableSplits.of({Split(0, TALL)})
    assert all(not packet.certainly_tall(t) for t in view.tables[1:])
    view, _ = view_of(TEXT[:60])  # two lines' worth in 备注: fits
    assert not packet.certainly_tall(view.tables[0])


@pytest.mark.parametrize("stem", sorted(p.stem for p in EXAMPLES.glob("*.yaml")))
def test_no_row_of_the_examples_is_marked_before_layout(stem: str) -> None:
    path = EXAMPLES / f"{stem}.yaml"
    result = check_source(parse(path.read_text(encoding="utf-8"), str(path)))
    assert result.form is not None and result.submission is not None
    view = build_view(result.form, result.submission, path.name, path.read_bytes())
    assert all(not packet.certainly_tall(t) for t in view.tables)


@pytest.mark.slow
@pytest.mark.parametrize(("field", "item"), [("remarks", 0), ("necessity", 1)])
def test_the_packet_is_the_same_whether_the_tall_row_is_marked_before_or_found_by_a_pass(
    field: str, item: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    view, source = view_of(TEXT + "。" + TEXT[:700], field, item)
    templates = TEMPLATES_DIR
    doc, splits, passes = packet.layout(view, source, templates)
    assert Split(item, TALL) in splits["t0"] and passes == 1  # no second pass for it
    marked = packet.write_laid_out(view, source, doc)[0]
    monkeypatch.setattr(packet, "certainly_tall", lambda table: TableSplits())
    doc, splits, passes = packet.layout(view, source, templates)
    assert passes == 2
    assert packet.write_laid_out(view, source, doc)[0] == marked
