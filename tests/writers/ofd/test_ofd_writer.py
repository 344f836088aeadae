"""The OFD writer, read back by an independent reader (ofdkit) and compared with the PDF it was made from.

Each document kind (a unit's packet, the blank form, the notice, a notice with 版头 elements and a seal) is
rendered once as PDF and OFD; the OFD must hold the PDF's text at the PDF's places, in its fonts, and look
like it. The parts are checked against the tables of GB/T 33190 (tests/ofdcheck.py says why no XSD)."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from pathlib import Path

import ofdcheck
import ofdkit
import pdfplumber
import pytest
from fontTools.ttLib import TTFont
from ofdkit.document import TextRun
from ofdkit.layout import page_text
from PIL import Image, ImageChops, ImageFilter
from pypdf import PdfReader
from testkit import run_docgen

from docgen.io.paths import BUILD_DIR, DATA_DIR
from docgen.models.diagnostics import InvalidInput
from docgen.registry import Options, render_file
from docgen.standard import fonts
from docgen.writers.ofd import package, subset
from docgen.writers.ofd.writer import write_ofd

MM = 25.4 / 72
ROOT = Path(__file__).resolve().parents[3]
SOURCES = {
    "packet": DATA_DIR / "submissions" / "2024" / "guangzhou.yaml",
    "form": DATA_DIR / "forms" / "2024.yaml",
    "notice": DATA_DIR / "notices" / "2023-233.yaml",
    "signed": DATA_DIR / "notices" / "example-2024-signed.yaml",
}
SHOTS = BUILD_DIR / "screenshots" / "ofd"


@pytest.fixture(scope="module")
def docs() -> dict[str, tuple[bytes, bytes]]:
    """kind → (PDF, OFD), rendered once through the registry, as `docgen render -f pdf,ofd` does."""
    out = {}
    for kind, path in SOURCES.items():
        rendered = render_file(path, Options(formats=("pdf", "ofd")))
        out[kind] = (rendered.outputs["pdf"], rendered.outputs["ofd"])
    return out


KINDS = list(SOURCES)


@pytest.mark.parametrize("kind", KINDS)
def test_every_part_follows_the_standards_tables(docs, kind) -> None:
    assert ofdcheck.check_structure(docs[kind][1]) == []


def _pdf_runs(page) -> list[TextRun]:
    """The PDF's characters as ofdkit runs: one per upright character, one per turned line (page numbers)."""
    out: list[TextRun] = []
    turned = False
    for c in page.chars:
        _, b, _, _, e, f = c["matrix"]
        run = TextRun(c["text"], e * MM, (page.height - f) * MM, c["size"] * MM, c["size"] * MM)
        if abs(b) > 1e-6 and turned:
            last = out[-1]
            out[-1] = TextRun(last.text + c["text"], last.x, last.y, last.size, last.width + run.width)
        else:
            out.append(run)
        turned = abs(b) > 1e-6
    return out


def nows(s: str) -> str:
    return re.sub(r"\s+", "", s)


@pytest.mark.parametrize("kind", KINDS)
def test_ofdkit_reads_the_pdfs_text_in_its_reading_order(docs, kind) -> None:
    pdf, ofd = docs[kind]
    with ofdkit.open(ofd) as doc, pdfplumber.open(io.BytesIO(pdf)) as plumb:
        assert len(doc.pages) == len(plumb.pages) and doc.warnings == []
        for n, (page, theirs) in enumerate(zip(doc.pages, plumb.pages)):
            assert (round(page.width, 2), round(page.height, 2)) == (
                round(theirs.width * MM, 2),
                round(theirs.height * MM, 2),
            )
            # the characters in the order both files draw them
            drawn = nows("".join(run.text for run in page.runs))
            assert drawn == nows("".join(c["text"] for c in theirs.chars)), f"page {n + 1}"
            # the reading order ofdkit infers from the OFD's positions is the one it infers from the PDF's
            assert nows(page.text()) == nows(page_text(_pdf_runs(theirs))), f"page {n + 1}"
            assert nows(page.text())  # no page without text


