"""`docgen batch --ofd`: the archive volume also as OFD-A (GB/T 42133), the same pages as 归档卷.pdf."""

from __future__ import annotations

import io
import json
import re
import shutil
from pathlib import Path

import ofdcheck
import ofdkit
import pdfplumber
import pytest
from fontTools.ttLib import TTFont
from testkit import run_docgen

pytestmark = pytest.mark.slow  # a whole batch with the notice and the archive volume

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "data" / "submissions" / "2024"
NOTICE = ROOT / "data" / "notices" / "2023-233.yaml"


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("in")
    for unit in ("shanwei", "guangzhou"):
        shutil.copy(EXAMPLES / f"{unit}.yaml", folder)
    out = tmp_path_factory.mktemp("out")
    done = run_docgen("batch", str(folder), "-o", str(out), "--notice", str(NOTICE), "--ofd", "-j", "2", cwd=ROOT)
    assert done.returncode == 0, done.stderr
    return out


def test_the_volume_as_ofd_a_holds_the_pdfs_pages_and_text(out: Path) -> None:
    ofd, pdf = (out / "归档卷.ofd").read_bytes(), (out / "归档卷.pdf").read_bytes()
    assert ofdcheck.check_structure(ofd) == []
    assert re.search(r'<ofd:OFD [^>]*DocType="OFD-A"', ofdcheck.parts(ofd)["OFD.xml"].decode())
    with ofdkit.open(ofd) as doc, pdfplumber.open(io.BytesIO(pdf)) as plumb:
        assert len(doc.pages) == len(plumb.pages) > 30
        assert doc.info.title == "2024年度知识产权项目需求征集归档卷"
        assert doc.info.author == "广东省市场监督管理局（知识产权局）"
        for page, theirs in zip(doc.pages, plumb.pages):
            ours = "".join(r.text for r in page.runs)
            assert re.sub(r"\s", "", ours) == re.sub(r"\s", "", "".join(c["text"] for c in theirs.chars))
        text = doc.text()
    for part in (
        "卷内目录",
        "粤市监知促〔2023〕233号",
        "广州市市场监督管理局",
        "汕尾市市场监督管理局",
        "汇总表",
        "卷内备考表",
    ):
        assert part in text, part


def test_the_volumes_bookmarks_are_its_outlines(out: Path) -> None:
    """The records office finds each unit from the outline, as in the PDF's bookmarks."""
    from pypdf import PdfReader

    reader = PdfReader(out / "归档卷.pdf")
    ofd = (out / "归档卷.ofd").read_bytes()
    document = ofdcheck.xml(ofdcheck.parts(ofd)["Doc_0/Document.xml"])
    page_ids = [p.get("ID") for p in document.iter(ofdcheck.Q + "Page")]
    top = document.find(ofdcheck.Q + "Outlines")
    assert top is not None
    ours = [
        (
            e.get("Title"),
            page_ids.index(
                e.find(f"{ofdcheck.Q}Actions/{ofdcheck.Q}Action/{ofdcheck.Q}Goto/{ofdcheck.Q}Dest").get("PageID")
            ),
        )  # type: ignore[union-attr]
        for e in top.findall(ofdcheck.Q + "OutlineElem")
    ]
    theirs = [(o.title, reader.get_destination_page_number(o)) for o in reader.outline if not isinstance(o, list)]
    assert ours == theirs and len(ours) == 6  # 卷内目录, the notice, two units, 汇总表, 卷内备考表


def test_every_font_of_the_volume_is_embedded_and_covers_its_text(out: Path) -> None:
    """OFD-A: nothing drawn with a font from outside the package."""
    ofd = (out / "归档卷.ofd").read_bytes()
    cmaps = {fid: TTFont(io.BytesIO(data)).getBestCmap() for fid, (_, data) in ofdcheck.fonts(ofd).items()}
    for page in ofdcheck.glyphs(ofd):
        for g in page:
            assert ord(g.char) in cmaps[g.font], g
    # every location is a file of the package (check_structure follows each one), none a URL
    for name, data in ofdcheck.parts(ofd).items():
        if name.endswith(".xml"):
            root = ofdcheck.xml(data)
            values = [v for el in root.iter() for k, v in el.attrib.items() if k in ("BaseLoc",)]
            values += [
                el.text or "" for el in root.iter() if ofdcheck.local(el.tag) in ("FontFile", "MediaFile", "DocRoot")
            ]
            assert not any("://" in v or v.startswith("/") for v in values), (name, values)


def test_the_manifest_lists_it_and_a_rerun_keeps_it(out: Path) -> None:
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    paths = {o["path"] for o in manifest["archive"]["outputs"]}
    assert paths == {"归档卷.pdf", "归档卷.ofd"}
    before = (out / "归档卷.ofd").stat().st_mtime_ns
    folder = out.parent / "again"
    folder.mkdir(exist_ok=True)
    for unit in ("shanwei", "guangzhou"):
        shutil.copy(EXAMPLES / f"{unit}.yaml", folder)
    done = run_docgen("batch", str(folder), "-o", str(out), "--notice", str(NOTICE), "--ofd", "-j", "2", cwd=ROOT)
    assert done.returncode == 0, done.stderr
    assert (out / "归档卷.ofd").stat().st_mtime_ns == before  # nothing changed: not rebuilt
    # without --ofd the volume is built again, and the OFD of the earlier run, no longer its copy, goes
    done = run_docgen("batch", str(folder), "-o", str(out), "--notice", str(NOTICE), "-j", "2", cwd=ROOT)
    assert done.returncode == 0, done.stderr
    assert not (out / "归档卷.ofd").exists() and (out / "归档卷.pdf").exists()
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert {o["path"] for o in manifest["archive"]["outputs"]} == {"归档卷.pdf"}
