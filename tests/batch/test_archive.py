"""The archive volume: contents page, the notice, every packet in the form's unit order, one numbering."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pdfplumber
import pytest
from pypdf import PdfReader

from docgen.batch.runner import build

pytestmark = pytest.mark.slow  # a whole batch with the notice and the archive volume

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "data" / "submissions" / "2024"
NOTICE = ROOT / "data" / "notices" / "2023-233.yaml"
# deliberately not in the form's order: the volume must follow the published unit list
UNITS = ["yunfu", "heyuan", "protection-center"]


@pytest.fixture(scope="module")
def volume(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("in")
    for unit in UNITS:
        shutil.copy(EXAMPLES / f"{unit}.yaml", folder)
    out = tmp_path_factory.mktemp("out")
    report = build(folder, out, jobs=2, notice=NOTICE, log=lambda _: None)
    assert report.exit_code == 0
    return out


def page_number(page) -> int | None:
    """The number stamped on a page (its own font), portrait or turned; None if unnumbered."""
    chars = [c for c in page.chars if "docgen-pagenum" in c["fontname"]]
    digits = "".join(c["text"] for c in chars if c["text"].isdigit())
    return int(digits) if digits else None


def test_volume_order_bookmarks_and_continuous_numbers(volume: Path) -> None:
    reader = PdfReader(volume / "归档卷.pdf")
    top = [o for o in reader.outline if not isinstance(o, list)]
    titles = [o.title for o in top]
    assert titles[0] == "卷内目录"
    assert "粤市监知促〔2023〕233号" in titles[1]
    # units follow the published form: 河源 before 云浮, the protection center after the cities
    assert [t.split()[0] for t in titles[2:5]] == [
        "河源市市场监督管理局（知识产权局）",
        "云浮市市场监督管理局（知识产权局）",
        "广东省知识产权保护中心",
    ]
    # then the provincial summary and the closing 卷内备考表
    assert titles[5].endswith("2024年度知识产权项目需求汇总表") and titles[6].endswith("卷内备考表")
    # each unit's bookmark holds its own table bookmarks
    nested = [o for o in reader.outline if isinstance(o, list)]
    assert len(nested) >= 4
    for children in nested[-3:]:
        flat = re.findall(
            r"征集表（[一二三四]）",
            repr([c.title if not isinstance(c, list) else [x.title for x in c] for c in children]),
        )
        assert len(flat) == 4
    firsts = [reader.get_destination_page_number(o) for o in top]
    assert firsts == sorted(firsts)
    contents_pages = firsts[1]
    with pdfplumber.open(volume / "归档卷.pdf") as pdf:
        numbers = [page_number(p) for p in pdf.pages]
        rows = [r for p in pdf.pages[:contents_pages] for r in (p.extract_table() or [])]
    assert numbers[:contents_pages] == [None] * contents_pages  # the contents page is not numbered
    body = numbers[contents_pages:]
    assert body == list(range(1, len(body) + 1)), "numbers run on across notice and packets"
    # the contents page (卷内目录) names each document with its first page in the volume
    clean = [[re.sub(r"\s", "", c or "") for c in r] for r in rows]
    assert clean[0] == ["序号", "责任者", "文件题名", "页号"]
    expected = [(t.split()[0], str(first - contents_pages + 1)) for t, first in zip(titles[1:], firsts[1:])]
    assert [(r[1], r[3]) for r in clean[1:]] == expected


def test_volume_is_pdfa_and_rebuilt_only_when_needed(volume: Path) -> None:
    xmp = PdfReader(volume / "归档卷.pdf").xmp_metadata
    assert (
        xmp is not None
        and 'pdfaid:part="3"' in PdfReader(volume / "归档卷.pdf").trailer["/Root"]["/Metadata"].get_data().decode()
    )
    before = (volume / "归档卷.pdf").stat().st_mtime_ns
    report = build(
        volume.parent / next(p.name for p in volume.parent.iterdir() if p.name.startswith("in")),
        volume,
        jobs=2,
        notice=NOTICE,
        log=lambda _: None,
    )
    assert sorted(report.skipped) == sorted(UNITS)
    assert (volume / "归档卷.pdf").stat().st_mtime_ns == before