@pytest.mark.parametrize("kind", KINDS)
def test_every_character_within_1mm_of_its_pdf_place(docs, kind) -> None:
    pdf, ofd = docs[kind]
    placed = ofdcheck.glyphs(ofd)
    with pdfplumber.open(io.BytesIO(pdf)) as plumb, ofdkit.open(ofd) as doc:
        worst = 0.0
        for page, theirs, mine, read in zip(plumb.pages, doc.pages, placed, [p.runs for p in ofdkit.open(ofd).pages]):
            chars = [c for c in page.chars if c["text"].strip()]
            ours = [g for g in mine if g.char.strip()]
            assert [g.char for g in ours] == [c["text"] for c in chars]
            for g, c in zip(ours, chars):
                x, y = c["matrix"][4] * MM, (page.height - c["matrix"][5]) * MM
                worst = max(worst, abs(g.x - x), abs(g.y - y))
                if g.upright:  # pdfplumber's size of a turned character is its box's extent
                    assert abs(g.size - c["size"] * MM) < 0.01
            # ofdkit's own reading: each run (a word or line of the PDF) starts at its first character's place
            starts = {
                (round(c["matrix"][4] * MM, 1), round((page.height - c["matrix"][5]) * MM, 1)) for c in page.chars
            }
            for run in read:
                assert any(abs(run.x - x) <= 1 and abs(run.y - y) <= 1 for x, y in starts), run
            assert theirs.index == page.page_number - 1
        assert worst < 1.0, worst  # in fact about 0.01 mm: the same font metrics, rounded to 1 µm


@pytest.mark.parametrize("kind", KINDS)
def test_every_font_is_an_embedded_subset_covering_its_characters_under_the_official_name(docs, kind) -> None:
    _, ofd = docs[kind]
    files = ofdcheck.fonts(ofd)
    used: dict[str, set[str]] = {}
    for page in ofdcheck.glyphs(ofd):
        for g in page:
            used.setdefault(g.font, set()).add(g.char)
    assert set(used) <= set(files)
    official = {fonts.ROLE_TABLE[r].docx_name for r in fonts.ROLES}
    fallback = {f.family for f in fonts.fallbacks()}
    for font_id, (name, data) in files.items():
        face = TTFont(io.BytesIO(data))
        cmap = face.getBestCmap()
        missing = {c for c in used.get(font_id, set()) if ord(c) not in cmap}
        assert not missing, (name, missing)
        assert name in official | fallback, name
        assert face["maxp"].numGlyphs < 2000, (name, face["maxp"].numGlyphs)  # a subset, not the whole face
    names = {name for name, _ in files.values()}
    # 方正小标宋简体 is a regular face: flagged Bold, a reader that has it would embolden it
    assert b"Bold=" not in ofdcheck.parts(ofd)["Doc_0/PublicRes.xml"]
    assert "仿宋_GB2312" in names and "宋体" in names  # body text and the page numbers
    if kind in ("notice", "signed"):
        assert "方正小标宋简体" in names  # the 发文机关标志 and the title


def test_docinfo_and_the_same_bytes_for_the_same_input(docs) -> None:
    pdf, ofd = docs["notice"]
    again = render_file(SOURCES["notice"], Options(formats=("ofd",))).outputs
    assert again == {"ofd": ofd}  # the PDF is made, but only what was asked is returned
    subset.subset.cache_clear()  # a fresh process: no glyph drawn yet, no face open
    subset._source.cache_clear()
    assert write_ofd(pdf) == ofd
    with ofdkit.open(ofd) as doc:
        info = doc.info
    meta = PdfReader(io.BytesIO(pdf)).metadata
    assert meta is not None and meta.creation_date is not None
    assert info.title == meta.title == "广东省市场监督管理局关于征集2024年度知识产权工作项目需求的通知"
    assert info.author == meta.author == "广东省市场监督管理局"  # the 发文机关
    assert info.creation_date == "2023-05-24" == meta.creation_date.date().isoformat()  # the notice's date
    assert re.fullmatch(r"[0-9a-f]{32}", info.doc_id or "")
    assert info.custom_data["documentNumber"] == "粤市监知促〔2023〕233号"  # the 发文字号, for the records office
    packet = ofdkit.open(docs["packet"][1]).info
    assert re.fullmatch(r"[0-9a-f]{64}", packet.custom_data["sourceSha256"])
    assert packet.author == "广州市市场监督管理局（知识产权局）" and packet.doc_id != info.doc_id
    assert 'DocType="OFD"' in ofdcheck.parts(ofd)["OFD.xml"].decode()
    assert 'DocType="OFD-A"' in ofdcheck.parts(write_ofd(pdf, archive=True))["OFD.xml"].decode()


def test_red_letterhead_rule_and_seal_where_the_pdf_has_them(docs) -> None:
    pdf, ofd = docs["signed"]
    p = ofdcheck.parts(ofd)
    first = ofdcheck.xml(p["Doc_0/Pages/Page_0/Content.xml"])
    red_text = [o for o in first.iter(ofdcheck.Q + "TextObject") if o.find(ofdcheck.Q + "FillColor") is not None]
    assert "".join(o.findtext(ofdcheck.Q + "TextCode") or "" for o in red_text) == "示例省市场监督管理局文件"
    assert all(o.find(ofdcheck.Q + "FillColor").get("Value") == "255 0 0" for o in red_text)  # type: ignore[union-attr]
    rules = [
        o
        for o in first.iter(ofdcheck.Q + "PathObject")
        if any(c.get("Value") == "255 0 0" for c in o if ofdcheck.local(c.tag) in ("FillColor", "StrokeColor"))
    ]
    assert rules and any(abs(float(o.get("Boundary", "").split()[2]) - 156) < 0.5 for o in rules)  # 版心 wide
    with pdfplumber.open(io.BytesIO(pdf)) as plumb:
        seals = [(n, im) for n, page in enumerate(plumb.pages) for im in page.images]
    assert len(seals) == 1
    n, im = seals[0]
    objects = list(ofdcheck.xml(p[f"Doc_0/Pages/Page_{n}/Content.xml"]).iter(ofdcheck.Q + "ImageObject"))
    assert len(objects) == 1
    x, y, w, h = (float(v) for v in objects[0].get("Boundary", "").split())
    want = (im["x0"] * MM, im["top"] * MM, (im["x1"] - im["x0"]) * MM, (im["bottom"] - im["top"]) * MM)
    assert all(abs(a - b) < 1 for a, b in zip((x, y, w, h), want)), ((x, y, w, h), want)
    media = [name for name in p if name.startswith("Doc_0/Res/image_")]
    seal = Image.open(io.BytesIO(p[media[0]]))
    assert seal.mode == "RGBA" and seal.getchannel("A").getextrema()[0] == 0  # transparent around the seal


def _ink(img: Image.Image) -> Image.Image:
    """Pixels with ink (not white), as a 1-bit mask."""
    return img.convert("L").point(lambda v: 255 if v < 200 else 0)


@pytest.mark.parametrize(("kind", "page"), [("signed", 0), ("signed", 2), ("packet", 0), ("packet", 1), ("notice", 5)])
def test_a_page_looks_like_the_pdf_page(docs, kind, page, require_tool, tmp_path) -> None:
    """Drawn with Pillow from the OFD's own positions and fonts, and by poppler from the PDF: nearly every
    inked pixel of one lies within 1 px of ink in the other (the PNGs are kept in build/screenshots/ofd/)."""
    pdftoppm = require_tool("pdftoppm")
    pdf, ofd = docs[kind]
    (tmp_path / "a.pdf").write_bytes(pdf)
    subprocess.run([pdftoppm, "-r", "72", "-png", "-f", str(page + 1), "-l", str(page + 1), "-singlefile",
                    str(tmp_path / "a.pdf"), str(tmp_path / "pdf")], check=True)  # fmt: skip
    theirs = Image.open(tmp_path / "pdf.png").convert("RGB")
    ours = ofdcheck.rasterise(ofd, page, dpi=72)
    SHOTS.mkdir(parents=True, exist_ok=True)
    ours.save(SHOTS / f"{kind}-{page + 1}-ofd.png")
    theirs.save(SHOTS / f"{kind}-{page + 1}-pdf.png")
    assert abs(ours.width - theirs.width) <= 1 and abs(ours.height - theirs.height) <= 1
    theirs = theirs.resize(ours.size)
    a, b = _ink(ours), _ink(theirs)
    near_a, near_b = a.filter(ImageFilter.MaxFilter(3)), b.filter(ImageFilter.MaxFilter(3))

    def share(ink: Image.Image, near: Image.Image) -> float:
        inked = ink.histogram()[255]
        covered = ImageChops.multiply(ink, near).histogram()[255]
        return covered / max(inked, 1)

    assert share(b, near_a) > 0.9 and share(a, near_b) > 0.9, (share(b, near_a), share(a, near_b))


def test_render_f_ofd_writes_the_ofd_only(tmp_path) -> None:
    done = run_docgen("render", str(SOURCES["form"]), "-f", "ofd", "-o", str(tmp_path), cwd=ROOT)
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["2024.ofd"]
    with ofdkit.open(tmp_path / "2024.ofd") as doc:
        assert "知识产权项目需求征集表" in doc.text()
    bad = run_docgen("render", str(SOURCES["form"]), "-f", "odf", "-o", str(tmp_path), cwd=ROOT)
    assert bad.returncode == 2 and "docx,xlsx,pdf,ofd" in bad.stderr


def test_a_font_docgen_does_not_know_is_refused_by_name() -> None:
    with pytest.raises(subset.UnknownFont, match="DejaVuSans"):
        subset.face_of("/ABCDEF+DejaVuSans")
    assert subset.face_of("/ABCDEF+docgen-xiaobiaosong-Bold").name == "方正小标宋简体"
    assert subset.face_of("/ABCDEF+docgen-fallback-extb") != subset.face_of("/ABCDEF+docgen-fallback")


def test_the_page_number_face_is_the_one_pagenum_names() -> None:
    from docgen.writers.pdf import pagenum

    assert subset.PAGENUM_FAMILY == pagenum.FAMILY
    assert subset.face_of(f"/X+{pagenum.FAMILY}").name == fonts.ROLE_TABLE[pagenum.NUMBER_ROLE].docx_name


def test_deltas_use_the_standards_shorthand() -> None:
    assert package.deltas((5.6444, 5.6444, 5.6444, 2.8, 5.6444)) == "g 3 5.644 2.8 5.644"
    assert ofdcheck.expand(package.deltas((1.0, 1.0, 2.5))) == [1.0, 1.0, 2.5]
    assert package.num(-0.0001) == "0" and package.num(12.3456) == "12.346"


def test_templates_naming_a_font_docgen_cannot_embed_get_a_chinese_error(tmp_path) -> None:
    """A copy of the templates that sets the 份号 in a system font: the PDF is made, the OFD is refused with
    a message naming the font and the input, no traceback (the CLI prints it, exit 1)."""
    templates = tmp_path / "templates"
    shutil.copytree(ROOT / "templates", templates)
    notice = templates / "html" / "notice.html.j2"
    text = notice.read_text(encoding="utf-8")
    assert ".mark.copy { font-family: {{ stack.fangsong }}; }" in text
    notice.write_text(
        text.replace(
            ".mark.copy { font-family: {{ stack.fangsong }}; }", '.mark.copy { font-family: "DejaVu Sans Mono"; }'
        ),
        encoding="utf-8",
    )
    with pytest.raises(InvalidInput) as caught:
        render_file(SOURCES["signed"], Options(formats=("pdf", "ofd"), templates=templates))
    (problem,) = caught.value.diagnostics
    assert problem.code == "ofd-font" and "DejaVu-Sans-Mono" in problem.message and "docgen fonts" in problem.message
    assert problem.file == "example-2024-signed.yaml"
    done = run_docgen(
        "render",
        str(SOURCES["signed"]),
        "-f",
        "ofd",
        "--templates",
        str(templates),
        "-o",
        str(tmp_path / "o"),
        cwd=ROOT,
    )
    assert done.returncode == 1 and "无法嵌入 OFD" in done.stderr and "Traceback" not in done.stderr
    assert not (tmp_path / "o" / "example-2024-signed.ofd").exists()


def test_rare_characters_keep_their_fallback_faces(tmp_path) -> None:
    """CJK Ext-A…F in a project name: each character drawn in the OFD by an embedded face that has it, at its
    PDF place (HanaMinB is TrueType: the glyf path of the font builder)."""
    rare = "㐀𠀀𪜀𬺰"
    src = SOURCES["packet"].read_text(encoding="utf-8")
    src, n = re.subn(
        r"(\n\s+- name: )([^\n]+)", lambda m: f'{m.group(1)}"{rare}{m.group(2).strip(chr(34))}"', src, count=1
    )
    assert n == 1
    path = tmp_path / "rare.yaml"
    path.write_text(src, encoding="utf-8")
    out = render_file(path, Options(formats=("pdf", "ofd"))).outputs
    files = ofdcheck.fonts(out["ofd"])
    drawn = {g.char: g for page in ofdcheck.glyphs(out["ofd"]) for g in page if g.char in rare}
    assert set(drawn) == set(rare)
    for ch, g in drawn.items():
        name, data = files[g.font]
        assert ord(ch) in TTFont(io.BytesIO(data)).getBestCmap(), (ch, name)
    assert any("glyf" in TTFont(io.BytesIO(data)) for _, data in files.values())  # HanaMinB
    assert ofdcheck.check_structure(out["ofd"]) == []
    with pdfplumber.open(io.BytesIO(out["pdf"])) as plumb:
        places = {
            c["text"]: (c["matrix"][4] * MM, (page.height - c["matrix"][5]) * MM)
            for page in plumb.pages
            for c in page.chars
            if c["text"] in rare
        }
    for ch, (x, y) in places.items():
        assert abs(drawn[ch].x - x) < 1 and abs(drawn[ch].y - y) < 1


def test_text_inside_a_form_xobject_is_kept() -> None:
    """WeasyPrint draws an element with opacity as a form XObject (a transparency group): its text is drawn
    inside it and must reach the OFD at its place."""
    from docgen.writers.pdf import engine

    html = (
        f"<style>{fonts.css_font_faces()} body {{ font-family: {fonts.css_font_stack('fangsong')}; font-size: 16pt }}</style>"
        "<p>甲乙丙</p><p style='opacity: 0.5'>丁戊己</p>"
    )
    doc = engine.render_html(html, base_url=ROOT / "templates")
    pdf = engine.write_document(doc, metadata=engine.PdfMetadata(title="t"))
    xobjects = PdfReader(io.BytesIO(pdf)).pages[0]["/Resources"]["/XObject"]
    assert [x.get_object()["/Subtype"] for x in xobjects.values()] == ["/Form"]
    ofd = write_ofd(pdf)
    with ofdkit.open(ofd) as read:
        assert nows(read.text()) == "甲乙丙丁戊己"
    with pdfplumber.open(io.BytesIO(pdf)) as plumb:
        want = [(c["text"], c["matrix"][4] * MM) for c in plumb.pages[0].chars]
    got = [(g.char, g.x) for g in ofdcheck.glyphs(ofd)[0]]
    assert [c for c, _ in got] == [c for c, _ in want]
    assert all(abs(a - b) < 0.01 for (_, a), (_, b) in zip(got, want))
    # the group's opacity reaches the OFD: the faded paragraph at half alpha, the other opaque
    page = ofdcheck.xml(ofdcheck.parts(ofd)["Doc_0/Pages/Page_0/Content.xml"])
    alphas = {o.findtext(ofdcheck.Q + "TextCode"): o.get("Alpha", "255") for o in page.iter(ofdcheck.Q + "TextObject")}
    assert alphas == {"甲乙丙": "255", "丁戊己": "128"}


def test_a_content_stream_the_tokeniser_does_not_follow_goes_to_pypdf() -> None:
    from docgen.writers.ofd import frompdf

    ops = list(frompdf.operations(b"q 1 0 0 1 5 5 cm [<0102> -20 (a\\(b\\)\\101)] TJ /P <</MCID 0>> BDC EMC Q"))
    assert ops[1] == ([1.0, 0.0, 0.0, 1.0, 5.0, 5.0], b"cm")
    assert ops[2] == ([[b"\x01\x02", -20.0, b"a(b)A"]], b"TJ")
    with pytest.raises(frompdf.ContentError):
        list(frompdf.operations(b"BI /W 1 /H 1 ID \x00 EI"))

    class Stream:
        def __init__(self) -> None:
            self.operations = [([], b"q")]

    assert frompdf._operations_of(b"BI /W 1 ID x EI", Stream) == [([], b"q")]


def _with_part(ofd: bytes, name: str, edit) -> bytes:
    """``ofd`` with one part rewritten by ``edit`` (bytes → bytes)."""
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(ofd)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            dst.writestr(info.filename, edit(data) if info.filename == name else data)
    return out.getvalue()


def test_the_structure_check_finds_what_breaks_the_standard(docs) -> None:
    """The checker is not vacuous: each break of a rule it states is reported."""
    ofd = docs["signed"][1]
    breaks = {
        "Doc_0/PublicRes.xml": lambda d: re.sub(
            rb"<ofd:FontFile>[^<]*</ofd:FontFile>", b"<ofd:FontFile>gone.otf</ofd:FontFile>", d, count=1
        ),
        "Doc_0/Pages/Page_0/Content.xml": lambda d: d.replace(b'Boundary="', b'Boundary="x ', 1),
        "OFD.xml": lambda d: d.replace(b"<ofd:Title>", b"<ofd:Creator>x</ofd:Creator><ofd:Title>", 1),
        "Doc_0/Document.xml": lambda d: re.sub(rb"<ofd:MaxUnitID>\d+", b"<ofd:MaxUnitID>3", d),
    }
    for name, edit in breaks.items():
        broken = _with_part(ofd, name, edit)
        assert broken != ofd, name
        assert ofdcheck.check_structure(broken), name
